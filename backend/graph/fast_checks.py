"""Checks of `validate` and steps of `compile` made fast for graphs of hundreds of nodes (issue 12: a 300-node graph
validates and compiles in ≤ 10 ms): parameter checks and parses remembered by their exact parameters, pipeline
steps remembered by their parsed parameters and input size, ports looked up by name, and a one-pass test that the
graph has no loop. Each answers exactly what the plain call would; validate and compile stay pure (what is
remembered is a function of the key alone).
"""

import threading
from typing import Any

from pydantic import BaseModel

from backend.graph.schema import Edge, Graph
from nodes.base import NodeType, ParamError, ParsedParams, Port, Step

PARAM_CHECKS_REMEMBERED = 4096  # distinct (node type, parameters) pairs whose check is kept: a few MB at most
_REMEMBERED_PROBLEMS: dict[tuple[type[NodeType], str], tuple[tuple[ParamError, ...], Any]] = {}
_REMEMBERED_STEPS: dict[tuple[type[NodeType], str, int], tuple[Step, ...]] = {}
_REMEMBERING = threading.Lock()  # validation runs in litestar's thread pool: eviction iterates the dict


def _remember(memory: dict[Any, Any], key: Any, value: Any) -> None:
    with _REMEMBERING:
        if len(memory) >= PARAM_CHECKS_REMEMBERED:
            memory.pop(next(iter(memory)), None)  # the oldest goes
        memory[key] = value


def _fresh(value: Any) -> Any:
    """A copy of parsed JSON-like parameters down to their last list or dict (no memo: several times faster than
    `copy.deepcopy` on a node's few values)."""
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    return value


def _shareable(parsed: Any) -> bool:
    """A parse that can be handed out again: a frozen model whose fields are all plain values."""
    return (
        isinstance(parsed, BaseModel)
        and bool(parsed.model_config.get("frozen"))
        and all(value is None or isinstance(value, str | int | float) for value in parsed.__dict__.values())
    )


def checked_params(node_type: type[NodeType], params: dict[str, Any]) -> tuple[tuple[ParamError, ...], Any, str]:
    """(`node_type.check_params(params)`, `node_type.parse_params(params)` when that found no problem, else None,
    the key both are remembered by): the parameters' exact `repr` (JSON values: distinct values, distinct text,
    key order kept). An augmentation's JSON Schema check costs ~0.2 ms, so a 300-node graph re-checked at every
    edit would spend its whole budget there. A node type's check and parse read nothing but the parameters, so
    the answer is the same every time. A parsed dict is handed out as a fresh deep copy (as `{**defaults, **raw}`
    makes one per call; nested lists too), a frozen model of plain values as it is, anything else parsed afresh."""
    text = repr(params)
    key = (node_type, text)
    remembered = _REMEMBERED_PROBLEMS.get(key)
    if remembered is None:
        problems = tuple(node_type.check_params(params))
        parsed = None if problems else node_type.parse_params(params)
        kept = _fresh(parsed) if isinstance(parsed, dict) else parsed if _shareable(parsed) else None
        _remember(_REMEMBERED_PROBLEMS, key, (problems, kept))  # never the dict handed out now: its caller owns it
        return problems, parsed, text
    problems, parsed = remembered
    if problems:
        return problems, None, text
    if isinstance(parsed, dict):
        return problems, _fresh(parsed), text
    return problems, parsed if parsed is not None else node_type.parse_params(params), text


def param_problems(node_type: type[NodeType], params: dict[str, Any]) -> tuple[ParamError, ...]:
    """`node_type.check_params(params)`, remembered (see `checked_params`)."""
    return checked_params(node_type, params)[0]


def pipeline_steps(
    node_type: type[NodeType], params: ParsedParams, imgsz: int, params_key: str | None = None
) -> tuple[Step, ...]:
    """`node_type.pipeline_steps(params, imgsz)`, remembered by the node type, the raw parameters' key from
    `checked_params` (`params` is their parse, so a function of it) and the size: a node's steps are made from
    those alone (Steps are frozen; compile copies their parameters into the spec). Without a key, made afresh."""
    if params_key is None:
        return tuple(node_type.pipeline_steps(params, imgsz))
    key = (node_type, params_key, imgsz)
    steps = _REMEMBERED_STEPS.get(key)
    if steps is None:
        steps = tuple(node_type.pipeline_steps(params, imgsz))
        _remember(_REMEMBERED_STEPS, key, steps)
    return steps


def port_named(node_type: type[NodeType], side: str, name: str) -> Port | None:
    """The node type's first input or output port called `name` (a node type's ports are fixed: looked up by name
    once per type, not searched on every edge)."""
    ports = _PORTS.get((node_type, side))
    if ports is None:
        ports = {}
        for port in getattr(node_type, side):
            ports.setdefault(port.name, port)
        _PORTS[(node_type, side)] = ports  # whole before another request thread can see it
    return ports.get(name)


_PORTS: dict[tuple[type[NodeType], str], dict[str, Port]] = {}


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
