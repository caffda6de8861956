/** Pure helpers for classes: what changed in the edit form, key lookups, and colours. */
import type { ClassPatch } from "../api/dataHooks";
import type { ProjectClass } from "../api/types";

export const SWATCHES = [
  "#4c6ef5", "#f03e3e", "#37b24d", "#f59f00", "#7048e8", "#1098ad", "#d6336c", "#74b816",
  "#f76707", "#1c7ed6", "#ae3ec9", "#0ca678", "#fab005", "#e64980", "#495057", "#15aabf",
];

/** Only the fields the user changed; an emptied key clears it. */
export function classPatch(cls: ProjectClass, form: { name: string; colour: string; hotkey: string }): ClassPatch {
  const patch: ClassPatch = {};
  const name = form.name.trim();
  if (name !== cls.name) patch.name = name;
  if (form.colour && form.colour.toLowerCase() !== cls.colour.toLowerCase()) patch.colour = form.colour.toLowerCase();
  const hotkey = form.hotkey.trim().toLowerCase();
  if (hotkey !== (cls.hotkey ?? "")) {
    if (hotkey) patch.hotkey = hotkey;
    else patch.clear_hotkey = true;
  }
  return patch;
}

/** The class a key assigns, if any (keys are stored lower-case). */
export function classForKey(classes: ProjectClass[], key: string): ProjectClass | undefined {
  const k = key.toLowerCase();
  return classes.find((c) => c.hotkey === k);
}

/** The hotkey strings the annotator listens to, one per class that has a key. */
export function classHotkeys(classes: ProjectClass[]): [string, ProjectClass][] {
  return classes.filter((c) => c.hotkey).map((c) => [c.hotkey as string, c]);
}
