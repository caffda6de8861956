"""Kill -9 crash trials: what the server acknowledged survives a crash at any moment.

One trial starts a real `visionflow serve` on a data dir, lets a client thread fire a seeded random mix of small
writes (create projects, classes and workflows, upload PNGs, label images, save workflows), kills the server with
SIGKILL after a seeded random delay, and the next start checks that every write answered 2xx before the kill is
there and intact: rows readable through the API, every file the database points at present and of its sha256,
thumbnails present, the SQLite file passing its integrity check, and the server starting cleanly (migrations at
start). Trials share one data dir, so each trial's start also checks the one before it and the data dir ages as a
real one does. Used by tests/api/test_crash_trials.py (10 trials) and bench/crash_trials.py (200).

    summary = run_trials(data_dir, trials=20, first_seed=0)
    assert summary.lost == [] and summary.problems == []
"""

import hashlib
import io
import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from PIL import Image

from tests.crash_servers import Server, Zygote

ROOT = Path(__file__).resolve().parents[1]
KILL_AFTER_S = (0.0, 0.6)  # the random moment of the kill, counted from the trial's first acknowledged write


@dataclass
class Ledger:
    """Every write the server acknowledged, as the client saw it; `pending` is the write in flight at the kill
    (its outcome is unknown: either the old or the new value may be found)."""

    projects: dict[str, str] = field(default_factory=dict)  # id → name
    classes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (project id, name)
    assets: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (project id, sha256)
    labels: dict[str, str | None] = field(default_factory=dict)  # asset id → class id
    workflows: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (project id, name)
    pending: tuple[str, str, str | None] | None = None  # ("label", asset id, class id) | ("workflow", id, name)
    unchecked_files: list[str] = field(default_factory=list)  # assets acknowledged since the last check
    touched: set[str] = field(default_factory=set)  # projects written to (or tried) since the last check
    acknowledged: int = 0


@dataclass
class Summary:
    trials: int = 0
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged writes not found intact after a restart
    problems: list[str] = field(default_factory=list)  # anything else wrong: refused writes, 5xx, broken start
    starts_s: list[float] = field(default_factory=list)
    seconds: float = 0.0


def tiny_png(rng: random.Random) -> bytes:
    """A few hundred bytes of random pixels: every upload is new content."""
    side = rng.randint(8, 20)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def workflow_graph(project_id: str, name: str) -> dict:
    return {
        "schema_version": 1,
        "name": name,
        "nodes": [
            {"id": "data", "type": "dataset.project", "params": {"project_id": project_id}},
            {"id": "model", "type": "model.yolov8_cls", "params": {"size": "n", "imgsz": 32}},
        ],
        "edges": [
            {"id": "e1", "source": "data", "source_port": "dataset", "target": "model", "target_port": "dataset"}
        ],
    }


class Writer:
    """Fires seeded random writes one after another until a request fails (the server is gone); records each
    acknowledged one in the ledger and marks the one in flight as pending."""

    def __init__(self, url: str, ledger: Ledger, seed: int, problems: list[str]) -> None:
        self.client = httpx.Client(base_url=url, timeout=30)
        self.ledger, self.rng, self.seed, self.problems = ledger, random.Random(seed), seed, problems
        self.count = 0
        self.first_acknowledged = threading.Event()

    def run(self) -> None:
        try:
            while True:
                self.count += 1
                if not self._one_write():
                    return
        except httpx.TransportError:
            return  # the kill: the write in flight stays pending
        finally:
            self.first_acknowledged.set()  # a writer that stopped on a refusal holds no trial up
            self.client.close()

    def _ok(self, response: httpx.Response, what: str) -> bool:
        if response.is_success:
            self.ledger.acknowledged += 1
            self.first_acknowledged.set()
            return True
        self.problems.append(f"seed {self.seed}: {what} answered {response.status_code}: {response.text[:300]}")
        return False

    def _one_write(self) -> bool:
        ledger, rng, name = self.ledger, self.rng, f"s{self.seed}w{self.count}"
        ledger.pending = None
        projects = sorted(ledger.projects)
        kinds = ["project"] if not projects else ["project", "class", "class", "upload", "upload", "upload"]
        if any(ledger.classes) and ledger.assets:
            kinds += ["label", "label", "label"]
        if ledger.workflows:
            kinds += ["save_workflow", "save_workflow"]
        kind = rng.choice(kinds + (["workflow"] if projects else []))
        if kind == "project":
            response = self.client.post("/api/projects", json={"name": name})
            if ok := self._ok(response, "create project"):
                ledger.projects[response.json()["id"]] = name
                ledger.touched.add(response.json()["id"])
            return ok
        if kind == "class":
            project_id = rng.choice(projects)
            ledger.touched.add(project_id)
            response = self.client.post(f"/api/projects/{project_id}/classes", json={"name": name})
            if ok := self._ok(response, "create class"):
                ledger.classes[response.json()["id"]] = (project_id, name)
            return ok
        if kind == "upload":
            project_id = rng.choice(projects)
            ledger.touched.add(project_id)
            files = {f"{name}-{n}.png": tiny_png(rng) for n in range(rng.randint(1, 3))}
            response = self.client.post(
                f"/api/projects/{project_id}/assets",
                files=[("files", (filename, content, "image/png")) for filename, content in files.items()],
            )
            if ok := self._ok(response, "upload"):
                for asset in response.json()["imported"]:
                    sent = hashlib.sha256(files[asset["filename"]]).hexdigest()
                    if asset["sha256"] != sent:
                        self.problems.append(f"seed {self.seed}: upload {asset['filename']} reported another sha256")
                    ledger.assets[asset["id"]] = (project_id, sent)
                    ledger.labels[asset["id"]] = None
                    ledger.unchecked_files.append(asset["id"])
            return ok
        if kind == "label":
            asset_id = rng.choice(sorted(ledger.assets))
            project_id = ledger.assets[asset_id][0]
            ledger.touched.add(project_id)
            choices = [c for c, (p, _) in sorted(ledger.classes.items()) if p == project_id] + [None]
            class_id = rng.choice(choices)
            ledger.pending = ("label", asset_id, class_id)
            response = self.client.put(f"/api/assets/{asset_id}/annotation", json={"class_id": class_id})
            ledger.pending = None
            if ok := self._ok(response, "label"):
                ledger.labels[asset_id] = class_id
            return ok
        if kind == "workflow":
            project_id = rng.choice(projects)
            ledger.touched.add(project_id)
            graph = workflow_graph(project_id, name)
            response = self.client.post(f"/api/projects/{project_id}/workflows", json={"graph": graph})
            if ok := self._ok(response, "create workflow"):
                ledger.workflows[response.json()["id"]] = (project_id, name)
            return ok
        workflow_id = rng.choice(sorted(ledger.workflows))
        project_id = ledger.workflows[workflow_id][0]
        ledger.touched.add(project_id)
        ledger.pending = ("workflow", workflow_id, name)
        response = self.client.put(f"/api/workflows/{workflow_id}", json={"graph": workflow_graph(project_id, name)})
        ledger.pending = None
        if ok := self._ok(response, "save workflow"):
            ledger.workflows[workflow_id] = (project_id, name)
        return ok


def check_after_restart(
    server: Server, data_dir: Path, ledger: Ledger, everything: bool = False
) -> tuple[list[str], list[str]]:
    """(lost writes, other problems) once the server is up again; the pending write is settled to what was found.
    Every project is listed; the classes, images, labels and workflows of those written to since the last check are
    compared, or of every project with `everything` (the last start)."""
    lost: list[str] = []
    problems = check_files(data_dir)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        found_projects = {p["id"]: p["name"] for p in _json(client, "/api/projects", problems) or []}
        lost += [f"project {i} {n!r}" for i, n in ledger.projects.items() if found_projects.get(i) != n]
        for project_id in ledger.projects if everything else ledger.touched & set(ledger.projects):
            found = {c["id"]: c["name"] for c in _json(client, f"/api/projects/{project_id}/classes", problems) or []}
            lost += [
                f"class {i} {n!r}" for i, (p, n) in ledger.classes.items() if p == project_id and found.get(i) != n
            ]
            labels = _asset_labels(client, project_id, problems)
            for asset_id, (p, sha256) in ledger.assets.items():
                if p != project_id:
                    continue
                if asset_id not in labels or labels[asset_id][0] != sha256:
                    lost.append(f"asset {asset_id}")
                    continue
                lost += _settled(ledger, "label", asset_id, ledger.labels[asset_id], labels[asset_id][1])
            names = {w["id"]: w["name"] for w in _json(client, f"/api/projects/{project_id}/workflows", problems) or []}
            for workflow_id, (p, name) in ledger.workflows.items():
                if p == project_id:
                    lost += _settled(ledger, "workflow", workflow_id, name, names.get(workflow_id))
        for asset_id in ledger.unchecked_files:  # the newest files, as a browser gets them
            sha256 = ledger.assets[asset_id][1]
            served = client.get(f"/api/assets/{asset_id}/file")
            if served.status_code != 200 or hashlib.sha256(served.content).hexdigest() != sha256:
                lost.append(f"file of asset {asset_id} ({served.status_code})")
            thumbnail = client.get(f"/api/assets/{asset_id}/thumbnail")
            if thumbnail.status_code != 200 or thumbnail.headers.get("content-type") != "image/jpeg":
                problems.append(f"thumbnail of asset {asset_id} answered {thumbnail.status_code}")
    ledger.unchecked_files.clear()
    ledger.touched.clear()
    ledger.pending = None
    return lost, problems


def _settled(ledger: Ledger, kind: str, key: str, expected: str | None, found: str | None) -> list[str]:
    """[] when `found` is the acknowledged value, or the pending write's value (then adopted); else the loss."""
    if found == expected:
        return []
    if ledger.pending is not None and ledger.pending[:2] == (kind, key) and found == ledger.pending[2]:
        if kind == "label":
            ledger.labels[key] = found
        else:
            ledger.workflows[key] = (ledger.workflows[key][0], found or "")
        return []
    return [f"{kind} of {key}: {expected!r} acknowledged, {found!r} found"]


def _json(client: httpx.Client, path: str, problems: list[str]):  # type: ignore[no-untyped-def]
    response = client.get(path)
    if response.status_code != 200:
        problems.append(f"GET {path} answered {response.status_code} after the restart: {response.text[:200]}")
        return None
    return response.json()


def _asset_labels(client: httpx.Client, project_id: str, problems: list[str]) -> dict[str, tuple[str, str | None]]:
    """asset id → (sha256, class id), every page."""
    found: dict[str, tuple[str, str | None]] = {}
    while True:
        page = _json(client, f"/api/projects/{project_id}/assets?limit=1000&offset={len(found)}", problems)
        if not page:
            return found
        found.update({a["id"]: (a["sha256"], a["class_id"]) for a in page["items"]})
        if not page["items"] or len(found) >= page["total"]:
            return found


def check_files(data_dir: Path) -> list[str]:
    """Every asset row (acknowledged or not) points at a present file of its sha256 and has its thumbnail; the
    database passes SQLite's integrity check. Read-only, beside the running server (WAL)."""
    problems: list[str] = []
    database = sqlite3.connect(f"file:{data_dir / 'visionflow.db'}?mode=ro", uri=True)
    try:
        if (verdict := database.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
            problems.append(f"integrity_check: {verdict}")
        for sha256, ext in database.execute("SELECT DISTINCT sha256, ext FROM asset"):
            stored = data_dir / "assets" / sha256[:2] / f"{sha256}.{ext}"
            if not stored.is_file() or hashlib.sha256(stored.read_bytes()).hexdigest() != sha256:
                problems.append(f"{stored} is missing or not of its sha256")
            if not (data_dir / "thumbs" / sha256[:2] / f"{sha256}.jpg").is_file():
                problems.append(f"the thumbnail of {sha256} is missing")
    finally:
        database.close()
    return problems


def run_trials(data_dir: Path, trials: int, first_seed: int = 0, fork: bool = True, log=None) -> Summary:  # type: ignore[no-untyped-def]
    """`trials` kills on one data dir with seeds first_seed, first_seed + 1, …; a last start, always a fresh
    `visionflow serve` process, checks the last. `fork`: trial servers are forked from a Zygote (see Server)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    server_log = data_dir.parent / "crash-trials-server.log"
    ledger, summary, started = Ledger(), Summary(), time.perf_counter()
    zygote, server = (Zygote() if fork else None), None
    try:
        for seed in range(first_seed, first_seed + trials + 1):
            last = seed == first_seed + trials
            server = Server(data_dir, server_log, forked_by=None if last else zygote)
            summary.starts_s.append(server.start_s)
            lost, problems = check_after_restart(server, data_dir, ledger, everything=last)
            summary.lost += [f"before seed {seed}: {loss}" for loss in lost]
            summary.problems += [f"before seed {seed}: {problem}" for problem in problems]
            if last:
                server.kill()
                break
            writer = Writer(server.url, ledger, seed, summary.problems)
            thread = threading.Thread(target=writer.run, name=f"crash-trial-{seed}")
            thread.start()
            writer.first_acknowledged.wait(30)  # every trial kills a server that has acknowledged writes
            time.sleep(random.Random(f"kill {seed}").uniform(*KILL_AFTER_S))
            server.kill()
            thread.join(30)
            summary.trials += 1
            if log is not None:
                log(f"seed {seed}: {ledger.acknowledged} acknowledged so far, {len(summary.lost)} lost")
    finally:  # a trial that raised leaves no server behind
        if server is not None:
            server.kill()
        if zygote is not None:
            zygote.close()
    summary.acknowledged = ledger.acknowledged
    summary.seconds = time.perf_counter() - started
    return summary
