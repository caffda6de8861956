/** The right-hand panel: the selected node's description, ports, issues and parameter form. */
import { ActionIcon, Badge, Code, Group, Kbd, ScrollArea, Stack, Text, Title, Tooltip } from "@mantine/core";
import { IconRestore, IconTrash } from "@tabler/icons-react";
import { useCallback, useMemo } from "react";
import type { Issue, NodeDescriptor } from "../api/types";
import { FixButton } from "../canvas/FixButton";
import { fixOnNode } from "../graph/fix";
import { splitNodeIssues } from "../graph/issues";
import type { FlowNode } from "../graph/types";
import { useEditorContext } from "../canvas/EditorContext";
import { paramCount, sameJson, withDefaults } from "./formModel";
import { ParamsForm } from "./ParamsForm";
import { canPreview } from "./preview";
import { PreviewPanel } from "./PreviewPanel";

interface Props {
  node: FlowNode | null;
  selectedCount: number;
  descriptor: NodeDescriptor | undefined;
  issues: Issue[];
  onParamsChange: (nodeId: string, params: Record<string, unknown>) => void;
  onDelete: (nodeId: string) => void;
}

function IssueLine({ issue, node }: { issue: Issue; node: FlowNode }) {
  const fix = fixOnNode(issue, node.id, node.data.params);
  return (
    <div>
      <Text size="xs" c={issue.severity === "error" ? "red" : "orange.8"} data-testid="inspector-issue" data-code={issue.code} data-severity={issue.severity}>
        {issue.message}
      </Text>
      {fix ? <FixButton fix={fix} /> : null}
    </div>
  );
}

function EmptyInspector({ selectedCount }: { selectedCount: number }) {
  const { readOnly } = useEditorContext();
  if (readOnly) {
    return (
      <Stack gap="xs" p="md" data-testid="inspector-empty">
        <Title order={6}>Nothing selected</Title>
        <Text size="xs" c="dimmed">
          Click a node to see its parameters.
        </Text>
      </Stack>
    );
  }
  return (
    <Stack gap="xs" p="md" data-testid="inspector-empty">
      <Title order={6}>{selectedCount > 1 ? `${selectedCount} items selected` : "Nothing selected"}</Title>
      <Text size="xs" c="dimmed">
        {selectedCount > 1
          ? "Press Delete to remove them, or click a single node to edit its parameters."
          : "Click a node to edit its parameters. Drag nodes from the palette, then connect an output to an input of the same kind."}
      </Text>
      <Text size="xs" c="dimmed">
        <Kbd size="xs">/</Kbd> search nodes · <Kbd size="xs">Del</Kbd> remove · <Kbd size="xs">Ctrl</Kbd>+<Kbd size="xs">S</Kbd> save
      </Text>
    </Stack>
  );
}

export function Inspector({ node, selectedCount, descriptor, issues, onParamsChange, onDelete }: Props) {
  const split = useMemo(() => splitNodeIssues(issues, descriptor), [issues, descriptor]);
  const { colours, readOnly } = useEditorContext();
  const nodeId = node?.id;
  const shown = useMemo(() => withDefaults(node?.data.params, descriptor?.defaults), [node?.data.params, descriptor]);
  const handleChange = useCallback(
    (next: Record<string, unknown>) => {
      if (nodeId && !sameJson(next, shown)) onParamsChange(nodeId, next);
    },
    [nodeId, shown, onParamsChange],
  );
  if (!node || selectedCount !== 1) return <EmptyInspector selectedCount={selectedCount} />;

  const ports = [
    ...(descriptor?.inputs ?? []).map((p) => ({ ...p, dir: "in" as const })),
    ...(descriptor?.outputs ?? []).map((p) => ({ ...p, dir: "out" as const })),
  ];
  return (
    <ScrollArea h="100%" type="auto" data-testid="inspector" data-node-id={node.id}>
      <Stack gap="sm" p="md">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div style={{ minWidth: 0 }}>
            <Title order={5} data-testid="inspector-title">
              {descriptor?.title ?? node.data.nodeType}
            </Title>
            <Group gap={6} mt={2}>
              <Code fz={10}>{node.id}</Code>
              {descriptor ? (
                <Badge size="xs" variant="light" color="gray">
                  {descriptor.category}
                </Badge>
              ) : null}
            </Group>
          </div>
          <Group gap={2} wrap="nowrap" display={readOnly ? "none" : undefined}>
            {descriptor ? (
              <Tooltip label="Reset parameters to defaults">
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  onClick={() => onParamsChange(node.id, structuredClone(descriptor.defaults ?? {}))}
                  aria-label="Reset parameters"
                >
                  <IconRestore size={16} />
                </ActionIcon>
              </Tooltip>
            ) : null}
            <Tooltip label="Remove node (Delete)">
              <ActionIcon variant="subtle" color="red" onClick={() => onDelete(node.id)} aria-label="Remove node" data-testid="inspector-delete">
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
        {descriptor?.description ? (
          <Text size="xs" c="dimmed">
            {descriptor.description}
          </Text>
        ) : null}
        {!descriptor ? <Text size="xs" c="red">This node type is not in the catalogue.</Text> : null}
        {split.node.map((i, k) => (
          <IssueLine key={k} issue={i} node={node} />
        ))}
        {/* A parameter's messages show on its field; one with a remedy also shows here, with the button. */}
        {issues
          .filter((i) => i.fix && i.field && split.params[i.field])
          .map((i, k) => (
            <IssueLine key={`fix-${k}`} issue={i} node={node} />
          ))}
        {ports.length ? (
          <Stack gap={4}>
            {ports.map((p) => (
              <Group key={`${p.dir}-${p.name}`} gap={6} wrap="nowrap">
                <span className="vf-port-dot" style={{ background: colours.kind(p.kind) }} />
                <Text size="xs">
                  {p.dir === "in" ? "Input" : "Output"} <b>{p.title || p.name}</b>{" "}
                  <Text span c="dimmed" size="xs">
                    ({p.kind})
                  </Text>
                </Text>
                {(split.ports[p.name] ?? []).map((i, k) => (
                  <IssueLine key={k} issue={i} node={node} />
                ))}
              </Group>
            ))}
          </Stack>
        ) : null}
        {descriptor && canPreview(descriptor.category) ? <PreviewPanel nodeId={node.id} category={descriptor.category} /> : null}
        {descriptor && paramCount(descriptor.params_schema) > 0 ? (
          <>
            <Text size="xs" fw={600} tt="uppercase" c="dimmed" mt="xs">
              Parameters
            </Text>
            <ParamsForm key={node.id} schema={descriptor.params_schema} params={shown} errors={split.params} onChange={handleChange} disabled={readOnly} />
          </>
        ) : descriptor ? (
          <Text size="xs" c="dimmed">
            This node has no parameters.
          </Text>
        ) : null}
      </Stack>
    </ScrollArea>
  );
}
