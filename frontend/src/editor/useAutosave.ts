/** Debounced saving of the graph (PUT /api/workflows/{id}). A failed save keeps the local graph and reports the
 * error; the next change or an explicit save tries again. Leaving the page flushes pending changes.
 * Off (`enabled` false) for someone who may not change the project's workflows: nothing is written. */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { keys } from "../api/hooks";
import { csrfHeaders } from "../auth/session";
import type { Workflow, WorkflowGraph } from "../api/types";

export const AUTOSAVE_DEBOUNCE_MS = 800;

export type SaveStatus = "saved" | "dirty" | "saving" | "error";

/** `paused`: a node is being dragged; the save waits for the drop (a half-moved graph is no version worth keeping). */
export function useAutosave(workflow: Workflow, graph: WorkflowGraph, initialJson: string, enabled = true, paused = false) {
  const qc = useQueryClient();
  const json = JSON.stringify(graph);
  const saved = useRef(initialJson);
  const latest = useRef(json);
  latest.current = json;
  const inFlight = useRef<Promise<boolean> | null>(null);
  const [status, setStatus] = useState<SaveStatus>(json === initialJson ? "saved" : "dirty");
  const [error, setError] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const wid = workflow.id;
  const pid = workflow.project_id;

  const saveOnce = useCallback(async (): Promise<boolean> => {
    const body = latest.current;
    if (!enabled) return body === saved.current;
    if (body === saved.current) {
      setStatus("saved");
      return true;
    }
    setStatus("saving");
    try {
      const wf = await api.put<Workflow>(`/api/workflows/${wid}`, { graph: JSON.parse(body) as unknown });
      saved.current = body;
      setError(null);
      setSavedAt(new Date());
      setStatus(latest.current === body ? "saved" : "dirty");
      qc.setQueryData(keys.workflow(wid), { ...wf, graph: JSON.parse(body) as Workflow["graph"] });
      void qc.invalidateQueries({ queryKey: keys.workflows(pid) });
      return true;
    } catch (e) {
      setError((e as Error).message);
      setStatus("error");
      return false;
    }
  }, [wid, pid, qc, enabled]);

  /** Save now (waits for a save in flight, then saves whatever is newer). */
  const save = useCallback(async (): Promise<boolean> => {
    while (inFlight.current) await inFlight.current;
    const p = saveOnce();
    inFlight.current = p;
    try {
      return await p;
    } finally {
      inFlight.current = null;
    }
  }, [saveOnce]);

  useEffect(() => {
    if (!enabled) return;
    if (json === saved.current) {
      // Edits undone before they were saved: what the server has is what the editor shows (was "Unsaved changes…"
      // for good). A save in flight settles the status itself.
      setStatus((s) => (s === "saving" ? s : "saved"));
      return;
    }
    setStatus((s) => (s === "error" ? s : "dirty"));
    if (paused) return;
    const timer = window.setTimeout(() => void save(), AUTOSAVE_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [json, save, enabled, paused]);

  // Leaving the editor inside the app: save what is pending. Closing the tab: a keepalive request.
  useEffect(() => {
    if (!enabled) return;
    const onHide = () => {
      if (latest.current === saved.current) return;
      void fetch(`/api/workflows/${wid}`, {
        method: "PUT",
        keepalive: true,
        headers: { "Content-Type": "application/json", ...csrfHeaders("PUT") },
        body: JSON.stringify({ graph: JSON.parse(latest.current) as unknown }),
      });
    };
    window.addEventListener("pagehide", onHide);
    return () => {
      window.removeEventListener("pagehide", onHide);
      if (latest.current !== saved.current) void save();
    };
  }, [wid, save, enabled]);

  return { status, error, savedAt, save };
}
