"""Workflows: save (always, issues returned with it; every change of the graph is a version), load, validate, create
from a template, import a document, duplicate and rename. The versions themselves: backend/api/workflow_versions.py."""

from typing import Any

from litestar import Controller, delete, get, patch, post, put
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body
from litestar.response import Response
from pydantic import ValidationError
from sqlmodel import select

from backend.api.access import Access
from backend.api.documented import errors
from backend.api.recommendations import project_summary
from backend.api.schemas import FromTemplate, ValidateRequest, ValidateResponse, WorkflowRead, WorkflowWrite
from backend.api.workflow_schemas import ImportedWorkflow, UnknownNode, WorkflowRename
from backend.catalogue import Catalogue
from backend.datasets.facts_cache import project_data
from backend.db.models import Project, Workflow, now
from backend.graph.issues import Code, Issue
from backend.graph.schema import SCHEMA_VERSION, SIZE_ERROR_TYPES, Graph
from backend.graph.validate import ProjectFacts, Validation, ValidationContext, parse_graph, validate_document
from backend.settings import Settings
from backend.templates import instantiate, load_templates, template_fits
from backend.workflows.upgrade import upgrade_document
from backend.workflows.versions import latest_version, save_graph, unique_name
from nodes.base import DatasetNode, DatasetParams


def project_context(access: Access, settings: Settings, project: Project | None) -> ValidationContext:
    """What validation knows about the project: its classes, and its labelled images for the dataset checks."""
    if project is None:
        return ValidationContext()
    counts, images = project_data(access.session, settings, project.id)  # kept while the project's data stays
    # built as it is: validating would copy the 15,000-fact tuple, which the dataset checks know again by identity
    return ValidationContext.model_construct(
        project=ProjectFacts(id=project.id, name=project.name, labelled_per_class=counts), images=images
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
    version = latest_version(access.session, workflow.id)
    return WorkflowRead(
        **workflow.model_dump(),
        issues=validation.issues,
        version=version.number if version else None,
        version_id=version.id if version else None,
    )


def add_workflow(access: Access, project: Project, graph: dict[str, Any]) -> Workflow:
    """A new workflow of the project, its graph stored as version 1 (committed)."""
    workflow = Workflow(project_id=project.id, name=_name_of(graph), graph=graph)
    save_graph(access.session, workflow, graph, access.caller.user_id)
    access.session.commit()
    return workflow


def names_in(access: Access, project_id: str) -> list[str]:
    return list(access.session.exec(select(Workflow.name).where(Workflow.project_id == project_id)).all())


def with_name(graph: dict[str, Any], name: str) -> dict[str, Any]:
    return {**graph, "name": name}


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
        workflow = add_workflow(access, project, data.graph)
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
        return workflow_read(access, catalogue, settings, add_workflow(access, project, graph))

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
        workflow.name = _name_of(data.graph)
        save_graph(access.session, workflow, data.graph, access.caller.user_id)  # a version when the graph changed
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
        """200 with every issue (`valid` says whether it can run): a graph with issues is a normal answer while it is
        being built. 422 only when the document is not a workflow graph at all (or is over the size limits)."""
        project = access.project(data.project_id) if data.project_id else None
        validation = check(access, catalogue, settings, data.graph, project)
        valid = validation.valid is not None
        not_a_graph = any(issue.code == Code.INVALID_GRAPH for issue in validation.issues)
        return Response(
            ValidateResponse(valid=valid, issues=validation.issues), status_code=422 if not_a_graph else 200
        )

    @post(
        "/api/projects/{project_id:str}/workflows/import",
        sync_to_thread=True,
        responses=errors(404, 422, bodies={422: ValidateResponse}),
    )
    def import_workflow(
        self,
        access: Access,
        catalogue: Catalogue,
        settings: Settings,
        project_id: str,
        data: dict[str, Any] = Body(description="A workflow document as exported (the Graph schema)."),
    ) -> Response[ImportedWorkflow]:
        """A new workflow from a document. An older `schema_version` is upgraded, or refused (422) naming
        `schema_version` and why; a document that is no graph, or over the size limits, is refused (422) with its
        issues. Nodes of unknown types are imported as they are, each with its issue, as ComfyUI and n8n load a
        workflow with missing nodes: the rest of the work is kept, and the node is replaced in the editor. A name a
        workflow of the project has already gets " (2)"; dataset nodes bound to another project read this one."""
        project = access.project(project_id)
        upgraded = upgrade_document(data)
        if upgraded.document is None:
            return _not_imported(upgraded.issues)
        if refused := oversize_issues(upgraded.document) or parse_graph(upgraded.document)[1]:
            return _not_imported(refused)
        document, rebound = _bound_to(upgraded.document, project, catalogue)
        wanted = _name_of(document)
        name = unique_name(wanted, names_in(access, project.id))
        workflow = add_workflow(access, project, with_name(document, name))
        read = workflow_read(access, catalogue, settings, workflow)
        unknown = [
            UnknownNode(node_id=node["id"], type=node["type"])
            for node in document.get("nodes") or []
            if catalogue.get(node["type"]) is None
        ]
        imported = ImportedWorkflow(
            **read.model_dump(),
            upgraded_from=upgraded.came_as if upgraded.came_as != SCHEMA_VERSION else None,
            renamed_from=wanted if name != wanted else None,
            unknown_nodes=unknown,
            rebound_nodes=rebound,
        )
        return Response(imported, status_code=201)

    @post("/api/workflows/{workflow_id:str}/duplicate", sync_to_thread=True, responses=errors(404))
    def duplicate_workflow(
        self, access: Access, catalogue: Catalogue, settings: Settings, workflow_id: str
    ) -> WorkflowRead:
        """A copy in the same project, named "name (2)" (or the next free number), with a history of its own."""
        original = access.workflow(workflow_id)
        project = access.project(original.project_id)
        name = unique_name(original.name, names_in(access, project.id))
        duplicate = add_workflow(access, project, with_name(original.graph, name))
        return workflow_read(access, catalogue, settings, duplicate)

    @patch("/api/workflows/{workflow_id:str}", sync_to_thread=True, responses=errors(404))
    def rename_workflow(
        self, access: Access, catalogue: Catalogue, settings: Settings, workflow_id: str, data: WorkflowRename = Body()
    ) -> WorkflowRead:
        """The name is the workflow's and its graph document's; a rename stores no version (versions are of the
        graph). Names need not be unique: import and duplicate avoid a clash, a rename is as the person asks."""
        workflow = access.workflow(workflow_id)
        workflow.name, workflow.graph, workflow.updated_at = data.name, with_name(workflow.graph, data.name), now()
        access.session.add(workflow)
        access.session.commit()
        return workflow_read(access, catalogue, settings, workflow)


def _not_imported(issues: list[Issue]) -> Response[Any]:
    """422 with the reasons (a ValidateResponse, as a refused save): nothing is stored."""
    return Response(ValidateResponse(valid=False, issues=issues), status_code=422)


def _bound_to(document: dict[str, Any], project: Project, catalogue: Catalogue) -> tuple[dict[str, Any], list[str]]:
    """The document with its dataset nodes that name another project (an export from elsewhere) bound to this one,
    and those nodes' ids. The document parses as a Graph: nodes is a list of objects with a `params` object."""
    nodes, rebound = [], []
    for node in document.get("nodes") or []:
        node_type = catalogue.get(node["type"])
        params = node.get("params") or {}
        dataset = node_type is not None and issubclass(node_type, DatasetNode)
        if dataset and params.get("project_id") not in (None, project.id):
            node = {**node, "params": {**params, "project_id": project.id}}
            rebound.append(node["id"])
        nodes.append(node)
    return ({**document, "nodes": nodes} if rebound else document), rebound
