import { describe, expect, it } from "vitest";
import { assetQuery, matchesLabel, readFilter, readView, sameFilter, writeFilter } from "./filter";

describe("asset filter", () => {
  it("reads and writes the URL", () => {
    const params = new URLSearchParams("view=annotate&class=c1&split=val&page=3&asset=a9");
    const filter = readFilter(params);
    expect(filter).toEqual({ label: { kind: "class", classId: "c1" }, split: "val" });
    expect(readView(params)).toBe("annotate");
    const written = writeFilter(params, { label: { kind: "unlabelled" }, split: null });
    expect(written.get("class")).toBe("none");
    expect(written.has("split")).toBe(false);
    expect(written.has("page")).toBe(false);
    expect(written.has("asset")).toBe(false);
    expect(written.get("view")).toBe("annotate");
    expect(readFilter(written)).toEqual({ label: { kind: "unlabelled" }, split: null });
  });

  it("ignores unknown values", () => {
    expect(readFilter(new URLSearchParams("split=test"))).toEqual({ label: { kind: "all" }, split: null });
    expect(readView(new URLSearchParams("view=nope"))).toBe("browse");
  });

  it("builds the API query, with the workflow only for a split", () => {
    expect(assetQuery({ label: { kind: "all" }, split: null }, 0, 50, "w1")).toBe("offset=0&limit=50");
    expect(assetQuery({ label: { kind: "unlabelled" }, split: "train" }, 100, 50, "w1")).toBe(
      "offset=100&limit=50&unlabelled=true&split=train&workflow_id=w1",
    );
    expect(assetQuery({ label: { kind: "class", classId: "c" }, split: "val" }, 0, 10)).toBe("offset=0&limit=10&class_id=c&split=val");
  });

  it("knows when a label moves an image out of a filter", () => {
    expect(matchesLabel({ class_id: null }, { kind: "unlabelled" })).toBe(true);
    expect(matchesLabel({ class_id: "c" }, { kind: "unlabelled" })).toBe(false);
    expect(matchesLabel({ class_id: "c" }, { kind: "class", classId: "c" })).toBe(true);
    expect(matchesLabel({ class_id: "d" }, { kind: "class", classId: "c" })).toBe(false);
    expect(matchesLabel({ class_id: null }, { kind: "all" })).toBe(true);
  });

  it("compares filters", () => {
    expect(sameFilter({ label: { kind: "all" }, split: null }, { label: { kind: "all" }, split: null })).toBe(true);
    expect(sameFilter({ label: { kind: "all" }, split: "val" }, { label: { kind: "all" }, split: null })).toBe(false);
  });
});
