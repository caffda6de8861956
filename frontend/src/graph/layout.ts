/** Left-to-right auto-layout with dagre, for graphs whose nodes carry no position (templates, imports). */
import dagre from "@dagrejs/dagre";
import type { GraphEdge, GraphNode } from "../api/types";

export const NODE_WIDTH = 230;

/** Rough rendered height of a node with the given number of port rows. */
export function estimateNodeHeight(portRows: number): number {
  return 64 + Math.max(1, portRows) * 22;
}

export function needsLayout(nodes: GraphNode[]): boolean {
  return nodes.some((n) => !n.position || !Number.isFinite(n.position.x) || !Number.isFinite(n.position.y));
}

/** Positions (top-left corners) for every node, laid out left to right along the edges. */
export function layoutPositions(
  nodes: GraphNode[],
  edges: GraphEdge[],
  heightOf: (node: GraphNode) => number = () => estimateNodeHeight(1),
): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 80, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const node of nodes) g.setNode(node.id, { width: NODE_WIDTH, height: heightOf(node) });
  for (const edge of edges) {
    if (ids.has(edge.source) && ids.has(edge.target)) g.setEdge(edge.source, edge.target);
  }
  dagre.layout(g);
  const positions: Record<string, { x: number; y: number }> = {};
  for (const node of nodes) {
    const laid = g.node(node.id) as { x: number; y: number; width: number; height: number };
    positions[node.id] = { x: Math.round(laid.x - laid.width / 2), y: Math.round(laid.y - laid.height / 2) };
  }
  return positions;
}
