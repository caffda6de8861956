/** Try the trained model: drop or pick an image, see its top classes, the latency and backend, and where the model
 * looks (Eigen-CAM). Whether the file is an image, and whether the run has weights, is the server's answer. */
import { Alert, Badge, Group, Paper, Stack, Text } from "@mantine/core";
import { Dropzone } from "@mantine/dropzone";
import { IconPhotoScan } from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { PredictResult } from "../api/types";
import { predictImage } from "../api/runHooks";
import { TopKBars } from "./TopKBars";

function TryItResult({ result, imageUrl }: { result: PredictResult; imageUrl: string }) {
  const [small, setSmall] = useState(false);
  return (
    <div data-testid="try-it-result" data-top={result.top[0]?.class ?? ""}>
      <Group gap="xs" mb={6}>
        <Text size="sm">
          Prediction: <b data-testid="try-it-class">{result.top[0]?.class ?? "—"}</b>
        </Text>
        <Badge variant="light" color="gray" tt="none" data-testid="try-it-latency">
          {result.ms.toFixed(1)} ms · {result.backend}
        </Badge>
      </Group>
      <div className="vf-tryit-images">
        <figure style={{ margin: 0 }}>
          <img src={imageUrl} alt="uploaded" data-small={small || undefined} onLoad={(e) => setSmall(Math.max(e.currentTarget.naturalWidth, e.currentTarget.naturalHeight) < 128)} />
          <Text size="10px" c="dimmed" ta="center">
            your image
          </Text>
        </figure>
        <figure style={{ margin: 0 }}>
          {result.cam_png ? (
            <img src={`data:image/png;base64,${result.cam_png}`} alt="Eigen-CAM heatmap" data-small={small || undefined} data-testid="try-it-cam" />
          ) : (
            <Text size="xs" c="dimmed" p="md" ta="center">
              No heatmap for this image.
            </Text>
          )}
          <Text size="10px" c="dimmed" ta="center">
            where the model looks (Eigen-CAM)
          </Text>
        </figure>
      </div>
      <Text size="10px" c="dimmed" tt="uppercase" fw={600} mt="sm" mb={3}>
        Top {result.top.length}
      </Text>
      <div style={{ maxWidth: 448 }}>
        <TopKBars rows={result.top.map((t, i) => ({ name: t.class, confidence: t.confidence, kind: i === 0 ? "pred" : undefined }))} testId="try-it-topk" />
      </div>
    </div>
  );
}

export function TryItPanel({ rid, hasWeights }: { rid: string; hasWeights: boolean }) {
  const [file, setFile] = useState<File | null>(null);
  const [imageUrl, setImageUrl] = useState<string | null>(null);
  const predict = useMutation({ mutationFn: (f: File) => predictImage(rid, f, 5, true) });

  useEffect(() => {
    if (!file) return;
    const url = URL.createObjectURL(file);
    setImageUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const onDrop = (files: File[]) => {
    const f = files[0];
    if (!f) return;
    setFile(f);
    predict.mutate(f);
  };
  const result = predict.data;
  const busy = predict.isPending;
  return (
    <Paper withBorder p="sm" data-testid="try-it" data-state={busy ? "busy" : predict.isError ? "error" : result ? "done" : "idle"}>
      <Text size="sm" fw={600}>
        Try it
      </Text>
      <Text size="xs" c="dimmed" mb="xs">
        Drop an image (or click to pick one): the run's best model classifies it and shows where it looks.
        {!hasWeights ? " This run has no trained weights yet; the server will say so if you try." : ""}
      </Text>
      <div className="vf-tryit">
        <Dropzone onDrop={onDrop} multiple={false} loading={busy} className="vf-dropzone" data-testid="try-it-drop">
          <Stack align="center" gap={4} className="vf-tryit-drop" style={{ pointerEvents: "none" }}>
            <IconPhotoScan size={30} stroke={1.4} color="var(--mantine-color-dimmed)" />
            <Text size="sm" fw={500}>
              Drop an image here or click to choose one
            </Text>
            {file ? (
              <Text size="xs" c="dimmed">
                {file.name}
              </Text>
            ) : null}
          </Stack>
        </Dropzone>
        <div>
          {predict.isError ? (
            <Alert color="red" variant="light" title="No prediction" data-testid="try-it-error">
              {predict.error.message}
            </Alert>
          ) : result && imageUrl && !busy ? (
            <TryItResult result={result} imageUrl={imageUrl} />
          ) : (
            <Text size="sm" c="dimmed" mt="md">
              {busy ? "Asking the model…" : "The prediction appears here."}
            </Text>
          )}
        </div>
      </div>
    </Paper>
  );
}
