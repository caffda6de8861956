"""Worker heartbeats (backend/worker/heartbeat.py): the beat thread keeps beating while the main thread is busy, the
beats and the events share one channel without their bytes ever interleaving, a beat is told from an event, and the
local runner stops a worker that goes silent. The runner contract suite (test_runner_contract.py) does the same with
real workers."""

import asyncio
import multiprocessing
import threading
import time

from backend.events.models import Log, WorkerEvent
from backend.runners.base import JobHandle
from backend.runners.local import LocalRunner
from backend.storage import LocalStorage
from backend.worker.heartbeat import Heartbeat, LockedSender, heartbeat_message, is_heartbeat, no_heartbeat_reason


def test_a_beat_is_told_from_an_event():
    assert is_heartbeat(heartbeat_message(time.time()))
    assert not is_heartbeat(
        WorkerEvent.of(Log(level="info", message='{"heartbeat": 1}'), time.time()).model_dump_json()
    )
    assert not is_heartbeat("warm-ready") and not is_heartbeat(b'{"heartbeat": 1}')
    assert no_heartbeat_reason(30.0) == "The worker stopped responding (no heartbeat for 30 s); it was stopped."


def test_the_beat_thread_beats_while_the_main_thread_is_busy():
    beats: list[float] = []
    heartbeat = Heartbeat(lambda message: beats.append(time.monotonic()), interval_s=0.05).start()
    busy_until = time.monotonic() + 0.6
    while time.monotonic() < busy_until:  # pure Python, as a long batch's bookkeeping: it never sleeps
        sum(range(1000))
    heartbeat.stop()
    assert len(beats) >= 4, beats
    assert max(b - a for a, b in zip(beats, beats[1:], strict=False)) < 0.4


def test_beats_and_large_events_never_interleave_on_the_pipe():
    receive, send = multiprocessing.Pipe(duplex=False)
    locked = LockedSender(send.send)
    event = "x" * 100_000  # over the size a Connection writes in one call: header and body go separately
    received: list[str] = []

    def read() -> None:
        while received.count(event) < 200:
            received.append(receive.recv())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    heartbeat = Heartbeat(locked, interval_s=0.0005).start()
    sender = threading.Thread(target=lambda: [locked(event) for _ in range(200)], daemon=True)
    sender.start()
    reader.join(20)  # interleaved bytes would leave it waiting for a message that never completes
    heartbeat.stop()

    assert received.count(event) == 200
    assert all(message == event or is_heartbeat(message) for message in received)
    assert any(is_heartbeat(message) for message in received)


def _beat_then_hang(conn) -> None:
    for _ in range(3):
        conn.send(heartbeat_message(time.time()))
        time.sleep(0.05)
    time.sleep(60)  # alive, its pipe open, silent: stopped, deadlocked or swapping


def test_the_local_runner_kills_a_worker_that_stops_beating_and_fails_its_run(tmp_path):
    context = multiprocessing.get_context("fork")  # a child that needs none of our imports
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_beat_then_hang, args=(send,), daemon=True)
    process.start()
    send.close()
    runner = LocalRunner(tmp_path, LocalStorage(tmp_path), heartbeat_interval_s=0.05, heartbeat_timeout_s=0.5)
    handle = JobHandle(run_id="r", state={"process": process, "conn": receive, "stop": None, "training": True})
    runner._training = 1

    async def read() -> list[WorkerEvent]:
        return [event async for event in runner.events(handle)]

    started = time.monotonic()
    events = asyncio.run(read())

    assert time.monotonic() - started < 5
    assert [event.type for event in events] == ["finished"]  # the beats are no events
    assert events[0].data.status == "failed" and events[0].data.reason == no_heartbeat_reason(0.5)
    process.join(5)
    assert not process.is_alive()
