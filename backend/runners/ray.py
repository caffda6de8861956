"""Ray runner (`VISIONFLOW_RUNNER=ray`): each run trains in a named, detached actor on a Ray cluster (docs/cluster.md).

Why Ray rather than a scheduler of our own: it already places work on machines by CPUs and GPUs, queues what does not
fit, and lets a restarted server find its runs again by name. The actor (backend/runners/ray_actor.py) asks for the
run's share (one GPU when the run wants one, else CPUs only), starts the local runner's own worker process, and keeps
the worker's events in order; this side long-polls them by number and yields them, and the server's store gives each
its seq once. Several GPUs for one run are refused: Ultralytics' multi-GPU (DDP) launcher starts processes of its own,
which Ray neither places nor accounts for.

- An actor Ray cannot place yet (not enough free CPUs/GPUs) is said as a `waiting` event with the reason, once per
  change of reason, instead of a run that sits silently queued.
- Cancel: the worker's stop event (it stops after the batch), then `ray.kill` after the grace period.
- A silent worker (no event nor heartbeat for `heartbeat_timeout_s`, on the actor's clock), a worker that exits
  without `finished` and a dead actor each end the run `failed` with the reason; no retries (max_restarts=0).
- After a server restart `reattach` finds the actor by name, placed or still waiting for Ray (the service offers it
  its queued runs too: an actor may exist before the worker's `started`); `events(after=last stored seq)` goes on
  from the worker's next event. The store's seq also counts events that are not the worker's (the service's
  `queued`, this runner's `waiting`), so where to go on is the number of the worker's events already stored
  (`count_job_events`); `submit` starts there too, should `get_if_exists` find an actor of an earlier server.
  "No such actor" (Ray's ValueError) and "cannot tell" (the cluster does not answer) differ: the latter is asked
  again a few times, then the actor is killed by name (best effort) and `JobLost` says so, so that no run trains on
  unseen. `forget` kills the actor of a run cancelled while it waited in the server's queue, for the same reason.
- Actors outlive the server on purpose; the one this server owns is killed once its `finished` has been handed over.
- Ray's blocking calls (names, cluster state, actor creation, kills) go through one thread of the runner's own.

Ray is imported only when this runner is chosen (`pip install -e '.[ray]'`): the default server never loads it.
"""

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

import ray
from ray.exceptions import ActorUnavailableError, RayActorError, RayError

from backend.events.models import Finished, Waiting, WorkerEvent
from backend.graph.spec import TrainingJobSpec
from backend.runners.base import JobHandle, JobLost
from backend.runners.ray_actor import RunActor
from backend.runners.ray_share import PLACED, RunResources, ended_without_finish, run_resources, waiting_reason
from backend.storage import Storage
from backend.worker.heartbeat import no_heartbeat_reason

log = logging.getLogger(__name__)

NAMESPACE = "visionflow"
NOT_THE_WORKERS = ("queued", "waiting")  # event types the server and the runner write themselves
LOCAL_OBJECT_STORE_BYTES = 80 * 1024**2  # events are small: Ray's default (30 % of RAM) would only reserve memory
PENDING_CHECK_S = 1.0  # how often a run not placed yet looks at the cluster for its waiting reason
ACTOR_CALL_TIMEOUT_S = 20.0  # reattach's ping and cancel's stop request, to an actor that should answer at once
REATTACH_TRIES = 3  # a cluster that does not answer at the server's start is asked this many times, RETRY_S apart
REATTACH_RETRY_S = 2.0
STORE_END = 2**62  # "through the last stored seq", for count_job_events
PENDING_STATES = ("PENDING_CREATION", "DEPENDENCIES_UNREADY")  # Ray's states of an actor it has not placed
RemoteRunActor = ray.remote(RunActor)
CountJobEvents = Callable[[str, int], int]  # (run id, through seq) → how many of the worker's events are stored


def actor_name(run_id: str) -> str:
    return f"visionflow-run-{run_id}"


def job_event_counter(engine: Any) -> CountJobEvents:
    """`count_job_events` reading the server's event store: stored events through `seq` that the worker sent."""
    from sqlalchemy import func
    from sqlmodel import select

    from backend.db.models import RunEvent
    from backend.db.session import session_for

    def count(run_id: str, through_seq: int) -> int:
        with session_for(engine) as session:
            query = select(func.count()).where(
                RunEvent.run_id == run_id, RunEvent.seq <= through_seq, RunEvent.type.not_in(NOT_THE_WORKERS)
            )
            return int(session.exec(query).one())

    return count


def connect(address: str | None, temp_dir: Path) -> bool:
    """Join the cluster at `address`, or start a local Ray when there is none; True when this call started Ray here.
    A process already connected (a test that started its own Ray) is left as it is."""
    if ray.is_initialized():
        return False
    quiet = {"namespace": NAMESPACE, "logging_level": logging.WARNING, "log_to_driver": False}
    if address:
        _token_auth_when_a_token_is_here()
        ray.init(address=address, **quiet)
        return False
    temp_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # a self-hosted server reports nothing to Ray's makers
    ray.init(
        object_store_memory=LOCAL_OBJECT_STORE_BYTES,
        include_dashboard=False,
        _temp_dir=str(temp_dir.resolve()),
        **quiet,
    )
    return True


def _token_auth_when_a_token_is_here() -> None:
    """A cluster started by `ray start` (Ray 2.60) wants its token, and a driver joining it by address does not send one
    unless RAY_AUTH_MODE=token: with the head's token on this machine (~/.ray/auth_token or RAY_AUTH_TOKEN), turn that
    on, as `ray start` itself does. Ray's own helper; an explicit RAY_AUTH_MODE is respected."""
    try:
        from ray._private.authentication.authentication_token_setup import (
            maybe_enable_token_auth_if_token_available,
        )
    except ImportError:  # another Ray: its own rules apply
        return
    maybe_enable_token_auth_if_token_available(warn_if_disabled=False)


class RayRunner:
    def __init__(
        self,
        config_dir: Path,
        storage: Storage,
        count_job_events: CountJobEvents,
        address: str | None = None,
        temp_dir: Path | None = None,
        heartbeat_interval_s: float = 5.0,
        heartbeat_timeout_s: float = 30.0,
    ) -> None:
        self._config_dir = str(config_dir)
        self._storage = storage.description()
        self._count_job_events = count_job_events
        self._address = address
        self._temp_dir = temp_dir or Path("/tmp/visionflow-ray")
        self._heartbeat_interval_s = heartbeat_interval_s
        self._heartbeat_timeout_s = heartbeat_timeout_s
        self._poll_wait_s = min(1.0, heartbeat_timeout_s / 4)
        self._connecting = asyncio.Lock()
        self._started_ray = False
        self._unanswered = False  # a reattach found the cluster silent: the next ones ask it once
        # Ray's blocking calls to its control store (cluster state, names), on one thread of their own: many runs
        # waiting at once must not fill the loop's default pool, which the run service's database work needs
        self._ray_calls = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ray-calls")

    @classmethod
    def from_settings(cls, settings: Any, storage: Storage, engine: Any, config_dir: Path | None = None) -> "RayRunner":
        """As the app builds it; `config_dir`: the workers' offline configuration (default: the data dir's)."""
        # Ray's sockets live under its temp dir and a socket path must stay under 108 bytes: a deep data dir gets a
        # short folder in /tmp instead
        temp_dir = settings.data_dir.resolve() / "tmp" / "ray"
        if len(str(temp_dir)) > 40:
            temp_dir = Path("/tmp") / f"visionflow-ray-{hashlib.sha256(str(temp_dir).encode()).hexdigest()[:8]}"
        return cls(
            config_dir or settings.worker_config_dir,
            storage,
            job_event_counter(engine),
            address=settings.ray_address,
            temp_dir=temp_dir,
            heartbeat_interval_s=settings.heartbeat_interval_s,
            heartbeat_timeout_s=settings.heartbeat_timeout_s,
        )

    async def _connect(self) -> None:
        async with self._connecting:
            if not ray.is_initialized():
                self._started_ray = await asyncio.to_thread(connect, self._address, self._temp_dir)

    async def submit(self, run_id: str, spec: TrainingJobSpec) -> JobHandle:
        await self._connect()
        cluster = await self._call(ray.cluster_resources)
        resources = run_resources(spec, cluster.get("GPU", 0), await self._call(_largest_node_cpus))
        overrides = {**spec.overrides, "device": resources.device, "workers": resources.workers}
        if overrides != spec.overrides:
            spec = spec.model_copy(update={"overrides": overrides})
        # an actor of an earlier server that get_if_exists finds has sent what the store holds already: read on after
        stored = await asyncio.to_thread(self._count_job_events, run_id, STORE_END)
        actor = await self._call(self._new_actor, run_id, spec, resources)
        return JobHandle(run_id=run_id, state={"actor": actor, "resources": resources, "next": stored})

    def _new_actor(self, run_id: str, spec: TrainingJobSpec, resources: RunResources) -> Any:
        """On the Ray-call thread: with get_if_exists, creating the actor asks the cluster for its name first."""
        return RemoteRunActor.options(
            name=actor_name(run_id),
            namespace=NAMESPACE,
            lifetime="detached",  # it trains on while the server restarts
            get_if_exists=True,  # a run queued again after a restart finds the actor it had
            num_cpus=resources.num_cpus,
            num_gpus=resources.num_gpus,
            max_restarts=0,  # no automatic retries: resume is explicit
            max_task_retries=0,
            max_concurrency=4,  # a long poll, a cancel and a ping at once
        ).remote(run_id, spec.model_dump_json(), self._storage, self._config_dir, self._heartbeat_interval_s)

    async def reattach(self, handle: JobHandle) -> bool:
        """True when the run's actor exists, placed (it answers) or still waiting for Ray to place it; False when
        there is none (it ended, or was never made) or it died. A cluster that cannot say is asked REATTACH_TRIES
        times (once, after it has not answered for another run); then the actor is killed by name, as far as that
        goes, and JobLost says what happened. A local Ray is started only by a server: none holds an earlier one's."""
        if not ray.is_initialized() and not self._address:
            return False
        doubt = ""
        for attempt in range(1 if self._unanswered else REATTACH_TRIES):
            if attempt:
                await asyncio.sleep(REATTACH_RETRY_S)
            try:
                await self._connect()
                actor = await self._call(ray.get_actor, actor_name(handle.run_id), NAMESPACE)
                state = await self._call(_actor_state, actor)
                self._unanswered = False
                if state == "DEAD":
                    return False
                if state in PENDING_STATES:  # not placed yet: nothing to ping, its events come once it is
                    handle.state.update(actor=actor, next=0, placed=False, waited=True)
                    return True
                await asyncio.wait_for(_answer(actor.worker_pid.remote()), ACTOR_CALL_TIMEOUT_S)
            except ValueError:  # Ray has no actor of that name
                return False
            except ActorUnavailableError as error:  # alive, perhaps, but out of reach for now
                doubt = _first_line(error)
                continue
            except RayActorError:  # it died (with its node)
                return False
            except Exception as error:  # noqa: BLE001  (the cluster does not answer: cannot tell)
                doubt = _first_line(error)
                continue
            handle.state.update(actor=actor, next=0, placed=True)
            return True
        self._unanswered = True
        stopped = await self._kill_named(handle.run_id)
        log.warning("run %s: Ray could not say whether its actor runs (%s); killed: %s", handle.run_id, doubt, stopped)
        what = "it was stopped" if stopped else "stopping it failed too, so it may train on until it ends"
        raise JobLost(f"The server restarted and could not reach this run's Ray actor ({doubt}): {what}.")

    async def forget(self, run_id: str) -> None:
        """A run cancelled while it waited in the server's queue: no actor of its name may train (one an earlier
        server started may be left). A local Ray this server has not started yet holds none. Never raises."""
        if ray.is_initialized() or self._address:
            try:
                await self._connect()
                await self._kill_named(run_id)
            except Exception:
                log.warning("could not make sure run %s has no Ray actor", run_id, exc_info=True)

    async def _kill_named(self, run_id: str) -> bool:
        """Kill the run's actor if there is one; True when none is left, as far as Ray says."""
        try:
            return await asyncio.wait_for(self._call(_kill_by_name, actor_name(run_id)), ACTOR_CALL_TIMEOUT_S)
        except Exception:  # noqa: BLE001  (best effort)
            return False

    async def events(self, handle: JobHandle, after: int = -1) -> AsyncIterator[WorkerEvent]:
        """The worker's events from the actor, in order; `after` ≥ 0 (a reattached run): the worker's events the
        store holds through that seq are skipped. Always ends with one `finished`."""
        actor = handle.state["actor"]
        index = handle.state["next"] - 1  # the last of the worker's events handed over
        if after >= 0:
            index = await asyncio.to_thread(self._count_job_events, handle.run_id, after) - 1
        said = ""
        waited = handle.state.pop("waited", False)  # a waiting reason may be on the run page: replaced once placed
        over = False
        try:
            while True:
                poll = asyncio.ensure_future(_answer(actor.events_after.remote(index, self._poll_wait_s)))
                while not handle.state.get("placed"):
                    if (await asyncio.wait({poll}, timeout=PENDING_CHECK_S))[0]:
                        break
                    reason = await self._call(_pending_reason, handle)
                    if reason and reason != said:
                        said, waited = reason, True
                        log.info("run %s: %s", handle.run_id, reason)
                        yield WorkerEvent.of(Waiting(reason=reason), time.time())
                try:
                    answer = await asyncio.wait_for(poll, self._poll_wait_s + self._heartbeat_timeout_s)
                except TimeoutError:  # the actor itself does not answer: as silent as a worker that stopped beating
                    over = True
                    yield WorkerEvent.of(Finished(status="failed", reason=self._no_heartbeat()), time.time())
                    return
                except RayError as error:
                    over = True
                    yield WorkerEvent.of(_actor_lost(handle, error), time.time())
                    return
                handle.state.update(placed=True, heard=answer["heard"])
                if waited:
                    waited = False
                    yield WorkerEvent.of(Waiting(reason=PLACED), time.time())
                for offset, text in enumerate(answer["events"]):
                    event = WorkerEvent.model_validate_json(text)
                    index = answer["first"] + offset
                    handle.state["next"] = index + 1
                    over = event.type == "finished"
                    yield event
                    if over:
                        return
                if answer["done"]:
                    over = True
                    yield WorkerEvent.of(ended_without_finish(handle, answer), time.time())
                    return
                if answer["silent_s"] > self._heartbeat_timeout_s:
                    over = True
                    yield WorkerEvent.of(Finished(status="failed", reason=self._no_heartbeat()), time.time())
                    return
        finally:
            if over:  # its `finished` is handed over: the actor's CPUs/GPUs go back to the cluster
                self._release(handle)

    def _release(self, handle: JobHandle) -> None:
        """Kill the run's actor on the Ray-call thread, not waited for (also from a generator being closed)."""
        self._ray_calls.submit(_kill, handle.state["actor"])

    def _call(self, function: Callable[..., Any], *args: Any) -> "asyncio.Future[Any]":
        return asyncio.get_running_loop().run_in_executor(self._ray_calls, function, *args)

    def _no_heartbeat(self) -> str:
        return no_heartbeat_reason(self._heartbeat_timeout_s)

    async def cancel(self, handle: JobHandle, grace_s: float = 10) -> None:
        """The worker's stop event, then `ray.kill` when it has not ended within `grace_s`. An actor Ray has not
        placed yet has nothing to stop: it is killed at once."""
        handle.cancel_requested = True
        actor = handle.state["actor"]
        stopped = False
        if handle.state.get("placed"):
            try:
                stopped = await asyncio.wait_for(
                    _answer(actor.stop_and_wait.remote(grace_s)), grace_s + ACTOR_CALL_TIMEOUT_S
                )
            except (RayError, TimeoutError):
                stopped = False
        if not stopped:
            await self._call(_kill, actor)

    async def shutdown(self) -> None:
        """Actors train on (a restarted server re-attaches them); a local Ray this server started goes with it."""
        if self._started_ray:
            await self._call(ray.shutdown)
            self._started_ray = False


def _answer(ref: Any) -> "asyncio.Future[Any]":
    return asyncio.wrap_future(ref.future())


def _kill(actor: Any) -> None:
    try:
        ray.kill(actor, no_restart=True)
    except (RayError, ValueError):
        log.warning("could not kill a run's actor; Ray may already have removed it", exc_info=True)


def _largest_node_cpus() -> float:
    return max((node["Resources"].get("CPU", 0) for node in ray.nodes() if node.get("Alive")), default=0)


def _kill_by_name(name: str) -> bool:
    with suppress(ValueError):  # none of that name
        ray.kill(ray.get_actor(name, namespace=NAMESPACE), no_restart=True)
    return True


def _actor_state(actor: Any) -> str:
    """Ray's state of the actor ("ALIVE", "PENDING_CREATION", "DEAD", …); "" when Ray's record does not say. One
    starting its process (it has a pid) counts as "ALIVE": it holds its resources, and answers once it runs."""
    try:
        from ray._private.state import actors  # Ray's own record (its public state API needs a dashboard)

        record = actors(actor._actor_id.hex())
    except Exception:  # an internal API: without it, the caller judges otherwise
        log.debug("no actor state from Ray", exc_info=True)
        return ""
    state = str(record.get("State") or "")
    return "ALIVE" if state in PENDING_STATES and record.get("Pid") else state


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _pending_reason(handle: JobHandle) -> str:
    """The waiting reason of a run whose actor Ray has not placed, "" when it is placed (its process may still be
    starting: then it already holds its CPUs/GPUs, and the free count alone would blame the run for its own share)."""
    state = _actor_state(handle.state["actor"])
    if state and state not in PENDING_STATES:  # without a state, judge by the free resources alone
        return ""
    if (resources := handle.state.get("resources")) is None:  # re-attached: the run's share is the earlier server's
        return ""
    return waiting_reason(resources, ray.available_resources(), ray.cluster_resources())


def _actor_lost(handle: JobHandle, error: RayError) -> Finished:
    if handle.cancel_requested:
        placed = handle.state.get("placed")
        reason = "Cancelled; the worker was stopped." if placed else "Cancelled before it started."
        return Finished(status="cancelled", reason=reason)
    return Finished(status="failed", reason=f"The Ray actor of this run died: {_first_line(error)}")
