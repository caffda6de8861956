/** One-click remedies the server attaches to issues (`issue.fix`): set one parameter of one node. Applying one goes
 * through the editor's ordinary parameter update, so autosave and validation see it like a hand edit. */
import type { Issue, IssueFix } from "../api/types";
import type { FlowNode } from "./types";

/** The node's parameters with the fix applied (a new object; the old one is left as it was). */
export function paramsWithFix(params: Record<string, unknown> | undefined, fix: IssueFix): Record<string, unknown> {
  return { ...(params ?? {}), [fix.field]: structuredClone(fix.value) };
}

/** True when the node already has the value the fix would set (the issue is then stale until validation answers). */
export function isFixApplied(nodes: FlowNode[], fix: IssueFix): boolean {
  const node = nodes.find((n) => n.id === fix.node_id);
  return !!node && JSON.stringify(node.data.params?.[fix.field]) === JSON.stringify(fix.value);
}

/** The fix of an issue when it can still be applied: its node is on the canvas and does not have the value yet. */
export function applicableFix(issue: Issue, nodes: FlowNode[]): IssueFix | null {
  const fix = issue.fix;
  if (!fix || !nodes.some((n) => n.id === fix.node_id)) return null;
  return isFixApplied(nodes, fix) ? null : fix;
}

/** On a node, which only knows its own parameters: the fix unless it is for this node and already applied. */
export function fixOnNode(issue: Issue, nodeId: string, params: Record<string, unknown> | undefined): IssueFix | null {
  const fix = issue.fix;
  if (!fix) return null;
  if (fix.node_id === nodeId && JSON.stringify(params?.[fix.field]) === JSON.stringify(fix.value)) return null;
  return fix;
}
