/** An rjsf widget for the Run Training dialog's Device and Workers: a pick list of labelled choices (machineFields.ts),
 * whose values may be strings, numbers or null (Auto). */
import { Select } from "@mantine/core";
import type { WidgetProps } from "@rjsf/utils";
import { Help } from "../inspector/widgets";
import type { MachineOption } from "./machineFields";

export function MachineSelect({ id, label, value, onChange, disabled, readonly, rawErrors, schema, options }: WidgetProps) {
  const choices = ((options.choices as MachineOption[] | undefined) ?? []).slice();
  const index = choices.findIndex((c) => c.value === (value ?? null));
  const description = typeof schema.description === "string" ? schema.description : undefined;
  return (
    <Select
      id={id}
      size="xs"
      label={label}
      description={description ? <Help>{description}</Help> : undefined}
      inputWrapperOrder={["label", "input", "description", "error"]}
      data={choices.map((c, i) => ({ value: String(i), label: c.label }))}
      value={index >= 0 ? String(index) : null}
      onChange={(v) => v !== null && onChange(choices[Number(v)]?.value ?? null)}
      allowDeselect={false}
      disabled={disabled || readonly}
      error={rawErrors?.length ? rawErrors.join(" ") : undefined}
      comboboxProps={{ withinPortal: true }}
      data-testid={`param-${id.replace(/^root_/, "")}`}
    />
  );
}
