/** The numbers to read at a glance: latest (or final) metrics and throughput. */
import { Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import type { RunModel } from "./runModel";
import { trainedOn } from "./trainedOn";

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <Paper withBorder px="sm" py={6} data-testid={testId}>
      <Text size="10px" tt="uppercase" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={600} ff="monospace">
        {value}
      </Text>
      {hint ? (
        <Text size="10px" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Paper>
  );
}

const pct = (v: number | undefined | null) => (v == null ? "—" : `${(v * 100).toFixed(1)}%`);

export function RunSummary({ model }: { model: RunModel }) {
  const final = model.evaluations.find((e) => e.final);
  const last = final ?? model.evaluations[model.evaluations.length - 1];
  const finalMetrics = model.finished?.metrics ?? {};
  const acc = (finalMetrics.accuracy as number | undefined) ?? last?.accuracy;
  const where = final || model.finished ? "final" : last ? `epoch ${last.epoch}` : undefined;
  const b = model.lastBatch;
  const classes = last?.class_names.length ?? model.started?.class_names.length ?? 0;
  const device = trainedOn(model.started, model.status === "running");
  return (
    <Stack gap={4}>
      <SimpleGrid cols={{ base: 3, md: 6 }} spacing="xs" data-testid="run-summary">
        <Stat label="Accuracy" value={pct(acc)} hint={where} testId="stat-accuracy" />
        {classes > 5 ? <Stat label="Top-5" value={pct(last?.top5)} hint={where} testId="stat-top5" /> : null /* always 100% with ≤ 5 classes */}
        <Stat label="F1 (macro)" value={pct(last?.f1)} hint={where} />
        <Stat label="Avg confidence" value={pct(last?.avg_confidence)} hint={where} />
        <Stat label="Train loss" value={b ? b.loss.toFixed(4) : "—"} hint={b ? `epoch ${b.epoch}/${b.epochs}` : undefined} />
        <Stat label="Throughput" value={b ? `${Math.round(b.images_per_s)}/s` : "—"} hint="images" />
      </SimpleGrid>
      {device ? (
        <Text size="xs" c="dimmed" data-testid="run-device">
          {device}
        </Text>
      ) : null}
    </Stack>
  );
}
