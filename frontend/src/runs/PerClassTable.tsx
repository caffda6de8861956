import { Paper, ScrollArea, Table, Text } from "@mantine/core";
import type { EvaluationData } from "../api/types";

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export function PerClassTable({ evaluation }: { evaluation: EvaluationData | undefined }) {
  return (
    <Paper withBorder p="xs" data-testid="per-class-table">
      <Text size="xs" fw={600} mb={4}>
        Per class{evaluation ? <Text span c="dimmed" size="xs"> · {evaluation.final ? "final" : `epoch ${evaluation.epoch}`}</Text> : null}
      </Text>
      {!evaluation ? (
        <Text size="xs" c="dimmed">
          Appears after the first evaluation.
        </Text>
      ) : (
        <ScrollArea.Autosize mah={280}>
          <Table striped highlightOnHover verticalSpacing={2} fz="xs" stickyHeader>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Class</Table.Th>
                <Table.Th ta="right">Precision</Table.Th>
                <Table.Th ta="right">Recall</Table.Th>
                <Table.Th ta="right">F1</Table.Th>
                <Table.Th ta="right">Support</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {evaluation.per_class.map((c) => (
                <Table.Tr key={c.name}>
                  <Table.Td>{c.name}</Table.Td>
                  <Table.Td ta="right" ff="monospace">{pct(c.precision)}</Table.Td>
                  <Table.Td ta="right" ff="monospace">{pct(c.recall)}</Table.Td>
                  <Table.Td ta="right" ff="monospace" c={c.f1 < 0.5 ? "red" : undefined}>
                    {pct(c.f1)}
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace">{c.support}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Paper>
  );
}
