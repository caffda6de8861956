import { describe, expect, it } from "vitest";
import { ANNOTATOR_REASON, permissionsFor, roleOf, VIEWER_REASON, whyNot } from "./role";

describe("project permissions by role", () => {
  it("lets an owner do everything", () => {
    expect(permissionsFor("owner")).toEqual({ role: "owner", canLabel: true, canRun: true, canManage: true });
  });

  it("lets an annotator label but not run, save workflows or manage", () => {
    expect(permissionsFor("annotator")).toEqual({ role: "annotator", canLabel: true, canRun: false, canManage: false });
    expect(whyNot("annotator", "label")).toBeNull();
    expect(whyNot("annotator", "run")).toBe(ANNOTATOR_REASON);
  });

  it("lets a viewer change nothing, and says why", () => {
    expect(permissionsFor("viewer")).toEqual({ role: "viewer", canLabel: false, canRun: false, canManage: false });
    expect(whyNot("viewer", "label")).toBe(VIEWER_REASON);
    expect(whyNot("viewer", "manage")).toBe(VIEWER_REASON);
  });

  it("permits nothing while the role is unknown", () => {
    expect(permissionsFor(null)).toEqual({ role: null, canLabel: false, canRun: false, canManage: false });
    expect(whyNot(undefined, "run")).toBeNull();
  });

  it("reads the role from the project, none while it loads", () => {
    expect(roleOf(undefined)).toBeNull();
    expect(roleOf({ my_role: "viewer" })).toBe("viewer");
  });
});
