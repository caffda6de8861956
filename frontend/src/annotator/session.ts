/** Pure state of an annotation session: the images of a filter, loaded page by page and kept in their first
 * order while labels change (so an image labelled under "unlabelled" stays where it was), and an undo stack. */
import type { Asset } from "../api/types";
import { matchesLabel, type LabelFilter } from "../data/filter";

export interface SessionList {
  items: Asset[];
  /** No more pages on the server. */
  exhausted: boolean;
  /** Images the server still had past the last page, when it was fetched. */
  remaining: number;
}

export const EMPTY_LIST: SessionList = { items: [], exhausted: false, remaining: 0 };

/** Where the next page starts on the server: images labelled out of the filter since they were loaded no longer
 * count there, so the offset shrinks by as many. */
export function nextOffset(items: Asset[], label: LabelFilter): number {
  return items.filter((a) => matchesLabel(a, label)).length;
}

export function appendPage(list: SessionList, page: { items: Asset[]; total: number }, offset: number, limit: number): SessionList {
  const known = new Set(list.items.map((a) => a.id));
  const fresh = page.items.filter((a) => !known.has(a.id));
  return {
    items: [...list.items, ...fresh],
    exhausted: page.items.length < limit || offset + page.items.length >= page.total,
    remaining: Math.max(0, page.total - offset - page.items.length),
  };
}

export function withLabel(list: SessionList, assetId: string, classId: string | null): SessionList {
  return { ...list, items: list.items.map((a) => (a.id === assetId ? { ...a, class_id: classId } : a)) };
}

/** The first unlabelled image after `from`, wrapping round to the start; -1 when there is none. */
export function nextUnlabelled(items: Asset[], from: number): number {
  for (let i = from + 1; i < items.length; i++) if (items[i].class_id === null) return i;
  for (let i = 0; i < Math.min(from, items.length); i++) if (items[i].class_id === null) return i;
  return -1;
}

/** The first unlabelled image strictly after `from`, without wrapping; -1 when there is none loaded. */
export function nextUnlabelledAfter(items: Asset[], from: number): number {
  for (let i = from + 1; i < items.length; i++) if (items[i].class_id === null) return i;
  return -1;
}

export interface LabelChange {
  assetId: string;
  before: string | null;
  after: string | null;
}

export const MAX_UNDO = 200;

export function pushUndo(stack: LabelChange[], change: LabelChange): LabelChange[] {
  if (change.before === change.after) return stack;
  return [...stack.slice(-(MAX_UNDO - 1)), change];
}

/** How many images the session will hold, as far as is known now. */
export const sessionLength = (list: SessionList) => list.items.length + (list.exhausted ? 0 : list.remaining);
