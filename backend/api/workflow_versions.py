"""A workflow's versions (backend/workflows/versions.py): list them, open one, name one, restore one. Reading needs a
viewer of the workflow's project; naming and restoring an owner (backend/api/access.py). A version is addressed by
its id under its workflow, as a run names it (`RunRead.workflow_version_id`)."""

from litestar import Controller, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Body, Parameter
from sqlmodel import col, select

from backend.api.access import Access
from backend.api.documented import errors
from backend.api.paging import MAX_OFFSET, limit_parameter
from backend.api.schemas import WorkflowRead
from backend.api.workflow_schemas import VersionName, WorkflowVersionRead, WorkflowVersionSummary
from backend.api.workflows import with_name, workflow_read
from backend.catalogue import Catalogue
from backend.db.models import User, Workflow, WorkflowVersion
from backend.settings import Settings
from backend.workflows.versions import save_graph

# what a listed version shows, read without its graph
SUMMARY_COLUMNS = ("id", "workflow_id", "number", "name", "node_count", "edge_count", "created_at", "created_by")


def version_in(access: Access, workflow_id: str, version_id: str) -> tuple[Workflow, WorkflowVersion]:
    """The workflow (through access) and its version; 404 for a version of another workflow, as for a missing one."""
    workflow = access.workflow(workflow_id)
    version = access.session.get(WorkflowVersion, version_id)
    if version is None or version.workflow_id != workflow.id:
        raise NotFoundException(detail=f"There is no version {version_id!r} of workflow {workflow_id!r}.")
    return workflow, version


def _summary_fields(access: Access, version: WorkflowVersion) -> dict[str, object]:
    user = access.session.get(User, version.created_by) if version.created_by else None
    fields = version.model_dump(exclude={"graph"})
    return {**fields, "created_by_name": user.name if user else None}


class WorkflowVersionController(Controller):
    tags = ["workflows"]

    @get("/api/workflows/{workflow_id:str}/versions", sync_to_thread=True, responses=errors(404))
    def list_workflow_versions(
        self,
        access: Access,
        workflow_id: str,
        limit: int = limit_parameter(),
        before: int | None = Parameter(
            default=None,
            ge=1,
            le=MAX_OFFSET,
            description="Only versions numbered below this one (the next page: the last number listed).",
        ),
    ) -> list[WorkflowVersionSummary]:
        """Newest first, without their graphs (their node and edge counts instead)."""
        workflow = access.workflow(workflow_id)
        columns = [getattr(WorkflowVersion, name) for name in SUMMARY_COLUMNS]
        query = (
            select(*columns, col(User.name).label("created_by_name"))
            .join(User, col(User.id) == col(WorkflowVersion.created_by), isouter=True)
            .where(WorkflowVersion.workflow_id == workflow.id)
        )
        if before is not None:
            query = query.where(WorkflowVersion.number < before)
        rows = access.session.exec(query.order_by(col(WorkflowVersion.number).desc()).limit(limit)).all()
        return [WorkflowVersionSummary.model_validate(dict(row._mapping)) for row in rows]

    @get("/api/workflows/{workflow_id:str}/versions/{version_id:str}", sync_to_thread=True, responses=errors(404))
    def get_workflow_version(self, access: Access, workflow_id: str, version_id: str) -> WorkflowVersionRead:
        """The version with its graph, to open read-only or compare."""
        _, version = version_in(access, workflow_id, version_id)
        return WorkflowVersionRead(**_summary_fields(access, version), graph=version.graph)

    @patch("/api/workflows/{workflow_id:str}/versions/{version_id:str}", sync_to_thread=True, responses=errors(404))
    def name_workflow_version(
        self, access: Access, workflow_id: str, version_id: str, data: VersionName = Body()
    ) -> WorkflowVersionSummary:
        _, version = version_in(access, workflow_id, version_id)
        version.name = data.name or None
        access.session.add(version)
        access.session.commit()
        return WorkflowVersionSummary(**_summary_fields(access, version))

    @post(
        "/api/workflows/{workflow_id:str}/versions/{version_id:str}/restore",
        status_code=200,
        sync_to_thread=True,
        responses=errors(404),
    )
    def restore_workflow_version(
        self, access: Access, catalogue: Catalogue, settings: Settings, workflow_id: str, version_id: str
    ) -> WorkflowRead:
        """The version's graph becomes the workflow's current graph, itself a new version (none when it is the
        current graph already); the workflow keeps its name. Earlier versions stay as they were."""
        workflow, version = version_in(access, workflow_id, version_id)
        save_graph(access.session, workflow, with_name(version.graph, workflow.name), access.caller.user_id)
        access.session.commit()
        return workflow_read(access, catalogue, settings, workflow)
