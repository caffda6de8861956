/** A small uPlot line chart that follows its container's width and takes new data without re-creating itself. */
import { Paper, Text } from "@mantine/core";
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import type { Aligned } from "./chartData";

export interface SeriesSpec {
  label: string;
  colour: string;
  /** Scale key; series with another scale get their own axis on the right. */
  scale?: string;
  points?: boolean;
  dash?: number[];
}

interface Props {
  title: string;
  data: Aligned;
  series: SeriesSpec[];
  height?: number;
  xLabel?: string;
  yRange?: [number, number];
  logY?: boolean;
  testId?: string;
  empty?: string;
}

const fmtLegend = (v: number | null | undefined) =>
  v == null ? "—" : Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(3) : String(Number(v.toPrecision(5)));

// Canvas strokes cannot read CSS variables: a grey that reads on light and dark backgrounds.
const AXIS = "#868e96";
const GRID = "rgba(134, 142, 150, 0.18)";

const fmt = (v: number | null | undefined) =>
  v == null ? "—" : Math.abs(v) >= 10000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4)));

export function LineChart({ title, data, series, height = 200, xLabel = "epoch", yRange, logY, testId, empty }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = JSON.stringify({ series, yRange, logY, xLabel });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const scales: uPlot.Scales = { x: { time: false } };
    const main = series[0]?.scale ?? "y";
    scales[main] = logY ? { distr: 3 } : yRange ? { range: yRange } : {};
    const axes: uPlot.Axis[] = [
      { label: xLabel, size: 36, labelSize: 14, stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID } },
      { scale: main, size: 52, values: (_u, vals) => vals.map(fmt), stroke: AXIS, ticks: { stroke: GRID }, grid: { stroke: GRID } },
    ];
    for (const s of series) {
      if (s.scale && s.scale !== main && !scales[s.scale]) {
        scales[s.scale] = {};
        axes.push({ scale: s.scale, side: 1, size: 52, values: (_u, vals) => vals.map(fmt), stroke: s.colour, grid: { show: false } });
      }
    }
    const opts: uPlot.Options = {
      width: el.clientWidth || 400,
      height,
      scales,
      axes,
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: xLabel, value: (_u, v) => fmtLegend(v) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: 1.6,
          scale: s.scale ?? main,
          spanGaps: true,
          dash: s.dash,
          // uPlot shows points by itself where the data is sparse (e.g. a single batch)
          points: s.points ? { show: true, size: 5, fill: s.colour } : { size: 4, fill: s.colour },
          value: (_u: uPlot, v: number | null) => fmtLegend(v),
        })),
      ],
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const points = data[0]?.length ?? 0;
  return (
    <Paper withBorder p="xs" className="vf-chart" data-testid={testId} data-points={points}>
      <Text size="xs" fw={600} mb={2}>
        {title}
      </Text>
      <div ref={box} style={{ position: "relative" }} />
      {points === 0 ? (
        <Text size="xs" c="dimmed" className="vf-chart-empty">
          {empty ?? "Waiting for data…"}
        </Text>
      ) : null}
    </Paper>
  );
}
