import { describe, expect, it } from "vitest";
import type { NodeDescriptor } from "../api/types";
import { categoryTitle, paletteGroups } from "./paletteModel";

const d = (type: string, category: string, title: string, recommended = false, description = ""): NodeDescriptor => ({
  type, category, title, recommended, description, inputs: [], outputs: [], params_schema: {}, defaults: {},
});

const catalogue = [
  d("dataset.project", "dataset", "Project dataset", true),
  d("augment.blur", "augmentation", "Blur"),
  d("augment.flip", "augmentation", "Horizontal Flip", true, "mirror the image"),
  d("augment.affine", "augmentation", "Affine", true),
  d("model.yolo", "model", "YOLOv8 classifier", true),
];

describe("paletteGroups", () => {
  it("groups by category in catalogue order, recommended first then by title", () => {
    const groups = paletteGroups(catalogue);
    expect(groups.map((g) => g.category)).toEqual(["dataset", "augmentation", "model"]);
    expect(groups[1].items.map((n) => n.title)).toEqual(["Affine", "Horizontal Flip", "Blur"]);
    expect(groups[1].title).toBe("Augmentation");
  });

  it("searches title, type and description, all words, dropping empty groups", () => {
    expect(paletteGroups(catalogue, "mirror").flatMap((g) => g.items.map((n) => n.type))).toEqual(["augment.flip"]);
    expect(paletteGroups(catalogue, "augment fl").flatMap((g) => g.items.map((n) => n.type))).toEqual(["augment.flip"]);
    expect(paletteGroups(catalogue, "YOLO").map((g) => g.category)).toEqual(["model"]);
    expect(paletteGroups(catalogue, "nothing-like-this")).toEqual([]);
  });

  it("titles categories", () => {
    expect(categoryTitle("preprocessing")).toBe("Preprocessing");
    expect(categoryTitle("data_source")).toBe("Data source");
  });
});
