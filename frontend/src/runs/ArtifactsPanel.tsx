/** What a run produced: download buttons for the weights and the ONNX export, other files, and the model card. */
import { Anchor, Button, Code, Group, Paper, Table, Text } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import Markdown from "react-markdown";
import remarkGfm from "remark-gfm";
import { useArtifacts, useModelCard } from "../api/runHooks";
import { describeArtifact, describeInt8, int8Summary, modelCard, orderArtifacts, prettyJson } from "./artifactsModel";
import { formatBytes } from "./runModel";

interface Props {
  rid: string;
  version: number;
  /** Final metrics line, when the run has finished. */
  summary: string | null;
}

export function ArtifactsPanel({ rid, version, summary }: Props) {
  const artifacts = useArtifacts(rid, version);
  const list = artifacts.data ?? [];
  const { primary, other } = orderArtifacts(list);
  const card = modelCard(list);
  const text = useModelCard(card?.artifact.url ?? null);
  // The int8 ONNX's latency against fp32 is in the JSON card (the Markdown one says it in prose).
  const jsonCard = list.find((a) => a.name === "model_card.json");
  const jsonText = useModelCard(jsonCard && card?.format === "markdown" ? jsonCard.url : null);
  const int8 = int8Summary(card?.format === "json" ? text.data : jsonText.data);
  return (
    <Paper withBorder p="xs" data-testid="artifacts">
      <Group justify="space-between" mb={6}>
        <Text size="xs" fw={600}>
          Artifacts
        </Text>
        {summary ? (
          <Text size="xs" c="dimmed">
            {summary}
          </Text>
        ) : null}
      </Group>
      {!list.length ? (
        <Text size="xs" c="dimmed">
          {artifacts.error ? artifacts.error.message : "No artifacts."}
        </Text>
      ) : (
        <>
          <Group gap="xs" mb={other.length ? 6 : 0}>
            {primary.map((a) => (
              <Button
                key={a.name}
                size="xs"
                variant={a.name === "best.pt" ? "filled" : "light"}
                component="a"
                href={a.url}
                download
                leftSection={<IconDownload size={14} />}
                title={describeArtifact(a)}
                data-testid="artifact-link"
                data-name={a.name}
              >
                {a.name} · {formatBytes(a.bytes)}
              </Button>
            ))}
          </Group>
          {int8 ? (
            <Text size="xs" c={int8.kept ? "dimmed" : "orange"} mb={other.length ? 6 : 0} data-testid="int8-summary">
              {describeInt8(int8)}
            </Text>
          ) : null}
          {other.length ? (
            <Table fz="xs" verticalSpacing={2}>
              <Table.Tbody>
                {other.map((a) => (
                  <Table.Tr key={a.name}>
                    <Table.Td>
                      <Anchor href={a.url} download size="xs" data-testid="artifact-link" data-name={a.name}>
                        {a.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td c="dimmed">{a.kind}</Table.Td>
                    <Table.Td ta="right" ff="monospace">
                      {formatBytes(a.bytes)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : null}
        </>
      )}
      {card ? (
        <Paper withBorder p="sm" mt="sm" data-testid="model-card" data-format={card.format}>
          <Text size="10px" c="dimmed" tt="uppercase" fw={600} mb={4}>
            Model card · {card.artifact.name}
          </Text>
          {text.error ? (
            <Text size="xs" c="red">
              {text.error.message}
            </Text>
          ) : text.data === undefined ? (
            <Text size="xs" c="dimmed">
              Loading…
            </Text>
          ) : card.format === "markdown" ? (
            <div className="vf-model-card">
              <Markdown remarkPlugins={[remarkGfm]}>{text.data}</Markdown>
            </div>
          ) : (
            <Code block className="vf-model-card">
              {prettyJson(text.data)}
            </Code>
          )}
        </Paper>
      ) : null}
    </Paper>
  );
}
