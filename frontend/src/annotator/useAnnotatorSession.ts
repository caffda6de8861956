/** Loads a filter's images page by page for the annotator, moves through them, writes labels one after
 * another (so an undo never overtakes the label it undoes) and keeps the undo stack. */
import { useCallback, useEffect, useRef, useState } from "react";
import { fetchAssets } from "../api/dataHooks";
import type { Asset } from "../api/types";
import type { AssetFilter } from "../data/filter";
import {
  appendPage, EMPTY_LIST, nextOffset, nextUnlabelled, nextUnlabelledAfter, withLabel,
  type SessionList,
} from "./session";
import { useLabelHistory } from "./useLabelHistory";
import { useLabelWrites } from "./useLabelWrites";

const PAGE = 500;
/** How many more pages auto-advance may load looking for an unlabelled image before it settles for the next one. */
const SEARCH_PAGES = 4;

export interface AnnotatorSession {
  list: SessionList;
  index: number;
  current: Asset | undefined;
  loading: boolean;
  error: unknown;
  undoDepth: number;
  go: (index: number) => void;
  step: (delta: number) => void;
  assign: (classId: string | null, advance: boolean) => void;
  undo: () => void;
}

export function useAnnotatorSession(pid: string, filter: AssetFilter, workflowId: string | null, start: { assetId: string | null; position: number }): AnnotatorSession {
  const [list, setList] = useState<SessionList>(EMPTY_LIST);
  const [index, setIndex] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const listRef = useRef(list);
  listRef.current = list;
  const generation = useRef(0);

  const loadMore = useCallback(async (): Promise<SessionList> => {
    const current = listRef.current;
    if (current.exhausted) return current;
    const gen = generation.current;
    const offset = nextOffset(current.items, filter.label);
    const page = await fetchAssets(pid, filter, offset, PAGE, workflowId);
    if (gen !== generation.current) return listRef.current;
    const next = appendPage(listRef.current, page, offset, PAGE);
    listRef.current = next;
    setList(next);
    return next;
  }, [pid, filter, workflowId]);

  // A new filter starts a new session: load until the image to start on is in the list.
  const filterKey = JSON.stringify(filter);
  useEffect(() => {
    generation.current += 1;
    listRef.current = EMPTY_LIST;
    setList(EMPTY_LIST);
    history.reset();
    setLoading(true);
    setError(null);
    let cancelled = false;
    (async () => {
      let loaded = listRef.current;
      const found = () => (start.assetId ? loaded.items.findIndex((a) => a.id === start.assetId) : -1);
      do loaded = await loadMore();
      while (!cancelled && !loaded.exhausted && found() < 0 && loaded.items.length <= start.position);
      if (cancelled) return;
      const at = found();
      // Opened without an image to show: start on the first unlabelled one, if the first page has one.
      const fresh = !start.assetId && start.position <= 0 ? Math.max(0, nextUnlabelled(loaded.items, -1)) : -1;
      setIndex(at >= 0 ? at : fresh >= 0 ? fresh : Math.min(Math.max(0, start.position), Math.max(0, loaded.items.length - 1)));
      setLoading(false);
    })().catch((e) => {
      if (!cancelled) {
        setError(e);
        setLoading(false);
      }
    });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pid, filterKey, workflowId]);

  const go = useCallback(
    (i: number) => {
      if (i < 0) return;
      const current = listRef.current;
      if (i < current.items.length) setIndex(i);
      else if (!current.exhausted) void loadMore().then((l) => setIndex(Math.min(i, l.items.length - 1)));
    },
    [loadMore],
  );

  const write = useLabelWrites(pid, (change) => setList((l) => withLabel(l, change.assetId, change.before)));
  const history = useLabelHistory(listRef, setList, setIndex, write);

  const advanceFrom = useCallback(
    async (from: number) => {
      let current = listRef.current;
      let next = nextUnlabelledAfter(current.items, from);
      for (let pages = 0; next < 0 && !current.exhausted && pages < SEARCH_PAGES; pages++) {
        current = await loadMore();
        next = nextUnlabelledAfter(current.items, from);
      }
      if (next < 0) next = nextUnlabelled(current.items, from);
      if (next < 0) next = Math.min(from + 1, current.items.length - 1);
      setIndex(next);
    },
    [loadMore],
  );

  const { label } = history; // stable (a useCallback): the callback below need not change with `history`
  const assign = useCallback(
    (classId: string | null, advance: boolean) => {
      const asset = listRef.current.items[index];
      if (!asset) return;
      label(asset, classId);
      if (advance) void advanceFrom(index).catch((e) => setError(e));
    },
    [index, label, advanceFrom],
  );


  return {
    list,
    index,
    current: list.items[index],
    loading,
    error,
    undoDepth: history.depth,
    go,
    step: (delta) => go(index + delta),
    assign,
    undo: history.undo,
  };
}
