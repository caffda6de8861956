/** Runs side by side: one colour per run, overlaid curves aligned on epochs, readable setting values. What differs
 * between runs is the server's answer (`differences`); this only lays it out. */
import type { ComparedRun, CurveKey } from "../api/types";
import { alignSeries, thin, type Aligned } from "./chartData";

const PALETTE = ["#4c6ef5", "#f76707", "#2f9e44", "#ae3ec9", "#e03131", "#1098ad", "#f59f00", "#5c940d", "#d6336c", "#495057"];

export const runColour = (index: number) => PALETTE[index % PALETTE.length];

export const CURVES: { key: CurveKey | "loss"; label: string; range?: [number, number] }[] = [
  { key: "accuracy", label: "Accuracy", range: [0, 1] },
  { key: "f1", label: "F1 (macro)", range: [0, 1] },
  { key: "precision", label: "Precision", range: [0, 1] },
  { key: "recall", label: "Recall", range: [0, 1] },
  { key: "top5", label: "Top-5", range: [0, 1] },
  { key: "avg_confidence", label: "Avg confidence", range: [0, 1] },
  { key: "val_loss", label: "Val loss" },
  { key: "loss", label: "Train loss" },
];

const MAX_LOSS_POINTS = 1500;

const MAX_LABEL = 40;

/** A run in a chart's legend: its name, shortened, with its id (two runs may share a name). */
export function seriesLabel(run: Pick<ComparedRun, "id" | "name" | "workflow_name">): string {
  const name = run.name || run.workflow_name;
  const short = name.length > MAX_LABEL ? `${name.slice(0, MAX_LABEL - 1).trimEnd()}…` : name;
  return short ? `${short} (${run.id})` : run.id;
}

/** [epochs, one column per run] for one curve; a run without a point at an epoch has null there. */
export function curveData(runs: ComparedRun[], key: CurveKey | "loss"): Aligned {
  if (!runs.length) return [[]];
  const series = runs.map((r) => {
    const points = key === "loss" ? r.loss : (r.curves[key] ?? []);
    const s = { x: points.map((p) => p[0]), y: points.map((p) => (p[1] == null ? null : Number(p[1]))) };
    return key === "loss" ? thin(s, MAX_LOSS_POINTS) : s;
  });
  if (series.length === 1) return [series[0].x, series[0].y];
  return alignSeries(series);
}

export function hasPoints(data: Aligned): boolean {
  return data.slice(1).some((col) => col.some((v) => v !== null));
}

/** A setting's value as a table cell. */
export function formatSetting(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return String(Number(value.toPrecision(6)));
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return JSON.stringify(value);
}

/** Run ids from `?ids=a,b,c`, without blanks and repeats. */
export function parseIds(raw: string | null): string[] {
  return [...new Set((raw ?? "").split(",").map((s) => s.trim()).filter(Boolean))];
}

/** A metric of a run's summary as a percentage, or the number itself for losses and counts. */
export function formatMetric(key: string, value: number | undefined): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  if (/loss/.test(key)) return value.toFixed(4);
  if (value >= 0 && value <= 1) return `${(value * 100).toFixed(1)}%`;
  return String(Number(value.toPrecision(5)));
}
