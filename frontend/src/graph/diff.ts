/** What changed between two workflow graphs, for the versions diff: nodes matched by id (added, removed, changed,
 * unchanged; a node that only moved is not "changed" but says it moved), parameters compared deeply (key order in
 * nested objects does not count), and edges matched by what they connect (an edge id is renumbered freely by the
 * editor, so "e3" in one version need not be "e3" in the other). Pure: the canvas and the change list read it. */
import type { GraphEdge, GraphNode } from "../api/types";
import { enumName, type ParamSchema } from "./enumName";

export type { ParamSchema };

export type NodeStatus = "added" | "removed" | "changed" | "unchanged";
export type EdgeStatus = "added" | "removed" | "unchanged";

/** One top-level parameter whose value differs; `undefined` is "not set" on that side. */
export interface ParamChange {
  name: string;
  before: unknown;
  after: unknown;
}

export interface NodeDiff {
  id: string;
  status: NodeStatus;
  /** The node as it is in the newer graph, or in the older one when it was removed. */
  node: GraphNode;
  /** Its type in the older graph when the type itself changed (same id, another kind of node). */
  typeBefore?: string;
  params: ParamChange[];
  /** Present in both and at another position. */
  moved: boolean;
}

export interface EdgeDiff {
  /** The edge's id in the graph it is drawn from (the newer one unless removed). */
  id: string;
  status: EdgeStatus;
  edge: GraphEdge;
}

export interface GraphDiff {
  nodes: NodeDiff[];
  edges: EdgeDiff[];
  /** Nothing but positions differ (or nothing at all). */
  same: boolean;
}

export interface Comparable {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Deep equality of JSON values; object key order does not matter, array order does. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) if (!sameValue(left[key], right[key])) return false;
  return true;
}

export function paramChanges(before: Record<string, unknown> = {}, after: Record<string, unknown> = {}): ParamChange[] {
  const names = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))];
  return names.filter((n) => !sameValue(before[n], after[n])).map((name) => ({ name, before: before[name], after: after[name] }));
}

function samePosition(a: GraphNode, b: GraphNode): boolean {
  return (a.position?.x ?? 0) === (b.position?.x ?? 0) && (a.position?.y ?? 0) === (b.position?.y ?? 0);
}

function edgeKey(e: GraphEdge): string {
  return JSON.stringify([e.source, e.source_port, e.target, e.target_port]);
}

/** Every node and edge of both graphs, each once: the newer graph's in its order, then what was removed. */
export function diffGraphs(before: Comparable, after: Comparable): GraphDiff {
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const nodes: NodeDiff[] = after.nodes.map((node) => {
    const was = old.get(node.id);
    if (!was) return { id: node.id, status: "added", node, params: [], moved: false };
    const params = paramChanges(was.params, node.params);
    const typeChanged = was.type !== node.type;
    return {
      id: node.id,
      status: params.length || typeChanged ? "changed" : "unchanged",
      node,
      ...(typeChanged ? { typeBefore: was.type } : {}),
      params,
      moved: !samePosition(was, node),
    };
  });
  const kept = new Set(after.nodes.map((n) => n.id));
  for (const node of before.nodes) {
    if (!kept.has(node.id)) nodes.push({ id: node.id, status: "removed", node, params: [], moved: false });
  }

  const oldEdges = new Set(before.edges.map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  const edges: EdgeDiff[] = [
    ...after.edges.map((edge): EdgeDiff => ({ id: edge.id, status: oldEdges.has(edgeKey(edge)) ? "unchanged" : "added", edge })),
    ...before.edges.filter((e) => !newEdges.has(edgeKey(e))).map((edge): EdgeDiff => ({ id: edge.id, status: "removed", edge })),
  ];
  const same = nodes.every((n) => n.status === "unchanged") && edges.every((e) => e.status === "unchanged");
  return { nodes, edges, same };
}


const LONGEST_VALUE = 60;

/** A value as a person reads it: an enum value by its catalogue name, "not set" for a missing one. */
export function valueText(value: unknown, schema?: ParamSchema): string {
  if (value === undefined) return "not set";
  const named = enumName(schema, value);
  if (named) return named;
  if (value === null) return "none";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > LONGEST_VALUE ? `${text.slice(0, LONGEST_VALUE - 1)}…` : text;
}

/** "Probability: 0.5 → 0.8", the parameter by its title. */
export function changeText(change: ParamChange, schemas: Record<string, ParamSchema> = {}): string {
  const schema = schemas[change.name];
  return `${schema?.title ?? change.name}: ${valueText(change.before, schema)} → ${valueText(change.after, schema)}`;
}

export function diffCounts(diff: GraphDiff): Record<NodeStatus, number> & { moved: number; edgesAdded: number; edgesRemoved: number } {
  const count = (s: NodeStatus) => diff.nodes.filter((n) => n.status === s).length;
  return {
    added: count("added"),
    removed: count("removed"),
    changed: count("changed"),
    unchanged: count("unchanged"),
    moved: diff.nodes.filter((n) => n.moved).length,
    edgesAdded: diff.edges.filter((e) => e.status === "added").length,
    edgesRemoved: diff.edges.filter((e) => e.status === "removed").length,
  };
}
