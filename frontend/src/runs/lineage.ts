/** How a run reads next to the run it came from: the server says how (`lineage`: resumed, extended, label check). */
import type { Run, RunLineage } from "../api/types";

const FROM: Record<RunLineage, string> = {
  resumed: "resumed from",
  extended: "extended from",
  label_check: "label check of",
};

const BY: Record<RunLineage, string> = {
  resumed: "resumed as",
  extended: "extended by",
  label_check: "label checked by",
};

/** "resumed from" / "extended from" / "label check of", before the parent's id; null for a run without a parent.
 * A run from an older server that does not say how counts as extended, as that server showed it. */
export function parentWords(run: Pick<Run, "parent_run_id" | "lineage">): string | null {
  if (!run.parent_run_id) return null;
  return FROM[run.lineage ?? "extended"];
}

/** The runs made from one run, grouped by how, each group led by its words ("resumed as", "extended by", …). */
export function childGroups(children: Pick<Run, "id" | "lineage">[]): { words: string; ids: string[] }[] {
  const groups = new Map<RunLineage, string[]>();
  for (const child of children) {
    const how = child.lineage ?? "extended";
    groups.set(how, [...(groups.get(how) ?? []), child.id]);
  }
  return [...groups].map(([how, ids]) => ({ words: BY[how], ids }));
}
