/** Runs side by side: their results, what differs in their settings and workflows (the server's diff), and their
 * curves overlaid, one colour per run. Run ids live in the URL (`?ids=a,b,c`). */
import { Anchor, Container, Group, Paper, ScrollArea, Select, SimpleGrid, Table, Text, Title } from "@mantine/core";
import { useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useCompare } from "../api/runHooks";
import type { ComparedRun, CurveKey } from "../api/types";
import { ErrorBox, Loading } from "../shell/QueryState";
import { CURVES, curveData, formatMetric, formatSetting, parseIds, runColour, seriesLabel } from "./compareModel";
import { LineChart, type SeriesSpec } from "./LineChart";
import { RunStatusBadge } from "./RunStatusBadge";
import "./evaluation.css";

const SUMMARY = ["accuracy", "f1", "top5", "val_loss", "epochs"];

function CurveChart({ runs, curve }: { runs: ComparedRun[]; curve: (typeof CURVES)[number] }) {
  const data = useMemo(() => curveData(runs, curve.key), [runs, curve.key]);
  const series: SeriesSpec[] = runs.map((r, i) => ({ label: seriesLabel(r), colour: runColour(i), points: curve.key !== "loss" }));
  return <LineChart title={curve.label} data={data} series={series} yRange={curve.range} testId={`compare-chart-${curve.key}`} empty="No points." />;
}

export function ComparePage() {
  const { pid = "" } = useParams();
  const [params] = useSearchParams();
  const ids = parseIds(params.get("ids"));
  const compare = useCompare(pid, ids);
  const [extra, setExtra] = useState<CurveKey>("precision");
  if (ids.length < 2) return <ErrorBox error={new Error("Choose two or more runs on the runs page to compare them.")} title="Nothing to compare" />;
  if (compare.error) return <ErrorBox error={compare.error} title="Cannot compare these runs" retry={() => compare.refetch()} />;
  if (!compare.data) return <Loading />;
  const { runs, differences } = compare.data;
  const curve = (key: string) => CURVES.find((c) => c.key === key)!;

  return (
    <Container size="xl" py="lg" data-testid="compare-page" data-runs={runs.length}>
      <Group justify="space-between" mb="sm">
        <Title order={3}>Compare {runs.length} runs</Title>
        <Anchor component={Link} to={`/projects/${pid}/runs`} size="sm">
          All runs
        </Anchor>
      </Group>
      <Paper withBorder p="xs" mb="sm">
        <Table fz="xs" verticalSpacing={4} data-testid="compare-runs-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Run</Table.Th>
              <Table.Th>Status</Table.Th>
              {SUMMARY.map((k) => (
                <Table.Th key={k} ta="right">
                  {k.replace("_", " ")}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {runs.map((r, i) => (
              <Table.Tr key={r.id} data-testid="compare-run" data-run-id={r.id}>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <span className="vf-swatch-run" style={{ background: runColour(i) }} />
                    <Anchor component={Link} to={`/projects/${pid}/runs/${r.id}`} size="xs" fw={500} truncate maw={360} title={r.name}>
                      {r.name || r.workflow_name}
                    </Anchor>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {r.id}
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td>
                  <RunStatusBadge status={r.status} />
                </Table.Td>
                {SUMMARY.map((k) => (
                  <Table.Td key={k} ta="right" ff="monospace">
                    {k === "epochs" ? formatSetting(r.metrics?.[k] ?? r.metrics?.epoch) : formatMetric(k, r.metrics?.[k])}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Paper withBorder p="xs" mb="sm" data-testid="compare-differences" data-count={differences.length}>
        <Text size="xs" fw={600} mb={4}>
          What differs {differences.length ? <Text span c="dimmed" size="xs">· {differences.length} setting(s)</Text> : null}
        </Text>
        {!differences.length ? (
          <Text size="xs" c="dimmed">
            Same settings, workflow and data: any difference in results comes from chance.
          </Text>
        ) : (
          <ScrollArea>
            <Table fz="xs" verticalSpacing={3} striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Setting</Table.Th>
                  {runs.map((r, i) => (
                    <Table.Th key={r.id}>
                      <Group gap={4} wrap="nowrap">
                        <span className="vf-swatch-run" style={{ background: runColour(i) }} />
                        <Text span size="xs" fw={600} truncate maw={220} title={`${r.name} (${r.id})`}>
                          {r.name || r.id}
                        </Text>
                      </Group>
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {differences.map((d) => (
                  <Table.Tr key={d.key} data-testid="compare-difference" data-key={d.key}>
                    <Table.Td ff="monospace" fw={500}>
                      {d.key}
                    </Table.Td>
                    {runs.map((r) => (
                      <Table.Td key={r.id} ff="monospace" style={{ wordBreak: "break-word" }}>
                        {formatSetting(d.values[r.id])}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        )}
      </Paper>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        <CurveChart runs={runs} curve={curve("accuracy")} />
        <CurveChart runs={runs} curve={curve("val_loss")} />
        <CurveChart runs={runs} curve={curve("loss")} />
        <div>
          <Select
            size="xs"
            mb={4}
            w={200}
            value={extra}
            onChange={(v) => v && setExtra(v as CurveKey)}
            data={CURVES.filter((c) => !["accuracy", "val_loss", "loss"].includes(c.key)).map((c) => ({ value: c.key, label: c.label }))}
            aria-label="Metric"
            data-testid="compare-metric"
          />
          <CurveChart runs={runs} curve={curve(extra)} />
        </div>
      </SimpleGrid>
    </Container>
  );
}
