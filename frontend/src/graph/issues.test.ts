import { describe, expect, it } from "vitest";
import type { Issue, NodeDescriptor } from "../api/types";
import { blockingReason, indexIssues, splitNodeIssues, worstSeverity } from "./issues";

const issue = (p: Partial<Issue>): Issue => ({ code: "invalid_param", severity: "error", message: "m", node_id: null, field: null, ...p });

describe("issues", () => {
  it("indexes issues by node and keeps the rest general", () => {
    const idx = indexIssues(
      [issue({ node_id: "a" }), issue({ node_id: "a", severity: "warning" }), issue({ node_id: "gone" }), issue({})],
      ["a", "b"],
    );
    expect(idx.byNode.get("a")).toHaveLength(2);
    expect(idx.byNode.has("b")).toBe(false);
    expect(idx.general).toHaveLength(2);
    expect(idx.errors).toBe(3);
    expect(idx.warnings).toBe(1);
    expect(indexIssues([issue({ edge_id: "e1" })], []).byEdge.get("e1")).toHaveLength(1);
  });

  it("splits a node's issues between ports, params and the node", () => {
    const d = {
      inputs: [{ name: "dataset", kind: "dataset", title: "Images" }],
      outputs: [],
      params_schema: { properties: { p: {}, limit: {} } },
    } as unknown as NodeDescriptor;
    const split = splitNodeIssues(
      [issue({ field: "dataset", message: "not connected" }), issue({ field: "p", message: "too big" }), issue({ field: "other" }), issue({})],
      d,
    );
    expect(split.ports.dataset[0].message).toBe("not connected");
    expect(split.params).toEqual({ p: ["too big"] });
    expect(split.node).toHaveLength(2);
  });

  it("names the worst severity and the blocking reason", () => {
    expect(worstSeverity([])).toBeNull();
    expect(worstSeverity([issue({ severity: "warning" })])).toBe("warning");
    expect(worstSeverity([issue({ severity: "warning" }), issue({})])).toBe("error");
    expect(blockingReason([issue({ severity: "warning" })])).toBeNull();
    expect(blockingReason([issue({ message: "No model." }), issue({ message: "b" })])).toBe("No model. (+1 more)");
  });
});
