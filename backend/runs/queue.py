"""The run queue's rules, apart from the service that acts on them, so they are read and tested in one place: which
waiting runs start now under the global and per-project limits, and each waiting run's place and why it waits.

Pure: the run service (backend/runs/service.py) holds the state (the waiting runs in `queue_order`, the runs holding
a slot) and calls `plan` after every change. A run whose project is at its limit waits while later runs of other
projects start; a run moved to the front gets an order below every waiting run's (`front_order`).
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

STARTING = "Starting…"  # the runner has the run and said nothing yet


@dataclass(frozen=True, order=True)
class QueuedRun:
    """A run waiting for a slot; runs sort by (`order`, `run_id`): lower starts first."""

    order: int
    run_id: str
    project_id: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Place:
    """`position`: 1 is the next to start (counting every waiting run, of every project); `reason`: why it waits."""

    position: int
    reason: str


@dataclass(frozen=True)
class Plan:
    """`starts`: the runs to start now, in order; `places`: where each run left waiting stands once they have."""

    starts: list[QueuedRun]
    places: dict[str, Place]


def runs(count: int) -> str:
    return f"{count} run{'' if count == 1 else 's'}"


def plan(
    waiting: Iterable[QueuedRun],
    holding: Mapping[str, str | None],
    limit: int,
    per_project: int | None = None,
    may_start: bool = True,
) -> Plan:
    """`holding`: run id → project id of the runs that hold a slot (training, or handed to the runner). Walks the
    waiting runs in order and starts each one that fits both limits; one whose project is full is skipped (it keeps
    its place), so a later run of another project may start. `may_start`: False while the server stops."""
    busy = Counter(holding.values())
    training = len(holding)
    starts: list[QueuedRun] = []
    left: list[QueuedRun] = []
    for run in sorted(waiting):
        project_full = per_project is not None and busy[run.project_id] >= per_project
        if may_start and training < limit and not project_full:
            starts.append(run)
            busy[run.project_id] += 1
            training += 1
        else:
            left.append(run)
    return Plan(starts=starts, places=places_of(left, busy, training, limit, per_project))


def places_of(
    left: Sequence[QueuedRun], busy: Mapping[str | None, int], training: int, limit: int, per_project: int | None
) -> dict[str, Place]:
    """Each waiting run's position and reason: its project's limit when that is what holds it, else the runs ahead
    of it that compete for the next free slot (those whose project is not full), else the global limit."""
    places: dict[str, Place] = {}
    competing = 0  # waiting runs ahead that will take a global slot before this one
    for position, run in enumerate(left, 1):
        in_project = busy.get(run.project_id, 0)
        if per_project is not None and in_project >= per_project:
            reason = (
                f"Waiting for a free slot in its project: {runs(in_project)} of this project training, "
                f"limit {per_project} per project."
            )
        elif competing:
            reason = f"{runs(competing)} ahead; {runs(training)} training, limit {limit}."
            competing += 1
        elif training >= limit:
            reason = f"Waiting for a free slot: {runs(training)} training, limit {limit}."
            competing += 1
        else:
            reason = STARTING  # fits: the server is about to start it (or is stopping)
        places[run.run_id] = Place(position=position, reason=reason)
    return places


def waiting_reason(place: Place | None, status: str, runner_reason: str) -> str | None:
    """Why a queued run has not started: its place's reason while it waits for a slot, else (the runner has it) the
    runner's own from a `waiting` event, or STARTING; None for a run that is not queued."""
    if status != "queued":
        return None
    return place.reason if place is not None else runner_reason or STARTING


def front_order(waiting: Sequence[QueuedRun], run_id: str) -> int | None:
    """The order that puts `run_id` before every other waiting run; None when it is first already."""
    others = [run.order for run in waiting if run.run_id != run_id]
    mine = next((run.order for run in waiting if run.run_id == run_id), None)
    if mine is None:
        raise KeyError(run_id)
    if not others or mine < min(others):
        return None
    return min(others) - 1
