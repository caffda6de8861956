/** Adding a node next to the selected one: connect it to the selected node's matching output and, when that
 * output already feeds something, splice the new node into the chain (a → new → b instead of a → b). */
import type { Catalogue } from "./connection";
import { newEdgeId } from "./convert";
import type { FlowEdge, FlowNode } from "./types";

export interface InsertResult {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export function insertAfter(
  nodes: FlowNode[],
  edges: FlowEdge[],
  anchorId: string,
  added: FlowNode,
  catalogue: Catalogue,
  gap: number,
): InsertResult {
  const anchor = nodes.find((n) => n.id === anchorId);
  const from = anchor ? catalogue.get(anchor.data.nodeType) : undefined;
  const to = catalogue.get(added.data.nodeType);
  const withNode = [...nodes, added];
  if (!anchor || !from || !to) return { nodes: withNode, edges };

  for (const out of from.outputs) {
    const input = to.inputs.find((i) => i.kind === out.kind);
    if (!input) continue;
    const passOn = to.outputs.find((o) => o.kind === out.kind);
    const downstream = passOn ? edges.filter((e) => e.source === anchor.id && e.sourceHandle === out.name) : [];
    const rewired = edges.map((e) =>
      downstream.includes(e) ? { ...e, source: added.id, sourceHandle: passOn!.name } : e,
    );
    const link: FlowEdge = {
      id: newEdgeId(edges.map((e) => e.id)),
      source: anchor.id,
      sourceHandle: out.name,
      target: added.id,
      targetHandle: input.name,
    };
    // Make room: everything right of the anchor moves one column to the right.
    const placed = downstream.length
      ? withNode.map((n) =>
          n.id !== added.id && n.position.x > anchor.position.x ? { ...n, position: { ...n.position, x: n.position.x + gap } } : n,
        )
      : withNode;
    return { nodes: placed, edges: [...rewired, link] };
  }
  return { nodes: withNode, edges };
}
