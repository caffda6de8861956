import { describe, expect, it } from "vitest";
import type { CsvImportReport } from "../api/types";
import { applyState, lineRange } from "./csvModel";

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
});
