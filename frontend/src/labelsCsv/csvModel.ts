/** Pure helpers for the CSV import: where a reported line is in the text, and whether Apply may run. */
import type { CsvImportReport } from "../api/types";

/** Character offsets [start, end) of 1-based `line` in `text` (lines end with \n or \r\n); null when out of range. */
export function lineRange(text: string, line: number): [number, number] | null {
  if (line < 1) return null;
  let start = 0;
  for (let n = 1; n < line; n++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return null;
    start = nl + 1;
  }
  if (start > text.length) return null;
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === "\r") end -= 1;
  return [start, end];
}

export type ApplyState = { ok: true; label: string } | { ok: false; reason: string };

/** Whether Apply may run and what it says. With `validRowsOnly` the rows with problems are skipped, not blocking. */
export function applyState(report: CsvImportReport | undefined, validRowsOnly = false): ApplyState {
  if (!report) return { ok: false, reason: "Checking…" };
  const problems = report.problems.length;
  if (problems && !validRowsOnly) {
    const or = report.changes.length ? ", or apply only the valid rows" : "";
    return { ok: false, reason: `Fix the ${problems} problem(s) first${or}: nothing is applied while any remain.` };
  }
  if (!report.changes.length) return { ok: false, reason: "Nothing would change." };
  const classes = report.new_classes.length ? ` and create ${report.new_classes.length} class(es)` : "";
  const skipped = problems ? `, skip ${problems} row(s)` : "";
  return { ok: true, label: `Apply ${report.changes.length} change(s)${classes}${skipped}` };
}

/** Offering to apply only the valid rows makes sense when some rows have problems and others would change labels. */
export const canApplyValidRows = (report: CsvImportReport | undefined) => !!report && report.problems.length > 0 && report.changes.length > 0;

/** "Create classes that do not exist yet" starts ticked in a project with no classes: every label names a new one. */
export const createClassesByDefault = (classCount: number | undefined) => classCount === 0;

/** Texts up to this size can be fixed in place; bigger files are only checked and applied as they are. */
export const EDITABLE_BYTES = 1_000_000;
