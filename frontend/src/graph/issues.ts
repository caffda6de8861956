/** Group the server's validation issues for display: per node, per field, and for the whole graph. */
import type { Issue, NodeDescriptor } from "../api/types";

export interface IssueIndex {
  byNode: Map<string, Issue[]>;
  /** edge id → issues about that edge */
  byEdge: Map<string, Issue[]>;
  /** Issues that name no node (or a node that is not on the canvas). */
  general: Issue[];
  errors: number;
  warnings: number;
}

export function indexIssues(issues: Issue[], nodeIds: Iterable<string>): IssueIndex {
  const known = new Set(nodeIds);
  const byNode = new Map<string, Issue[]>();
  const byEdge = new Map<string, Issue[]>();
  const general: Issue[] = [];
  let errors = 0;
  let warnings = 0;
  for (const issue of issues) {
    if (issue.severity === "error") errors++;
    else warnings++;
    if (issue.edge_id) byEdge.set(issue.edge_id, [...(byEdge.get(issue.edge_id) ?? []), issue]);
    if (issue.node_id && known.has(issue.node_id)) {
      const list = byNode.get(issue.node_id) ?? [];
      list.push(issue);
      byNode.set(issue.node_id, list);
    } else {
      general.push(issue);
    }
  }
  return { byNode, byEdge, general, errors, warnings };
}

export function worstSeverity(issues: Issue[] | undefined): "error" | "warning" | null {
  if (!issues?.length) return null;
  return issues.some((i) => i.severity === "error") ? "error" : "warning";
}

export interface NodeIssueSplit {
  /** port name → issues */
  ports: Record<string, Issue[]>;
  /** top-level param name → messages */
  params: Record<string, string[]>;
  /** issues about the node as a whole, or a field that is neither a port nor a param */
  node: Issue[];
}

/** Split a node's issues between its ports, its parameters and the node itself. */
export function splitNodeIssues(issues: Issue[], descriptor: NodeDescriptor | undefined): NodeIssueSplit {
  const portNames = new Set([...(descriptor?.inputs ?? []), ...(descriptor?.outputs ?? [])].map((p) => p.name));
  const paramNames = new Set(Object.keys((descriptor?.params_schema?.properties as object) ?? {}));
  const split: NodeIssueSplit = { ports: {}, params: {}, node: [] };
  for (const issue of issues) {
    const field = issue.field;
    if (field && paramNames.has(field)) (split.params[field] ??= []).push(issue.message);
    else if (field && portNames.has(field)) (split.ports[field] ??= []).push(issue);
    else split.node.push(issue);
  }
  return split;
}

/** First error message, for a disabled button's reason. */
export function blockingReason(issues: Issue[]): string | null {
  const errors = issues.filter((i) => i.severity === "error");
  if (!errors.length) return null;
  const first = errors[0];
  const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : "";
  return `${first.message}${more}`;
}
