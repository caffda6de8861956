/** Whole-workflow actions beyond save and load: import a workflow document as a new workflow, duplicate one. Each
 * refreshes the project's workflow list and primes the new workflow's cache entry, so the editor opens it at once. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { keys } from "./hooks";
import type { components } from "./schema.gen";
import type { Workflow, WorkflowGraph } from "./types";

/** POST /api/projects/{pid}/workflows/import: the new workflow, and what the import changed or found. */
export type ImportedWorkflow = Omit<components["schemas"]["ImportedWorkflow"], "graph"> & { graph: WorkflowGraph };

export function useImportWorkflow(pid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (document: Record<string, unknown>) =>
      api.post<ImportedWorkflow>(`/api/projects/${pid}/workflows/import`, document),
    onSuccess: (workflow) => {
      qc.setQueryData(keys.workflow(workflow.id), workflow);
      return qc.invalidateQueries({ queryKey: keys.workflows(pid) });
    },
  });
}

/** A copy in the same project, named "name (2)" (or the next free number). */
export function useDuplicateWorkflow(pid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (wid: string) => api.post<Workflow>(`/api/workflows/${wid}/duplicate`),
    onSuccess: (workflow) => {
      qc.setQueryData(keys.workflow(workflow.id), workflow);
      return qc.invalidateQueries({ queryKey: keys.workflows(pid) });
    },
  });
}
