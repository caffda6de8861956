/** The run page's line about where a run trains and why ("Trained on CPU — No CUDA GPU on this machine …"), from its
 * `started` event. The worker chooses the device (backend/worker/device.py); runs from before that choice have no
 * reason and say only the device. */
import type { StartedData } from "../api/types";

/** "cpu" → "CPU", "cuda:0" → "GPU 0" (torch's device names, as the worker reports them). */
export function deviceLabel(device: string): string {
  const d = device.toLowerCase();
  if (d === "cpu") return "CPU";
  const gpu = /^cuda(?::(\d+))?$/.exec(d);
  if (gpu) return `GPU ${gpu[1] ?? "0"}`;
  return device;
}

export function trainedOn(started: StartedData | null, running: boolean): string | null {
  if (!started) return null;
  const head = `${running ? "Training" : "Trained"} on ${deviceLabel(started.device)}`;
  const extras = [
    started.amp ? "mixed precision" : null,
    started.workers != null ? `${started.workers} loader process${started.workers === 1 ? "" : "es"}` : null,
  ].filter(Boolean);
  const detail = extras.length ? ` (${extras.join(", ")})` : "";
  return started.device_reason ? `${head}${detail} — ${started.device_reason}` : `${head}${detail}`;
}
