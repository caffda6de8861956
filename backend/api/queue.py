"""The run queue people can see: every run training or waiting that the caller may reach, in the order they hold
or will get a slot, each waiting one with its place and why it waits (rules: backend/runs/queue.py). Moving a run
to the front and cancelling it are run routes (backend/api/runs.py)."""

from litestar import Controller, get
from litestar.params import Parameter
from sqlalchemy.orm import defer
from sqlmodel import select

from backend.api.access import Access
from backend.api.documented import errors
from backend.api.runs import LINEAGE_KEYS, run_read
from backend.api.schemas import QueueRead, RunRead
from backend.db.models import Run, WorkflowVersion
from backend.runs.service import RunService
from backend.settings import Settings

UNDER_WAY = ("queued", "running")


def queue_rank(run: RunRead) -> tuple[int, float | int, str]:
    """Runs holding a slot first (by when they started or were queued), then the waiting ones by position."""
    if run.queue_position is None:
        return 0, (run.started_at or run.created_at).timestamp(), run.id
    return 1, run.queue_position, run.id


class QueueController(Controller):
    tags = ["runs"]

    @get("/api/queue", sync_to_thread=True, responses=errors(404))
    def queue(
        self,
        access: Access,
        runs: RunService,
        settings: Settings,
        project_id: str | None = Parameter(default=None, description="Only this project's runs (404: none you see)."),
    ) -> QueueRead:
        """Positions count every waiting run, so a run may stand behind runs of projects the caller cannot see."""
        keys = [Run.spec[key].as_string() for key in LINEAGE_KEYS]
        query = (
            select(Run, WorkflowVersion.number, *keys)
            .outerjoin(WorkflowVersion, WorkflowVersion.id == Run.workflow_version_id)
            .options(defer(Run.spec))
            .where(Run.status.in_(UNDER_WAY))
        )
        if project_id is not None:
            query = query.where(Run.project_id == access.project(project_id).id)
        elif not access.caller.is_admin:  # an administrator also sees runs of no project (the command line's)
            # as every route sees them: role_in also drops a member row whose role is none the server knows
            mine = [project.id for project in access.projects() if access.role_in(project.id) is not None]
            query = query.where(Run.project_id.in_(mine))
        found = [run_read(run, tuple(lineage), number, runs) for run, number, *lineage in access.session.exec(query)]
        return QueueRead(
            runs=sorted(found, key=queue_rank),
            max_concurrent_runs=settings.max_concurrent_runs,
            max_concurrent_runs_per_project=settings.max_concurrent_runs_per_project,
        )
