/** The Run Training dialog's machine choices: Device (Auto, CPU, GPU 0 …) and Workers (Auto or a number) as
 * labelled pick lists instead of a free text and a bare number box. "auto" and an empty worker count are resolved
 * by the worker on the machine that trains (backend/worker/device.py): the server does not know its GPUs. */

type S = Record<string, unknown>;

export interface MachineOption {
  value: string | number | null;
  label: string;
}

/** GPUs offered by number; a GPU the worker does not have fails the run at once with a reason. */
const OFFERED_GPUS = 4;
const OFFERED_WORKERS = [0, 1, 2, 4, 8, 16];

export const MACHINE_WIDGET = "machineSelect";

export function deviceOptions(current: unknown): MachineOption[] {
  const options: MachineOption[] = [
    { value: "auto", label: "Auto (a GPU if there is one)" },
    { value: "cpu", label: "CPU" },
    ...Array.from({ length: OFFERED_GPUS }, (_, i) => ({ value: `cuda:${i}`, label: `GPU ${i}` })),
  ];
  return withCurrent(options, current);
}

export function workerOptions(current: unknown): MachineOption[] {
  const options: MachineOption[] = [
    { value: null, label: "Auto (for the machine)" },
    ...OFFERED_WORKERS.map((n) => ({ value: n, label: n === 0 ? "0 (load in the training process)" : String(n) })),
  ];
  return withCurrent(options, current);
}

/** A value chosen earlier that the list does not offer (e.g. "cuda:7", 3 workers) stays selectable. */
function withCurrent(options: MachineOption[], current: unknown): MachineOption[] {
  if ((typeof current !== "string" && typeof current !== "number") || options.some((o) => o.value === current)) return options;
  return [...options, { value: current, label: String(current) }];
}

/** The settings form's uiSchema with Device and Workers drawn as pick lists (only where the schema has them). */
export function withMachineWidgets(uiSchema: S, properties: string[], data: S): S {
  const out: S = { ...uiSchema };
  const fields: [string, MachineOption[]][] = [
    ["device", deviceOptions(data.device)],
    ["workers", workerOptions(data.workers)],
  ];
  for (const [name, choices] of fields) {
    if (!properties.includes(name)) continue;
    const { "ui:help": _range, ...rest } = (uiSchema[name] ?? {}) as S; // "0 – 32" says nothing next to a pick list
    out[name] = { ...rest, "ui:widget": MACHINE_WIDGET, "ui:options": { choices } };
  }
  return out;
}

/** Settings remembered before the worker chose the device: "cpu" and 1 worker were the defaults then, so they are
 * dropped (the new defaults, Auto, apply); other choices stay. */
export function fromBeforeDeviceChoice(saved: S): S {
  const out: S = { ...saved };
  if (out.device === "cpu") delete out.device;
  if (out.workers === 1) delete out.workers;
  return out;
}
