import { describe, expect, it } from "vitest";
import { smooth } from "./chartData";

describe("smooth", () => {
  it("keeps the values with weight 0 and starts at the first value (debiased)", () => {
    expect(smooth([3, 1, 2], 0)).toEqual([3, 1, 2]);
    expect(smooth([5, 5, 5], 0.9).map((v) => Number(v?.toFixed(9)))).toEqual([5, 5, 5]);
  });

  it("follows a step smoothly and skips gaps", () => {
    const out = smooth([1, null, 1, 0, 0, 0], 0.5);
    expect(out[0]).toBe(1);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeCloseTo(1);
    expect(out[3]!).toBeGreaterThan(0);
    expect(out[3]!).toBeLessThan(1);
    expect(out[5]!).toBeLessThan(out[4]!);
  });
});
