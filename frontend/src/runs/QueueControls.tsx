/** A queued run's place in the run queue, why it waits, and what an owner can do about it: move it to the front or
 * cancel it. The runs list shows the compact form in its Note column; the run page a banner under its header.
 * Viewers and annotators see the buttons disabled, with why. */
import { Alert, Button, Group, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowBarToUp, IconClockHour4, IconX } from "@tabler/icons-react";
import { useQueueActions } from "../api/runHooks";
import type { Run } from "../api/types";
import { useProjectRole } from "../projects/useProjectRole";
import { queuePlace, type QueuePlace } from "./queueModel";

const fail = (title: string) => (e: Error) => notifications.show({ color: "red", title, message: e.message });

function Buttons({ pid, run, place, withCancel }: { pid: string; run: Run; place: QueuePlace; withCancel: boolean }) {
  const { moveToFront, cancel } = useQueueActions(pid, run.id);
  const notAllowed = useProjectRole(pid).whyNot("run");
  const moveWhy = notAllowed ?? (place.canMove ? "Start this run next" : "It is next already, or the runner has it");
  return (
    <Group gap={4} wrap="nowrap" onClick={(e) => e.stopPropagation()}>
      <Tooltip label={moveWhy} multiline maw={260}>
        <Button
          size="compact-xs"
          variant="light"
          leftSection={<IconArrowBarToUp size={12} />}
          disabled={!!notAllowed || !place.canMove}
          loading={moveToFront.isPending}
          onClick={() => moveToFront.mutate(undefined, { onError: fail("Cannot move the run") })}
          data-testid="queue-move-to-front"
        >
          Move to front
        </Button>
      </Tooltip>
      {withCancel ? (
        <Tooltip label={notAllowed ?? "Take this run out of the queue"} multiline maw={260}>
          <Button
            size="compact-xs"
            variant="light"
            color="red"
            leftSection={<IconX size={12} />}
            disabled={!!notAllowed}
            loading={cancel.isPending}
            onClick={() => cancel.mutate(undefined, { onError: fail("Cancel failed") })}
            data-testid="queue-cancel"
          >
            Cancel
          </Button>
        </Tooltip>
      ) : null}
    </Group>
  );
}

/** The runs list's Note cell of a queued run. */
export function QueueNote({ pid, run }: { pid: string; run: Run }) {
  const place = queuePlace(run);
  if (!place) return null;
  return (
    <div data-testid="queue-note" data-position={run.queue_position ?? ""}>
      <Text size="xs" fw={500} data-testid="queue-place">
        {place.label}
      </Text>
      <Text size="xs" c="dimmed" truncate title={place.reason} data-testid="queue-reason">
        {place.reason}
      </Text>
      <Buttons pid={pid} run={run} place={place} withCancel />
    </div>
  );
}

/** The run page's banner while the run is queued (the header has Cancel). `liveReason`: from the run's socket. */
export function QueueBanner({ pid, run, liveReason }: { pid: string; run: Run | undefined; liveReason: string | null }) {
  const place = queuePlace(run, liveReason);
  if (!run || !place) return null;
  return (
    <Alert
      color="gray"
      variant="light"
      mx="md"
      mt="sm"
      icon={<IconClockHour4 size={18} />}
      title={`Queued · ${place.label}`}
      data-testid="queue-banner"
      data-position={run.queue_position ?? ""}
    >
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" data-testid="queue-reason">
          {place.reason}
        </Text>
        <Buttons pid={pid} run={run} place={place} withCancel={false} />
      </Group>
    </Alert>
  );
}
