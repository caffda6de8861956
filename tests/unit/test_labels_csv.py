"""CSV labels: parsing rules with line numbers, and export(import(x)) == x."""

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.datasets.labels_csv import export_labels_csv, parse_labels_csv, plan_label_import


def test_bom_crlf_and_class_header_are_accepted():
    rows, problems = parse_labels_csv("\ufefffilename,class\r\na.png,cat\r\nb.png,dog\r\n".encode())
    assert problems == [] and [(r.line, r.filename, r.label) for r in rows] == [
        (2, "a.png", "cat"),
        (3, "b.png", "dog"),
    ]


def test_problems_carry_line_numbers():
    text = "filename,label\na.png,cat\nb.png,\na.png,dog\nzzz.png,cat\nc.png,owl\nd.png\n"
    rows, problems = parse_labels_csv(text.encode())
    plan = plan_label_import(
        rows,
        {"a.png": [("1", None)], "b.png": [("2", None)], "c.png": [("3", None)], "d.png": [("4", None)]},
        {"cat", "dog"},
        create_classes=False,
        problems=problems,
    )
    found = sorted((p.line, p.code) for p in plan.problems)
    assert found == [
        (3, "empty_label"),
        (4, "duplicate_row"),
        (5, "unknown_filename"),
        (6, "unknown_class"),
        (7, "bad_row"),
    ]
    assert not plan.ok


def test_unknown_classes_can_be_created_on_request():
    rows, _ = parse_labels_csv(b"filename,label\na.png,owl\nb.png,owl\n")
    plan = plan_label_import(rows, {"a.png": [("1", None)], "b.png": [("2", "cat")]}, {"cat"}, create_classes=True)
    assert plan.ok and plan.new_classes == ["owl"]
    assert [(c.asset_id, c.before, c.after) for c in plan.changes] == [("1", None, "owl"), ("2", "cat", "owl")]


def test_a_bad_header_is_one_clear_problem():
    _, problems = parse_labels_csv(b"name;label\na.png;cat\n")
    assert [(p.line, p.code) for p in problems] == [(1, "bad_header")]


def test_export_guards_formulas_and_import_removes_the_guard():
    exported = export_labels_csv([("=HYPERLINK(1).png", "@cat"), ("plain.png", "-1")])
    assert exported == "filename,label\r\n'=HYPERLINK(1).png,'@cat\r\nplain.png,'-1\r\n"
    rows, _ = parse_labels_csv(exported.encode())
    assert [(r.filename, r.label) for r in rows] == [("=HYPERLINK(1).png", "@cat"), ("plain.png", "-1")]


cell = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=20).map(str.strip).filter(bool)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(cell, cell, min_size=1, max_size=30))
def test_export_of_import_is_identity(labels):
    original = export_labels_csv(sorted(labels.items()))
    rows, problems = parse_labels_csv(original.encode())
    assert problems == []
    assets = {r.filename: [(r.filename, None)] for r in rows}
    plan = plan_label_import(rows, assets, set(labels.values()), create_classes=False)
    assert plan.ok
    imported = sorted((c.filename, c.after) for c in plan.changes)
    assert export_labels_csv(imported) == original
