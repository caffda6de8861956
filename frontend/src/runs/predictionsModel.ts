/** Worst predictions and the review queue: query strings and links. Which images are wrong, their loss and the
 * order are the server's; this only asks and links. */
import type { PredictionQuery } from "../api/types";

export const PAGE_SIZE = 24;

export const DEFAULT_QUERY: PredictionQuery = { trueClass: null, predictedClass: null, wrongOnly: true, offset: 0, limit: PAGE_SIZE };

/** GET /api/runs/{rid}/predictions?…; class filters by name, as the server takes them. */
export function predictionsUrl(rid: string, q: PredictionQuery): string {
  const params = new URLSearchParams();
  if (q.trueClass !== null) params.set("true_class", q.trueClass);
  if (q.predictedClass !== null) params.set("predicted_class", q.predictedClass);
  if (q.wrongOnly) params.set("wrong_only", "true");
  params.set("offset", String(q.offset));
  params.set("limit", String(q.limit));
  return `/api/runs/${rid}/predictions?${params}`;
}

export type ReviewSource = "mislabelled" | "worst";

export interface ReviewSpec {
  runId: string;
  source: ReviewSource;
  trueClass: string | null;
  predictedClass: string | null;
  wrongOnly: boolean;
}

/** The Data page's annotator, walking a run's queue (from `assetId` when given). */
export function reviewLink(pid: string, spec: ReviewSpec, assetId?: string | null): string {
  const params = new URLSearchParams({ view: "annotate", review: spec.runId });
  if (spec.source === "worst") {
    params.set("queue", "worst");
    if (spec.trueClass !== null) params.set("true", spec.trueClass);
    if (spec.predictedClass !== null) params.set("pred", spec.predictedClass);
    if (!spec.wrongOnly) params.set("all", "1");
  }
  if (assetId) params.set("asset", assetId);
  return `/projects/${pid}/data?${params}`;
}

export function readReview(params: URLSearchParams): ReviewSpec | null {
  const runId = params.get("review");
  if (!runId) return null;
  return {
    runId,
    source: params.get("queue") === "worst" ? "worst" : "mislabelled",
    trueClass: params.get("true"),
    predictedClass: params.get("pred"),
    wrongOnly: params.get("all") !== "1",
  };
}

/** Where a review queue comes from: the mislabelled queue, or the predictions list as it was filtered. */
export function reviewQueueUrl(spec: ReviewSpec): string {
  if (spec.source === "mislabelled") return `/api/runs/${spec.runId}/mislabelled`;
  return predictionsUrl(spec.runId, {
    trueClass: spec.trueClass,
    predictedClass: spec.predictedClass,
    wrongOnly: spec.wrongOnly,
    offset: 0,
    limit: 1000,
  });
}

export function pageCount(total: number, limit: number): number {
  return Math.max(1, Math.ceil(total / Math.max(1, limit)));
}
