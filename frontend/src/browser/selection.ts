/** Selection in the asset grid: click toggles one image, shift-click adds the range from the last clicked one,
 * and the page checkbox selects or clears the whole page. Ids survive paging. */

export interface Selection {
  ids: ReadonlySet<string>;
  /** The last image clicked without shift: where a shift-click range starts. */
  anchor: string | null;
}

export const EMPTY_SELECTION: Selection = { ids: new Set(), anchor: null };

export function clickSelect(selection: Selection, pageIds: string[], id: string, shift: boolean): Selection {
  const from = selection.anchor ? pageIds.indexOf(selection.anchor) : -1;
  const to = pageIds.indexOf(id);
  if (shift && from >= 0 && to >= 0) {
    const [lo, hi] = from < to ? [from, to] : [to, from];
    const ids = new Set(selection.ids);
    for (const each of pageIds.slice(lo, hi + 1)) ids.add(each);
    return { ids, anchor: selection.anchor };
  }
  const ids = new Set(selection.ids);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return { ids, anchor: id };
}

export type PageState = "none" | "some" | "all";

export function pageState(selection: Selection, pageIds: string[]): PageState {
  const n = pageIds.filter((id) => selection.ids.has(id)).length;
  return n === 0 ? "none" : n === pageIds.length ? "all" : "some";
}

/** Select every image of the page, or clear them when all already are. */
export function togglePage(selection: Selection, pageIds: string[]): Selection {
  const ids = new Set(selection.ids);
  if (pageState(selection, pageIds) === "all") pageIds.forEach((id) => ids.delete(id));
  else pageIds.forEach((id) => ids.add(id));
  return { ids, anchor: selection.anchor };
}

/** Drop ids that are gone (deleted) from the selection. */
export function without(selection: Selection, gone: Iterable<string>): Selection {
  const ids = new Set(selection.ids);
  for (const id of gone) ids.delete(id);
  return { ids, anchor: selection.anchor && ids.has(selection.anchor) ? selection.anchor : null };
}
