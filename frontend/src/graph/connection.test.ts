import { describe, expect, it } from "vitest";
import type { NodeDescriptor } from "../api/types";
import { catalogueByType, checkConnection } from "./connection";
import type { FlowNode } from "./types";

function descriptor(type: string, inputs: [string, string, boolean?][], outputs: [string, string][]): NodeDescriptor {
  return {
    type,
    title: type,
    category: type.split(".")[0],
    description: "",
    recommended: false,
    inputs: inputs.map(([name, kind, multiple]) => ({ name, kind, title: name, multiple: multiple ?? false })),
    outputs: outputs.map(([name, kind]) => ({ name, kind, title: name, multiple: false })),
    params_schema: {},
    defaults: {},
  };
}

const catalogue = catalogueByType([
  descriptor("src.images", [], [["dataset", "dataset"]]),
  descriptor("mid.aug", [["dataset", "dataset"]], [["dataset", "dataset"]]),
  descriptor("sink.model", [["dataset", "dataset"]], [["weights", "model"]]),
  descriptor("sink.export", [["model", "model"]], []),
  descriptor("sink.merge", [["many", "dataset", true]], []),
]);

const node = (id: string, nodeType: string) => ({ id, data: { nodeType, params: {} } }) as Pick<FlowNode, "id" | "data">;
const nodes = [node("a", "src.images"), node("b", "mid.aug"), node("m", "sink.model"), node("x", "sink.export"), node("g", "sink.merge"), node("a2", "src.images")];
const conn = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({ source, sourceHandle, target, targetHandle });

describe("checkConnection", () => {
  it("accepts matching kinds into a free input", () => {
    expect(checkConnection(conn("a", "dataset", "b", "dataset"), nodes, [], catalogue)).toEqual({ ok: true });
    expect(checkConnection(conn("m", "weights", "x", "model"), nodes, [], catalogue).ok).toBe(true);
  });

  it("refuses a kind mismatch, with the kinds in the reason", () => {
    const v = checkConnection(conn("a", "dataset", "x", "model"), nodes, [], catalogue);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/dataset.*model/);
  });

  it("refuses a second edge into a single input, unless that edge is being moved", () => {
    const edges = [{ id: "e1", target: "b", targetHandle: "dataset" }];
    expect(checkConnection(conn("a2", "dataset", "b", "dataset"), nodes, edges, catalogue).ok).toBe(false);
    expect(checkConnection(conn("a2", "dataset", "b", "dataset"), nodes, edges, catalogue, "e1").ok).toBe(true);
  });

  it("lets a multiple input take many edges", () => {
    const edges = [{ id: "e1", target: "g", targetHandle: "many" }];
    expect(checkConnection(conn("a2", "dataset", "g", "many"), nodes, edges, catalogue).ok).toBe(true);
  });

  it("refuses self-loops, unknown nodes and unknown ports", () => {
    expect(checkConnection(conn("b", "dataset", "b", "dataset"), nodes, [], catalogue).ok).toBe(false);
    expect(checkConnection(conn("zz", "dataset", "b", "dataset"), nodes, [], catalogue).ok).toBe(false);
    expect(checkConnection(conn("a", "nope", "b", "dataset"), nodes, [], catalogue).ok).toBe(false);
    expect(checkConnection({ source: null, target: "b" }, nodes, [], catalogue).ok).toBe(false);
  });

});

describe("colours", () => {
  it("gives categories and kinds distinct colours in catalogue order, grey for unknown ones", async () => {
    const { makeColours } = await import("./colours");
    const colours = makeColours([...catalogue.values()]);
    const cats = ["src", "mid", "sink"].map(colours.category);
    expect(new Set(cats).size).toBe(3);
    expect(colours.kind("dataset")).not.toBe(colours.kind("model"));
    expect(colours.kind("unknown")).toMatch(/ 0% /);
  });
});
