import { describe, expect, it } from "vitest";
import { isPairSchema, outOfRange, rangeText, toFormModel } from "./formModel";

type S = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const pair = { maxItems: 2, minItems: 2, prefixItems: [{ type: "number" }, { type: "number" }], type: "array" };
const intPair = { maxItems: 2, minItems: 2, prefixItems: [{ type: "integer" }, { type: "integer" }], type: "array" };

// Shapes as the catalogue sends them (pydantic / albumentations InitSchema).
const schema = {
  title: "RandomBrightnessContrast",
  type: "object",
  additionalProperties: false,
  required: ["p"],
  properties: {
    p: { default: 0.5, maximum: 1, minimum: 0, title: "P", type: "number", description: "Probability." },
    imgsz: { default: 224, maximum: 1280, minimum: 32, multipleOf: 32, title: "Input size (px)", type: "integer" },
    mode: { default: "letterbox", enum: ["stretch", "letterbox"], title: "Mode", type: "string" },
    stratified: { default: true, title: "Stratified", type: "boolean" },
    brightness_limit: { anyOf: [pair, { type: "number" }], default: [-0.2, 0.2], title: "Brightness Limit" },
    hole_range: { anyOf: [pair, intPair], title: "Hole Range" },
    project_id: { anyOf: [{ type: "string" }, { type: "null" }], default: null, title: "Project" },
    limit: { anyOf: [{ exclusiveMinimum: 0, maximum: 1000, type: "number" }, { type: "null" }], default: null, title: "Limit" },
    fill_mask: { anyOf: [{ items: { type: "number" }, type: "array" }, { type: "number" }, { type: "null" }], default: null, title: "Fill Mask" },
    range_only: { ...intPair, title: "Num Holes Range" },
    anything: { title: "Anything" },
    kind: { $ref: "#/$defs/Kind", default: "a" },
  },
  $defs: { Kind: { enum: ["a", "b"], type: "string", title: "Kind" } },
};

describe("toFormModel", () => {
  // TypeScript 7 reads rjsf's UiSchema entries as `unknown` where the linter's TypeScript 6 reads `any`: keep the cast.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  const { schema: out, uiSchema: ui } = toFormModel(schema) as { schema: S; uiSchema: S };
  const props = out.properties as S;

  it("keeps plain fields, drops the model title, hides the submit button", () => {
    expect(out.title).toBeUndefined();
    expect(out.required).toEqual(["p"]);
    expect(Object.keys(props)).toEqual(Object.keys(schema.properties));
    expect(props.p).toMatchObject({ type: "number", minimum: 0, maximum: 1, default: 0.5 });
    expect(props.mode.enum).toEqual(["stretch", "letterbox"]);
    expect(props.stratified.type).toBe("boolean");
    expect(ui["ui:submitButtonOptions"]).toEqual({ norender: true });
  });

  it("adds range and step help to numbers", () => {
    expect(ui.p["ui:help"]).toBe("0 – 1");
    expect(ui.imgsz["ui:help"]).toBe("32 – 1280, step 32");
  });

  it("turns prefixItems tuples into fixed pairs", () => {
    expect(props.range_only).toMatchObject({ type: "array", items: [{ type: "integer" }, { type: "integer" }], minItems: 2, maxItems: 2 });
    expect(props.range_only.prefixItems).toBeUndefined();
    expect(isPairSchema(props.range_only)).toBe(true);
  });

  it("titles union options: pair as Range, number as Value; duplicates get their kind", () => {
    expect(props.brightness_limit.anyOf.map((o: S) => o.title)).toEqual(["Range", "Value"]);
    expect(isPairSchema(props.brightness_limit.anyOf[0])).toBe(true);
    expect(props.brightness_limit.default).toEqual([-0.2, 0.2]);
    expect(props.hole_range.anyOf.map((o: S) => o.title)).toEqual(["Range (number)", "Range (integer)"]);
    expect(ui.brightness_limit.anyOf).toHaveLength(2);
    expect(ui.brightness_limit["ui:widget"]).toBe("segments");
    expect(ui.brightness_limit.anyOf[0]["ui:label"]).toBe(false);
  });

  it("folds a nullable scalar into one input whose empty value is null", () => {
    expect(props.project_id).toMatchObject({ type: ["string", "null"], title: "Project", default: null });
    expect(props.project_id.anyOf).toBeUndefined();
    expect(ui.project_id["ui:emptyValue"]).toBeNull();
    expect(props.limit).toMatchObject({ type: ["number", "null"], exclusiveMinimum: 0, maximum: 1000 });
    expect(ui.limit["ui:help"]).toBe("> 0, ≤ 1000");
  });

  it("keeps a None option for nullable unions of several kinds", () => {
    expect(props.fill_mask.anyOf.map((o: S) => o.title)).toEqual(["List", "Value", "None"]);
  });

  it("inlines $refs and falls back to JSON for untyped fields", () => {
    expect(props.kind).toMatchObject({ enum: ["a", "b"], type: "string", default: "a" });
    expect(ui.anything["ui:field"]).toBe("json");
  });

  it("copes with an empty or missing schema", () => {
    expect(toFormModel(undefined).schema).toEqual({ type: "object", properties: {}, required: [] });
    expect(toFormModel({ type: "object" }).schema.properties).toEqual({});
  });
});

describe("range helpers", () => {
  it("describes bounds", () => {
    expect(rangeText({ minimum: 1 })).toBe("≥ 1");
    expect(rangeText({ exclusiveMaximum: 5 })).toBe("< 5");
    expect(rangeText({ type: "number" })).toBeNull();
    expect(rangeText({ minimum: 0.05, maximum: 0.5 })).toBe("0.05 – 0.5");
  });

  it("detects out-of-range numbers only", () => {
    const s = { minimum: 0, maximum: 1 };
    expect(outOfRange(s, 1.5)).toBe(true);
    expect(outOfRange(s, -0.1)).toBe(true);
    expect(outOfRange(s, 0.5)).toBe(false);
    expect(outOfRange(s, "x")).toBe(false);
    expect(outOfRange({ exclusiveMinimum: 0 }, 0)).toBe(true);
  });
});

describe("form data helpers", async () => {
  const { sameJson, withDefaults } = await import("./formModel");
  it("compares JSON values regardless of key order", () => {
    expect(sameJson({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1, x: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });
  it("shows defaults under the node's own params", () => {
    expect(withDefaults({ p: 1 }, { p: 0.5, q: 2 })).toEqual({ p: 1, q: 2 });
    expect(withDefaults(undefined, undefined)).toEqual({});
  });
  it("names null in enums None", () => {
    const m = toFormModel({ properties: { w: { enum: [null], type: ["string", "null"] }, b: { enum: [0, 1], type: "integer" } } });
    const ui = m.uiSchema as S; // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- as above
    expect(ui.w["ui:enumNames"]).toEqual(["None"]);
    expect(ui.b["ui:enumNames"]).toEqual(["0", "1"]);
  });
});

describe("readable catalogue schemas", () => {
  const border = {
    default: 0,
    enum: [0, 1, 4],
    "x-enum-names": ["Constant (fill)", "Replicate edge", "Reflect 101"],
    description: "How the uncovered area is filled.",
    "x-full-help": "Flag that is used to specify the pixel extrapolation method. Should be one of: cv2.BORDER_CONSTANT…",
    title: "Border",
    type: "integer",
  };
  const m = toFormModel({ properties: { border_mode: border, bad: { enum: [0, 1], "x-enum-names": ["only one"], type: "integer" } } });
  const ui = m.uiSchema as S; // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- as above
  it("names enum values from x-enum-names: cv2 flags as words", () => {
    expect(ui.border_mode["ui:enumNames"]).toEqual(["Constant (fill)", "Replicate edge", "Reflect 101"]);
    expect(ui.bad["ui:enumNames"]).toEqual(["0", "1"]); // a names list that does not fit is ignored
  });
  it("keeps the short help as the description and the full text for the 'more' toggle", async () => {
    const { fullHelp } = await import("./formModel");
    const shown = (m.schema.properties as S).border_mode as S;
    expect(shown.description).toBe("How the uncovered area is filled.");
    expect(fullHelp(shown)).toMatch(/^Flag that is used/);
    expect(fullHelp({ description: "Same.", "x-full-help": "Same." })).toBeUndefined();
    expect(fullHelp({ description: "Short." })).toBeUndefined();
  });
  it("keeps the full help of a union's option picker", () => {
    const union = toFormModel({ properties: { fill: { anyOf: [{ type: "number" }, { type: "string" }], description: "Fill.", "x-full-help": "Long fill text." } } });
    const ui = union.uiSchema as S; // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- as above
    expect((ui.fill["ui:options"] as S).unionFullHelp).toBe("Long fill text.");
  });
});
