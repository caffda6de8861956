import { describe, expect, it } from "vitest";
import type { NodeDescriptor } from "../api/types";
import { catalogueByType } from "./connection";
import { insertAfter } from "./insert";
import type { FlowEdge, FlowNode } from "./types";

const d = (type: string, inputs: string[], outputs: string[]): NodeDescriptor => ({
  type, title: type, category: "c", description: "", recommended: false, params_schema: {}, defaults: {},
  inputs: inputs.map((k) => ({ name: k, kind: k, title: k, multiple: false })),
  outputs: outputs.map((k) => ({ name: k, kind: k, title: k, multiple: false })),
});
const catalogue = catalogueByType([d("src", [], ["dataset"]), d("aug", ["dataset"], ["dataset"]), d("model", ["dataset"], []), d("other", ["weights"], [])]);
const n = (id: string, nodeType: string, x: number): FlowNode => ({ id, type: "workflow", position: { x, y: 0 }, data: { nodeType, params: {} } });
const e = (id: string, source: string, target: string): FlowEdge => ({ id, source, sourceHandle: "dataset", target, targetHandle: "dataset" });

describe("insertAfter", () => {
  const nodes = [n("data", "src", 0), n("model", "model", 300)];
  const edges = [e("e1", "data", "model")];

  it("splices a pass-through node into the chain and shifts what follows", () => {
    const out = insertAfter(nodes, edges, "data", n("flip", "aug", 290), catalogue, 290);
    expect(out.edges.map((x) => `${x.source}->${x.target}`).sort()).toEqual(["data->flip", "flip->model"]);
    expect(out.nodes.find((x) => x.id === "model")!.position.x).toBe(590);
    expect(out.nodes.find((x) => x.id === "flip")!.position.x).toBe(290);
  });

  it("only connects when the new node ends the chain", () => {
    const out = insertAfter([n("data", "src", 0)], [], "data", n("model", "model", 290), catalogue, 290);
    expect(out.edges).toEqual([{ id: "e1", source: "data", sourceHandle: "dataset", target: "model", targetHandle: "dataset" }]);
  });

  it("adds without edges when no port fits", () => {
    const out = insertAfter(nodes, edges, "data", n("x", "other", 290), catalogue, 290);
    expect(out.edges).toEqual(edges);
    expect(out.nodes).toHaveLength(3);
  });
});
