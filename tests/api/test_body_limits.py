"""Bounded requests: a JSON body over the cap is a 413 before it is buffered (announced or chunked), the upload
routes stream past that cap with their own, and a workflow graph over its size limits is a 422 naming the field.

The memory tests drive a real `visionflow serve` and read its VmRSS from /proc: the in-process client would not
show what uvicorn buffers.
"""

import io
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from backend.app import create_app
from backend.graph.schema import MAX_NODES
from backend.settings import Settings
from tests.api.helpers import new_project, upload
from tests.conftest import DATA, FLIP, MODEL, LiveServer, chain

MiB = 1024 * 1024
HUGE = 64 * MiB
RSS_BUDGET = 100 * 1000 * 1000  # "server RSS growth < 100 MB"


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _json_body_pieces(size: int) -> Iterator[bytes]:
    """A JSON object of `size` bytes, `{"name": "aaaa…"}`, 1 MiB at a time."""
    head, tail = b'{"name": "', b'"}'
    yield head
    left = size - len(head) - len(tail)
    while left > 0:
        piece = min(MiB, left)
        yield b"a" * piece
        left -= piece
    yield tail


def _post_huge(port: int, pid: int, chunked: bool) -> tuple[int, int, int]:
    """POST a 64 MiB JSON body to /api/projects over a raw socket (sent from a thread while the reply is read);
    returns (status, peak RSS growth, RSS growth once answered)."""
    before = _rss_bytes(pid)
    peak = before
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUGE}"
    head = (
        f"POST /api/projects HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
    )
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)

    def send() -> None:
        try:
            sock.sendall(head.encode())
            for piece in _json_body_pieces(HUGE):
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server answered and closed before the whole body was sent: what a cap should do
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    reply = b""
    sampling_done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not sampling_done.is_set():
            peak = max(peak, _rss_bytes(pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        while b"\r\n" not in reply:
            piece = sock.recv(65536)
            if not piece:
                break
            reply += piece
    finally:
        sender.join(30)
        time.sleep(0.3)  # let the server drop whatever it held for the request
        sampling_done.set()
        sampler.join()
        sock.close()
    status = int(reply.split(b" ", 2)[1])
    return status, peak - before, _rss_bytes(pid) - before


@pytest.fixture(scope="module")
def bare_server(tmp_path_factory: pytest.TempPathFactory):
    server = LiveServer(tmp_path_factory.mktemp("limits") / "data", seed_demo=False)
    yield server
    server.stop()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_64_mib_json_body_is_413_and_costs_the_server_no_memory(bare_server, chunked):
    import httpx

    assert httpx.post(f"{bare_server.url}/api/projects", json={"name": "warm-up"}).status_code == 201
    status, peak_growth, kept = _post_huge(bare_server.port, bare_server.process.pid, chunked)
    print(f"chunked={chunked}: status {status}, RSS peak +{peak_growth / MiB:.1f} MiB, kept +{kept / MiB:.1f} MiB")
    assert status == 413
    assert peak_growth < RSS_BUDGET and kept < RSS_BUDGET
    names = [p["name"] for p in httpx.get(f"{bare_server.url}/api/projects").json()]
    assert all(len(name) < 1000 for name in names)  # nothing of the body was stored


@pytest.fixture
async def small_cap_client(tmp_path: Path):
    """A server whose JSON cap (1 MiB) is smaller than the files uploaded below."""
    settings = Settings(data_dir=tmp_path / "data", max_json_body_bytes=MiB)
    async with AsyncTestClient(app=create_app(settings), base_url="http://127.0.0.1:8000") as client:  # a loopback Host
        yield client


def _noise_png(side: int) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_the_json_cap_is_413_and_uploads_stream_past_it(small_cap_client):
    client = small_cap_client
    over = await client.post("/api/projects", json={"name": "x" * MiB})
    assert over.status_code == 413
    project = await new_project(client)
    big_png = _noise_png(1100)  # ~3.6 MB of noise: a PNG cannot squeeze it
    assert len(big_png) > 3 * MiB
    uploaded = await upload(client, project["id"], [("cats/noise.png", big_png)])
    assert uploaded.status_code == 201 and len(uploaded.json()["imported"]) == 1
    csv = b"filename,label\n" + b"".join(b"n%07d.png,cats\n" % i for i in range(120_000))  # ~2.4 MB
    imported = await client.post(
        f"/api/projects/{project['id']}/labels/csv", content=csv, headers={"content-type": "text/csv"}
    )
    assert imported.status_code != 413 and len(csv) > 2 * MiB
    model = await client.post("/api/models", files={"file": ("big.pt", b"x" * (2 * MiB))})
    assert model.status_code != 413 or "Request Entity Too Large" not in model.text


async def test_a_bulk_label_of_the_most_assets_fits_the_default_cap(client, settings):
    project = await new_project(client)
    asset_ids = [uuid.uuid4().hex for _ in range(10_000)]  # BulkLabel's own limit
    response = await client.post(
        f"/api/projects/{project['id']}/labels/bulk", json={"asset_ids": asset_ids, "class_id": None}
    )
    assert response.status_code == 400 and "asset_ids" in response.json()["extra"]  # read, and found unknown


def _issue_fields(response) -> set[str]:
    return {issue["field"] for issue in response.json()["issues"]}


@pytest.mark.parametrize(
    ("graph", "field"),
    [
        ({"nodes": [{"id": f"n{i}", "type": "augment.horizontal_flip"} for i in range(10_000)]}, "nodes"),
        (chain(DATA, FLIP, MODEL, name="n" * MiB), "name"),
        ({**chain(DATA, FLIP, MODEL), "description": "d" * 10_000}, "description"),
        ({**chain(DATA, FLIP, MODEL), "tags": ["t"] * 1000}, "tags"),
        (chain(DATA, ("flip", "augment.horizontal_flip", {"p": "p" * 5000}), MODEL), "nodes.1.params"),
        (chain(DATA, ("flip", "augment.horizontal_flip", {"p": list(range(5000))}), MODEL), "nodes.1.params"),
        (
            {
                **chain(DATA, FLIP, MODEL),
                "edges": [{"id": "e" * 500, "source": "a", "source_port": "b", "target": "c", "target_port": "d"}],
            },
            "edges.0.id",
        ),
    ],
    ids=["10000-nodes", "1-mib-name", "long-description", "1000-tags", "long-param", "big-params", "long-edge-id"],
)
async def test_a_graph_over_its_size_limits_is_422_naming_the_field_and_never_stored(client, graph, field):
    project = await new_project(client)
    validated = await client.post("/api/workflows/validate", json={"graph": graph, "project_id": project["id"]})
    assert validated.status_code == 422 and field in _issue_fields(validated)
    created = await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": graph})
    assert created.status_code == 422 and field in _issue_fields(created)
    assert len(created.content) < 100_000  # not echoed back
    assert (await client.get(f"/api/projects/{project['id']}/workflows")).json() == []
    kept = await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": chain(DATA, FLIP, MODEL)})
    saved = await client.put(f"/api/workflows/{kept.json()['id']}", json={"graph": graph})
    assert saved.status_code == 422 and field in _issue_fields(saved)
    assert len(saved.content) < 100_000
    stored = (await client.get(f"/api/workflows/{kept.json()['id']}")).json()
    assert stored["graph"] == chain(DATA, FLIP, MODEL)  # the stored graph is left as it was


async def test_a_graph_at_the_node_limit_is_saved(client):
    project = await new_project(client)
    graph = {"nodes": [{"id": f"n{i}", "type": "augment.horizontal_flip"} for i in range(MAX_NODES)]}
    created = await client.post(f"/api/projects/{project['id']}/workflows", json={"graph": graph})
    assert created.status_code == 201 and len(created.json()["graph"]["nodes"]) == MAX_NODES
