/** Live run events over the WebSocket, resumed with `after=<last seq applied>` on every reconnect (and reload,
 * through the session cache). Falls back to polling GET /api/runs/{id}/events when the socket cannot open.
 *
 * `finished` is final: a run that has it gets no more events (resume and extend make a new run), so the stream
 * is done once it has arrived. */
import { useEffect, useRef, useState } from "react";
import { api, wsUrl } from "../api/client";
import type { RunEvent } from "../api/types";
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
      if (finished()) setConnection("closed");
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
          setConnection("closed");
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
    if (finished()) setConnection("closed");
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
    };
  }, [runId, store]);

  return { store, model: store.model, version, connection };
}
