/** The final model's worst predictions (confidently wrong first, the server's order), filterable by true and
 * predicted class; each opens in the annotator to be relabelled; heatmaps on demand. */
import { Alert, Group, Pagination, Paper, Select, Switch, Text } from "@mantine/core";
import { useState } from "react";
import { ApiError } from "../api/client";
import { usePredictions } from "../api/runHooks";
import type { PredictionQuery } from "../api/types";
import { Loading } from "../shell/QueryState";
import { PredictionTile } from "./PredictionTile";
import { ReviewButton } from "./ReviewButton";
import { DEFAULT_QUERY, pageCount, reviewLink, type ReviewSpec } from "./predictionsModel";

interface Props {
  pid: string;
  rid: string;
  classNames: string[];
  finished: boolean;
}

export function WorstPredictions({ pid, rid, classNames, finished }: Props) {
  const [query, setQuery] = useState<PredictionQuery>(DEFAULT_QUERY);
  const [showCam, setShowCam] = useState(false);
  const predictions = usePredictions(rid, query, finished);
  const data = predictions.data;
  const names = data?.class_names ?? classNames;
  const options = names.map((n) => ({ value: n, label: n }));
  const change = (patch: Partial<PredictionQuery>) => setQuery((q) => ({ ...q, offset: 0, ...patch }));
  const spec: ReviewSpec = { runId: rid, source: "worst", trueClass: query.trueClass, predictedClass: query.predictedClass, wrongOnly: query.wrongOnly };
  const missing = predictions.error instanceof ApiError && predictions.error.status === 404;

  return (
    <Paper withBorder p="sm" data-testid="worst-predictions" data-total={data?.total ?? ""}>
      <Group justify="space-between" mb="xs" align="flex-end">
        <div>
          <Text size="sm" fw={600}>
            {query.wrongOnly ? "Worst predictions" : "All validation predictions"}
          </Text>
          <Text size="xs" c="dimmed">
            Highest loss first: confidently wrong at the top. {data ? `${data.total.toLocaleString()} image(s).` : ""}
          </Text>
        </div>
        <Group gap="xs" align="flex-end">
          <Select size="xs" w={140} label="True class" placeholder="any" clearable data={options} value={query.trueClass} onChange={(v) => change({ trueClass: v })} data-testid="filter-true" />
          <Select size="xs" w={140} label="Predicted class" placeholder="any" clearable data={options} value={query.predictedClass} onChange={(v) => change({ predictedClass: v })} data-testid="filter-predicted" />
          <Switch size="xs" mb={6} label="Wrong only" checked={query.wrongOnly} onChange={(e) => change({ wrongOnly: e.currentTarget.checked })} data-testid="filter-wrong" />
          <Switch size="xs" mb={6} label="Heatmaps" checked={showCam} onChange={(e) => setShowCam(e.currentTarget.checked)} data-testid="toggle-cam" />
          <ReviewButton to={reviewLink(pid, spec)} disabled={!data?.total} testId="review-worst" variant="light" />
        </Group>
      </Group>
      {!finished ? (
        <Text size="xs" c="dimmed">
          Appears when the run has finished: the final model is evaluated on every validation image.
        </Text>
      ) : missing ? (
        <Alert color="gray" variant="light" p="xs" data-testid="predictions-missing">
          {(predictions.error as Error).message}
        </Alert>
      ) : predictions.error ? (
        <Alert color="red" variant="light" p="xs">
          {predictions.error.message}
        </Alert>
      ) : !data ? (
        <Loading />
      ) : !data.items.length ? (
        <Text size="sm" c="dimmed" py="md" ta="center" data-testid="predictions-empty">
          {query.wrongOnly ? "No wrong predictions here." : "No images match."}
        </Text>
      ) : (
        <>
          <div className="vf-pred-tiles" style={{ opacity: predictions.isPlaceholderData ? 0.6 : 1 }}>
            {data.items.map((p) => (
              <PredictionTile key={p.item} p={p} showCam={showCam} relabelLink={p.asset_id ? reviewLink(pid, spec, p.asset_id) : null} />
            ))}
          </div>
          {data.total > query.limit ? (
            <Group justify="center" mt="sm">
              <Pagination
                size="sm"
                total={pageCount(data.total, query.limit)}
                value={Math.floor(query.offset / query.limit) + 1}
                onChange={(n) => setQuery((q) => ({ ...q, offset: (n - 1) * q.limit }))}
              />
            </Group>
          ) : null}
        </>
      )}
    </Paper>
  );
}
