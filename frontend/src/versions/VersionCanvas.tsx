/** A saved version drawn read-only: the editor's own node component (canvas/WorkflowNode.tsx) through the editor
 * context with `readOnly`, nothing draggable, connectable or deletable; clicking a node reports it (the diff panel
 * shows its changes). `zoomTo` centres the view on a node. Must sit inside a ReactFlowProvider. */
import { Background, BackgroundVariant, Controls, MiniMap, ReactFlow, useReactFlow } from "@xyflow/react";
import { useComputedColorScheme } from "@mantine/core";
import { useEffect, useMemo } from "react";
import type { NodeDescriptor } from "../api/types";
import { EditorContext, type EditorContextValue } from "../canvas/EditorContext";
import { WorkflowNode } from "../canvas/WorkflowNode";
import { makeColours } from "../graph/colours";
import type { Catalogue } from "../graph/connection";
import type { FlowNode, FlowEdge } from "../graph/types";
import type { VersionFlow } from "./diffFlow";
import "./versions.css";

const nodeTypes = { workflow: WorkflowNode };

interface Props {
  flow: VersionFlow;
  catalogue: Catalogue;
  descriptors: NodeDescriptor[];
  /** Bring this node into view and select it (`at` tells a second request for the same node from the first). */
  zoomTo: { id: string; at: number } | null;
  onSelect: (nodeId: string | null) => void;
}

function ZoomTo({ target, nodes }: { target: Props["zoomTo"]; nodes: FlowNode[] }) {
  const { fitView, setNodes } = useReactFlow<FlowNode, FlowEdge>();
  useEffect(() => {
    const nodeId = target?.id;
    if (!nodeId || !nodes.some((n) => n.id === nodeId)) return;
    setNodes((ns) => ns.map((n) => (n.selected === (n.id === nodeId) ? n : { ...n, selected: n.id === nodeId })));
    const timer = window.setTimeout(() => void fitView({ nodes: [{ id: nodeId }], duration: 300, maxZoom: 1.2, padding: 0.6 }), 0);
    return () => window.clearTimeout(timer);
  }, [target, nodes, fitView, setNodes]);
  return null;
}

export function VersionCanvas({ flow, catalogue, descriptors, zoomTo, onSelect }: Props) {
  const colorMode = useComputedColorScheme("light");
  const colours = useMemo(() => makeColours(descriptors), [descriptors]);
  const context: EditorContextValue = useMemo(
    () => ({ catalogue, issuesByNode: new Map(), issuesByEdge: new Map(), colours, applyFix: () => {}, readOnly: true }),
    [catalogue, colours],
  );
  const edges = useMemo(
    () =>
      flow.edges.map((e) => {
        const kind = catalogue.get(flow.nodes.find((n) => n.id === e.source)?.data.nodeType ?? "")?.outputs.find((p) => p.name === e.sourceHandle)?.kind;
        return kind && !e.className ? { ...e, style: { stroke: colours.kind(kind), strokeWidth: 2 } } : e;
      }),
    [flow, catalogue, colours],
  );

  return (
    <EditorContext.Provider value={context}>
      <div className="vf-canvas vf-version-canvas" data-testid="version-canvas">
        <ReactFlow<FlowNode, FlowEdge>
          // Uncontrolled: the page remounts the canvas (its key) when it shows another version or diff.
          defaultNodes={flow.nodes}
          defaultEdges={edges}
          nodeTypes={nodeTypes}
          colorMode={colorMode}
          nodesDraggable={false}
          nodesConnectable={false}
          edgesReconnectable={false}
          deleteKeyCode={null}
          onNodeClick={(_, node) => onSelect(node.id)}
          onPaneClick={() => onSelect(null)}
          fitView
          fitViewOptions={{ padding: 0.25, maxZoom: 1.1 }}
          minZoom={0.2}
          maxZoom={2}
        >
          <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
          <Controls showInteractive={false} position="top-left" />
          <MiniMap pannable zoomable position="bottom-left" className="vf-minimap" nodeClassName={(n) => n.className ?? ""} />
          <ZoomTo target={zoomTo} nodes={flow.nodes} />
        </ReactFlow>
      </div>
    </EditorContext.Provider>
  );
}
