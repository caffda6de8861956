/** Pure planning of an upload: the path each file is sent under, what its folders will make of it, batches,
 * and the per-file result once the server has answered. */
import type { UploadReport } from "../api/types";

/** What a file from a drop (react-dropzone's `path`), a folder picker (`webkitRelativePath`) or a plain picker
 * carries. */
export interface PickedFile {
  name: string;
  size: number;
  path?: string;
  relativePath?: string;
  webkitRelativePath?: string;
}

/** The path to send: from the dropped or picked folder down, without a leading `/` or `./`
 * (`/digits/0/a.png` → `digits/0/a.png`; a loose file → its name). */
export function uploadPath(file: PickedFile): string {
  const raw = [file.relativePath, file.webkitRelativePath, file.path].find((p) => typeof p === "string" && p.length > 0) ?? file.name;
  const parts = raw.replace(/\\/g, "/").split("/").filter((p) => p !== "" && p !== "." && p !== "..");
  return parts.length ? parts.join("/") : file.name;
}

/** Folder order, numbers by value (`2/` before `10/`): classes are then created, and get their keys, in that order. */
export function sortByPath<T extends { path: string }>(files: T[]): T[] {
  const collator = new Intl.Collator(undefined, { numeric: true });
  return [...files].sort((a, b) => collator.compare(a.path, b.path));
}

export const isZip = (path: string) => /\.zip$/i.test(path);

export interface UploadCounts {
  files: number;
  zips: number;
  /** Whether any file sits in a folder. */
  hasFolders: boolean;
  /** The one top folder everything sits in, if there is one. */
  root: string | null;
  /** The image paths (not the archives), for the server's layout preview. */
  imagePaths: string[];
}

/** Counts for the confirmation dialog. What the folders mean (classes, splits) is the server's rule: ask it with
 * POST /api/projects/{pid}/assets/layout-preview. */
export function countUpload(paths: string[]): UploadCounts {
  const imagePaths = paths.filter((p) => !isZip(p));
  const tops = new Set(paths.filter((p) => p.includes("/")).map((p) => p.split("/")[0]));
  return {
    files: imagePaths.length,
    zips: paths.length - imagePaths.length,
    hasFolders: imagePaths.some((p) => p.includes("/")),
    root: tops.size === 1 ? [...tops][0] : null,
    imagePaths,
  };
}

/** Whether folder names should start out ignored: one folder holding only images, no subfolders and no archives, is
 * most likely a batch of unlabelled pictures, not a class (train/ and val/ folders or class subfolders are left as
 * they are). The person can still tick folder names back on. */
export function flatFolderIsUnlabelled(paths: string[]): boolean {
  const counts = countUpload(paths);
  return counts.zips === 0 && counts.root !== null && counts.files > 0 && counts.imagePaths.every((p) => p.split("/").length === 2);
}

/** Whether to ask before sending: folder names or archives will label images. */
export const needsConfirmation = (paths: string[]) => paths.some((p) => p.includes("/") || isZip(p));

export interface BatchLimits {
  maxFiles: number;
  maxBytes: number;
}

export const DEFAULT_LIMITS: BatchLimits = { maxFiles: 64, maxBytes: 48 * 2 ** 20 };

/** Consecutive batches of at most `maxFiles` files and `maxBytes` bytes (a bigger file travels alone). */
export function planBatches<T extends { size: number }>(files: T[], limits: BatchLimits = DEFAULT_LIMITS): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length && (current.length >= limits.maxFiles || bytes + file.size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.size;
  }
  if (current.length) batches.push(current);
  return batches;
}

export type FileOutcome = "imported" | "duplicate" | "rejected";

export interface FileResult {
  path: string;
  outcome: FileOutcome;
  reason?: string;
}

export interface UploadTotals {
  imported: number;
  duplicates: number;
  rejected: number;
  labelled: number;
  classesCreated: string[];
}

export const EMPTY_TOTALS: UploadTotals = { imported: 0, duplicates: 0, rejected: 0, labelled: 0, classesCreated: [] };

/** One line per file the server reported on (a zip's entries are named `archive.zip: entry`). */
export function fileResults(report: UploadReport): FileResult[] {
  return [
    ...report.rejected.map((r) => ({ path: r.filename, outcome: "rejected" as const, reason: r.reason })),
    ...report.duplicates.map((d) => ({ path: d.filename, outcome: "duplicate" as const, reason: "Already in the project." })),
    ...report.imported.map((a) => ({ path: a.source_path || a.filename, outcome: "imported" as const })),
  ];
}

export function addTotals(totals: UploadTotals, report: UploadReport): UploadTotals {
  return {
    imported: totals.imported + report.imported.length,
    duplicates: totals.duplicates + report.duplicates.length,
    rejected: totals.rejected + report.rejected.length,
    labelled: totals.labelled + (report.labelled ?? 0),
    classesCreated: [...new Set([...totals.classesCreated, ...(report.classes_created ?? [])])],
  };
}

/** A batch the server refused as a whole (400, network error…): each of its files is rejected with the reason. */
export function failedBatch(paths: string[], reason: string): UploadReport {
  return { imported: [], duplicates: [], rejected: paths.map((filename) => ({ filename, reason })), classes_created: [], labelled: 0 };
}
