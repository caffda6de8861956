/** Palette contents from the catalogue: grouped by category (in catalogue order), recommended first, searchable. */
import type { NodeDescriptor } from "../api/types";

export interface PaletteGroup {
  category: string;
  title: string;
  items: NodeDescriptor[];
}

export function categoryTitle(category: string): string {
  const words = category.replace(/[_-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "Other";
}

export function matchesQuery(node: NodeDescriptor, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const haystack = `${node.title} ${node.type} ${node.category} ${node.description ?? ""}`.toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export function paletteGroups(catalogue: NodeDescriptor[], query = ""): PaletteGroup[] {
  const groups = new Map<string, NodeDescriptor[]>();
  for (const node of catalogue) {
    if (!groups.has(node.category)) groups.set(node.category, []);
    if (matchesQuery(node, query)) groups.get(node.category)!.push(node);
  }
  const result: PaletteGroup[] = [];
  for (const [category, items] of groups) {
    if (!items.length) continue;
    items.sort((a, b) => Number(b.recommended) - Number(a.recommended) || a.title.localeCompare(b.title));
    result.push({ category, title: categoryTitle(category), items });
  }
  return result;
}
