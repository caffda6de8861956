import { describe, expect, it } from "vitest";
import { describeInt8, int8Summary, orderArtifacts } from "./artifactsModel";

const card = (int8: unknown) => JSON.stringify({ exports: { onnx: { path: "weights/best.onnx" }, onnx_int8: int8 } });

describe("int8 ONNX on the run page", () => {
  it("offers best.int8.onnx as a download right after best.onnx", () => {
    const a = (name: string) => ({ name, kind: "onnx", bytes: 1, path: name, url: `/x/${name}` });
    const { primary } = orderArtifacts([a("best.int8.onnx"), a("best.onnx"), a("best.pt")] as never);
    expect(primary.map((x) => x.name)).toEqual(["best.pt", "best.onnx", "best.int8.onnx"]);
  });

  it("says the int8 latency against fp32 and the agreement from the JSON model card", () => {
    const summary = int8Summary(
      card({
        kept: true,
        path: "weights/best.int8.onnx",
        top1_agreement: 0.995,
        int8_over_fp32_p50: 0.7,
        latency_ms: { fp32: { p50: 4.4, p95: 6 }, int8: { p50: 3.08, p95: 4 } },
      }),
    );
    expect(summary).toMatchObject({ kept: true, int8P50: 3.08, fp32P50: 4.4, ratio: 0.7, agreement: 0.995 });
    expect(describeInt8(summary!)).toBe(
      "int8 p50 3.08 ms vs fp32 4.40 ms (0.70×), top-1 agreement with fp32 99.5 % (batch 1, this machine)",
    );
  });

  it("says why there is no int8 model, and nothing for cards without one", () => {
    const summary = int8Summary(card({ kept: false, path: null, reason: "agreement 97.0 % is below 99 %" }))!;
    expect(describeInt8(summary)).toBe("No int8 ONNX: agreement 97.0 % is below 99 %. int8 latency not measured.");
    expect(int8Summary(JSON.stringify({ exports: {} }))).toBeNull();
    expect(int8Summary("# a markdown card")).toBeNull();
    expect(int8Summary(undefined)).toBeNull();
  });
});
