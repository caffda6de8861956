/** Screen-wide single-key shortcuts that still work after clicking a checkbox, a radio (segmented control) or a
 * button, but never while the user types into a text field. */
import type { HotkeyItem } from "@mantine/hooks";

const NOT_TYPING_INPUTS = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file", "image"]);

interface TargetLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
  readOnly?: boolean;
}

/** Whether a key press goes into a text field (so it is text, not a command). */
export function isTyping(target: EventTarget | TargetLike | null): boolean {
  const t = target as TargetLike | null;
  if (!t || typeof t.tagName !== "string") return false;
  if (t.isContentEditable) return true;
  const tag = t.tagName.toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return !NOT_TYPING_INPUTS.has((t.type ?? "text").toLowerCase()) && !t.readOnly;
  return false;
}

/** Items for Mantine's `useHotkeys(items, [])`: each runs only when `enabled` and not typing, and only then
 * prevents the browser's default. */
export function shortcuts(list: [string, () => void][], enabled = true): HotkeyItem[] {
  return list.map(([key, run]) => [
    key,
    (event: KeyboardEvent) => {
      if (!enabled || isTyping(event.target)) return;
      event.preventDefault();
      run();
    },
    { preventDefault: false },
  ]);
}
