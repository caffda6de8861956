import { describe, expect, it } from "vitest";
import { NODE_WIDTH, READABLE_ZOOM } from "./layout";
import { OPENING_PADDING, OPENING_PADDING_TIGHT, openingFit } from "./viewport";

const chain = (count: number) =>
  Array.from({ length: count }, (_, k) => ({ id: `n${k}`, x: k * 280, y: (k % 2) * 60, width: NODE_WIDTH, height: 150 }));

describe("openingFit", () => {
  it("fits a small workflow whole, never zoomed out past the readable zoom", () => {
    const fit = openingFit(chain(2), 720, 700);
    expect(fit.nodes).toBeUndefined();
    expect(fit.minZoom).toBe(READABLE_ZOOM);
  });

  it("shows the start of a workflow too wide to read whole: the leftmost nodes that fit", () => {
    const fit = openingFit(chain(10), 720, 700);
    const ids = fit.nodes!.map((n) => n.id);
    expect(ids[0]).toBe("n0");
    const shown = chain(10).filter((b) => ids.includes(b.id));
    const span = Math.max(...shown.map((b) => b.x + b.width)) - Math.min(...shown.map((b) => b.x));
    // Those nodes fit the canvas at the readable zoom, so React Flow's fit does not have to zoom out further.
    expect(span * READABLE_ZOOM).toBeLessThanOrEqual(720 / (1 + OPENING_PADDING_TIGHT));
    // A laptop's canvas (720 px) shows three nodes of a chain 280 px apart.
    expect(ids).toEqual(["n0", "n1", "n2"]);
    expect(fit.minZoom).toBe(READABLE_ZOOM);
  });

  it("falls back to fitting everything (still readable) before the canvas has a size", () => {
    expect(openingFit(chain(10), 0, 0)).toEqual({ padding: OPENING_PADDING, maxZoom: 1.1, minZoom: READABLE_ZOOM });
  });
});
