import { describe, expect, it } from "vitest";
import type { WorkflowGraph } from "../api/types";
import { nextBefore } from "../api/versionHooks";
import type { WorkflowVersionSummary } from "../api/types";
import { diffGraphs } from "../graph/diff";
import { diffFlow, versionFlow } from "./diffFlow";

const older: WorkflowGraph = {
  schema_version: 1,
  name: "wf",
  nodes: [
    { id: "data", type: "dataset.project", params: {}, position: { x: 0, y: 0 } },
    { id: "model", type: "model.x", params: { imgsz: 320 }, position: { x: 300, y: 0 } },
  ],
  edges: [{ id: "e1", source: "data", source_port: "out", target: "model", target_port: "in" }],
};

const newer: WorkflowGraph = {
  ...older,
  nodes: [
    { id: "model", type: "model.x", params: { imgsz: 224 }, position: { x: 320, y: 0 } },
    { id: "flip", type: "augment.flip", params: {}, position: { x: 150, y: 100 } },
  ],
  edges: [{ id: "e1", source: "flip", source_port: "out", target: "model", target_port: "in" }],
};

describe("diffFlow", () => {
  it("draws both graphs, each node and edge classed by its change, a removed node at its old place", () => {
    const flow = diffFlow(diffGraphs(older, newer));
    expect(flow.nodes.map((n) => [n.id, n.className, n.position])).toEqual([
      ["model", "vf-diff-node vf-diff-changed vf-diff-moved", { x: 320, y: 0 }],
      ["flip", "vf-diff-node vf-diff-added", { x: 150, y: 100 }],
      ["data", "vf-diff-node vf-diff-removed", { x: 0, y: 0 }],
    ]);
    expect(flow.nodes.every((n) => n.draggable === false)).toBe(true);
    expect(flow.edges.map((e) => [e.id, e.source, e.className])).toEqual([
      ["removed:e1", "data", "vf-diff-edge vf-diff-removed"],
      ["added:e1", "flip", "vf-diff-edge vf-diff-added"],
    ]);
  });

  it("lays out a version whose nodes have no position", () => {
    const flow = versionFlow({ ...older, nodes: older.nodes.map(({ position: _p, ...n }) => n) });
    expect(flow.nodes.every((n) => Number.isFinite(n.position.x))).toBe(true);
    expect(flow.edges[0]).toMatchObject({ id: "e1", sourceHandle: "out", targetHandle: "in" });
  });
});

describe("version paging", () => {
  const page = (numbers: number[]) => numbers.map((number) => ({ number }) as WorkflowVersionSummary);
  it("asks for the versions below the last listed, until a short page or version 1", () => {
    expect(nextBefore(page([5, 4, 3]), 3)).toBe(3);
    expect(nextBefore(page([2, 1]), 2)).toBeUndefined();
    expect(nextBefore(page([5, 4]), 3)).toBeUndefined();
    expect(nextBefore([], 3)).toBeUndefined();
  });
});
