/** TanStack Query hooks over the API: one place for URLs and cache keys. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import type { NodeDescriptor, Project, Run, RunDefaults, JsonSchema, Template, Workflow, WorkflowGraph } from "./types";

/** Everything about one project's data sits under `project(pid)`: invalidating that key refreshes it all. */
export const keys = {
  projects: ["projects"] as const,
  project: (pid: string) => ["projects", pid] as const,
  classes: (pid: string) => ["projects", pid, "classes"] as const,
  assets: (pid: string, query: string) => ["projects", pid, "assets", query] as const,
  stats: (pid: string) => ["projects", pid, "stats"] as const,
  snapshot: (rid: string) => ["runs", rid, "snapshot"] as const,
  workflows: (pid: string) => ["projects", pid, "workflows"] as const,
  workflow: (wid: string) => ["workflows", wid] as const,
  runs: (pid: string) => ["projects", pid, "runs"] as const,
  run: (rid: string) => ["runs", rid] as const,
  nodes: ["nodes"] as const,
  /** Fitted to a project's images, so under the project: new images refresh the fit. */
  templates: (pid: string | null) => (pid ? (["projects", pid, "templates"] as const) : (["templates"] as const)),
  runDefaults: (wid: string, device: string) => ["workflows", wid, "run-defaults", device] as const,
  runSettingsSchema: ["run-settings-schema"] as const,
};

export function useProjects() {
  return useQuery({ queryKey: keys.projects, queryFn: () => api.get<Project[]>("/api/projects") });
}

export function useProject(pid: string) {
  return useQuery({ queryKey: keys.project(pid), queryFn: () => api.get<Project>(`/api/projects/${pid}`) });
}

export function useCreateProject() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; task?: string; content?: string }) => api.post<Project>("/api/projects", body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.projects }),
  });
}

export function useWorkflows(pid: string) {
  return useQuery({ queryKey: keys.workflows(pid), queryFn: () => api.get<Workflow[]>(`/api/projects/${pid}/workflows`) });
}

export function useWorkflow(wid: string) {
  return useQuery({
    queryKey: keys.workflow(wid),
    queryFn: () => api.get<Workflow>(`/api/workflows/${wid}`),
    // The editor owns the graph once loaded; never refetch it under the user's hands.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
}

export function useCreateWorkflow(pid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (graph: WorkflowGraph) => api.post<Workflow>(`/api/projects/${pid}/workflows`, { graph }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workflows(pid) }),
  });
}

export function useCreateFromTemplate(pid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (templateId: string) =>
      api.post<Workflow>(`/api/projects/${pid}/workflows/from-template`, { template_id: templateId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workflows(pid) }),
  });
}

export function useDeleteWorkflow(pid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (wid: string) => api.del<unknown>(`/api/workflows/${wid}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workflows(pid) }),
  });
}

export function useNodeCatalogue() {
  return useQuery({ queryKey: keys.nodes, queryFn: () => api.get<NodeDescriptor[]>("/api/nodes"), staleTime: Infinity });
}

/** With a project, each template carries its fit to that project's images (and one is recommended). */
export function useTemplates(pid: string | null = null) {
  return useQuery({
    queryKey: keys.templates(pid),
    queryFn: () => api.get<Template[]>(pid ? `/api/templates?project_id=${encodeURIComponent(pid)}` : "/api/templates"),
    staleTime: pid ? 30_000 : Infinity,
  });
}

/** What the Run Training dialog pre-fills for this workflow and its data on `device`; asked afresh each time it
 * opens. */
export function useRunDefaults(wid: string, enabled: boolean, device = "auto") {
  return useQuery({
    queryKey: keys.runDefaults(wid, device),
    queryFn: () => api.get<RunDefaults>(`/api/workflows/${wid}/run-defaults?device=${encodeURIComponent(device)}`),
    enabled,
    staleTime: 0,
    // A refetch would reset what the person typed in the open dialog.
    refetchOnWindowFocus: false,
    retry: false,
  });
}

export function useRunSettingsSchema() {
  return useQuery({
    queryKey: keys.runSettingsSchema,
    queryFn: () => api.get<JsonSchema>("/api/run-settings/schema"),
    staleTime: Infinity,
  });
}

const ACTIVE = new Set(["queued", "running"]);

/** A project's runs; refreshed every few seconds while one of them is still active. */
export function useRuns(pid: string) {
  return useQuery({
    queryKey: keys.runs(pid),
    queryFn: () => api.get<Run[]>(`/api/projects/${pid}/runs`),
    refetchInterval: (q) => (q.state.data?.some((r) => ACTIVE.has(r.status)) ? 3000 : false),
  });
}

export function useRun(rid: string) {
  return useQuery({ queryKey: keys.run(rid), queryFn: () => api.get<Run>(`/api/runs/${rid}`) });
}

export function useStartRun(pid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ wid, settings }: { wid: string; settings: Record<string, unknown> }) =>
      api.post<Run>(`/api/workflows/${wid}/runs`, settings),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.runs(pid) }),
  });
}

export function useCancelRun(rid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<unknown>(`/api/runs/${rid}/cancel`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.run(rid) }),
  });
}
