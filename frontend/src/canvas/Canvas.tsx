/** The React Flow canvas: custom nodes, typed connections checked while dragging, drops from the palette,
 * Shift+drag box selection and right-click menus (ContextMenu.tsx). */
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  useConnection,
  useReactFlow,
  type Connection,
  type Edge,
  type OnEdgesChange,
  type OnNodesChange,
} from "@xyflow/react";
import { useComputedColorScheme } from "@mantine/core";
import { useCallback, useMemo, useState, type ReactNode } from "react";
import { checkConnection, type Catalogue } from "../graph/connection";
import { useEditorContext } from "./EditorContext";
import type { FlowEdge, FlowNode } from "../graph/types";
import { DND_MIME } from "../palette/Palette";
import { CanvasContextMenu, type CanvasActions, type MenuTarget } from "./ContextMenu";
import { WorkflowNode } from "./WorkflowNode";

const nodeTypes = { workflow: WorkflowNode };

interface Props {
  nodes: FlowNode[];
  edges: FlowEdge[];
  catalogue: Catalogue;
  onNodesChange: OnNodesChange<FlowNode>;
  onEdgesChange: OnEdgesChange<FlowEdge>;
  onConnect: (connection: Connection) => void;
  onDropNode: (type: string, position: { x: number; y: number }) => void;
  actions: CanvasActions;
  children?: ReactNode;
}

/** While an edge is dragged over a port it may not join, say why. */
function ConnectionHint({ nodes, edges, catalogue }: Pick<Props, "nodes" | "edges" | "catalogue">) {
  const connection = useConnection();
  if (!connection.inProgress || !connection.toHandle || connection.isValid !== false) return null;
  const from = connection.fromHandle;
  const to = connection.toHandle;
  const forward = from.type === "source";
  const verdict = checkConnection(
    {
      source: forward ? from.nodeId : to.nodeId,
      sourceHandle: forward ? from.id : to.id,
      target: forward ? to.nodeId : from.nodeId,
      targetHandle: forward ? to.id : from.id,
    },
    nodes,
    edges,
    catalogue,
  );
  if (verdict.ok) return null;
  return (
    <Panel position="top-center" className="vf-connection-hint" data-testid="connection-hint">
      {verdict.reason}
    </Panel>
  );
}

export function Canvas({ nodes, edges, catalogue, onNodesChange, onEdgesChange, onConnect, onDropNode, actions, children }: Props) {
  const { screenToFlowPosition } = useReactFlow();
  const colorMode = useComputedColorScheme("light");
  const { colours, issuesByEdge, readOnly } = useEditorContext();
  // Fit the view to a loaded graph once; an empty canvas keeps its viewport while the first nodes arrive.
  const [fitOnLoad] = useState(() => nodes.length > 0);
  const [menu, setMenu] = useState<MenuTarget | null>(null);

  const isValidConnection = useCallback(
    (c: Connection | Edge) => checkConnection(c, nodes, edges, catalogue).ok,
    [nodes, edges, catalogue],
  );

  const styledEdges = useMemo(() => {
    const kindOf = (e: FlowEdge) => {
      const src = nodes.find((n) => n.id === e.source);
      return catalogue.get(src?.data.nodeType ?? "")?.outputs.find((p) => p.name === e.sourceHandle)?.kind;
    };
    return edges.map((e) => {
      const kind = kindOf(e);
      const problems = issuesByEdge.get(e.id);
      if (problems?.length) {
        return { ...e, className: "vf-edge-problem", label: problems[0].message, style: { strokeWidth: 2 } };
      }
      return kind ? { ...e, style: { stroke: colours.kind(kind), strokeWidth: 2 } } : e;
    });
  }, [edges, nodes, catalogue, colours, issuesByEdge]);

  const onDragOver = useCallback((e: React.DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
  }, []);

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      e.preventDefault();
      const type = e.dataTransfer.getData(DND_MIME) || e.dataTransfer.getData("text/plain");
      if (readOnly || !type || !catalogue.has(type)) return;
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      onDropNode(type, { x: p.x - 20, y: p.y - 20 });
    },
    [screenToFlowPosition, onDropNode, catalogue, readOnly],
  );

  const onNodeContextMenu = useCallback(
    (e: React.MouseEvent, node: FlowNode) => {
      e.preventDefault();
      const ids = node.selected ? nodes.filter((n) => n.selected).map((n) => n.id) : [node.id];
      if (!node.selected) actions.selectOnly(node.id);
      setMenu({ kind: "nodes", nodeIds: ids, x: e.clientX, y: e.clientY });
    },
    [nodes, actions],
  );
  const onSelectionContextMenu = useCallback((e: React.MouseEvent, selection: FlowNode[]) => {
    e.preventDefault();
    setMenu({ kind: "nodes", nodeIds: selection.map((n) => n.id), x: e.clientX, y: e.clientY });
  }, []);
  const onEdgeContextMenu = useCallback(
    (e: React.MouseEvent, edge: Edge) => {
      e.preventDefault();
      if (!readOnly) setMenu({ kind: "edge", edgeId: edge.id, x: e.clientX, y: e.clientY });
    },
    [readOnly],
  );
  const onPaneContextMenu = useCallback(
    (e: React.MouseEvent | MouseEvent) => {
      e.preventDefault();
      const flow = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      setMenu({ kind: "pane", flow: { x: Math.round(flow.x), y: Math.round(flow.y) }, x: e.clientX, y: e.clientY });
    },
    [screenToFlowPosition],
  );

  return (
    <div className="vf-canvas" data-testid="canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={styledEdges}
        nodeTypes={nodeTypes}
        colorMode={colorMode}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeContextMenu={onNodeContextMenu}
        onSelectionContextMenu={onSelectionContextMenu}
        onEdgeContextMenu={onEdgeContextMenu}
        onPaneContextMenu={onPaneContextMenu}
        isValidConnection={isValidConnection}
        deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={!readOnly}
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        selectionKeyCode="Shift"
        fitView={fitOnLoad}
        fitViewOptions={{ padding: 0.25, maxZoom: 1.1 }}
        minZoom={0.2}
        maxZoom={2}
        snapToGrid
        snapGrid={[8, 8]}
        defaultEdgeOptions={{ interactionWidth: 16 }}
        connectionRadius={28}
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
        <Controls showInteractive={false} position="top-left" />
        <MiniMap
          pannable
          zoomable
          position="top-right"
          className="vf-minimap"
          nodeColor={(n) => colours.category(catalogue.get((n as FlowNode).data.nodeType)?.category ?? "")}
        />
        <ConnectionHint nodes={nodes} edges={edges} catalogue={catalogue} />
        {children}
      </ReactFlow>
      <CanvasContextMenu target={menu} onChange={setMenu} actions={actions} catalogue={catalogue} readOnly={readOnly} />
    </div>
  );
}
