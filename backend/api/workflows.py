"""Workflows: save (always, issues returned with it), load, validate, and create from a template."""

from typing import Any

from litestar import Controller, delete, get, post, put
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body
from litestar.response import Response
from pydantic import ValidationError
from sqlmodel import select

from backend.api.access import Access
from backend.api.documented import errors
from backend.api.recommendations import project_summary
from backend.api.schemas import FromTemplate, ValidateRequest, ValidateResponse, WorkflowRead, WorkflowWrite
from backend.catalogue import Catalogue
from backend.datasets.image_facts import project_image_facts
from backend.datasets.library import project_facts
from backend.db.models import Project, Workflow, now
from backend.graph.issues import Code, Issue
from backend.graph.schema import SIZE_ERROR_TYPES, Graph
from backend.graph.validate import Validation, ValidationContext, validate_document
from backend.settings import Settings
from backend.templates import instantiate, load_templates, template_fits
from nodes.base import DatasetParams


def project_context(access: Access, settings: Settings, project: Project | None) -> ValidationContext:
    """What validation knows about the project: its classes, and its labelled images for the dataset checks."""
    if project is None:
        return ValidationContext()
    return ValidationContext(
        project=project_facts(access.session, project),
        images=project_image_facts(access.session, settings, project.id),
    )


def check(access: Access, catalogue: Catalogue, settings: Settings, graph: Any, project: Project | None) -> Validation:
    return validate_document(graph, catalogue, project_context(access, settings, project))


def dataset_params_of(catalogue: Catalogue, workflow: Workflow | None) -> DatasetParams | None:
    """The parsed parameters of the workflow's dataset node (None without a workflow); 400 when the workflow has
    errors, since then it splits nothing."""
    if workflow is None:
        return None
    validation = validate_document(workflow.graph, catalogue)
    if validation.valid is None:
        first = next(issue for issue in validation.issues if issue.severity == "error")
        raise ClientException(
            detail=f"Workflow {workflow.name!r} has errors, so it splits no images: {first.message}",
            extra={"field": "workflow_id"},
        )
    return validation.valid.dataset_params


def workflow_read(
    access: Access,
    catalogue: Catalogue,
    settings: Settings,
    workflow: Workflow,
    context: ValidationContext | None = None,
) -> WorkflowRead:
    """The workflow with its issues; pass `context` when reading several workflows of one project."""
    context = context or project_context(access, settings, access.project(workflow.project_id))
    validation = validate_document(workflow.graph, catalogue, context)
    return WorkflowRead(**workflow.model_dump(), issues=validation.issues)


def _name_of(graph: dict[str, Any]) -> str:
    name = graph.get("name")
    return name.strip()[:200] if isinstance(name, str) and name.strip() else "Untitled workflow"


def oversize_issues(graph: dict[str, Any]) -> list[Issue]:
    """The graph's breaches of the size limits (backend/graph/schema.py), as the validator words them: a graph
    that breaks none is saved whatever else is wrong with it; one that breaks any is not stored nor echoed."""
    try:
        Graph.model_validate(graph)
    except ValidationError as error:
        return [
            Issue(code=Code.INVALID_GRAPH, message=f"{'.'.join(map(str, e['loc']))}: {e['msg']}.", field=field)
            for e in error.errors(include_url=False)
            if e["type"] in SIZE_ERROR_TYPES and (field := ".".join(map(str, e["loc"])) or None)
        ]
    return []


def _too_big(issues: list[Issue]) -> Response[ValidateResponse]:
    return Response(ValidateResponse(valid=False, issues=issues), status_code=422)


class WorkflowController(Controller):
    tags = ["workflows"]

    @get("/api/projects/{project_id:str}/workflows", sync_to_thread=True, responses=errors(404))
    def list_workflows(
        self, access: Access, catalogue: Catalogue, settings: Settings, project_id: str
    ) -> list[WorkflowRead]:
        project = access.project(project_id)
        rows = access.session.exec(
            select(Workflow).where(Workflow.project_id == project.id).order_by(Workflow.updated_at.desc())
        ).all()
        context = project_context(access, settings, project)  # read the images once, not once per workflow
        return [workflow_read(access, catalogue, settings, w, context) for w in rows]

    @post(
        "/api/projects/{project_id:str}/workflows",
        sync_to_thread=True,
        responses=errors(404, 422, bodies={422: ValidateResponse}),
    )
    def create_workflow(
        self, access: Access, catalogue: Catalogue, settings: Settings, project_id: str, data: WorkflowWrite = Body()
    ) -> Response[WorkflowRead]:
        """422 with the issues, storing nothing, when the graph is over the size limits."""
        project = access.project(project_id)
        if too_big := oversize_issues(data.graph):
            return _too_big(too_big)  # type: ignore[return-value]
        workflow = Workflow(project_id=project.id, name=_name_of(data.graph), graph=data.graph)
        access.session.add(workflow)
        access.session.commit()
        return Response(workflow_read(access, catalogue, settings, workflow), status_code=201)

    @post("/api/projects/{project_id:str}/workflows/from-template", sync_to_thread=True, responses=errors(404))
    def create_from_template(
        self, access: Access, catalogue: Catalogue, settings: Settings, project_id: str, data: FromTemplate = Body()
    ) -> WorkflowRead:
        project = access.project(project_id)
        if data.template_id not in load_templates():
            raise NotFoundException(detail=f"There is no template {data.template_id!r}.")
        fits = template_fits(catalogue, project_summary(access.session, settings, project.id))
        graph = instantiate(data.template_id, project.id, catalogue, fits[data.template_id])
        workflow = Workflow(project_id=project.id, name=_name_of(graph), graph=graph)
        access.session.add(workflow)
        access.session.commit()
        return workflow_read(access, catalogue, settings, workflow)

    @get("/api/workflows/{workflow_id:str}", sync_to_thread=True, responses=errors(404))
    def get_workflow(self, access: Access, catalogue: Catalogue, settings: Settings, workflow_id: str) -> WorkflowRead:
        return workflow_read(access, catalogue, settings, access.workflow(workflow_id))

    @put(
        "/api/workflows/{workflow_id:str}",
        sync_to_thread=True,
        responses=errors(404, 422, bodies={422: ValidateResponse}),
    )
    def save_workflow(
        self, access: Access, catalogue: Catalogue, settings: Settings, workflow_id: str, data: WorkflowWrite = Body()
    ) -> Response[WorkflowRead]:
        """Saving never refuses a graph for its issues: a half-built workflow is kept, issues and all. Only a graph
        over the size limits is refused (422 with the issues), and the stored one is left as it was."""
        workflow = access.workflow(workflow_id)
        if too_big := oversize_issues(data.graph):
            return _too_big(too_big)  # type: ignore[return-value]
        workflow.graph, workflow.name, workflow.updated_at = data.graph, _name_of(data.graph), now()
        access.session.add(workflow)
        access.session.commit()
        return Response(workflow_read(access, catalogue, settings, workflow))

    @delete("/api/workflows/{workflow_id:str}", sync_to_thread=True, responses=errors(404))
    def delete_workflow(self, access: Access, workflow_id: str) -> None:
        access.session.delete(access.workflow(workflow_id))
        access.session.commit()

    @post(
        "/api/workflows/validate",
        status_code=200,
        opt={"least_role": "viewer"},  # checks a graph, stores nothing
        sync_to_thread=True,
        responses=errors(404, 422, bodies={422: ValidateResponse}),
    )
    def validate_workflow(
        self, access: Access, catalogue: Catalogue, settings: Settings, data: ValidateRequest = Body()
    ) -> Response[ValidateResponse]:
        """200 with warnings when the graph can run, 422 with every issue when it cannot."""
        project = access.project(data.project_id) if data.project_id else None
        validation = check(access, catalogue, settings, data.graph, project)
        valid = validation.valid is not None
        return Response(ValidateResponse(valid=valid, issues=validation.issues), status_code=200 if valid else 422)
