"""Dataset sources."""

from typing import Literal

from pydantic import Field

from nodes.base import DATASET_PORT_KIND, DatasetNode, NodeParams, Port


class ProjectDatasetParams(NodeParams):
    project_id: str | None = Field(
        default=None,
        title="Project",
        description="The project whose labelled images are used. Empty means the workflow's own project.",
    )
    val_fraction: float = Field(
        default=0.2,
        ge=0.05,
        le=0.5,
        title="Validation fraction",
        description="Share of the labelled images held out for validation.",
    )
    seed: int = Field(
        default=0, ge=0, le=2**31 - 1, title="Split seed", description="Seed of the train/validation split."
    )
    stratified: bool = Field(
        default=True, title="Stratified", description="Keep each class's share the same in both splits."
    )
    balance: Literal["none", "weighted_sampling"] = Field(
        default="none",
        title="Class balance",
        description=(
            "none: training sees each image once per epoch. weighted_sampling: training draws images with "
            "weights inversely proportional to their class's size, so rare classes are seen as often as common ones."
        ),
        json_schema_extra={"x-enum-names": ["None", "Weighted sampling"]},
    )


class ProjectDataset(DatasetNode):
    type_id = "dataset.project"
    title = "Project dataset"
    category = "dataset"
    description = "The labelled images of a project, split into training and validation sets."
    recommended = True
    outputs = (Port(name="dataset", kind=DATASET_PORT_KIND, title="Images"),)
    Params = ProjectDatasetParams


NODE_TYPES = (ProjectDataset,)
