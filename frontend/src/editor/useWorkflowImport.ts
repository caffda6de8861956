/** Import a workflow JSON file as a new workflow of the project (from a file picker or a drop on the canvas) and
 * duplicate a workflow: on success the new workflow opens and a notification says what happened (renamed, upgraded,
 * nodes of unknown type); on failure a red notification gives the reason and nothing opens. The checks and wording
 * are graph/importFile.ts; the requests api/workflowHooks.ts. */
import { notifications } from "@mantine/notifications";
import { useCallback, useRef, type ChangeEvent } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "../api/client";
import { useDuplicateWorkflow, useImportWorkflow } from "../api/workflowHooks";
import { checkFileSize, describeImported, describeRefusal, isWorkflowFile, parseWorkflowFile } from "../graph/importFile";

function refused(title: string, error: unknown) {
  const message =
    error instanceof ApiError ? describeRefusal(error.status, error.issues, error.message) : (error as Error).message;
  notifications.show({ color: "red", title, message, autoClose: 10_000 });
}

export function useWorkflowImport(pid: string) {
  const navigate = useNavigate();
  const importer = useImportWorkflow(pid);
  const duplicator = useDuplicateWorkflow(pid);
  const inputRef = useRef<HTMLInputElement>(null);
  const { mutateAsync: importDocument } = importer;
  const { mutateAsync: duplicateWorkflow } = duplicator;

  const importFile = useCallback(
    async (file: File) => {
      const notImported = (message: string) =>
        notifications.show({ color: "red", title: "Not imported", message, autoClose: 10_000 });
      if (!isWorkflowFile(file)) return notImported(`“${file.name}” is not a JSON file: only workflow JSON files can be imported.`);
      const tooBig = checkFileSize(file);
      if (tooBig) return notImported(tooBig);
      let text: string;
      try {
        text = await file.text();
      } catch (error) {
        return notImported(`“${file.name}” could not be read: ${(error as Error).message}`);
      }
      const read = parseWorkflowFile(file.name, text);
      if (!read.ok) return notImported(read.reason);
      try {
        const imported = await importDocument(read.document);
        const notice = describeImported(imported);
        notifications.show({ color: notice.colour, title: notice.title, message: notice.message, autoClose: 8000 });
        void navigate(`/projects/${pid}/workflows/${imported.id}`);
      } catch (error) {
        refused("Not imported", error);
      }
    },
    [importDocument, navigate, pid],
  );

  /** Open the browser's file picker (the hidden input rendered with ImportFileInput). */
  const pickFile = useCallback(() => inputRef.current?.click(), []);

  const onInputChange = useCallback(
    (e: ChangeEvent<HTMLInputElement>) => {
      const file = e.currentTarget.files?.[0];
      e.currentTarget.value = ""; // the same file picked again is a new import
      if (file) void importFile(file);
    },
    [importFile],
  );

  /** `saveFirst`: the open editor's pending changes are saved, so the copy has them. */
  const duplicate = useCallback(
    async (wid: string, saveFirst?: () => Promise<boolean>) => {
      if (saveFirst && !(await saveFirst())) {
        notifications.show({ color: "red", title: "Not duplicated", message: "The workflow's changes could not be saved first: see the save status." });
        return;
      }
      try {
        const copy = await duplicateWorkflow(wid);
        notifications.show({ color: "teal", title: `Duplicated as “${copy.name}”`, message: "Opened the copy: it has a history of its own.", autoClose: 6000 });
        void navigate(`/projects/${pid}/workflows/${copy.id}`);
      } catch (error) {
        refused("Not duplicated", error);
      }
    },
    [duplicateWorkflow, navigate, pid],
  );

  return { importFile, pickFile, inputRef, onInputChange, duplicate, busy: importer.isPending || duplicator.isPending };
}

export type WorkflowImport = ReturnType<typeof useWorkflowImport>;
