/** Architectures a stored model can be declared as, read from the node catalogue's model nodes (each family's
 * `size` choices), so a new model family shows up here without a change. */
import type { NodeDescriptor } from "../api/types";

export interface ArchitectureOption {
  value: string;
  label: string;
}

/** `model.yolo11_cls` with sizes n, s → yolo11n-cls.yaml, yolo11s-cls.yaml (Ultralytics' config names). */
export function architectureOptions(catalogue: NodeDescriptor[]): ArchitectureOption[] {
  const out: ArchitectureOption[] = [];
  for (const d of catalogue) {
    const family = /^model\.(.+)_cls$/.exec(d.type)?.[1];
    if (d.category !== "model" || !family) continue;
    const size = (d.params_schema?.properties as Record<string, { enum?: unknown[] }> | undefined)?.size;
    for (const s of size?.enum ?? []) {
      if (typeof s !== "string") continue;
      out.push({ value: `${family}${s}-cls.yaml`, label: `${d.title} · ${s}` });
    }
  }
  return out;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
