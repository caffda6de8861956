import { describe, expect, it } from "vitest";
import type { CsvImportReport } from "../api/types";
import { applyState, canApplyValidRows, createClassesByDefault, lineRange } from "./csvModel";

describe("CSV import helpers", () => {
  it("finds a line in the text, with \\n or \\r\\n endings", () => {
    const text = "filename,label\na.png,cat\nb.png,dog";
    expect(lineRange(text, 1)).toEqual([0, 14]);
    expect(text.slice(...lineRange(text, 2)!)).toBe("a.png,cat");
    expect(text.slice(...lineRange(text, 3)!)).toBe("b.png,dog");
    expect(lineRange(text, 4)).toBeNull();
    expect(lineRange(text, 0)).toBeNull();
    const crlf = "filename,label\r\na.png,cat\r\n";
    expect(crlf.slice(...lineRange(crlf, 2)!)).toBe("a.png,cat");
  });

  it("allows Apply only without problems and with changes", () => {
    const report: CsvImportReport = { applied: false, dry_run: true, rows: 1, changes: [], unchanged: 1, new_classes: [], problems: [] };
    expect(applyState(undefined).ok).toBe(false);
    expect(applyState(report)).toEqual({ ok: false, reason: "Nothing would change." });
    const change = { line: 2, asset_id: "a", filename: "a.png", before: null, after: "cat" };
    expect(applyState({ ...report, changes: [change], new_classes: ["cat"] })).toEqual({ ok: true, label: "Apply 1 change(s) and create 1 class(es)" });
    const problems = [{ line: 3, code: "unknown_filename", message: "Line 3: no image named 'x.png'." }];
    expect(applyState({ ...report, changes: [change], problems }).ok).toBe(false);
  });

  it("applies only the valid rows when asked, saying how many rows it skips", () => {
    const change = { line: 2, asset_id: "a", filename: "a.png", before: null, after: "cat" };
    const problems = [{ line: 3, code: "unknown_filename", message: "Line 3: no image named 'x.png'." }];
    const report: CsvImportReport = { applied: false, dry_run: true, rows: 2, changes: [change], unchanged: 0, new_classes: [], problems };
    expect(applyState(report)).toEqual({ ok: false, reason: "Fix the 1 problem(s) first, or apply only the valid rows: nothing is applied while any remain." });
    expect(applyState(report, true)).toEqual({ ok: true, label: "Apply 1 change(s), skip 1 row(s)" });
    expect(canApplyValidRows(report)).toBe(true);
    expect(canApplyValidRows({ ...report, changes: [] })).toBe(false);
    expect(applyState({ ...report, changes: [] }, true)).toEqual({ ok: false, reason: "Nothing would change." });
  });

  it("ticks 'create classes' by default only in a project without classes", () => {
    expect(createClassesByDefault(0)).toBe(true);
    expect(createClassesByDefault(2)).toBe(false);
    expect(createClassesByDefault(undefined)).toBe(false); // not known yet
  });
});
