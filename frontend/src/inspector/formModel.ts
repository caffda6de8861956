/** Catalogue params_schema (pydantic / albumentations JSON Schema) → a schema and uiSchema rjsf renders well.
 *
 * Pure and generic: nothing here knows a node type or a parameter name. It
 *  - inlines `$ref`s, unwraps single `allOf`s,
 *  - turns `prefixItems` tuples into draft-07 `items` arrays (rjsf does not read `prefixItems`),
 *  - folds a nullable `anyOf [X, null]` of a scalar into `type: [X, "null"]` (empty input = null),
 *  - titles the options of a remaining `anyOf`/`oneOf` so the option picker reads well,
 *  - names enum values from the catalogue's `x-enum-names` (the full help, `x-full-help`, stays on the schema),
 *  - adds range / step help to numbers and pairs.
 */
type S = Record<string, unknown>;

export interface FormModel {
  schema: S;
  uiSchema: S;
}

const SCALARS = new Set(["number", "integer", "string", "boolean"]);
const MAX_DEPTH = 12;

function isObj(v: unknown): v is S {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeOf(s: S): string | undefined {
  if (typeof s.type === "string") return s.type;
  if (Array.isArray(s.type)) return (s.type as string[]).find((t) => t !== "null");
  if (Array.isArray(s.enum)) return "enum";
  return undefined;
}

function isNullSchema(s: S): boolean {
  return s.type === "null" || (Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null) || s.const === null;
}

/** The catalogue's names for an enum's values (`x-enum-names`, one per value), e.g. cv2 flags as words. */
export function enumNames(s: S): string[] | null {
  const names = s["x-enum-names"];
  if (!Array.isArray(s.enum) || !Array.isArray(names) || names.length !== s.enum.length) return null;
  return names.map((n) => String(n as string));
}

/** The whole docstring text behind a short description (`x-full-help`), for the "more" toggle; undefined if none. */
export function fullHelp(s: S | undefined): string | undefined {
  const text = s?.["x-full-help"];
  return typeof text === "string" && text.trim() && text !== s?.description ? text : undefined;
}

/** A fixed array of exactly two numbers: shown as a (min, max) pair. */
export function isPairSchema(s: S): boolean {
  if (typeOf(s) !== "array" || !Array.isArray(s.items) || s.items.length !== 2) return false;
  return (s.items as S[]).every((i) => isObj(i) && (i.type === "number" || i.type === "integer"));
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/** "0 – 1", "≥ 0", "< 10", plus "step 32" for multipleOf. Null when the number is unbounded. */
export function rangeText(s: S): string | null {
  const lo = typeof s.minimum === "number" ? s.minimum : typeof s.exclusiveMinimum === "number" ? s.exclusiveMinimum : null;
  const hi = typeof s.maximum === "number" ? s.maximum : typeof s.exclusiveMaximum === "number" ? s.exclusiveMaximum : null;
  const loEx = typeof s.minimum !== "number" && lo !== null;
  const hiEx = typeof s.maximum !== "number" && hi !== null;
  const parts: string[] = [];
  if (lo !== null && hi !== null && !loEx && !hiEx) parts.push(`${fmt(lo)} – ${fmt(hi)}`);
  else {
    if (lo !== null) parts.push(`${loEx ? ">" : "≥"} ${fmt(lo)}`);
    if (hi !== null) parts.push(`${hiEx ? "<" : "≤"} ${fmt(hi)}`);
  }
  if (typeof s.multipleOf === "number") parts.push(`step ${fmt(s.multipleOf)}`);
  return parts.length ? parts.join(", ") : null;
}

/** Whether a number lies outside the schema's bounds (for an immediate hint; the server has the last word). */
export function outOfRange(s: S, value: unknown): boolean {
  if (typeof value !== "number") return false;
  if (typeof s.minimum === "number" && value < s.minimum) return true;
  if (typeof s.maximum === "number" && value > s.maximum) return true;
  if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) return true;
  if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) return true;
  return false;
}

export function variantTitle(s: S): string {
  if (typeof s.title === "string" && s.title) return s.title;
  if (isNullSchema(s)) return "None";
  if (isPairSchema(s)) return "Range";
  const t = typeOf(s);
  if (t === "enum" || (t === "string" && Array.isArray(s.enum))) return "Choice";
  switch (t) {
    case "number":
    case "integer":
      return "Value";
    case "string":
      return "Text";
    case "boolean":
      return "On / off";
    case "array":
      return "List";
    case "object":
      return "Per key";
    default:
      return "Other";
  }
}

function variantKind(s: S): string {
  if (isPairSchema(s)) return ((s.items as S[])[0].type as string) ?? "number";
  return typeOf(s) ?? "value";
}

interface Converted {
  schema: S;
  ui: S;
}

class Converter {
  private readonly defs: S;

  constructor(root: S) {
    this.defs = { ...(isObj(root.definitions) ? root.definitions : {}), ...(isObj(root.$defs) ? root.$defs : {}) };
  }

  private resolve(s: S, depth: number): S {
    let out = s;
    for (let i = 0; i < MAX_DEPTH && typeof out.$ref === "string"; i++) {
      const name = out.$ref.split("/").pop() ?? "";
      const target = this.defs[name];
      const { $ref: _ref, ...siblings } = out;
      out = isObj(target) ? { ...target, ...siblings } : siblings;
    }
    if (Array.isArray(out.allOf) && out.allOf.length === 1 && isObj(out.allOf[0]) && depth < MAX_DEPTH) {
      const { allOf, ...rest } = out;
      out = { ...this.resolve(allOf[0] as S, depth + 1), ...rest };
    }
    return out;
  }

  convert(input: S, depth = 0): Converted {
    if (depth > MAX_DEPTH) return { schema: {}, ui: {} };
    const s = this.resolve(input, depth);
    const union = (Array.isArray(s.anyOf) ? "anyOf" : Array.isArray(s.oneOf) ? "oneOf" : null);
    if (union) return this.convertUnion(s, union, depth);

    const schema: S = { ...s };
    // The Mantine theme passes unknown ui options to its inputs as props: one compact size everywhere.
    const ui: S = { "ui:size": "xs" };
    delete schema.$defs;
    delete schema.definitions;

    if (Array.isArray(s.prefixItems)) {
      const items = (s.prefixItems as S[]).map((p) => this.convert(p, depth + 1));
      delete schema.prefixItems;
      schema.type = "array";
      schema.items = items.map((i) => i.schema);
      schema.minItems ??= items.length;
      schema.maxItems ??= items.length;
    } else if (isObj(s.items)) {
      const item = this.convert(s.items, depth + 1);
      schema.items = item.schema;
      if (Object.keys(item.ui).length) ui.items = item.ui;
    } else if (Array.isArray(s.items)) {
      schema.items = (s.items as S[]).map((p) => this.convert(p, depth + 1).schema);
    }

    if (isObj(s.properties)) {
      const props: S = {};
      for (const [name, prop] of Object.entries(s.properties)) {
        const c = this.convert(prop as S, depth + 1);
        props[name] = c.schema;
        if (Object.keys(c.ui).length) ui[name] = c.ui;
      }
      schema.properties = props;
    }
    if (isObj(s.additionalProperties)) schema.additionalProperties = this.convert(s.additionalProperties, depth + 1).schema;

    const names = enumNames(schema);
    if (names) ui["ui:enumNames"] = names;
    else if (Array.isArray(schema.enum) && schema.enum.some((v) => v === null || typeof v !== "string")) {
      ui["ui:enumNames"] = (schema.enum as unknown[]).map((v) => (v === null ? "None" : String(v as string | number | boolean)));
    }
    const t = typeOf(schema);
    if (t === "number" || t === "integer") {
      const help = rangeText(schema);
      if (help) ui["ui:help"] = help;
    } else if (isPairSchema(schema)) {
      const help = rangeText((schema.items as S[])[0]);
      if (help) ui["ui:help"] = `each ${help}`;
    } else if (!t && !Array.isArray(s.enum) && s.const === undefined) {
      ui["ui:field"] = "json";
    }
    return { schema, ui };
  }

  private convertUnion(s: S, key: "anyOf" | "oneOf", depth: number): Converted {
    const { [key]: variantsRaw, ...outer } = s;
    const variants = (variantsRaw as S[]).map((v) => this.resolve(v, depth + 1));
    const nullable = variants.some(isNullSchema);
    const rest = variants.filter((v) => !isNullSchema(v));

    if (rest.length === 1) {
      const inner = this.convert(rest[0], depth + 1);
      const schema: S = { ...inner.schema, ...outer };
      const ui: S = { ...inner.ui };
      const t = typeOf(inner.schema);
      if (nullable && t && SCALARS.has(t) && !Array.isArray(inner.schema.enum)) {
        schema.type = [t, "null"];
        ui["ui:emptyValue"] = null;
        ui["ui:placeholder"] = "None";
      } else if (nullable) {
        return this.titledUnion(outer, [inner, { schema: { type: "null" }, ui: {} }], key);
      }
      return { schema, ui };
    }
    const converted = rest.map((v) => this.convert(v, depth + 1));
    if (nullable) converted.push({ schema: { type: "null" }, ui: {} });
    return this.titledUnion(outer, converted, key);
  }

  private titledUnion(outer: S, options: Converted[], key: "anyOf" | "oneOf"): Converted {
    const titles = options.map((o) => variantTitle(o.schema));
    const counts = new Map<string, number>();
    for (const t of titles) counts.set(t, (counts.get(t) ?? 0) + 1);
    const schemas = options.map((o, i) => {
      const title = counts.get(titles[i])! > 1 ? `${titles[i]} (${variantKind(o.schema)})` : titles[i];
      return { ...o.schema, title };
    });
    return {
      schema: { ...outer, [key]: schemas },
      ui: {
        "ui:widget": "segments",
        ...(typeof outer.description === "string" ? { "ui:options": { unionHelp: outer.description, unionFullHelp: fullHelp(outer) } } : {}),
        [key]: options.map((o) => ({ ...o.ui, "ui:label": false })) },
    };
  }
}

/** The rjsf schema and uiSchema for a node's parameters. */
export function toFormModel(paramsSchema: S | null | undefined): FormModel {
  const root = isObj(paramsSchema) ? paramsSchema : {};
  const converter = new Converter(root);
  const schema: S = { type: "object", properties: {}, required: Array.isArray(root.required) ? root.required : [] };
  const uiSchema: S = { "ui:submitButtonOptions": { norender: true } };
  const props = isObj(root.properties) ? root.properties : {};
  for (const [name, prop] of Object.entries(props)) {
    if (!isObj(prop)) continue;
    const c = converter.convert(prop);
    (schema.properties as S)[name] = c.schema;
    if (Object.keys(c.ui).length) uiSchema[name] = c.ui;
  }
  return { schema, uiSchema };
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObj(v)) {
    const out: S = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = canonical(v[k]);
    return out;
  }
  return v;
}

/** Deep equality of JSON values, ignoring key order and undefined members. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** What the form shows: the catalogue defaults, overridden by the node's own params. */
export function withDefaults(params: S | undefined, defaults: S | undefined): S {
  return { ...(defaults ?? {}), ...(params ?? {}) };
}

/** Number of top-level parameters, for the inspector's empty state. */
export function paramCount(paramsSchema: S | null | undefined): number {
  return isObj(paramsSchema) && isObj(paramsSchema.properties) ? Object.keys(paramsSchema.properties).length : 0;
}
