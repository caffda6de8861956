/** The run's name (editable by owners), the workflow version it trained, status, timing and the Cancel button. */
import { Anchor, Button, Group, Progress, Text, Tooltip } from "@mantine/core";
import { modals } from "@mantine/modals";
import { useInterval } from "@mantine/hooks";
import { IconPlayerStopFilled } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import type { Run } from "../api/types";
import { useProjectRole } from "../projects/useProjectRole";
import type { Connection } from "./useRunEvents";
import { RunNameEditor } from "./RunNameEditor";
import { RunStatusBadge } from "./RunStatusBadge";
import { versionLink } from "./runName";
import { formatDuration, isTerminal, progress, type RunModel } from "./runModel";

interface Props {
  run: Run | undefined;
  model: RunModel;
  projectId: string;
  connection: Connection;
  cancelling: boolean;
  onCancel: () => void;
  /** Resume / Extend, next to Cancel. */
  actions?: React.ReactNode;
  /** Links to the run this one extends and the runs extending it. */
  lineage?: React.ReactNode;
}

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  polling: "polling",
  closed: "",
};

export function RunHeader({ run, model, projectId, connection, cancelling, onCancel, actions, lineage }: Props) {
  const [now, setNow] = useState(() => Date.now() / 1000);
  const notAllowed = useProjectRole(projectId).whyNot("run");
  const ticker = useInterval(() => setNow(Date.now() / 1000), 1000);
  const status = model.status ?? run?.status ?? null;
  const terminal = isTerminal(model.finished?.status ?? (isTerminal(run?.status) ? run?.status : null));
  useEffect(() => {
    if (terminal) ticker.stop();
    else ticker.start();
    return ticker.stop;
  }, [terminal]); // eslint-disable-line react-hooks/exhaustive-deps
  const startedTs = model.startedTs ?? (run?.started_at ? Date.parse(run.started_at) / 1000 : null);
  const p = progress({ ...model, startedTs }, now);
  const b = model.lastBatch;
  const trained = run ? versionLink(projectId, run) : null;
  const confirmCancel = () =>
    modals.openConfirmModal({
      title: "Cancel this run?",
      children: <Text size="sm">Training stops; the checkpoints saved so far are kept.</Text>,
      labels: { confirm: "Cancel run", cancel: "Keep running" },
      confirmProps: { color: "red", "data-testid": "confirm-cancel" } as Record<string, string>,
      onConfirm: onCancel,
    });

  return (
    <div className="vf-run-header" data-testid="run-header">
      <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
        <RunStatusBadge status={terminal ? (model.finished?.status ?? run?.status ?? status) : status} size="lg" />
        <div style={{ minWidth: 0 }}>
          <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
            <RunNameEditor run={run} projectId={projectId} notAllowed={notAllowed} />
            <Text span c="dimmed" size="xs" ff="monospace">
              {run?.id}
            </Text>
          </Group>
          <Text size="xs" c="dimmed">
            {run?.workflow_id ? (
              <Anchor component={Link} to={`/projects/${projectId}/workflows/${run.workflow_id}`} size="xs" data-testid="run-workflow-link">
                {run.workflow_name}
              </Anchor>
            ) : (
              run?.workflow_name
            )}
            {trained ? (
              <>
                {" · trained "}
                <Anchor component={Link} to={trained.to} size="xs" data-testid="run-version-link">
                  {trained.label}
                </Anchor>
              </>
            ) : null}
            {model.started ? ` · ${model.started.device} · ${model.started.train_images} train / ${model.started.val_images} val images` : ""}
            {CONNECTION_TEXT[connection] ? ` · ${CONNECTION_TEXT[connection]}` : ""}
          </Text>
          {lineage}
        </div>
      </Group>
      <Group gap="lg" wrap="nowrap">
        <div style={{ width: 220 }}>
          <Group justify="space-between" gap={4}>
            <Text size="xs" c="dimmed">
              {b ? `epoch ${b.epoch}/${b.epochs} · batch ${b.batch}/${b.of}` : status === "queued" && run?.queue_position ? `queue position ${run.queue_position}` : " "}
            </Text>
            <Text size="xs" c="dimmed">
              {p.fraction !== null ? `${Math.round(p.fraction * 100)}%` : ""}
            </Text>
          </Group>
          <Progress value={(p.fraction ?? 0) * 100} size="sm" animated={!terminal && status === "running"} data-testid="run-progress" />
        </div>
        <div>
          <Text size="10px" c="dimmed" tt="uppercase">
            Elapsed
          </Text>
          <Text size="sm" ff="monospace" data-testid="run-elapsed">
            {formatDuration(p.elapsedSeconds)}
          </Text>
        </div>
        <div>
          <Text size="10px" c="dimmed" tt="uppercase">
            ETA
          </Text>
          <Text size="sm" ff="monospace" data-testid="run-eta">
            {terminal ? "done" : formatDuration(p.etaSeconds)}
          </Text>
        </div>
        {actions}
        <Tooltip label={terminal ? "The run has finished" : (notAllowed ?? "Stop training")} multiline maw={280}>
          <Button
            color="red"
            variant="light"
            leftSection={<IconPlayerStopFilled size={14} />}
            disabled={terminal || !!notAllowed}
            loading={cancelling}
            onClick={confirmCancel}
            data-testid="cancel-run"
          >
            Cancel
          </Button>
        </Tooltip>
      </Group>
    </div>
  );
}
