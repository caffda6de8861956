/** All runs of a project: name (and workflow), status, key metrics, timing; click to open; tick two or more to compare.
 * A queued run says its place in the queue and why it waits, with Move to front and Cancel (QueueControls). */
import { Anchor, Badge, Button, Checkbox, Container, Group, Table, Text, Title, Tooltip } from "@mantine/core";
import { IconAlertTriangle, IconArrowsDiff } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useRuns } from "../api/hooks";
import type { Run } from "../api/types";
import { ErrorBox, Loading } from "../shell/QueryState";
import { QueueNote } from "./QueueControls";
import { RunStatusBadge } from "./RunStatusBadge";
import { parentWords } from "./lineage";
import { runName } from "./runName";
import { formatDuration } from "./runModel";
import { warningSummary } from "./warnings";

/** A run that succeeded with a degenerate model says so next to its status. */
function QualityBadge({ run }: { run: Run }) {
  const summary = warningSummary(run.quality_warnings);
  if (!summary) return null;
  const kinds = new Set((run.quality_warnings ?? []).map((w) => w.code)).size;
  return (
    <Tooltip label={summary} multiline w={320} style={{ whiteSpace: "pre-line" }}>
      <Badge size="sm" color="yellow" variant="light" leftSection={<IconAlertTriangle size={11} />} data-testid="run-quality-warning">
        {kinds} warning{kinds > 1 ? "s" : ""}
      </Badge>
    </Tooltip>
  );
}

const pct = (v: unknown) => (typeof v === "number" ? `${(v * 100).toFixed(1)}%` : "—");

function duration(run: Run): string {
  if (!run.started_at) return "—";
  const end = run.finished_at ? Date.parse(run.finished_at) : Date.now();
  return formatDuration((end - Date.parse(run.started_at)) / 1000);
}

export function RunsPage() {
  const { pid = "" } = useParams();
  const navigate = useNavigate();
  const runs = useRuns(pid);
  const [chosen, setChosen] = useState<string[]>([]);
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  if (runs.error) return <ErrorBox error={runs.error} retry={() => runs.refetch()} />;
  if (!runs.data) return <Loading />;
  const rows = [...runs.data].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <Container size="xl" py="lg">
      <Group justify="space-between" mb="sm">
        <Title order={3}>Runs</Title>
        <Group gap="sm">
          <Text size="xs" c="dimmed">
            {chosen.length ? `${chosen.length} of ${rows.length} chosen` : `${rows.length} run(s) · tick two or more to compare`}
          </Text>
          <Button
            size="xs"
            leftSection={<IconArrowsDiff size={14} />}
            disabled={chosen.length < 2}
            onClick={() => navigate(`/projects/${pid}/runs/compare?ids=${chosen.join(",")}`)}
            data-testid="compare-runs"
          >
            Compare{chosen.length >= 2 ? ` ${chosen.length}` : ""}
          </Button>
        </Group>
      </Group>
      {!rows.length ? (
        <Text c="dimmed" size="sm" data-testid="runs-empty">
          No runs yet. Open the workflow and press Run Training.
        </Text>
      ) : (
        <Table highlightOnHover verticalSpacing="xs" data-testid="runs-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36} />
              <Table.Th>Status</Table.Th>
              <Table.Th>Run</Table.Th>
              <Table.Th>Started</Table.Th>
              <Table.Th>Duration</Table.Th>
              <Table.Th ta="right">Accuracy</Table.Th>
              <Table.Th ta="right">F1</Table.Th>
              <Table.Th>Note</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr
                key={r.id}
                style={{ cursor: "pointer" }}
                onClick={() => navigate(`/projects/${pid}/runs/${r.id}`)}
                data-testid="run-row"
                data-run-id={r.id}
              >
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Checkbox size="xs" checked={chosen.includes(r.id)} onChange={() => toggle(r.id)} aria-label={`Compare run ${r.id}`} data-testid="compare-check" />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <RunStatusBadge status={r.status} />
                    <QualityBadge run={r} />
                  </Group>
                </Table.Td>
                <Table.Td maw={420}>
                  <Text size="sm" fw={500} truncate title={runName(r)} data-testid="run-name">
                    {runName(r)}
                  </Text>
                  <Text size="xs" c="dimmed" truncate>
                    {r.workflow_name}
                    {r.workflow_version_number != null ? ` v${r.workflow_version_number}` : ""} ·{" "}
                    <Text span size="xs" ff="monospace">
                      {r.id}
                    </Text>
                  </Text>
                  {r.parent_run_id ? (
                    <Text size="xs" c="dimmed">
                      {parentWords(r)}{" "}
                      <Anchor component={Link} to={`/projects/${pid}/runs/${r.parent_run_id}`} size="xs" ff="monospace" onClick={(e) => e.stopPropagation()}>
                        {r.parent_run_id}
                      </Anchor>
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td c="dimmed">{new Date(r.created_at).toLocaleString()}</Table.Td>
                <Table.Td ff="monospace">{duration(r)}</Table.Td>
                <Table.Td ta="right" ff="monospace">
                  <Tooltip
                    label={Object.entries(r.metrics ?? {}).map(([k, v]) => `${k}: ${Number(v).toPrecision(4)}`).join("\n") || "no metrics"}
                    style={{ whiteSpace: "pre-line" }}
                  >
                    <span>{pct(r.metrics?.accuracy)}</span>
                  </Tooltip>
                </Table.Td>
                <Table.Td ta="right" ff="monospace">{pct(r.metrics?.f1)}</Table.Td>
                <Table.Td c="dimmed" maw={280}>
                  {r.status === "queued" ? (
                    <QueueNote pid={pid} run={r} />
                  ) : (
                    <Text size="xs" truncate>
                      {r.reason ?? ""}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Container>
  );
}
