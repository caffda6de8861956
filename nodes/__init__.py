"""Node types of the workflow editor. Adding a node is adding one class to one of these modules."""

from nodes import augmentations, datasets, models, preprocess
from nodes.base import NodeType

ALL_NODE_TYPES: tuple[type[NodeType], ...] = (
    *datasets.NODE_TYPES,
    *preprocess.NODE_TYPES,
    *augmentations.NODE_TYPES,
    *models.NODE_TYPES,
)
