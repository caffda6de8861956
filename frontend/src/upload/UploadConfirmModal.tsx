/** Before a folder or an archive goes up: what its folders will make of the images (the server's answer, from
 * POST /api/projects/{pid}/assets/layout-preview), and a way to say no. */
import { Alert, Badge, Button, Checkbox, Group, Loader, Modal, Text } from "@mantine/core";
import { IconFolder } from "@tabler/icons-react";
import { useEffect, useMemo, useState } from "react";
import type { LayoutPreviewResponse } from "../api/types";
import { layoutPreview } from "../api/runHooks";
import { countUpload, flatFolderIsUnlabelled } from "./uploadPlan";

interface Props {
  pid: string;
  paths: string[] | null;
  onConfirm: (foldersAreClasses: boolean) => void;
  onCancel: () => void;
}

const SHOWN = 40;

function useLayoutPreview(pid: string, paths: string[] | null, foldersAreClasses: boolean) {
  const [state, setState] = useState<{ data: LayoutPreviewResponse | null; error: Error | null }>({ data: null, error: null });
  useEffect(() => {
    setState({ data: null, error: null });
    if (!paths) return;
    const abort = new AbortController();
    layoutPreview(pid, paths, foldersAreClasses, abort.signal).then(
      (data) => setState({ data, error: null }),
      (error: Error) => !abort.signal.aborted && setState({ data: null, error }),
    );
    return () => abort.abort();
  }, [pid, paths, foldersAreClasses]);
  return state;
}

export function UploadConfirmModal({ pid, paths, onConfirm, onCancel }: Props) {
  // The person's choice for these paths; until they make one, a single flat folder arrives unlabelled.
  const [choice, setChoice] = useState<{ paths: string[] | null; ignore: boolean } | null>(null);
  const flat = useMemo(() => flatFolderIsUnlabelled(paths ?? []), [paths]);
  const ignoreFolders = choice && choice.paths === paths ? choice.ignore : flat;
  const setIgnoreFolders = (ignore: boolean) => setChoice({ paths, ignore });
  const counts = useMemo(() => countUpload(paths ?? []), [paths]);
  const preview = useLayoutPreview(pid, paths ? counts.imagePaths : null, !ignoreFolders);
  const layout = preview.data;
  const classes = layout?.classes ?? [];
  const newCount = classes.filter((c) => c.new).length;
  const train = layout?.splits.train ?? 0;
  const val = layout?.splits.val ?? 0;
  const total = counts.files + counts.zips;
  const oneFolderClass = !ignoreFolders && classes.length === 1 && classes[0].name === counts.root;

  return (
    <Modal opened={paths !== null} onClose={onCancel} title={counts.root ? `Upload folder “${counts.root}”` : "Upload"} size="lg" data-testid="upload-confirm">
      <Text size="sm" mb="xs">
        {counts.files} image file(s){counts.zips ? ` and ${counts.zips} zip archive(s)` : ""}.
      </Text>
      {preview.error ? (
        <Alert color="red" variant="light" p="xs" mb="xs" data-testid="layout-preview-error">
          The server could not preview this upload: {preview.error.message}
        </Alert>
      ) : !layout ? (
        <Group gap="xs" mb="xs" data-testid="layout-preview-loading">
          <Loader size="xs" />
          <Text size="xs" c="dimmed">
            Asking the server what the folders mean…
          </Text>
        </Group>
      ) : classes.length ? (
        <div data-testid="layout-preview">
          <Text size="sm" fw={600} mb={6}>
            Labels from folder names: {classes.length} class(es){newCount ? `, ${newCount} new` : ""}
          </Text>
          <Group gap={6} mb="xs">
            {classes.slice(0, SHOWN).map((c) => (
              <Badge key={c.name} variant={c.new ? "light" : "outline"} color={c.new ? "indigo" : "gray"} tt="none" leftSection={<IconFolder size={11} />} data-testid="preview-class">
                {c.name} · {c.count}
              </Badge>
            ))}
            {classes.length > SHOWN ? (
              <Text size="xs" c="dimmed">
                and {classes.length - SHOWN} more
              </Text>
            ) : null}
          </Group>
        </div>
      ) : (
        <Text size="sm" c="dimmed" mb="xs" data-testid="layout-preview">
          {counts.files ? `The ${counts.files} image file(s) arrive unlabelled.` : ""}
        </Text>
      )}
      {classes.length && layout?.unlabelled ? (
        <Text size="xs" c="dimmed" mb="xs">
          {layout.unlabelled} image(s) not in a class folder arrive unlabelled.
        </Text>
      ) : null}
      {layout?.refused.length ? (
        <Alert color="orange" variant="light" p="xs" mb="xs" data-testid="layout-refused">
          {layout.refused.map((r) => (
            <Text size="xs" key={r.name}>
              {r.count} file(s) will be refused: {r.reason}
            </Text>
          ))}
        </Alert>
      ) : null}
      {train + val ? (
        <Text size="xs" c="dimmed" mb="xs">
          Split fixed by train/ and val/ folders: {train} train, {val} val.
        </Text>
      ) : null}
      {counts.zips && !ignoreFolders ? (
        <Text size="xs" c="dimmed" mb="xs">
          Folders inside the archives label their images the same way.
        </Text>
      ) : null}
      {flat && ignoreFolders ? (
        <Text size="xs" c="dimmed" mb="xs" data-testid="flat-folder-unlabelled">
          The images sit directly in “{counts.root}”, with no class subfolders, so they arrive unlabelled. To make “{counts.root}” a
          class, untick the box below.
        </Text>
      ) : null}
      {oneFolderClass ? (
        <Alert color="yellow" variant="light" p="xs" mb="xs">
          Every image goes into one class, “{counts.root}”. If that folder is not a class, tick the box below.
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
