/** A run's files: which to offer as download buttons, and which one is its model card. */
import type { ArtifactInfo } from "../api/types";

const PRIMARY = ["best.pt", "last.pt", "best.onnx", "best.int8.onnx"];

const DESCRIBE: Record<string, string> = {
  "best.pt": "PyTorch weights of the best epoch",
  "last.pt": "PyTorch weights of the last epoch (to resume from)",
  "best.onnx": "ONNX export of the best weights",
  "best.int8.onnx": "int8 ONNX (static quantization), kept because it answers as the fp32 ONNX does",
};

export function describeArtifact(a: Pick<ArtifactInfo, "name" | "kind">): string {
  return DESCRIBE[a.name] ?? (a.kind === "model_card" ? "Model card" : a.kind);
}

/** The weights and the ONNX exports first (in that order), then the rest by name. */
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

/** What the model card says of the int8 ONNX: latency against fp32 and agreement, or why there is none. */
export interface Int8Summary {
  kept: boolean;
  int8P50: number | null;
  fp32P50: number | null;
  ratio: number | null;
  agreement: number | null;
  reason: string | null;
}

/** The int8 part of a JSON model card's text; null when the card has none (older runs, failed export). */
export function int8Summary(cardText: string | undefined): Int8Summary | null {
  if (!cardText) return null;
  let card: unknown;
  try {
    card = JSON.parse(cardText);
  } catch {
    return null;
  }
  const int8 = (card as { exports?: { onnx_int8?: Record<string, unknown> } })?.exports?.onnx_int8;
  if (!int8 || typeof int8 !== "object") return null;
  const latency = (int8.latency_ms ?? {}) as Record<string, { p50?: unknown } | undefined>;
  const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : null);
  return {
    kept: int8.kept === true,
    int8P50: num(latency.int8?.p50),
    fp32P50: num(latency.fp32?.p50),
    ratio: num(int8.int8_over_fp32_p50),
    agreement: num(int8.top1_agreement),
    reason: typeof int8.reason === "string" ? int8.reason : null,
  };
}

/** One line for the run page: "int8 p50 3.1 ms vs fp32 4.4 ms (0.70×), top-1 agreement 100.0 %". */
export function describeInt8(summary: Int8Summary): string {
  const timing =
    summary.int8P50 !== null && summary.fp32P50 !== null
      ? `int8 p50 ${summary.int8P50.toFixed(2)} ms vs fp32 ${summary.fp32P50.toFixed(2)} ms` +
        (summary.ratio !== null ? ` (${summary.ratio.toFixed(2)}×)` : "")
      : "int8 latency not measured";
  if (!summary.kept) return `No int8 ONNX: ${summary.reason ?? "not kept"}. ${timing}.`;
  const agreement = summary.agreement !== null ? `, top-1 agreement with fp32 ${(summary.agreement * 100).toFixed(1)} %` : "";
  return `${timing}${agreement} (batch 1, this machine)`;
}
