"""Data-aware recommendations: which template fits a project's images, and what a first run should be."""

from litestar import get
from litestar.params import Parameter
from sqlmodel import Session

from backend.api.access import Access
from backend.api.answers import TemplateRead
from backend.api.documented import errors
from backend.catalogue import Catalogue
from backend.datasets.image_facts import project_image_facts
from backend.graph.spec import DEVICE_PATTERN
from backend.graph.validate import validate_document
from backend.recommend import DataSummary, RunDefaults, summarise
from backend.settings import Settings
from backend.templates import describe_templates, run_defaults_for, template_fits


def project_summary(session: Session, settings: Settings, project_id: str) -> DataSummary | None:
    return summarise(project_image_facts(session, settings, project_id))


@get("/api/templates", tags=["catalogue"], sync_to_thread=True, responses=errors(404))
def list_templates(
    access: Access, catalogue: Catalogue, settings: Settings, project_id: str | None = None
) -> list[TemplateRead]:
    """The recommended workflows; with `project_id`, each says how it fits that project's labelled images."""
    if project_id is None:
        return [TemplateRead.model_validate(t) for t in describe_templates()]
    project = access.project(project_id)
    fits = template_fits(catalogue, project_summary(access.session, settings, project.id))
    return [TemplateRead.model_validate(t) for t in describe_templates(fits)]


@get("/api/workflows/{workflow_id:str}/run-defaults", tags=["runs"], sync_to_thread=True, responses=errors(404))
def run_defaults(
    access: Access,
    catalogue: Catalogue,
    settings: Settings,
    workflow_id: str,
    device: str = Parameter(default="auto", pattern=DEVICE_PATTERN, description="Where the run will train."),
) -> RunDefaults:
    """What the Run Training dialog pre-fills: epochs and batch chosen from a budget of optimiser steps and time
    on `device`."""
    workflow = access.workflow(workflow_id)
    summary = project_summary(access.session, settings, workflow.project_id)
    return run_defaults_for(validate_document(workflow.graph, catalogue).valid, catalogue, summary, device)
