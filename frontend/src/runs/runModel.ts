/** Run events → what the run page shows (status, progress, chart series, evaluations, log).
 *
 * Events are ingested strictly in `seq` order: duplicates (seq already applied) are dropped and early arrivals
 * wait in `pending` until the gap before them is filled, so a replay after a reconnect never doubles a point.
 * The store is mutable and append-only on purpose (charts read its arrays directly); `version` changes on
 * every ingest that applied something.
 */
import type {
  ArtifactData,
  BatchData,
  EvaluationData,
  FinishedData,
  RunEvent,
  RunStatus,
  StartedData,
  WarningData,
} from "../api/types";
import { warningOf } from "./warnings";

export interface LogLine {
  seq: number;
  ts: number;
  level: string;
  message: string;
}

export interface RunModel {
  status: RunStatus | null;
  queuedPosition: number | null;
  /** Why the runner has not started the run yet (its latest `waiting` event); null once it started. */
  waitingReason: string | null;
  startedTs: number | null;
  finishedTs: number | null;
  started: StartedData | null;
  finished: FinishedData | null;
  lastBatch: BatchData | null;
  /** Train loss and learning rate per batch; x is the fractional epoch (epoch - 1 + batch / of). */
  batchX: number[];
  loss: number[];
  lr: number[];
  imagesPerS: number[];
  /** Non-final evaluations, x = epoch. */
  evalX: number[];
  accuracy: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  avgConfidence: number[];
  valLoss: (number | null)[];
  /** Every evaluation in order, the final one included (for the confusion-matrix slider). */
  evaluations: EvaluationData[];
  artifacts: ArtifactData[];
  /** Every quality warning in order (the banner shows the latest of each code). */
  warnings: WarningData[];
  /** Whether an evaluation event was applied: from then on the events, not the stored run, say what holds. */
  sawEvaluation: boolean;
  logs: LogLine[];
}

export interface RunStore {
  /** Next seq expected; everything below it has been applied. */
  next: number;
  pending: Map<number, RunEvent>;
  /** Applied events in seq order (events[i].seq === i). */
  events: RunEvent[];
  model: RunModel;
  version: number;
}

export function emptyModel(): RunModel {
  return {
    status: null,
    queuedPosition: null,
    waitingReason: null,
    startedTs: null,
    finishedTs: null,
    started: null,
    finished: null,
    lastBatch: null,
    batchX: [],
    loss: [],
    lr: [],
    imagesPerS: [],
    evalX: [],
    accuracy: [],
    precision: [],
    recall: [],
    f1: [],
    avgConfidence: [],
    valLoss: [],
    evaluations: [],
    artifacts: [],
    warnings: [],
    sawEvaluation: false,
    logs: [],
  };
}

export function createRunStore(): RunStore {
  return { next: 0, pending: new Map(), events: [], model: emptyModel(), version: 0 };
}

/** The `after=` value to resume from: the last seq applied, or -1 when nothing has been. */
export function resumeAfter(store: RunStore): number {
  return store.next - 1;
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
export { formatBytes };

/** Drop the points at x or later (from the x series and its parallel y series). */
function cutFrom(x: number, xs: number[], ...ys: unknown[][]): void {
  let n = xs.length;
  while (n > 0 && xs[n - 1] >= x) n--;
  if (n === xs.length) return;
  xs.length = n;
  for (const y of ys) y.length = n;
}

function log(model: RunModel, e: RunEvent, level: string, message: string) {
  model.logs.push({ seq: e.seq, ts: e.ts, level, message });
}

export function applyEvent(model: RunModel, e: RunEvent): void {
  switch (e.type) {
    case "queued": {
      const d = e.data;
      model.status ??= "queued";
      model.queuedPosition = d.position;
      log(model, e, "info", `Queued${d.position ? ` behind ${d.position} run(s)` : ""}.`);
      break;
    }
    case "waiting": {
      const d = e.data;
      model.status ??= "queued";
      model.waitingReason = d.reason;
      log(model, e, "info", `Not started yet: ${d.reason}`);
      break;
    }
    case "started": {
      const d = e.data;
      model.waitingReason = null;
      model.started = d;
      model.startedTs = e.ts;
      if (model.status !== null && model.status !== "queued") break;
      model.status = "running";
      log(
        model,
        e,
        "info",
        `Started on ${d.device}${d.device_reason ? ` (${d.device_reason})` : ""}: ` +
          `${d.train_images} training / ${d.val_images} validation images, ` +
          `${d.class_names.length} classes, ${d.epochs} epoch(s).`,
      );
      break;
    }
    case "log": {
      const d = e.data;
      log(model, e, d.level, d.message);
      break;
    }
    case "batch": {
      const d = e.data;
      model.lastBatch = d;
      const x = d.epoch - 1 + d.batch / Math.max(1, d.of);
      // A run resumed in place by a version before 0.2 repeats epochs in one log: the later pass replaces them.
      cutFrom(x, model.batchX, model.loss, model.lr, model.imagesPerS);
      model.batchX.push(x);
      model.loss.push(d.loss);
      model.lr.push(d.lr);
      model.imagesPerS.push(d.images_per_s);
      if (model.status === null || model.status === "queued") model.status = "running";
      break;
    }
    case "evaluation": {
      const d = e.data;
      if (!d.final) {
        model.evaluations = model.evaluations.filter((v) => v.epoch < d.epoch);
        cutFrom(d.epoch, model.evalX, model.accuracy, model.precision, model.recall, model.f1, model.avgConfidence, model.valLoss);
      }
      model.evaluations.push(d);
      // Warnings that no longer hold after this evaluation go, as the server drops them from the run.
      const holding = new Set(d.quality ?? []);
      model.warnings = model.warnings.filter((w) => holding.has(w.code));
      model.sawEvaluation = true;
      if (!d.final) {
        model.evalX.push(d.epoch);
        model.accuracy.push(d.accuracy);
        model.precision.push(d.precision);
        model.recall.push(d.recall);
        model.f1.push(d.f1);
        model.avgConfidence.push(d.avg_confidence);
        model.valLoss.push(d.val_loss ?? null);
      }
      const what = d.final ? "Final evaluation" : `Epoch ${d.epoch} evaluation`;
      log(model, e, "info", `${what}: accuracy ${pct(d.accuracy)}, F1 ${pct(d.f1)}${d.val_loss != null ? `, val loss ${d.val_loss.toFixed(4)}` : ""}.`);
      break;
    }
    case "checkpoint": {
      const d = e.data;
      log(model, e, "info", `Saved ${d.kind} checkpoint (epoch ${d.epoch}): ${d.path}`);
      break;
    }
    case "artifact": {
      const d = e.data;
      model.artifacts = [...model.artifacts.filter((a) => a.name !== d.name), d];
      log(model, e, "info", `Artifact ${d.name} (${d.kind}, ${formatBytes(d.bytes)}).`);
      break;
    }
    case "warning": {
      const w = warningOf(e);
      if (w) model.warnings.push(w);
      log(model, e, "warning", w?.message ?? "Warning.");
      break;
    }
    case "finished": {
      const d = e.data;
      model.finished = d;
      model.finishedTs = e.ts;
      model.status = d.status;
      log(model, e, d.status === "succeeded" ? "info" : d.status === "cancelled" ? "warning" : "error",
        `Run ${d.status}${d.reason ? `: ${d.reason}` : "."}`);
      break;
    }
    default:
      // a type this browser does not know yet (a newer server): listed in the log, otherwise ignored
      log(model, e, "debug", `${(e as { type: string }).type} event`);
  }
}

/** Apply what is new, in seq order. Returns how many events were applied. */
export function ingest(store: RunStore, incoming: RunEvent[]): number {
  for (const e of incoming) {
    if (typeof e?.seq !== "number" || e.seq < store.next || store.pending.has(e.seq)) continue;
    store.pending.set(e.seq, e);
  }
  let applied = 0;
  for (let e = store.pending.get(store.next); e; e = store.pending.get(store.next)) {
    store.pending.delete(store.next);
    store.events.push(e);
    applyEvent(store.model, e);
    store.next++;
    applied++;
  }
  if (applied) store.version++;
  return applied;
}

export function isTerminal(status: RunStatus | null | undefined): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled" || status === "interrupted";
}

export interface Progress {
  fraction: number | null;
  etaSeconds: number | null;
  elapsedSeconds: number | null;
}

/** Progress from the last batch; ETA extrapolates the average pace since the run started. */
export function progress(model: RunModel, nowS: number): Progress {
  const end = model.finishedTs ?? nowS;
  const elapsed = model.startedTs !== null ? Math.max(0, end - model.startedTs) : null;
  const b = model.lastBatch;
  if (!b) return { fraction: isTerminal(model.status) ? 1 : null, etaSeconds: null, elapsedSeconds: elapsed };
  const total = b.epochs * b.of;
  const done = (b.epoch - 1) * b.of + b.batch;
  const fraction = isTerminal(model.status) ? 1 : Math.min(1, done / Math.max(1, total));
  const eta = !isTerminal(model.status) && elapsed && done > 0 ? (elapsed * (total - done)) / done : null;
  return { fraction, etaSeconds: eta, elapsedSeconds: elapsed };
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}
