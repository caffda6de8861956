/** Events already received for a run, kept in sessionStorage so a reload resumes with `after=<last seq>`.
 * Events are immutable once stored by the server (seq is never reused), so a cached prefix is always valid. */
import type { RunEvent } from "../api/types";

const PREFIX = "visionflow.run-events.";
const MAX_CHARS = 3_000_000;

export function loadCachedEvents(runId: string): RunEvent[] {
  try {
    const raw = sessionStorage.getItem(PREFIX + runId);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as RunEvent[]) : [];
  } catch {
    return [];
  }
}

export function saveCachedEvents(runId: string, events: RunEvent[]): void {
  try {
    const raw = JSON.stringify(events);
    if (raw.length > MAX_CHARS) sessionStorage.removeItem(PREFIX + runId);
    else sessionStorage.setItem(PREFIX + runId, raw);
  } catch {
    // Storage full or unavailable: a reload then replays from the start, which is still correct.
  }
}

/** Forget every run's cached events: at login and logout, so the next person in this tab never sees the previous
 * one's runs (the run page shows cached events even when the server answers 404). */
export function clearCachedEvents(): void {
  try {
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      const key = sessionStorage.key(i);
      if (key?.startsWith(PREFIX)) sessionStorage.removeItem(key);
    }
  } catch {
    // Storage unavailable: nothing was cached.
  }
}
