import { describe, expect, it } from "vitest";
import type { Asset } from "../api/types";
import { appendPage, EMPTY_LIST, nextOffset, nextUnlabelled, nextUnlabelledAfter, pushUndo, sessionLength, withLabel } from "./session";

const asset = (id: string, class_id: string | null = null) => ({ id, class_id }) as Asset;

describe("annotation session", () => {
  it("appends pages without repeating an image and knows when the server has no more", () => {
    let list = appendPage(EMPTY_LIST, { items: [asset("a"), asset("b")], total: 5 }, 0, 2);
    expect(list.exhausted).toBe(false);
    expect(sessionLength(list)).toBe(5);
    list = appendPage(list, { items: [asset("b"), asset("c")], total: 5 }, 1, 2);
    expect(list.items.map((a) => a.id)).toEqual(["a", "b", "c"]);
    list = appendPage(list, { items: [asset("d")], total: 4 }, 3, 2);
    expect(list.exhausted).toBe(true);
    expect(sessionLength(list)).toBe(4);
  });

  it("shrinks the next offset by the images labelled out of an 'unlabelled' filter", () => {
    const items = [asset("a", "c1"), asset("b"), asset("c", "c2")];
    expect(nextOffset(items, { kind: "unlabelled" })).toBe(1);
    expect(nextOffset(items, { kind: "all" })).toBe(3);
    expect(nextOffset(items, { kind: "class", classId: "c1" })).toBe(1);
  });

  it("keeps an image in place when its label changes", () => {
    const list = withLabel({ items: [asset("a"), asset("b")], exhausted: true, remaining: 0 }, "b", "c1");
    expect(list.items.map((a) => [a.id, a.class_id])).toEqual([["a", null], ["b", "c1"]]);
  });

  it("finds the next unlabelled image, wrapping round", () => {
    const items = [asset("a"), asset("b", "x"), asset("c", "x"), asset("d")];
    expect(nextUnlabelled(items, 0)).toBe(3);
    expect(nextUnlabelled(items, 3)).toBe(0);
    expect(nextUnlabelledAfter(items, 3)).toBe(-1);
    expect(nextUnlabelled([asset("a", "x")], 0)).toBe(-1);
    expect(nextUnlabelled(items, -1)).toBe(0);
  });

  it("records changes to undo, not no-ops, and keeps the stack bounded", () => {
    let stack = pushUndo([], { assetId: "a", before: null, after: "x" });
    stack = pushUndo(stack, { assetId: "a", before: "x", after: "x" });
    expect(stack).toHaveLength(1);
    for (let i = 0; i < 300; i++) stack = pushUndo(stack, { assetId: String(i), before: null, after: "x" });
    expect(stack).toHaveLength(200);
    expect(stack[199].assetId).toBe("299");
  });
});
