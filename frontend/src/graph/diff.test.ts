import { describe, expect, it } from "vitest";
import type { GraphEdge, GraphNode } from "../api/types";
import { changeText, diffCounts, diffGraphs, paramChanges, sameValue, valueText, type ParamSchema } from "./diff";

const data: GraphNode = { id: "data", type: "dataset.project", params: { val_fraction: 0.2, seed: 0 }, position: { x: 0, y: 0 } };
const flip: GraphNode = { id: "flip", type: "augment.horizontal_flip", params: { p: 0.5 }, position: { x: 300, y: 0 } };
const model: GraphNode = { id: "model", type: "model.yolov8_cls", params: { imgsz: 320, opts: { a: 1, b: [1, 2] } }, position: { x: 600, y: 0 } };
const edge = (id: string, source: string, target: string): GraphEdge => ({ id, source, source_port: "out", target, target_port: "in" });

const older = { nodes: [data, model], edges: [edge("e1", "data", "model")] };

describe("diffGraphs", () => {
  it("finds an added node, a changed parameter and the rewired edges", () => {
    const newer = {
      nodes: [data, { ...model, params: { ...model.params, imgsz: 224 } }, flip],
      edges: [edge("e1", "data", "flip"), edge("e2", "flip", "model")],
    };
    const diff = diffGraphs(older, newer);
    const byId = Object.fromEntries(diff.nodes.map((n) => [n.id, n]));
    expect(byId.data.status).toBe("unchanged");
    expect(byId.flip.status).toBe("added");
    expect(byId.model.status).toBe("changed");
    expect(byId.model.params).toEqual([{ name: "imgsz", before: 320, after: 224 }]);
    // "e1" is reused for another connection: matched by what it connects, it is one removed and one added edge.
    expect(diff.edges.map((e) => [e.id, e.status, e.edge.target])).toEqual([
      ["e1", "added", "flip"],
      ["e2", "added", "model"],
      ["e1", "removed", "model"],
    ]);
    expect(diff.same).toBe(false);
    expect(diffCounts(diff)).toMatchObject({ added: 1, removed: 0, changed: 1, unchanged: 1, edgesAdded: 2, edgesRemoved: 1 });
  });

  it("keeps a removed node, at its old position, after the newer graph's nodes", () => {
    const diff = diffGraphs(older, { nodes: [model], edges: [] });
    expect(diff.nodes.map((n) => [n.id, n.status])).toEqual([
      ["model", "unchanged"],
      ["data", "removed"],
    ]);
    expect(diff.nodes[1].node.position).toEqual({ x: 0, y: 0 });
    expect(diff.edges).toEqual([{ id: "e1", status: "removed", edge: edge("e1", "data", "model") }]);
  });

  it("reports a node that only moved as moved, not changed; nested key order does not count", () => {
    const moved = { ...model, position: { x: 640, y: 40 }, params: { opts: { b: [1, 2], a: 1 }, imgsz: 320 } };
    const diff = diffGraphs(older, { nodes: [data, moved], edges: older.edges });
    const node = diff.nodes.find((n) => n.id === "model")!;
    expect(node.status).toBe("unchanged");
    expect(node.moved).toBe(true);
    expect(diff.same).toBe(true);
  });

  it("compares nested values deeply and reports a changed type", () => {
    const newer = { nodes: [data, { ...model, type: "model.other", params: { imgsz: 320, opts: { a: 1, b: [2, 1] } } }], edges: older.edges };
    const node = diffGraphs(older, newer).nodes.find((n) => n.id === "model")!;
    expect(node.status).toBe("changed");
    expect(node.typeBefore).toBe("model.yolov8_cls");
    expect(node.params).toEqual([{ name: "opts", before: { a: 1, b: [1, 2] }, after: { a: 1, b: [2, 1] } }]);
  });
});

describe("parameters", () => {
  it("lists set, unset and changed parameters", () => {
    expect(paramChanges({ a: 1, b: 2 }, { a: 1, c: 3 })).toEqual([
      { name: "c", before: undefined, after: 3 },
      { name: "b", before: 2, after: undefined },
    ]);
    expect(sameValue([1, { x: null }], [1, { x: null }])).toBe(true);
    expect(sameValue({ x: undefined }, {})).toBe(true);
    expect(sameValue([1], { 0: 1 })).toBe(false);
  });

  it("writes a change with the parameter's title and enum names", () => {
    const schemas: Record<string, ParamSchema> = {
      border_mode: { title: "Border", enum: [0, 4], "x-enum-names": ["Constant", "Reflect 101"] },
      p: { title: "Probability" },
    };
    expect(changeText({ name: "border_mode", before: 0, after: 4 }, schemas)).toBe("Border: Constant → Reflect 101");
    expect(changeText({ name: "p", before: 0.5, after: undefined }, schemas)).toBe("Probability: 0.5 → not set");
    expect(changeText({ name: "size", before: [1, 2], after: null })).toBe("size: [1,2] → none");
    expect(valueText(true)).toBe("on");
    expect(valueText("x".repeat(100))).toHaveLength(60);
  });
});

describe("values named inside anyOf", () => {
  it("names an enum value of one branch of a parameter that also takes numbers", () => {
    const fill: ParamSchema = {
      title: "Fill value",
      anyOf: [{ enum: [] }, { enum: ["random", "random_uniform"], "x-enum-names": ["Random", "Random uniform"] }],
    };
    expect(valueText("random_uniform", fill)).toBe("Random uniform");
    expect(valueText(0, fill)).toBe("0");
  });
});
