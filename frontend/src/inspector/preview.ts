/** The augmentation preview's logic, kept pure: which nodes have one, the graph it sends, what its strip says. */
import type { AugmentationPreview, AugmentationStep } from "../api/types";
import { semanticKey, flowToGraph, SCHEMA_VERSION } from "../graph/convert";
import type { FlowEdge, FlowNode } from "../graph/types";

/** How many images the strip shows (the server takes up to 8). */
export const PREVIEW_COUNT = 4;

/** Nodes images pass through: augmentations and preprocessing show the pipeline up to them, the model the whole chain. */
export function canPreview(category: string | undefined): boolean {
  return category === "augmentation" || category === "preprocessing" || category === "model";
}

/** The graph as the editor holds it now, without positions (they change nothing in the pictures), as JSON: a
 * string, so a drag re-renders nothing and the query key changes only when the pipeline does. */
export function previewGraphJson(nodes: FlowNode[], edges: FlowEdge[]): string {
  return semanticKey(flowToGraph(nodes, edges, { schema_version: SCHEMA_VERSION, name: "preview" }));
}

/** A re-roll: other images, other random draws. */
export function nextSeed(seed: number): number {
  return (seed + 1) % 2 ** 31;
}

function names(steps: AugmentationStep[]): string {
  return steps.map((s) => s.transform).join(" → ");
}

/** What the strip shows, in words: the steps up to the node, then what else shapes the model input. */
export function describePreview(preview: Pick<AugmentationPreview, "steps" | "later_steps" | "imgsz">): string {
  const upTo = preview.steps.length ? names(preview.steps) : "no transform yet";
  const later = preview.later_steps.length ? `, then ${names(preview.later_steps)}` : "";
  return `${upTo}${later}; the model gets ${preview.imgsz}×${preview.imgsz} px.`;
}

/** The strip's column titles, by what the node is. */
export function columnTitles(category: string | undefined): [string, string, string] {
  return ["Original", category === "model" ? "After the chain" : "After this node", "Model input"];
}
