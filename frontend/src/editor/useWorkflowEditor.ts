/** The editor's state: React Flow nodes/edges ⇄ the workflow graph, plus the operations the screen offers. */
import { addEdge, useEdgesState, useNodesState, useStoreApi, type Connection } from "@xyflow/react";
import { useCallback, useMemo, useState } from "react";
import type { GraphEdge, GraphNode, Workflow, WorkflowGraph } from "../api/types";
import { checkConnection, type Catalogue } from "../graph/connection";
import { createFlowNode, flowToGraph, graphEdgeToFlow, graphToFlow, newEdgeId } from "../graph/convert";
import { insertAfter } from "../graph/insert";
import { layoutPositions, NODE_WIDTH } from "../graph/layout";
import { freePlace, freeShift } from "../graph/placement";
import { FLOW_NODE_TYPE, type FlowEdge, type FlowNode, type GraphMeta } from "../graph/types";
import { nodeBox, nodeHeightFor } from "../graph/viewport";

export function useWorkflowEditor(workflow: Workflow, catalogue: Catalogue) {
  const initial = useMemo(
    () => graphToFlow(workflow.graph, nodeHeightFor(catalogue)),
    // The editor owns the graph after loading; later cache updates must not reset it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [workflow.id],
  );
  const initialJson = useMemo(() => JSON.stringify(workflow.graph), [workflow.id]); // eslint-disable-line
  const [nodes, setNodes, onNodesChange] = useNodesState<FlowNode>(initial.nodes);
  const [edges, setEdges, onEdgesChange] = useEdgesState<FlowEdge>(initial.edges);
  const [meta, setMeta] = useState<GraphMeta>(initial.meta);
  const graph = useMemo(() => flowToGraph(nodes, edges, meta), [nodes, edges, meta]);

  const selectedNodes = useMemo(() => nodes.filter((n) => n.selected), [nodes]);
  const selectedCount = selectedNodes.length + edges.filter((e) => e.selected).length;

  const onConnect = useCallback(
    (c: Connection) => {
      setEdges((current) => {
        if (!checkConnection(c, nodes, current, catalogue).ok) return current;
        return addEdge({ ...c, id: newEdgeId(current.map((e) => e.id)) }, current);
      });
    },
    [nodes, catalogue, setEdges],
  );

  const select = useCallback(
    (nodeId: string | null) => {
      setNodes((ns) => ns.map((n) => (n.selected === (n.id === nodeId) ? n : { ...n, selected: n.id === nodeId })));
      setEdges((es) => (es.some((e) => e.selected) ? es.map((e) => (e.selected ? { ...e, selected: false } : e)) : es));
    },
    [setNodes, setEdges],
  );

  const heightOf = useMemo(() => nodeHeightFor(catalogue), [catalogue]);
  const flow = useStoreApi<FlowNode, FlowEdge>();
  /** The middle of what the canvas shows, in flow coordinates. */
  const viewCentre = useCallback(() => {
    const { width, height, transform } = flow.getState();
    const [tx, ty, zoom] = transform;
    return width && height ? { x: (width / 2 - tx) / zoom, y: (height / 2 - ty) / zoom } : null;
  }, [flow]);

  /** Add a node of `type`. Without a position it goes right of the selected node, connected to it (spliced
   * into the chain when the selected node's output already feeds something), or, with nothing selected, in the
   * middle of the view. Either way it lands on the nearest place where it overlaps no node. */
  const addNode = useCallback(
    (type: string, position?: { x: number; y: number }) => {
      const d = catalogue.get(type);
      if (!d) return;
      const anchor = position ? null : (nodes.find((n) => n.selected) ?? null);
      const centre = position || anchor ? null : viewCentre();
      const pos = position ?? (anchor
        ? { x: anchor.position.x + NODE_WIDTH + 60, y: anchor.position.y }
        : centre
          ? { x: Math.round(centre.x - NODE_WIDTH / 2), y: Math.round(centre.y - 60) }
          : { x: 40, y: 40 });
      const node = { ...createFlowNode(type, d.defaults, pos, nodes.map((n) => n.id)), selected: true };
      const unselected = nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
      const next = anchor
        ? insertAfter(unselected, edges, anchor.id, node, catalogue, NODE_WIDTH + 60)
        : { nodes: [...unselected, node], edges };
      const added = next.nodes.find((n) => n.id === node.id)!;
      const others = next.nodes.filter((n) => n.id !== node.id).map((n) => nodeBox(n, heightOf));
      const box = nodeBox(added, heightOf);
      const free = freePlace(box, added.position, others);
      setNodes(next.nodes.map((n) => (n.id === node.id ? { ...n, position: free } : n)));
      setEdges(next.edges);
    },
    [catalogue, nodes, edges, setNodes, setEdges, heightOf, viewCentre],
  );

  const updateParams = useCallback(
    (nodeId: string, params: Record<string, unknown>) =>
      setNodes((ns) => ns.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params } } : n))),
    [setNodes],
  );

  const deleteNode = useCallback(
    (nodeId: string) => {
      setNodes((ns) => ns.filter((n) => n.id !== nodeId));
      setEdges((es) => es.filter((e) => e.source !== nodeId && e.target !== nodeId));
    },
    [setNodes, setEdges],
  );

  /** Remove nodes (with every edge touching them) and edges, in one change. */
  const removeElements = useCallback(
    (nodeIds: string[], edgeIds: string[] = []) => {
      const gone = new Set(nodeIds);
      const goneEdges = new Set(edgeIds);
      setNodes((ns) => ns.filter((n) => !gone.has(n.id)));
      setEdges((es) => es.filter((e) => !goneEdges.has(e.id) && !gone.has(e.source) && !gone.has(e.target)));
    },
    [setNodes, setEdges],
  );

  /** Add pasted or duplicated nodes and edges (ids already fresh); they become the selection. The group keeps its
   * shape and moves, as one, to the nearest place where none of it overlaps a node. */
  const insert = useCallback(
    (added: GraphNode[], addedEdges: GraphEdge[]) => {
      const fresh: FlowNode[] = added.map((n) => ({
        id: n.id,
        type: FLOW_NODE_TYPE,
        position: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 },
        data: { nodeType: n.type, params: structuredClone(n.params ?? {}) },
        selected: true,
      }));
      setNodes((ns) => {
        const shift = freeShift(
          fresh.map((n) => nodeBox(n, heightOf)),
          ns.map((n) => nodeBox(n, heightOf)),
        );
        const placed = fresh.map((n) => ({ ...n, position: { x: n.position.x + shift.x, y: n.position.y + shift.y } }));
        return [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), ...placed];
      });
      setEdges((es) => [...es.map((e) => (e.selected ? { ...e, selected: false } : e)), ...addedEdges.map(graphEdgeToFlow)]);
    },
    [setNodes, setEdges, heightOf],
  );

  const selectAll = useCallback(() => {
    setNodes((ns) => ns.map((n) => (n.selected ? n : { ...n, selected: true })));
    setEdges((es) => es.map((e) => (e.selected ? e : { ...e, selected: true })));
  }, [setNodes, setEdges]);

  /** Put the editor back to a recorded graph (undo/redo). Nodes that stay keep their measured size and selection. */
  const restore = useCallback(
    (g: WorkflowGraph) => {
      const flow = graphToFlow(structuredClone(g));
      setNodes((ns) => {
        const before = new Map(ns.map((n) => [n.id, n]));
        return flow.nodes.map((n) => {
          const old = before.get(n.id);
          return old ? { ...old, position: n.position, data: n.data, dragging: false } : n;
        });
      });
      setEdges((es) => {
        const selected = new Set(es.filter((e) => e.selected).map((e) => e.id));
        return flow.edges.map((e) => (selected.has(e.id) ? { ...e, selected: true } : e));
      });
      setMeta(flow.meta);
    },
    [setNodes, setEdges],
  );

  const rename = useCallback((name: string) => setMeta((m) => ({ ...m, name })), []);

  const autoLayout = useCallback(() => {
    const g = flowToGraph(nodes, edges, meta);
    // Measured heights where known, so tall nodes (issues written under them) do not overlap the next one.
    const heights = new Map(nodes.map((n) => [n.id, nodeBox(n, heightOf).height]));
    const positions = layoutPositions(g.nodes, g.edges, (n) => heights.get(n.id) ?? heightOf(n));
    setNodes((ns) => ns.map((n) => ({ ...n, position: positions[n.id] ?? n.position })));
  }, [nodes, edges, meta, heightOf, setNodes]);

  return {
    nodes,
    edges,
    meta,
    graph,
    initialJson,
    selectedNodes,
    selectedCount,
    onNodesChange,
    onEdgesChange,
    onConnect,
    select,
    addNode,
    updateParams,
    deleteNode,
    removeElements,
    insert,
    selectAll,
    restore,
    rename,
    autoLayout,
    /** A node is being dragged: the graph has not settled into an edit yet. */
    dragging: nodes.some((n) => n.dragging),
  };
}
