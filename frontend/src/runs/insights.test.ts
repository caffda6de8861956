import { describe, expect, it } from "vitest";
import type { ArtifactInfo, ComparedRun } from "../api/types";
import { describeArtifact, modelCard, orderArtifacts, prettyJson } from "./artifactsModel";
import { curveData, formatMetric, formatSetting, hasPoints, parseIds, runColour } from "./compareModel";
import { DEFAULT_QUERY, pageCount, predictionsUrl, readReview, reviewLink, reviewQueueUrl } from "./predictionsModel";

describe("predictions", () => {
  it("asks for the page and filters as the server takes them", () => {
    expect(predictionsUrl("r1", DEFAULT_QUERY)).toBe("/api/runs/r1/predictions?wrong_only=true&offset=0&limit=24");
    expect(predictionsUrl("r1", { trueClass: "a b", predictedClass: "c", wrongOnly: false, offset: 48, limit: 24 })).toBe(
      "/api/runs/r1/predictions?true_class=a+b&predicted_class=c&offset=48&limit=24",
    );
    expect(pageCount(0, 24)).toBe(1);
    expect(pageCount(49, 24)).toBe(3);
  });

  it("links a review queue to the annotator and reads it back", () => {
    const worst = { runId: "r1", source: "worst" as const, trueClass: "3", predictedClass: null, wrongOnly: false };
    const link = reviewLink("p1", worst, "a9");
    expect(link).toBe("/projects/p1/data?view=annotate&review=r1&queue=worst&true=3&all=1&asset=a9");
    const params = new URL(link, "http://x").searchParams;
    expect(readReview(params)).toEqual(worst);
    expect(reviewQueueUrl(worst)).toBe("/api/runs/r1/predictions?true_class=3&offset=0&limit=1000");

    const mislabelled = { runId: "r1", source: "mislabelled" as const, trueClass: null, predictedClass: null, wrongOnly: true };
    expect(reviewLink("p1", mislabelled)).toBe("/projects/p1/data?view=annotate&review=r1");
    expect(readReview(new URLSearchParams("view=annotate&review=r1"))).toEqual(mislabelled);
    expect(reviewQueueUrl(mislabelled)).toBe("/api/runs/r1/mislabelled");
    expect(readReview(new URLSearchParams("view=annotate"))).toBeNull();
  });
});

describe("compare", () => {
  const run = (id: string, acc: [number, number][], loss: [number, number][] = []): ComparedRun => ({
    id, name: `w ${id}`, workflow_name: "w", status: "succeeded", metrics: {}, loss,
    curves: { accuracy: acc, precision: [], recall: [], f1: [], avg_confidence: [], val_loss: [], top5: [] },
  });

  it("overlays curves on shared epochs, null where a run has no point", () => {
    const data = curveData([run("a", [[1, 0.5], [2, 0.7]]), run("b", [[1, 0.6], [3, 0.9]])], "accuracy");
    expect(data).toEqual([[1, 2, 3], [0.5, 0.7, null], [0.6, null, 0.9]]);
    expect(hasPoints(data)).toBe(true);
    expect(curveData([run("a", [])], "f1")).toEqual([[], []]);
    expect(hasPoints(curveData([run("a", []), run("b", [])], "f1"))).toBe(false);
    expect(curveData([run("a", [], [[0.5, 2], [1, 1]]), run("b", [], [[0.5, 3]])], "loss")).toEqual([[0.5, 1], [2, 1], [3, null]]);
  });

  it("gives each run its own colour and reads ids from the URL", () => {
    expect(new Set([0, 1, 2, 3].map(runColour)).size).toBe(4);
    expect(parseIds("a, b,,a,c")).toEqual(["a", "b", "c"]);
    expect(parseIds(null)).toEqual([]);
  });

  it("formats settings and metrics", () => {
    expect(formatSetting(null)).toBe("—");
    expect(formatSetting(0.1 + 0.2)).toBe("0.3");
    expect(formatSetting(true)).toBe("yes");
    expect(formatSetting({ a: 1 })).toBe('{"a":1}');
    expect(formatMetric("accuracy", 0.9777)).toBe("97.8%");
    expect(formatMetric("val_loss", 0.07985)).toBe("0.0799");
    expect(formatMetric("epochs", 12)).toBe("12");
    expect(formatMetric("f1", undefined)).toBe("—");
  });
});

describe("artifacts", () => {
  const a = (name: string, kind: ArtifactInfo["kind"]): ArtifactInfo => ({ name, kind, path: name, bytes: 1, url: `/u/${name}` });

  it("offers the weights and the ONNX export first, then the rest", () => {
    const { primary, other } = orderArtifacts([a("model_card.md", "model_card"), a("best.onnx", "onnx"), a("last.pt", "weights"), a("best.pt", "weights"), a("a.json", "other")]);
    expect(primary.map((x) => x.name)).toEqual(["best.pt", "last.pt", "best.onnx"]);
    expect(other.map((x) => x.name)).toEqual(["a.json", "model_card.md"]);
    expect(describeArtifact(a("best.onnx", "onnx"))).toMatch(/ONNX/);
  });

  it("renders the Markdown model card, else the JSON one", () => {
    expect(modelCard([a("model_card.json", "model_card"), a("model_card.md", "model_card")])).toMatchObject({ format: "markdown" });
    expect(modelCard([a("model_card.json", "model_card")])).toMatchObject({ format: "json" });
    expect(modelCard([a("best.pt", "weights")])).toBeNull();
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson("not json")).toBe("not json");
  });
});
