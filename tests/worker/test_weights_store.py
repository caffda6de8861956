"""The model store end to end: uploads checked in a subprocess, refusals that leave nothing behind, and a tiny
training that starts from stored weights of another class count. Every checkpoint here is made by the test."""

import os
from pathlib import Path

import pytest
import torch

from backend.graph.spec import ModelSpec, run_weights_key, store_weights_key
from backend.worker.job import run_job
from backend.worker.weights_check import Refused, check


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Ultralytics-format checkpoints (1000-class heads, as YOLO(yaml).save writes them) and files that are not."""
    from ultralytics import YOLO
    from ultralytics.nn.tasks import ClassificationModel

    folder = tmp_path_factory.mktemp("checkpoints")
    made = {name: folder / f"{name}.pt" for name in ("y11n", "v8n", "anonymous_y11n", "state_dict", "tensor", "evil")}
    torch.manual_seed(12345)  # not the training's seed: from-scratch weights would differ from these
    YOLO("yolo11n-cls.yaml").save(made["y11n"])
    YOLO("yolov8n-cls.yaml").save(made["v8n"])
    anonymous = ClassificationModel("yolo11n-cls.yaml", nc=3, verbose=False)
    del anonymous.yaml["yaml_file"]  # a checkpoint that does not say what it is: only shapes can tell
    torch.save({"model": anonymous}, made["anonymous_y11n"])
    torch.save(anonymous.state_dict(), made["state_dict"])
    torch.save(torch.randn(4, 4), made["tensor"])
    torch.save({"model": _Evil()}, made["evil"])
    return made


class _Evil:
    """Unpickling this would run a command that leaves a marker file."""

    marker: Path = Path(os.environ.get("TMPDIR", "/tmp")) / "visionflow-weights-check-was-unpickled"

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_an_ultralytics_checkpoint_says_its_architecture_and_class_count(checkpoints):
    result = check(checkpoints["y11n"], None)
    assert (result["ok"], result["architecture"], result["nc"]) == (True, "yolo11n-cls.yaml", 1000)


@pytest.mark.parametrize(
    ("name", "architecture", "reason"),
    [
        ("v8n", "yolo11s-cls.yaml", "saved from yolov8n-cls.yaml, not yolo11s-cls.yaml"),
        ("y11n", "yolo26n-cls.yaml", "saved from yolo11n-cls.yaml, not yolo26n-cls.yaml"),
        ("anonymous_y11n", "yolo11s-cls.yaml", "not yolo11s-cls.yaml: tensors"),
        ("anonymous_y11n", "yolov8n-cls.yaml", "not yolov8n-cls.yaml: tensors"),
        ("anonymous_y11n", None, "name it in the 'architecture' field"),
        ("state_dict", "yolo11n-cls.yaml", "bare state dict"),
        ("tensor", "yolo11n-cls.yaml", "holds no model"),
        ("evil", "yolo11n-cls.yaml", "posix.system"),
    ],
)
def test_wrong_or_unsafe_files_are_refused_with_the_reason(checkpoints, name, architecture, reason):
    with pytest.raises(Refused, match=reason.replace("(", r"\(")):
        check(checkpoints[name], architecture)
    assert not _Evil.marker.exists()


def test_a_checkpoint_without_its_yaml_is_judged_by_its_tensors(checkpoints):
    """The classifier's class count may differ from the yaml's: fine-tuning replaces that layer."""
    result = check(checkpoints["anonymous_y11n"], "yolo11n-cls.yaml")
    assert (result["architecture"], result["nc"]) == ("yolo11n-cls.yaml", 3)


async def test_upload_list_catalogue_and_delete_through_the_api(client, settings, checkpoints):
    with checkpoints["y11n"].open("rb") as file:
        created = await client.post("/api/models", files={"file": ("../../etc/my weights.pt", file)})
    assert created.status_code == 201, created.text
    entry = created.json()
    assert {k: entry[k] for k in ("architecture", "family", "size", "filename")} == {
        "architecture": "yolo11n-cls.yaml",
        "family": "yolo11",
        "size": "n",
        "filename": "../../etc/my weights.pt",
    }
    assert entry["classes"]["nc"] == 1000 and entry["bytes"] == checkpoints["y11n"].stat().st_size
    assert entry["name"].startswith("yolo11n-cls-") and (settings.model_store / entry["name"]).is_file()
    assert (await client.get("/api/models")).json() == [entry]

    nodes = {n["type"]: n for n in (await client.get("/api/nodes")).json()}
    assert nodes["model.yolo11_cls"]["params_schema"]["properties"]["pretrained"]["enum"] == [None, entry["name"]]
    assert nodes["model.yolov8_cls"]["params_schema"]["properties"]["pretrained"]["enum"] == [None]

    assert (await client.delete(f"/api/models/{entry['name']}")).status_code == 204
    assert (await client.get("/api/models")).json() == []
    assert (await client.delete(f"/api/models/{entry['name']}")).status_code == 404
    assert (await client.delete("/api/models/..%2Fvisionflow.db")).status_code == 404


async def test_a_wrong_architecture_upload_is_refused_and_leaves_nothing(client, settings, checkpoints):
    with checkpoints["v8n"].open("rb") as file:
        refused = await client.post(
            "/api/models", files={"file": ("v8.pt", file)}, data={"architecture": "yolo11s-cls.yaml"}
        )
    assert refused.status_code == 422
    assert "not yolo11s-cls.yaml" in refused.json()["detail"]
    unknown = await client.post("/api/models", files={"file": ("x.pt", b"x")}, data={"architecture": "resnet.yaml"})
    assert unknown.status_code == 422 and "resnet.yaml" in unknown.json()["detail"]
    assert (await client.get("/api/models")).json() == []
    assert [p for p in settings.model_store.rglob("*") if p.is_file()] == []


@pytest.mark.train
def test_training_starts_from_stored_weights_of_another_class_count(make_spec, checkpoints, store):
    """A yolo11n checkpoint with a 1000-class head starts a 10-class digits run: the backbone carries over."""
    stored = store.data_dir / "models" / "yolo11n-cls-test.pt"
    stored.parent.mkdir(exist_ok=True)
    stored.write_bytes(checkpoints["y11n"].read_bytes())
    spec = make_spec(pipeline=[])
    model = ModelSpec(architecture="yolo11n-cls.yaml", imgsz=32, pretrained=store_weights_key(stored.name))
    spec = spec.model_copy(update={"model": model})
    events = []
    assert run_job(spec, store, events.append, lambda: False) == "succeeded"

    def first_conv(path: Path) -> torch.Tensor:
        saved = torch.load(path, map_location="cpu", weights_only=False)  # files this test wrote
        return (saved.get("ema") or saved["model"]).float().state_dict()["model.0.conv.weight"]

    started = first_conv(checkpoints["y11n"])
    trained = first_conv(store.weights(run_weights_key(spec.run_id, "last")))
    assert (trained - started).abs().max() < 0.05 < started.abs().max()  # moved a little from the stored weights
