/** A version (or the diff of two) as React Flow nodes and edges for the read-only canvas. A diff draws the union of
 * both graphs: each node and edge carries a class naming its change (versions.css colours them), a removed node
 * stands faded at its old position. Pure. */
import type { GraphEdge, GraphNode, WorkflowGraph } from "../api/types";
import type { GraphDiff } from "../graph/diff";
import { layoutPositions, needsLayout } from "../graph/layout";
import { FLOW_NODE_TYPE, type FlowEdge, type FlowNode } from "../graph/types";

export interface VersionFlow {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

interface Drawn {
  node: GraphNode;
  className?: string;
}

function toFlow(drawn: Drawn[], edges: FlowEdge[], graphEdges: GraphEdge[]): VersionFlow {
  const graphNodes = drawn.map((d) => d.node);
  const positions = needsLayout(graphNodes) ? layoutPositions(graphNodes, graphEdges) : null;
  return {
    nodes: drawn.map(({ node, className }) => ({
      id: node.id,
      type: FLOW_NODE_TYPE,
      position: positions?.[node.id] ?? { x: node.position!.x, y: node.position!.y },
      data: { nodeType: node.type, params: { ...(node.params ?? {}) } },
      draggable: false,
      connectable: false,
      deletable: false,
      ...(className ? { className } : {}),
    })),
    edges,
  };
}

function flowEdge(e: GraphEdge, id = e.id, className?: string): FlowEdge {
  return {
    id,
    source: e.source,
    sourceHandle: e.source_port,
    target: e.target,
    targetHandle: e.target_port,
    deletable: false,
    ...(className ? { className } : {}),
  };
}

/** One version as it was saved. */
export function versionFlow(graph: WorkflowGraph): VersionFlow {
  return toFlow(
    graph.nodes.map((node) => ({ node })),
    graph.edges.map((e) => flowEdge(e)),
    graph.edges,
  );
}

/** Both graphs of a diff in one picture, classed `vf-diff-added|removed|changed|unchanged` (+ `vf-diff-moved`). */
export function diffFlow(diff: GraphDiff): VersionFlow {
  const nodes = diff.nodes.map((n) => ({
    node: n.node,
    className: `vf-diff-node vf-diff-${n.status}${n.moved ? " vf-diff-moved" : ""}`,
  }));
  // An added and a removed edge may share an id ("e1" renumbered): the status keeps React Flow's ids unique.
  // Removed edges come first, so drawn underneath: one that ran where a node was inserted stays behind the new ones.
  const ordered = [...diff.edges.filter((e) => e.status === "removed"), ...diff.edges.filter((e) => e.status !== "removed")];
  const edges = ordered.map((e) => flowEdge(e.edge, `${e.status}:${e.id}`, `vf-diff-edge vf-diff-${e.status}`));
  return toFlow(nodes, edges, diff.edges.map((e) => e.edge));
}
