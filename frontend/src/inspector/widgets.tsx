/** rjsf pieces for node parameters: compact numbers with range hints, (min, max) pairs, and a JSON fallback. */
import { Anchor, Group, NumberInput, SegmentedControl, Select, Stack, Switch, Text, Textarea } from "@mantine/core";
import { getDefaultRegistry } from "@rjsf/core";
import { Templates as MantineTemplates } from "@rjsf/mantine";
import type { DescriptionFieldProps, FieldErrorProps, FieldHelpProps, FieldProps, RegistryFieldsType, RegistryWidgetsType, TemplatesType, WidgetProps } from "@rjsf/utils";
import { useEffect, useState, type ReactNode } from "react";
import { fullHelp, isPairSchema, outOfRange, rangeText, sameJson } from "./formModel";

type S = Record<string, unknown>;

/** Help text: the catalogue's short sentence, with a "more" toggle to the full docstring text when there is one;
 * without one, two lines at most until clicked, so long texts do not bury the form. */
export function Help({ children, full }: { children: ReactNode; full?: string }) {
  const [open, setOpen] = useState(false);
  if (!children && !full) return null;
  if (full) {
    return (
      <Text component="span" size="xs" c="dimmed" data-testid="param-help">
        {open || !children ? full : children}{" "}
        <Anchor
          component="button"
          type="button"
          size="xs"
          onClick={(e) => {
            e.preventDefault();
            setOpen((o) => !o);
          }}
          data-testid="param-help-more"
        >
          {open ? "less" : "more"}
        </Anchor>
      </Text>
    );
  }
  return (
    <Text
      component="span"
      size="xs"
      c="dimmed"
      lineClamp={open ? undefined : 2}
      onClick={() => setOpen((o) => !o)}
      style={{ cursor: "pointer" }}
      title={open ? undefined : "Click to read more"}
    >
      {children}
    </Text>
  );
}

function FieldHelpTemplate({ help, fieldPathId }: FieldHelpProps) {
  if (!help || typeof help !== "string") return null;
  return (
    <Text id={`${fieldPathId.$id}__help`} size="11px" c="dimmed" mt={2}>
      {help}
    </Text>
  );
}

/** Booleans as a switch with its title, the description below (clamped). */
function CheckboxWidget({ id, label, hideLabel, value, onChange, disabled, readonly, schema, options }: WidgetProps) {
  const description = options.description ?? schema.description;
  return (
    <Stack gap={2}>
      <Switch
        id={id}
        size="xs"
        label={hideLabel ? undefined : label}
        checked={value === true}
        disabled={disabled || readonly}
        onChange={(e) => onChange(e.currentTarget.checked)}
        data-testid={`param-${id.replace(/^root_/, "")}`}
      />
      {!hideLabel && description ? <Help full={fullHelp(schema)}>{description}</Help> : null}
    </Stack>
  );
}

function DescriptionFieldTemplate({ description, id, schema }: DescriptionFieldProps) {
  return description ? <div id={id}><Help full={fullHelp(schema)}>{description}</Help></div> : null;
}

function numberOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

interface NumberBoxProps {
  id: string;
  schema: S;
  value: unknown;
  label?: string;
  description?: string;
  errors?: string[];
  disabled?: boolean;
  emptyValue?: unknown;
  onChange: (v: unknown) => void;
  testId?: string;
}

/** A number input that lets the user type freely (e.g. "-" or "0.") and reports only numbers upward. */
export function NumberBox({ id, schema, value, label, description, errors, disabled, emptyValue, onChange, testId }: NumberBoxProps) {
  const [text, setText] = useState<string | number>(numberOrNull(value) ?? "");
  useEffect(() => {
    setText((current) => (typeof current === "number" && current === value ? current : (numberOrNull(value) ?? "")));
  }, [value]);
  const integer = schema.type === "integer" || (Array.isArray(schema.type) && schema.type.includes("integer"));
  const local = outOfRange(schema, value) ? `Out of range: allowed ${rangeText(schema)}.` : null;
  const message = errors?.length ? errors.join(" ") : local;
  const step = typeof schema.multipleOf === "number" ? schema.multipleOf : integer ? 1 : undefined;
  return (
    <NumberInput
      id={id}
      size="xs"
      label={label}
      description={description ? <Help full={fullHelp(schema)}>{description}</Help> : undefined}
      inputWrapperOrder={["label", "input", "description", "error"]}
      value={text}
      disabled={disabled}
      allowDecimal={!integer}
      step={step}
      clampBehavior="none"
      min={typeof schema.minimum === "number" ? schema.minimum : undefined}
      max={typeof schema.maximum === "number" ? schema.maximum : undefined}
      placeholder={emptyValue === null ? "None" : undefined}
      error={message ?? undefined}
      data-testid={testId}
      onChange={(v) => {
        setText(v);
        if (typeof v === "number") onChange(v);
        // Emptying a required number keeps the last value until something is typed; a nullable one becomes null.
        else if (v === "" && emptyValue === null) onChange(null);
      }}
      onBlur={() => setText((t) => (t === "" && numberOrNull(value) !== null ? (value as number) : t))}
    />
  );
}

const BaseInput = MantineTemplates.BaseInputTemplate!;

/** Numbers get NumberBox; every other input keeps the Mantine theme's template. */
function BaseInputTemplate(props: WidgetProps) {
  const { schema, type } = props;
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== "null") : schema.type;
  if (type === "number" || t === "number" || t === "integer") {
    return (
      <NumberBox
        id={props.id}
        schema={schema}
        value={props.value}
        label={props.hideLabel ? undefined : props.label}
        description={props.hideLabel ? undefined : (props.options.description ?? schema.description)}
        errors={props.rawErrors}
        disabled={props.disabled || props.readonly}
        emptyValue={props.options.emptyValue}
        onChange={(v) => props.onChange(v)}
        testId={`param-${props.id.replace(/^root_/, "")}`}
      />
    );
  }
  return <BaseInput {...props} />;
}

/** A fixed pair of numbers, shown as "min – max" side by side. */
function PairField(props: FieldProps) {
  const { schema, formData, fieldPathId, onChange, disabled, readonly, uiSchema, hideLabel } = props;
  const items = (schema.items as S[]) ?? [];
  const value = Array.isArray(formData) ? formData : [undefined, undefined];
  const set = (i: number, v: unknown) => {
    const next = [value[0], value[1]];
    next[i] = v;
    onChange(next, fieldPathId.path);
  };
  const showLabel = !hideLabel && uiSchema?.["ui:label"] !== false && !!schema.title;
  return (
    <Stack gap={2} data-testid={`param-${fieldPathId.$id.replace(/^root_/, "")}`}>
      {showLabel ? (
        <Text size="xs" fw={500}>
          {schema.title}
        </Text>
      ) : null}
      <Group gap={6} wrap="nowrap" align="flex-start">
        {[0, 1].map((i) => (
          <div key={i} style={{ flex: 1 }}>
            <NumberBox
              id={`${fieldPathId.$id}_${i}`}
              schema={items[i] ?? {}}
              value={value[i]}
              disabled={disabled || readonly}
              onChange={(v) => set(i, v)}
            />
          </div>
        ))}
      </Group>
      {!hideLabel && schema.description ? <Help full={fullHelp(schema)}>{schema.description}</Help> : null}
    </Stack>
  );
}

const DefaultArrayField = getDefaultRegistry().fields.ArrayField;

function ArrayField(props: FieldProps) {
  return isPairSchema(props.schema) ? <PairField {...props} /> : <DefaultArrayField {...props} />;
}

/** Any value without a usable schema type: edited as JSON, committed on blur when it parses and changed. While the
 * field is not being edited it shows the value itself, so an undo or redo elsewhere is never overwritten by stale
 * text on the next blur. */
function JsonField(props: FieldProps) {
  const { formData, onChange, fieldPathId, schema, disabled, readonly } = props;
  const current = JSON.stringify(formData ?? null);
  const [text, setText] = useState(current);
  const [editing, setEditing] = useState(false);
  const [bad, setBad] = useState(false);
  return (
    <Textarea
      size="xs"
      label={schema.title}
      description={schema.description ? <Help full={fullHelp(schema)}>{schema.description}</Help> : undefined}
      autosize
      minRows={1}
      ff="monospace"
      value={editing ? text : current}
      disabled={disabled || readonly}
      error={bad ? "Not valid JSON" : undefined}
      onFocus={() => {
        if (!bad) setText(current);
        setEditing(true);
      }}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={() => {
        if (text === current) {
          setBad(false);
          setEditing(false);
          return;
        }
        try {
          onChange(JSON.parse(text), fieldPathId.path);
          setBad(false);
          setEditing(false);
        } catch {
          setBad(true); // the text stays, to be mended
        }
      }}
    />
  );
}

/** Mantine widgets show their own errors; fields without a single widget (pairs, unions, lists) need this. */
function FieldErrorTemplate({ errors, schema, uiSchema }: FieldErrorProps) {
  if (!errors?.length) return null;
  const composite =
    Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf) || schema.type === "array" || schema.type === "object" || !!uiSchema?.["ui:field"];
  if (!composite) return null;
  return (
    <Text size="xs" c="red" mt={2} role="alert">
      {errors.map(String).join(" ")}
    </Text>
  );
}

/** The option picker of a union (anyOf/oneOf): a segmented control, labelled with the field's title. */
function SegmentsWidget({ id, label, hideLabel, options, value, onChange, disabled, readonly }: WidgetProps) {
  const choices = (options.enumOptions ?? []) as { label: string; value: unknown }[];
  return (
    <Stack gap={2}>
      {!hideLabel && label ? (
        <Text size="xs" fw={500} component="label" htmlFor={id}>
          {label}
        </Text>
      ) : null}
      {typeof options.unionHelp === "string" ? (
        <Help full={typeof options.unionFullHelp === "string" ? options.unionFullHelp : undefined}>{options.unionHelp}</Help>
      ) : null}
      <SegmentedControl
        id={id}
        size="xs"
        fullWidth
        disabled={disabled || readonly}
        value={String(value ?? 0)}
        onChange={(v) => onChange(Number(v))}
        data={choices.map((c, i) => ({ label: c.label, value: String(typeof c.value === "number" ? c.value : i) }))}
        data-testid={`union-${id.replace(/^root_/, "")}`}
      />
    </Stack>
  );
}

/** Enums by position, so null, numbers and strings all work as choices ("None" for null). */
function SelectWidget({ id, label, hideLabel, options, value, onChange, disabled, readonly, rawErrors, schema, placeholder }: WidgetProps) {
  const choices = (options.enumOptions ?? []) as { label: string; value: unknown }[];
  const index = choices.findIndex((c) => sameJson(c.value, value));
  const description = options.description ?? schema.description;
  return (
    <Select
      id={id}
      size="xs"
      label={hideLabel ? undefined : label}
      description={!hideLabel && description ? <Help full={fullHelp(schema)}>{description}</Help> : undefined}
      inputWrapperOrder={["label", "input", "description", "error"]}
      data={choices.map((c, i) => ({ value: String(i), label: c.value === null ? "None" : c.label }))}
      value={index >= 0 ? String(index) : null}
      placeholder={placeholder || undefined}
      onChange={(v) => v !== null && onChange(choices[Number(v)]?.value)}
      allowDeselect={false}
      disabled={disabled || readonly}
      error={rawErrors?.length ? rawErrors.join(" ") : undefined}
      comboboxProps={{ withinPortal: true }}
      data-testid={`param-${id.replace(/^root_/, "")}`}
    />
  );
}

export const paramWidgets: RegistryWidgetsType = { segments: SegmentsWidget, CheckboxWidget, SelectWidget };

export const paramFields: RegistryFieldsType = { ArrayField, json: JsonField };
export const paramTemplates: Partial<TemplatesType> = { BaseInputTemplate, FieldErrorTemplate, FieldHelpTemplate, DescriptionFieldTemplate };
