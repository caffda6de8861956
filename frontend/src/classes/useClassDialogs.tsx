/** One place that owns the class dialogs (edit, merge, delete), so any list of classes can open them. */
import { useState } from "react";
import type { ProjectClass } from "../api/types";
import { ClassDeleteModal, ClassMergeModal } from "./ClassDangerModals";
import { ClassEditModal } from "./ClassEditModal";

export type ClassAction = "edit" | "merge" | "delete";

export interface ClassDialogs {
  open: (action: ClassAction, cls: ProjectClass) => void;
  /** Whether a dialog is open (the annotator pauses its keys meanwhile). */
  active: boolean;
  element: React.ReactNode;
}

export function useClassDialogs(pid: string, classes: ProjectClass[]): ClassDialogs {
  const [dialog, setDialog] = useState<{ action: ClassAction; cls: ProjectClass } | null>(null);
  const close = () => setDialog(null);
  const pick = (action: ClassAction) => (dialog?.action === action ? dialog.cls : null);
  return {
    open: (action, cls) => setDialog({ action, cls }),
    active: dialog !== null,
    element: (
      <>
        <ClassEditModal pid={pid} cls={pick("edit")} onClose={close} />
        <ClassMergeModal pid={pid} cls={pick("merge")} classes={classes} onClose={close} />
        <ClassDeleteModal pid={pid} cls={pick("delete")} onClose={close} />
      </>
    ),
  };
}
