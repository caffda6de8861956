"""The one rule for what may name a class, wherever the name comes from: the class API, a CSV label, a folder in
an upload or a zip. A name travels into the annotator, the CSV export and a trained model's class list, so a name
one door refuses must not come in through another."""

import unicodedata

MAX_CLASS_NAME_LENGTH = 100


def class_name_problem(name: str) -> str | None:
    """Why `name` (already stripped of surrounding spaces) cannot name a class, as a sentence; None when it can."""
    if not name:
        return "A class needs a name."
    if len(name) > MAX_CLASS_NAME_LENGTH:
        return f"A class name has at most {MAX_CLASS_NAME_LENGTH} characters; this one has {len(name):,}."
    control = next((c for c in name if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        return f"A class name cannot hold control characters such as U+{ord(control):04X}."
    return None


def shown_name(name: str, limit: int = 40) -> str:
    """The name as a report quotes it: control characters escaped, long names cut."""
    quoted = repr(name[:limit])
    return quoted + ("…" if len(name) > limit else "")
