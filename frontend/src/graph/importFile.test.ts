import { describe, expect, it } from "vitest";
import type { Issue } from "../api/types";
import {
  checkFileSize,
  describeImported,
  describeJsonError,
  describeRefusal,
  isWorkflowFile,
  lineAndColumn,
  MAX_IMPORT_BYTES,
  parseWorkflowFile,
} from "./importFile";

const answer = { name: "Flips", upgraded_from: null, renamed_from: null, unknown_nodes: [], rebound_nodes: [] };

describe("which files are imported", () => {
  it("takes JSON by type or by name, nothing else", () => {
    expect(isWorkflowFile({ name: "flow.json", type: "" })).toBe(true);
    expect(isWorkflowFile({ name: "FLOW.JSON", type: "" })).toBe(true);
    expect(isWorkflowFile({ name: "download", type: "application/json" })).toBe(true);
    expect(isWorkflowFile({ name: "cat.png", type: "image/png" })).toBe(false);
    expect(isWorkflowFile({ name: "flow.json.txt", type: "text/plain" })).toBe(false);
  });

  it("refuses a file over the server's cap before sending it, and an empty one", () => {
    expect(checkFileSize({ name: "a.json", size: MAX_IMPORT_BYTES })).toBeNull();
    expect(checkFileSize({ name: "big.json", size: MAX_IMPORT_BYTES + 1 })).toBe(
      "“big.json” is 8.0 MB: the server takes workflow files of at most 8.0 MB.",
    );
    expect(checkFileSize({ name: "huge.json", size: 20 * 1024 * 1024 })).toContain("is 20.0 MB");
    expect(checkFileSize({ name: "none.json", size: 0 })).toBe("“none.json” is empty.");
  });
});

describe("reading the file", () => {
  it("accepts any object with a nodes list", () => {
    const result = parseWorkflowFile("a.json", '{"schema_version": 9, "nodes": [], "edges": []}');
    expect(result).toEqual({ ok: true, document: { schema_version: 9, nodes: [], edges: [] } });
  });

  it("says where the JSON breaks, in lines and columns", () => {
    const text = '{\n  "name": "x",\n  nodes: []\n}';
    const result = parseWorkflowFile("broken.json", text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^“broken\.json” is not a workflow JSON: .+ at line 3, column 3\.$/);
    expect(result.reason).not.toContain("position");
  });

  it("reads each browser's way of saying where", () => {
    const text = "{\n\n  x";
    expect(describeJsonError("Unexpected token 'x', \"{ x\" is not valid JSON at position 5", text)).toBe(
      "Unexpected token 'x', \"{ x\" is not valid JSON at line 3, column 3",
    );
    expect(describeJsonError("Expected ',' or '}' after property value in JSON at position 5 (line 3 column 3)", text)).toBe(
      "Expected ',' or '}' after property value at line 3, column 3",
    );
    expect(describeJsonError("JSON.parse: unexpected character at line 3 column 3 of the JSON data", text)).toBe(
      "unexpected character at line 3, column 3",
    );
    expect(describeJsonError("JSON Parse error: Unexpected identifier \"x\"", text)).toBe('JSON Parse error: Unexpected identifier "x"');
    expect(lineAndColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn("ab", 0)).toEqual({ line: 1, column: 1 });
  });

  it("says plainly when JSON is no workflow", () => {
    expect(parseWorkflowFile("list.json", "[1, 2]")).toEqual({
      ok: false,
      reason: "“list.json” is JSON but not a workflow: a workflow is an object with a “nodes” list.",
    });
    expect(parseWorkflowFile("package.json", '{"name": "visionflow"}')).toEqual({
      ok: false,
      reason: "“package.json” is JSON but not a workflow: it has no “nodes” list.",
    });
    expect(parseWorkflowFile("blank.json", "  \n")).toEqual({ ok: false, reason: "“blank.json” is empty." });
  });
});

describe("what the server's answer shows", () => {
  it("a plain import: its name", () => {
    expect(describeImported(answer)).toEqual({ title: "Imported “Flips”", message: "Opened it in the editor.", colour: "teal" });
  });

  it("lists each node of unknown type, points at the issues panel, and says what else changed", () => {
    const notice = describeImported({
      ...answer,
      name: "Flips (2)",
      renamed_from: "Flips",
      upgraded_from: 0,
      unknown_nodes: [{ node_id: "zap", type: "custom.zap" }],
      rebound_nodes: ["data"],
    });
    expect(notice.title).toBe("Imported “Flips (2)”");
    expect(notice.colour).toBe("orange");
    expect(notice.message).toBe(
      "1 node of unknown type: zap (custom.zap). See the issues panel: replace it before training. " +
        "Upgraded from schema version 0. This project already has a workflow named “Flips”. " +
        "1 dataset node now reads this project's images.",
    );
    const two = describeImported({
      ...answer,
      unknown_nodes: [
        { node_id: "a", type: "x.a" },
        { node_id: "b", type: "x.b" },
      ],
    });
    expect(two.message).toContain("2 nodes of unknown type: a (x.a), b (x.b). See the issues panel: replace them");
  });

  it("a refusal gives the server's reasons, with where they are", () => {
    const version: Issue = {
      code: "unsupported_schema_version",
      severity: "error",
      message: "This workflow has schema version 2, from a newer Visionflow.",
      field: "schema_version",
      node_id: null,
    };
    expect(describeRefusal(422, [version], "ignored")).toBe(
      "schema_version: This workflow has schema version 2, from a newer Visionflow.",
    );
    const many = Array.from({ length: 5 }, (_, k) => ({ ...version, field: null, node_id: `n${k}`, message: `bad ${k}.` }));
    expect(describeRefusal(422, many, "")).toBe("node n0: bad 0. node n1: bad 1. node n2: bad 2. (and 2 more)");
    expect(describeRefusal(404, [], "There is no project 'p'.")).toBe("There is no project 'p'.");
    expect(describeRefusal(413, [], "Request Entity Too Large")).toBe("The file is too large for the server (at most 8.0 MB).");
  });
});
