/** Where a new node (added from the palette, dropped, pasted or duplicated) goes: where it was wanted when that
 * place is free, else the nearest place where it overlaps no node (kept a small gap apart). Pure.
 *
 * The nearest free place is exact: it is the wanted point itself or lies on the edge of a forbidden region (an
 * obstacle grown by the new node's size and the gap), so the only candidates are combinations of the wanted
 * coordinates and those edges' coordinates, tried nearest first. */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
type Point = { x: number; y: number };

/** Space kept between a placed node and its neighbours. */
export const PLACEMENT_GAP = 24;
/** Above this many candidate points a group is placed as its bounding box (still never overlapping). */
const MAX_CANDIDATES = 250_000;

export function overlaps(a: Rect, b: Rect, gap = 0): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

export function boundingBox(rects: Rect[]): Rect {
  const x = Math.min(...rects.map((r) => r.x));
  const y = Math.min(...rects.map((r) => r.y));
  return {
    x,
    y,
    width: Math.max(...rects.map((r) => r.x + r.width)) - x,
    height: Math.max(...rects.map((r) => r.y + r.height)) - y,
  };
}

/** The shift to apply to a group of new rectangles (absolute, at their wanted places) so that none of them comes
 * within `gap` of an obstacle: {0, 0} when they are free where they are, else the smallest such shift. */
export function freeShift(group: Rect[], obstacles: Rect[], gap = PLACEMENT_GAP): Point {
  if (!group.length || !obstacles.length) return { x: 0, y: 0 };
  // Whole pixels, grown outwards: every candidate shift is then a whole number and rounding never eats the gap.
  const blocks = obstacles.map(outward);
  let members = group.map(outward);
  if ((2 * members.length * blocks.length + 1) ** 2 > MAX_CANDIDATES) members = [boundingBox(members)];
  // A shift (dx, dy) is forbidden when, for some member m and obstacle o, m moved by it comes within the gap of o:
  // dx in (o.x - gap - m.x - m.width, o.x + o.width + gap - m.x), and likewise for y (open intervals).
  const regions: Rect[] = [];
  for (const m of members) {
    for (const o of blocks) {
      regions.push({
        x: o.x - gap - m.x - m.width,
        y: o.y - gap - m.y - m.height,
        width: o.width + m.width + 2 * gap,
        height: o.height + m.height + 2 * gap,
      });
    }
  }
  const free = (dx: number, dy: number) =>
    regions.every((r) => !(dx > r.x && dx < r.x + r.width && dy > r.y && dy < r.y + r.height));
  if (free(0, 0)) return { x: 0, y: 0 };
  const xs = [...new Set([0, ...regions.flatMap((r) => [r.x, r.x + r.width])])].sort((a, b) => Math.abs(a) - Math.abs(b));
  const ys = [...new Set([0, ...regions.flatMap((r) => [r.y, r.y + r.height])])].sort((a, b) => Math.abs(a) - Math.abs(b));
  let best: Point | null = null;
  let bestDistance = Infinity;
  for (const dx of xs) {
    if (dx * dx >= bestDistance) break;
    for (const dy of ys) {
      const d = dx * dx + dy * dy;
      if (d >= bestDistance) break;
      if (free(dx, dy)) {
        best = { x: dx, y: dy };
        bestDistance = d;
        break;
      }
    }
  }
  return best ?? { x: 0, y: 0 };
}

function outward(r: Rect): Rect {
  const x = Math.floor(r.x);
  const y = Math.floor(r.y);
  return { x, y, width: Math.ceil(r.x + r.width) - x, height: Math.ceil(r.y + r.height) - y };
}

/** Top-left corner for one new rectangle of `size` wanted at `wanted`. */
export function freePlace(size: { width: number; height: number }, wanted: Point, obstacles: Rect[], gap = PLACEMENT_GAP): Point {
  const shift = freeShift([{ ...wanted, ...size }], obstacles, gap);
  return { x: wanted.x + shift.x, y: wanted.y + shift.y };
}
