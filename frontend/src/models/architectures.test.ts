import { describe, expect, it } from "vitest";
import type { NodeDescriptor } from "../api/types";
import { architectureOptions, formatSize } from "./architectures";

const node = (type: string, category: string, sizes?: string[]) =>
  ({ type, category, title: type, params_schema: { properties: sizes ? { size: { enum: sizes } } : {} } }) as unknown as NodeDescriptor;

describe("architecture options", () => {
  it("lists one architecture per model family and size, nothing from other categories", () => {
    const options = architectureOptions([
      node("model.yolo11_cls", "model", ["n", "s"]),
      node("model.yolov8_cls", "model", ["n"]),
      node("augment.flip", "augmentation"),
      node("model.odd", "model", ["n"]),
    ]);
    expect(options.map((o) => o.value)).toEqual(["yolo11n-cls.yaml", "yolo11s-cls.yaml", "yolov8n-cls.yaml"]);
  });

  it("formats sizes", () => {
    expect(formatSize(512)).toBe("512 B");
    expect(formatSize(3 * 1024 * 1024)).toBe("3.0 MB");
  });
});
