/** Which images a view shows: all, unlabelled, or one class; optionally one split. Lives in the URL so the
 * browser, the annotator and the back button agree. */
import type { Asset, Split } from "../api/types";

export type LabelFilter = { kind: "all" } | { kind: "unlabelled" } | { kind: "class"; classId: string };

export interface AssetFilter {
  label: LabelFilter;
  split: Split | null;
}

export type DataView = "browse" | "annotate" | "stats";

export const ALL: AssetFilter = { label: { kind: "all" }, split: null };

export function readFilter(params: URLSearchParams): AssetFilter {
  const cls = params.get("class");
  const label: LabelFilter =
    cls === "none" ? { kind: "unlabelled" } : cls ? { kind: "class", classId: cls } : { kind: "all" };
  const split = params.get("split");
  return { label, split: split === "train" || split === "val" ? split : null };
}

export function readView(params: URLSearchParams): DataView {
  const view = params.get("view");
  return view === "annotate" || view === "stats" ? view : "browse";
}

/** New search params with the filter written into `params` (other keys kept; the page resets). */
export function writeFilter(params: URLSearchParams, filter: AssetFilter): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete("page");
  next.delete("asset");
  if (filter.label.kind === "all") next.delete("class");
  else next.set("class", filter.label.kind === "unlabelled" ? "none" : filter.label.classId);
  if (filter.split) next.set("split", filter.split);
  else next.delete("split");
  return next;
}

/** The query string of GET /api/projects/{pid}/assets for this filter and window. */
export function assetQuery(filter: AssetFilter, offset: number, limit: number, workflowId?: string | null): string {
  const q = new URLSearchParams({ offset: String(offset), limit: String(limit) });
  if (filter.label.kind === "class") q.set("class_id", filter.label.classId);
  if (filter.label.kind === "unlabelled") q.set("unlabelled", "true");
  if (filter.split) {
    q.set("split", filter.split);
    if (workflowId) q.set("workflow_id", workflowId);
  }
  return q.toString();
}

/** Whether an image (with the label we know it has now) still belongs to the filter's label part. The split
 * part is the server's business and does not change when a label does, so it is not checked here. */
export function matchesLabel(asset: Pick<Asset, "class_id">, label: LabelFilter): boolean {
  if (label.kind === "unlabelled") return asset.class_id === null;
  if (label.kind === "class") return asset.class_id === label.classId;
  return true;
}

export function sameFilter(a: AssetFilter, b: AssetFilter): boolean {
  return assetQuery(a, 0, 1) === assetQuery(b, 0, 1);
}
