/** React Flow shapes used by the editor. A flow node carries only what the workflow graph stores. */
import type { Edge, Node } from "@xyflow/react";

export interface WorkflowNodeData extends Record<string, unknown> {
  /** Catalogue type id, e.g. "augment.horizontal_flip". */
  nodeType: string;
  params: Record<string, unknown>;
}

export type FlowNode = Node<WorkflowNodeData, "workflow">;
export type FlowEdge = Edge;

/** Everything in a workflow graph besides nodes and edges (schema_version, name, description, tags, …). */
export type GraphMeta = Record<string, unknown> & { schema_version: number; name: string };

export const FLOW_NODE_TYPE = "workflow" as const;
