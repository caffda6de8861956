/** What to do with the selected images: give them a class, clear their label, delete them (nothing but the count for
 * someone who may not change the project: `readOnly` says why). */
import { Button, Checkbox, Group, Kbd, Select, Text } from "@mantine/core";
import { IconTag, IconTagOff, IconTrash, IconX } from "@tabler/icons-react";
import type { ProjectClass } from "../api/types";
import type { PageState } from "./selection";

interface Props {
  count: number;
  page: PageState;
  classes: ProjectClass[];
  busy: boolean;
  readOnly: string | null;
  onTogglePage: () => void;
  onAssign: (classId: string | null) => void;
  onDelete: () => void;
  onClear: () => void;
}

export function SelectionBar({ count, page, classes, busy, readOnly, onTogglePage, onAssign, onDelete, onClear }: Props) {
  return (
    <Group gap="xs" wrap="nowrap" data-testid="selection-bar">
      <Checkbox
        size="xs"
        checked={page === "all"}
        indeterminate={page === "some"}
        onChange={onTogglePage}
        aria-label="Select all on this page"
        data-testid="select-page"
        title="Select all on this page (Ctrl+A)"
      />
      {count && readOnly ? (
        <Text size="xs" data-testid="selection-count">
          <b>{count} selected</b> · {readOnly}
        </Text>
      ) : count ? (
        <>
          <Text size="xs" fw={600} data-testid="selection-count" miw={70}>
            {count} selected
          </Text>
          <Select
            size="xs"
            w={170}
            placeholder="Assign class…"
            leftSection={<IconTag size={14} />}
            data={classes.map((c) => ({ value: c.id, label: c.hotkey ? `${c.name}  (${c.hotkey.toUpperCase()})` : c.name }))}
            value={null}
            onChange={(v) => v && onAssign(v)}
            disabled={busy}
            searchable
            data-testid="assign-class"
            comboboxProps={{ withinPortal: true }}
          />
          <Button size="xs" variant="default" leftSection={<IconTagOff size={14} />} onClick={() => onAssign(null)} disabled={busy}>
            Clear label
          </Button>
          <Button size="xs" variant="light" color="red" leftSection={<IconTrash size={14} />} onClick={onDelete} disabled={busy} data-testid="delete-selection">
            Delete
          </Button>
          <Button size="xs" variant="subtle" color="gray" leftSection={<IconX size={14} />} onClick={onClear}>
            <span>
              Clear <Kbd size="xs">Esc</Kbd>
            </span>
          </Button>
        </>
      ) : (
        <Text size="xs" c="dimmed">
          {readOnly ? "Double-click an image to see it large" : "Click to select · Shift-click for a range · Double-click to annotate · a class's key labels the selection"}
        </Text>
      )}
    </Group>
  );
}
