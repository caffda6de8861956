/** Workflow graph JSON ⇄ React Flow nodes and edges. Pure; the JSON is what the server stores. */
import type { GraphEdge, GraphNode, WorkflowGraph } from "../api/types";
import { layoutPositions, needsLayout } from "./layout";
import { FLOW_NODE_TYPE, type FlowEdge, type FlowNode, type GraphMeta } from "./types";

export const SCHEMA_VERSION = 1;

export interface FlowState {
  nodes: FlowNode[];
  edges: FlowEdge[];
  meta: GraphMeta;
}

/** Build the editor's state from a stored graph; nodes without a position get an automatic layout. */
export function graphToFlow(
  graph: WorkflowGraph,
  heightOf?: (node: GraphNode) => number,
): FlowState {
  const { nodes = [], edges = [], ...rest } = graph;
  const meta: GraphMeta = { ...rest, schema_version: graph.schema_version ?? SCHEMA_VERSION, name: graph.name ?? "" };
  const positions = needsLayout(nodes) ? layoutPositions(nodes, edges, heightOf) : null;
  return {
    meta,
    nodes: nodes.map((n) => ({
      id: n.id,
      type: FLOW_NODE_TYPE,
      position: positions ? positions[n.id] : { x: n.position!.x, y: n.position!.y },
      data: { nodeType: n.type, params: { ...(n.params ?? {}) } },
    })),
    edges: edges.map(graphEdgeToFlow),
  };
}

export function graphEdgeToFlow(e: GraphEdge): FlowEdge {
  return { id: e.id, source: e.source, sourceHandle: e.source_port, target: e.target, targetHandle: e.target_port };
}

/** Serialise the editor's state; positions are rounded to whole pixels so saving is stable. */
export function flowToGraph(nodes: FlowNode[], edges: FlowEdge[], meta: GraphMeta): WorkflowGraph {
  return {
    ...meta,
    schema_version: meta.schema_version ?? SCHEMA_VERSION,
    name: meta.name,
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.data.nodeType,
      params: n.data.params,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    })),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source,
      source_port: e.sourceHandle ?? "",
      target: e.target,
      target_port: e.targetHandle ?? "",
    })),
  };
}

/** The part of a graph the validator cares about: everything except node positions. */
export function semanticKey(graph: WorkflowGraph): string {
  return JSON.stringify({ ...graph, nodes: graph.nodes.map(({ position: _p, ...n }) => n) });
}

/** A readable, unique node id derived from the type: "augment.horizontal_flip" → "horizontal_flip_2". */
export function newNodeId(nodeType: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = (nodeType.split(".").pop() || "node").replace(/[^A-Za-z0-9_-]/g, "_").toLowerCase() || "node";
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) {
    if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
  }
}

export function newEdgeId(taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let i = used.size + 1; ; i++) {
    if (!used.has(`e${i}`)) return `e${i}`;
  }
}

/** A fresh node for a catalogue type, with a deep copy of the catalogue's defaults as parameters. */
export function createFlowNode(
  nodeType: string,
  defaults: Record<string, unknown>,
  position: { x: number; y: number },
  takenIds: Iterable<string>,
): FlowNode {
  return {
    id: newNodeId(nodeType, takenIds),
    type: FLOW_NODE_TYPE,
    position,
    data: { nodeType, params: structuredClone(defaults ?? {}) },
  };
}
