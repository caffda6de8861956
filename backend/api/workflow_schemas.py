"""Bodies of the workflow routes beyond save and load: versions, import, duplicate and rename (the workflow itself
is `WorkflowRead`, backend/api/schemas.py)."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from backend.api.schemas import WorkflowRead
from backend.graph.schema import MAX_NAME_LENGTH
from backend.plain_text import refuse_control_characters

# the constraints before the plain-text check: nested in PlainText they would be dropped (pydantic applies the outer
# Annotated's string constraints only to a bare str)
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_LENGTH),
    AfterValidator(refuse_control_characters),
]


class WorkflowRename(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name = Field(description="The workflow's new name (also the `name` of its graph document).")


class VersionName(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=MAX_NAME_LENGTH),
            AfterValidator(refuse_control_characters),
        ]
        | None
    ) = Field(description='A name for the version ("before the new crop"); null or empty clears it.')


class WorkflowVersionSummary(BaseModel):
    """One version in the list: no graph, its size instead."""

    id: str
    workflow_id: str
    number: int = Field(description="1 for the first version, counting up within the workflow.")
    name: str | None
    node_count: int
    edge_count: int
    created_at: datetime
    created_by: str | None = Field(
        description="The user who saved it; null without accounts or for version 1 of a workflow from before versions."
    )
    created_by_name: str | None


class WorkflowVersionRead(WorkflowVersionSummary):
    graph: dict[str, object] = Field(description="The workflow graph document as it was saved.")


class UnknownNode(BaseModel):
    node_id: str
    type: str = Field(description="The node type this server does not have.")


class ImportedWorkflow(WorkflowRead):
    """The new workflow, and what the import changed or found."""

    upgraded_from: int | None = Field(
        description="The schema_version the document came as, when it was older and upgraded; else null."
    )
    renamed_from: str | None = Field(
        description='The document\'s name when a workflow of the project had it already (the new one is "name (2)").'
    )
    unknown_nodes: list[UnknownNode] = Field(
        description="Nodes of types this server does not have: imported as they are, each with an "
        "`unknown_node_type` issue, to be replaced before the workflow can run."
    )
    rebound_nodes: list[str] = Field(description="Dataset nodes that named another project: they now read this one.")
