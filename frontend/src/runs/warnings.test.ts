import { describe, expect, it } from "vitest";
import type { RunEvent } from "../api/types";
import { applyEvent, emptyModel } from "./runModel";
import { bannerWarnings, latestByCode, warningOf, warningSummary } from "./warnings";

const event = (seq: number, type: string, data: Record<string, unknown>): RunEvent => ({ run_id: "r", seq, type, ts: seq, data }) as RunEvent;

describe("run quality warnings", () => {
  it("keeps the latest warning of each code, in the order codes first appeared", () => {
    const model = emptyModel();
    applyEvent(model, event(0, "warning", { code: "collapsed", message: "all one class (epoch 1)", epoch: 1, final: false }));
    applyEvent(model, event(1, "warning", { code: "overfitting", message: "val loss rising", epoch: 2, final: false }));
    applyEvent(model, event(2, "warning", { code: "collapsed", message: "all one class (final)", epoch: 3, final: true }));
    applyEvent(model, event(3, "warning", { message: "no code" }));
    expect(model.warnings).toHaveLength(3);
    const shown = bannerWarnings(model.warnings, null);
    expect(shown.map((w) => [w.code, w.message])).toEqual([
      ["collapsed", "all one class (final)"],
      ["overfitting", "val loss rising"],
    ]);
    expect(model.logs.filter((l) => l.level === "warning")).toHaveLength(4);
  });

  it("drops warnings that no longer hold after an evaluation, so a run that recovered shows none", () => {
    const model = emptyModel();
    const evaluation = (seq: number, quality: string[], final = false) =>
      event(seq, "evaluation", { epoch: seq, final, accuracy: 0.5, f1: 0.5, quality, per_class: [], confusion_matrix: [], class_names: [], preview: [] });
    applyEvent(model, evaluation(0, ["collapsed"]));
    applyEvent(model, event(1, "warning", { code: "collapsed", message: "all one class", epoch: 1, final: false }));
    applyEvent(model, evaluation(2, ["collapsed"]));
    expect(bannerWarnings(model.warnings, null, model.sawEvaluation)).toHaveLength(1);
    applyEvent(model, evaluation(3, []));
    const stale = [{ code: "collapsed" as const, message: "all one class", epoch: 1 }];
    expect(bannerWarnings(model.warnings, stale, model.sawEvaluation)).toEqual([]);
  });

  it("uses the run's stored warnings when no event carried one (and shows them for a succeeded run)", () => {
    const model = emptyModel();
    applyEvent(model, event(0, "finished", { status: "succeeded", reason: "", metrics: {} }));
    const stored = [{ code: "no_better_than_majority" as const, message: "accuracy 50% = majority class", epoch: 5 }];
    expect(bannerWarnings(model.warnings, stored)).toEqual(stored);
    expect(bannerWarnings([], null)).toEqual([]);
  });

  it("reads only well-formed warning events", () => {
    expect(warningOf(event(0, "log", { code: "x", message: "y" }))).toBeNull();
    expect(warningOf(event(0, "warning", { code: "x", message: "y" }))).toEqual({ code: "x", message: "y", epoch: 0, final: false });
  });

  it("summarises a run's stored warnings for the runs list", () => {
    expect(warningSummary([])).toBeNull();
    expect(warningSummary(null)).toBeNull();
    expect(warningSummary(latestByCode([{ code: "overfitting", message: "one", epoch: 1 }, { code: "overfitting", message: "two", epoch: 2 }]))).toBe("two");
  });
});
