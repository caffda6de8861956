/** How a version is named on screen: "v3", or "v3 “before augmentations”" once someone named it. */
import type { WorkflowVersionSummary } from "../api/types";

export function versionLabel(v: Pick<WorkflowVersionSummary, "number" | "name">): string {
  return v.name ? `v${v.number} “${v.name}”` : `v${v.number}`;
}
