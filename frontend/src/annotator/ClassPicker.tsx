/** The annotator's classes: key, colour, count; the highlighted one (↑/↓) is what A assigns; the image's own
 * class is marked. Clicking a class assigns it. */
import { Stack, Text } from "@mantine/core";
import { useEffect, useRef } from "react";
import type { ProjectClass } from "../api/types";
import { ClassRow } from "../classes/ClassRow";
import type { ClassAction } from "../classes/useClassDialogs";

interface Props {
  classes: ProjectClass[];
  highlighted: number;
  currentClassId: string | null | undefined;
  onPick: (cls: ProjectClass) => void;
  onAction?: (action: ClassAction, cls: ProjectClass) => void;
}

export function ClassPicker({ classes, highlighted, currentClassId, onPick, onAction }: Props) {
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    list.current?.querySelector("[data-highlighted]")?.scrollIntoView({ block: "nearest" });
  }, [highlighted]);
  if (!classes.length) {
    return (
      <Text size="sm" c="dimmed">
        No classes yet: add one below.
      </Text>
    );
  }
  return (
    <Stack gap={2} ref={list} data-testid="annotator-classes">
      {classes.map((c, i) => (
        <ClassRow key={c.id} cls={c} highlighted={i === highlighted} current={c.id === currentClassId} onClick={() => onPick(c)} onAction={onAction} />
      ))}
    </Stack>
  );
}
