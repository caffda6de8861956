import { describe, expect, it } from "vitest";
import type { RunEvent } from "../api/types";
import { queuePlace } from "./queueModel";
import { createRunStore, ingest } from "./runModel";

describe("queuePlace", () => {
  it("says a waiting run's place and why, and only a run behind others may move to the front", () => {
    const second = queuePlace({ status: "queued", queue_position: 2, waiting_reason: "1 run ahead; 1 run training, limit 1." });
    expect(second).toEqual({ label: "2nd in the queue", reason: "1 run ahead; 1 run training, limit 1.", canMove: true });
    expect(queuePlace({ status: "queued", queue_position: 1, waiting_reason: "x" })?.canMove).toBe(false);
    expect(queuePlace({ status: "queued", queue_position: 11, waiting_reason: "" })?.label).toBe("11th in the queue");
    expect(queuePlace({ status: "running", queue_position: null, waiting_reason: null })).toBeNull();
  });

  it("a run the runner holds shows the runner's latest reason", () => {
    const held = queuePlace({ status: "queued", queue_position: null, waiting_reason: "Starting…" }, "Waiting for a GPU…");
    expect(held).toEqual({ label: "Handed to the runner", reason: "Waiting for a GPU…", canMove: false });
  });
});

describe("the waiting event", () => {
  it("keeps the run queued, logs the reason and clears it once the run starts", () => {
    const ev = (seq: number, type: string, data: Record<string, unknown>) => ({ run_id: "r", seq, type, ts: 1000 + seq, data }) as RunEvent;
    const store = createRunStore();
    ingest(store, [ev(0, "queued", { position: 0 }), ev(1, "waiting", { reason: "Waiting for a GPU…" })]);
    expect(store.model.status).toBe("queued");
    expect(store.model.waitingReason).toBe("Waiting for a GPU…");
    expect(store.model.logs.at(-1)?.message).toBe("Not started yet: Waiting for a GPU…");
    ingest(store, [ev(2, "started", { device: "cpu", epochs: 1, train_images: 4, val_images: 2, class_names: ["a", "b"] })]);
    expect(store.model.waitingReason).toBeNull();
    expect(store.model.status).toBe("running");
  });
});
