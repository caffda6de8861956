import { describe, expect, it } from "vitest";
import type { DatasetStats } from "../api/types";
import { classBars, sizeSummary } from "./statsModel";

const stats: DatasetStats = {
  images: 60,
  labelled: 50,
  unlabelled: 10,
  classes: [
    { id: "a", name: "cat", count: 10 },
    { id: "b", name: "dog", count: 40 },
    { id: "c", name: "fox", count: 0 },
  ],
  sizes: { min_width: 32, max_width: 640, median_width: 320.5, min_height: 32, max_height: 32, median_height: 32 },
  warnings: [{ code: "class_without_images", class: "fox", count: 0, message: "Class 'fox' has no labelled images." }],
};

describe("statistics", () => {
  it("orders classes by size, with bars relative to the largest", () => {
    const bars = classBars(stats);
    expect(bars.map((b) => [b.name, b.fraction, b.share, b.warning])).toEqual([
      ["dog", 1, 0.8, false],
      ["cat", 0.25, 0.2, false],
      ["fox", 0, 0, true],
    ]);
  });

  it("summarises sizes", () => {
    expect(sizeSummary(stats.sizes)).toBe("32–640 × 32 px (median 321×32)");
    expect(sizeSummary({ ...stats.sizes!, max_width: 32 })).toBe("32×32 px");
    expect(sizeSummary(null)).toBe("—");
  });
});
