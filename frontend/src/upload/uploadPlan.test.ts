import { describe, expect, it } from "vitest";
import { addTotals, countUpload, EMPTY_TOTALS, failedBatch, fileResults, flatFolderIsUnlabelled, needsConfirmation, planBatches, sortByPath, uploadPath } from "./uploadPlan";
import { runQueue } from "./queue";
import type { UploadReport } from "../api/types";

describe("upload paths", () => {
  it("keeps the folders from the dropped folder down", () => {
    expect(uploadPath({ name: "a.png", size: 1, path: "/digits/0/a.png", relativePath: "/digits/0/a.png" })).toBe("digits/0/a.png");
    expect(uploadPath({ name: "a.png", size: 1, webkitRelativePath: "photos/a.png" })).toBe("photos/a.png");
    expect(uploadPath({ name: "a.png", size: 1, path: "./a.png", relativePath: "./a.png" })).toBe("a.png");
    expect(uploadPath({ name: "a.png", size: 1 })).toBe("a.png");
    expect(uploadPath({ name: "a.png", size: 1, webkitRelativePath: "" })).toBe("a.png");
  });
});

describe("upload order", () => {
  it("sorts by folder, numbers by value", () => {
    const paths = ["d/10/a.png", "d/2/b.png", "d/2/a.png", "d/1/z.png"].map((path) => ({ path }));
    expect(sortByPath(paths).map((p) => p.path)).toEqual(["d/1/z.png", "d/2/a.png", "d/2/b.png", "d/10/a.png"]);
  });
});

describe("layout preview", () => {
  it("counts images and archives and finds the one top folder; what folders mean is the server's", () => {
    const counts = countUpload(["d/1/a.png", "d/0/b.png", "d/10/c.png", "loose.png", "more.zip"]);
    expect(counts).toMatchObject({ files: 4, zips: 1, hasFolders: true, root: "d" });
    expect(counts.imagePaths).toEqual(["d/1/a.png", "d/0/b.png", "d/10/c.png", "loose.png"]);
    expect(countUpload(["a/x.png", "b/y.png"]).root).toBeNull();
    expect(countUpload(["x.png", "y.zip"])).toMatchObject({ files: 1, zips: 1, hasFolders: false, root: null });
  });

  it("asks only when folders or archives will label images", () => {
    expect(needsConfirmation(["a.png", "b.jpg"])).toBe(false);
    expect(needsConfirmation(["a.png", "set.ZIP"])).toBe(true);
    expect(needsConfirmation(["photos/a.png"])).toBe(true);
  });
});

describe("batches", () => {
  it("caps files and bytes per batch; a big file travels alone", () => {
    const files = [5, 5, 5, 5, 5].map((size) => ({ size }));
    expect(planBatches(files, { maxFiles: 2, maxBytes: 100 }).map((b) => b.length)).toEqual([2, 2, 1]);
    const mixed = [{ size: 10 }, { size: 500 }, { size: 10 }, { size: 10 }];
    expect(planBatches(mixed, { maxFiles: 10, maxBytes: 100 }).map((b) => b.map((f) => f.size))).toEqual([[10], [500], [10, 10]]);
    expect(planBatches([], { maxFiles: 2, maxBytes: 1 })).toEqual([]);
  });

  it("runs two at a time and stops starting new ones once aborted", async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await runQueue([1, 2, 3, 4, 5], async (job) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      done.push(job);
      if (job === 3) throw new Error("a failed batch does not stop the rest");
    }, { concurrency: 2 });
    expect(most).toBe(2);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);

    const controller = new AbortController();
    const started: number[] = [];
    await runQueue([1, 2, 3, 4], (job) => {
      started.push(job);
      controller.abort();
      return Promise.resolve();
    }, { concurrency: 1, signal: controller.signal });
    expect(started).toEqual([1]);
  });
});

describe("results", () => {
  const report: UploadReport = {
    imported: [{ id: "a1", filename: "a.png", source_path: "d/0/a.png" } as UploadReport["imported"][number]],
    duplicates: [{ filename: "d/0/b.png", asset_id: "a0" }],
    rejected: [{ filename: "d/0/c.txt", reason: "Not an image." }],
    classes_created: ["0"],
    labelled: 1,
  };

  it("gives one line per file", () => {
    expect(fileResults(report)).toEqual([
      { path: "d/0/c.txt", outcome: "rejected", reason: "Not an image." },
      { path: "d/0/b.png", outcome: "duplicate", reason: "Already in the project." },
      { path: "d/0/a.png", outcome: "imported" },
    ]);
  });

  it("adds up reports and rejects a refused batch file by file", () => {
    const totals = addTotals(addTotals(EMPTY_TOTALS, report), failedBatch(["x.png", "y.png"], "Too big."));
    expect(totals).toEqual({ imported: 1, duplicates: 1, rejected: 3, labelled: 1, classesCreated: ["0"] });
  });
});

describe("a single flat folder", () => {
  it("defaults to unlabelled: one folder of images is not a class", () => {
    expect(flatFolderIsUnlabelled(["photos/a.png", "photos/b.jpg"])).toBe(true);
  });
  it("keeps folder names for class folders, split folders, archives and loose files", () => {
    expect(flatFolderIsUnlabelled(["digits/0/a.png", "digits/1/b.png"])).toBe(false);
    expect(flatFolderIsUnlabelled(["photos/a.png", "photos/cats/b.png"])).toBe(false);
    expect(flatFolderIsUnlabelled(["cats/a.png", "dogs/b.png"])).toBe(false);
    expect(flatFolderIsUnlabelled(["photos/a.png", "more.zip"])).toBe(false);
    expect(flatFolderIsUnlabelled(["a.png", "b.png"])).toBe(false);
    expect(flatFolderIsUnlabelled([])).toBe(false);
  });
});
