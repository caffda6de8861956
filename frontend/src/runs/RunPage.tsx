/** One training run, live: header (status, elapsed, ETA, Cancel), summary, charts, confusion matrix, per-class
 * table, log, and the artifacts once it has finished. */
import { Alert, Anchor, Group, Paper, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { useParams } from "react-router";
import { keys, useCancelRun, useRun } from "../api/hooks";
import { ErrorBox } from "../shell/QueryState";
import { alignSeries, thin } from "./chartData";
import { ConfusionMatrix } from "./ConfusionMatrix";
import { LineChart, type SeriesSpec } from "./LineChart";
import { LogPanel } from "./LogPanel";
import { PerClassTable } from "./PerClassTable";
import { RunHeader } from "./RunHeader";
import { RunSummary } from "./RunSummary";
import { SnapshotCard } from "./SnapshotCard";
import { formatBytes, isTerminal } from "./runModel";
import { useRunEvents } from "./useRunEvents";

const MAX_POINTS = 4000;

const LOSS_SERIES: SeriesSpec[] = [
  { label: "train loss", colour: "#4c6ef5" },
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

export function RunPage() {
  const { pid = "", rid = "" } = useParams();
  const qc = useQueryClient();
  const run = useRun(rid);
  const cancel = useCancelRun(rid);
  const { store, model, version, connection } = useRunEvents(rid);

  const finishedStatus = model.finished?.status;
  useEffect(() => {
    if (finishedStatus) {
      qc.invalidateQueries({ queryKey: keys.run(rid) });
      qc.invalidateQueries({ queryKey: keys.runs(pid) });
    }
  }, [finishedStatus, rid, pid, qc]);

  const lossData = useMemo(() => {
    const train = thin({ x: model.batchX, y: model.loss }, MAX_POINTS);
    return alignSeries([train, { x: model.evalX, y: model.valLoss }]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version]);
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

  const onCancel = () =>
    cancel.mutate(undefined, {
      onError: (e) => notifications.show({ color: "red", title: "Cancel failed", message: (e as Error).message }),
    });

  if (run.error && !store.events.length) return <ErrorBox error={run.error} title="Cannot load this run" retry={() => run.refetch()} />;
  const latestEval = model.evaluations[model.evaluations.length - 1];
  const terminal = isTerminal(model.finished?.status);
  const dense = store.events.every((e, i) => e.seq === i);

  return (
    <div className="vf-run" data-testid="run-page" data-run-id={rid}>
      <RunHeader run={run.data} model={model} projectId={pid} connection={connection} cancelling={cancel.isPending} onCancel={onCancel} />
      <span
        hidden
        data-testid="run-events"
        data-count={store.events.length}
        data-last-seq={store.next - 1}
        data-dense={dense ? "true" : "false"}
        data-finished={terminal ? "true" : "false"}
      />
      <Stack gap="sm" p="md">
        {model.finished && model.finished.status !== "succeeded" ? (
          <Alert color={model.finished.status === "cancelled" ? "orange" : "red"} title={`Run ${model.finished.status}`} data-testid="run-reason">
            {model.finished.reason || "No reason given."}
          </Alert>
        ) : null}
        <RunSummary model={model} />
        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
          <LineChart title="Loss" data={lossData} series={LOSS_SERIES} testId="chart-loss" logY={false} />
          <LineChart title="Validation metrics" data={metricData} series={METRIC_SERIES} yRange={[0, 1]} testId="chart-metrics" empty="Appears after the first evaluation." />
          <LineChart title="Learning rate" data={lrData} series={LR_SERIES} testId="chart-lr" height={160} />
          <ConfusionMatrix evaluations={model.evaluations} />
          <PerClassTable evaluation={latestEval} />
          <SnapshotCard rid={rid} />
          <LogPanel lines={model.logs} startTs={model.startedTs} version={version} />
        </SimpleGrid>
        {terminal || model.artifacts.length ? (
          <Paper withBorder p="xs" data-testid="artifacts">
            <Group justify="space-between" mb={4}>
              <Text size="xs" fw={600}>
                Artifacts
              </Text>
              {model.finished ? (
                <Text size="xs" c="dimmed">
                  {Object.entries(model.finished.metrics ?? {})
                    .map(([k, v]) => `${k} ${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
                    .join(" · ")}
                </Text>
              ) : null}
            </Group>
            {model.artifacts.length ? (
              <Table fz="xs" verticalSpacing={2}>
                <Table.Tbody>
                  {model.artifacts.map((a) => (
                    <Table.Tr key={a.name}>
                      <Table.Td>
                        <Anchor href={`/api/runs/${rid}/artifacts/${encodeURIComponent(a.name)}`} download data-testid="artifact-link">
                          {a.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td c="dimmed">{a.kind}</Table.Td>
                      <Table.Td ta="right" ff="monospace">{formatBytes(a.bytes)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : (
              <Text size="xs" c="dimmed">
                No artifacts.
              </Text>
            )}
          </Paper>
        ) : null}
      </Stack>
    </div>
  );
}
