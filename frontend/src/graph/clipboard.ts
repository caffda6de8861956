/** Copy and paste of nodes as workflow JSON — the same document export writes — so a selection copied in one
 * workflow (or project, or browser tab) pastes into another, and an exported file's text pastes too.
 *
 * Copy keeps the selected nodes and the edges between them. Paste checks the text is a workflow document, gives
 * every node a fresh id (edges follow), moves the nodes by an offset (or to a point), and leaves out nodes whose
 * type this server's catalogue does not have, saying which. Pure: the editor decides where the text comes from. */
import type { GraphEdge, GraphNode, WorkflowGraph } from "../api/types";
import { newEdgeId, newNodeId, SCHEMA_VERSION } from "./convert";
import { layoutPositions, needsLayout } from "./layout";

export const PASTE_OFFSET = 40;

type Point = { x: number; y: number };

/** The selected nodes and the edges whose both ends are selected, as a workflow document. */
export function copySelection(graph: WorkflowGraph, nodeIds: Iterable<string>): WorkflowGraph {
  const ids = new Set(nodeIds);
  return {
    schema_version: graph.schema_version ?? SCHEMA_VERSION,
    name: graph.name ?? "",
    nodes: graph.nodes.filter((n) => ids.has(n.id)).map((n) => structuredClone(n)),
    edges: graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ ...e })),
  };
}

export function serialise(doc: WorkflowGraph): string {
  return JSON.stringify(doc, null, 2);
}

export type Parsed = { ok: true; doc: WorkflowGraph } | { ok: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Read clipboard text as a workflow document, or say why it is not one. */
export function parseWorkflowText(text: string): Parsed {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, reason: "The clipboard is empty." };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { ok: false, reason: "The clipboard does not hold workflow JSON (it is not JSON)." };
  }
  if (!isObject(value) || !Array.isArray(value.nodes)) {
    return { ok: false, reason: "The clipboard holds JSON, but not a workflow: there is no “nodes” list." };
  }
  const version = value.schema_version;
  if (version !== undefined && version !== SCHEMA_VERSION) {
    return { ok: false, reason: `The copied workflow has schema_version ${JSON.stringify(version)}; this editor reads version ${SCHEMA_VERSION}.` };
  }
  const badNode = value.nodes.findIndex((n) => !isObject(n) || typeof n.id !== "string" || typeof n.type !== "string");
  if (badNode >= 0) return { ok: false, reason: `Node ${badNode + 1} in the clipboard has no id or type.` };
  const edges = value.edges ?? [];
  if (!Array.isArray(edges)) return { ok: false, reason: "The clipboard's “edges” is not a list." };
  const badEdge = edges.findIndex(
    (e) => !isObject(e) || !["id", "source", "source_port", "target", "target_port"].every((k) => typeof e[k] === "string"),
  );
  if (badEdge >= 0) return { ok: false, reason: `Edge ${badEdge + 1} in the clipboard is incomplete.` };
  return { ok: true, doc: { ...(value as WorkflowGraph), edges: edges as GraphEdge[] } };
}

export interface PasteResult {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Nodes left out because their type is not in the catalogue: "id (type)". */
  unknown: string[];
}

/** Fresh ids, positions moved by `offset` — or, with `at`, the group's top-left corner put there — and nodes of
 * unknown types (and their edges) left out. */
export function prepareForPaste(
  doc: WorkflowGraph,
  opts: { takenNodeIds: Iterable<string>; takenEdgeIds: Iterable<string>; knownTypes: Set<string>; offset?: number; at?: Point },
): PasteResult {
  const unknown = doc.nodes.filter((n) => !opts.knownTypes.has(n.type)).map((n) => `${n.id} (${n.type})`);
  const kept = doc.nodes.filter((n) => opts.knownTypes.has(n.type));
  const keptIds = new Set(kept.map((n) => n.id));
  const innerEdges = (doc.edges ?? []).filter((e) => keptIds.has(e.source) && keptIds.has(e.target));
  const laid = needsLayout(kept) ? layoutPositions(kept, innerEdges) : null;
  const positionOf = (n: GraphNode): Point => laid?.[n.id] ?? { x: n.position!.x, y: n.position!.y };
  const minX = Math.min(...kept.map((n) => positionOf(n).x));
  const minY = Math.min(...kept.map((n) => positionOf(n).y));
  const shift = opts.at
    ? { x: opts.at.x - minX, y: opts.at.y - minY }
    : { x: opts.offset ?? PASTE_OFFSET, y: opts.offset ?? PASTE_OFFSET };

  const takenNodes = new Set(opts.takenNodeIds);
  const rename = new Map<string, string>();
  const nodes = kept.map((n) => {
    const id = newNodeId(n.type, takenNodes);
    takenNodes.add(id);
    rename.set(n.id, id);
    const p = positionOf(n);
    const copy = { ...structuredClone(n), id, position: { x: Math.round(p.x + shift.x), y: Math.round(p.y + shift.y) } };
    // A dataset bound to the project it was copied from would train on that project's images (or fail to validate
    // where the person cannot reach it): a pasted one reads the images of the workflow it lands in.
    if (copy.params && "project_id" in copy.params) delete copy.params.project_id;
    return copy;
  });
  const takenEdges = new Set(opts.takenEdgeIds);
  const edges = innerEdges.map((e) => {
    const id = newEdgeId(takenEdges);
    takenEdges.add(id);
    return { ...e, id, source: rename.get(e.source)!, target: rename.get(e.target)! };
  });
  return { nodes, edges, unknown };
}
