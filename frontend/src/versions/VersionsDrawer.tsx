/** The editor's Versions drawer: every saved version of the workflow, newest first (the newest is the current
 * graph), with its number, name (an owner names it in place), when, who and its size. Open one read-only, compare
 * two (ticked) or one with the current graph, restore one (an owner; pending edits are saved first, so restoring
 * never loses them). Older versions come a page at a time. */
import { ActionIcon, Badge, Button, Checkbox, Drawer, Group, Stack, Text, TextInput, Tooltip } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { IconEye, IconGitCompare, IconRestore } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../api/client";
import type { Workflow, WorkflowVersionSummary } from "../api/types";
import { useNameVersion, useRestoreVersion, useWorkflowVersions, versionKeys } from "../api/versionHooks";
import { ErrorBox, Loading } from "../shell/QueryState";
import { versionLabel } from "./label";
import "./versions.css";

interface Props {
  opened: boolean;
  onClose: () => void;
  workflow: Workflow;
  /** May name and restore versions (an owner). */
  canEdit: boolean;
  /** Save what the editor has not saved yet; false when that failed. */
  save: () => Promise<boolean>;
  /** The restored workflow, for the editor to show at once. */
  onRestored: (workflow: Workflow) => void;
  /** When the editor last saved: the list refreshes (a changing save is a new version). */
  savedAt: Date | null;
}

export function VersionsDrawer(p: Props) {
  return (
    <Drawer opened={p.opened} onClose={p.onClose} position="right" size={460} title="Versions" data-testid="versions-drawer">
      <VersionList {...p} />
    </Drawer>
  );
}

function NameField({ version, wid, canEdit }: { version: WorkflowVersionSummary; wid: string; canEdit: boolean }) {
  const name = useNameVersion(wid);
  const [value, setValue] = useState(version.name ?? "");
  useEffect(() => setValue(version.name ?? ""), [version.name]);
  if (!canEdit) return version.name ? <Text size="sm" fw={500}>{version.name}</Text> : null;
  const commit = () => {
    const wanted = value.trim();
    if (wanted === (version.name ?? "")) return;
    name.mutate(
      { vid: version.id, name: wanted },
      { onError: (e) => notifications.show({ color: "red", title: "Not named", message: e.message }) },
    );
  };
  return (
    <TextInput
      size="xs"
      variant="unstyled"
      className="vf-name-input"
      placeholder="Name this version"
      value={value}
      maxLength={200}
      onChange={(e) => setValue(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => (e.key === "Enter" || e.key === "Escape") && e.currentTarget.blur()}
      aria-label={`Name of version ${version.number}`}
      data-testid="version-name"
      style={{ flex: 1 }}
    />
  );
}

function VersionList({ workflow, canEdit, save, onRestored, onClose, savedAt }: Props) {
  const wid = workflow.id;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const list = useWorkflowVersions(wid);
  const restore = useRestoreVersion(wid);
  const [ticked, setTicked] = useState<string[]>([]);
  const base = `/projects/${workflow.project_id}/workflows/${wid}/versions`;
  const versions = list.versions;
  const current = versions[0];

  // Opening the drawer lists afresh; a save while it is open lists again.
  const seenSave = useRef(savedAt);
  useEffect(() => {
    if (!savedAt || savedAt === seenSave.current) return;
    seenSave.current = savedAt;
    void qc.invalidateQueries({ queryKey: versionKeys.list(wid) });
  }, [savedAt, qc, wid]);

  const tick = (id: string, on: boolean) => setTicked((t) => (on ? [...t.filter((x) => x !== id), id].slice(-2) : t.filter((x) => x !== id)));
  // Leaving the editor saves what it has not saved yet: save first, so the page opened shows the graph as it is
  // (a save on leaving would be a newer version than the one "current" named).
  const leaveFor = async (path: () => Promise<string> | string) => {
    if (!(await save())) {
      notifications.show({ color: "red", title: "Not opened", message: "The editor's changes could not be saved first." });
      return;
    }
    void navigate(await path());
  };
  const compare = (newer: WorkflowVersionSummary, older: WorkflowVersionSummary) =>
    void leaveFor(() => `${base}/${newer.id}?against=${older.id}`);
  const compareWithCurrent = (older: WorkflowVersionSummary) =>
    void leaveFor(async () => {
      const [newest] = await api.get<WorkflowVersionSummary[]>(`/api/workflows/${wid}/versions?limit=1`);
      return `${base}/${(newest ?? older).id}?against=${older.id}`;
    });
  const compareTicked = () => {
    const [a, b] = ticked.map((id) => versions.find((v) => v.id === id)!).sort((x, y) => y.number - x.number);
    compare(a, b);
  };

  const confirmRestore = (v: WorkflowVersionSummary) =>
    modals.openConfirmModal({
      title: `Restore ${versionLabel(v)}?`,
      children: <Text size="sm">Its graph replaces the one in the editor and is saved as a new version. Every version stays as it is.</Text>,
      labels: { confirm: "Restore", cancel: "Cancel" },
      confirmProps: { "data-testid": "confirm-restore" } as Record<string, string>,
      onConfirm: async () => {
        try {
          if (!(await save())) throw new Error("The editor's changes could not be saved first; nothing was restored.");
          const restored = await restore.mutateAsync(v.id);
          onRestored(restored);
          notifications.show({ color: "green", message: `${versionLabel(v)} restored` });
          onClose();
        } catch (e) {
          notifications.show({ color: "red", title: "Not restored", message: (e as Error).message });
        }
      },
    });

  if (list.error) return <ErrorBox error={list.error} title="Cannot list the versions" retry={() => void list.refetch()} />;
  if (list.isPending) return <Loading label="Loading versions" />;
  return (
    <Stack gap={0} data-testid="versions-list">
      <Group justify="space-between" pb="xs">
        <Text size="xs" c="dimmed">
          Every save that changes the graph is a version. Tick two to compare them.
        </Text>
        <Button size="xs" variant="light" leftSection={<IconGitCompare size={14} />} disabled={ticked.length !== 2} onClick={compareTicked} data-testid="compare-ticked">
          Compare
        </Button>
      </Group>
      {versions.map((v) => (
        <div key={v.id} className="vf-version-row" data-current={v.id === current?.id || undefined} data-testid="version-row" data-version-number={v.number}>
          <Group gap="xs" wrap="nowrap">
            <Checkbox size="xs" checked={ticked.includes(v.id)} onChange={(e) => tick(v.id, e.currentTarget.checked)} aria-label={`Compare version ${v.number}`} />
            <Text fw={700} size="sm" w={36}>
              v{v.number}
            </Text>
            <NameField version={v} wid={wid} canEdit={canEdit} />
            {v.id === current?.id ? (
              <Badge size="xs" variant="filled">
                current
              </Badge>
            ) : null}
          </Group>
          <Group gap="xs" justify="space-between" wrap="nowrap" pl={28}>
            <Text size="xs" c="dimmed">
              {new Date(v.created_at).toLocaleString()}
              {v.created_by_name ? ` · ${v.created_by_name}` : ""} · {v.node_count} nodes, {v.edge_count} connections
            </Text>
            <Group gap={2} wrap="nowrap">
              <Tooltip label="Open read-only">
                <ActionIcon variant="subtle" color="gray" onClick={() => void leaveFor(() => `${base}/${v.id}`)} aria-label="Open" data-testid="version-open">
                  <IconEye size={15} />
                </ActionIcon>
              </Tooltip>
              {current && v.id !== current.id ? (
                <Tooltip label="Compare with current">
                  <ActionIcon variant="subtle" color="gray" onClick={() => compareWithCurrent(v)} aria-label="Compare with current" data-testid="version-compare-current">
                    <IconGitCompare size={15} />
                  </ActionIcon>
                </Tooltip>
              ) : null}
              {canEdit && v.id !== current?.id ? (
                <Tooltip label="Restore this version">
                  <ActionIcon variant="subtle" color="gray" onClick={() => confirmRestore(v)} aria-label="Restore" data-testid="version-restore">
                    <IconRestore size={15} />
                  </ActionIcon>
                </Tooltip>
              ) : null}
            </Group>
          </Group>
        </div>
      ))}
      {list.hasNextPage ? (
        <Button size="xs" variant="subtle" mt="xs" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} data-testid="versions-older">
          Load older
        </Button>
      ) : null}
      {!versions.length ? (
        <Text size="sm" c="dimmed">
          No version yet: the first save makes one.
        </Text>
      ) : null}
    </Stack>
  );
}
