"""Checks of a workflow's model node: its input size and the model-store weights it names.

Pure, like the rest of validation; reads the parameters validation parsed, never the raw JSON.
"""

from collections.abc import Mapping
from functools import partial

from backend.catalogue import Catalogue
from backend.graph.issues import Code, Issue, IssueFix
from backend.graph.schema import Graph, Node
from nodes.base import ModelNode, ParsedParams

CHECKED_WEIGHTS_KEY = "models/checked.pt"  # what validation's weights resolver answers: only the name matters here


def _models(graph: Graph, catalogue: Catalogue) -> list[Node]:
    return [n for n in graph.nodes if (t := catalogue.get(n.type)) is not None and t.category == "model"]


def model_issues(graph: Graph, catalogue: Catalogue, parsed: Mapping[str, ParsedParams]) -> list[Issue]:
    issues = []
    for node in _models(graph, catalogue):
        node_type = catalogue.get(node.type)
        if not (isinstance(node_type, type) and issubclass(node_type, ModelNode)) or node.id not in parsed:
            continue  # not a model node we can ask, or its parameters are already reported
        named: list[str] = []  # the store weights the node names, whatever its parameter is called
        model = node_type.model_spec(parsed[node.id], partial(_remember_weights, named))
        stride = node_type.imgsz_stride
        if model.imgsz % stride:
            suggestions = imgsz_suggestions(model.imgsz, stride, *imgsz_bounds(node_type))
            nearest = min(suggestions, key=lambda size: (abs(size - model.imgsz), size))
            issues.append(
                Issue(
                    code=Code.IMGSZ_NOT_MULTIPLE_OF_32,
                    message=f"Input size must be a multiple of {stride}: try {' or '.join(map(str, suggestions))}.",
                    node_id=node.id,
                    field="imgsz",
                    fix=IssueFix(label=f"Use {nearest} px", node_id=node.id, field="imgsz", value=nearest),
                )
            )
        if named:
            issues += _weights_issues(node, node_type, named[0], model.architecture, catalogue)
    return issues


def imgsz_bounds(node_type: type[ModelNode]) -> tuple[int | None, int | None]:
    """The smallest and largest input size the node's parameter schema allows (None: unbounded)."""
    imgsz = node_type.params_schema().get("properties", {}).get("imgsz", {})
    low, high = imgsz.get("minimum"), imgsz.get("maximum")
    return (int(low) if isinstance(low, int | float) else None, int(high) if isinstance(high, int | float) else None)


def imgsz_suggestions(imgsz: int, stride: int, low: int | None, high: int | None) -> list[int]:
    """The multiples of `stride` just below and above `imgsz` that lie within [low, high], nearest first in size
    order; when `imgsz` is outside the range, the allowed multiple nearest to it."""
    smallest = max(stride, -(-low // stride) * stride if low else stride)
    largest = high // stride * stride if high else None
    candidates = [imgsz // stride * stride, imgsz // stride * stride + stride]
    inside = [c for c in candidates if c >= smallest and (largest is None or c <= largest)]
    if inside:
        return inside
    return [smallest if imgsz < smallest or largest is None else largest]


def _remember_weights(named: list[str], name: str) -> str:
    """Validation's weights resolver: notes the name the node asks for; the key it answers is never used."""
    named.append(name)
    return CHECKED_WEIGHTS_KEY


def _weights_issues(
    node: Node, node_type: type[ModelNode], name: str, architecture: str, catalogue: Catalogue
) -> list[Issue]:
    stored = catalogue.stored_weights(name)
    if stored is None:
        return [
            Issue(
                code=Code.UNKNOWN_WEIGHTS,
                message=f"The model store has no weights {name!r}.",
                node_id=node.id,
                field="pretrained",
            )
        ]
    if stored.architecture == architecture:
        return []
    if stored.family == node_type.family and stored.size in node_type.sizes:
        return [
            Issue(
                code=Code.WEIGHTS_ARCHITECTURE_MISMATCH,
                message=f"{name!r} holds {stored.architecture} weights, but this node builds {architecture}: "
                f"only matching layers would carry over. Set the size to {stored.size!r}.",
                node_id=node.id,
                field=node_type.size_param,
                fix=IssueFix(
                    label=f"Use size {stored.size}", node_id=node.id, field=node_type.size_param, value=stored.size
                ),
            )
        ]
    return [
        Issue(
            code=Code.WEIGHTS_ARCHITECTURE_MISMATCH,
            message=f"{name!r} holds {stored.architecture} weights ({stored.family}), but this {node_type.title} "
            f"builds {architecture}: choose weights of its family, or a {stored.family} model node.",
            node_id=node.id,
            field="pretrained",
        )
    ]
