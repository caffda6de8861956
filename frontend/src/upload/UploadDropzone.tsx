/** Where images come in: a drop zone for files, folders and zip archives, a file picker and a folder picker;
 * plus a page-wide drop target while something is dragged over the window. */
import { Button, Group, Stack, Text } from "@mantine/core";
import { Dropzone } from "@mantine/dropzone";
import { IconFolderUp, IconPhotoUp, IconUpload } from "@tabler/icons-react";
import { useRef } from "react";

interface Props {
  onFiles: (files: File[]) => void;
  busy?: boolean;
  /** The large variant fills an empty page. */
  large?: boolean;
  testId?: string;
}

/** A hidden `<input webkitdirectory>`: choosing a folder gives every file below it with its relative path. */
export function FolderInput({ inputRef, onFiles }: { inputRef: React.RefObject<HTMLInputElement | null>; onFiles: (files: File[]) => void }) {
  return (
    <input
      ref={(el) => {
        inputRef.current = el;
        el?.setAttribute("webkitdirectory", "");
      }}
      type="file"
      multiple
      hidden
      data-testid="folder-input"
      onChange={(e) => {
        onFiles(Array.from(e.currentTarget.files ?? []));
        e.currentTarget.value = "";
      }}
    />
  );
}

export function UploadDropzone({ onFiles, busy, large, testId = "dropzone" }: Props) {
  const openFiles = useRef<() => void>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  return (
    <>
      <Dropzone onDrop={onFiles} openRef={openFiles} activateOnClick={false} loading={busy} data-testid={testId} className="vf-dropzone" data-large={large || undefined}>
        <Stack align="center" gap={large ? 8 : 4} py={large ? 48 : "sm"} style={{ pointerEvents: "none" }}>
          <IconPhotoUp size={large ? 44 : 26} stroke={1.4} color="var(--mantine-color-dimmed)" />
          <Text size={large ? "lg" : "sm"} fw={large ? 600 : 500} ta="center">
            Drop images, folders or zip archives
          </Text>
          <Text size="xs" c="dimmed" ta="center" maw={large ? 420 : undefined}>
            {large ? "A folder of class folders (cat/, dog/ …) labels the images by folder; train/ and val/ folders fix the split." : "Folders become classes"}
          </Text>
          <Group gap={6} mt={4} style={{ pointerEvents: "all" }}>
            <Button size="xs" variant="default" leftSection={<IconUpload size={14} />} onClick={() => openFiles.current?.()} data-testid="pick-files">
              Files
            </Button>
            <Button size="xs" variant="default" leftSection={<IconFolderUp size={14} />} onClick={() => folderInput.current?.click()} data-testid="pick-folder">
              Folder
            </Button>
          </Group>
        </Stack>
      </Dropzone>
      <FolderInput inputRef={folderInput} onFiles={onFiles} />
    </>
  );
}

/** Catches a drop anywhere on the page. */
export function PageDropTarget({ onFiles }: { onFiles: (files: File[]) => void }) {
  return (
    <Dropzone.FullScreen onDrop={onFiles} activateOnClick={false}>
      <Stack align="center" justify="center" gap={6} mih="60vh">
        <IconPhotoUp size={56} stroke={1.3} />
        <Text size="xl" fw={600}>
          Drop to upload
        </Text>
        <Text size="sm" c="dimmed">
          Images, folders (class folders label the images) or zip archives
        </Text>
      </Stack>
    </Dropzone.FullScreen>
  );
}
