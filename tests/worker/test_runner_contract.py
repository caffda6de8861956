"""The runner contract: every runner (tests/worker/runner_contract.py KIT_BUILDERS) behind the real run service, event
store and SQLite gives the same run lives: events stored in order with dense seqs, one `finished` at the end; a queued
run cancelled never starts; a running one cancelled ends `cancelled`; a worker killed, or silent past the heartbeat
timeout, ends its run `failed` with the reason; a server restart re-attaches the run or ends it `interrupted`.

Most tests read one shared scenario (runner_contract.py `lives`: five runs side by side). Beats keep healthy workers
alive: the runners' heartbeat timeout (10 s) is shorter than a cold worker's silent imports before `started` (7 s of
CPU each, three workers at once on 2 cores), so a worker whose beats were not sent or not counted would fail its run.
"""

import psutil
import pytest

from backend.runners.ray import NOT_THE_WORKERS
from backend.worker.heartbeat import no_heartbeat_reason
from tests.worker.runner_contract import (  # noqa: F401  (the fixtures)
    HEARTBEAT_TIMEOUT_S,
    Contract,
    Lives,
    contract_fixture,
    contract_settings_fixture,
    kit_name_fixture,
    lives_fixture,
    restart_contract_fixture,
    runner_kit_fixture,
)

pytestmark = pytest.mark.train

ORDER = ("queued", "started", "batch", "evaluation", "finished")


def test_a_run_streams_its_events_in_order_and_ends_with_one_finished(contract: Contract, lives: Lives):
    run = contract.run(lives.streamed)
    assert run.status == "succeeded", run.reason  # a beat taken for an event would have broken the pump: `failed`
    types = contract.types(lives.streamed)  # seqs dense from 0
    assert types[0] == "queued" and types[-1] == "finished" and types.count("finished") == 1
    assert types.count("started") == 1
    assert [types.index(kind) for kind in ORDER] == sorted(types.index(kind) for kind in ORDER)


def test_a_queued_run_cancelled_never_starts(contract: Contract, lives: Lives):
    run = contract.run(lives.cancelled_queued)
    types = contract.types(lives.cancelled_queued)
    assert run.status == "cancelled" and types[0] == "queued" and types[-1] == "finished"
    assert "started" not in types


def test_a_running_run_is_cancelled(contract: Contract, lives: Lives):
    run = contract.run(lives.cancelled_running)
    types = contract.types(lives.cancelled_running)
    assert run.status == "cancelled" and "started" in types and types[-1] == "finished"
    assert types.count("finished") == 1


def test_a_worker_killed_with_sigkill_fails_its_run_with_the_reason(contract: Contract, lives: Lives):
    run = contract.run(lives.killed)
    assert run.status == "failed" and "killed" in run.reason, run.reason
    assert contract.types(lives.killed).count("finished") == 1


async def test_a_worker_that_stops_beating_is_stopped_and_its_run_fails_with_the_reason(
    contract: Contract, lives: Lives
):
    run = contract.run(lives.silenced)
    assert run.status == "failed" and run.reason == no_heartbeat_reason(HEARTBEAT_TIMEOUT_S), run.reason
    assert HEARTBEAT_TIMEOUT_S - 1 < lives.silent_for_s < HEARTBEAT_TIMEOUT_S + 10, lives.silent_for_s
    await contract.wait_until(lambda: not _alive(lives.silenced_pid), "the silent worker is gone", timeout_s=10)


async def test_a_server_restart_reattaches_the_running_run_or_ends_it_interrupted(
    restart_contract: Contract, lives: Lives
):
    assert lives.status_while_stopped == "running"  # a server that stops leaves its runs to the next start
    run = restart_contract.run(lives.restarted)
    events = restart_contract.events(lives.restarted)  # seqs dense from 0 across the restart
    types = [e.type for e in events]
    assert types.count("finished") == 1 and types[-1] == "finished" and types.count("started") == 1
    if restart_contract.kit.after_restart == "interrupted":
        assert run.status == "interrupted" and len(types) == lives.stored_before_restart + 1
    else:  # each of the worker's events stored once, in order: what its job kept, read with the real SQL count
        assert run.status == "cancelled" and len(types) > lives.stored_before_restart + 2
        kept = restart_contract.kit.job_events
        await restart_contract.wait_until(lambda: kept(lives.restarted) is not None, "the job's events are read", 30)
        stored = [(e.type, e.ts, e.data) for e in events if e.type not in NOT_THE_WORKERS]
        assert stored == [(e.type, e.ts, e.data) for e in kept(lives.restarted)]


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
