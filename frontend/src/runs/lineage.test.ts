import { describe, expect, it } from "vitest";
import { childGroups, parentWords } from "./lineage";

describe("run lineage words", () => {
  it("says how a run came from its parent", () => {
    expect(parentWords({ parent_run_id: "p", lineage: "resumed" })).toBe("resumed from");
    expect(parentWords({ parent_run_id: "p", lineage: "label_check" })).toBe("label check of");
    expect(parentWords({ parent_run_id: "p", lineage: "extended" })).toBe("extended from");
    expect(parentWords({ parent_run_id: "p", lineage: null })).toBe("extended from");
    expect(parentWords({ parent_run_id: null, lineage: null })).toBeNull();
  });

  it("groups a run's children by how they were made", () => {
    const groups = childGroups([
      { id: "a", lineage: "resumed" },
      { id: "b", lineage: "label_check" },
      { id: "c", lineage: "resumed" },
    ]);
    expect(groups).toEqual([
      { words: "resumed as", ids: ["a", "c"] },
      { words: "label checked by", ids: ["b"] },
    ]);
  });
});
