/** The catalogue's name for an enum value (`x-enum-names`, one per `enum` value: cv2 flags as words), looked up in a
 * parameter's schema or in one of its `anyOf` branches ("Fill value": a number, a list, or "random_uniform" → "Random
 * uniform"). One lookup for everything that shows a value on its own: the canvas summary, the version diff. */

/** What the lookup reads of a parameter's JSON schema (the catalogue's `params_schema.properties`). */
export interface ParamSchema {
  title?: string;
  enum?: unknown[];
  "x-enum-names"?: string[];
  anyOf?: ParamSchema[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function enumName(schema: ParamSchema | undefined, value: unknown): string | undefined {
  if (!schema) return undefined;
  const index = Array.isArray(schema.enum) ? schema.enum.findIndex((e) => sameValue(e, value)) : -1;
  const named = index >= 0 ? schema["x-enum-names"]?.[index] : undefined;
  if (named) return named;
  for (const branch of schema.anyOf ?? []) {
    const inBranch = enumName(branch, value);
    if (inBranch) return inBranch;
  }
  return undefined;
}
