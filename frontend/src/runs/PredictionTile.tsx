/** One validation image with the final model's verdict: true vs predicted class, confidences, loss, and a link to
 * relabel it in the annotator. */
import { Anchor, Text } from "@mantine/core";
import { Link } from "react-router";
import type { Prediction } from "../api/types";
import { CamImage } from "./CamImage";
import { pct } from "./preview";

interface Props {
  p: Prediction;
  showCam: boolean;
  /** The annotator on this image, or null when the image is no longer in the project. */
  relabelLink: string | null;
}

export function PredictionTile({ p, showCam, relabelLink }: Props) {
  const correct = p.label === p.predicted;
  return (
    <div className="vf-pred" data-correct={correct ? "true" : "false"} data-testid="prediction" data-item={p.item} data-asset-id={p.asset_id ?? ""}>
      {showCam ? <CamImage url={p.cam_url} alt={`Eigen-CAM of ${p.label_name}`} /> : <img src={p.image_url} alt={`true ${p.label_name}`} loading="lazy" />}
      <div className="vf-pred-body">
        <Text size="xs">
          true <b>{p.label_name}</b> → <Text span size="xs" fw={700} c={correct ? "teal.7" : "red.7"}>{p.predicted_name}</Text>
        </Text>
        <Text size="10px" c="dimmed" ff="monospace" title={`${pct(p.confidence)} sure of ${p.predicted_name}; ${pct(p.true_confidence)} for the true class ${p.label_name}; loss ${p.loss.toFixed(3)}`}>
          {pct(p.confidence, 0)} · loss {p.loss.toFixed(2)}
        </Text>
        {relabelLink ? (
          <Anchor component={Link} to={relabelLink} size="xs" data-testid="relabel-link">
            Relabel
          </Anchor>
        ) : (
          <Text size="10px" c="dimmed">
            no longer in the project
          </Text>
        )}
      </div>
    </div>
  );
}
