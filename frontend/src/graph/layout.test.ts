import { describe, expect, it } from "vitest";
import type { GraphEdge, GraphNode } from "../api/types";
import { connectedParts, estimateNodeHeight, layoutPositions, NODE_WIDTH } from "./layout";
import { boundingBox, overlaps, type Rect } from "./placement";

const node = (id: string): GraphNode => ({ id, type: "t", params: {} });
const edge = (source: string, target: string): GraphEdge => ({
  id: `${source}-${target}`,
  source,
  source_port: "out",
  target,
  target_port: "in",
});
const HEIGHT = estimateNodeHeight(1);
const rects = (positions: Record<string, { x: number; y: number }>, ids: string[]): Rect[] =>
  ids.map((id) => ({ ...positions[id], width: NODE_WIDTH, height: HEIGHT }));

describe("layoutPositions", () => {
  // Two chains and three nodes connected to nothing, given in an order that mixes them.
  const nodes = ["lone1", "a", "b", "lone2", "c", "x", "y", "lone3"].map(node);
  const edges = [edge("a", "b"), edge("b", "c"), edge("x", "y")];
  const positions = layoutPositions(nodes, edges);

  it("places every node without overlaps", () => {
    const all = rects(positions, nodes.map((n) => n.id));
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) expect(overlaps(all[i], all[j])).toBe(false);
    }
  });

  it("keeps unconnected nodes out of the connected graph's box", () => {
    const connected = boundingBox(rects(positions, ["a", "b", "c", "x", "y"]));
    for (const lone of rects(positions, ["lone1", "lone2", "lone3"])) {
      expect(overlaps(lone, connected)).toBe(false);
      expect(lone.y).toBeGreaterThanOrEqual(connected.y + connected.height);
    }
  });

  it("lays a chain out left to right, on one line", () => {
    expect(positions.a.x).toBeLessThan(positions.b.x);
    expect(positions.b.x).toBeLessThan(positions.c.x);
    expect(positions.a.y).toBe(positions.c.y);
    // The longer chain comes first, the shorter one below it.
    expect(positions.x.y).toBeGreaterThan(positions.a.y + HEIGHT);
  });

  it("lays out a graph of unconnected nodes in rows", () => {
    const many = layoutPositions(["p", "q", "r", "s", "t"].map(node), []);
    expect(new Set(Object.values(many).map((p) => p.y)).size).toBe(2);
    const all = rects(many, ["p", "q", "r", "s", "t"]);
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(overlaps(all[i], all[j])).toBe(false);
  });
});

describe("connectedParts", () => {
  it("follows edges both ways and ignores edges to missing nodes", () => {
    expect(connectedParts(["a", "b", "c", "d"], [edge("b", "a"), edge("c", "zz")])).toEqual([["a", "b"], ["c"], ["d"]]);
  });
});
