/** The checkpoints a run saved (last and best, per epoch) with the metrics they were saved at. */
import { Badge, Paper, ScrollArea, Table, Text } from "@mantine/core";
import { useCheckpoints } from "../api/runHooks";
import { formatMetric } from "./compareModel";

const COLUMNS = ["accuracy", "f1", "val_loss"];

export function CheckpointsTable({ rid, version }: { rid: string; version: number }) {
  const checkpoints = useCheckpoints(rid, version);
  const rows = [...(checkpoints.data ?? [])].sort((a, b) => b.seq - a.seq);
  return (
    <Paper withBorder p="xs" data-testid="checkpoints" data-count={rows.length}>
      <Text size="xs" fw={600} mb={4}>
        Checkpoints
      </Text>
      {!rows.length ? (
        <Text size="xs" c="dimmed">
          {checkpoints.error ? checkpoints.error.message : "None saved yet."}
        </Text>
      ) : (
        <ScrollArea.Autosize mah={240}>
          <Table fz="xs" verticalSpacing={2} striped stickyHeader>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Epoch</Table.Th>
                <Table.Th>Kind</Table.Th>
                {COLUMNS.map((c) => (
                  <Table.Th key={c} ta="right">
                    {c.replace("_", " ")}
                  </Table.Th>
                ))}
                <Table.Th>File</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((c) => (
                <Table.Tr key={c.seq} data-testid="checkpoint-row" data-kind={c.kind} data-epoch={c.epoch}>
                  <Table.Td ff="monospace">{c.epoch}</Table.Td>
                  <Table.Td>
                    <Badge size="xs" variant={c.kind === "best" ? "filled" : "light"} color={c.kind === "best" ? "teal" : "gray"}>
                      {c.kind}
                    </Badge>
                  </Table.Td>
                  {COLUMNS.map((k) => (
                    <Table.Td key={k} ta="right" ff="monospace">
                      {formatMetric(k, c.metrics?.[k])}
                    </Table.Td>
                  ))}
                  <Table.Td c="dimmed" ff="monospace">
                    {c.path}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Paper>
  );
}
