import { describe, expect, it } from "vitest";
import { clickSelect, EMPTY_SELECTION, pageState, togglePage, without, type Selection } from "./selection";

const page = ["a", "b", "c", "d", "e"];
const ids = (s: { ids: ReadonlySet<string> }) => [...s.ids].sort();

describe("grid selection", () => {
  it("toggles one image per click", () => {
    let s = clickSelect(EMPTY_SELECTION, page, "b", false);
    expect(ids(s)).toEqual(["b"]);
    s = clickSelect(s, page, "d", false);
    expect(ids(s)).toEqual(["b", "d"]);
    s = clickSelect(s, page, "b", false);
    expect(ids(s)).toEqual(["d"]);
    expect(s.anchor).toBe("b");
  });

  it("adds a range on shift-click, in either direction", () => {
    let s = clickSelect(EMPTY_SELECTION, page, "b", false);
    s = clickSelect(s, page, "d", true);
    expect(ids(s)).toEqual(["b", "c", "d"]);
    s = clickSelect(clickSelect(EMPTY_SELECTION, page, "e", false), page, "c", true);
    expect(ids(s)).toEqual(["c", "d", "e"]);
  });

  it("treats shift-click without an anchor on the page as a click", () => {
    const s = clickSelect({ ids: new Set(["x"]), anchor: "x" }, page, "c", true);
    expect(ids(s)).toEqual(["c", "x"]);
  });

  it("selects and clears the page, keeping other pages' ids", () => {
    let s: Selection = { ids: new Set(["z", "a"]), anchor: null };
    expect(pageState(s, page)).toBe("some");
    s = togglePage(s, page);
    expect(pageState(s, page)).toBe("all");
    expect(ids(s)).toEqual(["a", "b", "c", "d", "e", "z"]);
    s = togglePage(s, page);
    expect(ids(s)).toEqual(["z"]);
    expect(pageState(s, page)).toBe("none");
  });

  it("forgets deleted images", () => {
    const s = without({ ids: new Set(["a", "b"]), anchor: "a" }, ["a"]);
    expect(ids(s)).toEqual(["b"]);
    expect(s.anchor).toBeNull();
  });
});
