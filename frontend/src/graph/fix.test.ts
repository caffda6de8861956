import { describe, expect, it } from "vitest";
import type { Issue, IssueFix } from "../api/types";
import { applicableFix, fixOnNode, isFixApplied, paramsWithFix } from "./fix";
import type { FlowNode } from "./types";

const fix: IssueFix = { label: "Use weighted sampling", node_id: "data", field: "balance", value: "weighted_sampling" };
const flowNode = (id: string, params: Record<string, unknown>): FlowNode =>
  ({ id, type: "workflow", position: { x: 0, y: 0 }, data: { nodeType: "dataset.project", params } });
const issue = (f: IssueFix | null): Issue => ({ code: "class_imbalance", severity: "warning", message: "m", node_id: "data", field: null, fix: f });

describe("issue fixes", () => {
  it("sets the one parameter and keeps the others, without touching the old params", () => {
    const before = { val_fraction: 0.2, balance: "none" };
    const after = paramsWithFix(before, fix);
    expect(after).toEqual({ val_fraction: 0.2, balance: "weighted_sampling" });
    expect(before.balance).toBe("none");
    expect(paramsWithFix(undefined, fix)).toEqual({ balance: "weighted_sampling" });
  });

  it("copies object values so later edits cannot reach back into the issue", () => {
    const objectFix = { ...fix, value: { a: [1] } };
    const params = paramsWithFix({}, objectFix);
    (params.balance as { a: number[] }).a.push(2);
    expect(objectFix.value.a).toEqual([1]);
  });

  it("offers a fix only while its node is there and lacks the value", () => {
    expect(applicableFix(issue(fix), [flowNode("data", { balance: "none" })])).toBe(fix);
    expect(applicableFix(issue(fix), [flowNode("data", { balance: "weighted_sampling" })])).toBeNull();
    expect(applicableFix(issue(fix), [flowNode("other", {})])).toBeNull();
    expect(applicableFix(issue(null), [flowNode("data", {})])).toBeNull();
    expect(isFixApplied([flowNode("data", { balance: "weighted_sampling" })], fix)).toBe(true);
  });

  it("on a node, hides a fix for that node once it has the value", () => {
    expect(fixOnNode(issue(fix), "data", { balance: "none" })).toBe(fix);
    expect(fixOnNode(issue(fix), "data", { balance: "weighted_sampling" })).toBeNull();
    expect(fixOnNode(issue({ ...fix, node_id: "model" }), "data", { balance: "weighted_sampling" })).not.toBeNull();
    expect(fixOnNode(issue(null), "data", {})).toBeNull();
  });
});
