/** Colours for categories and port kinds, assigned in catalogue order from a fixed, distinct set of hues
 * (red is left out: it means "error" on this screen). Nothing here names a category or a kind. */
import type { NodeDescriptor } from "../api/types";

const HUES = [221, 152, 32, 272, 190, 330, 95, 250, 55, 175];

export interface Colours {
  category: (name: string) => string;
  kind: (name: string) => string;
}

function assign(names: Iterable<string>): Map<string, number> {
  const map = new Map<string, number>();
  for (const n of names) if (!map.has(n)) map.set(n, HUES[map.size % HUES.length]);
  return map;
}

export function makeColours(catalogue: NodeDescriptor[]): Colours {
  const categories = assign(catalogue.map((d) => d.category));
  const kinds = assign(catalogue.flatMap((d) => [...d.outputs, ...d.inputs].map((p) => p.kind)));
  const css = (map: Map<string, number>, l: number) => (name: string) => `hsl(${map.get(name) ?? 0} ${map.has(name) ? 62 : 0}% ${l}%)`;
  return { category: css(categories, 55), kind: css(kinds, 50) };
}
