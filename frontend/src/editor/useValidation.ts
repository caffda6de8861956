/** Debounced server validation of the graph: every semantic change is sent to /api/workflows/validate. */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api } from "../api/client";
import type { Issue, ValidateResponse, WorkflowGraph } from "../api/types";
import { semanticKey } from "../graph/convert";

export const VALIDATE_DEBOUNCE_MS = 400;

export type ValidationState = "pending" | "done" | "unavailable";

export function useValidation(graph: WorkflowGraph, projectId: string, initial: Issue[]) {
  const [issues, setIssues] = useState<Issue[]>(initial);
  const [state, setState] = useState<ValidationState>("pending");
  const [error, setError] = useState<string | null>(null);
  const [nonce, setNonce] = useState(0);
  const latest = useRef(graph);
  latest.current = graph;
  const key = semanticKey(graph);

  useEffect(() => {
    setState("pending");
    const controller = new AbortController();
    const timer = window.setTimeout(async () => {
      try {
        const res = await api.post<ValidateResponse>(
          "/api/workflows/validate",
          { graph: latest.current, project_id: projectId },
          controller.signal,
        );
        setIssues(res.issues);
        setState("done");
        setError(null);
      } catch (e) {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && e.status === 422 && Array.isArray((e.body as { issues?: unknown })?.issues)) {
          setIssues(e.issues);
          setState("done");
          setError(null);
        } else {
          setState("unavailable");
          setError((e as Error).message);
        }
      }
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [key, projectId, nonce]);

  const revalidate = useCallback(() => setNonce((n) => n + 1), []);
  return { issues, setIssues, state, error, revalidate };
}
