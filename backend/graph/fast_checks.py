"""Two checks of `validate` made fast for graphs of hundreds of nodes (issue 12: a 300-node graph validates and
compiles in ~10 ms): parameter checks remembered by their exact parameters, and a one-pass test that the graph has
no loop. Both answer exactly what the plain check would; validate stays pure.
"""

from typing import Any

from backend.graph.schema import Edge, Graph
from nodes.base import NodeType, ParamError

PARAM_CHECKS_REMEMBERED = 4096  # distinct (node type, parameters) pairs whose check is kept: a few MB at most
_REMEMBERED_PROBLEMS: dict[tuple[type[NodeType], str], tuple[ParamError, ...]] = {}


def param_problems(node_type: type[NodeType], params: dict[str, Any]) -> tuple[ParamError, ...]:
    """`node_type.check_params(params)`, remembered by the parameters' exact `repr` (JSON values: distinct values,
    distinct text, key order kept): an augmentation's JSON Schema check costs ~0.2 ms, so a 300-node graph
    re-checked at every edit would spend its whole budget there. A node type's check reads nothing but the
    parameters, so the answer is the same every time and validate stays pure."""
    key = (node_type, repr(params))
    problems = _REMEMBERED_PROBLEMS.get(key)
    if problems is None:
        problems = tuple(node_type.check_params(params))
        if len(_REMEMBERED_PROBLEMS) >= PARAM_CHECKS_REMEMBERED:
            _REMEMBERED_PROBLEMS.pop(next(iter(_REMEMBERED_PROBLEMS)), None)  # the oldest goes
        _REMEMBERED_PROBLEMS[key] = problems
    return problems


def acyclic(graph: Graph, edges: list[Edge]) -> bool:
    """Kahn's algorithm: every node can be taken once all that feed it are (edges to unknown nodes are not here)."""
    waiting = dict.fromkeys((n.id for n in graph.nodes), 0)
    feeds: dict[str, list[str]] = {}
    for edge in edges:
        waiting[edge.target] += 1
        feeds.setdefault(edge.source, []).append(edge.target)
    ready = [node_id for node_id, count in waiting.items() if count == 0]
    taken = 0
    while ready:
        taken += 1
        for target in feeds.get(ready.pop(), ()):
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    return taken == len(waiting)
