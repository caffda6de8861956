/** The dataset at a glance: how many images, how many labelled, images per class, sizes, and what to worry about. */
import { Alert, Group, Paper, RingProgress, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useStats } from "../api/dataHooks";
import type { ProjectClass } from "../api/types";
import { ErrorBox, Loading } from "../shell/QueryState";
import { classBars, distribution, sizeSummary, type Distribution } from "./statsModel";

function Figure({ label, value, hint }: { label: string; value: React.ReactNode; hint?: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="xl" fw={600} mt={2}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Paper>
  );
}

function Histogram({ title, bins, testId }: { title: string; bins: Distribution[]; testId: string }) {
  return (
    <Paper withBorder p="md" data-testid={testId}>
      <Title order={6} mb="sm">
        {title}
      </Title>
      {bins.length ? (
        <div className="vf-bars">
          {bins.map((b) => (
            <div key={b.label} className="vf-bar-row vf-bar-static">
              <Text size="sm" truncate ta="right">
                {b.label}
              </Text>
              <span className="vf-bar-track">
                <span className="vf-bar" style={{ width: `${Math.max(b.fraction * 100, b.count ? 0.5 : 0)}%`, background: "var(--mantine-color-indigo-4)" }} />
              </span>
              <Text size="xs" ff="monospace">
                {b.count.toLocaleString()}
              </Text>
            </div>
          ))}
        </div>
      ) : (
        <Text size="sm" c="dimmed">
          No images yet.
        </Text>
      )}
    </Paper>
  );
}

export function StatsPanel({ pid, classes, onClass }: { pid: string; classes: ProjectClass[]; onClass: (classId: string) => void }) {
  const stats = useStats(pid);
  if (stats.error) return <ErrorBox error={stats.error} retry={() => stats.refetch()} />;
  if (!stats.data) return <Loading />;
  const s = stats.data;
  const colour = new Map(classes.map((c) => [c.id, c.colour]));
  const done = s.images ? s.labelled / s.images : 0;
  return (
    <Stack p="md" gap="md" maw={1100} data-testid="stats-panel">
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
        <Figure label="Images" value={s.images.toLocaleString()} />
        <Paper withBorder p="sm">
          <Group gap="sm" wrap="nowrap">
            <RingProgress size={64} thickness={7} roundCaps sections={[{ value: 100 * done, color: "teal" }]} />
            <div>
              <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                Labelled
              </Text>
              <Text size="xl" fw={600} data-testid="stats-labelled">
                {s.labelled.toLocaleString()}
              </Text>
              <Text size="xs" c="dimmed">
                {s.unlabelled.toLocaleString()} unlabelled
              </Text>
            </div>
          </Group>
        </Paper>
        <Figure label="Classes" value={s.classes.length} />
        <Figure label="Image size" value={<Text span size="md" fw={600}>{sizeSummary(s.sizes)}</Text>} hint="width × height" />
      </SimpleGrid>
      {s.warnings.length ? (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={16} />} title={`${s.warnings.length} thing(s) to look at`} data-testid="stats-warnings">
          <Stack gap={2}>
            {s.warnings.map((w, i) => (
              <Text size="sm" key={`${w.code}-${w.class ?? i}`} data-code={w.code}>
                {w.message}
              </Text>
            ))}
          </Stack>
        </Alert>
      ) : null}
      <Paper withBorder p="md">
        <Title order={6} mb="sm">
          Images per class
        </Title>
        {s.classes.length ? (
          <div className="vf-bars" data-testid="class-bars">
            {classBars(s).map((b) => (
              <button type="button" key={b.id} className="vf-bar-row" onClick={() => onClass(b.id)} data-warning={b.warning || undefined} title={`Show ${b.name}`}>
                <Text size="sm" truncate ta="right">
                  {b.name}
                </Text>
                <span className="vf-bar-track">
                  <span className="vf-bar" style={{ width: `${Math.max(b.fraction * 100, b.count ? 0.5 : 0)}%`, background: colour.get(b.id) }} />
                </span>
                <Text size="xs" ff="monospace" c={b.warning ? "orange" : undefined}>
                  {b.count.toLocaleString()} <Text span c="dimmed" size="xs">{Math.round(b.share * 100)}%</Text>
                </Text>
                <span className="vf-bar-samples" data-testid="class-samples">
                  {b.samples.map((id) => (
                    <img key={id} src={`/api/assets/${id}/thumbnail`} alt="" loading="lazy" />
                  ))}
                </span>
              </button>
            ))}
          </div>
        ) : (
          <Text size="sm" c="dimmed">
            No classes yet.
          </Text>
        )}
      </Paper>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
        <Histogram title="Longest side" bins={distribution(s.longest_side)} testId="stats-sizes" />
        <Histogram title="Shape (width ÷ height)" bins={distribution(s.aspect)} testId="stats-aspect" />
      </SimpleGrid>
    </Stack>
  );
}
