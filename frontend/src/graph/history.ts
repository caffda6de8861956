/** Undo/redo of graph edits as a pure value: past · present · future snapshots of the workflow graph.
 *
 * The editor records a snapshot whenever the graph it holds settles on a new value (never mid-drag), so every kind
 * of edit — add, delete, move, connect, parameters, auto-layout, a fix — is one step without each operation having
 * to announce itself. Typing in a field is one step: consecutive snapshots that differ only in the parameters of the
 * same node (or only in the name), each within COALESCE_MS of the one before, replace the present instead of
 * pushing a new step. (Per node rather than per field: the first keystroke in a node whose stored parameters are
 * partial also writes the form's defaults, and that must not split the typing in two.) The past is capped so a long session does not grow without bound. */
import type { WorkflowGraph } from "../api/types";

export const HISTORY_CAP = 100;
export const COALESCE_MS = 1500;

export interface HistoryEntry {
  graph: WorkflowGraph;
  /** `JSON.stringify(graph)`: how entries are compared. */
  json: string;
  /** What kind of edit produced this entry when consecutive edits of that kind merge (see `coalesceKey`). */
  key: string | null;
  at: number;
}

export interface History {
  past: HistoryEntry[];
  present: HistoryEntry;
  future: HistoryEntry[];
}

/** Entries hold their own copy: nothing the editor later does to its objects can change a recorded step. */
function entry(graph: WorkflowGraph, key: string | null, at: number): HistoryEntry {
  const json = JSON.stringify(graph);
  return { graph: JSON.parse(json) as WorkflowGraph, json, key, at };
}

export function startHistory(graph: WorkflowGraph, at = 0): History {
  return { past: [], present: entry(graph, null, at), future: [] };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** "params:<node>" when `next` differs from `prev` only in the parameters of one node, "name" when only the name
 * differs; null for any other edit (those never merge). */
export function coalesceKey(prev: WorkflowGraph, next: WorkflowGraph): string | null {
  const { nodes: pn, edges: pe, ...pm } = prev;
  const { nodes: nn, edges: ne, ...nm } = next;
  if (!sameJson(pe, ne) || pn.length !== nn.length) return null;
  if (!sameJson(pm, nm)) {
    const { name: _a, ...restPrev } = pm;
    const { name: _b, ...restNext } = nm;
    return sameJson(restPrev, restNext) && sameJson(pn, nn) ? "name" : null;
  }
  let key: string | null = null;
  for (let i = 0; i < pn.length; i++) {
    const a = pn[i];
    const b = nn[i];
    if (a.id !== b.id || a.type !== b.type || !sameJson(a.position, b.position)) return null;
    if (sameJson(a.params, b.params)) continue;
    if (key) return null;
    key = `params:${a.id}`;
  }
  return key;
}

/** Record `graph` as the new present. Unchanged graphs are ignored; the future is dropped. */
export function record(h: History, graph: WorkflowGraph, at: number, cap = HISTORY_CAP): History {
  const next = entry(graph, null, at);
  if (next.json === h.present.json) return h;
  const key = coalesceKey(h.present.graph, graph);
  next.key = key;
  const merges = key !== null && key === h.present.key && at - h.present.at <= COALESCE_MS && h.past.length > 0;
  if (merges) {
    // Typing that ends where it started leaves no step behind.
    const before = h.past[h.past.length - 1];
    if (before.json === next.json) return { past: h.past.slice(0, -1), present: before, future: [] };
    return { past: h.past, present: next, future: [] };
  }
  const past = [...h.past, h.present];
  return { past: past.length > cap ? past.slice(past.length - cap) : past, present: next, future: [] };
}

export function canUndo(h: History): boolean {
  return h.past.length > 0;
}

export function canRedo(h: History): boolean {
  return h.future.length > 0;
}

/** Step back; the restored entry never merges with the next edit. */
export function undo(h: History): History {
  if (!h.past.length) return h;
  const previous = h.past[h.past.length - 1];
  return { past: h.past.slice(0, -1), present: { ...previous, key: null }, future: [h.present, ...h.future] };
}

export function redo(h: History): History {
  if (!h.future.length) return h;
  const [next, ...rest] = h.future;
  return { past: [...h.past, h.present], present: { ...next, key: null }, future: rest };
}
