import { describe, expect, it } from "vitest";
import type { WorkflowGraph } from "../api/types";
import { copySelection, parseWorkflowText, PASTE_OFFSET, prepareForPaste, serialise } from "./clipboard";

const graph: WorkflowGraph = {
  schema_version: 1,
  name: "source",
  description: "not copied",
  nodes: [
    { id: "data", type: "dataset.project", params: { seed: 0 }, position: { x: 0, y: 0 } },
    { id: "flip", type: "augment.horizontal_flip", params: { p: 0.5 }, position: { x: 300, y: 16 } },
    { id: "model", type: "model.yolov8_cls", params: { imgsz: 320 }, position: { x: 600, y: 0 } },
  ],
  edges: [
    { id: "e1", source: "data", source_port: "dataset", target: "flip", target_port: "dataset" },
    { id: "e2", source: "flip", source_port: "dataset", target: "model", target_port: "dataset" },
  ],
};
const known = new Set(graph.nodes.map((n) => n.type));

describe("copySelection", () => {
  it("keeps the selected nodes and only the edges between them, as a workflow document", () => {
    const doc = copySelection(graph, ["flip", "model"]);
    expect(doc.schema_version).toBe(1);
    expect(doc.nodes.map((n) => n.id)).toEqual(["flip", "model"]);
    expect(doc.edges.map((e) => e.id)).toEqual(["e2"]);
    expect(doc).not.toHaveProperty("description");
    doc.nodes[0].params.p = 1;
    expect(graph.nodes[1].params.p).toBe(0.5);
  });
});

describe("parseWorkflowText", () => {
  it("reads what copy wrote, and an exported workflow", () => {
    const parsed = parseWorkflowText(serialise(copySelection(graph, ["flip"])));
    expect(parsed.ok && parsed.doc.nodes[0].id).toBe("flip");
    expect(parseWorkflowText(JSON.stringify(graph)).ok).toBe(true);
  });

  it("says why text is not a workflow", () => {
    const reason = (t: string) => {
      const p = parseWorkflowText(t);
      return p.ok ? "" : p.reason;
    };
    expect(reason("")).toMatch(/empty/);
    expect(reason("hello")).toMatch(/not JSON/);
    expect(reason('{"a": 1}')).toMatch(/not a workflow/);
    expect(reason("[1, 2]")).toMatch(/not a workflow/);
    expect(reason('{"nodes": [{"id": "x"}]}')).toMatch(/Node 1 .* no id or type/);
    expect(reason('{"nodes": [], "edges": [{"id": "e"}]}')).toMatch(/Edge 1 .* incomplete/);
    expect(reason('{"schema_version": 7, "nodes": []}')).toMatch(/schema_version 7/);
  });
});

describe("prepareForPaste", () => {
  it("gives fresh ids, rewires inner edges and offsets positions", () => {
    const doc = copySelection(graph, ["flip", "model"]);
    const out = prepareForPaste(doc, { takenNodeIds: ["data", "flip", "model"], takenEdgeIds: ["e1", "e2"], knownTypes: known });
    expect(out.nodes.map((n) => n.id)).toEqual(["horizontal_flip", "yolov8_cls"]);
    expect(out.nodes[0].position).toEqual({ x: 300 + PASTE_OFFSET, y: 16 + PASTE_OFFSET });
    expect(out.edges).toEqual([{ id: "e3", source: "horizontal_flip", source_port: "dataset", target: "yolov8_cls", target_port: "dataset" }]);
    expect(out.unknown).toEqual([]);
  });

  it("avoids ids already taken, including ones given in the same paste", () => {
    const doc = copySelection(graph, ["flip"]);
    const twice = { ...doc, nodes: [doc.nodes[0], { ...doc.nodes[0], id: "flip2" }] };
    const out = prepareForPaste(twice, { takenNodeIds: ["horizontal_flip"], takenEdgeIds: [], knownTypes: known });
    expect(out.nodes.map((n) => n.id)).toEqual(["horizontal_flip_2", "horizontal_flip_3"]);
  });

  it("puts the group's top-left corner at a point", () => {
    const out = prepareForPaste(copySelection(graph, ["flip", "model"]), { takenNodeIds: [], takenEdgeIds: [], knownTypes: known, at: { x: 1000, y: 500 } });
    expect(out.nodes.map((n) => n.position)).toEqual([{ x: 1000, y: 516 }, { x: 1300, y: 500 }]);
  });

  it("leaves out nodes of unknown types with their edges, and reports them", () => {
    const doc = { ...graph, nodes: [...graph.nodes.slice(0, 2), { ...graph.nodes[2], type: "model.future" }] };
    const out = prepareForPaste(doc, { takenNodeIds: [], takenEdgeIds: [], knownTypes: known });
    expect(out.nodes).toHaveLength(2);
    expect(out.edges).toHaveLength(1);
    expect(out.unknown).toEqual(["model (model.future)"]);
  });

  it("lays out nodes that come without positions", () => {
    const doc = { ...graph, nodes: graph.nodes.map(({ position: _p, ...n }) => n) };
    const out = prepareForPaste(doc, { takenNodeIds: [], takenEdgeIds: [], knownTypes: known, offset: 0 });
    const xs = out.nodes.map((n) => n.position!.x);
    expect(xs[0]).toBeLessThan(xs[1]);
    expect(xs[1]).toBeLessThan(xs[2]);
  });
});

describe("pasting a dataset node", () => {
  it("binds it to the workflow it lands in, not to the project it was copied from", () => {
    const bound: WorkflowGraph = { ...graph, nodes: [{ ...graph.nodes[0], params: { seed: 3, project_id: "elsewhere" } }], edges: [] };
    const out = prepareForPaste(bound, { takenNodeIds: [], takenEdgeIds: [], knownTypes: known });
    expect(out.nodes[0].params).toEqual({ seed: 3 });
    expect(bound.nodes[0].params).toEqual({ seed: 3, project_id: "elsewhere" }); // the copy is changed, not the source
  });
});
