/** Templates in the order a person should consider them for their data: the server's recommendation first, then
 * by how well each fits. The fit itself (score, fitted input size, wording) is the server's; this only orders and
 * words the score. */
import type { Template, TemplateFit } from "../api/types";

export const RECOMMENDED_LABEL = "Recommended for your data";

/** Recommended first, then higher score; templates without a fit keep the server's order, after those with one. */
export function sortByFit(templates: Template[]): Template[] {
  const rank = (t: Template) => (t.fit ? (t.fit.recommended ? 2 : 1) : 0);
  return templates
    .map((t, order) => ({ t, order }))
    .sort((a, b) => rank(b.t) - rank(a.t) || (b.t.fit?.score ?? 0) - (a.t.fit?.score ?? 0) || a.order - b.order)
    .map(({ t }) => t);
}

/** The one template to highlight, if the server recommended one. */
export function recommendedId(templates: Template[]): string | null {
  return templates.find((t) => t.fit?.recommended)?.id ?? null;
}

export type FitLevel = "good" | "fair" | "poor";

/** The score in words and colour, for the card's badge. */
export function fitLevel(fit: TemplateFit): FitLevel {
  if (fit.score >= 0.75) return "good";
  if (fit.score >= 0.45) return "fair";
  return "poor";
}

export function fitLabel(fit: TemplateFit): string {
  const pct = Math.round(Math.min(1, Math.max(0, fit.score)) * 100);
  return `${fitLevel(fit)} fit · ${pct}%`;
}

export const FIT_COLOURS: Record<FitLevel, string> = { good: "teal", fair: "yellow", poor: "gray" };

/** True when the workflow will train at another input size than the template names. */
export function sizeAdapted(fit: TemplateFit): boolean {
  return fit.imgsz !== fit.template_imgsz;
}
