"""Names people type — of projects, workflows, versions, runs, API tokens — are plain text: no control characters.

PostgreSQL refuses a NUL in a text column (the write fails as a server error), and a tab, newline or escape in a
name breaks the one-line places it is shown (lists, file names, notifications). Refused where the value comes in, as
a 400 naming the field, on every database alike. Pure: the graph schema uses it too.
"""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator


def refuse_control_characters(value: str) -> str:
    """`value`, or ValueError for a control character other than a tab or line break (white space: the routes that
    keep a name on one line collapse it)."""
    control = next((c for c in value if unicodedata.category(c) == "Cc" and not c.isspace()), None)
    if control is not None:
        raise ValueError(f"a name cannot hold control characters such as U+{ord(control):04X}")
    return value


def spaces_for_control_characters(value: str) -> str:
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in value)


PlainText = Annotated[str, AfterValidator(refuse_control_characters)]
# For names inside stored documents (a workflow graph's): made plain instead of refused, so a document stored before
# the rule still reads.
PlainedText = Annotated[str, AfterValidator(spaces_for_control_characters)]
