/** A run's files: which to offer as download buttons, and which one is its model card. */
import type { ArtifactInfo } from "../api/types";

const PRIMARY = ["best.pt", "last.pt", "best.onnx"];

const DESCRIBE: Record<string, string> = {
  "best.pt": "PyTorch weights of the best epoch",
  "last.pt": "PyTorch weights of the last epoch (to resume from)",
  "best.onnx": "ONNX export of the best weights",
};

export function describeArtifact(a: Pick<ArtifactInfo, "name" | "kind">): string {
  return DESCRIBE[a.name] ?? (a.kind === "model_card" ? "Model card" : a.kind);
}

/** The weights and the ONNX export first (in that order), then the rest by name. */
export function orderArtifacts(artifacts: ArtifactInfo[]): { primary: ArtifactInfo[]; other: ArtifactInfo[] } {
  const byName = new Map(artifacts.map((a) => [a.name, a]));
  const primary = PRIMARY.map((n) => byName.get(n)).filter((a): a is ArtifactInfo => a !== undefined);
  const other = artifacts.filter((a) => !PRIMARY.includes(a.name)).sort((a, b) => a.name.localeCompare(b.name));
  return { primary, other };
}

/** The model card to render: Markdown preferred over JSON. */
export function modelCard(artifacts: ArtifactInfo[]): { artifact: ArtifactInfo; format: "markdown" | "json" } | null {
  const cards = artifacts.filter((a) => a.kind === "model_card" || /^model_card\.(md|json)$/i.test(a.name));
  const md = cards.find((a) => /\.md$/i.test(a.name));
  if (md) return { artifact: md, format: "markdown" };
  const json = cards.find((a) => /\.json$/i.test(a.name));
  return json ? { artifact: json, format: "json" } : null;
}

/** Pretty JSON for a JSON model card; the text as it is when it does not parse. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
