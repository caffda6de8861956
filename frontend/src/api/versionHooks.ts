/** TanStack Query hooks over a workflow's versions (backend/api/workflow_versions.py): the list newest first, paged
 * by `before`; one version with its graph; naming; restoring. Versions sit under the workflow's key, so whatever
 * refreshes a workflow refreshes its versions. Restoring puts the answer in the workflow's cache (an editor opened
 * later starts from the restored graph) and hands it to the caller (an open editor shows it at once). */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { keys } from "./hooks";
import type { Workflow, WorkflowVersion, WorkflowVersionSummary } from "./types";

/** Versions listed a page at a time ("Load older" asks for the next). */
export const VERSION_PAGE = 30;

export const versionKeys = {
  all: (wid: string) => [...keys.workflow(wid), "versions"] as const,
  list: (wid: string) => [...keys.workflow(wid), "versions", "list"] as const,
  one: (wid: string, vid: string) => [...keys.workflow(wid), "versions", "one", vid] as const,
};

/** The page after `last`: the versions numbered below its last one, none after version 1 or a short page. */
export function nextBefore(last: WorkflowVersionSummary[], pageSize = VERSION_PAGE): number | undefined {
  const oldest = last[last.length - 1];
  return last.length < pageSize || !oldest || oldest.number <= 1 ? undefined : oldest.number;
}

export function useWorkflowVersions(wid: string, enabled = true) {
  const query = useInfiniteQuery({
    queryKey: versionKeys.list(wid),
    queryFn: ({ pageParam }) =>
      api.get<WorkflowVersionSummary[]>(
        `/api/workflows/${wid}/versions?limit=${VERSION_PAGE}${pageParam ? `&before=${pageParam}` : ""}`,
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => nextBefore(last),
    enabled,
    staleTime: 0,
  });
  return { ...query, versions: query.data?.pages.flat() ?? [] };
}

/** A version never changes but for its name: kept once read. */
export function useWorkflowVersion(wid: string, vid: string | null | undefined) {
  return useQuery({
    queryKey: versionKeys.one(wid, vid ?? ""),
    queryFn: () => api.get<WorkflowVersion>(`/api/workflows/${wid}/versions/${vid}`),
    enabled: !!vid,
    staleTime: Infinity,
  });
}

export function useNameVersion(wid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ vid, name }: { vid: string; name: string }) =>
      api.patch<WorkflowVersionSummary>(`/api/workflows/${wid}/versions/${vid}`, { name }),
    onSuccess: (named) => {
      qc.setQueryData<WorkflowVersion>(versionKeys.one(wid, named.id), (v) => (v ? { ...v, name: named.name } : v));
      void qc.invalidateQueries({ queryKey: versionKeys.list(wid) });
    },
  });
}

export function useRestoreVersion(wid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (vid: string) => api.post<Workflow>(`/api/workflows/${wid}/versions/${vid}/restore`),
    onSuccess: (workflow) => {
      qc.setQueryData(keys.workflow(wid), workflow);
      void qc.invalidateQueries({ queryKey: versionKeys.list(wid) });
      void qc.invalidateQueries({ queryKey: keys.workflows(workflow.project_id) });
    },
  });
}
