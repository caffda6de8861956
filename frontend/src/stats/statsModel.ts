/** Pure shaping of GET /stats for the panel: bar lengths and readable size ranges. */
import type { DatasetStats } from "../api/types";

export interface BarRow {
  id: string;
  name: string;
  count: number;
  /** Share of the largest class, 0..1, for the bar's length. */
  fraction: number;
  /** Share of all labelled images, 0..1. */
  share: number;
  warning: boolean;
  /** A few of the class's images (asset ids). */
  samples: string[];
}

export function classBars(stats: DatasetStats): BarRow[] {
  const max = Math.max(1, ...stats.classes.map((c) => c.count));
  const warned = new Set(stats.warnings.filter((w) => w.class).map((w) => w.class));
  return [...stats.classes]
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, undefined, { numeric: true }))
    .map((c) => ({
      id: c.id,
      name: c.name,
      count: c.count,
      fraction: c.count / max,
      share: stats.labelled ? c.count / stats.labelled : 0,
      warning: warned.has(c.name),
      samples: c.samples,
    }));
}

const range = (lo: number, hi: number) => (lo === hi ? `${lo}` : `${lo}–${hi}`);

/** "32×32 px", or "24–640 × 24–480 px (median 320×240)" when sizes vary. */
export function sizeSummary(sizes: DatasetStats["sizes"]): string {
  if (!sizes) return "—";
  const same = sizes.min_width === sizes.max_width && sizes.min_height === sizes.max_height;
  if (same) return `${sizes.min_width}×${sizes.min_height} px`;
  return `${range(sizes.min_width, sizes.max_width)} × ${range(sizes.min_height, sizes.max_height)} px (median ${Math.round(sizes.median_width)}×${Math.round(sizes.median_height)})`;
}

export interface Distribution {
  label: string;
  count: number;
  /** Share of the largest bin, 0..1, for the bar's length. */
  fraction: number;
}

/** A histogram's bins with bar lengths; empty when there are no images. */
export function distribution(bins: DatasetStats["aspect"]): Distribution[] {
  const max = Math.max(0, ...bins.map((b) => b.count));
  return max ? bins.map((b) => ({ ...b, fraction: b.count / max })) : [];
}
