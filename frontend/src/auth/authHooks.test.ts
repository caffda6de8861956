import { QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadCachedEvents, saveCachedEvents } from "../runs/eventCache";
import type { RunEvent } from "../api/types";
import { authKeys, dropOtherPeoplesData } from "./authHooks";

/** sessionStorage as a browser tab has it (the tests run in node, which has none). */
function fakeSessionStorage(): Map<string, string> {
  const items = new Map<string, string>();
  vi.stubGlobal("sessionStorage", {
    get length() {
      return items.size;
    },
    key: (i: number) => [...items.keys()][i] ?? null,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  });
  return items;
}

afterEach(() => vi.unstubAllGlobals());

describe("a new person in the tab (login, logout)", () => {
  it("sees nothing cached for the previous one: queries and a run's events", () => {
    const items = fakeSessionStorage();
    items.set("unrelated", "kept");
    saveCachedEvents("r1", [{ seq: 0 } as RunEvent]);
    const qc = new QueryClient();
    qc.setQueryData(["projects"], [{ id: "p1" }]);
    qc.setQueryData(authKeys.tokens, []);
    qc.setQueryData(authKeys.config, { auth: true });

    dropOtherPeoplesData(qc);

    expect(loadCachedEvents("r1")).toEqual([]);
    expect(items.get("unrelated")).toBe("kept");
    expect(qc.getQueryData(["projects"])).toBeUndefined();
    expect(qc.getQueryData(authKeys.tokens)).toBeUndefined();
    expect(qc.getQueryData(authKeys.config)).toEqual({ auth: true });
  });
});
