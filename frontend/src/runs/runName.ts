/** A run's name (the server names each run "<workflow> · <model> · <imgsz> px · <epochs> ep"; an owner renames it)
 * and the link to the workflow version it trained. The server checks names the same way (PATCH /api/runs/{id}). */
import type { Run } from "../api/types";

export const MAX_RUN_NAME = 200;

/** The name as it would be saved (trimmed, runs of whitespace made one space), or why it cannot be. */
export function checkRunName(text: string): { name: string; error: null } | { name: null; error: string } {
  const name = text.split(/\s+/).filter(Boolean).join(" ");
  if (!name) return { name: null, error: "A run needs a name." };
  const length = [...name].length; // characters as the server counts them (code points: an emoji is one)
  if (length > MAX_RUN_NAME) return { name: null, error: `At most ${MAX_RUN_NAME} characters (this one has ${length}).` };
  return { name, error: null };
}

/** What the runs list and compare page call a run: its name, else its workflow's (a run from before names). */
export function runName(run: Pick<Run, "name" | "workflow_name">): string {
  return run.name || run.workflow_name || "Run";
}

/** The page of the exact workflow version the run trained; null when none was recorded (older or CLI runs). */
export function versionLink(
  pid: string,
  run: Pick<Run, "workflow_id" | "workflow_version_id" | "workflow_version_number">,
): { to: string; label: string } | null {
  if (!run.workflow_id || !run.workflow_version_id) return null;
  const number = run.workflow_version_number;
  return {
    to: `/projects/${pid}/workflows/${run.workflow_id}/versions/${run.workflow_version_id}`,
    label: number != null ? `workflow version ${number}` : "workflow version",
  };
}
