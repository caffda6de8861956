/** The inspector's augmentation preview: a strip of the project's own images through the pipeline up to the selected
 * node, beside the model's input. The server renders them with the transforms training builds, from the graph as it
 * is being edited; a re-roll draws other images and other random draws (a new seed). */
import { ActionIcon, Alert, Button, Group, Loader, Stack, Text, Tooltip } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconDice5 } from "@tabler/icons-react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useStore, type ReactFlowState } from "@xyflow/react";
import { useCallback, useState } from "react";
import { useParams } from "react-router";
import { api } from "../api/client";
import type { AugmentationPicture, AugmentationPreview, AugmentationSample } from "../api/types";
import type { FlowNode } from "../graph/types";
import { columnTitles, describePreview, nextSeed, PREVIEW_COUNT, previewGraphJson } from "./preview";

const SMALL = 96; // pictures smaller than their box are enlarged with visible pixels, not blurred

function Picture({ picture, label }: { picture: AugmentationPicture | null | undefined; label: string }) {
  if (!picture) return <div />;
  const small = Math.max(picture.width, picture.height) < SMALL;
  return (
    <img
      src={picture.data_url}
      alt={label}
      title={`${label}: ${picture.width}×${picture.height} px`}
      data-testid="preview-image"
      style={{
        width: "100%",
        aspectRatio: "1",
        objectFit: "contain",
        imageRendering: small ? "pixelated" : undefined,
        background: "var(--mantine-color-gray-1)",
        borderRadius: 4,
        display: "block",
      }}
    />
  );
}

function SampleRow({ sample, titles }: { sample: AugmentationSample; titles: string[] }) {
  if (sample.error) {
    return (
      <Text size="xs" c="red" data-testid="preview-sample-error">
        {sample.filename}: {sample.error}
      </Text>
    );
  }
  const pictures = [sample.original, sample.augmented, sample.model_input];
  return (
    <div data-testid="preview-sample" style={{ display: "grid", gridTemplateColumns: "repeat(3, 1fr)", gap: 4 }}>
      {pictures.map((picture, k) => (
        <Picture key={k} picture={picture} label={`${sample.filename}, ${titles[k].toLowerCase()}`} />
      ))}
    </div>
  );
}

function Strip({ preview, category, stale }: { preview: AugmentationPreview; category: string; stale: boolean }) {
  const titles = columnTitles(category);
  if (!preview.samples.length) {
    return <Text size="xs" c="dimmed">This project has no images yet: upload some to preview them.</Text>;
  }
  return (
    <Stack gap={4} style={{ opacity: stale ? 0.6 : 1 }}>
      <Text size="xs" c="dimmed" data-testid="preview-summary">
        {describePreview(preview)} Images drawn from {preview.image_count}, rendered in {Math.round(preview.ms)} ms.
      </Text>
      <div style={{ display: "grid", gridTemplateColumns: "repeat(3, 1fr)", gap: 4 }}>
        {titles.map((title) => (
          <Text key={title} fz={10} c="dimmed" ta="center">
            {title}
          </Text>
        ))}
      </div>
      {preview.samples.map((sample) => (
        <SampleRow key={sample.asset_id} sample={sample} titles={titles} />
      ))}
    </Stack>
  );
}

const graphOf = (state: ReactFlowState) => previewGraphJson(state.nodes as FlowNode[], state.edges);

export function PreviewPanel({ nodeId, category }: { nodeId: string; category: string }) {
  const { wid = "" } = useParams();
  const [open, setOpen] = useState(false);
  const [seed, setSeed] = useState(0);
  const graphJson = useStore(graphOf);
  const [settledGraph] = useDebouncedValue(graphJson, 400); // a slider being dragged asks once it rests
  const preview = useQuery({
    queryKey: ["augmentation-preview", wid, nodeId, seed, settledGraph],
    queryFn: ({ signal }) =>
      api.post<AugmentationPreview>(
        `/api/workflows/${wid}/preview`,
        { graph: JSON.parse(settledGraph) as unknown, node_id: nodeId, seed, count: PREVIEW_COUNT },
        signal,
      ),
    enabled: open && wid !== "",
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    retry: false,
  });
  const reroll = useCallback(() => setSeed((s) => nextSeed(s)), []);
  const state = !open ? "closed" : preview.isError ? "error" : preview.isFetching ? "loading" : "ready";
  return (
    <Stack gap={6} mt="xs" data-testid="preview-panel" data-state={state} data-seed={seed}>
      <Group justify="space-between" wrap="nowrap">
        <Text size="xs" fw={600} tt="uppercase" c="dimmed">
          {category === "model" ? "Preview of the whole chain" : "Preview on your images"}
        </Text>
        <Group gap={4} wrap="nowrap">
          {open ? (
            <Tooltip label="Other images, other random draws">
              <ActionIcon variant="subtle" size="sm" onClick={reroll} aria-label="Re-roll the preview" data-testid="preview-reroll">
                <IconDice5 size={16} />
              </ActionIcon>
            </Tooltip>
          ) : null}
          <Button size="compact-xs" variant="light" onClick={() => setOpen((o) => !o)} data-testid="preview-toggle">
            {open ? "Hide" : "Show"}
          </Button>
        </Group>
      </Group>
      {open && preview.isPending ? (
        <Group gap={6}>
          <Loader size="xs" />
          <Text size="xs" c="dimmed">
            Rendering with the training pipeline…
          </Text>
        </Group>
      ) : null}
      {open && preview.isError ? (
        <Alert color="red" p="xs" data-testid="preview-error">
          <Text size="xs">{preview.error.message}</Text>
        </Alert>
      ) : null}
      {open && preview.data && !preview.isError ? (
        <Strip preview={preview.data} category={category} stale={preview.isPlaceholderData} />
      ) : null}
    </Stack>
  );
}
