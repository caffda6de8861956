/** Node boxes on the canvas and the view a workflow opens with. A wide workflow zoomed out to fit the canvas had
 * unreadable text; it now opens no further out than READABLE_ZOOM, showing its start (leftmost nodes) when the
 * whole graph does not fit at that zoom. Pure. */
import type { FitViewOptions } from "@xyflow/react";
import type { GraphNode } from "../api/types";
import type { Catalogue } from "./connection";
import { estimateNodeHeight, NODE_WIDTH, READABLE_ZOOM } from "./layout";
import { boundingBox, type Rect } from "./placement";
import type { FlowNode } from "./types";

/** Estimated height of a node from its type's ports and its parameters (before React Flow has measured it). */
export function nodeHeightFor(catalogue: Catalogue) {
  return (node: GraphNode) => {
    const d = catalogue.get(node.type);
    const rows = Math.max(d?.inputs.length ?? 0, d?.outputs.length ?? 0);
    const params = Math.min(3, Object.keys(node.params ?? {}).length);
    return estimateNodeHeight(rows, params);
  };
}

/** A node's box on the canvas: React Flow's measured size once it has been drawn, an estimate before. */
export function nodeBox(node: FlowNode, heightOf: (node: GraphNode) => number): Rect {
  const estimate = () => heightOf({ id: node.id, type: node.data.nodeType, params: node.data.params });
  return {
    ...node.position,
    width: node.measured?.width ?? NODE_WIDTH,
    height: node.measured?.height ?? estimate(),
  };
}

/** Padding around the fitted nodes, as a fraction of the canvas (React Flow's fitView padding): roomy when the
 * whole workflow fits, tight when only its start does (so that one more node fits). */
export const OPENING_PADDING = 0.15;
export const OPENING_PADDING_TIGHT = 0.05;

/** fitView options for opening a workflow on a canvas of the given size: all nodes, never zoomed out past
 * READABLE_ZOOM; when they do not all fit at that zoom, the nodes that do from the top-left (where a pipeline
 * starts), at no more than natural size. An unknown canvas size (0) fits all nodes, still no further out than
 * READABLE_ZOOM. */
export function openingFit(boxes: (Rect & { id: string })[], width: number, height: number): FitViewOptions {
  const whole: FitViewOptions = { padding: OPENING_PADDING, maxZoom: 1.1, minZoom: READABLE_ZOOM };
  if (!boxes.length || !width || !height) return whole;
  // The flow area visible at READABLE_ZOOM inside the padding (React Flow: padding p leaves size / (1 + p)).
  const visible = (padding: number) => ({
    width: width / (1 + padding) / READABLE_ZOOM,
    height: height / (1 + padding) / READABLE_ZOOM,
  });
  const all = boundingBox(boxes);
  const roomy = visible(OPENING_PADDING);
  if (all.width <= roomy.width && all.height <= roomy.height) return whole;
  const tight = visible(OPENING_PADDING_TIGHT);
  const shown = boxes.filter((b) => b.x + b.width <= all.x + tight.width && b.y + b.height <= all.y + tight.height);
  const start = shown.length ? shown : [boxes.reduce((a, b) => (b.x + b.y < a.x + a.y ? b : a))];
  return { padding: OPENING_PADDING_TIGHT, maxZoom: 1, minZoom: READABLE_ZOOM, nodes: start.map((b) => ({ id: b.id })) };
}
