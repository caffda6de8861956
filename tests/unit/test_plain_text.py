"""Names people type are plain text: a control character other than white space is refused where the name comes in
(PostgreSQL refuses a NUL in text: it was a 500 there), and a graph document's name is made plain instead, so one
stored before the rule still reads."""

import pytest
from pydantic import ValidationError

from backend.api.auth import TokenCreate
from backend.api.schemas import ProjectCreate, ProjectRename, RunRename
from backend.api.workflow_schemas import VersionName, WorkflowRename
from backend.graph.schema import Graph


@pytest.mark.parametrize("model", [ProjectCreate, ProjectRename, RunRename, VersionName, WorkflowRename, TokenCreate])
def test_a_name_with_a_control_character_is_refused_and_white_space_is_not(model: type) -> None:
    for control in ("a\x00b", "a\x1bb", "a\x7fb"):
        with pytest.raises(ValidationError, match="control characters such as U\\+00"):
            model(name=control)
    assert model(name="Birds\tand bees\n").name.split() == ["Birds", "and", "bees"]


def test_a_graph_name_is_made_plain_not_refused() -> None:
    assert Graph(name="Birds\x00v2\x1b").name == "Birds v2 "
