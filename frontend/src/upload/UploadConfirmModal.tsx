/** Before a folder or an archive goes up: what its folders will make of the images, and a way to say no. */
import { Alert, Badge, Button, Checkbox, Group, Modal, Text } from "@mantine/core";
import { IconFolder } from "@tabler/icons-react";
import { useEffect, useMemo, useState } from "react";
import { previewLayout } from "./uploadPlan";

interface Props {
  paths: string[] | null;
  existingClasses: string[];
  onConfirm: (foldersAreClasses: boolean) => void;
  onCancel: () => void;
}

const SHOWN = 40;

export function UploadConfirmModal({ paths, existingClasses, onConfirm, onCancel }: Props) {
  const [ignoreFolders, setIgnoreFolders] = useState(false);
  useEffect(() => setIgnoreFolders(false), [paths]);
  const preview = useMemo(() => previewLayout(paths ?? [], !ignoreFolders, existingClasses), [paths, ignoreFolders, existingClasses]);
  const root = useMemo(() => {
    const tops = new Set((paths ?? []).filter((p) => p.includes("/")).map((p) => p.split("/")[0]));
    return tops.size === 1 ? [...tops][0] : null;
  }, [paths]);
  const newCount = preview.classes.filter((c) => c.isNew).length;
  const total = preview.files + preview.zips;
  const oneFolderClass = !ignoreFolders && preview.classes.length === 1 && preview.classes[0].name === root;

  return (
    <Modal opened={paths !== null} onClose={onCancel} title={root ? `Upload folder “${root}”` : "Upload"} size="lg" data-testid="upload-confirm">
      <Text size="sm" mb="xs">
        {preview.files} image file(s){preview.zips ? ` and ${preview.zips} zip archive(s)` : ""}.
      </Text>
      {preview.classes.length ? (
        <div data-testid="layout-preview">
          <Text size="sm" fw={600} mb={6}>
            Labels from folder names: {preview.classes.length} class(es){newCount ? `, ${newCount} new` : ""}
          </Text>
          <Group gap={6} mb="xs">
            {preview.classes.slice(0, SHOWN).map((c) => (
              <Badge key={c.name} variant={c.isNew ? "light" : "outline"} color={c.isNew ? "indigo" : "gray"} tt="none" leftSection={<IconFolder size={11} />} data-testid="preview-class">
                {c.name} · {c.count}
              </Badge>
            ))}
            {preview.classes.length > SHOWN ? (
              <Text size="xs" c="dimmed">
                and {preview.classes.length - SHOWN} more
              </Text>
            ) : null}
          </Group>
        </div>
      ) : (
        <Text size="sm" c="dimmed" mb="xs" data-testid="layout-preview">
          {preview.files ? `The ${preview.files} image file(s) arrive unlabelled.` : ""}
        </Text>
      )}
      {preview.classes.length && preview.unlabelled ? (
        <Text size="xs" c="dimmed" mb="xs">
          {preview.unlabelled} image(s) not in a class folder arrive unlabelled.
        </Text>
      ) : null}
      {preview.splits.train + preview.splits.val ? (
        <Text size="xs" c="dimmed" mb="xs">
          Split fixed by train/ and val/ folders: {preview.splits.train} train, {preview.splits.val} val.
        </Text>
      ) : null}
      {preview.zips && !ignoreFolders ? (
        <Text size="xs" c="dimmed" mb="xs">
          Folders inside the archives label their images the same way.
        </Text>
      ) : null}
      {oneFolderClass ? (
        <Alert color="yellow" variant="light" p="xs" mb="xs">
          Every image goes into one class, “{root}”. If that folder is not a class, tick the box below.
        </Alert>
      ) : null}
      <Checkbox
        mt="sm"
        label="Don't use folder names as classes"
        checked={ignoreFolders}
        onChange={(e) => setIgnoreFolders(e.currentTarget.checked)}
        data-testid="ignore-folders"
      />
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button onClick={() => onConfirm(!ignoreFolders)} data-testid="upload-confirm-submit" data-autofocus>
          Upload {total} file(s)
        </Button>
      </Group>
    </Modal>
  );
}
