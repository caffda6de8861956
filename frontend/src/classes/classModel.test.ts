import { describe, expect, it } from "vitest";
import { classForKey, classHotkeys, classPatch } from "./classModel";
import type { ProjectClass } from "../api/types";

const cat: ProjectClass = { id: "c1", name: "cat", colour: "#4c6ef5", hotkey: "1", image_count: 3 };
const dog: ProjectClass = { id: "c2", name: "dog", colour: "#f03e3e", hotkey: null, image_count: 0 };

describe("class edit", () => {
  it("sends only what changed", () => {
    expect(classPatch(cat, { name: " cat ", colour: "#4C6EF5", hotkey: "1" })).toEqual({});
    expect(classPatch(cat, { name: "kitten", colour: "#4c6ef5", hotkey: "1" })).toEqual({ name: "kitten" });
    expect(classPatch(cat, { name: "cat", colour: "#FF0000", hotkey: "" })).toEqual({ colour: "#ff0000", clear_hotkey: true });
    expect(classPatch(dog, { name: "dog", colour: "#f03e3e", hotkey: "D" })).toEqual({ hotkey: "d" });
  });

  it("finds the class of a key", () => {
    expect(classForKey([cat, dog], "1")?.name).toBe("cat");
    expect(classForKey([cat, dog], "2")).toBeUndefined();
    expect(classHotkeys([cat, dog])).toEqual([["1", cat]]);
  });
});
