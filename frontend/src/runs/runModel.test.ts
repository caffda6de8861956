import { describe, expect, it } from "vitest";
import type { RunEvent } from "../api/types";
import { alignSeries, thin } from "./chartData";
import { confusionCells, evaluationLabel } from "./confusion";
import { createRunStore, formatDuration, ingest, progress, resumeAfter } from "./runModel";

let seq = 0;
const ev = (type: string, data: Record<string, unknown>, ts = 1000 + seq): RunEvent => ({ run_id: "r1", seq: seq++, type, ts, data }) as RunEvent;

function evaluation(epoch: number, accuracy: number, final = false) {
  return {
    epoch, step: epoch * 10, final, accuracy, top5: 1, precision: accuracy, recall: accuracy, f1: accuracy,
    avg_confidence: 0.8, val_loss: final ? null : 1 / epoch,
    per_class: [{ name: "a", precision: 1, recall: 1, f1: 1, support: 3 }],
    confusion_matrix: [[3, 1], [0, 4]], class_names: ["a", "b"], preview: [],
  };
}

function runEvents(): RunEvent[] {
  seq = 0;
  return [
    ev("queued", { position: 0 }, 1000),
    ev("started", { device: "cpu", epochs: 2, train_images: 80, val_images: 20, class_names: ["a", "b"] }, 1001),
    ev("batch", { epoch: 1, epochs: 2, batch: 1, of: 2, loss: 2.0, lr: 0.001, images_per_s: 100 }, 1002),
    ev("batch", { epoch: 1, epochs: 2, batch: 2, of: 2, loss: 1.5, lr: 0.001, images_per_s: 110 }, 1003),
    ev("evaluation", evaluation(1, 0.6), 1004),
    ev("batch", { epoch: 2, epochs: 2, batch: 1, of: 2, loss: 1.0, lr: 0.0005, images_per_s: 120 }, 1005),
    ev("log", { level: "warning", message: "slow disk" }, 1005.5),
    ev("batch", { epoch: 2, epochs: 2, batch: 2, of: 2, loss: 0.8, lr: 0.0005, images_per_s: 120 }, 1006),
    ev("evaluation", evaluation(2, 0.9), 1007),
    ev("checkpoint", { epoch: 2, path: "weights/best.pt", kind: "best", metrics: {} }, 1008),
    ev("evaluation", evaluation(2, 0.91, true), 1009),
    ev("artifact", { name: "best.onnx", path: "best.onnx", kind: "onnx", bytes: 2048 }, 1010),
    ev("finished", { status: "succeeded", reason: "", metrics: { accuracy: 0.91 } }, 1011),
  ];
}

describe("ingest", () => {
  it("builds chart series, evaluations, artifacts and status from events", () => {
    const store = createRunStore();
    expect(ingest(store, runEvents())).toBe(13);
    const m = store.model;
    expect(m.status).toBe("succeeded");
    expect(m.batchX).toEqual([0.5, 1, 1.5, 2]);
    expect(m.loss).toEqual([2, 1.5, 1, 0.8]);
    expect(m.lr).toEqual([0.001, 0.001, 0.0005, 0.0005]);
    expect(m.evalX).toEqual([1, 2]); // the final evaluation is not a point on the curves
    expect(m.accuracy).toEqual([0.6, 0.9]);
    expect(m.valLoss).toEqual([1, 0.5]);
    expect(m.evaluations).toHaveLength(3);
    expect(m.artifacts.map((a) => a.name)).toEqual(["best.onnx"]);
    expect(m.finished?.metrics?.accuracy).toBe(0.91);
    expect(m.logs.some((l) => l.level === "warning" && l.message === "slow disk")).toBe(true);
    expect(resumeAfter(store)).toBe(12);
  });

  it("drops duplicates and waits for gaps, so replays never double a point", () => {
    const events = runEvents();
    const store = createRunStore();
    ingest(store, events.slice(0, 4));
    expect(resumeAfter(store)).toBe(3);
    // a reconnect replays from an older seq, and events arrive out of order
    expect(ingest(store, [events[6], events[2], events[3], events[5]])).toBe(0);
    expect(store.pending.size).toBe(2);
    expect(ingest(store, [events[4]])).toBe(3);
    expect(ingest(store, events)).toBe(6);
    expect(store.events.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    expect(store.model.loss).toEqual([2, 1.5, 1, 0.8]);
    expect(ingest(store, events)).toBe(0);
  });

  it("a fresh store resumes after -1", () => {
    expect(resumeAfter(createRunStore())).toBe(-1);
  });

  it("reports progress, elapsed time and an ETA", () => {
    const store = createRunStore();
    ingest(store, runEvents().slice(0, 4)); // epoch 1 done: half the batches
    const p = progress(store.model, 1005);
    expect(p.fraction).toBe(0.5);
    expect(p.elapsedSeconds).toBe(4);
    expect(p.etaSeconds).toBe(4);
    expect(formatDuration(59)).toBe("59s");
    expect(formatDuration(61)).toBe("1m 01s");
    expect(formatDuration(3720)).toBe("1h 02m");
    expect(formatDuration(null)).toBe("—");
  });

  it("a finished run is complete and has no ETA", () => {
    const store = createRunStore();
    ingest(store, runEvents());
    expect(progress(store.model, 5000)).toEqual({ fraction: 1, etaSeconds: null, elapsedSeconds: 10 });
  });
});

describe("chart data", () => {
  it("aligns series with different x values, null where a series has no point", () => {
    const out = alignSeries([{ x: [0.5, 1, 1.5, 2], y: [2, 1.5, 1, 0.8] }, { x: [1, 2], y: [1, 0.5] }]);
    expect(out).toEqual([[0.5, 1, 1.5, 2], [2, 1.5, 1, 0.8], [null, 1, null, 0.5]]);
  });

  it("thins long series and keeps the last point", () => {
    const x = Array.from({ length: 10 }, (_, i) => i);
    const t = thin({ x, y: x }, 4);
    expect(t.x).toEqual([0, 3, 6, 9]);
    expect(thin({ x, y: x }, 100).x).toHaveLength(10);
  });
});

describe("confusion matrix", () => {
  const m = [[3, 1], [0, 0]];
  it("shows counts with intensity against the largest cell", () => {
    const cells = confusionCells(m, false);
    expect(cells[0].map((c) => c.label)).toEqual(["3", "1"]);
    expect(cells[0][0]).toMatchObject({ diagonal: true, intensity: 1, rowShare: 0.75 });
    expect(cells[0][1].intensity).toBeCloseTo(1 / 3);
  });

  it("normalises rows, leaving empty rows empty", () => {
    const cells = confusionCells(m, true);
    expect(cells[0].map((c) => c.label)).toEqual(["75%", "25%"]);
    expect(cells[0][0].intensity).toBe(0.75);
    expect(cells[1].map((c) => c.label)).toEqual(["–", "–"]);
  });

  it("labels evaluations", () => {
    expect(evaluationLabel({ epoch: 3 })).toBe("epoch 3");
    expect(evaluationLabel({ epoch: 3, final: true })).toBe("final (epoch 3)");
  });
});

describe("finished is final", () => {
  it("a run's own events end at finished: a resume is another run, so nothing reopens this one", () => {
    const store = createRunStore();
    const events = runEvents().slice(0, 5); // queued, started, two batches of epoch 1, its evaluation
    seq = events.length;
    ingest(store, [...events, ev("finished", { status: "cancelled", reason: "Cancelled.", metrics: {} }, 1006)]);
    expect(store.model.status).toBe("cancelled");
    expect(store.model.logs.some((l) => l.message.startsWith("Resumed"))).toBe(false);
  });
});

describe("evaluations", () => {
  it("an epoch evaluated again replaces its earlier evaluation", () => {
    const store = createRunStore();
    seq = 0;
    ingest(store, [ev("evaluation", evaluation(1, 0.5)), ev("evaluation", evaluation(2, 0.6)), ev("evaluation", evaluation(2, 0.7))]);
    expect(store.model.evalX).toEqual([1, 2]);
    expect(store.model.accuracy).toEqual([0.5, 0.7]);
    expect(store.model.evaluations.map((e) => e.accuracy)).toEqual([0.5, 0.7]);
  });
});

