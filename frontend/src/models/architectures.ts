/** Architectures a stored model can be declared as, read from the node catalogue's model nodes (each family's
 * `architectures`), so a new model family shows up here without a change. */
import type { NodeDescriptor } from "../api/types";

export interface ArchitectureOption {
  value: string;
  label: string;
}

/** Every (size → Ultralytics config) pair the catalogue's model nodes list, e.g. yolo11n-cls.yaml. */
export function architectureOptions(catalogue: NodeDescriptor[]): ArchitectureOption[] {
  return catalogue.flatMap((d) =>
    Object.entries(d.architectures ?? {}).map(([size, yaml]) => ({ value: yaml, label: `${d.title} · ${size}` })),
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
