import { describe, expect, it } from "vitest";
import type { DatasetStats } from "../api/types";
import { classBars, distribution, sizeSummary } from "./statsModel";

const stats: DatasetStats = {
  images: 60,
  labelled: 50,
  unlabelled: 10,
  classes: [
    { id: "a", name: "cat", count: 10, samples: ["a1"] },
    { id: "b", name: "dog", count: 40, samples: ["b1", "b2"] },
    { id: "c", name: "fox", count: 0, samples: [] },
  ],
  longest_side: [],
  aspect: [],
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
    expect(bars[0].samples).toEqual(["b1", "b2"]);
  });

  it("summarises sizes", () => {
    expect(sizeSummary(stats.sizes)).toBe("32–640 × 32 px (median 321×32)");
    expect(sizeSummary({ ...stats.sizes!, max_width: 32 })).toBe("32×32 px");
    expect(sizeSummary(null)).toBe("—");
  });
});

describe("distribution", () => {
  it("scales bars to the largest bin, and is empty without images", () => {
    const bins = [
      { label: "a", count: 2 },
      { label: "b", count: 4 },
      { label: "c", count: 0 },
    ];
    expect(distribution(bins).map((b) => b.fraction)).toEqual([0.5, 1, 0]);
    expect(distribution([{ label: "a", count: 0 }])).toEqual([]);
  });
});
