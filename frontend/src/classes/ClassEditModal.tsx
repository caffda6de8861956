/** Rename a class, change its colour or its annotator key. The server checks clashes; its answer shows on the field. */
import { Button, ColorInput, Group, Kbd, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { useUpdateClass, type ClassPatch } from "../api/dataHooks";
import type { ProjectClass } from "../api/types";
import { SWATCHES, classPatch } from "./classModel";

interface Props {
  pid: string;
  cls: ProjectClass | null;
  onClose: () => void;
}

export function ClassEditModal({ pid, cls, onClose }: Props) {
  const update = useUpdateClass(pid);
  const [name, setName] = useState("");
  const [colour, setColour] = useState("");
  const [hotkey, setHotkey] = useState("");
  useEffect(() => {
    setName(cls?.name ?? "");
    setColour(cls?.colour ?? "");
    setHotkey(cls?.hotkey ?? "");
    update.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cls]);

  const error = update.error instanceof ApiError ? update.error : null;
  const field = (error?.body as { extra?: { field?: string } } | null)?.extra?.field;
  const errorFor = (f: string) => (error && (field === f || (!field && f === "name")) ? error.message : undefined);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!cls) return;
    const patch: ClassPatch = classPatch(cls, { name, colour, hotkey });
    if (!Object.keys(patch).length) return onClose();
    update.mutate({ id: cls.id, patch }, { onSuccess: onClose });
  };

  return (
    <Modal opened={cls !== null} onClose={onClose} title={`Class “${cls?.name ?? ""}”`} size="sm">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errorFor("name")} data-autofocus data-testid="class-name-input" />
          <ColorInput label="Colour" value={colour} onChange={setColour} format="hex" swatches={SWATCHES} swatchesPerRow={8} error={errorFor("colour")} />
          <TextInput
            label="Key"
            description={
              <>
                In the annotator, pressing this key gives an image this class. One of 0–9 or a–z; empty for none.
                {hotkey === "a" ? (
                  <Text span size="xs" c="orange" display="block">
                    <Kbd size="xs">A</Kbd> also assigns the highlighted class; this class takes it over and Enter does that instead.
                  </Text>
                ) : null}
              </>
            }
            value={hotkey}
            maxLength={1}
            styles={{ input: { width: 64, textAlign: "center", fontFamily: "var(--mantine-font-family-monospace)" } }}
            onChange={(e) => setHotkey(e.currentTarget.value.toLowerCase())}
            error={errorFor("hotkey")}
            data-testid="class-hotkey-input"
          />
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending} data-testid="class-save">
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
