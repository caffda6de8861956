/** An annotator session over a run's review queue: the queue from the server, its images from the project's asset
 * list, moving through them in the queue's order, labels written as in any session. */
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { fetchAssets } from "../api/dataHooks";
import type { MislabelledQueue, Prediction, QueueCoverage } from "../api/types";
import type { Asset } from "../api/types";
import { ALL } from "../data/filter";
import { reviewQueueUrl, type ReviewSpec } from "../runs/predictionsModel";
import { queueTrust, resolveQueue, startIndex, TRUSTED, wantedIds, type Trust } from "./review";
import { EMPTY_LIST, withLabel, type SessionList } from "./session";
import type { AnnotatorSession } from "./useAnnotatorSession";
import { useLabelHistory } from "./useLabelHistory";
import { useLabelWrites } from "./useLabelWrites";

const PAGE = 1000;
const MAX_PAGES = 50;

export interface ReviewSession extends AnnotatorSession {
  suggestions: Map<string, Prediction>;
  missing: number;
  /** Whether the suggestions may be accepted in one key (not when the model is degenerate). */
  trust: Trust;
  coverage: QueueCoverage | null;
}

async function loadQueue(pid: string, spec: ReviewSpec) {
  const queue = await api.get<MislabelledQueue>(reviewQueueUrl(spec));
  const wanted = wantedIds(queue.items);
  const found = new Map<string, Asset>();
  for (let page = 0; page < MAX_PAGES && found.size < wanted.size; page++) {
    const assets = await fetchAssets(pid, ALL, page * PAGE, PAGE);
    for (const a of assets.items) if (wanted.has(a.id)) found.set(a.id, a);
    if (assets.items.length < PAGE) break;
  }
  return { ...resolveQueue(queue.items, found), trust: await trustOf(spec, queue), coverage: queue.coverage ?? null };
}

/** The predictions list may not say whether its model is trusted; the run's mislabelled queue does. */
async function trustOf(spec: ReviewSpec, queue: MislabelledQueue): Promise<Trust> {
  if (queue.suggestions_trusted !== undefined || spec.source === "mislabelled") return queueTrust(queue);
  try {
    return queueTrust(await api.get<MislabelledQueue>(`/api/runs/${spec.runId}/mislabelled`));
  } catch {
    return queueTrust(queue);
  }
}

export function useReviewSession(pid: string, spec: ReviewSpec, startAssetId: string | null): ReviewSession {
  const [list, setList] = useState<SessionList>(EMPTY_LIST);
  const [suggestions, setSuggestions] = useState(new Map<string, Prediction>());
  const [missing, setMissing] = useState(0);
  const [trust, setTrust] = useState<Trust>(TRUSTED);
  const [coverage, setCoverage] = useState<QueueCoverage | null>(null);
  const [index, setIndex] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const listRef = useRef(list);
  listRef.current = list;
  const write = useLabelWrites(pid, (change) => setList((l) => withLabel(l, change.assetId, change.before)));
  const history = useLabelHistory(listRef, setList, setIndex, write);

  const specKey = JSON.stringify(spec);
  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setError(null);
    history.reset();
    loadQueue(pid, spec).then(
      (queue) => {
        if (cancelled) return;
        const next = { items: queue.items, exhausted: true, remaining: 0 };
        listRef.current = next;
        setList(next);
        setSuggestions(queue.suggestions);
        setMissing(queue.missing);
        setTrust(queue.trust);
        setCoverage(queue.coverage);
        setIndex(startIndex(queue.items, startAssetId));
        setLoading(false);
      },
      (e) => {
        if (cancelled) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pid, specKey]);

  const go = useCallback((i: number) => {
    if (i >= 0 && i < listRef.current.items.length) setIndex(i);
  }, []);

  const { label } = history; // stable (a useCallback): the callback below need not change with `history`
  const assign = useCallback(
    (classId: string | null, advance: boolean) => {
      const asset = listRef.current.items[index];
      if (!asset) return;
      label(asset, classId);
      if (advance) setIndex(Math.min(index + 1, listRef.current.items.length - 1));
    },
    [index, label],
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
    suggestions,
    missing,
    trust,
    coverage,
  };
}
