/** What a person may do in a project, from their role in it (`project.my_role`). The server decides and enforces
 * (403 otherwise); the UI only hides or disables what would be refused, and says why.
 *
 * viewer < annotator < owner: an annotator labels, uploads, edits classes and deletes images; only an owner runs
 * trainings, saves or deletes workflows, and manages the project (members, deletion). */
import type { ProjectRole } from "../api/types";

export interface ProjectPermissions {
  role: ProjectRole | null;
  /** Upload, label, edit classes, import labels, delete images. */
  canLabel: boolean;
  /** Start, cancel, resume or extend runs, start a label check, create, save or delete workflows. */
  canRun: boolean;
  /** Members, renaming or deleting the project. */
  canManage: boolean;
}

export type Need = "label" | "run" | "manage";

export const VIEWER_REASON = "Viewers can look but not change this project";
export const ANNOTATOR_REASON = "Annotators can label and upload images; only an owner can run trainings, change workflows or manage the project";

const RANK: Record<ProjectRole, number> = { viewer: 0, annotator: 1, owner: 2 };
const LEAST: Record<Need, ProjectRole> = { label: "annotator", run: "owner", manage: "owner" };

/** A role not known yet (the project is loading) permits nothing. */
export function permissionsFor(role: ProjectRole | null | undefined): ProjectPermissions {
  const allows = (need: Need) => !!role && RANK[role] >= RANK[LEAST[need]];
  return { role: role ?? null, canLabel: allows("label"), canRun: allows("run"), canManage: allows("manage") };
}

/** Why `role` may not do what needs `need`, or null when it may (or the role is not known yet). */
export function whyNot(role: ProjectRole | null | undefined, need: Need): string | null {
  if (!role || permissionsFor(role)[need === "label" ? "canLabel" : need === "run" ? "canRun" : "canManage"]) return null;
  return role === "viewer" ? VIEWER_REASON : ANNOTATOR_REASON;
}

/** The caller's role in a project (null while it loads). */
export function roleOf(project: { my_role: ProjectRole } | undefined): ProjectRole | null {
  return project?.my_role ?? null;
}
