/** A one-glance summary of a node's parameters for the canvas: what differs from the defaults first. */
import { enumName, type ParamSchema } from "../graph/enumName";

export type { ParamSchema };

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "none";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === "boolean") return v ? "on" : "off";
  if (typeof v === "string") return v.length > 18 ? `${v.slice(0, 17)}…` : v;
  if (Array.isArray(v)) return `(${v.map(formatValue).join(", ")})`;
  return "{…}";
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}


export interface SummaryRow {
  name: string;
  /** The parameter's title ("Border"), or its name when the schema has none. */
  label: string;
  /** The value, an enum value by its name ("Reflect 101", not 4). */
  value: string;
}

function displayValue(schema: ParamSchema | undefined, v: unknown): string {
  return enumName(schema, v) ?? formatValue(v);
}

/** Up to `max` rows: changed parameters first, then the others in schema order. */
export function paramSummary(
  params: Record<string, unknown>,
  defaults: Record<string, unknown> | undefined,
  order: string[],
  max = 3,
  schemas: Record<string, ParamSchema> = {},
): SummaryRow[] {
  const names = order.length ? order.filter((n) => n in params) : Object.keys(params);
  const changed = names.filter((n) => defaults && n in defaults && !same(params[n], defaults[n]));
  const rest = names.filter((n) => !changed.includes(n));
  return [...changed, ...rest]
    .slice(0, max)
    .map((n) => ({ name: n, label: schemas[n]?.title ?? n, value: displayValue(schemas[n], params[n]) }));
}
