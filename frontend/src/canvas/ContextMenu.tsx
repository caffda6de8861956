/** Right-click menus on the canvas, opened at the pointer: on nodes (duplicate, copy, delete), on an edge (delete)
 * and on the empty canvas (paste, add a node there, auto-layout, select all). Someone who may only look gets
 * copy and select all. "Add node…" turns into a searchable list of the catalogue; the node lands where the
 * menu was opened. */
import { Kbd, Menu, Popover, Select } from "@mantine/core";
import { IconClipboard, IconCopy, IconLayoutDistributeHorizontal, IconPlus, IconSelectAll, IconTrash } from "@tabler/icons-react";
import { useMemo } from "react";
import type { Catalogue } from "../graph/connection";

type Point = { x: number; y: number };

/** Where the menu was opened (`x`, `y`: the pointer on screen) and on what. */
export type MenuTarget =
  | { kind: "nodes"; nodeIds: string[]; x: number; y: number }
  | { kind: "edge"; edgeId: string; x: number; y: number }
  | { kind: "pane"; flow: Point; x: number; y: number }
  | { kind: "add"; flow: Point; x: number; y: number };

export interface CanvasActions {
  copy: (nodeIds: string[]) => void;
  duplicate: (nodeIds: string[]) => void;
  removeNodes: (nodeIds: string[]) => void;
  removeEdge: (edgeId: string) => void;
  paste: (at: Point) => void;
  addNode: (type: string, at: Point) => void;
  autoLayout: () => void;
  selectAll: () => void;
  /** Make this node the whole selection (a right-click on an unselected node acts on it alone). */
  selectOnly: (nodeId: string) => void;
}

interface Props {
  target: MenuTarget | null;
  onChange: (target: MenuTarget | null) => void;
  actions: CanvasActions;
  catalogue: Catalogue;
  readOnly: boolean;
}

/** The invisible point the menu hangs from (a plain element: Mantine's targets need one that takes a ref). */
const anchorStyle = (x: number, y: number) => ({ position: "fixed" as const, left: x, top: y, width: 1, height: 1, pointerEvents: "none" as const });

const shortcut = (keys: string) => <Kbd size="xs">{keys}</Kbd>;

function MenuItems({ target, actions, onChange, readOnly }: Omit<Props, "catalogue"> & { target: MenuTarget }) {
  if (target.kind === "nodes") {
    const ids = target.nodeIds;
    const what = ids.length === 1 ? "node" : `${ids.length} nodes`;
    return (
      <>
        {readOnly ? null : (
          <Menu.Item leftSection={<IconCopy size={14} />} rightSection={shortcut("Ctrl+D")} onClick={() => actions.duplicate(ids)} data-testid="menu-duplicate">
            Duplicate {what}
          </Menu.Item>
        )}
        <Menu.Item leftSection={<IconClipboard size={14} />} rightSection={shortcut("Ctrl+C")} onClick={() => actions.copy(ids)} data-testid="menu-copy">
          Copy {what}
        </Menu.Item>
        {readOnly ? null : (
          <Menu.Item color="red" leftSection={<IconTrash size={14} />} rightSection={shortcut("Del")} onClick={() => actions.removeNodes(ids)} data-testid="menu-delete">
            Delete {what}
          </Menu.Item>
        )}
      </>
    );
  }
  if (target.kind === "edge") {
    return (
      <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={() => actions.removeEdge(target.edgeId)} data-testid="menu-delete-edge">
        Delete connection
      </Menu.Item>
    );
  }
  const at = target.flow;
  return (
    <>
      {readOnly ? null : (
        <>
          <Menu.Item leftSection={<IconClipboard size={14} />} rightSection={shortcut("Ctrl+V")} onClick={() => actions.paste(at)} data-testid="menu-paste">
            Paste here
          </Menu.Item>
          <Menu.Item
            leftSection={<IconPlus size={14} />}
            closeMenuOnClick={false}
            onClick={() => onChange({ ...target, kind: "add" })}
            data-testid="menu-add-node"
          >
            Add node…
          </Menu.Item>
          <Menu.Item leftSection={<IconLayoutDistributeHorizontal size={14} />} onClick={actions.autoLayout} data-testid="menu-layout">
            Auto-layout
          </Menu.Item>
        </>
      )}
      <Menu.Item leftSection={<IconSelectAll size={14} />} rightSection={shortcut("Ctrl+A")} onClick={actions.selectAll} data-testid="menu-select-all">
        Select all
      </Menu.Item>
      <Menu.Label>Shift+drag on the canvas selects a box</Menu.Label>
    </>
  );
}

export function CanvasContextMenu({ target, onChange, actions, catalogue, readOnly }: Props) {
  const options = useMemo(() => {
    const groups = new Map<string, { value: string; label: string }[]>();
    for (const d of [...catalogue.values()].sort((a, b) => a.title.localeCompare(b.title))) {
      const group = d.category.charAt(0).toUpperCase() + d.category.slice(1);
      groups.set(group, [...(groups.get(group) ?? []), { value: d.type, label: d.title }]);
    }
    return [...groups].map(([group, items]) => ({ group, items }));
  }, [catalogue]);
  if (!target) return null;
  if (target.kind === "add") {
    return (
      <Popover opened onClose={() => onChange(null)} position="bottom-start" withinPortal shadow="md">
        <Popover.Target>
          <div style={anchorStyle(target.x, target.y)} />
        </Popover.Target>
        <Popover.Dropdown p={6} data-testid="add-node-picker">
          <Select
            w={260}
            size="xs"
            data={options}
            searchable
            autoFocus
            defaultDropdownOpened
            placeholder="Search nodes"
            aria-label="Node to add"
            comboboxProps={{ withinPortal: false }}
            onChange={(type) => {
              if (type) actions.addNode(type, target.flow);
              onChange(null);
            }}
          />
        </Popover.Dropdown>
      </Popover>
    );
  }
  return (
    <Menu key={`${target.kind}:${target.x}:${target.y}`} opened onClose={() => onChange(null)} position="bottom-start" offset={2} withinPortal shadow="md" width={220}>
      <Menu.Target>
        <div style={anchorStyle(target.x, target.y)} />
      </Menu.Target>
      <Menu.Dropdown data-testid="context-menu" data-kind={target.kind} onContextMenu={(e) => e.preventDefault()}>
        <MenuItems target={target} actions={actions} onChange={onChange} readOnly={readOnly} />
      </Menu.Dropdown>
    </Menu>
  );
}
