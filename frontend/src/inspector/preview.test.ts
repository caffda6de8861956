import { describe, expect, it } from "vitest";
import type { FlowEdge, FlowNode } from "../graph/types";
import { canPreview, columnTitles, describePreview, nextSeed, previewGraphJson } from "./preview";

const node = (id: string, nodeType: string, x: number): FlowNode => ({
  id,
  type: "workflow",
  position: { x, y: 0 },
  data: { nodeType, params: { p: 1 } },
});
const edge: FlowEdge = { id: "e1", source: "data", sourceHandle: "dataset", target: "flip", targetHandle: "dataset" };

describe("augmentation preview", () => {
  it("is offered where images pass through a node, not on the dataset", () => {
    expect(["augmentation", "preprocessing", "model"].map(canPreview)).toEqual([true, true, true]);
    expect(canPreview("dataset")).toBe(false);
    expect(canPreview(undefined)).toBe(false);
  });

  it("sends the edited graph, and moving a node does not change it", () => {
    const nodes = [node("data", "dataset.project", 0), node("flip", "augment.horizontal_flip", 200)];
    const json = previewGraphJson(nodes, [edge]);
    const graph = JSON.parse(json);
    expect(graph.nodes.map((n: { id: string }) => n.id)).toEqual(["data", "flip"]);
    expect(graph.edges[0]).toMatchObject({ source: "data", source_port: "dataset", target_port: "dataset" });
    expect(graph.schema_version).toBe(1);
    const moved = [nodes[0], { ...nodes[1], position: { x: 500, y: 90 } }];
    expect(previewGraphJson(moved, [edge])).toBe(json);
    const edited = [nodes[0], { ...nodes[1], data: { nodeType: "augment.horizontal_flip", params: { p: 0.5 } } }];
    expect(previewGraphJson(edited, [edge])).not.toBe(json);
  });

  it("re-rolls to a new seed within the server's range", () => {
    expect(nextSeed(0)).toBe(1);
    expect(nextSeed(2 ** 31 - 1)).toBe(0);
  });

  it("says which steps made the pictures and what the model gets", () => {
    const flip = { node_id: "flip", transform: "HorizontalFlip", splits: ["train" as const] };
    const resize = { node_id: "size", transform: "Resize", splits: ["train" as const, "val" as const] };
    expect(describePreview({ steps: [flip], later_steps: [resize], imgsz: 224 })).toBe(
      "HorizontalFlip, then Resize; the model gets 224×224 px.",
    );
    expect(describePreview({ steps: [], later_steps: [], imgsz: 32 })).toBe("no transform yet; the model gets 32×32 px.");
    expect(columnTitles("model")[1]).toBe("After the chain");
    expect(columnTitles("augmentation")).toEqual(["Original", "After this node", "Model input"]);
  });
});
