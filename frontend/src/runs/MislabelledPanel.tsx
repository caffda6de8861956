/** Images whose label the final model strongly disputes (the server decides which and in what order), with a way to
 * walk them in the annotator. */
import { Alert, Button, Group, Paper, Text } from "@mantine/core";
import { IconTags } from "@tabler/icons-react";
import { Link } from "react-router";
import { ApiError } from "../api/client";
import { useMislabelled } from "../api/runHooks";
import { PredictionTile } from "./PredictionTile";
import { reviewLink, type ReviewSpec } from "./predictionsModel";

const SHOWN = 10;

export function MislabelledPanel({ pid, rid, finished }: { pid: string; rid: string; finished: boolean }) {
  const queue = useMislabelled(rid, finished);
  const spec: ReviewSpec = { runId: rid, source: "mislabelled", trueClass: null, predictedClass: null, wrongOnly: true };
  const items = queue.data?.items ?? [];
  const missing = queue.error instanceof ApiError && queue.error.status === 404;
  if (!finished || missing) return null;
  return (
    <Paper withBorder p="sm" data-testid="mislabelled" data-total={queue.data?.total ?? ""}>
      <Group justify="space-between" mb="xs">
        <div>
          <Text size="sm" fw={600}>
            Likely mislabelled {queue.data ? <Text span c="dimmed" size="sm">· {queue.data.total}</Text> : null}
          </Text>
          <Text size="xs" c="dimmed">
            The model is confident these images are something other than their label. Check each one.
          </Text>
        </div>
        <Button size="xs" leftSection={<IconTags size={14} />} component={Link} to={reviewLink(pid, spec)} disabled={!items.some((i) => i.asset_id)} data-testid="review-mislabelled">
          Review in annotator
        </Button>
      </Group>
      {queue.error ? (
        <Alert color="red" variant="light" p="xs">
          {(queue.error as Error).message}
        </Alert>
      ) : queue.data && !items.length ? (
        <Text size="xs" c="dimmed" data-testid="mislabelled-empty">
          Nothing suspicious: the model agrees with every label it was confident about.
        </Text>
      ) : (
        <div className="vf-pred-tiles">
          {items.slice(0, SHOWN).map((p) => (
            <PredictionTile key={p.item} p={p} showCam={false} relabelLink={p.asset_id ? reviewLink(pid, spec, p.asset_id) : null} />
          ))}
        </div>
      )}
      {items.length > SHOWN ? (
        <Text size="xs" c="dimmed" mt={6}>
          and {items.length - SHOWN} more in the review queue.
        </Text>
      ) : null}
    </Paper>
  );
}
