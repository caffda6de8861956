/** The evaluation preview: a fixed sample of validation images with the model's prediction at each evaluation
 * (green border right, red wrong), a slider across evaluations, and one image's top-k and heatmap on click. */
import { ActionIcon, Group, Paper, Slider, Text, Tooltip } from "@mantine/core";
import { useInterval } from "@mantine/hooks";
import { IconCheck, IconPlayerPauseFilled, IconPlayerPlayFilled, IconX } from "@tabler/icons-react";
import { useEffect, useMemo, useState } from "react";
import type { EvaluationData } from "../api/types";
import { PreviewDetail } from "./PreviewDetail";
import { className, evaluationKey, frameIndex, itemImageUrl, pct, pickedIndex, previewFrames, type PickedEvaluation } from "./preview";

interface Props {
  rid: string;
  evaluations: EvaluationData[];
  /** Changes whenever evaluations do (the array is appended in place). */
  version: number;
  /** The evaluation shown, shared with the confusion matrix's slider. */
  picked: PickedEvaluation;
  onPick: (picked: PickedEvaluation) => void;
}

export function PreviewGrid({ rid, evaluations, version, picked: pickedEvaluation, onPick }: Props) {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const frames = useMemo(() => previewFrames(evaluations), [evaluations, version]);
  const picked = pickedIndex(pickedEvaluation, frames); // null: follow the latest
  const setPicked = (i: number | null) => onPick(i === null || i >= frames.length - 1 ? null : evaluationKey(frames[i]));
  const [selected, setSelected] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const index = frameIndex(picked, frames.length);
  const frame = frames[index];

  const player = useInterval(() => {
    const next = (picked ?? -1) + 1;
    if (next >= frames.length - 1) setPlaying(false);
    setPicked(next >= frames.length - 1 ? null : next);
  }, 800);
  useEffect(() => {
    if (playing) player.start();
    else player.stop();
    return player.stop;
  }, [playing]); // eslint-disable-line react-hooks/exhaustive-deps
  const play = () => {
    if (playing) return setPlaying(false);
    setPicked(0);
    setPlaying(true);
  };

  const selectedItem = frame?.items.find((i) => i.item === selected);
  return (
    <Paper withBorder p="xs" data-testid="preview-grid" data-frame={index} data-frames={frames.length} data-frame-label={frame?.label ?? ""}>
      <Group justify="space-between" mb={8}>
        <Text size="xs" fw={600}>
          Evaluation preview{" "}
          {frame ? (
            <Text span c="dimmed" size="xs" data-testid="preview-summary">
              · {frame.label} · {frame.correct}/{frame.items.length} right
            </Text>
          ) : null}
        </Text>
        {frames.length > 1 ? (
          <Tooltip label={playing ? "Pause" : "Play through the evaluations"}>
            <ActionIcon size="sm" variant="light" onClick={play} aria-label="Play through the evaluations" data-testid="preview-play">
              {playing ? <IconPlayerPauseFilled size={12} /> : <IconPlayerPlayFilled size={12} />}
            </ActionIcon>
          </Tooltip>
        ) : null}
      </Group>
      {!frame ? (
        <Text size="xs" c="dimmed" data-testid="preview-empty">
          {evaluations.length ? "This run's evaluations carry no preview images." : "Appears after the first evaluation: the same validation images at every evaluation."}
        </Text>
      ) : (
        <div className="vf-preview-body">
          <div className="vf-preview-tiles">
            {frame.items.map((p) => (
              <button
                key={p.item}
                type="button"
                className="vf-ptile"
                data-correct={p.correct ? "true" : "false"}
                data-selected={p.item === selected || undefined}
                data-testid="preview-tile"
                data-item={p.item}
                data-predicted={className(frame.classNames, p.predicted)}
                onClick={() => setSelected(p.item === selected ? null : p.item)}
                title={`true ${className(frame.classNames, p.label)} · predicted ${className(frame.classNames, p.predicted)} (${pct(p.confidence)})`}
              >
                <img src={itemImageUrl(rid, p.item)} alt={`validation image ${p.item}`} loading="lazy" />
                <span className="vf-ptile-mark" aria-label={p.correct ? "correct" : "wrong"}>
                  {p.correct ? <IconCheck size={12} stroke={3} /> : <IconX size={12} stroke={3} />}
                </span>
                {p.changed ? <span className="vf-ptile-changed">changed</span> : null}
                <span className="vf-ptile-caption">
                  <b>{className(frame.classNames, p.predicted)}</b> {pct(p.confidence, 0)}
                  {!p.correct ? <span className="vf-ptile-true"> · true {className(frame.classNames, p.label)}</span> : null}
                </span>
              </button>
            ))}
          </div>
          <PreviewDetail rid={rid} frames={frames} frameIndex={index} item={selectedItem} onFrame={(i) => setPicked(i === frames.length - 1 ? null : i)} />
        </div>
      )}
      {frames.length > 1 ? (
        <Slider
          mt="md"
          mb="lg"
          mx="xs"
          min={0}
          max={frames.length - 1}
          step={1}
          value={index}
          onChange={(v) => {
            setPlaying(false);
            setPicked(v === frames.length - 1 ? null : v);
          }}
          label={(v) => frames[v]?.label ?? ""}
          marks={frames.map((f, i) => ({ value: i, label: frames.length <= 12 || i === frames.length - 1 || i === 0 ? (f.final ? "final" : String(f.epoch)) : undefined }))}
          data-testid="preview-slider"
          aria-label="Evaluation"
        />
      ) : null}
    </Paper>
  );
}
