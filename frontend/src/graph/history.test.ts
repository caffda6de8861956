import { describe, expect, it } from "vitest";
import type { WorkflowGraph } from "../api/types";
import { canRedo, canUndo, COALESCE_MS, coalesceKey, record, redo, startHistory, undo } from "./history";

const base: WorkflowGraph = {
  schema_version: 1,
  name: "wf",
  nodes: [
    { id: "data", type: "dataset.project", params: { val_fraction: 0.2, seed: 0 }, position: { x: 0, y: 0 } },
    { id: "model", type: "model.yolov8_cls", params: { imgsz: 320 }, position: { x: 300, y: 0 } },
  ],
  edges: [{ id: "e1", source: "data", source_port: "dataset", target: "model", target_port: "dataset" }],
};

function withParam(g: WorkflowGraph, id: string, field: string, value: unknown): WorkflowGraph {
  return { ...g, nodes: g.nodes.map((n) => (n.id === id ? { ...n, params: { ...n.params, [field]: value } } : n)) };
}

function moved(g: WorkflowGraph, id: string, x: number): WorkflowGraph {
  return { ...g, nodes: g.nodes.map((n) => (n.id === id ? { ...n, position: { x, y: 0 } } : n)) };
}

const withoutModel: WorkflowGraph = { ...base, nodes: base.nodes.slice(0, 1), edges: [] };

describe("history", () => {
  it("undoes and redoes each recorded edit, and a new edit drops the future", () => {
    let h = startHistory(base);
    expect(canUndo(h)).toBe(false);
    h = record(h, withoutModel, 10);
    h = record(h, moved(withoutModel, "data", 80), 5000);
    expect(h.past).toHaveLength(2);
    h = undo(h);
    expect(h.present.graph).toEqual(withoutModel);
    h = undo(h);
    expect(h.present.graph).toEqual(base); // the deleted node and its edge are back
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present.graph).toEqual(withoutModel);
    expect(canRedo(h)).toBe(true);
    h = record(h, moved(withoutModel, "data", 16), 9000);
    expect(canRedo(h)).toBe(false);
    expect(redo(h)).toBe(h);
  });

  it("ignores a graph equal to the present", () => {
    const h = startHistory(base);
    expect(record(h, structuredClone(base), 1)).toBe(h);
  });

  it("merges typing in a node's parameters into one step, but not across nodes or a pause", () => {
    let h = startHistory(base);
    h = record(h, withParam(base, "model", "imgsz", 3), 100);
    h = record(h, withParam(base, "model", "imgsz", 32), 200);
    h = record(h, withParam(base, "model", "imgsz", 324), 300);
    expect(h.past).toHaveLength(1);
    expect(record(h, base, 400)).toMatchObject({ past: [], present: { json: JSON.stringify(base) } }); // typed back
    const typed = h.present.graph;
    h = record(h, withParam(typed, "data", "seed", 1), 400); // another node
    expect(h.past).toHaveLength(2);
    h = record(h, withParam(h.present.graph, "data", "seed", 12), 400 + COALESCE_MS + 1); // after a pause
    expect(h.past).toHaveLength(3);
    h = undo(undo(undo(h)));
    expect(h.present.graph).toEqual(base);
  });

  it("merges the first keystroke that also writes the form's defaults with the rest of the typing", () => {
    const partial: WorkflowGraph = { ...base, nodes: [base.nodes[0], { ...base.nodes[1], params: {} }] };
    let h = startHistory(partial);
    h = record(h, withParam(withParam(partial, "model", "size", "n"), "model", "imgsz", 9), 100);
    h = record(h, withParam(h.present.graph, "model", "imgsz", 96), 200);
    expect(h.past).toHaveLength(1);
    expect(undo(h).present.graph).toEqual(partial);
  });

  it("never merges an edit into a state reached by undo", () => {
    let h = startHistory(base);
    h = record(h, withParam(base, "model", "imgsz", 64), 100);
    h = record(h, withParam(base, "model", "imgsz", 640), 3000);
    h = undo(h);
    h = record(h, withParam(base, "model", "imgsz", 6400), 3100);
    expect(h.past).toHaveLength(2);
    expect(undo(h).present.graph).toEqual(withParam(base, "model", "imgsz", 64));
  });

  it("keeps at most `cap` steps", () => {
    let h = startHistory(base);
    for (let i = 1; i <= 12; i++) h = record(h, moved(base, "data", i * 8), i * 10_000, 5);
    expect(h.past).toHaveLength(5);
    expect(h.past[0].graph.nodes[0].position).toEqual({ x: 56, y: 0 });
  });
});

describe("coalesceKey", () => {
  it("names a change of one node's parameters or of the name, and nothing else", () => {
    expect(coalesceKey(base, withParam(base, "model", "imgsz", 64))).toBe("params:model");
    expect(coalesceKey(base, withParam(withParam(base, "data", "seed", 3), "data", "val_fraction", 0.3))).toBe("params:data");
    expect(coalesceKey(base, { ...base, name: "other" })).toBe("name");
    expect(coalesceKey(base, withParam(withParam(base, "model", "imgsz", 64), "data", "seed", 2))).toBeNull();
    expect(coalesceKey(base, { ...withParam(base, "data", "seed", 2), name: "x" })).toBeNull();
    expect(coalesceKey(base, moved(base, "data", 8))).toBeNull();
    expect(coalesceKey(base, withoutModel)).toBeNull();
    expect(coalesceKey(base, { ...base, edges: [] })).toBeNull();
  });
});
