"""Workflow documents written by an older Visionflow, brought to today's `schema_version` one step at a time, or
refused with the reason, addressed to the `schema_version` field.

Each step takes a document of version n and returns one of version n + 1 without changing its input. There is no
step yet: version 1 is the only format Visionflow has written, so no older number is one of ours. The first change
of the format bumps backend/graph/schema.py SCHEMA_VERSION and adds its step to UPGRADES, keyed by the version it
reads. A newer version (a later Visionflow's file) is refused too: this server cannot know what it means.
"""

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.graph.issues import Code, Issue
from backend.graph.schema import SCHEMA_VERSION

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
UPGRADES: dict[int, Upgrade] = {}  # version n → the step that makes it n + 1


@dataclass(frozen=True)
class Upgraded:
    """The document at SCHEMA_VERSION (None when refused), the version it came as, and why it was refused."""

    document: dict[str, Any] | None
    came_as: int = SCHEMA_VERSION
    issues: list[Issue] = field(default_factory=list)


def _refused(message: str, came_as: int = SCHEMA_VERSION) -> Upgraded:
    issue = Issue(code=Code.UNSUPPORTED_SCHEMA_VERSION, message=message, field="schema_version")
    return Upgraded(document=None, came_as=came_as, issues=[issue])


def upgrade_document(
    document: dict[str, Any], upgrades: Mapping[int, Upgrade] = UPGRADES, current: int = SCHEMA_VERSION
) -> Upgraded:
    """`document` at version `current`; a document without `schema_version` is taken as the current version."""
    version = document.get("schema_version", current)
    if type(version) is not int:  # not bool, not 1.0, not "1"
        shown = repr(version)[:40]
        return _refused(f"schema_version must be a whole number; this document has {shown}.")
    if version > current:
        return _refused(
            f"This workflow has schema version {version}, from a newer Visionflow: this server reads version "
            f"{current} and older. Update Visionflow to import it.",
            version,
        )
    upgraded = copy.deepcopy(document) if version < current else document  # steps may share nested values
    for step_from in range(version, current):
        step = upgrades.get(step_from)
        if step is None:
            known = f"versions {min(upgrades)} to {current}" if upgrades else f"version {current} only"
            return _refused(
                f"This workflow has schema version {version}, which this server cannot upgrade: it reads {known}.",
                version,
            )
        try:
            upgraded = {**step(upgraded), "schema_version": step_from + 1}
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            return _refused(
                f"This workflow has schema version {version}; upgrading it from version {step_from} to "
                f"{step_from + 1} failed: {error}.",
                version,
            )
    return Upgraded(document=upgraded, came_as=version)
