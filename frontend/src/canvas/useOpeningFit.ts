/** The fitView options a workflow opens with (graph/viewport.ts openingFit), for the canvas's size and the nodes as
 * they were when the editor opened. */
import { useStore, type FitViewOptions } from "@xyflow/react";
import { useMemo, useState } from "react";
import type { Catalogue } from "../graph/connection";
import type { FlowNode } from "../graph/types";
import { nodeBox, nodeHeightFor, openingFit } from "../graph/viewport";

export function useOpeningFit(nodes: FlowNode[], catalogue: Catalogue): FitViewOptions {
  const [opened] = useState(nodes);
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  return useMemo(() => {
    const heightOf = nodeHeightFor(catalogue);
    return openingFit(opened.map((n) => ({ id: n.id, ...nodeBox(n, heightOf) })), width, height);
  }, [opened, catalogue, width, height]);
}
