/** TanStack Query hooks for what a run learned and what can be done with it: predictions, the likely
 * mislabelled queue, checkpoints, artifacts, trying the model, renaming, resume / extend, comparing runs, and the
 * run queue (a queued run's place, move to front, cancel). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, request } from "./client";
import { keys } from "./hooks";
import type {
  ArtifactInfo,
  CheckpointInfo,
  LayoutPreviewResponse,
  MislabelledQueue,
  PredictionPage,
  PredictionQuery,
  PredictResult,
  RunComparison,
} from "./types";
import type { Run } from "./types";
import { predictionsUrl } from "../runs/predictionsModel";

export const runKeys = {
  predictions: (rid: string, url: string) => ["runs", rid, "predictions", url] as const,
  mislabelled: (rid: string) => ["runs", rid, "mislabelled"] as const,
  checkpoints: (rid: string) => ["runs", rid, "checkpoints"] as const,
  artifacts: (rid: string) => ["runs", rid, "artifacts"] as const,
  compare: (pid: string, ids: string) => ["projects", pid, "compare", ids] as const,
  queue: ["queue"] as const,
};

/** How often a queued run's place is asked again: it moves as other runs start, finish, move or are cancelled. */
export const QUEUE_POLL_MS = 2000;

/** The run, read again every QUEUE_POLL_MS while `queued` (shares `useRun`'s cache, so the page shows it). */
export function useQueuedRunPlace(rid: string, queued: boolean) {
  return useQuery({
    queryKey: keys.run(rid),
    queryFn: () => api.get<Run>(`/api/runs/${rid}`),
    refetchInterval: queued ? QUEUE_POLL_MS : false,
  });
}

/** Move a waiting run to the front of the queue, or cancel it (owners): the run, the runs list and the queue are
 * read again, so every place shown moves at once. */
export function useQueueActions(pid: string, rid: string) {
  const qc = useQueryClient();
  const refresh = (run: Run) => {
    qc.setQueryData(keys.run(rid), run);
    void qc.invalidateQueries({ queryKey: keys.runs(pid) });
    void qc.invalidateQueries({ queryKey: runKeys.queue });
  };
  return {
    moveToFront: useMutation({ mutationFn: () => api.post<Run>(`/api/runs/${rid}/move-to-front`), onSuccess: refresh }),
    cancel: useMutation({ mutationFn: () => api.post<Run>(`/api/runs/${rid}/cancel`), onSuccess: refresh }),
  };
}

/** `enabled`: only once the run has finished (the list is written after the final evaluation). */
export function usePredictions(rid: string, query: PredictionQuery, enabled: boolean) {
  const url = predictionsUrl(rid, query);
  return useQuery({
    queryKey: runKeys.predictions(rid, url),
    queryFn: () => api.get<PredictionPage>(url),
    enabled,
    retry: false,
    placeholderData: keepPreviousData,
  });
}

export function useMislabelled(rid: string, enabled: boolean) {
  return useQuery({
    queryKey: runKeys.mislabelled(rid),
    queryFn: () => api.get<MislabelledQueue>(`/api/runs/${rid}/mislabelled`),
    enabled,
    retry: false,
  });
}

/** `version`: refetch when the run reports a new checkpoint or artifact. */
export function useCheckpoints(rid: string, version: number) {
  return useQuery({
    queryKey: [...runKeys.checkpoints(rid), version],
    queryFn: () => api.get<CheckpointInfo[]>(`/api/runs/${rid}/checkpoints`),
    placeholderData: keepPreviousData,
  });
}

export function useArtifacts(rid: string, version: number) {
  return useQuery({
    queryKey: [...runKeys.artifacts(rid), version],
    queryFn: () => api.get<ArtifactInfo[]>(`/api/runs/${rid}/artifacts`),
    placeholderData: keepPreviousData,
  });
}

export function useModelCard(url: string | null) {
  return useQuery({
    queryKey: ["model-card", url],
    queryFn: async () => {
      const response = await fetch(url as string);
      if (!response.ok) throw new Error(`The model card cannot be read (HTTP ${response.status}).`);
      return response.text();
    },
    enabled: url !== null,
    staleTime: Infinity,
  });
}

export function predictImage(rid: string, file: File, topK = 5, cam = true, signal?: AbortSignal): Promise<PredictResult> {
  const form = new FormData();
  form.append("file", file, file.name);
  return request<PredictResult>("POST", `/api/runs/${rid}/predict?top_k=${topK}&cam=${cam}`, form, signal);
}

export function useResumeRun(pid: string, rid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Run>(`/api/runs/${rid}/resume`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.runs(pid) }),
  });
}

/** Rename a run (owners): the run page shows the answer at once; the runs list is refetched. */
export function useRenameRun(pid: string, rid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.patch<Run>(`/api/runs/${rid}`, { name }),
    onSuccess: (run) => {
      qc.setQueryData(keys.run(rid), run);
      void qc.invalidateQueries({ queryKey: keys.runs(pid) });
    },
  });
}

export function useExtendRun(pid: string, rid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (epochs: number) => api.post<Run>(`/api/runs/${rid}/extend`, { epochs }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.runs(pid) }),
  });
}

/** Find label errors in every labelled image: a new run (k-fold, out-of-sample probabilities) linked to this one. */
export function useLabelCheck(pid: string, rid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (folds: number) => api.post<Run>(`/api/runs/${rid}/label-check`, { folds }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.runs(pid) }),
  });
}

export function useCompare(pid: string, ids: string[]) {
  const joined = ids.join(",");
  return useQuery({
    queryKey: runKeys.compare(pid, joined),
    queryFn: () => api.get<RunComparison>(`/api/projects/${pid}/runs/compare?ids=${encodeURIComponent(joined)}`),
    enabled: ids.length >= 2,
    // Runs still training keep adding points.
    refetchInterval: (q) => (q.state.data?.runs.some((r) => r.status === "queued" || r.status === "running") ? 5000 : false),
  });
}

export function layoutPreview(pid: string, paths: string[], foldersAreClasses: boolean, signal?: AbortSignal) {
  return api.post<LayoutPreviewResponse>(
    `/api/projects/${pid}/assets/layout-preview`,
    { paths, folders_are_classes: foldersAreClasses },
    signal,
  );
}
