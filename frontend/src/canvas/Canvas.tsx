/** The React Flow canvas: custom nodes, typed connections checked while dragging, drops from the palette, a
 * workflow JSON file dropped from the computer (imported as a new workflow: `onDropFile`), Shift+drag box selection
 * and right-click menus (ContextMenu.tsx). */
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
import { notifications } from "@mantine/notifications";
import { useCallback, useMemo, useState, type ReactNode } from "react";
import { checkConnection, type Catalogue } from "../graph/connection";
import { isWorkflowFile } from "../graph/importFile";
import { useEditorContext } from "./EditorContext";
import type { FlowEdge, FlowNode } from "../graph/types";
import { DND_MIME } from "../palette/Palette";
import { CanvasContextMenu, type CanvasActions, type MenuTarget } from "./ContextMenu";
import { useOpeningFit } from "./useOpeningFit";
import { WorkflowNode } from "./WorkflowNode";
import "./importDrop.css";

const nodeTypes = { workflow: WorkflowNode };

interface Props {
  nodes: FlowNode[];
  edges: FlowEdge[];
  catalogue: Catalogue;
  onNodesChange: OnNodesChange<FlowNode>;
  onEdgesChange: OnEdgesChange<FlowEdge>;
  onConnect: (connection: Connection) => void;
  onDropNode: (type: string, position: { x: number; y: number }) => void;
  /** A workflow JSON file dropped on the canvas; absent for someone who may not create workflows. */
  onDropFile?: (file: File) => void;
  actions: CanvasActions;
  children?: ReactNode;
}

const carriesFiles = (e: React.DragEvent) => Array.from(e.dataTransfer.types).includes("Files");

/** Why dropped files are not imported, or the one to import. */
function droppedWorkflow(files: File[], mayImport: boolean): File | string {
  if (!mayImport) return "You may not create workflows in this project, so a dropped file is not imported.";
  if (files.length > 1) return "Drop one workflow JSON file at a time.";
  const file = files[0];
  if (!isWorkflowFile(file)) return `Only workflow JSON files can be dropped here: “${file.name}” is not one.`;
  return file;
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

export function Canvas({ nodes, edges, catalogue, onNodesChange, onEdgesChange, onConnect, onDropNode, onDropFile, actions, children }: Props) {
  const { screenToFlowPosition } = useReactFlow();
  const colorMode = useComputedColorScheme("light");
  const { colours, issuesByEdge, readOnly } = useEditorContext();
  // Fit the view to a loaded graph once; an empty canvas keeps its viewport while the first nodes arrive.
  const [fitOnLoad] = useState(() => nodes.length > 0);
  const openingFit = useOpeningFit(nodes, catalogue); // readable: never opens zoomed out past READABLE_ZOOM
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const [fileOver, setFileOver] = useState(false);

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
    const files = carriesFiles(e);
    e.dataTransfer.dropEffect = files ? "copy" : "move";
    setFileOver(files);
  }, []);
  const onDragLeave = useCallback((e: React.DragEvent) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFileOver(false);
  }, []);

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      e.preventDefault();
      setFileOver(false);
      const files = Array.from(e.dataTransfer.files);
      if (files.length) {
        const dropped = droppedWorkflow(files, !readOnly && !!onDropFile);
        if (typeof dropped === "string") notifications.show({ color: "red", title: "Not imported", message: dropped });
        else onDropFile?.(dropped);
        return;
      }
      const type = e.dataTransfer.getData(DND_MIME) || e.dataTransfer.getData("text/plain");
      if (readOnly || !type || !catalogue.has(type)) return;
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      onDropNode(type, { x: p.x - 20, y: p.y - 20 });
    },
    [screenToFlowPosition, onDropNode, onDropFile, catalogue, readOnly],
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
    <div
      className="vf-canvas"
      data-testid="canvas"
      data-file-over={fileOver ? true : undefined}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
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
        fitViewOptions={openingFit}
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
      {fileOver ? (
        <div className="vf-file-drop" data-testid="file-drop-hint">
          {readOnly || !onDropFile ? "You may not import workflows here" : "Drop a workflow JSON to import it as a new workflow"}
        </div>
      ) : null}
      <CanvasContextMenu target={menu} onChange={setMenu} actions={actions} catalogue={catalogue} readOnly={readOnly} />
    </div>
  );
}
