"""Versions of a workflow's graph: every save that changes the graph stores one, so that any earlier graph can be
opened, named, compared and restored, and each run names the exact graph it trained.

A change is a change of the graph document less its `name`: the name is the workflow's (renamed on its own, kept
when a version is restored), so a rename is no new version. Two documents hold the same graph when their canonical
JSON (sorted keys, no spaces) is equal. The caller commits.
"""

import json
import re
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from backend.db.models import Workflow, WorkflowVersion, now
from backend.graph.schema import MAX_NAME_LENGTH


def graph_key(graph: dict[str, Any]) -> str:
    """What two saves compare: the document without its name, as canonical JSON."""
    content = {key: value for key, value in graph.items() if key != "name"}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)


def latest_version(session: Session, workflow_id: str) -> WorkflowVersion | None:
    query = select(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow_id)
    return session.exec(query.order_by(col(WorkflowVersion.number).desc()).limit(1)).first()


def _count(graph: dict[str, Any], key: str) -> int:
    items = graph.get(key)
    return len(items) if isinstance(items, list) else 0


def version_of(
    session: Session, workflow_id: str, graph: dict[str, Any], created_by: str | None = None
) -> tuple[WorkflowVersion, bool]:
    """The version holding `graph`: the latest one when it already does, else a new one (added and flushed, so a
    row may refer to it at once). Returns it and whether it is new."""
    latest = latest_version(session, workflow_id)
    if latest is not None and graph_key(latest.graph) == graph_key(graph):
        return latest, False
    version = WorkflowVersion(
        workflow_id=workflow_id,
        number=(latest.number + 1) if latest is not None else 1,
        graph=graph,
        node_count=_count(graph, "nodes"),
        edge_count=_count(graph, "edges"),
        created_by=created_by,
    )
    session.add(version)
    session.flush()
    return version, True


def save_graph(session: Session, workflow: Workflow, graph: dict[str, Any], created_by: str | None) -> bool:
    """Make `graph` the workflow's current graph (its name the document's) and store it as a version when it changed
    the graph; True when it did. The workflow row is written first: a new one so that its version can refer to it,
    an existing one so that its lock (SQLite's write lock, PostgreSQL's row lock) makes a second save of the same
    workflow wait until this one commits, then number its version after this one's."""
    workflow.graph, workflow.updated_at = graph, now()
    session.add(workflow)
    session.flush()
    return version_of(session, workflow.id, graph, created_by)[1]


def unique_name(wanted: str, taken: Iterable[str]) -> str:
    """`wanted`, or when a workflow already has that name, the first free "name (2)", "name (3)", … (a name that
    already ends in " (n)" counts on from its stem, so a copy of "A (2)" is "A (3)")."""
    names = set(taken)
    if wanted not in names:
        return wanted
    stem = re.sub(r" \(\d+\)$", "", wanted)
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = stem[: MAX_NAME_LENGTH - len(suffix)] + suffix
        if candidate not in names:
            return candidate
        number += 1
