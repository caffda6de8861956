/** Importing a workflow JSON file as a new workflow: which dropped or picked files are worth sending, reading one
 * (refused before it is sent when it is over the server's JSON body cap, is not JSON — saying where — or is JSON but
 * no workflow), and what the person is told of the server's answer (upgraded, renamed, nodes of unknown type by
 * node, or refused with the reason). Pure: the editor reads the file and sends the request
 * (editor/useWorkflowImport.ts). Pasting workflow JSON into an open workflow is graph/clipboard.ts. */
import type { Issue } from "../api/types";

/** The server refuses JSON bodies over 8 MiB (backend/settings.py max_json_body_bytes). */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024;

export type ReadResult = { ok: true; document: Record<string, unknown> } | { ok: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A file that may be a workflow: JSON by its type or its name (browsers give .json files "application/json", some
 * none at all). */
export function isWorkflowFile(file: { name: string; type: string }): boolean {
  return file.type === "application/json" || /\.json$/i.test(file.name);
}

/** Refused before reading: over the cap, or empty. */
export function checkFileSize(file: { name: string; size: number }): string | null {
  if (file.size > MAX_IMPORT_BYTES) {
    return `“${file.name}” is ${megabytes(file.size)}: the server takes workflow files of at most ${megabytes(MAX_IMPORT_BYTES)}.`;
  }
  if (file.size === 0) return `“${file.name}” is empty.`;
  return null;
}

/** Line and column (from 1) of a character offset in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/** The JSON parser's complaint with where it is, in lines and columns whatever the browser says: V8 writes
 * "… in JSON at position 42 (line 3 column 5)" or only "at position 42", Firefox "… at line 3 column 5 of the JSON
 * data". */
export function describeJsonError(message: string, text: string): string {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  const position = /at position (\d+)/.exec(message);
  const where = lineColumn
    ? { line: Number(lineColumn[1]), column: Number(lineColumn[2]) }
    : position
      ? lineAndColumn(text, Number(position[1]))
      : null;
  const what = message
    .replace(/^JSON\.parse:\s*/, "")
    .replace(/\s*(in JSON\s*)?at position \d+.*$/, "")
    .replace(/\s*at line \d+ column \d+.*$/, "")
    .trim();
  return where ? `${what} at line ${where.line}, column ${where.column}` : what;
}

/** The file's text as a workflow document, or why it is not one. The schema version and the nodes themselves are
 * the server's to judge (it upgrades older documents and reports unknown node types). */
export function parseWorkflowFile(name: string, text: string): ReadResult {
  if (!text.trim()) return { ok: false, reason: `“${name}” is empty.` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `“${name}” is not a workflow JSON: ${describeJsonError((error as Error).message, text)}.` };
  }
  if (!isObject(value)) {
    return { ok: false, reason: `“${name}” is JSON but not a workflow: a workflow is an object with a “nodes” list.` };
  }
  if (!Array.isArray(value.nodes)) {
    return { ok: false, reason: `“${name}” is JSON but not a workflow: it has no “nodes” list.` };
  }
  return { ok: true, document: value };
}

/** What the server says of an imported workflow (the ImportedWorkflow body), the fields this module reads. */
export interface ImportAnswer {
  name: string;
  upgraded_from: number | null;
  renamed_from: string | null;
  unknown_nodes: { node_id: string; type: string }[];
  rebound_nodes: string[];
}

export interface ImportNotice {
  title: string;
  message: string;
  /** Orange when the workflow needs work before it can run (nodes of unknown type). */
  colour: "teal" | "orange";
}

/** The notification after an import: its name, and each thing the import changed or found. */
export function describeImported(answer: ImportAnswer): ImportNotice {
  const lines: string[] = [];
  if (answer.unknown_nodes.length) {
    const listed = answer.unknown_nodes.map((n) => `${n.node_id} (${n.type})`).join(", ");
    const count = answer.unknown_nodes.length;
    lines.push(`${plural(count, "node")} of unknown type: ${listed}. See the issues panel: replace ${count === 1 ? "it" : "them"} before training.`);
  }
  if (answer.upgraded_from !== null) lines.push(`Upgraded from schema version ${answer.upgraded_from}.`);
  if (answer.renamed_from) lines.push(`This project already has a workflow named “${answer.renamed_from}”.`);
  if (answer.rebound_nodes.length) {
    lines.push(`${plural(answer.rebound_nodes.length, "dataset node")} now read${answer.rebound_nodes.length === 1 ? "s" : ""} this project's images.`);
  }
  return {
    title: `Imported “${answer.name}”`,
    message: lines.join(" ") || "Opened it in the editor.",
    colour: answer.unknown_nodes.length ? "orange" : "teal",
  };
}

/** Why the server refused a document (its 422 issues, each with where it is), or the error's own message. */
export function describeRefusal(status: number, issues: Issue[], message: string): string {
  if (status === 413) return `The file is too large for the server (at most ${megabytes(MAX_IMPORT_BYTES)}).`;
  if (!issues.length) return message;
  const shown = issues.slice(0, 3).map((i) => {
    const where = [i.node_id ? `node ${i.node_id}` : null, i.field].filter(Boolean).join(" · ");
    return where && !i.message.includes(where) ? `${where}: ${i.message}` : i.message;
  });
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : "";
  return shown.join(" ") + more;
}
