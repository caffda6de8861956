"""No pickle from users (issue 10): the server process never unpickles a file a user sent, never imports torch,
and the weights a worker loads are named by keys that can only point at a run's own outputs or the model store.

Statically: no server module (backend/ outside backend/worker/, nodes/) imports a pickle-loading library or calls
one. Dynamically: a server process that took uploads of images, zips, pickles posing as images, a pickle posing as
weights and a CSV has called no unpickler and imported no torch. What the model store's checker does with an
admin's upload is tested in tests/worker/test_weights_store.py (a malicious checkpoint refused, never run)."""

import ast
import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pydantic import ValidationError

from backend.graph.spec import check_weights_key, run_weights_key
from backend.storage import LocalStorage
from tests.api.helpers import png_bytes
from tests.conftest import TEST_CLIENT_HOSTS

ROOT = Path(__file__).resolve().parents[2]
UNPICKLING_MODULES = {"pickle", "_pickle", "cPickle", "dill", "joblib", "torch", "ultralytics", "shelve", "marshal"}
NOT_AN_IMAGE = "This is not an image file (its content is not JPEG, PNG, WebP, BMP or TIFF)."
UNPICKLING_CALLS = {"load", "loads", "Unpickler", "open", "unsafe_load", "full_load"}


class _Marker:
    """Unpickling this leaves a file at `path`: proof that something ran the pickle."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def evil_files(marker: Path) -> dict[str, bytes]:
    """A raw pickle and a torch.save-shaped zip (archive/data.pkl) that would leave `marker` when unpickled."""
    payload = pickle.dumps({"model": _Marker(marker)})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as checkpoint:
        checkpoint.writestr("archive/data.pkl", payload)
        checkpoint.writestr("archive/version", "3\n")
    return {"raw": payload, "torch_zip": archive.getvalue()}


def _server_modules() -> list[Path]:
    backend = [p for p in (ROOT / "backend").rglob("*.py") if "worker" not in p.relative_to(ROOT / "backend").parts]
    return sorted(backend + list((ROOT / "nodes").rglob("*.py")))


def _findings(source: str, name: str) -> list[str]:
    """Imports of unpickling libraries and calls that unpickle or execute a user's file, in one module."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where} import {a.name}" for a in node.names if a.name.split(".")[0] in UNPICKLING_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNPICKLING_MODULES:
            found.append(f"{where} from {node.module} import …")
        elif isinstance(node, ast.Call):
            func, keywords = node.func, {k.arg: k.value for k in node.keywords}
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if name == "YOLO" or (owner in UNPICKLING_MODULES and name in UNPICKLING_CALLS):
                found.append(f"{where} {owner + '.' if owner else ''}{name}(…)")
            elif owner in ("np", "numpy") and name == "load" and _true(keywords.get("allow_pickle")):
                found.append(f"{where} np.load(allow_pickle=True)")
            elif owner == "yaml" and (name in ("unsafe_load", "full_load") or (name == "load" and not _safe(keywords))):
                found.append(f"{where} yaml.{name} without SafeLoader")
    return found


def _true(value: ast.expr | None) -> bool:
    return value is not None and not (isinstance(value, ast.Constant) and value.value is False)


def _safe(keywords: dict[str, ast.expr]) -> bool:
    loader = keywords.get("Loader")
    return isinstance(loader, ast.Attribute) and loader.attr in ("SafeLoader", "CSafeLoader")


def test_no_server_module_imports_or_calls_an_unpickler():
    modules = _server_modules()
    assert len(modules) > 40 and ROOT / "backend" / "api" / "assets.py" in modules
    assert [f for path in modules for f in _findings(path.read_text(), str(path.relative_to(ROOT)))] == []


def test_the_scan_finds_what_it_looks_for():
    source = (
        "import pickle\nfrom torch import load\nimport numpy as np\nimport yaml\n"
        "pickle.loads(b'')\ntorch.load('x')\njoblib.load('x')\nnp.load('x', allow_pickle=True)\n"
        "np.load('x')\nyaml.load('x')\nyaml.load('x', Loader=yaml.SafeLoader)\nYOLO('x.pt')\n"
    )
    assert [f.split(" ", 1)[1] for f in _findings(source, "planted.py")] == [
        "import pickle",
        "from torch import …",
        "pickle.loads(…)",
        "torch.load(…)",
        "joblib.load(…)",
        "np.load(allow_pickle=True)",
        "yaml.load without SafeLoader",
        "YOLO(…)",
    ]


SERVER_SCRIPT = """
import asyncio, io, json, pickle, sys, zipfile
calls = []
def spy(name, original):
    def called(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)
    return called
pickle.load, pickle.loads = spy("load", pickle.load), spy("loads", pickle.loads)
class SpyUnpickler(pickle.Unpickler):
    def load(self):
        calls.append("Unpickler.load")
        return super().load()
pickle.Unpickler = SpyUnpickler
from litestar.testing import AsyncTestClient
from backend.app import create_app
from backend.settings import Settings
from tests.api.helpers import png_bytes
order = json.loads(sys.argv[1])
evil = {name: bytes.fromhex(content) for name, content in order["evil"].items()}
async def main():
    settings = Settings(data_dir=order["data_dir"], allowed_hosts=order["hosts"], auth=False)
    statuses = {}
    async with AsyncTestClient(app=create_app(settings)) as client:
        project = (await client.post("/api/projects", json={"name": "p"})).json()["id"]
        zipped = io.BytesIO()
        with zipfile.ZipFile(zipped, "w") as archive:
            archive.writestr("cat/a.png", png_bytes())
            archive.writestr("cat/w.pt", evil["torch_zip"])
        files = [("ok.png", png_bytes((1, 2, 3))), ("set.zip", zipped.getvalue()), ("w.pt", evil["raw"]),
                 ("w.png", evil["raw"]), ("best.pt", evil["torch_zip"]), ("best.jpg", evil["torch_zip"])]
        answer = await client.post(f"/api/projects/{project}/assets",
                                   files=[("files", (n, c, "application/octet-stream")) for n, c in files])
        statuses["assets"] = [answer.status_code, len(answer.json()["imported"]), answer.json()["rejected"]]
        answer = await client.post("/api/models", files={"file": ("w.pt", evil["raw"])})
        statuses["model_store"] = [answer.status_code, answer.json().get("detail", "")]
        answer = await client.post(f"/api/projects/{project}/labels/csv", content=b"filename,label\\nok.png,cat\\n")
        statuses["csv"] = [answer.status_code]
        statuses["stored_files"] = sorted(p.suffix for p in settings.assets_dir.rglob("*") if p.is_file())
    loaded = sorted(m for m in ("torch", "ultralytics", "joblib", "dill", "onnxruntime") if m in sys.modules)
    print(json.dumps({"calls": calls, "modules": loaded, "statuses": statuses}))
asyncio.run(main())
"""


def test_a_server_that_took_pickles_as_images_weights_and_zip_entries_never_unpickled_or_imported_torch(tmp_path):
    marker = tmp_path / "unpickled"
    order = {
        "data_dir": str(tmp_path / "data"),
        "hosts": TEST_CLIENT_HOSTS,
        "evil": {name: content.hex() for name, content in evil_files(marker).items()},
    }
    env = {**os.environ, "VISIONFLOW_AUTH": "off"}
    done = subprocess.run(
        [sys.executable, "-c", SERVER_SCRIPT, json.dumps(order)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    status, imported, rejected = report["statuses"]["assets"]
    assert (status, imported) == (201, 2)  # ok.png and the zip's cat/a.png
    # A torch.save file is a zip: its entries are checked one by one, each refused as no image (the version file
    # and data.pkl alike), as are the raw pickles, whatever their names
    assert {r["filename"] for r in rejected} == {
        "set.zip: cat/w.pt",
        "w.pt",
        "w.png",
        "best.pt: archive/data.pkl",
        "best.pt: archive/version",
        "best.jpg: archive/data.pkl",
        "best.jpg: archive/version",
    }
    assert {r["reason"] for r in rejected} == {NOT_AN_IMAGE}
    assert (
        report["statuses"]["model_store"][0] == 422
        and "not a PyTorch checkpoint" in report["statuses"]["model_store"][1]
    )
    assert report["statuses"]["csv"] == [200]
    assert report["statuses"]["stored_files"] == [".png", ".png"]  # no refused file was kept
    assert report["calls"] == [] and report["modules"] == []
    assert not marker.exists()


@pytest.mark.parametrize(
    "key",
    [
        "runs/../models/x.pt",
        "runs/a/weights/../../../visionflow.db",
        "assets/ab/" + "a" * 64 + ".pt",
        "models/../runs/a/weights/best.pt",
        "runs/a/weights/other.pt",
        "/etc/passwd",
        "models/sub/x.pt",
        "runs/a/b/weights/last.pt",
    ],
)
def test_a_weights_key_names_only_a_runs_own_checkpoints_or_the_model_store(tmp_path, key):
    with pytest.raises(ValueError, match="is not a weights key"):
        check_weights_key(key)
    with pytest.raises(ValueError):
        LocalStorage(tmp_path).weights(key)


def test_resume_from_must_be_a_runs_last_checkpoint():
    from backend.graph.spec import TrainingJobSpec

    with pytest.raises(ValidationError, match="resume_from"):
        TrainingJobSpec.model_validate({"run_id": "r", "resume_from": "models/uploaded.pt"})
    assert run_weights_key("parent_1", "last") == "runs/parent_1/weights/last.pt"


async def test_a_run_id_that_is_no_stored_run_reaches_no_file(client, settings):
    """Predict, resume, extend and CAM take the run from the database: a folder planted under runs/ (or a path)
    is not a run, so nothing there is ever handed to a worker or the predictor."""
    planted = settings.runs_dir / "planted" / "weights"
    planted.mkdir(parents=True)
    for name in ("best.pt", "last.pt"):
        (planted / name).write_bytes(evil_files(settings.data_dir / "unpickled")["torch_zip"])
    for run_id in ("planted", "..%2Fplanted", "%2E%2E", "runs%2Fplanted"):
        answers = [
            await client.post(f"/api/runs/{run_id}/predict", files={"file": ("x.png", png_bytes())}),
            await client.post(f"/api/runs/{run_id}/resume"),
            await client.post(f"/api/runs/{run_id}/extend", json={"epochs": 1}),
            await client.get(f"/api/runs/{run_id}/items/0/cam"),
        ]
        assert [a.status_code for a in answers] == [404] * 4, (run_id, [a.text for a in answers])
    assert not (settings.data_dir / "unpickled").exists()
