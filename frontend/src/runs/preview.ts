/** The evaluation preview: the same fixed validation sample at every evaluation, so one image's prediction can be
 * followed from epoch to epoch. Pure: evaluations in, frames and per-image tracks out. */
import type { EvaluationData, PreviewEntry } from "../api/types";
import { evaluationLabel } from "./confusion";

export interface PreviewItem {
  item: number;
  label: number;
  predicted: number;
  confidence: number;
  correct: boolean;
  /** [class index, confidence], best first (at least the prediction itself). */
  top: [number, number][];
  cam: string | null;
  /** The prediction differs from the previous evaluation's. */
  changed: boolean;
}

export interface PreviewFrame {
  label: string;
  epoch: number;
  final: boolean;
  classNames: string[];
  items: PreviewItem[];
  correct: number;
}

/** A preview entry as a worker older than `top` and `correct` sent it (its events are kept as they came). */
export type SentPreviewEntry = Omit<PreviewEntry, "top" | "correct"> & Partial<Pick<PreviewEntry, "top" | "correct">>;

export function normaliseEntry(e: SentPreviewEntry, previous?: SentPreviewEntry | PreviewItem): PreviewItem {
  const top = Array.isArray(e.top) && e.top.length ? e.top : ([[e.predicted, e.confidence]] as [number, number][]);
  return {
    item: e.item,
    label: e.label,
    predicted: e.predicted,
    confidence: e.confidence,
    correct: typeof e.correct === "boolean" ? e.correct : e.label === e.predicted,
    top,
    cam: e.cam ?? null,
    changed: previous !== undefined && previous.predicted !== e.predicted,
  };
}

/** One frame per evaluation that carries a preview, in order. */
export function previewFrames(evaluations: EvaluationData[]): PreviewFrame[] {
  const frames: PreviewFrame[] = [];
  let previous = new Map<number, PreviewItem>();
  for (const evaluation of evaluations) {
    const entries = Array.isArray(evaluation.preview) ? evaluation.preview : [];
    if (!entries.length) continue;
    const items = entries.map((e) => normaliseEntry(e, previous.get(e.item)));
    previous = new Map(items.map((i) => [i.item, i]));
    frames.push({
      label: evaluationLabel(evaluation),
      epoch: evaluation.epoch,
      final: evaluation.final,
      classNames: evaluation.class_names ?? [],
      items,
      correct: items.filter((i) => i.correct).length,
    });
  }
  return frames;
}

export interface TrackPoint {
  frame: number;
  label: string;
  predicted: number;
  confidence: number;
  correct: boolean;
}

/** One image's prediction at every frame where it appears. */
export function itemTrack(frames: PreviewFrame[], item: number): TrackPoint[] {
  const points: TrackPoint[] = [];
  frames.forEach((f, frame) => {
    const found = f.items.find((i) => i.item === item);
    if (found) points.push({ frame, label: f.label, predicted: found.predicted, confidence: found.confidence, correct: found.correct });
  });
  return points;
}

/** The frame to show: the one picked, or (null) the latest; clamped to what exists. */
/** Which evaluation the preview and the confusion matrix show (null: follow the latest): one choice for both. */
export type PickedEvaluation = string | null;
export const evaluationKey = (e: { epoch: number; final: boolean }) => `${e.final ? "final" : "epoch"}:${e.epoch}`;

/** The index of the picked evaluation among `list` (null: the latest, or a pick this list does not hold). */
export function pickedIndex(picked: PickedEvaluation, list: { epoch: number; final: boolean }[]): number | null {
  if (picked === null) return null;
  const index = list.findIndex((e) => evaluationKey(e) === picked);
  return index < 0 ? null : index;
}

export function frameIndex(picked: number | null, count: number): number {
  if (count === 0) return -1;
  return picked === null ? count - 1 : Math.max(0, Math.min(picked, count - 1));
}

export const className = (names: string[], index: number) => names[index] ?? `#${index}`;

export const pct = (v: number | null | undefined, digits = 1) => (v == null || !Number.isFinite(v) ? "—" : `${(v * 100).toFixed(digits)}%`);

export const itemImageUrl = (rid: string, item: number) => `/api/runs/${rid}/items/${item}/image`;
export const itemCamUrl = (rid: string, item: number) => `/api/runs/${rid}/items/${item}/cam`;

export interface TopKRow {
  name: string;
  confidence: number;
  /** right / wrong: the predicted class; true: the true class, not predicted; pred: the prediction, truth unknown. */
  kind?: "right" | "wrong" | "true" | "pred";
}

/** Rows for bars from [class index, confidence] pairs, given the true (null: unknown) and predicted class. */
export function topRows(top: [number, number][], names: string[], label: number | null, predicted: number): TopKRow[] {
  return top.map(([index, confidence]) => ({
    name: className(names, index),
    confidence,
    kind: index === predicted ? (label === null || index === label ? "right" : "wrong") : index === label ? "true" : undefined,
  }));
}
