/** A workflow node on the canvas: title, typed ports (colour = kind), a short parameter summary, issue badge. */
import { Text, Tooltip } from "@mantine/core";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, useMemo } from "react";
import type { PortSpec } from "../api/types";
import { splitNodeIssues, worstSeverity } from "../graph/issues";
import type { FlowNode } from "../graph/types";
import { useEditorContext } from "./EditorContext";
import { paramSummary } from "./nodeSummary";

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
      ),
    [data.params, descriptor],
  );
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
          <Text size="sm" fw={600} truncate>
            {descriptor?.title ?? "Unknown node"}
          </Text>
          <Text size="10px" c="dimmed" truncate ff="monospace">
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
          {summary.map(([k, v]) => (
            <div key={k} className="vf-node-param" data-invalid={split.params[k] ? "true" : undefined}>
              <span>{k}</span>
              <span>{v}</span>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
});
