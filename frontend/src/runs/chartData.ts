/** Series → uPlot's aligned data ([xs, ...ys], one shared, sorted x array). */
export type Aligned = [number[], ...(number | null)[][]];

export interface Series {
  x: number[];
  y: (number | null)[];
}

/** Join series with different x values; a series has null where it has no point. */
export function alignSeries(series: Series[]): Aligned {
  if (series.length === 1) return [series[0].x.slice(), series[0].y.slice()];
  const xs = Array.from(new Set(series.flatMap((s) => s.x))).sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const col = new Array<number | null>(xs.length).fill(null);
    s.x.forEach((x, i) => {
      col[index.get(x)!] = s.y[i] ?? null;
    });
    return col;
  });
  return [xs, ...ys];
}

/** Keep at most `max` points by taking every k-th one (the last point always stays). */
export function thin(series: Series, max: number): Series {
  const n = series.x.length;
  if (n <= max) return series;
  const step = Math.ceil(n / max);
  const x: number[] = [];
  const y: (number | null)[] = [];
  for (let i = 0; i < n; i += step) {
    x.push(series.x[i]);
    y.push(series.y[i]);
  }
  if (x[x.length - 1] !== series.x[n - 1]) {
    x.push(series.x[n - 1]);
    y.push(series.y[n - 1]);
  }
  return { x, y };
}

/** An exponential moving average over the whole series (TensorBoard's smoothing, debiased so the start is not pulled
 * toward 0): it never restarts, so an epoch boundary draws no step. `weight` 0 keeps the values; nulls are skipped. */
export function smooth(values: (number | null)[], weight: number): (number | null)[] {
  let average = 0;
  let seen = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    average = average * weight + (1 - weight) * v;
    seen += 1;
    return average / (1 - weight ** seen);
  });
}
