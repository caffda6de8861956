import { describe, expect, it } from "vitest";
import { freePlace, freeShift, overlaps, PLACEMENT_GAP, type Rect } from "./placement";

const size = { width: 230, height: 100 };
const at = (x: number, y: number): Rect => ({ x, y, ...size });

describe("freePlace", () => {
  it("keeps the wanted place when it is free", () => {
    expect(freePlace(size, { x: 500, y: 0 }, [at(0, 0)])).toEqual({ x: 500, y: 0 });
    expect(freePlace(size, { x: 5, y: 7 }, [])).toEqual({ x: 5, y: 7 });
  });

  it("moves off a node to the nearest free place, a gap apart", () => {
    const placed = freePlace(size, { x: 10, y: 20 }, [at(0, 0)]);
    expect(overlaps({ ...placed, ...size }, at(0, 0), PLACEMENT_GAP - 1)).toBe(false);
    // Down is nearest: 100 + gap - 20 below, against 230 + gap - 10 to the right.
    expect(placed).toEqual({ x: 10, y: 100 + PLACEMENT_GAP });
  });

  it("finds a free place among many nodes, and nothing overlaps", () => {
    const grid = [0, 1, 2, 3].flatMap((i) => [0, 1, 2, 3].map((j) => at(i * 260, j * 130)));
    for (const wanted of [{ x: 300, y: 150 }, { x: 400, y: 200 }, { x: -20, y: -10 }]) {
      const placed = { ...freePlace(size, wanted, grid), ...size };
      for (const r of grid) expect(overlaps(placed, r)).toBe(false);
    }
  });

  it("never lets fractional sizes eat into the gap", () => {
    const obstacle = { x: 0.4, y: 0.3, width: 230.6, height: 99.5 };
    const placed = { ...freePlace(size, { x: 1, y: 1 }, [obstacle]), ...size };
    expect(overlaps(placed, obstacle, PLACEMENT_GAP)).toBe(false);
  });
});

describe("freeShift", () => {
  it("moves a pasted group as one so that none of it overlaps", () => {
    const existing = [at(0, 0), at(300, 0)];
    const pasted = [at(40, 40), at(340, 40)];
    const shift = freeShift(pasted, existing);
    const moved = pasted.map((r) => ({ ...r, x: r.x + shift.x, y: r.y + shift.y }));
    for (const m of moved) for (const e of existing) expect(overlaps(m, e)).toBe(false);
    expect(moved[1].x - moved[0].x).toBe(300);
    expect(shift).toEqual({ x: 0, y: 100 + PLACEMENT_GAP - 40 });
  });

  it("does not move a group that is already free", () => {
    expect(freeShift([at(1000, 1000)], [at(0, 0)])).toEqual({ x: 0, y: 0 });
  });
});
