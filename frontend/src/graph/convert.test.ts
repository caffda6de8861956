import { describe, expect, it } from "vitest";
import type { WorkflowGraph } from "../api/types";
import { createFlowNode, flowToGraph, graphToFlow, newEdgeId, newNodeId, semanticKey } from "./convert";

const graph: WorkflowGraph = {
  schema_version: 1,
  name: "Small model",
  description: "kept as is",
  tags: ["fast"],
  nodes: [
    { id: "data", type: "dataset.project", params: { val_fraction: 0.2 }, position: { x: 0, y: 0 } },
    { id: "flip", type: "augment.horizontal_flip", params: { p: 0.5 }, position: { x: 300, y: 10 } },
    { id: "model", type: "model.yolov8_cls", params: { size: "n", imgsz: 320 }, position: { x: 600, y: 0 } },
  ],
  edges: [
    { id: "e1", source: "data", source_port: "dataset", target: "flip", target_port: "dataset" },
    { id: "e2", source: "flip", source_port: "dataset", target: "model", target_port: "dataset" },
  ],
};

describe("graph ⇄ flow", () => {
  it("round-trips a positioned graph exactly, extra fields included", () => {
    const flow = graphToFlow(graph);
    expect(flow.nodes).toHaveLength(3);
    expect(flow.nodes[1]).toMatchObject({ id: "flip", type: "workflow", position: { x: 300, y: 10 }, data: { nodeType: "augment.horizontal_flip", params: { p: 0.5 } } });
    expect(flow.edges[0]).toMatchObject({ id: "e1", source: "data", sourceHandle: "dataset", target: "flip", targetHandle: "dataset" });
    expect(flowToGraph(flow.nodes, flow.edges, flow.meta)).toEqual(graph);
  });

  it("does not share params objects with the input graph", () => {
    const flow = graphToFlow(graph);
    flow.nodes[0].data.params.val_fraction = 0.3;
    expect(graph.nodes[0].params.val_fraction).toBe(0.2);
  });

  it("lays out nodes without positions left to right along the edges", () => {
    const bare: WorkflowGraph = { ...graph, nodes: graph.nodes.map(({ position: _p, ...n }) => n) };
    const flow = graphToFlow(bare);
    const x = Object.fromEntries(flow.nodes.map((n) => [n.id, n.position.x]));
    expect(x.data).toBeLessThan(x.flip);
    expect(x.flip).toBeLessThan(x.model);
    for (const n of flow.nodes) expect(Number.isFinite(n.position.y)).toBe(true);
    // the serialised graph now carries the positions
    expect(flowToGraph(flow.nodes, flow.edges, flow.meta).nodes.every((n) => n.position)).toBe(true);
  });

  it("rounds positions when serialising", () => {
    const flow = graphToFlow(graph);
    flow.nodes[0].position = { x: 10.4, y: -3.6 };
    expect(flowToGraph(flow.nodes, flow.edges, flow.meta).nodes[0].position).toEqual({ x: 10, y: -4 });
  });

  it("fills schema_version and name for a minimal graph", () => {
    const flow = graphToFlow({ nodes: [], edges: [] } as unknown as WorkflowGraph);
    expect(flowToGraph(flow.nodes, flow.edges, flow.meta)).toMatchObject({ schema_version: 1, name: "", nodes: [], edges: [] });
  });

  it("semantic key ignores positions only", () => {
    const moved = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, position: { x: 1, y: 2 } })) };
    expect(semanticKey(moved)).toBe(semanticKey(graph));
    const changed = { ...graph, nodes: graph.nodes.map((n, i) => (i ? n : { ...n, params: { val_fraction: 0.3 } })) };
    expect(semanticKey(changed)).not.toBe(semanticKey(graph));
  });
});

describe("ids and new nodes", () => {
  it("derives readable unique node ids from the type", () => {
    expect(newNodeId("augment.horizontal_flip", [])).toBe("horizontal_flip");
    expect(newNodeId("augment.horizontal_flip", ["horizontal_flip"])).toBe("horizontal_flip_2");
    expect(newNodeId("augment.horizontal_flip", ["horizontal_flip", "horizontal_flip_2"])).toBe("horizontal_flip_3");
    expect(newNodeId("weird type!", [])).toBe("weird_type_");
  });

  it("makes unused edge ids", () => {
    expect(newEdgeId([])).toBe("e1");
    expect(newEdgeId(["e1", "e2"])).toBe("e3");
    expect(newEdgeId(["e3"])).toBe("e2");
  });

  it("copies the catalogue defaults deeply into a new node", () => {
    const defaults = { limit: [-0.2, 0.2], p: 0.5 };
    const node = createFlowNode("augment.x", defaults, { x: 5, y: 6 }, []);
    expect(node).toMatchObject({ id: "x", position: { x: 5, y: 6 }, data: { nodeType: "augment.x", params: defaults } });
    (node.data.params.limit as number[])[0] = 9;
    expect(defaults.limit[0]).toBe(-0.2);
  });
});
