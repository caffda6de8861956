/** All validation issues of the graph; clicking one selects (and shows) the node it is about; an issue the server
 * knows a remedy for has a button that applies it. It sits in the strip under the canvas (Editor.tsx), so it takes
 * room from the canvas instead of covering nodes; its list folds away to one line with the counts. */
import { Badge, Group, Loader, ScrollArea, Text, UnstyledButton } from "@mantine/core";
import { IconAlertTriangle, IconChevronDown, IconChevronUp, IconCircleCheck, IconCircleX } from "@tabler/icons-react";
import { useState } from "react";
import type { Issue } from "../api/types";
import { FixButton } from "../canvas/FixButton";
import type { Catalogue } from "../graph/connection";
import { applicableFix } from "../graph/fix";
import type { FlowNode } from "../graph/types";
import type { ValidationState } from "./useValidation";

interface Props {
  issues: Issue[];
  state: ValidationState;
  error: string | null;
  nodes: FlowNode[];
  catalogue: Catalogue;
  onSelect: (nodeId: string) => void;
}

export function IssuesPanel({ issues, state, error, nodes, catalogue, onSelect }: Props) {
  const [open, setOpen] = useState(true);
  const errors = issues.filter((i) => i.severity === "error").length;
  const warnings = issues.length - errors;
  const titleOf = (id: string | null) => {
    const n = id ? nodes.find((x) => x.id === id) : undefined;
    return n ? (catalogue.get(n.data.nodeType)?.title ?? n.id) : null;
  };
  const sorted = [...issues].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));

  return (
    <div className="vf-issues" data-testid="issues-panel" data-errors={errors} data-warnings={warnings} data-state={state}>
      <UnstyledButton className="vf-issues-head" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        <Group gap={6} wrap="nowrap">
          {state === "pending" ? (
            <Loader size={12} />
          ) : errors ? (
            <IconCircleX size={15} color="var(--mantine-color-red-6)" />
          ) : warnings ? (
            <IconAlertTriangle size={15} color="var(--mantine-color-orange-6)" />
          ) : (
            <IconCircleCheck size={15} color="var(--mantine-color-teal-6)" />
          )}
          <Text size="xs" fw={600} data-testid="validation-status" data-state={state}>
            {state === "unavailable"
              ? "Validation unavailable"
              : errors || warnings
                ? "Issues"
                : state === "pending"
                  ? "Checking…"
                  : "Ready to train"}
          </Text>
          {errors ? (
            <Badge size="xs" color="red" variant="filled">
              {errors} error{errors > 1 ? "s" : ""}
            </Badge>
          ) : null}
          {warnings ? (
            <Badge size="xs" color="orange" variant="light">
              {warnings} warning{warnings > 1 ? "s" : ""}
            </Badge>
          ) : null}
        </Group>
        {issues.length ? open ? <IconChevronDown size={14} /> : <IconChevronUp size={14} /> : null}
      </UnstyledButton>
      {state === "unavailable" && error ? (
        <Text size="xs" c="red" px="sm" pb={6}>
          {error}
        </Text>
      ) : null}
      {open && issues.length ? (
        <ScrollArea.Autosize mah={132} type="auto">
          {sorted.map((issue, k) => {
            const title = titleOf(issue.node_id ?? null);
            const fix = applicableFix(issue, nodes);
            return (
              <div className="vf-issue-row" key={`${issue.code}-${issue.node_id}-${issue.field}-${k}`}>
              <UnstyledButton
                className="vf-issue"
                data-severity={issue.severity}
                data-testid="issue-item"
                data-code={issue.code}
                data-node-id={issue.node_id ?? ""}
                disabled={!title}
                onClick={() => issue.node_id && title && onSelect(issue.node_id)}
              >
                <span className="vf-issue-dot" />
                <Text size="xs" style={{ flex: 1 }}>
                  {title ? <b>{title}{issue.field ? ` · ${issue.field}` : ""}: </b> : null}
                  {issue.message}
                </Text>
              </UnstyledButton>
              {fix ? (
                <span className="vf-issue-fix">
                  <FixButton fix={fix} />
                </span>
              ) : null}
              </div>
            );
          })}
        </ScrollArea.Autosize>
      ) : null}
    </div>
  );
}
