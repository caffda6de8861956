"""Graph + Catalogue (+ facts about the project) → every issue, each on its node and field, and, when none is an
error, a `ValidGraph`: the only thing the compiler accepts.

Pure: reads its inputs, never changes them, never stops at the first problem. Each node's parameters are parsed
here, once; everything downstream reads the parsed values from the ValidGraph, never the raw JSON again.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from types import MappingProxyType
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, ValidationError

from backend.catalogue import Catalogue
from backend.graph.dataset_checks import dataset_issues
from backend.graph.facts import ImageFacts
from backend.graph.fast_checks import acyclic, checked_params, port_named
from backend.graph.issues import Code, Issue, has_errors
from backend.graph.model_checks import model_issues
from backend.graph.schema import SCHEMA_VERSION, Edge, Graph, Node
from nodes.base import DatasetNode, DatasetParams, ModelNode, NodeType, ParsedParams


class ProjectFacts(BaseModel):
    """What validation needs to know about the workflow's project: its classes and their labelled images."""

    model_config = ConfigDict(frozen=True)
    id: str
    name: str
    labelled_per_class: dict[str, int]


class ValidationContext(BaseModel):
    model_config = ConfigDict(frozen=True)
    project: ProjectFacts | None = None  # None: a template or a folder run, bound later
    images: tuple[ImageFacts, ...] | None = None  # the labelled images the dataset node stands for; None: unknown


def parse_graph(document: Any) -> tuple[Graph | None, list[Issue]]:
    """Parse stored/posted JSON into a Graph, or report why it is not one."""
    try:
        return Graph.model_validate(document), []
    except ValidationError as error:
        return None, [
            Issue(
                code=Code.INVALID_GRAPH,
                message=f"{'.'.join(map(str, e['loc'])) or 'graph'}: {e['msg']}.",
                field=".".join(map(str, e["loc"])) or None,
            )
            for e in error.errors(include_url=False)
        ]


@dataclass(frozen=True)
class ValidGraph:
    """A graph with no error: its dataset → … → model chain and every node's parsed parameters.

    Made only by `validate`; `compile_job` accepts nothing else, so a spec is never built from an unchecked graph.
    """

    graph: Graph
    chain: tuple[Node, ...]  # dataset node first, model node last, pipeline nodes in order between
    params: Mapping[str, ParsedParams]  # node id → its parameters as its node type parsed them
    dataset_type: type[DatasetNode]
    model_type: type[ModelNode]
    # node id → what its raw parameters are remembered by (backend/graph/fast_checks.py): compile finds the
    # node's pipeline steps by it without writing the parameters out again
    param_keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def dataset_node(self) -> Node:
        return self.chain[0]

    @property
    def model_node(self) -> Node:
        return self.chain[-1]

    @property
    def dataset_params(self) -> DatasetParams:
        return cast(DatasetParams, self.params[self.dataset_node.id])

    @property
    def model_params(self) -> ParsedParams:
        return self.params[self.model_node.id]


@dataclass(frozen=True)
class Validation:
    """Every issue, and the ValidGraph when none of them is an error (None otherwise)."""

    issues: list[Issue]
    valid: ValidGraph | None = None


def validate_document(document: Any, catalogue: Catalogue, context: ValidationContext | None = None) -> Validation:
    """Parse stored/posted JSON and validate it: the one parse a request needs."""
    graph, issues = parse_graph(document)
    return Validation(issues=issues) if graph is None else validate(graph, catalogue, context)


def validate(graph: Graph, catalogue: Catalogue, context: ValidationContext | None = None) -> Validation:
    context = context or ValidationContext()
    if graph.schema_version != SCHEMA_VERSION:
        return Validation(
            issues=[
                Issue(
                    code=Code.UNSUPPORTED_SCHEMA_VERSION,
                    message=f"This workflow has schema version {graph.schema_version}; this server reads version {SCHEMA_VERSION}.",
                    field="schema_version",
                )
            ]
        )
    params: dict[str, ParsedParams] = {}
    param_keys: dict[str, str] = {}
    issues = _duplicate_ids(graph)
    issues += [issue for node in graph.nodes for issue in _node_issues(node, catalogue, params, param_keys)]
    good_edges, edge_issues = _edge_issues(graph, catalogue)
    issues += edge_issues
    issues += _input_counts(graph, catalogue, good_edges)
    issues += _cycles(graph, good_edges)
    issues += _structure(graph, catalogue, good_edges)
    issues += model_issues(graph, catalogue, params)
    issues += _dataset_facts(graph, catalogue, context, params)
    issues += dataset_issues(graph, catalogue, params, context.images, context.project.id if context.project else None)
    if has_errors(issues):
        return Validation(issues=issues)
    chain, chain_issues = _chain(graph, catalogue, good_edges)
    if chain_issues:
        return Validation(issues=issues + chain_issues)
    dataset_type, model_type = catalogue.get(chain[0].type), catalogue.get(chain[-1].type)
    valid = ValidGraph(
        graph=graph,
        chain=chain,
        params=MappingProxyType(params),
        dataset_type=cast(type[DatasetNode], dataset_type),
        model_type=cast(type[ModelNode], model_type),
        param_keys=MappingProxyType(param_keys),
    )
    return Validation(issues=issues, valid=valid)


def _chain(graph: Graph, catalogue: Catalogue, edges: list[Edge]) -> tuple[tuple[Node, ...], list[Issue]]:
    """dataset → … → model, following the model's single input back to the dataset (the graph has no error)."""
    nodes = {n.id: n for n in graph.nodes}
    feeding = {e.target: e.source for e in edges}
    chain = [nodes_of(graph, catalogue, "model")[0]]
    while chain[-1].id in feeding and len(chain) <= len(nodes):
        chain.append(nodes[feeding[chain[-1].id]])
    chain.reverse()
    first, last = catalogue.get(chain[0].type), catalogue.get(chain[-1].type)
    if not (_is(first, DatasetNode) and _is(last, ModelNode)):
        return (), [
            Issue(
                code=Code.NO_DATASET,
                message="The model is not fed by a dataset node: connect one to the start of its chain.",
                node_id=chain[-1].id,
            )
        ]
    return tuple(chain), []


def _is(node_type: type[NodeType] | None, kind: type[NodeType]) -> bool:
    return isinstance(node_type, type) and issubclass(node_type, kind)


def _duplicate_ids(graph: Graph) -> list[Issue]:
    issues = []
    for node_id, count in Counter(n.id for n in graph.nodes).items():
        if count > 1:
            issues.append(
                Issue(code=Code.DUPLICATE_NODE_ID, message=f"{count} nodes share the id {node_id!r}.", node_id=node_id)
            )
    for edge_id, count in Counter(e.id for e in graph.edges).items():
        if count > 1:
            issues.append(
                Issue(code=Code.DUPLICATE_EDGE_ID, message=f"{count} edges share the id {edge_id!r}.", edge_id=edge_id)
            )
    return issues


def _node_issues(
    node: Node, catalogue: Catalogue, parsed: dict[str, ParsedParams], keys: dict[str, str]
) -> list[Issue]:
    """The node's parameter problems; parameters without any go into `parsed` (and what they are remembered by
    into `keys`), by node id."""
    node_type = catalogue.get(node.type)
    if node_type is None:
        return [Issue(code=Code.UNKNOWN_NODE_TYPE, message=f"There is no node type {node.type!r}.", node_id=node.id)]
    problems, parsed_params, key = checked_params(node_type, node.params)
    if not problems and node.id not in parsed:  # a duplicate id is reported, not parsed
        parsed[node.id], keys[node.id] = parsed_params, key
    return [
        Issue(code=Code.INVALID_PARAM, message=problem.message, node_id=node.id, field=problem.field)
        for problem in problems
    ]


def _edge_issues(graph: Graph, catalogue: Catalogue) -> tuple[list[Edge], list[Issue]]:
    nodes = {n.id: n for n in graph.nodes}
    good: list[Edge] = []
    issues: list[Issue] = []
    for edge in graph.edges:
        problems = []
        ends = {"source": nodes.get(edge.source), "target": nodes.get(edge.target)}
        for end, node in ends.items():
            if node is None:
                problems.append(
                    Issue(
                        code=Code.UNKNOWN_NODE,
                        message=f"Edge {edge.id!r} joins a node {getattr(edge, end)!r} that is not in the workflow.",
                        edge_id=edge.id,
                    )
                )
        if problems:
            issues += problems
            continue
        source_type, target_type = catalogue.get(ends["source"].type), catalogue.get(ends["target"].type)
        if source_type is None or target_type is None:
            continue  # already reported as unknown_node_type
        source_port = port_named(source_type, "outputs", edge.source_port)
        target_port = port_named(target_type, "inputs", edge.target_port)
        if source_port is None:
            problems.append(
                Issue(
                    code=Code.UNKNOWN_PORT,
                    message=f"{source_type.title} has no output {edge.source_port!r}.",
                    node_id=edge.source,
                    field=edge.source_port,
                    edge_id=edge.id,
                )
            )
        if target_port is None:
            problems.append(
                Issue(
                    code=Code.UNKNOWN_PORT,
                    message=f"{target_type.title} has no input {edge.target_port!r}.",
                    node_id=edge.target,
                    field=edge.target_port,
                    edge_id=edge.id,
                )
            )
        if source_port and target_port and source_port.kind != target_port.kind:
            problems.append(
                Issue(
                    code=Code.PORT_KIND_MISMATCH,
                    message=f"{target_type.title}'s input {target_port.name!r} takes {target_port.kind}, but {edge.source!r} gives {source_port.kind}.",
                    node_id=edge.target,
                    field=edge.target_port,
                    edge_id=edge.id,
                )
            )
        if problems:
            issues += problems
        else:
            good.append(edge)
    return good, issues


def _input_counts(graph: Graph, catalogue: Catalogue, edges: list[Edge]) -> list[Issue]:
    incoming = Counter((e.target, e.target_port) for e in edges)
    issues = []
    for node in graph.nodes:
        node_type = catalogue.get(node.type)
        for port in node_type.inputs if node_type else ():
            count = incoming[(node.id, port.name)]
            if count == 0:
                issues.append(
                    Issue(
                        code=Code.MISSING_INPUT,
                        message=f"Connect something to {port.title.lower()} ({port.name}).",
                        node_id=node.id,
                        field=port.name,
                    )
                )
            elif count > 1 and not port.multiple:
                issues.append(
                    Issue(
                        code=Code.TOO_MANY_INPUTS,
                        message=f"{port.title} ({port.name}) takes one connection; it has {count}.",
                        node_id=node.id,
                        field=port.name,
                    )
                )
    return issues


def _cycles(graph: Graph, edges: list[Edge]) -> list[Issue]:
    if acyclic(graph, edges):  # the common case, in one pass; graphlib then names the loop when there is one
        return []
    sorter = TopologicalSorter({n.id: set() for n in graph.nodes})
    for edge in edges:
        sorter.add(edge.target, edge.source)
    try:
        sorter.prepare()
    except CycleError as error:
        cycle = list(dict.fromkeys(error.args[1]))
        path = " → ".join([*cycle, cycle[0]])
        return [Issue(code=Code.CYCLE, message=f"The workflow loops: {path}.", node_id=node_id) for node_id in cycle]
    return []


def nodes_of(graph: Graph, catalogue: Catalogue, category: str) -> list[Node]:
    return [n for n in graph.nodes if (t := catalogue.get(n.type)) is not None and t.category == category]


def upstream(node_id: str, edges: list[Edge]) -> set[str]:
    """Every node with a path to `node_id`."""
    sources: dict[str, set[str]] = {}
    for edge in edges:
        sources.setdefault(edge.target, set()).add(edge.source)
    seen: set[str] = set()
    todo = [node_id]
    while todo:
        for source in sources.get(todo.pop(), ()):
            if source not in seen:
                seen.add(source)
                todo.append(source)
    return seen


def _structure(graph: Graph, catalogue: Catalogue, edges: list[Edge]) -> list[Issue]:
    issues = []
    if not nodes_of(graph, catalogue, "dataset"):
        issues.append(Issue(code=Code.NO_DATASET, message="Add a dataset node: the model needs images to learn from."))
    models = nodes_of(graph, catalogue, "model")
    if not models:
        issues.append(Issue(code=Code.NO_MODEL, message="Add a model node: it is what training produces."))
        return issues
    for extra in models[1:]:
        issues.append(
            Issue(
                code=Code.MULTIPLE_MODELS,
                message=f"A workflow trains one model; remove this one or {models[0].id!r}.",
                node_id=extra.id,
            )
        )
    feeding = upstream(models[0].id, edges) | {models[0].id}
    for node in graph.nodes:
        if node.id not in feeding and catalogue.get(node.type) is not None and node not in models[1:]:
            issues.append(
                Issue(
                    code=Code.DANGLING_NODE,
                    severity="warning",
                    message="This node is not on the path from the dataset to the model, so it does nothing.",
                    node_id=node.id,
                )
            )
    return issues


def _dataset_facts(
    graph: Graph, catalogue: Catalogue, context: ValidationContext, parsed: dict[str, ParsedParams]
) -> list[Issue]:
    project = context.project
    if project is None:
        return []
    issues = []
    for node in nodes_of(graph, catalogue, "dataset"):
        if node.id not in parsed:
            continue  # its parameters are already reported
        bound = getattr(parsed[node.id], "project_id", None)  # a dataset node that names no project has none
        if bound not in (None, project.id):
            issues.append(
                Issue(
                    code=Code.UNKNOWN_PROJECT,
                    message=f"Project {bound!r} is not this workflow's project ({project.name}).",
                    node_id=node.id,
                    field="project_id",
                )
            )
            continue
        classes = project.labelled_per_class
        if len(classes) < 2:
            issues.append(
                Issue(
                    code=Code.TOO_FEW_CLASSES,
                    message=f"Project {project.name!r} has {len(classes)} class(es); a classifier needs at least 2.",
                    node_id=node.id,
                    field="project_id",
                )
            )
        for name, count in sorted(classes.items()):
            if count == 0:
                issues.append(
                    Issue(
                        code=Code.CLASS_WITHOUT_IMAGES,
                        message=f"Class {name!r} has no labelled images: label some or delete the class.",
                        node_id=node.id,
                        field="project_id",
                    )
                )
    return issues
