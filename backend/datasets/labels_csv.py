"""Labels as CSV, `filename,label` (header `class` accepted for `label`): parse, plan, export. Pure.

Import is all-or-nothing by default: `plan_label_import` reports every problem with its line number, and a plan
with problems changes nothing. A row with a problem never becomes a change (nor creates a class), so a caller may
instead apply the plan's changes and skip the problem rows (`apply_valid_rows` in the API). Export guards cells against formula injection in spreadsheets, and
import removes that guard again, so export(import(x)) == x.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from backend.datasets.class_names import class_name_problem

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CSV_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LabelRow:
    line: int  # 1-based line in the file
    filename: str
    label: str


@dataclass(frozen=True)
class CsvProblem:
    line: int | None
    code: str  # bad_header | unknown_filename | ambiguous_filename | duplicate_row | empty_label | bad_class_name
    #            | unknown_class | bad_row | unreadable | not_utf8
    message: str


@dataclass(frozen=True)
class LabelChange:
    line: int
    asset_id: str
    filename: str
    before: str | None
    after: str


@dataclass
class LabelImportPlan:
    changes: list[LabelChange] = field(default_factory=list)
    unchanged: int = 0
    new_classes: list[str] = field(default_factory=list)
    problems: list[CsvProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


GUARDED_STARTS = (*FORMULA_STARTS, "'")  # a leading quote is guarded too, so the guard can be told apart


def _unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(GUARDED_STARTS) else cell


def _guard(cell: str) -> str:
    return "'" + cell if cell.startswith(GUARDED_STARTS) else cell


def parse_labels_csv(data: bytes) -> tuple[list[LabelRow], list[CsvProblem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [CsvProblem(None, "not_utf8", f"The file is not UTF-8 text (byte {error.start}).")]
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = _ReadableRows(reader)
    header = next(lines, None)
    if lines.problem is not None:
        return [], [lines.problem]
    columns = [c.strip().lower() for c in header] if header else []
    if "filename" not in columns or not ({"label", "class"} & set(columns)):
        return [], [
            CsvProblem(1, "bad_header", "The first line must name the columns: filename,label (or filename,class).")
        ]
    file_col = columns.index("filename")
    label_col = columns.index("label") if "label" in columns else columns.index("class")
    rows: list[LabelRow] = []
    problems: list[CsvProblem] = []
    for cells in lines:
        line = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) <= max(file_col, label_col):
            problems.append(
                CsvProblem(line, "bad_row", f"Line {line} has {len(cells)} column(s); expected filename and label.")
            )
            continue
        filename, label = _unguard(cells[file_col].strip()), _unguard(cells[label_col].strip())
        if not label:
            problems.append(CsvProblem(line, "empty_label", f"Line {line}: {filename!r} has an empty label."))
            continue
        if problem := class_name_problem(label):
            problems.append(CsvProblem(line, "bad_class_name", f"Line {line}: {problem}"))
            continue
        rows.append(LabelRow(line, filename, label))
    if lines.problem is not None:
        problems.append(lines.problem)
    return rows, problems


class _ReadableRows(Iterator[list[str]]):
    """The reader's rows, stopping at the first the csv module cannot read (a field over its 131,072-character
    limit): the problem is kept, with its line, and the lines after it are not read."""

    def __init__(self, reader) -> None:  # type: ignore[no-untyped-def]  (csv's reader type is private)
        self.reader = reader
        self.problem: CsvProblem | None = None

    def __next__(self) -> list[str]:
        if self.problem is not None:
            raise StopIteration
        try:
            return next(self.reader)
        except csv.Error as error:
            line = self.reader.line_num
            self.problem = CsvProblem(line, "unreadable", f"Line {line} cannot be read as CSV ({error}).")
            raise StopIteration from None


def plan_label_import(
    rows: list[LabelRow],
    assets_by_filename: dict[str, list[tuple[str, str | None]]],  # filename → [(asset id, current label)]
    classes: set[str],
    create_classes: bool,
    problems: list[CsvProblem] | None = None,
) -> LabelImportPlan:
    plan = LabelImportPlan(problems=list(problems or []))
    first_line: dict[str, int] = {}
    for row in rows:
        if row.filename in first_line:
            plan.problems.append(
                CsvProblem(
                    row.line,
                    "duplicate_row",
                    f"Line {row.line}: {row.filename!r} is already labelled on line {first_line[row.filename]}.",
                )
            )
            continue
        first_line[row.filename] = row.line
        matches = assets_by_filename.get(row.filename, [])
        if not matches:
            plan.problems.append(
                CsvProblem(
                    row.line, "unknown_filename", f"Line {row.line}: no image named {row.filename!r} in this project."
                )
            )
            continue
        if len(matches) > 1:
            plan.problems.append(
                CsvProblem(
                    row.line,
                    "ambiguous_filename",
                    f"Line {row.line}: {len(matches)} images are named {row.filename!r}.",
                )
            )
            continue
        if row.label not in classes:
            if not create_classes:
                plan.problems.append(
                    CsvProblem(
                        row.line,
                        "unknown_class",
                        f"Line {row.line}: there is no class {row.label!r} (allow creating classes to add it).",
                    )
                )
                continue
            if row.label not in plan.new_classes:
                plan.new_classes.append(row.label)
        asset_id, before = matches[0]
        if before == row.label:
            plan.unchanged += 1
        else:
            plan.changes.append(LabelChange(row.line, asset_id, row.filename, before, row.label))
    return plan


def export_labels_csv(rows: list[tuple[str, str]]) -> str:
    """`rows` are (filename, label); CRLF line ends as RFC 4180 says."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["filename", "label"])
    writer.writerows((_guard(f), _guard(label)) for f, label in rows)
    return buffer.getvalue()
