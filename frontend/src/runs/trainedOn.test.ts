import { describe, expect, it } from "vitest";
import type { StartedData } from "../api/types";
import { deviceLabel, trainedOn } from "./trainedOn";

const started = (over: Partial<StartedData>): StartedData => ({
  pid: 1,
  device: "cpu",
  device_reason: "",
  epochs: 1,
  train_images: 4,
  val_images: 2,
  class_names: ["a", "b"],
  ...over,
});

describe("trainedOn", () => {
  it("says the device and the worker's reason", () => {
    const cpu = started({ device_reason: "No CUDA GPU on this machine (torch.cuda.is_available() is False): training on the CPU", amp: false, workers: 1 });
    expect(trainedOn(cpu, false)).toBe(
      "Trained on CPU (1 loader process) — No CUDA GPU on this machine (torch.cuda.is_available() is False): training on the CPU",
    );
    const gpu = started({ device: "cuda:0", device_reason: "CUDA GPU found: NVIDIA H200 (1 of 1)", amp: true, workers: 8 });
    expect(trainedOn(gpu, true)).toBe("Training on GPU 0 (mixed precision, 8 loader processes) — CUDA GPU found: NVIDIA H200 (1 of 1)");
  });

  it("reads a run from before the device choice (no reason, amp or workers)", () => {
    expect(trainedOn(started({ device: "cpu" }), false)).toBe("Trained on CPU");
    expect(trainedOn(null, false)).toBeNull();
  });

  it("names torch devices for people", () => {
    expect([deviceLabel("cpu"), deviceLabel("cuda:1"), deviceLabel("cuda"), deviceLabel("mps")]).toEqual(["CPU", "GPU 1", "GPU 0", "mps"]);
  });
});
