/** Undo/redo for the editor: every time the graph settles on a new value (not while a node is being dragged, so a
 * drag is one step) it is recorded in the pure history (graph/history.ts); undo and redo put the editor back to a
 * recorded graph, and autosave and validation follow that graph like any other edit. */
import { useCallback, useEffect, useRef, useState } from "react";
import type { WorkflowGraph } from "../api/types";
import { canRedo, canUndo, record, redo as redoStep, startHistory, undo as undoStep, type History } from "../graph/history";

export function useGraphHistory(graph: WorkflowGraph, settling: boolean, restore: (graph: WorkflowGraph) => void) {
  const [history, setHistory] = useState<History>(() => startHistory(graph));
  // The newest history, also between a step and the render that shows it (two quick Ctrl+Z are two steps).
  const current = useRef(history);
  const latestGraph = useRef(graph);
  latestGraph.current = graph;
  const json = JSON.stringify(graph);

  useEffect(() => {
    if (settling) return;
    const next = record(current.current, latestGraph.current, Date.now());
    if (next === current.current) return;
    current.current = next;
    setHistory(next);
  }, [json, settling]);

  const step = useCallback(
    (move: (h: History) => History) => {
      if (settling) return;
      const next = move(current.current);
      if (next === current.current) return;
      current.current = next;
      setHistory(next);
      restore(next.present.graph);
    },
    [settling, restore],
  );

  const undo = useCallback(() => step(undoStep), [step]);
  const redo = useCallback(() => step(redoStep), [step]);
  return { undo, redo, canUndo: canUndo(history), canRedo: canRedo(history) };
}
