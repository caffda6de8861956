/** A review queue: a run's predictions (likely mislabelled, or worst first) turned into the project's images to
 * walk in the annotator, each with the model's suggestion. */
import type { Prediction, QueueCoverage, SuggestionTrust } from "../api/types";
import type { Asset, ProjectClass } from "../api/types";

export interface ReviewQueue {
  items: Asset[];
  /** asset id → what the model said about it. */
  suggestions: Map<string, Prediction>;
  /** Queue entries whose image is no longer in the project. */
  missing: number;
}

/** Whether the model's suggestions may be accepted in one key. A degenerate model (e.g. every image predicted as one
 * class) would turn one key per image into corrupted labels, so then the person picks each class explicitly. */
export interface Trust {
  trusted: boolean;
  reason: string | null;
}

export const TRUSTED: Trust = { trusted: true, reason: null };

export function queueTrust(response: Partial<SuggestionTrust> | null | undefined): Trust {
  if (response?.suggestions_trusted !== false) return TRUSTED;
  return {
    trusted: false,
    reason: response.untrusted_reason || "The model is no better than chance on this data, so its suggestions are not offered.",
  };
}

/** The line that says which images a queue covers, when the server says. */
export function coverageLine(coverage: QueueCoverage | null | undefined): string | null {
  return coverage?.text || null;
}

/** The asset ids still to be found among the project's images. */
export function wantedIds(predictions: Prediction[]): Set<string> {
  return new Set(predictions.map((p) => p.asset_id).filter((id): id is string => !!id));
}

/** The queue in its own order; an image listed twice is walked once. */
export function resolveQueue(predictions: Prediction[], assets: Map<string, Asset>): ReviewQueue {
  const items: Asset[] = [];
  const suggestions = new Map<string, Prediction>();
  let missing = 0;
  for (const p of predictions) {
    const asset = p.asset_id ? assets.get(p.asset_id) : undefined;
    if (!asset) {
      missing++;
      continue;
    }
    if (suggestions.has(asset.id)) continue;
    suggestions.set(asset.id, p);
    items.push(asset);
  }
  return { items, suggestions, missing };
}

/** The project class the model suggests (matched by name: a run's classes are the project's names when it ran). */
export function suggestedClass(p: Prediction | undefined, classes: ProjectClass[]): ProjectClass | undefined {
  return p ? classes.find((c) => c.name === p.predicted_name) : undefined;
}

/** Where to start: the image asked for, else the first. */
export function startIndex(items: Asset[], assetId: string | null): number {
  const at = assetId ? items.findIndex((a) => a.id === assetId) : -1;
  return Math.max(0, at);
}
