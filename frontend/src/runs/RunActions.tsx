/** Go on with a run: Resume a stopped one from its last checkpoint, or Extend a finished one by more epochs (from
 * its best weights). Either makes a new run linked to this one, which stays as it is; the page moves to the new run.
 * Whether it can is the server's answer (409 + detail). */
import { Anchor, Button, Group, Modal, NumberInput, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlayerPlayFilled, IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useRuns } from "../api/hooks";
import { useExtendRun, useResumeRun } from "../api/runHooks";
import type { Run, RunStatus } from "../api/types";
import { useProjectRole } from "../projects/useProjectRole";
import { childGroups, parentWords } from "./lineage";

interface Props {
  pid: string;
  rid: string;
  status: RunStatus | null;
  run: Run | undefined;
}

const fail = (title: string) => (e: Error) => notifications.show({ color: "red", title, message: e.message });

export function RunActions({ pid, rid, status, run }: Props) {
  const navigate = useNavigate();
  const resume = useResumeRun(pid, rid);
  const extend = useExtendRun(pid, rid);
  const [extendOpen, setExtendOpen] = useState(false);
  const [epochs, setEpochs] = useState<number | string>(10);
  const stopped = status === "cancelled" || status === "interrupted" || status === "failed";
  const { canRun } = useProjectRole(pid);
  if (!canRun) return null;

  const onResume = () =>
    resume.mutate(undefined, {
      onSuccess: (child) => {
        notifications.show({ color: "teal", message: "Resumed from the last checkpoint, as a new run." });
        void navigate(`/projects/${pid}/runs/${child.id}`);
      },
      onError: fail("Cannot resume"),
    });
  const onExtend = () =>
    extend.mutate(Number(epochs), {
      onSuccess: (child) => {
        setExtendOpen(false);
        void navigate(`/projects/${pid}/runs/${child.id}`);
      },
      onError: fail("Cannot extend"),
    });

  return (
    <>
      {stopped ? (
        <Tooltip label="Continue from this run's last checkpoint, as a new run">
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

/** "resumed from …" / "extended from …" / "label check of …" and the runs made from this one, as links. */
export function RunLineage({ pid, rid, run }: { pid: string; rid: string; run: Run | undefined }) {
  const runs = useRuns(pid);
  const children = (runs.data ?? []).filter((r) => r.parent_run_id === rid);
  if (!run?.parent_run_id && !children.length) return null;
  return (
    <Group gap={6} wrap="nowrap" data-testid="run-lineage">
      {run?.parent_run_id ? (
        <Text size="xs" c="dimmed">
          {parentWords(run)}{" "}
          <Anchor component={Link} to={`/projects/${pid}/runs/${run.parent_run_id}`} size="xs" ff="monospace" data-testid="parent-run-link">
            {run.parent_run_id}
          </Anchor>
        </Text>
      ) : null}
      {childGroups(children).map((group) => (
        <Text size="xs" c="dimmed" key={group.words}>
          {group.words}{" "}
          {group.ids.map((id, i) => (
            <span key={id}>
              {i ? ", " : ""}
              <Anchor component={Link} to={`/projects/${pid}/runs/${id}`} size="xs" ff="monospace" data-testid="child-run-link">
                {id}
              </Anchor>
            </span>
          ))}
        </Text>
      ))}
    </Group>
  );
}
