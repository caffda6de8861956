"""One rule for class names, and the folder layout applying it: a folder that cannot name a class refuses its file."""

import pytest

from backend.datasets.class_names import class_name_problem, shown_name
from backend.datasets.layout import place


@pytest.mark.parametrize("name", ["cat", "3", "a" * 100, "chat noir", "猫", "cat 🐈"])
def test_names_a_person_would_type_are_fine(name):
    assert class_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("", "needs a name"),
        ("a" * 101, "at most 100 characters; this one has 101"),
        ("nul\x00", "U+0000"),
        ("tab\there", "U+0009"),
        ("line\nbreak", "U+000A"),
        ("del\x7f", "U+007F"),
    ],
)
def test_names_that_break_the_rule_say_why(name, says):
    assert says in class_name_problem(name)


def test_a_folder_that_cannot_name_a_class_gives_a_placement_with_the_reason():
    placement = place("pets/train/" + "x" * 300 + "/1.png")
    assert (placement.filename, placement.split) == ("1.png", "train")
    assert placement.class_problem.startswith("The folder 'xxxx")
    assert "…" in placement.class_problem and "at most 100 characters" in placement.class_problem


def test_folder_names_are_stripped_and_a_folder_of_spaces_names_no_class():
    assert (place(" cat /1.png").class_name, place(" cat /1.png").class_problem) == ("cat", None)
    assert (place("   /1.png").class_name, place("   /1.png").class_problem) == (None, None)
    assert place("cat/1.png", use_folders=False).class_name is None


def test_reports_quote_names_with_control_characters_escaped_and_long_ones_cut():
    assert shown_name("a\x00b") == "'a\\x00b'"
    assert shown_name("y" * 50) == "'" + "y" * 40 + "'…"
