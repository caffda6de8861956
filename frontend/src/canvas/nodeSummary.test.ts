import { describe, expect, it } from "vitest";
import { formatValue, paramSummary } from "./nodeSummary";

describe("paramSummary", () => {
  it("puts changed parameters first, in schema order, up to the limit", () => {
    const params = { p: 0.5, limit: [-0.3, 0.3], mode: "a", strict: false };
    const defaults = { p: 0.5, limit: [-0.2, 0.2], mode: "a", strict: false };
    expect(paramSummary(params, defaults, ["p", "limit", "mode", "strict"], 3).map((r) => [r.name, r.value])).toEqual([
      ["limit", "(-0.3, 0.3)"],
      ["p", "0.5"],
      ["mode", "a"],
    ]);
  });

  it("reads titles and enum value names from the schema", () => {
    const schemas = { border_mode: { title: "Border", enum: [0, 4], "x-enum-names": ["Constant (fill)", "Reflect 101"] }, p: { title: "Probability" } };
    expect(paramSummary({ p: 1, border_mode: 4, other: "x" }, undefined, [], 3, schemas)).toEqual([
      { name: "p", label: "Probability", value: "1" },
      { name: "border_mode", label: "Border", value: "Reflect 101" },
      { name: "other", label: "other", value: "x" },
    ]);
  });

  it("formats values compactly", () => {
    expect(formatValue(null)).toBe("none");
    expect(formatValue(true)).toBe("on");
    expect(formatValue(0.123456)).toBe("0.1235");
    expect(formatValue({ a: 1 })).toBe("{…}");
    expect(formatValue("a very long string value here")).toBe("a very long strin…");
  });
});
