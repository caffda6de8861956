/** One class in a list: colour, name, key, count, and a menu for edit / merge / delete (none without `onAction`:
 * someone who may not change the project). */
import { ActionIcon, Kbd, Menu, Text } from "@mantine/core";
import { IconArrowMerge, IconDots, IconPencil, IconTrash } from "@tabler/icons-react";
import type { ProjectClass } from "../api/types";
import type { ClassAction } from "./useClassDialogs";

interface Props {
  cls: ProjectClass;
  active?: boolean;
  highlighted?: boolean;
  /** The class of the image on show (annotator). */
  current?: boolean;
  onClick: () => void;
  onAction?: (action: ClassAction, cls: ProjectClass) => void;
}

export function ClassRow({ cls, active, highlighted, current, onClick, onAction }: Props) {
  return (
    <div
      className="vf-class-row"
      data-active={active || undefined}
      data-highlighted={highlighted || undefined}
      data-current={current || undefined}
      data-testid="class-row"
      data-class-id={cls.id}
      data-class-name={cls.name}
      style={{ "--vf-class": cls.colour } as React.CSSProperties}
    >
      <button type="button" className="vf-class-main" onClick={onClick} title={cls.name}>
        <span className="vf-swatch" style={{ background: cls.colour }} />
        <Text size="sm" truncate style={{ flex: 1, textAlign: "left" }}>
          {cls.name}
        </Text>
        {cls.hotkey ? (
          <Kbd size="xs" className="vf-class-key" data-testid="class-hotkey">
            {cls.hotkey.toUpperCase()}
          </Kbd>
        ) : null}
        <Text size="xs" c="dimmed" ff="monospace" className="vf-class-count" data-testid="class-count">
          {cls.image_count}
        </Text>
      </button>
      {onAction ? (
        <Menu position="bottom-end" withinPortal shadow="md">
          <Menu.Target>
            <ActionIcon size="sm" variant="subtle" color="gray" className="vf-class-menu" aria-label={`Actions for ${cls.name}`}>
              <IconDots size={14} />
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item leftSection={<IconPencil size={14} />} onClick={() => onAction("edit", cls)}>
              Rename, colour, key…
            </Menu.Item>
            <Menu.Item leftSection={<IconArrowMerge size={14} />} onClick={() => onAction("merge", cls)}>
              Merge into…
            </Menu.Item>
            <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={() => onAction("delete", cls)}>
              Delete…
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      ) : null}
    </div>
  );
}
