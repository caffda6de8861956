/** The workflow editor: palette | canvas (issues, Run Training) | inspector, with validation, autosave, undo/redo
 * and copy/paste. Keyboard shortcuts never act while focus is in a field (Mantine's useHotkeys skips inputs). */
import { useReactFlow } from "@xyflow/react";
import { useDisclosure, useHotkeys } from "@mantine/hooks";
import { modals } from "@mantine/modals";
import { Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useCallback, useMemo, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "../api/client";
import { useDeleteWorkflow, useStartRun, useWorkflows } from "../api/hooks";
import type { Issue, IssueFix, NodeDescriptor, Workflow } from "../api/types";
import { Canvas } from "../canvas/Canvas";
import { EditorContext } from "../canvas/EditorContext";
import { catalogueByType } from "../graph/connection";
import { makeColours } from "../graph/colours";
import { paramsWithFix } from "../graph/fix";
import { blockingReason, indexIssues } from "../graph/issues";
import { Inspector } from "../inspector/Inspector";
import { Palette } from "../palette/Palette";
import { EditorToolbar } from "./EditorToolbar";
import { IssuesPanel } from "./IssuesPanel";
import { RunTrainingButton } from "./RunTrainingButton";
import { TrainingSettingsModal } from "./TrainingSettingsModal";
import { useAutosave } from "./useAutosave";
import { useProjectRole } from "../projects/useProjectRole";
import type { CanvasActions } from "../canvas/ContextMenu";
import { useGraphHistory } from "./useGraphHistory";
import { useNodeClipboard } from "./useNodeClipboard";
import { useValidation } from "./useValidation";
import { useWorkflowEditor } from "./useWorkflowEditor";
import { VersionsDrawer } from "../versions/VersionsDrawer";
import { ImportFileInput } from "./ImportFileInput";
import { useWorkflowImport } from "./useWorkflowImport";

export function Editor({ workflow, descriptors }: { workflow: Workflow; descriptors: NodeDescriptor[] }) {
  const pid = workflow.project_id;
  const navigate = useNavigate();
  const catalogue = useMemo(() => catalogueByType(descriptors), [descriptors]);
  const ed = useWorkflowEditor(workflow, catalogue);
  const validation = useValidation(ed.graph, pid, workflow.issues ?? []);
  const role = useProjectRole(pid);
  const readOnly = role.canRun ? null : (role.whyNot("run") ?? "Loading your role in this project…");
  const autosave = useAutosave(workflow, ed.graph, ed.initialJson, !readOnly, ed.dragging);
  const workflows = useWorkflows(pid);
  const startRun = useStartRun(pid);
  const deleteWorkflow = useDeleteWorkflow(pid);
  const importer = useWorkflowImport(pid);
  const { fitView } = useReactFlow();
  const [settingsOpen, settings] = useDisclosure(false);
  const [versionsOpen, versions] = useDisclosure(false);
  const [startError, setStartError] = useState<{ message: string; issues: Issue[] } | null>(null);
  const history = useGraphHistory(ed.graph, ed.dragging, ed.restore);
  const selectedIds = useMemo(() => ed.selectedNodes.map((n) => n.id), [ed.selectedNodes]);
  const clipboard = useNodeClipboard({ graph: ed.graph, selectedNodeIds: selectedIds, catalogue, insert: ed.insert, readOnly: !!readOnly });

  const nodeIds = useMemo(() => ed.nodes.map((n) => n.id), [ed.nodes]);
  const index = useMemo(() => indexIssues(validation.issues, nodeIds), [validation.issues, nodeIds]);
  const colours = useMemo(() => makeColours(descriptors), [descriptors]);
  const nodesRef = useRef(ed.nodes);
  nodesRef.current = ed.nodes;
  const { updateParams } = ed;
  const applyFix = useCallback(
    (fix: IssueFix) => {
      const target = nodesRef.current.find((n) => n.id === fix.node_id);
      if (target) updateParams(fix.node_id, paramsWithFix(target.data.params, fix));
    },
    [updateParams],
  );
  const context = useMemo(
    () => ({ catalogue, issuesByNode: index.byNode, issuesByEdge: index.byEdge, colours, applyFix, readOnly: !!readOnly }),
    [catalogue, index, colours, applyFix, readOnly],
  );
  const blockedBy = blockingReason(validation.issues);
  const selected = ed.selectedNodes.length === 1 ? ed.selectedNodes[0] : null;

  const focusNode = useCallback(
    (id: string) => {
      ed.select(id);
      window.setTimeout(() => void fitView({ nodes: [{ id }], duration: 300, maxZoom: 1.2, padding: 0.6 }), 0);
    },
    [ed, fitView],
  );

  // Save first: the dialog's defaults are computed by the server from the stored workflow.
  const openSettings = useCallback(async () => {
    if (blockedBy || readOnly) return;
    setStartError(null);
    await autosave.save();
    settings.open();
  }, [blockedBy, readOnly, settings, autosave]);

  const start = async (runSettings: Record<string, unknown>) => {
    setStartError(null);
    if (!(await autosave.save())) {
      setStartError({ message: `The workflow could not be saved: ${autosave.error ?? "unknown error"}`, issues: [] });
      return;
    }
    try {
      const run = await startRun.mutateAsync({ wid: workflow.id, settings: runSettings });
      settings.close();
      void navigate(`/projects/${pid}/runs/${run.id}`);
    } catch (e) {
      const issues = e instanceof ApiError ? e.issues : [];
      if (issues.some((i) => i.node_id)) validation.setIssues(issues);
      setStartError({ message: (e as Error).message, issues });
    }
  };

  const layout = useCallback(() => {
    ed.autoLayout();
    window.setTimeout(() => void fitView({ duration: 300, padding: 0.25, maxZoom: 1.1 }), 50);
  }, [ed, fitView]);

  const actions: CanvasActions = useMemo(
    () => ({
      copy: clipboard.copy,
      duplicate: clipboard.duplicate,
      paste: (at) => void clipboard.paste(at),
      removeNodes: (ids) => ed.removeElements(ids),
      removeEdge: (id) => ed.removeElements([], [id]),
      addNode: ed.addNode,
      autoLayout: layout,
      selectAll: ed.selectAll,
      selectOnly: ed.select,
    }),
    [clipboard, ed, layout],
  );

  const exportJson = () => {
    const blob = new Blob([JSON.stringify(ed.graph, null, 2)], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${(ed.meta.name || "workflow").replace(/[^\w.-]+/g, "_")}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  const remove = () =>
    modals.openConfirmModal({
      title: "Delete workflow",
      children: <Text size="sm">Delete “{ed.meta.name || "this workflow"}”? Its runs stay in the run list.</Text>,
      labels: { confirm: "Delete", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: async () => {
        try {
          await deleteWorkflow.mutateAsync(workflow.id);
          void navigate(`/projects/${pid}`);
        } catch (e) {
          notifications.show({ color: "red", title: "Not deleted", message: (e as Error).message });
        }
      },
    });

  useHotkeys([["mod+S", () => void (readOnly ? null : autosave.save())]], []);
  useHotkeys([
    ["mod+Enter", openSettings],
    ["f", () => void fitView({ duration: 300, padding: 0.25, maxZoom: 1.1 })],
    ["Escape", () => ed.select(null)],
    ["mod+A", ed.selectAll],
  ]);
  // Editing shortcuts: none for someone who may only look (their editor has no history to step through).
  const edit = (run: () => void) => () => void (readOnly ? null : run());
  useHotkeys([
    ["mod+Z", edit(history.undo)],
    ["mod+shift+Z", edit(history.redo)],
    ["mod+Y", edit(history.redo)],
    ["mod+D", edit(() => clipboard.duplicate())],
  ]);

  return (
    <EditorContext.Provider value={context}>
      <div className="vf-editor" data-testid="editor" data-workflow-id={workflow.id}>
        <ImportFileInput importer={importer} />
        <EditorToolbar
          workflows={workflows.data ?? [workflow]}
          currentId={workflow.id}
          name={ed.meta.name}
          onRename={ed.rename}
          onSwitch={(wid) => navigate(`/projects/${pid}/workflows/${wid}`)}
          onNew={() => navigate(`/projects/${pid}/workflows/new`)}
          saveStatus={autosave.status}
          saveError={autosave.error}
          savedAt={autosave.savedAt}
          onSave={() => void autosave.save()}
          onLayout={layout}
          onUndo={history.undo}
          onRedo={history.redo}
          canUndo={history.canUndo}
          canRedo={history.canRedo}
          onExport={exportJson}
          onDelete={remove}
          onVersions={versions.open}
          onImport={importer.pickFile}
          onDuplicate={() => void importer.duplicate(workflow.id, autosave.save)}
          readOnly={readOnly}
        />
        <div className="vf-editor-body" data-read-only={readOnly ? true : undefined}>
          {readOnly ? null : <Palette catalogue={descriptors} onAdd={(type) => ed.addNode(type)} />}
          {/* The issues and Run Training sit in a strip under the canvas, taking its room: they never cover a node. */}
          <div className="vf-canvas-column">
          <Canvas
            nodes={ed.nodes}
            edges={ed.edges}
            catalogue={catalogue}
            onNodesChange={ed.onNodesChange}
            onEdgesChange={ed.onEdgesChange}
            onConnect={ed.onConnect}
            onDropNode={(type, pos) => ed.addNode(type, pos)}
            onDropFile={readOnly ? undefined : (file) => void importer.importFile(file)}
            actions={actions}
          />
          <div className="vf-canvas-dock" data-testid="canvas-dock">
            <IssuesPanel
              issues={validation.issues}
              state={validation.state}
              error={validation.error}
              nodes={ed.nodes}
              catalogue={catalogue}
              onSelect={focusNode}
            />
            <RunTrainingButton blockedBy={blockedBy} notAllowed={readOnly} onClick={openSettings} />
          </div>
          </div>
          <aside className="vf-inspector">
            <Inspector
              node={selected}
              selectedCount={ed.selectedCount}
              descriptor={selected ? catalogue.get(selected.data.nodeType) : undefined}
              issues={selected ? (index.byNode.get(selected.id) ?? []) : []}
              onParamsChange={ed.updateParams}
              onDelete={ed.deleteNode}
            />
          </aside>
        </div>
        <VersionsDrawer
          opened={versionsOpen}
          onClose={versions.close}
          workflow={workflow}
          canEdit={!readOnly}
          save={autosave.save}
          onRestored={(restored) => ed.restore(restored.graph)}
          savedAt={autosave.savedAt}
        />
        <TrainingSettingsModal
          workflowId={workflow.id}
          opened={settingsOpen}
          onClose={settings.close}
          onStart={start}
          starting={startRun.isPending || autosave.status === "saving"}
          error={startError?.message ?? null}
          issues={startError?.issues ?? []}
        />
      </div>
    </EditorContext.Provider>
  );
}
