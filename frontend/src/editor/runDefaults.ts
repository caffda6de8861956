/** What the Run Training dialog starts from: the server's data-aware defaults (epochs and batch chosen from a budget
 * of optimiser steps and time for this workflow's data), plus the machine choices the person made last time. */

/** Choices about this machine, not about the data: remembered from the last run rather than suggested. */
export const MACHINE_KEYS = ["device", "workers"] as const;

/** The form's starting values, restricted to the settings the schema knows. Without server defaults (an older
 * server, or the request failed) the last settings used are all kept, as before. */
export function prefill(
  known: string[],
  serverDefaults: Record<string, unknown> | null,
  remembered: Record<string, unknown>,
): Record<string, unknown> {
  const keep = (entries: [string, unknown][]) => entries.filter(([k, v]) => known.includes(k) && v !== undefined);
  if (!serverDefaults) return Object.fromEntries(keep(Object.entries(remembered)));
  const machine = keep(Object.entries(remembered)).filter(([k]) => (MACHINE_KEYS as readonly string[]).includes(k));
  return Object.fromEntries([...keep(Object.entries(serverDefaults)), ...machine]);
}
