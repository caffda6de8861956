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

export function applyState(report: CsvImportReport | undefined): ApplyState {
  if (!report) return { ok: false, reason: "Checking…" };
  if (report.problems.length) return { ok: false, reason: `Fix the ${report.problems.length} problem(s) first: nothing is applied while any remain.` };
  if (!report.changes.length) return { ok: false, reason: "Nothing would change." };
  const classes = report.new_classes.length ? ` and create ${report.new_classes.length} class(es)` : "";
  return { ok: true, label: `Apply ${report.changes.length} change(s)${classes}` };
}

/** Texts up to this size can be fixed in place; bigger files are only checked and applied as they are. */
export const EDITABLE_BYTES = 1_000_000;
