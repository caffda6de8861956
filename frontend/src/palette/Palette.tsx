/** The node palette: the catalogue grouped by category, recommended first, searchable, draggable onto the canvas.
 * Enter or a click adds the node too (next to the selected node, connected when the ports fit). */
import { Badge, CloseButton, Kbd, ScrollArea, Text, TextInput, Tooltip } from "@mantine/core";
import { useHotkeys } from "@mantine/hooks";
import { IconSearch, IconStarFilled } from "@tabler/icons-react";
import { useMemo, useRef, useState } from "react";
import type { NodeDescriptor } from "../api/types";
import { useEditorContext } from "../canvas/EditorContext";
import { paletteGroups } from "./paletteModel";

export const DND_MIME = "application/x-visionflow-node";

interface Props {
  catalogue: NodeDescriptor[];
  onAdd: (type: string) => void;
}

function PaletteItem({ node, onAdd }: { node: NodeDescriptor; onAdd: (type: string) => void }) {
  const { colours } = useEditorContext();
  return (
    <Tooltip label={node.description || node.title} multiline w={280} position="right" openDelay={600}>
      <div
        className="vf-palette-item"
        draggable
        tabIndex={0}
        role="button"
        data-testid="palette-item"
        data-node-type={node.type}
        onDragStart={(e) => {
          e.dataTransfer.setData(DND_MIME, node.type);
          e.dataTransfer.setData("text/plain", node.type);
          e.dataTransfer.effectAllowed = "move";
        }}
        onDoubleClick={() => onAdd(node.type)}
        onKeyDown={(e) => {
          if (e.key === "Enter") onAdd(node.type);
        }}
      >
        <span className="vf-cat-dot" style={{ background: colours.category(node.category) }} />
        <Text size="sm" truncate style={{ flex: 1 }}>
          {node.title}
        </Text>
        {node.recommended ? <IconStarFilled size={11} className="vf-star" aria-label="recommended" /> : null}
      </div>
    </Tooltip>
  );
}

export function Palette({ catalogue, onAdd }: Props) {
  const [query, setQuery] = useState("");
  const search = useRef<HTMLInputElement>(null);
  const groups = useMemo(() => paletteGroups(catalogue, query), [catalogue, query]);
  const count = groups.reduce((n, g) => n + g.items.length, 0);
  useHotkeys([["/", () => search.current?.focus()]]);

  return (
    <div className="vf-palette" data-testid="palette">
      <div className="vf-palette-search">
        <TextInput
          ref={search}
          size="xs"
          placeholder="Search nodes"
          leftSection={<IconSearch size={13} />}
          rightSection={query ? <CloseButton size="xs" onClick={() => setQuery("")} /> : <Kbd size="xs">/</Kbd>}
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              setQuery("");
              e.currentTarget.blur();
            }
            if (e.key === "Enter" && groups[0]?.items[0]) onAdd(groups[0].items[0].type);
          }}
          data-testid="palette-search"
        />
      </div>
      <ScrollArea style={{ flex: 1 }} type="auto">
        {groups.map((g) => (
          <section key={g.category} className="vf-palette-group" data-testid="palette-group" data-category={g.category}>
            <div className="vf-palette-group-title">
              <span>{g.title}</span>
              <Badge size="xs" variant="transparent" color="gray">
                {g.items.length}
              </Badge>
            </div>
            {g.items.map((n) => (
              <PaletteItem key={n.type} node={n} onAdd={onAdd} />
            ))}
          </section>
        ))}
        {count === 0 ? (
          <Text size="xs" c="dimmed" p="md">
            No node matches “{query}”.
          </Text>
        ) : null}
      </ScrollArea>
      <Text size="10px" c="dimmed" px="sm" py={6} className="vf-palette-hint">
        Drag onto the canvas, or double-click / Enter to add
      </Text>
    </div>
  );
}
