/** A one-glance summary of a node's parameters for the canvas: what differs from the defaults first. */

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

/** Up to `max` [name, value] pairs: changed parameters first, then the others in schema order. */
export function paramSummary(
  params: Record<string, unknown>,
  defaults: Record<string, unknown> | undefined,
  order: string[],
  max = 3,
): [string, string][] {
  const names = order.length ? order.filter((n) => n in params) : Object.keys(params);
  const changed = names.filter((n) => defaults && n in defaults && !same(params[n], defaults[n]));
  const rest = names.filter((n) => !changed.includes(n));
  return [...changed, ...rest].slice(0, max).map((n) => [n, formatValue(params[n])]);
}
