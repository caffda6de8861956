import { describe, expect, it } from "vitest";
import { isTyping, shortcuts } from "./keys";

describe("shortcut keys", () => {
  it("knows text fields from other controls", () => {
    expect(isTyping({ tagName: "INPUT", type: "text" })).toBe(true);
    expect(isTyping({ tagName: "INPUT" })).toBe(true);
    expect(isTyping({ tagName: "INPUT", type: "search" })).toBe(true);
    expect(isTyping({ tagName: "INPUT", type: "radio" })).toBe(false);
    expect(isTyping({ tagName: "INPUT", type: "checkbox" })).toBe(false);
    expect(isTyping({ tagName: "INPUT", type: "text", readOnly: true })).toBe(false);
    expect(isTyping({ tagName: "TEXTAREA" })).toBe(true);
    expect(isTyping({ tagName: "DIV", isContentEditable: true })).toBe(true);
    expect(isTyping({ tagName: "BUTTON" })).toBe(false);
    expect(isTyping(null)).toBe(false);
  });

  it("runs only when enabled and not typing, and then prevents the default", () => {
    let runs = 0;
    const event = (tagName: string) => {
      const e = { target: { tagName, type: "text" }, prevented: false, preventDefault() { this.prevented = true; } };
      return e as unknown as KeyboardEvent & { prevented: boolean };
    };
    const [[key, handler, options]] = shortcuts([["1", () => runs++]]);
    expect(key).toBe("1");
    expect(options).toEqual({ preventDefault: false });
    const onDiv = event("DIV");
    handler(onDiv);
    expect([runs, onDiv.prevented]).toEqual([1, true]);
    const inField = event("INPUT");
    handler(inField);
    expect([runs, inField.prevented]).toEqual([1, false]);
    const [[, disabled]] = shortcuts([["1", () => runs++]], false);
    disabled(event("DIV"));
    expect(runs).toBe(1);
  });
});
