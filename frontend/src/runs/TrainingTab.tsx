/** The run as it trains: summary, charts, the evaluation preview, confusion matrix, per-class table, dataset
 * snapshot, log, checkpoints and artifacts. */
import { SimpleGrid, Stack, Switch } from "@mantine/core";
import { useMemo, useState } from "react";
import { ArtifactsPanel } from "./ArtifactsPanel";
import { alignSeries, smooth, thin } from "./chartData";
import { CheckpointsTable } from "./CheckpointsTable";
import { ConfusionMatrix } from "./ConfusionMatrix";
import { LineChart, type SeriesSpec } from "./LineChart";
import { LogPanel } from "./LogPanel";
import { PerClassTable } from "./PerClassTable";
import { PreviewGrid } from "./PreviewGrid";
import { RunSummary } from "./RunSummary";
import { SnapshotCard } from "./SnapshotCard";
import type { PickedEvaluation } from "./preview";
import type { RunModel } from "./runModel";

const MAX_POINTS = 4000;

const SMOOTHING = 0.8;
const LOSS_SERIES: SeriesSpec[] = [
  { label: "train loss", colour: "#4c6ef5" },
  { label: "val loss", colour: "#f76707", points: true },
];
const SMOOTHED_LOSS_SERIES: SeriesSpec[] = [
  { label: "train loss (per batch)", colour: "#bac8ff" },
  { label: "train loss, smoothed", colour: "#4c6ef5" },
  { label: "val loss", colour: "#f76707", points: true },
];
const METRIC_SERIES: SeriesSpec[] = [
  { label: "accuracy", colour: "#2f9e44", points: true },
  { label: "precision", colour: "#1c7ed6", points: true },
  { label: "recall", colour: "#ae3ec9", points: true },
  { label: "F1", colour: "#f59f00", points: true },
  { label: "avg confidence", colour: "#868e96", points: true, dash: [4, 3] },
];
const LR_SERIES: SeriesSpec[] = [{ label: "learning rate", colour: "#0ca678" }];

interface Props {
  rid: string;
  model: RunModel;
  version: number;
  terminal: boolean;
}

export function TrainingTab({ rid, model, version, terminal }: Props) {
  // The loss of the batches since the previous event (sampled a few times a second); smoothing never restarts at an epoch.
  const [smoothed, setSmoothed] = useState(true);
  const [picked, setPicked] = useState<PickedEvaluation>(null); // one evaluation for the preview and the matrix
  const lossData = useMemo(() => {
    const train = thin({ x: model.batchX, y: model.loss }, MAX_POINTS);
    const val = { x: model.evalX, y: model.valLoss };
    if (!smoothed) return alignSeries([train, val]);
    return alignSeries([train, { x: train.x, y: smooth(train.y, SMOOTHING) }, val]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, smoothed]);
  const metricData = useMemo(
    () => [model.evalX.slice(), model.accuracy.slice(), model.precision.slice(), model.recall.slice(), model.f1.slice(), model.avgConfidence.slice()] as [number[], ...number[][]],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [version],
  );
  const lrData = useMemo(() => {
    const s = thin({ x: model.batchX, y: model.lr }, MAX_POINTS);
    return [s.x, s.y] as [number[], (number | null)[]];
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version]);
  const latestEval = model.evaluations[model.evaluations.length - 1];
  // Refetch checkpoints and artifacts when a new evaluation, artifact or the end arrives.
  const filesVersion = model.evaluations.length * 1000 + model.artifacts.length * 10 + (terminal ? 1 : 0);
  const summary = model.finished
    ? Object.entries(model.finished.metrics ?? {})
        .map(([k, v]) => `${k} ${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
        .join(" · ")
    : null;

  return (
    <Stack gap="sm">
      <RunSummary model={model} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        <Stack gap={4}>
          <LineChart title="Loss" data={lossData} series={smoothed ? SMOOTHED_LOSS_SERIES : LOSS_SERIES} testId="chart-loss" logY={false} />
          <Switch size="xs" label="Smooth the training loss" checked={smoothed} onChange={(e) => setSmoothed(e.currentTarget.checked)} data-testid="smooth-loss" />
        </Stack>
        <LineChart title="Validation metrics" data={metricData} series={METRIC_SERIES} yRange={[0, 1]} testId="chart-metrics" empty="Appears after the first evaluation." />
      </SimpleGrid>
      <PreviewGrid rid={rid} evaluations={model.evaluations} version={version} picked={picked} onPick={setPicked} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        <ConfusionMatrix evaluations={model.evaluations} picked={picked} onPick={setPicked} />
        <PerClassTable evaluation={latestEval} />
        <LineChart title="Learning rate" data={lrData} series={LR_SERIES} testId="chart-lr" height={160} />
        <SnapshotCard rid={rid} />
        <CheckpointsTable rid={rid} version={filesVersion} />
        <LogPanel lines={model.logs} startTs={model.startedTs} version={version} />
      </SimpleGrid>
      {terminal || model.artifacts.length ? <ArtifactsPanel rid={rid} version={filesVersion} summary={summary} /> : null}
    </Stack>
  );
}
