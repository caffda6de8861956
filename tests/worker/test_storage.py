"""Self-contained specs: no path in a spec, weights named by checked keys, and a worker that trains a spec from a
store in another directory than the server's data dir (the "other machine" case)."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from backend.datasets.images import content_path
from backend.events.models import WorkerEvent
from backend.graph.spec import ModelSpec, TrainingJobSpec, check_weights_key, read_spec, run_weights_key
from backend.storage import LocalStorage, storage_from

BAD_KEYS = ["../x.pt", "/abs.pt", "models/../x.pt", "models/sub/x.pt", "runs/r/weights/other.pt", "models/x.onnx", ""]


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [str(key), *strings(item)]]
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) else []


def assert_no_path(spec: TrainingJobSpec, *data_dirs: Path) -> None:
    found = strings(json.loads(spec.model_dump_json()))
    assert found and not [s for s in found if s.startswith("/") or "\\" in s]
    for folder in data_dirs:
        assert not [s for s in found if str(folder) in s or str(folder.resolve()) in s]


def test_a_worker_spec_names_no_path(make_spec, store):
    spec = make_spec(pretrained=run_weights_key("parent-run", "best"))
    assert_no_path(spec, store.data_dir)
    assert {item.suffix for item in spec.dataset.items} == {".png"}


def test_a_compiled_spec_names_no_path(tmp_path: Path):
    from backend.catalogue import build_catalogue
    from backend.datasets.labelled import LabelledImage, LabelledImages
    from backend.graph.compile import compile_job
    from backend.graph.spec import RunSettings
    from backend.graph.validate import validate_document
    from backend.models_store import ModelStore

    graph = {
        "schema_version": 1,
        "name": "no paths",
        "nodes": [
            {"id": "data", "type": "dataset.project", "params": {}},
            {"id": "model", "type": "model.yolov8_cls", "params": {"imgsz": 32}},
        ],
        "edges": [{"id": "e", "source": "data", "source_port": "dataset", "target": "model", "target_port": "dataset"}],
    }
    catalogue = build_catalogue(ModelStore(tmp_path / "models"))
    validation = validate_document(graph, catalogue)
    assert validation.valid is not None, validation.issues
    images = LabelledImages(
        class_names=["a", "b"],
        items=[LabelledImage(content_hash=f"{n:064x}", suffix=".jpg", label="ab"[n % 2]) for n in range(20)],
    )
    spec = compile_job(validation.valid, catalogue, RunSettings(), images, "r1")
    assert_no_path(spec, tmp_path)
    assert spec.run_id == "r1" and spec.spec_version == 2


@pytest.mark.parametrize("key", BAD_KEYS)
def test_weights_keys_outside_the_store_are_refused(key, make_spec, store):
    with pytest.raises(ValueError, match="not a weights key"):
        check_weights_key(key)
    with pytest.raises(ValidationError):
        ModelSpec(architecture="yolov8n-cls.yaml", imgsz=32, pretrained=key)
    with pytest.raises(ValidationError):
        TrainingJobSpec.model_validate({**make_spec().model_dump(), "resume_from": key})
    with pytest.raises(ValueError, match="not a weights key"):
        store.weights(key)


def test_resume_names_a_run_checkpoint_never_store_weights(make_spec):
    with pytest.raises(ValidationError, match="must be a run's checkpoint"):
        TrainingJobSpec.model_validate({**make_spec().model_dump(), "resume_from": "models/x.pt"})


def test_the_store_lays_images_out_as_uploads_do_and_copies_them(tmp_path: Path):
    source = tmp_path / "cat.PNG"
    source.write_bytes(b"pixels")
    store = LocalStorage(tmp_path / "data")
    digest = "a" * 64

    stored = store.add_image(source, digest, ".png")

    assert stored == content_path(tmp_path / "data" / "assets", digest, "png").resolve()
    assert store.image(digest, ".png") == stored and stored.read_bytes() == b"pixels"
    source.write_bytes(b"edited in place")  # the person's own file changes later: the stored content does not
    assert stored.read_bytes() == b"pixels" and stored.stat().st_ino != source.stat().st_ino
    with pytest.raises(FileNotFoundError):
        store.image("c" * 64, ".png")
    with pytest.raises(ValueError):
        store.image("../../etc/passwd", ".png")
    with pytest.raises(ValueError):
        store.run_folder("../elsewhere")


def test_a_runner_describes_its_storage_in_plain_json(tmp_path: Path):
    description = json.loads(json.dumps(LocalStorage(tmp_path).description()))
    assert description == {"kind": "local", "data_dir": str(tmp_path.resolve())}
    assert storage_from(description).run_folder("r") == tmp_path.resolve() / "runs" / "r"
    with pytest.raises(ValueError, match="unknown storage kind 's3'"):
        storage_from({"kind": "s3"})


def test_a_version_1_spec_of_an_older_data_dir_reads_as_the_current_one(make_spec):
    current = make_spec(pretrained="models/yolov8n-cls-0123456789ab.pt")
    old: dict[str, Any] = current.model_dump(mode="json", exclude={"run_id", "parent_run_id"})
    old["spec_version"] = 1
    old["output_dir"] = f"/srv/visionflow-data/runs/{current.run_id}"
    old["model"]["pretrained"] = "/srv/visionflow-data/models/yolov8n-cls-0123456789ab.pt"
    old["dataset"]["items"] = [
        {
            "path": f"/srv/visionflow-data/assets/{i.content_hash[:2]}/{i.content_hash}.png",
            "label": i.label,
            "split": i.split,
        }
        for i in current.dataset.items
    ]

    assert read_spec(old).canonical_json() == current.canonical_json()
    resumed_in_place = {**old, "resume_from": f"{old['output_dir']}/weights/last.pt"}  # how version 1 resumed
    assert read_spec(resumed_in_place).canonical_json() == current.canonical_json()
    assert read_spec(json.loads(current.model_dump_json())).canonical_json() == current.canonical_json()
    with pytest.raises(ValueError, match="newer than this server reads"):
        read_spec({**old, "spec_version": 3})


@pytest.mark.train
def test_a_spec_runs_on_another_machine_from_a_copy_of_the_store(make_spec, store, tmp_path: Path):
    """The server's data dir (`store`) stays out of it: the worker's store is another directory holding a copy of
    the assets, as a worker on another machine would see the shared store."""
    spec = make_spec(overrides={"epochs": 1})
    elsewhere = tmp_path / "worker-machine"
    shutil.copytree(store.data_dir / "assets", elsewhere / "assets")
    worker_store = storage_from({"kind": "local", "data_dir": str(elsewhere)})
    from backend.worker.job import run_job

    events: list[WorkerEvent] = []
    status = run_job(spec, worker_store, events.append, lambda: False)

    assert status == "succeeded", events[-1].data
    folder = elsewhere / "runs" / spec.run_id
    assert (folder / "weights" / "best.pt").is_file() and (folder / "model_card.json").is_file()
    assert not (store.data_dir / "runs" / spec.run_id).exists()
    linked = next((folder / "data" / "train").rglob("*.png"))
    assert linked.resolve().is_relative_to(elsewhere.resolve())  # read from the worker's store, not the server's
