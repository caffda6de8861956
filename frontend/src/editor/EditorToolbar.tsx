/** Above the canvas: which workflow, its name, save state, undo/redo, and workflow-level actions (none but export for
 * someone who may only look: a "Read only" badge says why). */
import { ActionIcon, Badge, Button, Group, Menu, Select, Text, TextInput, Tooltip } from "@mantine/core";
import { IconArrowBackUp, IconArrowForwardUp, IconDeviceFloppy, IconDots, IconDownload, IconHistory, IconLayoutDistributeHorizontal, IconPlus, IconTrash } from "@tabler/icons-react";
import { IconCopy, IconFileImport } from "@tabler/icons-react";
import type { Workflow } from "../api/types";
import type { SaveStatus } from "./useAutosave";

interface Props {
  workflows: Workflow[];
  currentId: string;
  name: string;
  onRename: (name: string) => void;
  onSwitch: (wid: string) => void;
  onNew: () => void;
  saveStatus: SaveStatus;
  saveError: string | null;
  savedAt: Date | null;
  onSave: () => void;
  onLayout: () => void;
  onUndo: () => void;
  onRedo: () => void;
  canUndo: boolean;
  canRedo: boolean;
  onExport: () => void;
  onDelete: () => void;
  /** Open the workflow's versions (list, open, compare, restore). */
  onVersions: () => void;
  /** Import a workflow JSON file as a new workflow; duplicate this one (both open the new workflow). */
  onImport?: () => void;
  onDuplicate?: () => void;
  /** Why this person may not change workflows here, or null when they may. */
  readOnly: string | null;
}

const STATUS: Record<SaveStatus, { label: string; colour: string }> = {
  saved: { label: "All changes saved", colour: "dimmed" },
  dirty: { label: "Unsaved changes…", colour: "dimmed" },
  saving: { label: "Saving…", colour: "dimmed" },
  error: { label: "Save failed: changes kept here", colour: "red" },
};

export function EditorToolbar(p: Props) {
  const status = STATUS[p.saveStatus];
  return (
    <div className="vf-toolbar" data-testid="editor-toolbar">
      <Group gap="xs" wrap="nowrap" style={{ minWidth: 0, flex: 1 }}>
        <Select
          size="xs"
          w={200}
          data={p.workflows.map((w) => ({ value: w.id, label: w.name || "Untitled workflow" }))}
          value={p.currentId}
          onChange={(v) => v && v !== p.currentId && p.onSwitch(v)}
          allowDeselect={false}
          aria-label="Workflow"
          data-testid="workflow-select"
        />
        <TextInput
          size="xs"
          variant="unstyled"
          className="vf-name-input"
          style={{ flex: 1, maxWidth: 520 }}
          value={p.name}
          onChange={(e) => p.onRename(e.currentTarget.value)}
          readOnly={!!p.readOnly}
          placeholder="Workflow name"
          aria-label="Workflow name"
          data-testid="workflow-name"
          maxLength={200}
        />
        <Tooltip label="Versions: open, compare, restore">
          <ActionIcon variant="subtle" color="gray" onClick={p.onVersions} aria-label="Versions" data-testid="versions-open">
            <IconHistory size={16} />
          </ActionIcon>
        </Tooltip>
      </Group>
      {p.readOnly ? (
        <Group gap={6} wrap="nowrap">
          <Tooltip label={p.readOnly} multiline w={280}>
            <Badge variant="light" color="gray" data-testid="workflow-read-only">
              Read only
            </Badge>
          </Tooltip>
          <Tooltip label="Export JSON">
            <ActionIcon variant="subtle" color="gray" onClick={p.onExport} aria-label="Export JSON">
              <IconDownload size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      ) : (
        <Group gap={6} wrap="nowrap">
          <Tooltip label={p.saveError ?? (p.savedAt ? `Saved at ${p.savedAt.toLocaleTimeString()}` : "Saved on the server")} multiline w={260}>
            <Text size="xs" c={status.colour} data-testid="save-status" data-status={p.saveStatus}>
              {status.label}
            </Text>
          </Tooltip>
          {p.saveStatus === "error" ? (
            <Button size="xs" variant="light" color="red" onClick={p.onSave} data-testid="save-retry">
              Retry
            </Button>
          ) : null}
          <Tooltip label="Undo (Ctrl+Z)">
            <ActionIcon variant="subtle" color="gray" onClick={p.onUndo} disabled={!p.canUndo} aria-label="Undo" data-testid="undo">
              <IconArrowBackUp size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Redo (Ctrl+Shift+Z or Ctrl+Y)">
            <ActionIcon variant="subtle" color="gray" onClick={p.onRedo} disabled={!p.canRedo} aria-label="Redo" data-testid="redo">
              <IconArrowForwardUp size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Save now (Ctrl+S)">
            <ActionIcon variant="subtle" color="gray" onClick={p.onSave} aria-label="Save" data-testid="save-now">
              <IconDeviceFloppy size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Auto-layout">
            <ActionIcon variant="subtle" color="gray" onClick={p.onLayout} aria-label="Auto-layout" data-testid="auto-layout">
              <IconLayoutDistributeHorizontal size={16} />
            </ActionIcon>
          </Tooltip>
          <Button size="xs" variant="default" leftSection={<IconPlus size={13} />} onClick={p.onNew} data-testid="new-workflow">
            New workflow
          </Button>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" aria-label="More" data-testid="editor-more">
                <IconDots size={16} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item leftSection={<IconDownload size={14} />} onClick={p.onExport}>
                Export JSON
              </Menu.Item>
              {p.onImport ? (
                <Menu.Item leftSection={<IconFileImport size={14} />} onClick={p.onImport} data-testid="menu-import-json">
                  Import JSON…
                </Menu.Item>
              ) : null}
              {p.onDuplicate ? (
                <Menu.Item leftSection={<IconCopy size={14} />} onClick={p.onDuplicate} data-testid="menu-duplicate-workflow">
                  Duplicate workflow
                </Menu.Item>
              ) : null}
              <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={p.onDelete}>
                Delete workflow
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      )}
    </div>
  );
}
