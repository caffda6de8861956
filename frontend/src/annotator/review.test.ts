import { describe, expect, it } from "vitest";
import type { Prediction } from "../api/types";
import type { Asset, ProjectClass } from "../api/types";
import { coverageLine, queueTrust, resolveQueue, startIndex, suggestedClass, wantedIds } from "./review";

const p = (item: number, asset_id: string | null, predicted_name = "dog"): Prediction =>
  ({ item, asset_id, predicted_name, label_name: "cat" }) as Prediction;
const asset = (id: string) => ({ id, class_id: null }) as Asset;

describe("review queue", () => {
  it("keeps the queue's order, walks an image once, and counts images no longer in the project", () => {
    const queue = [p(1, "b"), p(2, null), p(3, "a"), p(4, "b"), p(5, "gone")];
    expect([...wantedIds(queue)]).toEqual(["b", "a", "gone"]);
    const resolved = resolveQueue(queue, new Map([["a", asset("a")], ["b", asset("b")]]));
    expect(resolved.items.map((x) => x.id)).toEqual(["b", "a"]);
    expect(resolved.suggestions.get("b")?.item).toBe(1);
    expect(resolved.missing).toBe(2);
  });

  it("matches the suggestion to a project class by name and starts where asked", () => {
    const classes = [{ id: "c1", name: "cat" }, { id: "c2", name: "dog" }] as ProjectClass[];
    expect(suggestedClass(p(1, "a"), classes)?.id).toBe("c2");
    expect(suggestedClass(p(1, "a", "wolf"), classes)).toBeUndefined();
    expect(suggestedClass(undefined, classes)).toBeUndefined();
    expect(startIndex([asset("a"), asset("b")], "b")).toBe(1);
    expect(startIndex([asset("a"), asset("b")], "zzz")).toBe(0);
    expect(startIndex([asset("a")], null)).toBe(0);
  });

  it("trusts suggestions unless the server says the model is degenerate, and then says why", () => {
    expect(queueTrust({ total: 0, items: [] } as never).trusted).toBe(true);
    expect(queueTrust({ suggestions_trusted: true }).trusted).toBe(true);
    expect(queueTrust({ suggestions_trusted: false, untrusted_reason: "Every image was predicted as cat." })).toEqual({
      trusted: false,
      reason: "Every image was predicted as cat.",
    });
    expect(queueTrust({ suggestions_trusted: false }).reason).toMatch(/chance/);
    expect(coverageLine({ source: "validation", images: 40, total_labelled: 200, run_id: "r", text: "40 of 200" })).toBe("40 of 200");
    expect(coverageLine(undefined)).toBeNull();
  });
});
