/** Copy, paste and duplicate of nodes in the editor, through the system clipboard as workflow JSON (so a copy in one
 * workflow or project pastes into another). Ctrl+C / Ctrl+V arrive as the browser's copy and paste events, which
 * need no clipboard permission; menu items use the asynchronous clipboard API. A copy is also kept in this tab's
 * memory, used when the system clipboard cannot be read or is empty. Typing in a field is never intercepted. */
import { notifications } from "@mantine/notifications";
import { useCallback, useEffect, useRef } from "react";
import type { GraphEdge, GraphNode, WorkflowGraph } from "../api/types";
import { copySelection, parseWorkflowText, PASTE_OFFSET, prepareForPaste, serialise } from "../graph/clipboard";
import type { Catalogue } from "../graph/connection";

/** The last copy in this tab (kept across workflows: the editor is remounted for each). */
let lastCopied: string | null = null;

type Point = { x: number; y: number };

interface Options {
  graph: WorkflowGraph;
  selectedNodeIds: string[];
  catalogue: Catalogue;
  insert: (nodes: GraphNode[], edges: GraphEdge[]) => void;
  /** Someone who may only look can copy, but not paste or duplicate. */
  readOnly: boolean;
}

/** Focus is in something that takes text: its own copy and paste must work as usual. */
export function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function useNodeClipboard({ graph, selectedNodeIds, catalogue, insert, readOnly }: Options) {
  const latest = useRef({ graph, selectedNodeIds, catalogue, insert, readOnly });
  latest.current = { graph, selectedNodeIds, catalogue, insert, readOnly };
  // Pasting the same text again moves it one more offset, so repeated pastes do not stack exactly.
  const repeats = useRef({ text: "", count: 0 });

  const copyText = useCallback((nodeIds?: string[]): string | null => {
    const { graph: g, selectedNodeIds: selected } = latest.current;
    const ids = nodeIds ?? selected;
    if (!ids.length) return null;
    const text = serialise(copySelection(g, ids));
    lastCopied = text;
    repeats.current = { text: "", count: 0 };
    notifications.show({ message: `Copied ${plural(ids.length, "node")}`, autoClose: 1500, withCloseButton: false });
    return text;
  }, []);

  const pasteText = useCallback((text: string, at?: Point) => {
    const { graph: g, catalogue: cat, insert: add, readOnly: ro } = latest.current;
    if (ro) return;
    const parsed = parseWorkflowText(text);
    if (!parsed.ok) {
      notifications.show({ color: "red", title: "Nothing pasted", message: parsed.reason });
      return;
    }
    const count = repeats.current.text === text ? repeats.current.count + 1 : 1;
    repeats.current = { text, count };
    const out = prepareForPaste(parsed.doc, {
      takenNodeIds: g.nodes.map((n) => n.id),
      takenEdgeIds: g.edges.map((e) => e.id),
      knownTypes: new Set(cat.keys()),
      offset: PASTE_OFFSET * count,
      at,
    });
    if (out.unknown.length) {
      notifications.show({
        color: "orange",
        title: `Left out ${plural(out.unknown.length, "node")} of unknown type`,
        message: `This server has no node type for: ${out.unknown.join(", ")}.`,
      });
    }
    if (out.nodes.length) add(out.nodes, out.edges);
    else if (!out.unknown.length) notifications.show({ color: "orange", message: "The copied workflow has no nodes." });
  }, []);

  /** Copy from a menu: the system clipboard when the browser allows it, this tab's memory always. */
  const copy = useCallback(
    (nodeIds?: string[]) => {
      const text = copyText(nodeIds);
      if (text) void navigator.clipboard?.writeText(text).catch(() => undefined);
    },
    [copyText],
  );

  /** Paste from a menu (optionally at a point on the canvas). */
  const paste = useCallback(
    async (at?: Point) => {
      let text = "";
      try {
        text = (await navigator.clipboard?.readText()) ?? "";
      } catch {
        text = "";
      }
      pasteText(text.trim() ? text : (lastCopied ?? ""), at);
    },
    [pasteText],
  );

  /** Copy and paste in one step, without touching the clipboard. */
  const duplicate = useCallback(
    (nodeIds?: string[]) => {
      const { graph: g, selectedNodeIds: selected, readOnly: ro } = latest.current;
      const ids = nodeIds ?? selected;
      if (ro || !ids.length) return;
      const text = serialise(copySelection(g, ids));
      repeats.current = { text: "", count: 0 };
      pasteText(text);
    },
    [pasteText],
  );

  useEffect(() => {
    const onCopy = (e: ClipboardEvent) => {
      if (isEditable(e.target) || window.getSelection()?.toString()) return;
      const text = copyText();
      if (!text) return;
      e.clipboardData?.setData("text/plain", text);
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isEditable(e.target) || latest.current.readOnly) return;
      const text = e.clipboardData?.getData("text/plain") ?? "";
      const fallback = lastCopied;
      if (!text.trim() && !fallback) return;
      e.preventDefault();
      pasteText(text.trim() ? text : (fallback ?? ""));
    };
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPaste);
    return () => {
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPaste);
    };
  }, [copyText, pasteText]);

  return { copy, paste, duplicate };
}
