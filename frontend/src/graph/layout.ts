/** Left-to-right auto-layout, for graphs whose nodes carry no position (templates, imports) and the toolbar's
 * Auto-layout. Each connected part of the graph is laid out by dagre on its own and the parts are stacked, largest
 * first; nodes connected to nothing go in rows below them. (One dagre run over everything put unconnected nodes in
 * the first rank, between the chains, and edges looped round them.) */
import dagre from "@dagrejs/dagre";
import type { GraphEdge, GraphNode } from "../api/types";

export const NODE_WIDTH = 230;
/** Font size (px) of a node's parameter summary, its smallest text that must stay readable. */
export const NODE_TEXT_PX = 13;
/** The smallest zoom at which node text is at least 11 px on screen: a workflow opens no further out. */
export const READABLE_ZOOM = 0.85;
/** Space between laid-out parts of a graph, and between unconnected nodes. */
export const PART_GAP = 80;
const NODE_GAP = 40;

/** Rough rendered height of a node with the given number of port rows and parameter summary rows. */
export function estimateNodeHeight(portRows: number, paramRows = 0): number {
  return 58 + Math.max(1, portRows) * 24 + (paramRows > 0 ? 9 + paramRows * 18 : 0);
}

export function needsLayout(nodes: GraphNode[]): boolean {
  return nodes.some((n) => !n.position || !Number.isFinite(n.position.x) || !Number.isFinite(n.position.y));
}

type Point = { x: number; y: number };

/** The graph's connected parts (edges taken both ways), each in the nodes' order, in order of first node. */
export function connectedParts(nodeIds: string[], edges: Pick<GraphEdge, "source" | "target">[]): string[][] {
  const parent = new Map(nodeIds.map((id) => [id, id]));
  const root = (id: string): string => {
    let r = id;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(id, r);
    return r;
  };
  for (const e of edges) {
    if (parent.has(e.source) && parent.has(e.target)) parent.set(root(e.source), root(e.target));
  }
  const parts = new Map<string, string[]>();
  for (const id of nodeIds) {
    const r = root(id);
    parts.set(r, [...(parts.get(r) ?? []), id]);
  }
  return [...parts.values()];
}

/** Dagre layout of one connected part; top-left corners, the part's own top-left at (0, 0). */
function layoutPart(ids: string[], edges: GraphEdge[], heightOf: (id: string) => number) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: NODE_GAP, ranksep: 80, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const inPart = new Set(ids);
  for (const id of ids) g.setNode(id, { width: NODE_WIDTH, height: heightOf(id) });
  for (const e of edges) if (inPart.has(e.source) && inPart.has(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const corners = ids.map((id) => {
    const laid = g.node(id) as { x: number; y: number; width: number; height: number };
    return { id, x: laid.x - laid.width / 2, y: laid.y - laid.height / 2, bottom: laid.y + laid.height / 2 };
  });
  const minX = Math.min(...corners.map((c) => c.x));
  const minY = Math.min(...corners.map((c) => c.y));
  const positions: Record<string, Point> = {};
  for (const c of corners) positions[c.id] = { x: Math.round(c.x - minX), y: Math.round(c.y - minY) };
  const width = Math.max(...corners.map((c) => c.x - minX)) + NODE_WIDTH;
  const height = Math.max(...corners.map((c) => c.bottom - minY));
  return { positions, width, height };
}

/** Positions (top-left corners) for every node: connected parts left to right along their edges, stacked; unconnected
 * nodes in rows below (as wide as the widest part, at least four nodes). */
export function layoutPositions(
  nodes: GraphNode[],
  edges: GraphEdge[],
  heightOf: (node: GraphNode) => number = () => estimateNodeHeight(1),
): Record<string, Point> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const height = (id: string) => heightOf(byId.get(id)!);
  const parts = connectedParts(
    nodes.map((n) => n.id),
    edges,
  );
  const connected = parts.filter((p) => p.length > 1).sort((a, b) => b.length - a.length);
  const single = parts.filter((p) => p.length === 1).map((p) => p[0]);

  const origin = 20;
  const positions: Record<string, Point> = {};
  let top = origin;
  let widest = 0;
  for (const part of connected) {
    const laid = layoutPart(part, edges, height);
    for (const [id, p] of Object.entries(laid.positions)) positions[id] = { x: origin + p.x, y: top + p.y };
    top += Math.ceil(laid.height) + PART_GAP;
    widest = Math.max(widest, laid.width);
  }
  const perRow = Math.max(4, Math.floor((widest + NODE_GAP) / (NODE_WIDTH + NODE_GAP)));
  for (let start = 0; start < single.length; start += perRow) {
    const row = single.slice(start, start + perRow);
    row.forEach((id, k) => (positions[id] = { x: origin + k * (NODE_WIDTH + NODE_GAP), y: top }));
    top += Math.max(...row.map(height)) + NODE_GAP;
  }
  return positions;
}
