/** Beside the diff canvas: every change between the two versions, one line each; clicking a node's line focuses it
 * on the canvas. A changed node lists its parameters "Title: old → new" by the catalogue's titles and enum names. */
import { Badge, Group, Stack, Text } from "@mantine/core";
import type { Catalogue } from "../graph/connection";
import { changeText, diffCounts, type GraphDiff, type NodeDiff, type ParamSchema } from "../graph/diff";

interface Props {
  diff: GraphDiff;
  catalogue: Catalogue;
  focusId: string | null;
  onFocus: (nodeId: string) => void;
  olderLabel: string;
  newerLabel: string;
}

const ORDER: Record<NodeDiff["status"], number> = { added: 0, changed: 1, removed: 2, unchanged: 3 };
const VERB: Record<NodeDiff["status"], string> = { added: "added", changed: "changed", removed: "removed", unchanged: "moved" };

function schemasOf(catalogue: Catalogue, type: string): Record<string, ParamSchema> {
  return (catalogue.get(type)?.params_schema?.properties ?? {}) as Record<string, ParamSchema>;
}

function NodeChange({ change, catalogue, focused, onFocus }: { change: NodeDiff; catalogue: Catalogue; focused: boolean; onFocus: () => void }) {
  const schemas = schemasOf(catalogue, change.node.type);
  const title = catalogue.get(change.node.type)?.title ?? change.node.type;
  return (
    <button
      type="button"
      className="vf-change"
      data-status={change.status}
      data-focused={focused || undefined}
      data-node-id={change.id}
      data-testid="diff-change"
      onClick={onFocus}
    >
      <Text size="sm" fw={500} span>
        <span className="vf-change-dot" />
        {title}{" "}
        <Text span size="xs" c="dimmed" ff="monospace">
          {change.id}
        </Text>{" "}
        <Text span size="xs" c="dimmed">
          {VERB[change.status]}
          {change.status === "changed" && change.moved ? " and moved" : ""}
        </Text>
      </Text>
      {change.typeBefore ? (
        <div className="vf-param-change">
          Node: {catalogue.get(change.typeBefore)?.title ?? change.typeBefore} → {title}
        </div>
      ) : null}
      {change.params.map((p) => (
        <div key={p.name} className="vf-param-change" data-testid="param-change">
          {changeText(p, schemas)}
        </div>
      ))}
    </button>
  );
}

export function DiffPanel({ diff, catalogue, focusId, onFocus, olderLabel, newerLabel }: Props) {
  const counts = diffCounts(diff);
  const shown = diff.nodes.filter((n) => n.status !== "unchanged" || n.moved).sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const titleOf = (id: string) => {
    const node = diff.nodes.find((n) => n.id === id)?.node;
    return node ? (catalogue.get(node.type)?.title ?? node.type) : id;
  };
  const edges = diff.edges.filter((e) => e.status !== "unchanged");
  return (
    <aside className="vf-diff-panel" data-testid="diff-panel">
      <Stack gap={4} px="sm" pb="xs">
        <Text size="sm" fw={600}>
          Changes from {olderLabel} to {newerLabel}
        </Text>
        <Group gap={4}>
          <Badge size="sm" color="green" variant="light">{counts.added} added</Badge>
          <Badge size="sm" color="yellow" variant="light">{counts.changed} changed</Badge>
          <Badge size="sm" color="red" variant="light">{counts.removed} removed</Badge>
          {counts.edgesAdded || counts.edgesRemoved ? (
            <Badge size="sm" color="gray" variant="light">
              connections +{counts.edgesAdded} −{counts.edgesRemoved}
            </Badge>
          ) : null}
        </Group>
        {diff.same ? (
          <Text size="sm" c="dimmed" data-testid="diff-same">
            The two versions hold the same graph{counts.moved ? " (only positions differ)" : ""}.
          </Text>
        ) : null}
      </Stack>
      {shown.map((change) => (
        <NodeChange key={change.id} change={change} catalogue={catalogue} focused={focusId === change.id} onFocus={() => onFocus(change.id)} />
      ))}
      {edges.length ? (
        <Stack gap={2} px="sm" pt="xs">
          <Text size="xs" fw={600} c="dimmed">
            Connections
          </Text>
          {edges.map((e) => (
            <Text key={`${e.status}:${e.id}`} size="xs" data-testid="edge-change" data-status={e.status}>
              <Text span c={e.status === "added" ? "green" : "red"} fw={600}>
                {e.status === "added" ? "+ " : "− "}
              </Text>
              {titleOf(e.edge.source)} ({e.edge.source_port}) → {titleOf(e.edge.target)} ({e.edge.target_port})
            </Text>
          ))}
        </Stack>
      ) : null}
    </aside>
  );
}
