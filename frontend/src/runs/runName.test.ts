import { describe, expect, it } from "vitest";
import { seriesLabel } from "./compareModel";
import { checkRunName, MAX_RUN_NAME, runName, versionLink } from "./runName";

describe("checkRunName", () => {
  it("trims and joins whitespace as the server saves it", () => {
    expect(checkRunName("  Best   so far\n")).toEqual({ name: "Best so far", error: null });
  });
  it("refuses an empty or blank name", () => {
    expect(checkRunName("   ").error).toBe("A run needs a name.");
  });
  it("refuses a name over the limit, saying its length", () => {
    expect(checkRunName("x".repeat(MAX_RUN_NAME)).name).toHaveLength(MAX_RUN_NAME);
    expect(checkRunName("x".repeat(MAX_RUN_NAME + 1)).error).toContain("201");
  });
  it("counts characters as the server does: an emoji is one", () => {
    expect(checkRunName("🐦".repeat(MAX_RUN_NAME)).error).toBeNull(); // 400 UTF-16 units, 200 characters
  });
});

describe("runName", () => {
  it("falls back to the workflow's name for a run without one", () => {
    expect(runName({ name: "Birds · YOLO11n · 224 px · 30 ep", workflow_name: "Birds" })).toBe("Birds · YOLO11n · 224 px · 30 ep");
    expect(runName({ name: "", workflow_name: "Birds" })).toBe("Birds");
  });
});

describe("versionLink", () => {
  it("links to the exact version the run trained, by number", () => {
    expect(versionLink("p1", { workflow_id: "w1", workflow_version_id: "v7", workflow_version_number: 7 })).toEqual({
      to: "/projects/p1/workflows/w1/versions/v7",
      label: "workflow version 7",
    });
  });
  it("gives no link when no version (or workflow) was recorded", () => {
    expect(versionLink("p1", { workflow_id: "w1", workflow_version_id: null, workflow_version_number: null })).toBeNull();
    expect(versionLink("p1", { workflow_id: null, workflow_version_id: "v7", workflow_version_number: 7 })).toBeNull();
  });
});

describe("seriesLabel", () => {
  it("names a compared run in a legend, shortened, with its id", () => {
    expect(seriesLabel({ id: "r1", name: "Birds · YOLO11n · 224 px · 30 ep", workflow_name: "Birds" })).toBe("Birds · YOLO11n · 224 px · 30 ep (r1)");
    expect(seriesLabel({ id: "r2", name: "x".repeat(60), workflow_name: "Birds" })).toBe(`${"x".repeat(39)}… (r2)`);
    expect(seriesLabel({ id: "r3", name: "", workflow_name: "" })).toBe("r3");
  });
});
