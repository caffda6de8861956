import { describe, expect, it, vi } from "vitest";
import { createRunEndNotifier, describeNotice, parseNotice, reconnectDelayMs, type Shown } from "./runEnd";

const NOTICE = {
  event: "run.finished",
  run_id: "r1",
  run_name: "Birds · YOLO11n",
  project: { id: "p1", name: "Birds" },
  status: "succeeded",
  reason: "",
  metrics: { accuracy: 0.9234, f1: 0.9 },
  finished_at: "2026-11-30T20:00:00+00:00",
  link: "https://vf.example/projects/p1/runs/r1",
};
const text = (over: object = {}) => JSON.stringify({ ...NOTICE, ...over });

function setup(permission: "granted" | "denied" | "default" | "unsupported") {
  const browser = vi.fn<(s: Shown) => void>();
  const inApp = vi.fn<(s: Shown) => void>();
  const navigate = vi.fn<(path: string) => void>();
  const notify = createRunEndNotifier({ browser, inApp }, () => permission, navigate);
  return { browser, inApp, navigate, notify };
}

describe("parseNotice", () => {
  it("reads a run-end notice and refuses anything else", () => {
    expect(parseNotice(text())?.run_id).toBe("r1");
    expect(parseNotice("not json")).toBeNull();
    expect(parseNotice(text({ event: "test" }))).toBeNull();
    expect(parseNotice(text({ status: "running" }))).toBeNull();
    expect(parseNotice("null")).toBeNull();
  });
});

describe("describeNotice", () => {
  it("says how the run ended, with its accuracy or the reason", () => {
    expect(describeNotice(parseNotice(text())!)).toEqual({ title: "Run finished: Birds · YOLO11n", body: "Birds · accuracy 92.3 %", color: "teal" });
    const failed = describeNotice(parseNotice(text({ status: "failed", reason: "Out of memory." }))!);
    expect(failed).toMatchObject({ title: "Run failed: Birds · YOLO11n", body: "Birds · Out of memory.", color: "red" });
  });
});

describe("createRunEndNotifier", () => {
  it("uses the browser's notification when permitted, and a click opens the run page", () => {
    const { browser, inApp, navigate, notify } = setup("granted");
    notify(text());
    expect(inApp).not.toHaveBeenCalled();
    const shown = browser.mock.calls[0][0];
    expect(shown.tag).toBe("visionflow-run-r1");
    shown.open?.();
    expect(navigate).toHaveBeenCalledWith("/projects/p1/runs/r1");
  });
  it("falls back to the app's notification without permission, or when the browser refuses", () => {
    for (const permission of ["default", "denied", "unsupported"] as const) {
      const { browser, inApp, notify } = setup(permission);
      notify(text());
      expect(browser).not.toHaveBeenCalled();
      expect(inApp).toHaveBeenCalledTimes(1);
    }
    const { browser, inApp, notify } = setup("granted");
    browser.mockImplementation(() => {
      throw new TypeError("Illegal constructor");
    });
    notify(text());
    expect(inApp).toHaveBeenCalledTimes(1);
  });
  it("announces each run once, however often the socket sends it", () => {
    const { inApp, notify } = setup("default");
    notify(text());
    notify(text());
    notify(text({ run_id: "r2" }));
    expect(inApp.mock.calls.map((c) => c[0].tag)).toEqual(["visionflow-run-r1", "visionflow-run-r2"]);
  });
  it("has nothing to open for a run of no project", () => {
    const { inApp, notify } = setup("default");
    notify(text({ project: null }));
    expect(inApp.mock.calls[0][0].open).toBeNull();
  });
});

describe("reconnectDelayMs", () => {
  it("backs off to at most 30 s", () => {
    expect([0, 1, 2, 10].map(reconnectDelayMs)).toEqual([1000, 2000, 4000, 30_000]);
  });
});
