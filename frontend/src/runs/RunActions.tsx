/** Go on with a run: Resume a stopped one from its last checkpoint (the same run continues), or Extend a finished
 * one by more epochs (a new run from its best weights). Whether it can is the server's answer (409 + detail). */
import { Anchor, Button, Group, Modal, NumberInput, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlayerPlayFilled, IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useRuns } from "../api/hooks";
import { useExtendRun, useResumeRun } from "../api/runHooks";
import type { Run, RunStatus } from "../api/types";

interface Props {
  pid: string;
  rid: string;
  status: RunStatus | null;
  run: Run | undefined;
  /** Called once the server accepted a resume: the page follows the run's new events. */
  onResumed: () => void;
}

const fail = (title: string) => (e: Error) => notifications.show({ color: "red", title, message: e.message });

export function RunActions({ pid, rid, status, run, onResumed }: Props) {
  const navigate = useNavigate();
  const resume = useResumeRun(pid, rid);
  const extend = useExtendRun(pid, rid);
  const [extendOpen, setExtendOpen] = useState(false);
  const [epochs, setEpochs] = useState<number | string>(10);
  const stopped = status === "cancelled" || status === "interrupted" || status === "failed";

  const onResume = () =>
    resume.mutate(undefined, {
      onSuccess: () => {
        notifications.show({ color: "teal", message: "Resumed from the last checkpoint." });
        onResumed();
      },
      onError: fail("Cannot resume"),
    });
  const onExtend = () =>
    extend.mutate(Number(epochs), {
      onSuccess: (child) => {
        setExtendOpen(false);
        navigate(`/projects/${pid}/runs/${child.id}`);
      },
      onError: fail("Cannot extend"),
    });

  return (
    <>
      {stopped ? (
        <Tooltip label="Continue this run from its last checkpoint">
          <Button variant="light" color="teal" leftSection={<IconPlayerPlayFilled size={14} />} loading={resume.isPending} onClick={onResume} data-testid="resume-run">
            Resume
          </Button>
        </Tooltip>
      ) : null}
      {status === "succeeded" ? (
        <Tooltip label="Train more epochs from this run's best weights, as a new run">
          <Button variant="light" leftSection={<IconPlus size={14} />} onClick={() => {
              setEpochs(Number(run?.settings?.epochs) || 10);
              setExtendOpen(true);
            }}
            data-testid="extend-run">
            Extend
          </Button>
        </Tooltip>
      ) : null}
      <Modal opened={extendOpen} onClose={() => setExtendOpen(false)} title="Extend this run" size="sm">
        <Text size="sm" mb="sm">
          A new run starts from this run's best weights, with the same workflow, data and settings.
        </Text>
        <NumberInput label="More epochs" min={1} max={10000} value={epochs} onChange={setEpochs} data-autofocus data-testid="extend-epochs" />
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setExtendOpen(false)}>
            Cancel
          </Button>
          <Button onClick={onExtend} loading={extend.isPending} disabled={!Number(epochs)} data-testid="extend-submit">
            Start
          </Button>
        </Group>
      </Modal>
    </>
  );
}

/** "extended from …" and "extended by …" links. */
export function RunLineage({ pid, rid, run }: { pid: string; rid: string; run: Run | undefined }) {
  const runs = useRuns(pid);
  const children = (runs.data ?? []).filter((r) => r.parent_run_id === rid);
  if (!run?.parent_run_id && !children.length) return null;
  return (
    <Group gap={6} wrap="nowrap" data-testid="run-lineage">
      {run?.parent_run_id ? (
        <Text size="xs" c="dimmed">
          extended from{" "}
          <Anchor component={Link} to={`/projects/${pid}/runs/${run.parent_run_id}`} size="xs" ff="monospace" data-testid="parent-run-link">
            {run.parent_run_id}
          </Anchor>
        </Text>
      ) : null}
      {children.length ? (
        <Text size="xs" c="dimmed">
          extended by{" "}
          {children.map((c, i) => (
            <span key={c.id}>
              {i ? ", " : ""}
              <Anchor component={Link} to={`/projects/${pid}/runs/${c.id}`} size="xs" ff="monospace" data-testid="child-run-link">
                {c.id}
              </Anchor>
            </span>
          ))}
        </Text>
      ) : null}
    </Group>
  );
}
