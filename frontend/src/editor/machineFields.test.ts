import { describe, expect, it } from "vitest";
import { deviceOptions, fromBeforeDeviceChoice, MACHINE_WIDGET, withMachineWidgets, workerOptions } from "./machineFields";

describe("machine choices of the Run Training dialog", () => {
  it("offers Auto first, then the CPU and GPUs by number", () => {
    const values = deviceOptions("auto").map((o) => o.value);
    expect(values).toEqual(["auto", "cpu", "cuda:0", "cuda:1", "cuda:2", "cuda:3"]);
    expect(deviceOptions("cuda:7").at(-1)).toEqual({ value: "cuda:7", label: "cuda:7" });
  });

  it("offers Auto (null) or a number of workers, keeping an earlier number", () => {
    expect(workerOptions(null)[0].value).toBeNull();
    expect(workerOptions(3).map((o) => o.value)).toEqual([null, 0, 1, 2, 4, 8, 16, 3]);
    expect(workerOptions(4)).toHaveLength(7);
  });

  it("draws only the fields the schema has as pick lists", () => {
    const ui = withMachineWidgets({ device: { "ui:size": "xs" } }, ["device", "epochs"], { device: "cpu" });
    expect(ui.device).toMatchObject({ "ui:size": "xs", "ui:widget": MACHINE_WIDGET });
    expect(ui.workers).toBeUndefined();
    const both = withMachineWidgets({ workers: { "ui:help": "0 – 32", "ui:size": "xs" } }, ["device", "workers"], {});
    expect(both.workers).toEqual({ "ui:size": "xs", "ui:widget": MACHINE_WIDGET, "ui:options": { choices: workerOptions(undefined) } });
  });

  it("drops the old defaults from settings remembered before the device choice", () => {
    expect(fromBeforeDeviceChoice({ device: "cpu", workers: 1, epochs: 5 })).toEqual({ epochs: 5 });
    expect(fromBeforeDeviceChoice({ device: "cuda:0", workers: 4 })).toEqual({ device: "cuda:0", workers: 4 });
  });
});
