"""Run-end webhooks over HTTP, with a real receiver on 127.0.0.1 started here: a run that ends is POSTed, signed as
docs/notifications.md says (checked with the docs' own snippet), retried after a 500, and a delivery still owed when
the server stops is sent by the next start. URLs that could turn the server against its own network are refused with
a 400 naming `url` (IPv6 forms that carry a refused IPv4 address too); only owners read the secret. A receiver that
trickles its answer costs one attempt of at most the timeout and holds no other project's delivery; DNS lookups that
never answer time out on threads of their own. The browsers' feed (`/ws/notifications`) gets the same run end."""

import asyncio
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlmodel import select

from backend.app import create_app
from backend.db.models import Project, Run, WebhookDelivery
from backend.db.session import make_engine, session_for, upgrade_database
from backend.events.models import Queued
from backend.events.store import EventStore
from backend.notifications.urls import Refused, resolve, split_url
from backend.settings import Settings
from tests.api.accounts import TestUser, add_user, auth_settings
from tests.conftest import TEST_CLIENT_HOSTS
from tests.fakes.runner import FakeRunner, event


def verify(secret: str, headers, body: bytes, max_age_s: int = 300) -> bool:  # as docs/notifications.md shows it
    timestamp = headers["X-Visionflow-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) < max_age_s
    return hmac.compare_digest(expected, headers["X-Visionflow-Signature"]) and fresh


class Receiver:
    """An HTTP server that answers each POST with the next of `answers` (the last one repeats) and keeps what came."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.received: list[tuple[dict[str, str], bytes, int]] = []  # headers, body, the status answered
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.answers[min(len(receiver.received), len(receiver.answers) - 1)]
                receiver.received.append((dict(self.headers), body, status))
                answer = b"x" * 10_000  # more than the server keeps of an answer
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/visionflow"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    async def until(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} POSTs came, not {count}"
            await asyncio.sleep(0.01)


async def settled_deliveries(client: AsyncTestClient, project_id: str, timeout: float = 5.0) -> list[dict]:
    """The project's deliveries once none is pending with its attempt under way (its result written)."""
    deadline = time.monotonic() + timeout
    while True:
        found = (await client.get(f"/api/projects/{project_id}/webhook/deliveries")).json()
        if all(d["status"] != "pending" for d in found):
            return found
        assert time.monotonic() < deadline, f"still pending: {found}"
        await asyncio.sleep(0.02)


class Trickler:
    """A receiver that answers 200 at once, then its body one byte every 50 ms: each read is quick, the whole answer
    would take minutes."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/slow"
        self.asked_at: float | None = None
        self.done = threading.Event()
        self.serving = threading.Thread(target=self._serve, daemon=True)
        self.serving.start()

    def _serve(self) -> None:
        with self.listener:
            while not self.done.is_set():
                try:
                    connection, _ = self.listener.accept()
                except TimeoutError:
                    continue
                threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            self.asked_at = time.monotonic()
            try:
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not self.done.wait(0.05):
                    connection.sendall(b"x")
            except OSError:  # the server gave up on it
                pass

    def close(self) -> None:
        self.done.set()
        self.serving.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver([200])
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def fast_settings(data_dir: Path) -> Settings:
    """Loopback allowed (the receiver is on it), retries 50 ms apart; no run starts on its own."""
    return Settings(
        data_dir=data_dir,
        allowed_hosts=TEST_CLIENT_HOSTS,
        auth=False,
        max_concurrent_runs=0,
        webhook_allow_private=True,
        webhook_retry_first_s=0.05,
        public_url="https://vf.example",
    )


def queued_run(settings: Settings) -> tuple[str, str]:
    """A project and a queued run in it, stored before the server starts (the server queues it, none starts)."""
    settings.ensure_dirs()
    engine = make_engine(settings.resolved_database_url)
    upgrade_database(engine)
    with session_for(engine) as session:
        project = Project(name="Birds")
        run = Run(project_id=project.id, workflow_name="w", name="Birds · YOLO11n", settings={}, spec={})
        run.metrics = {"accuracy": 0.9, "f1": 0.8, "images_per_s": 3.0}
        session.add_all([project, run])
        session.commit()
        ids = project.id, run.id
    EventStore(engine).append(ids[1], event(Queued(position=0)))
    engine.dispose()
    return ids


async def test_a_run_that_ends_is_posted_signed_and_retried_after_a_500(tmp_path: Path, receiver: Receiver):
    receiver.answers = [500, 200]
    settings = fast_settings(tmp_path / "data")
    project_id, run_id = queued_run(settings)
    async with AsyncTestClient(app=create_app(settings, runner=FakeRunner())) as client:
        hook = await client.put(f"/api/projects/{project_id}/webhook", json={"url": receiver.url})
        assert hook.status_code == 200, hook.text
        secret = hook.json()["secret"]
        with await client.websocket_connect("/ws/notifications") as feed:
            assert (await client.post(f"/api/runs/{run_id}/cancel")).status_code == 202
            notice = json.loads(feed.receive_text(timeout=5))
        await receiver.until(2)
        deliveries = await settled_deliveries(client, project_id)
    (first, body, status1), (second, body2, status2) = receiver.received
    assert (status1, status2) == (500, 200) and body2 == body
    assert verify(secret, first, body) and verify(secret, second, body)
    assert not verify("whsec_other", second, body)
    assert first["X-Visionflow-Delivery"] == second["X-Visionflow-Delivery"]
    assert first["X-Visionflow-Event"] == "run.finished"
    document = json.loads(body)
    assert document == notice
    assert {k: document[k] for k in ("run_id", "run_name", "status", "project", "link")} == {
        "run_id": run_id,
        "run_name": "Birds · YOLO11n",
        "status": "cancelled",
        "project": {"id": project_id, "name": "Birds"},
        "link": f"https://vf.example/projects/{project_id}/runs/{run_id}",
    }
    assert document["metrics"] == {"accuracy": 0.9, "f1": 0.8} and document["finished_at"]
    [delivery] = deliveries
    assert (delivery["status"], delivery["attempts"], delivery["last_http_status"]) == ("delivered", 2, 200)
    assert len(delivery["response_excerpt"]) <= 300


async def test_a_delivery_still_owed_when_the_server_stops_is_sent_by_the_next_start(
    tmp_path: Path, receiver: Receiver
):
    receiver.answers = [503]
    settings = fast_settings(tmp_path / "data").model_copy(update={"webhook_retry_first_s": 60.0})
    project_id, _ = queued_run(settings)
    async with AsyncTestClient(app=create_app(settings, runner=FakeRunner())) as client:
        secret = (await client.put(f"/api/projects/{project_id}/webhook", json={"url": receiver.url})).json()["secret"]
        test = await client.post(f"/api/projects/{project_id}/webhook/test")
        assert test.status_code == 202 and test.json()["status"] == "pending"
        await receiver.until(1)
        deadline = time.monotonic() + 5  # its result is written: pending again, one attempt
        while (await client.get(f"/api/projects/{project_id}/webhook/deliveries")).json()[0]["attempts"] < 1:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
    engine = make_engine(settings.resolved_database_url)
    with session_for(engine) as session:
        [owed] = session.exec(select(WebhookDelivery)).all()
        assert (owed.status, owed.attempts, owed.last_http_status) == ("pending", 1, 503)
        owed.next_attempt_ts = 0.0  # its retry is due now: the next start must send it (not wait a minute)
        session.add(owed)
        # and a run that ended after its `finished` was stored but before its delivery was written (a crash)
        ended = Run(project_id=project_id, workflow_name="w", name="Ended", settings={}, spec={}, status="succeeded")
        ended.finished_at = datetime.now(UTC)
        session.add(ended)
        session.commit()
    receiver.answers = [503, 200]
    async with AsyncTestClient(app=create_app(settings, runner=FakeRunner())) as client:
        await receiver.until(3)
        deliveries = await settled_deliveries(client, project_id)
    engine.dispose()
    sent = {json.loads(body)["event"]: (headers, body, status) for headers, body, status in receiver.received[1:]}
    assert sorted(sent) == ["run.finished", "test"]
    for headers, body, status in sent.values():
        assert status == 200 and verify(secret, headers, body)
    assert json.loads(sent["run.finished"][1])["run_name"] == "Ended"
    attempts = {d["event"]: (d["status"], d["attempts"]) for d in deliveries}
    assert attempts == {"test": ("delivered", 2), "run.finished": ("delivered", 1)}


async def test_a_receiver_that_trickles_its_answer_costs_one_timeout_and_holds_no_other_project(
    tmp_path: Path, receiver: Receiver
):
    trickler = Trickler()
    update = {"webhook_timeout_s": 1.5, "webhook_retry_first_s": 60.0}
    settings = fast_settings(tmp_path / "data").model_copy(update=update)
    try:
        async with AsyncTestClient(app=create_app(settings, runner=FakeRunner())) as client:
            slow, fast = [(await client.post("/api/projects", json={"name": n})).json()["id"] for n in ("Slow", "Fast")]
            for project, url in ((slow, trickler.url), (fast, receiver.url)):
                assert (await client.put(f"/api/projects/{project}/webhook", json={"url": url})).status_code == 200
            assert (await client.post(f"/api/projects/{slow}/webhook/test")).status_code == 202
            deadline = time.monotonic() + 5
            while trickler.asked_at is None:  # the slow attempt is under way
                assert time.monotonic() < deadline, "the trickling receiver was never asked"
                await asyncio.sleep(0.01)
            assert (await client.post(f"/api/projects/{fast}/webhook/test")).status_code == 202
            await receiver.until(1, timeout=1.0)  # while the slow answer still trickles
            assert time.monotonic() - trickler.asked_at < 1.5
            while not (found := (await client.get(f"/api/projects/{slow}/webhook/deliveries")).json())[0]["attempts"]:
                assert time.monotonic() < deadline, found
                await asyncio.sleep(0.02)
            ended_after = time.monotonic() - trickler.asked_at
            [delivery] = found
            assert (await settled_deliveries(client, fast))[0]["status"] == "delivered"
    finally:
        trickler.close()
    assert 1.2 < ended_after < 2.5, ended_after  # the whole attempt, not each read, is bounded by the timeout
    assert (delivery["status"], delivery["last_error"]) == ("pending", "No complete answer within 1.5 s.")


async def test_lookups_that_never_answer_time_out_and_leave_the_loops_threads_free(monkeypatch: pytest.MonkeyPatch):
    release, system_lookup = threading.Event(), socket.getaddrinfo

    def lookup(host: str, *args: object, **kwargs: object) -> object:
        if host.endswith(".stuck.example"):  # a DNS server that never answers
            release.wait(10)
            raise socket.gaierror("released")
        return system_lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    try:
        names = [split_url(f"https://h{i}.stuck.example/x") for i in range(40)]  # more than the default pool's threads
        lookups = asyncio.gather(
            *(resolve(n, allow_private=False, within_s=0.3) for n in names), return_exceptions=True
        )
        await asyncio.sleep(0.05)
        # the loop's default pool (the local runner pumps every run's events through it) is still free
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "free"), 0.2) == "free"
        failures = await asyncio.wait_for(lookups, 2)
    finally:
        release.set()
    assert all(isinstance(f, OSError) and "no answer within 0.3 s" in str(f) for f in failures), failures


BAD_URLS = [
    "ftp://hooks.example.com/x",
    "javascript:alert(1)",
    "hooks.example.com/x",
    "http://user:password@hooks.example.com/x",
    "http://:secret@hooks.example.com/x",
    "http://hooks.example.com:99999/x",
    "http://127.0.0.1:8000/api/users",
    "http://localhost/x",
    "http://[::1]/x",
    "http://10.1.2.3/x",
    "http://169.254.169.254/latest/meta-data",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/x",  # IPv4-mapped
    "http://[64:ff9b::a9fe:a9fe]/x",  # NAT64 of 169.254.169.254
    "http://[64:ff9b:1::a9fe:a9fe]/x",  # a local NAT64 prefix
    "http://[2002:7f00:1::1]/x",  # 6to4 of 127.0.0.1
    "http://[2001:0:a00:1:0:0:f5ff:fffe]/x",  # Teredo, its server 10.0.0.1
    "http://[::7f00:1]/x",  # IPv4-compatible 127.0.0.1
    "http://[::ffff:0:7f00:1]/x",  # IPv4-translated 127.0.0.1
    "http://hooks.example.com/a b",
]


@dataclass
class World:
    client: AsyncTestClient
    olive: TestUser  # owns the project
    anna: TestUser  # annotator
    bob: TestUser  # viewer
    eve: TestUser  # no member
    project: str


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """Accounts on, loopback and private addresses refused (the default)."""
    settings = auth_settings(tmp_path_factory.mktemp("webhooks") / "data")
    async with AsyncTestClient(app=create_app(settings, runner=FakeRunner())) as client:
        olive, anna, bob, eve = (add_user(settings, name) for name in ("olive", "anna", "bob", "eve"))
        project = (await client.post("/api/projects", json={"name": "Birds"}, headers=olive.headers)).json()["id"]
        for user, role in ((anna, "annotator"), (bob, "viewer")):
            added = await client.put(
                f"/api/projects/{project}/members/{user.id}", json={"role": role}, headers=olive.headers
            )
            assert added.status_code == 200, added.text
        yield World(client, olive, anna, bob, eve, project)


async def test_urls_the_server_does_not_send_to_are_refused_naming_the_field(world: World):
    url = f"/api/projects/{world.project}/webhook"
    for bad in BAD_URLS:
        answer = await world.client.put(url, json={"url": bad}, headers=world.olive.headers)
        assert answer.status_code == 400, bad
        assert answer.json()["extra"] == {"field": "url"} and answer.json()["detail"].startswith("url: "), bad
    assert (await world.client.get(url, headers=world.olive.headers)).json() is None
    ok = await world.client.put(url, json={"url": "https://hooks.example.com/x"}, headers=world.olive.headers)
    assert ok.status_code == 200 and ok.json()["secret"].startswith("whsec_")
    for public in ("http://[64:ff9b::808:808]/x", "http://[2002:808:808::1]/x"):  # carrying 8.8.8.8: allowed
        answer = await world.client.put(url, json={"url": public}, headers=world.olive.headers)
        assert answer.status_code == 200, (public, answer.text)
    # a name is checked on what it resolves to, at each attempt: one that leads to loopback is refused then
    with pytest.raises(Refused, match="resolves to 127.0.0.1"):
        await resolve(split_url("http://localhost:9/x"), allow_private=False)


async def test_only_owners_read_or_change_the_webhook_and_its_secret(world: World):
    client, olive, url = world.client, world.olive, f"/api/projects/{world.project}/webhook"
    first = (await client.put(url, json={"url": "https://hooks.example.com/y"}, headers=olive.headers)).json()
    for user in (world.anna, world.bob):
        for method, path in (("GET", ""), ("GET", "/deliveries"), ("POST", "/secret"), ("POST", "/test")):
            answer = await client.request(method, url + path, headers=user.headers)
            assert answer.status_code == 403, (user.name, method, path)
            assert first["secret"] not in answer.text
        answer = await client.put(url, json={"url": "https://evil.example.com/"}, headers=user.headers)
        assert answer.status_code == 403
    assert (await client.get(url, headers=world.eve.headers)).status_code == 404  # no member: no such project
    rotated = (await client.post(url + "/secret", headers=olive.headers)).json()
    assert rotated["secret"] != first["secret"] and rotated["url"] == "https://hooks.example.com/y"
    assert (await client.get(url, headers=olive.headers)).json()["secret"] == rotated["secret"]
