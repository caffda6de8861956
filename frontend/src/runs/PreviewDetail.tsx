/** One preview image: as evaluated and with its Eigen-CAM heatmap, its top classes, and its prediction at every
 * evaluation (click one to go there). */
import { Text } from "@mantine/core";
import { CamImage } from "./CamImage";
import { TopKBars } from "./TopKBars";
import { className, itemCamUrl, itemImageUrl, itemTrack, pct, topRows, type PreviewFrame, type PreviewItem } from "./preview";

interface Props {
  rid: string;
  frames: PreviewFrame[];
  frameIndex: number;
  item: PreviewItem | undefined;
  onFrame: (index: number) => void;
}

export function PreviewDetail({ rid, frames, frameIndex, item, onFrame }: Props) {
  if (!item) {
    return (
      <Text size="xs" c="dimmed" data-testid="preview-detail-empty">
        Click an image to see its top classes, where the model looks (Eigen-CAM), and how its prediction changed.
      </Text>
    );
  }
  const names = frames[frameIndex]?.classNames ?? [];
  const track = itemTrack(frames, item.item);
  return (
    <div data-testid="preview-detail" data-item={item.item}>
      <div className="vf-detail-images">
        <figure>
          <img src={itemImageUrl(rid, item.item)} alt={`validation image ${item.item}`} />
          <figcaption>image</figcaption>
        </figure>
        <figure>
          <CamImage url={itemCamUrl(rid, item.item)} alt={`Eigen-CAM of image ${item.item}`} />
          <figcaption>Eigen-CAM (final model)</figcaption>
        </figure>
      </div>
      <Text size="xs" mt={6} mb={4}>
        True <b>{className(names, item.label)}</b> · predicted{" "}
        <Text span size="xs" fw={700} c={item.correct ? "teal.7" : "red.7"}>
          {className(names, item.predicted)}
        </Text>{" "}
        ({pct(item.confidence)})
      </Text>
      <TopKBars rows={topRows(item.top, names, item.label, item.predicted)} testId="preview-topk" />
      {track.length > 1 ? (
        <>
          <Text size="10px" c="dimmed" tt="uppercase" fw={600} mt="sm" mb={3}>
            Prediction per evaluation
          </Text>
          <div className="vf-track" data-testid="preview-track">
            {track.map((t) => (
              <span
                key={t.frame}
                role="button"
                tabIndex={0}
                data-correct={t.correct ? "true" : "false"}
                data-current={t.frame === frameIndex || undefined}
                title={`${t.label}: ${className(names, t.predicted)} (${pct(t.confidence)})`}
                onClick={() => onFrame(t.frame)}
                onKeyDown={(e) => e.key === "Enter" && onFrame(t.frame)}
              >
                {frames[t.frame].final ? "F" : frames[t.frame].epoch}:{className(names, t.predicted)}
              </span>
            ))}
          </div>
        </>
      ) : null}
    </div>
  );
}
