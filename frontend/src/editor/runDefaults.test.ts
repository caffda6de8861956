import { describe, expect, it } from "vitest";
import { prefill } from "./runDefaults";

const known = ["epochs", "batch", "device", "learning_rate"];

describe("run dialog pre-fill", () => {
  it("takes the server's data-aware values over the last run's, but keeps the machine choice", () => {
    const values = prefill(known, { epochs: 60, batch: 16, learning_rate: 0.001, unknown_key: 1 }, { epochs: 1, batch: 64, device: "cuda:0" });
    expect(values).toEqual({ epochs: 60, batch: 16, learning_rate: 0.001, device: "cuda:0" });
  });

  it("falls back to the last settings used when the server has no defaults", () => {
    expect(prefill(known, null, { epochs: 3, other: true })).toEqual({ epochs: 3 });
  });
});
