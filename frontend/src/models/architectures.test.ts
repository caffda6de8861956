import { describe, expect, it } from "vitest";
import type { NodeDescriptor } from "../api/types";
import { architectureOptions, formatSize } from "./architectures";

const node = (type: string, category: string, architectures?: Record<string, string>) =>
  ({ type, category, title: type, params_schema: {}, architectures }) as unknown as NodeDescriptor;

describe("architecture options", () => {
  it("lists one architecture per model family and size, nothing from other categories", () => {
    const options = architectureOptions([
      node("model.yolo11_cls", "model", { n: "yolo11n-cls.yaml", s: "yolo11s-cls.yaml" }),
      node("model.yolov8_cls", "model", { n: "yolov8n-cls.yaml" }),
      node("augment.flip", "augmentation"),
    ]);
    expect(options.map((o) => o.value)).toEqual(["yolo11n-cls.yaml", "yolo11s-cls.yaml", "yolov8n-cls.yaml"]);
  });

  it("formats sizes", () => {
    expect(formatSize(512)).toBe("512 B");
    expect(formatSize(3 * 1024 * 1024)).toBe("3.0 MB");
  });
});
