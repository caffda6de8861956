/** TanStack Query hooks for a project's data: images, classes, labels, CSV, statistics, run snapshots. Every
 * write invalidates `keys.project(pid)`, which refreshes counts, pages, classes and statistics together. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "./client";
import { keys } from "./hooks";
import type {
  Asset,
  AssetPage,
  ClassDeleteResult,
  ClassMergeResult,
  CsvImportReport,
  DatasetStats,
  ProjectClass,
  RunSnapshot,
  Workflow,
  AssetsDeleted,
  ClassUpdate,
  LabelsUpdated,
} from "./types";
import { assetQuery, type AssetFilter } from "../data/filter";

export function useClasses(pid: string) {
  return useQuery({ queryKey: keys.classes(pid), queryFn: () => api.get<ProjectClass[]>(`/api/projects/${pid}/classes`) });
}

export function useAssets(pid: string, filter: AssetFilter, offset: number, limit: number, workflowId?: string | null) {
  const query = assetQuery(filter, offset, limit, workflowId);
  return useQuery({
    queryKey: keys.assets(pid, query),
    queryFn: () => api.get<AssetPage>(`/api/projects/${pid}/assets?${query}`),
    placeholderData: (previous) => previous,
  });
}

export function fetchAssets(pid: string, filter: AssetFilter, offset: number, limit: number, workflowId?: string | null) {
  return api.get<AssetPage>(`/api/projects/${pid}/assets?${assetQuery(filter, offset, limit, workflowId)}`);
}

export function useStats(pid: string) {
  return useQuery({ queryKey: keys.stats(pid), queryFn: () => api.get<DatasetStats>(`/api/projects/${pid}/stats`) });
}

export function useRunSnapshot(rid: string) {
  return useQuery({
    queryKey: keys.snapshot(rid),
    queryFn: () => api.get<RunSnapshot>(`/api/runs/${rid}/snapshot`),
    staleTime: Infinity,
    retry: false,
  });
}

/** The project's most recently edited workflow: its dataset node decides the train/val split of the filter. */
export function latestWorkflow(workflows: Workflow[] | undefined): Workflow | null {
  if (!workflows?.length) return null;
  return workflows.reduce((a, b) => (b.updated_at > a.updated_at ? b : a));
}

function useProjectMutation<V, R>(pid: string, fn: (vars: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSettled: () => qc.invalidateQueries({ queryKey: keys.project(pid) }) });
}

export function useCreateClass(pid: string) {
  return useProjectMutation(pid, (body: { name: string; colour?: string }) =>
    api.post<ProjectClass>(`/api/projects/${pid}/classes`, body),
  );
}

/** A class change as sent: every field optional (the server fills the defaults). */
export type ClassPatch = Partial<ClassUpdate>;

export function useUpdateClass(pid: string) {
  return useProjectMutation(pid, ({ id, patch }: { id: string; patch: ClassPatch }) =>
    api.patch<ProjectClass>(`/api/classes/${id}`, patch),
  );
}

export const deleteClass = (id: string, dryRun: boolean) =>
  api.del<ClassDeleteResult>(`/api/classes/${id}?dry_run=${dryRun}`);

export const mergeClass = (id: string, into: string, dryRun: boolean) =>
  api.post<ClassMergeResult>(`/api/classes/${id}/merge`, { into_class_id: into, dry_run: dryRun });

export function useDeleteClass(pid: string) {
  return useProjectMutation(pid, (id: string) => deleteClass(id, false));
}

export function useMergeClass(pid: string) {
  return useProjectMutation(pid, ({ id, into }: { id: string; into: string }) => mergeClass(id, into, false));
}

export const setAnnotation = (assetId: string, classId: string | null) =>
  api.put<Asset>(`/api/assets/${assetId}/annotation`, { class_id: classId });

export function useBulkLabel(pid: string) {
  return useProjectMutation(pid, ({ ids, classId }: { ids: string[]; classId: string | null }) =>
    api.post<LabelsUpdated>(`/api/projects/${pid}/labels/bulk`, { asset_ids: ids, class_id: classId }),
  );
}

export function useDeleteAssets(pid: string) {
  return useProjectMutation(pid, (ids: string[]) =>
    api.post<AssetsDeleted>(`/api/projects/${pid}/assets/delete`, { asset_ids: ids }),
  );
}

/** POST the CSV: a dry run answers 200 or 422 with the same report, so both come back as a report. */
export async function importCsv(
  pid: string,
  body: Blob,
  options: { dryRun: boolean; createClasses: boolean; applyValidRows?: boolean },
): Promise<CsvImportReport> {
  const valid = options.applyValidRows ? "&apply_valid_rows=true" : "";
  const url = `/api/projects/${pid}/labels/csv?dry_run=${options.dryRun}&create_classes=${options.createClasses}${valid}`;
  try {
    return await api.post<CsvImportReport>(url, body);
  } catch (error) {
    const report = error instanceof ApiError ? (error.body as CsvImportReport | null) : null;
    if (error instanceof ApiError && error.status === 422 && Array.isArray(report?.problems)) return report;
    throw error;
  }
}

export function useApplyCsv(pid: string) {
  return useProjectMutation(pid, ({ body, createClasses, applyValidRows }: { body: Blob; createClasses: boolean; applyValidRows?: boolean }) =>
    importCsv(pid, body, { dryRun: false, createClasses, applyValidRows }),
  );
}

export const labelsCsvUrl = (pid: string) => `/api/projects/${pid}/labels.csv`;
