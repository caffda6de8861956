/** Words for a queued run's place in the run queue (the server decides it: backend/runs/queue.py). */
import type { Run } from "../api/types";

export interface QueuePlace {
  /** "2nd in the queue", or "Handed to the runner" when it holds a slot but has not started. */
  label: string;
  /** Why it waits: the runner's own reason (its latest `waiting` event) or the queue's. */
  reason: string;
  /** Only a run waiting for a slot can move to the front; not the one that starts next already. */
  canMove: boolean;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

type Queued = Pick<Run, "status" | "queue_position" | "waiting_reason">;

/** `liveReason`: a `waiting` event seen on the run's socket since the run was read (newer than the run's). */
export function queuePlace(run: Queued | undefined, liveReason: string | null = null): QueuePlace | null {
  if (!run || run.status !== "queued") return null;
  const position = run.queue_position ?? null;
  const reason = (position === null ? liveReason : null) ?? run.waiting_reason ?? liveReason ?? "";
  if (position === null) return { label: "Handed to the runner", reason, canMove: false };
  return { label: `${ordinal(position)} in the queue`, reason, canMove: position > 1 };
}
