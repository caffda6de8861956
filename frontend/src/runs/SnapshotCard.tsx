/** Exactly what the run trained on: the dataset snapshot's hash and its train/val images per class. */
import { ActionIcon, CopyButton, Group, Paper, ScrollArea, Table, Text, Tooltip } from "@mantine/core";
import { IconCheck, IconCopy } from "@tabler/icons-react";
import { useRunSnapshot } from "../api/dataHooks";

export function SnapshotCard({ rid }: { rid: string }) {
  const snapshot = useRunSnapshot(rid);
  const s = snapshot.data;
  if (!s || !s.snapshot_hash) return null;
  const rows = s.class_names.map((name) => ({ name, ...(s.per_class[name] ?? { train: 0, val: 0 }) }));
  const most = Math.max(1, ...rows.map((r) => r.train + r.val));
  return (
    <Paper withBorder p="xs" data-testid="snapshot-card" data-hash={s.snapshot_hash}>
      <Group justify="space-between" mb={4} wrap="nowrap">
        <Text size="xs" fw={600}>
          Dataset snapshot
        </Text>
        <Group gap={4} wrap="nowrap">
          <Text className="vf-hash" c="dimmed" title={s.snapshot_hash}>
            {s.snapshot_hash.slice(0, 12)}
          </Text>
          <CopyButton value={s.snapshot_hash}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? "Copied" : "Copy the full hash"}>
                <ActionIcon size="xs" variant="subtle" color={copied ? "teal" : "gray"} onClick={copy} aria-label="Copy snapshot hash">
                  {copied ? <IconCheck size={12} /> : <IconCopy size={12} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        </Group>
      </Group>
      <Text size="xs" c="dimmed" mb={4} data-testid="snapshot-totals">
        <Text span size="xs" c="indigo.6" fw={600}>{s.train.toLocaleString()} train</Text> ·{" "}
        <Text span size="xs" c="orange.6" fw={600}>{s.val.toLocaleString()} val</Text> · {s.class_names.length} classes
      </Text>
      <ScrollArea.Autosize mah={260}>
        <Table verticalSpacing={2} fz="xs" stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Class</Table.Th>
              <Table.Th ta="right">Train</Table.Th>
              <Table.Th ta="right">Val</Table.Th>
              <Table.Th w="35%" />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.name} data-testid="snapshot-class" data-class={r.name} data-train={r.train} data-val={r.val}>
                <Table.Td>{r.name}</Table.Td>
                <Table.Td ta="right" ff="monospace">{r.train}</Table.Td>
                <Table.Td ta="right" ff="monospace">{r.val}</Table.Td>
                <Table.Td>
                  <div className="vf-split-bar" title={`${r.train} train, ${r.val} val`}>
                    <span style={{ width: `${(100 * r.train) / most}%` }} />
                    <span data-val style={{ width: `${(100 * r.val) / most}%` }} />
                  </div>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Paper>
  );
}
