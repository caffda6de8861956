/** Live run events over the WebSocket, resumed with `after=<last seq applied>` on every reconnect (and reload,
 * through the session cache). Falls back to polling GET /api/runs/{id}/events when the socket cannot open.
 *
 * A finished run can go on: resumed, it gets new events after its `finished` one. So whenever the stream ends
 * on a finished run the hook asks the run for its last seq and reconnects when there is more to read;
 * `follow()` does the same on demand (after pressing Resume). */
import { useCallback, useEffect, useRef, useState } from "react";
import { api, wsUrl } from "../api/client";
import type { Run, RunEvent } from "../api/types";
import { loadCachedEvents, saveCachedEvents } from "./eventCache";
import { createRunStore, ingest, isTerminal, resumeAfter, type RunStore } from "./runModel";

export type Connection = "connecting" | "live" | "reconnecting" | "polling" | "closed";

const FLUSH_MS = 120;
const CACHE_MS = 2000;

export function useRunEvents(runId: string) {
  const storeRef = useRef<{ id: string; store: RunStore } | null>(null);
  if (!storeRef.current || storeRef.current.id !== runId) {
    const store = createRunStore();
    ingest(store, loadCachedEvents(runId));
    storeRef.current = { id: runId, store };
  }
  const store = storeRef.current.store;
  const [version, setVersion] = useState(store.version);
  const [connection, setConnection] = useState<Connection>("connecting");
  const followRef = useRef<() => void>(() => {});

  useEffect(() => {
    let stopped = false;
    let ws: WebSocket | null = null;
    let retryTimer = 0;
    let flushTimer = 0;
    let failures = 0;
    let cachedAt = store.next;
    const buffer: RunEvent[] = [];

    const finished = () => isTerminal(store.model.finished?.status);
    const cache = () => {
      if (store.next !== cachedAt) {
        cachedAt = store.next;
        saveCachedEvents(runId, store.events);
      }
    };
    const flush = () => {
      flushTimer = 0;
      if (ingest(store, buffer.splice(0))) setVersion(store.version);
      if (finished()) cache();
    };
    const push = (events: RunEvent[]) => {
      buffer.push(...events);
      if (!flushTimer) flushTimer = window.setTimeout(flush, FLUSH_MS);
    };
    const cacheTimer = window.setInterval(cache, CACHE_MS);

    // Reconnect when the server has events past the ones applied (a resumed run); otherwise the stream is done.
    let checkedAt = -2;
    const checkForMore = async () => {
      if (stopped || ws) return;
      try {
        const run = await api.get<Run>(`/api/runs/${runId}`);
        if (stopped || ws) return;
        if ((run.last_seq ?? -1) > resumeAfter(store)) {
          // Nothing came since the last check: the server is slow to send, so do not spin.
          const stalled = checkedAt === store.next;
          checkedAt = store.next;
          window.clearTimeout(retryTimer);
          retryTimer = window.setTimeout(connect, stalled ? 2000 : 0);
          return;
        }
      } catch {
        // the server may be restarting: the stream ends here; follow() tries again
      }
      setConnection("closed");
    };
    followRef.current = () => void checkForMore();

    const poll = async () => {
      if (stopped) return;
      setConnection("polling");
      try {
        const after = resumeAfter(store);
        push(await api.get<RunEvent[]>(`/api/runs/${runId}/events?after=${after}`));
        flush();
      } catch {
        // keep polling; the server may be restarting
      }
      if (finished()) void checkForMore();
      else if (!stopped) retryTimer = window.setTimeout(connect, 2000);
    };

    const connect = () => {
      if (stopped) return;
      flush();
      const after = resumeAfter(store);
      let opened = false;
      ws = new WebSocket(wsUrl(`/ws/runs/${runId}${after >= 0 ? `?after=${after}` : ""}`));
      ws.onopen = () => {
        opened = true;
        failures = 0;
        setConnection("live");
      };
      ws.onmessage = (m) => {
        try {
          const e = JSON.parse(typeof m.data === "string" ? m.data : "") as RunEvent;
          push([e]);
        } catch {
          // not an event envelope; ignore
        }
      };
      ws.onclose = () => {
        ws = null;
        if (stopped) return;
        flush();
        if (finished()) {
          void checkForMore();
          return;
        }
        failures = opened ? 0 : failures + 1;
        if (failures >= 2) {
          void poll();
          return;
        }
        setConnection("reconnecting");
        retryTimer = window.setTimeout(connect, Math.min(10_000, 500 * 2 ** failures));
      };
    };

    const onHide = () => cache();
    window.addEventListener("pagehide", onHide);
    if (finished()) void checkForMore();
    else connect();

    return () => {
      stopped = true;
      window.clearTimeout(retryTimer);
      window.clearTimeout(flushTimer);
      window.clearInterval(cacheTimer);
      window.removeEventListener("pagehide", onHide);
      flush();
      cache();
      ws?.close();
      followRef.current = () => {};
    };
  }, [runId, store]);

  const follow = useCallback(() => followRef.current(), []);
  return { store, model: store.model, version, connection, follow };
}
