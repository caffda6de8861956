import { describe, expect, it } from "vitest";
import type { Template, TemplateFit } from "../api/types";
import { fitLabel, fitLevel, recommendedId, sizeAdapted, sortByFit } from "./fit";

const fit = (p: Partial<TemplateFit>): TemplateFit => ({
  score: 0.5,
  recommended: false,
  imgsz: 32,
  template_imgsz: 32,
  pretrained: null,
  summary: "",
  notes: [],
  balance: "none",
  ...p,
});
const template = (id: string, f: TemplateFit | null): Template => ({ id, title: id, description: "", tags: [], graph: { schema_version: 1, name: id, nodes: [], edges: [] }, fit: f });

describe("template fit", () => {
  it("puts the recommended template first even when another scores higher, then by score", () => {
    const sorted = sortByFit([template("a", fit({ score: 0.9 })), template("b", fit({ score: 0.2 })), template("c", fit({ score: 0.6, recommended: true }))]);
    expect(sorted.map((t) => t.id)).toEqual(["c", "a", "b"]);
    expect(recommendedId(sorted)).toBe("c");
  });

  it("keeps the server's order without fits (no project given)", () => {
    const sorted = sortByFit([template("x", null), template("y", null), template("z", fit({ score: 0.1 }))]);
    expect(sorted.map((t) => t.id)).toEqual(["z", "x", "y"]);
    expect(recommendedId([template("x", null)])).toBeNull();
  });

  it("words the score and says when the input size was fitted", () => {
    expect(fitLevel(fit({ score: 0.8 }))).toBe("good");
    expect(fitLevel(fit({ score: 0.5 }))).toBe("fair");
    expect(fitLabel(fit({ score: 0.123 }))).toBe("poor fit · 12%");
    expect(fitLabel(fit({ score: 1.7 }))).toBe("good fit · 100%");
    expect(sizeAdapted(fit({ imgsz: 32, template_imgsz: 320 }))).toBe(true);
    expect(sizeAdapted(fit({ imgsz: 320, template_imgsz: 320 }))).toBe(false);
  });
});
