import { useCallback, useState, type MutableRefObject } from "react";
import type { Asset } from "../api/types";
import { pushUndo, withLabel, type LabelChange, type SessionList } from "./session";

/** Labelling with undo, shared by the annotator and the review queue: the list changes at once, the
 *  server write is queued, and Ctrl+Z puts the previous label back (locally and on the server). */
export function useLabelHistory(
  listRef: MutableRefObject<SessionList>,
  setList: (list: SessionList) => void,
  setIndex: (index: number) => void,
  write: (change: LabelChange) => void,
) {
  const [stack, setStack] = useState<LabelChange[]>([]);

  const label = useCallback(
    (asset: Asset, classId: string | null) => {
      const change = { assetId: asset.id, before: asset.class_id, after: classId };
      if (change.before === change.after) return;
      const next = withLabel(listRef.current, asset.id, classId);
      listRef.current = next;
      setList(next);
      setStack((s) => pushUndo(s, change));
      write(change);
    },
    [listRef, setList, write],
  );

  const undo = useCallback(() => {
    const last = stack[stack.length - 1];
    if (!last) return;
    setStack((s) => s.slice(0, -1));
    const next = withLabel(listRef.current, last.assetId, last.before);
    listRef.current = next;
    setList(next);
    write({ assetId: last.assetId, before: last.after, after: last.before });
    const at = next.items.findIndex((a) => a.id === last.assetId);
    if (at >= 0) setIndex(at);
  }, [stack, listRef, setList, setIndex, write]);

  const reset = useCallback(() => setStack([]), []);

  return { label, undo, reset, depth: stack.length };
}
