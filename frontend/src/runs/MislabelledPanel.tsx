/** Images whose label the final model strongly disputes (the server decides which and in what order), with a way to
 * walk them in the annotator; which images the queue covers (the validation split, or every labelled image after a
 * label check) and a button that starts that check. When the model is degenerate the server marks its suggestions
 * untrusted and the panel says why. */
import { Alert, Button, Group, Paper, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconSearch } from "@tabler/icons-react";
import { useNavigate } from "react-router";
import { ApiError } from "../api/client";
import { useLabelCheck, useMislabelled } from "../api/runHooks";
import { queueTrust } from "../annotator/review";
import { PredictionTile } from "./PredictionTile";
import { ReviewButton } from "./ReviewButton";
import { reviewLink, type ReviewSpec } from "./predictionsModel";
import { useProjectRole } from "../projects/useProjectRole";

const SHOWN = 10;
/** k of the k-fold label check: every labelled image is predicted by a model that did not train on it. */
export const LABEL_CHECK_FOLDS = 5;

function FindLabelErrorsButton({ pid, rid }: { pid: string; rid: string }) {
  const navigate = useNavigate();
  const check = useLabelCheck(pid, rid);
  const start = () =>
    check.mutate(LABEL_CHECK_FOLDS, {
      onSuccess: (run) => navigate(`/projects/${pid}/runs/${run.id}`),
      onError: (e) => notifications.show({ color: "red", title: "The label check did not start", message: e.message }),
    });
  return (
    <Button size="xs" variant="light" leftSection={<IconSearch size={14} />} loading={check.isPending} onClick={start} data-testid="find-label-errors">
      Find label errors in all images
    </Button>
  );
}

export function MislabelledPanel({ pid, rid, finished }: { pid: string; rid: string; finished: boolean }) {
  const queue = useMislabelled(rid, finished);
  const { canRun } = useProjectRole(pid);
  const spec: ReviewSpec = { runId: rid, source: "mislabelled", trueClass: null, predictedClass: null, wrongOnly: true };
  const items = queue.data?.items ?? [];
  const missing = queue.error instanceof ApiError && queue.error.status === 404;
  const trust = queueTrust(queue.data);
  const coverage = queue.data?.coverage ?? null;
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
        <Group gap="xs">
          {canRun && coverage?.source !== "cross_validation" ? <FindLabelErrorsButton pid={pid} rid={rid} /> : null}
          <ReviewButton to={reviewLink(pid, spec)} disabled={!items.some((i) => i.asset_id)} testId="review-mislabelled" />
        </Group>
      </Group>
      {coverage?.text ? (
        <Text size="xs" mb="xs" data-testid="mislabelled-coverage" data-source={coverage.source}>
          {coverage.text}
        </Text>
      ) : null}
      {!trust.trusted ? (
        <Alert color="yellow" variant="light" p="xs" mb="xs" icon={<IconAlertTriangle size={16} />} data-testid="suggestions-untrusted">
          {trust.reason} The review queue will not offer its suggestions in one key: pick each class yourself.
        </Alert>
      ) : null}
      {queue.error ? (
        <Alert color="red" variant="light" p="xs">
          {queue.error.message}
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
