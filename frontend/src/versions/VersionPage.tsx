/** One saved version of a workflow, read-only (route projects/:pid/workflows/:wid/versions/:vid, which each run
 * links to): its graph on a canvas, its number, name and date, the way back to the editor, and for an owner
 * "Restore this version". `?against=<vid>` compares it with another version: both graphs in one picture, changes
 * coloured, and the list of changes beside it. */
import { Badge, Button, Group, Select, Text, Tooltip } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconRestore } from "@tabler/icons-react";
import { ReactFlowProvider } from "@xyflow/react";
import { useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { useNodeCatalogue, useWorkflow } from "../api/hooks";
import type { NodeDescriptor, WorkflowVersion } from "../api/types";
import { useRestoreVersion, useWorkflowVersion, useWorkflowVersions } from "../api/versionHooks";
import { catalogueByType } from "../graph/connection";
import { diffGraphs } from "../graph/diff";
import { useProjectRole } from "../projects/useProjectRole";
import { ErrorBox, Loading } from "../shell/QueryState";
import { DiffPanel } from "./DiffPanel";
import { diffFlow, versionFlow } from "./diffFlow";
import { versionLabel } from "./label";
import { VersionCanvas } from "./VersionCanvas";
import "./versions.css";

export function VersionPage() {
  const { pid = "", wid = "", vid = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const against = search.get("against");
  const version = useWorkflowVersion(wid, vid);
  const base = useWorkflowVersion(wid, against);
  const catalogue = useNodeCatalogue();
  const failed = version.error ?? base.error ?? catalogue.error;
  if (failed) return <ErrorBox error={failed} title="Cannot show this version" retry={() => void Promise.all([version.refetch(), base.refetch(), catalogue.refetch()])} />;
  if (!version.data || !catalogue.data || (against && !base.data)) return <Loading label="Loading version" />;
  return (
    <VersionView
      pid={pid}
      wid={wid}
      version={version.data}
      base={against ? (base.data ?? null) : null}
      descriptors={catalogue.data}
      onCompare={(other) => setSearch(other ? { against: other } : {})}
    />
  );
}

interface ViewProps {
  pid: string;
  wid: string;
  version: WorkflowVersion;
  base: WorkflowVersion | null;
  descriptors: NodeDescriptor[];
  onCompare: (vid: string | null) => void;
}

function VersionView({ pid, wid, version, base, descriptors, onCompare }: ViewProps) {
  const navigate = useNavigate();
  const workflow = useWorkflow(wid);
  const versions = useWorkflowVersions(wid);
  const restore = useRestoreVersion(wid);
  const role = useProjectRole(pid);
  const catalogue = useMemo(() => catalogueByType(descriptors), [descriptors]);
  const diff = useMemo(() => (base ? diffGraphs(base.graph, version.graph) : null), [base, version]);
  const flow = useMemo(() => (diff ? diffFlow(diff) : versionFlow(version.graph)), [diff, version]);
  // A node picked on the canvas is marked in the list; a change picked in the list is also brought into view.
  const [focusId, setFocusId] = useState<string | null>(null);
  const [zoomTo, setZoomTo] = useState<{ id: string; at: number } | null>(null);
  const focusChange = (id: string) => {
    setFocusId(id);
    setZoomTo({ id, at: Date.now() });
  };
  const newest = versions.versions[0];
  const editor = `/projects/${pid}/workflows/${wid}`;

  const options = useMemo(() => {
    const listed = versions.versions.filter((v) => v.id !== version.id);
    if (base && !listed.some((v) => v.id === base.id)) listed.push(base);
    return listed.map((v) => ({ value: v.id, label: `${versionLabel(v)}${v.id === newest?.id ? " (current)" : ""}` }));
  }, [versions.versions, version.id, base, newest]);

  const confirmRestore = () =>
    modals.openConfirmModal({
      title: `Restore ${versionLabel(version)}?`,
      children: (
        <Text size="sm">
          Its graph becomes the workflow's current graph, saved as a new version. Every version stays as it is.
        </Text>
      ),
      labels: { confirm: "Restore", cancel: "Cancel" },
      confirmProps: { "data-testid": "confirm-restore" } as Record<string, string>,
      onConfirm: async () => {
        try {
          await restore.mutateAsync(version.id);
          notifications.show({ color: "green", message: `${versionLabel(version)} restored` });
          void navigate(editor);
        } catch (e) {
          notifications.show({ color: "red", title: "Not restored", message: (e as Error).message });
        }
      },
    });

  return (
    <div className="vf-version-page" data-testid="version-page" data-version-id={version.id} data-against={base?.id}>
      <div className="vf-toolbar">
        <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
          <Button size="xs" variant="subtle" leftSection={<IconArrowLeft size={14} />} onClick={() => void navigate(editor)} data-testid="back-to-editor">
            Back to editor
          </Button>
          <Text fw={600} size="sm" truncate data-testid="version-title">
            {workflow.data?.name ?? "Workflow"} · {versionLabel(version)}
          </Text>
          {version.id === newest?.id ? <Badge size="sm" variant="light">current</Badge> : null}
          <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
            {new Date(version.created_at).toLocaleString()}
            {version.created_by_name ? ` · ${version.created_by_name}` : ""} · {version.node_count} nodes, {version.edge_count} connections
          </Text>
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Select
            size="xs"
            w={240}
            placeholder="Compare with…"
            data={options}
            value={base?.id ?? null}
            onChange={onCompare}
            clearable
            aria-label="Compare with version"
            data-testid="compare-with"
          />
          {newest && newest.id !== version.id && base?.id !== newest.id ? (
            <Button
              size="xs"
              variant="default"
              onClick={() => void navigate(`${editor}/versions/${newest.id}?against=${version.id}`)}
              data-testid="compare-current"
            >
              Compare with current
            </Button>
          ) : null}
          {role.canRun ? (
            <Button size="xs" leftSection={<IconRestore size={14} />} onClick={confirmRestore} loading={restore.isPending} data-testid="restore-version">
              Restore this version
            </Button>
          ) : (
            <Tooltip label={role.whyNot("run") ?? "Loading your role…"}>
              <Badge variant="light" color="gray">
                Read only
              </Badge>
            </Tooltip>
          )}
        </Group>
      </div>
      <div className="vf-version-body" data-plain={diff ? undefined : true}>
        <ReactFlowProvider>
          <VersionCanvas
            key={`${version.id}:${base?.id ?? ""}`}
            flow={flow}
            catalogue={catalogue}
            descriptors={descriptors}
            zoomTo={zoomTo}
            onSelect={setFocusId}
          />
        </ReactFlowProvider>
        {diff && base ? (
          <DiffPanel
            diff={diff}
            catalogue={catalogue}
            focusId={focusId}
            onFocus={focusChange}
            olderLabel={versionLabel(base)}
            newerLabel={versionLabel(version)}
          />
        ) : null}
      </div>
    </div>
  );
}
