import { describe, expect, it } from "vitest";
import type { EvaluationData, PreviewEntry } from "../api/types";
import { evaluationKey, frameIndex, itemTrack, normaliseEntry, pickedIndex, previewFrames, topRows, type SentPreviewEntry } from "./preview";

/** Entries as the worker sends them: `top` and `correct` filled in unless the test gives them. */
const sent = (e: SentPreviewEntry): PreviewEntry => ({ top: [[e.predicted, e.confidence]], correct: e.label === e.predicted, ...e });

function evaluation(epoch: number, preview: SentPreviewEntry[], final = false): EvaluationData {
  return {
    epoch, step: epoch, final, accuracy: 0, top5: 0, precision: 0, recall: 0, f1: 0, avg_confidence: 0, val_loss: null,
    per_class: [], confusion_matrix: [], class_names: ["cat", "dog", "fox"], quality: [], preview: preview.map(sent),
  };
}

describe("evaluation preview", () => {
  it("fills in what an older worker leaves out", () => {
    const item = normaliseEntry({ item: 4, label: 1, predicted: 2, confidence: 0.7 });
    expect(item).toMatchObject({ correct: false, top: [[2, 0.7]], cam: null, changed: false });
    expect(normaliseEntry({ item: 4, label: 1, predicted: 1, confidence: 0.9 }).correct).toBe(true);
    // The server's verdict wins when it is there.
    expect(normaliseEntry({ item: 4, label: 1, predicted: 1, confidence: 0.9, correct: false }).correct).toBe(false);
  });

  it("makes one frame per evaluation with a preview and marks predictions that changed", () => {
    const frames = previewFrames([
      evaluation(1, [{ item: 7, label: 0, predicted: 1, confidence: 0.4 }, { item: 9, label: 2, predicted: 2, confidence: 0.5 }]),
      evaluation(2, []),
      evaluation(3, [{ item: 7, label: 0, predicted: 0, confidence: 0.8 }, { item: 9, label: 2, predicted: 2, confidence: 0.9 }]),
      evaluation(3, [{ item: 7, label: 0, predicted: 0, confidence: 0.8, cam: "cam/7.png", top: [[0, 0.8], [1, 0.1]] }, { item: 9, label: 2, predicted: 2, confidence: 0.9 }], true),
    ]);
    expect(frames.map((f) => f.label)).toEqual(["epoch 1", "epoch 3", "final (epoch 3)"]);
    expect(frames.map((f) => f.correct)).toEqual([1, 2, 2]);
    expect(frames[1].items.map((i) => i.changed)).toEqual([true, false]);
    expect(frames[2].items[0]).toMatchObject({ cam: "cam/7.png", changed: false, top: [[0, 0.8], [1, 0.1]] });
    expect(frames[0].classNames).toEqual(["cat", "dog", "fox"]);
  });

  it("follows one image across the evaluations", () => {
    const frames = previewFrames([
      evaluation(1, [{ item: 7, label: 0, predicted: 1, confidence: 0.4 }]),
      evaluation(2, [{ item: 7, label: 0, predicted: 0, confidence: 0.8 }]),
    ]);
    expect(itemTrack(frames, 7).map((t) => [t.frame, t.predicted, t.correct])).toEqual([[0, 1, false], [1, 0, true]]);
    expect(itemTrack(frames, 8)).toEqual([]);
  });

  it("shows the latest frame unless one was picked, clamped", () => {
    expect(frameIndex(null, 4)).toBe(3);
    expect(frameIndex(1, 4)).toBe(1);
    expect(frameIndex(9, 4)).toBe(3);
    expect(frameIndex(null, 0)).toBe(-1);
  });

  it("colours top-k bars: prediction right or wrong, the true class marked", () => {
    const names = ["cat", "dog", "fox"];
    expect(topRows([[1, 0.6], [0, 0.3], [2, 0.1]], names, 0, 1).map((r) => [r.name, r.kind])).toEqual([
      ["dog", "wrong"], ["cat", "true"], ["fox", undefined],
    ]);
    expect(topRows([[0, 0.9]], names, 0, 0)[0].kind).toBe("right");
    expect(topRows([[5, 0.9]], names, null, 5)[0]).toEqual({ name: "#5", confidence: 0.9, kind: "right" });
  });
});

describe("pickedIndex", () => {
  const list = [
    { epoch: 1, final: false },
    { epoch: 3, final: false },
    { epoch: 3, final: true },
  ];
  it("finds the same evaluation in another list, the latest otherwise", () => {
    expect(pickedIndex(null, list)).toBeNull();
    expect(pickedIndex(evaluationKey({ epoch: 3, final: false }), list)).toBe(1);
    expect(pickedIndex(evaluationKey({ epoch: 3, final: true }), list)).toBe(2);
    expect(pickedIndex(evaluationKey({ epoch: 2, final: false }), list)).toBeNull();
  });
});
