"""What an augmentation preview renders: the compiled pipeline of a valid graph, cut after one of its nodes.

Pure, like compile: the preview's worker (backend/worker/preview.py) builds the transforms from these steps with the
function training uses, so the pictures show what trains. `upto` counts the steps of the nodes from the dataset up
to and including the previewed one; the rest of the pipeline and the model's size guard still make the model input.
"""

from dataclasses import dataclass

from backend.catalogue import Catalogue
from backend.graph.compile import compile_pipeline
from backend.graph.issues import Code, Issue
from backend.graph.spec import PipelineStep, store_weights_key
from backend.graph.validate import ValidGraph


class NodeNotInGraph(LookupError):
    """The previewed node id is not a node of the graph."""


class NodeNotOnChain(ValueError):
    """The previewed node is in the graph but no image passes through it (not on the dataset → model chain)."""


@dataclass(frozen=True)
class PreviewPlan:
    node_id: str
    steps: list[PipelineStep]  # the whole compiled pipeline, train and val steps alike, in chain order
    upto: int  # steps[:upto] belong to the nodes up to and including the previewed one
    imgsz: int  # the model's input size: the model input is imgsz × imgsz


def preview_plan(valid: ValidGraph, catalogue: Catalogue, node_id: str) -> PreviewPlan:
    """The pipeline up to `node_id` (a node of the chain: the dataset node previews the images as they are, the model
    node the whole chain). NodeNotInGraph / NodeNotOnChain name the node otherwise."""
    if all(node.id != node_id for node in valid.graph.nodes):
        raise NodeNotInGraph(f"There is no node {node_id!r} in this workflow.")
    chain_ids = [node.id for node in valid.chain]
    if node_id not in chain_ids:
        raise NodeNotOnChain(
            f"Node {node_id!r} is not on the chain from the dataset to the model, so no image passes through it: "
            "connect it to preview it."
        )
    imgsz = valid.model_type.model_spec(valid.model_params, store_weights_key).imgsz
    steps = compile_pipeline(valid, catalogue, imgsz)
    through = set(chain_ids[: chain_ids.index(node_id) + 1])
    upto = sum(1 for step in steps if step.node_id in through)
    return PreviewPlan(node_id=node_id, steps=steps, upto=upto, imgsz=imgsz)


# A preview runs on a viewer's request, in the process that also answers "try the model": sizes past these would make
# it allocate gigabytes (a 50,000 px Resize is 7.5 GB an image). Training, which only owners start, is not capped here.
SIDE_KEYS = {"height", "width", "size", "max_size", "min_size", "min_height", "min_width", "crop_height", "crop_width"}
MAX_PREVIEW_SIDE = 4096
MAX_SCALE_LIMIT = 4.0


def too_large_for_preview(plan: PreviewPlan) -> Issue | None:
    """Why the pipeline is too big to preview, on its node and field, or None."""
    side_cap = max(MAX_PREVIEW_SIDE, 4 * plan.imgsz)
    for step in plan.steps:
        for key, value in step.params.items():
            numbers = [v for v in (value if isinstance(value, list | tuple) else [value]) if isinstance(v, int | float)]
            if key in SIDE_KEYS and any(abs(v) > side_cap for v in numbers):
                message = f"{key} {value} is larger than a preview draws (at most {side_cap} px)."
                return Issue(code=Code.INVALID_PARAM, message=message, node_id=step.node_id, field=key)
            if key == "scale_limit" and any(abs(v) > MAX_SCALE_LIMIT for v in numbers):
                message = f"scale_limit {value} is beyond what a preview draws (at most ±{MAX_SCALE_LIMIT:g})."
                return Issue(code=Code.INVALID_PARAM, message=message, node_id=step.node_id, field=key)
    return None
