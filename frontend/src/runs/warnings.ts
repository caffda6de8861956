/** Quality warnings of a run (a model that collapsed to one class, is no better than the majority class, or
 * overfits): the worker sends them as `warning` events after evaluations, and the run keeps them as
 * `quality_warnings`. The run page shows the latest of each kind. */
import type { QualityWarning, RunEvent, WarningData } from "../api/types";

/** The latest warning of each code, in the order the codes first appeared. */
export function latestByCode<T extends QualityWarning>(warnings: T[]): T[] {
  const latest = new Map<string, T>();
  for (const w of warnings) {
    latest.delete(w.code);
    latest.set(w.code, w);
  }
  const firstSeen = [...new Set(warnings.map((w) => w.code))];
  return firstSeen.map((code) => latest.get(code) as T);
}

/** The payload of a `warning` event, or null for any other event or a malformed one. */
export function warningOf(e: RunEvent): WarningData | null {
  if (e.type !== "warning") return null;
  const d = e.data as Partial<WarningData>;
  if (typeof d.code !== "string" || typeof d.message !== "string") return null;
  return { code: d.code, message: d.message, epoch: typeof d.epoch === "number" ? d.epoch : 0, final: !!d.final };
}

/** What the banner lists: from the live events once an evaluation arrived, else what the run stored. */
export function bannerWarnings(
  fromEvents: WarningData[],
  stored: QualityWarning[] | null | undefined,
  sawEvaluation = fromEvents.length > 0,
): QualityWarning[] {
  return latestByCode(sawEvaluation ? fromEvents : (stored ?? []));
}

/** For the runs list: the distinct kinds of warning a run has. */
export function warningSummary(stored: QualityWarning[] | null | undefined): string | null {
  const latest = latestByCode(stored ?? []);
  return latest.length ? latest.map((w) => w.message).join("\n") : null;
}
