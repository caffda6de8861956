/** The annotator walking a run's review queue (likely mislabelled images, or its worst predictions): each image
 * with the model's suggestion, highlighted so A accepts it; the usual keys; next / previous through the queue.
 * When the server does not trust the model (it collapsed, or is no better than chance) its suggestion is shown
 * only as information, with the reason: no accept button, A is off, the person picks each class. */
import { Alert, Badge, Button, Group, Paper, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import type { ProjectClass } from "../api/types";
import type { ClassAction } from "../classes/useClassDialogs";
import type { ReviewSpec } from "../runs/predictionsModel";
import { pct } from "../runs/preview";
import { AnnotatorView } from "./Annotator";
import { suggestedClass } from "./review";
import { useReviewSession } from "./useReviewSession";
import { useProjectRole } from "../projects/useProjectRole";

interface Props {
  pid: string;
  spec: ReviewSpec;
  startAssetId: string | null;
  classes: ProjectClass[];
  paused: boolean;
  onClassAction: (action: ClassAction, cls: ProjectClass) => void;
  onCurrent: (assetId: string) => void;
  onClose: () => void;
}

function queueTitle(spec: ReviewSpec, count: number, missing: number): string {
  const what = spec.source === "mislabelled" ? "Likely mislabelled" : spec.wrongOnly ? "Worst predictions" : "Predictions";
  const filters = [spec.trueClass ? `true ${spec.trueClass}` : "", spec.predictedClass ? `predicted ${spec.predictedClass}` : ""].filter(Boolean).join(", ");
  return `${what}${filters ? ` (${filters})` : ""} of run ${spec.runId} · ${count} image(s)${missing ? ` · ${missing} no longer in the project` : ""}`;
}

export function ReviewAnnotator({ pid, spec, startAssetId, classes, paused, onClassAction, onCurrent, onClose }: Props) {
  const session = useReviewSession(pid, spec, startAssetId);
  const prediction = session.current ? session.suggestions.get(session.current.id) : undefined;
  const suggested = suggestedClass(prediction, classes);
  const agrees = suggested && session.current?.class_id === suggested.id;
  const { trusted, reason } = session.trust;
  const { canLabel } = useProjectRole(pid);

  const guard = (
    <>
      {session.coverage?.text ? (
        <Text size="xs" c="dimmed" mt="md" data-testid="review-coverage">
          {session.coverage.text}
        </Text>
      ) : null}
      {!trusted ? (
        <Alert color="yellow" variant="light" p="xs" mt="sm" icon={<IconAlertTriangle size={16} />} data-testid="suggestions-untrusted">
          <Text size="xs">{reason}</Text>
          <Text size="xs" mt={4}>
            Pick the right class for each image yourself (its key or a click).
          </Text>
        </Alert>
      ) : null}
    </>
  );

  const aside = prediction ? (
    <Paper withBorder p="xs" mt="md" data-testid="model-suggestion" data-class={prediction.predicted_name} data-trusted={trusted ? "true" : "false"}>
      <Text size="10px" c="dimmed" tt="uppercase" fw={700} mb={4}>
        {trusted ? "Model suggests" : "Model predicted (not trusted)"}
      </Text>
      <Group gap={6} mb={4}>
        <Badge size="lg" variant={trusted ? "filled" : "outline"} color={trusted ? (suggested?.colour ?? "gray") : "gray"} tt="none">
          {prediction.predicted_name}
        </Badge>
        <Text size="xs" ff="monospace">
          {pct(prediction.confidence)}
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        Labelled <b>{prediction.label_name}</b> when the run trained (the model gave it {pct(prediction.true_confidence)}).
      </Text>
      {!canLabel ? null : !trusted ? (
        <Button size="xs" mt={6} fullWidth variant="light" disabled data-testid="accept-suggestion" title={reason ?? undefined}>
          Accept disabled: pick a class
        </Button>
      ) : suggested && !agrees ? (
        <Button size="xs" mt={6} fullWidth variant="light" onClick={() => session.assign(suggested.id, true)} data-testid="accept-suggestion">
          Accept “{suggested.name}” (A)
        </Button>
      ) : agrees ? (
        <Text size="xs" c="teal.7" mt={4}>
          The label now matches the suggestion.
        </Text>
      ) : (
        <Text size="xs" c="dimmed" mt={4}>
          There is no class “{prediction.predicted_name}” in the project any more.
        </Text>
      )}
    </Paper>
  ) : null;

  return (
    <AnnotatorView
      pid={pid}
      session={session}
      title={queueTitle(spec, session.list.items.length, session.missing)}
      classes={classes}
      paused={paused}
      onClassAction={onClassAction}
      onCurrent={onCurrent}
      onClose={onClose}
      backLabel="Back to run"
      advanceLabel="After labelling, go to the next image in the queue"
      suggestedClassId={trusted ? (suggested?.id ?? null) : null}
      assignHighlightedKey={trusted}
      aside={
        <>
          {guard}
          {aside}
        </>
      }
    />
  );
}
