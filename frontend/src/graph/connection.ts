/** Connection rules the canvas applies while dragging an edge: matching port kinds, one edge per single input.
 * These mirror the graph contract so the user is stopped early; the server still validates everything. */
import type { NodeDescriptor, PortSpec } from "../api/types";
import type { FlowEdge, FlowNode } from "./types";

export interface ConnectionLike {
  source: string | null;
  target: string | null;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export type Catalogue = Map<string, NodeDescriptor>;

export function catalogueByType(descriptors: NodeDescriptor[]): Catalogue {
  return new Map(descriptors.map((d) => [d.type, d]));
}

function port(ports: PortSpec[] | undefined, name: string | null | undefined): PortSpec | undefined {
  return ports?.find((p) => p.name === name);
}

export type ConnectionVerdict = { ok: true } | { ok: false; reason: string };

export function checkConnection(
  connection: ConnectionLike,
  nodes: Pick<FlowNode, "id" | "data">[],
  edges: Pick<FlowEdge, "id" | "target" | "targetHandle">[],
  catalogue: Catalogue,
  /** An edge being reconnected does not count against the single-input rule. */
  ignoreEdgeId?: string,
): ConnectionVerdict {
  const { source, target, sourceHandle, targetHandle } = connection;
  if (!source || !target) return { ok: false, reason: "Incomplete connection." };
  if (source === target) return { ok: false, reason: "A node cannot connect to itself." };
  const sourceNode = nodes.find((n) => n.id === source);
  const targetNode = nodes.find((n) => n.id === target);
  if (!sourceNode || !targetNode) return { ok: false, reason: "Unknown node." };
  const out = port(catalogue.get(sourceNode.data.nodeType)?.outputs, sourceHandle);
  const inp = port(catalogue.get(targetNode.data.nodeType)?.inputs, targetHandle);
  if (!out || !inp) return { ok: false, reason: "Unknown port." };
  if (out.kind !== inp.kind) {
    return { ok: false, reason: `A ${out.kind} output cannot feed a ${inp.kind} input.` };
  }
  if (!inp.multiple) {
    const taken = edges.some((e) => e.id !== ignoreEdgeId && e.target === target && e.targetHandle === targetHandle);
    if (taken) return { ok: false, reason: `Input “${inp.title || inp.name}” already has a connection.` };
  }
  return { ok: true };
}
