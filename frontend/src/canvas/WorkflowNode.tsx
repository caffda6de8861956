/** A workflow node on the canvas: title, typed ports (colour = kind), a short parameter summary, issue badge, and
 * the node's own issues written out (a dataset check's warning must be seen without hovering), each with its
 * one-click fix when the server offers one. Text sizes are chosen with READABLE_ZOOM (graph/layout.ts): a workflow
 * opens at a zoom where the title and parameter summary are at least 11 px on screen. */
import { Text, Tooltip } from "@mantine/core";
import { IconAlertTriangle, IconCircleX } from "@tabler/icons-react";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, useMemo } from "react";
import type { PortSpec } from "../api/types";
import { fixOnNode } from "../graph/fix";
import { splitNodeIssues, worstSeverity } from "../graph/issues";
import type { FlowNode } from "../graph/types";
import { useEditorContext } from "./EditorContext";
import { FixButton } from "./FixButton";
import { paramSummary, type ParamSchema } from "./nodeSummary";

/** At most this many issues are written on the node; the badge's tooltip and the issues panel have them all. */
const NOTES_SHOWN = 3;

function PortRow({ port, side, problem, colour }: { port: PortSpec; side: "in" | "out"; problem?: string; colour: string }) {
  return (
    <div className={`vf-port vf-port-${side}`} data-problem={problem ? "true" : undefined}>
      <Handle
        type={side === "in" ? "target" : "source"}
        position={side === "in" ? Position.Left : Position.Right}
        id={port.name}
        className="vf-handle"
        style={{ background: colour }}
        data-testid={`handle-${side}-${port.name}`}
        title={`${port.title || port.name} (${port.kind})`}
      />
      <Tooltip label={problem} disabled={!problem} color="red">
        <span className="vf-port-label">{port.title || port.name}</span>
      </Tooltip>
    </div>
  );
}

export const WorkflowNode = memo(function WorkflowNode({ id, data, selected }: NodeProps<FlowNode>) {
  const { catalogue, issuesByNode, colours } = useEditorContext();
  const descriptor = catalogue.get(data.nodeType);
  const issues = issuesByNode.get(id);
  const severity = worstSeverity(issues);
  const split = useMemo(() => splitNodeIssues(issues ?? [], descriptor), [issues, descriptor]);
  const summary = useMemo(
    () =>
      paramSummary(
        data.params ?? {},
        descriptor?.defaults,
        Object.keys((descriptor?.params_schema?.properties as object) ?? {}),
        3,
        (descriptor?.params_schema?.properties ?? {}) as Record<string, ParamSchema>,
      ),
    [data.params, descriptor],
  );
  // Port problems show on the port; everything else about the node is written under it, errors first.
  const notes = useMemo(() => {
    const onPorts = new Set(Object.values(split.ports).flat());
    return (issues ?? []).filter((i) => !onPorts.has(i)).sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  }, [issues, split]);
  const inputs = descriptor?.inputs ?? [];
  const outputs = descriptor?.outputs ?? [];
  const rows = Math.max(inputs.length, outputs.length);

  return (
    <div
      className="vf-node"
      data-severity={severity ?? undefined}
      data-selected={selected || undefined}
      data-testid="flow-node"
      data-node-id={id}
      data-node-type={data.nodeType}
      data-issue-count={issues?.length ?? 0}
      style={{ ["--vf-cat" as string]: colours.category(descriptor?.category ?? "") }}
    >
      <div className="vf-node-head">
        <div style={{ minWidth: 0, flex: 1 }}>
          <Text size="15px" fw={600} truncate className="vf-node-title">
            {descriptor?.title ?? "Unknown node"}
          </Text>
          <Text size="13px" c="dimmed" truncate ff="monospace" className="vf-node-id">
            {id}
          </Text>
        </div>
        {severity ? (
          <Tooltip
            multiline
            w={260}
            color={severity === "error" ? "red" : "orange"}
            label={(issues ?? []).map((i) => i.message).join("\n")}
            style={{ whiteSpace: "pre-line" }}
          >
            <span className="vf-node-badge" data-severity={severity} data-testid="node-issue-badge">
              {issues!.length}
            </span>
          </Tooltip>
        ) : null}
      </div>
      {rows > 0 ? (
        <div className="vf-node-ports">
          {Array.from({ length: rows }, (_, i) => (
            <div className="vf-port-line" key={i}>
              {inputs[i] ? (
                <PortRow port={inputs[i]} side="in" colour={colours.kind(inputs[i].kind)} problem={split.ports[inputs[i].name]?.map((x) => x.message).join(" ")} />
              ) : (
                <span />
              )}
              {outputs[i] ? (
                <PortRow port={outputs[i]} side="out" colour={colours.kind(outputs[i].kind)} problem={split.ports[outputs[i].name]?.map((x) => x.message).join(" ")} />
              ) : (
                <span />
              )}
            </div>
          ))}
        </div>
      ) : null}
      {summary.length ? (
        <div className="vf-node-params">
          {summary.map((row) => (
            <div key={row.name} className="vf-node-param" data-invalid={split.params[row.name] ? "true" : undefined}>
              <span>{row.label}</span>
              <span>{row.value}</span>
            </div>
          ))}
        </div>
      ) : null}
      {notes.length ? (
        <div className="vf-node-notes">
          {notes.slice(0, NOTES_SHOWN).map((issue, k) => {
            const fix = fixOnNode(issue, id, data.params);
            return (
              <div key={`${issue.code}-${k}`} className="vf-node-note" data-testid="node-issue" data-code={issue.code} data-severity={issue.severity}>
                {issue.severity === "error" ? <IconCircleX size={12} /> : <IconAlertTriangle size={12} />}
                <div style={{ minWidth: 0 }}>
                  <Text size="13px" lh={1.3} lineClamp={3} c="inherit">
                    {issue.message}
                  </Text>
                  {fix ? <FixButton fix={fix} compact /> : null}
                </div>
              </div>
            );
          })}
          {notes.length > NOTES_SHOWN ? (
            <Text size="11px" c="dimmed">
              +{notes.length - NOTES_SHOWN} more in the issues panel
            </Text>
          ) : null}
        </div>
      ) : null}
    </div>
  );
});
