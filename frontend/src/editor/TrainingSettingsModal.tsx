/** Training Settings, generated from GET /api/run-settings/schema and pre-filled from the workflow's data-aware
 * defaults (GET /api/workflows/{id}/run-defaults), whose explanation shows under the epochs field. */
import { Alert, Button, Group, Modal, SimpleGrid, Stack, Text } from "@mantine/core";
import Form from "@rjsf/mantine";
import validator from "@rjsf/validator-ajv8";
import type { ErrorSchema, ObjectFieldTemplateProps, UiSchema } from "@rjsf/utils";
import { useEffect, useMemo, useState } from "react";
import { useRunDefaults, useRunSettingsSchema } from "../api/hooks";
import type { Issue } from "../api/types";
import { toFormModel } from "../inspector/formModel";
import { paramFields, paramTemplates, paramWidgets } from "../inspector/widgets";
import { Loading, ErrorBox } from "../shell/QueryState";
import { fromBeforeDeviceChoice, MACHINE_WIDGET, withMachineWidgets } from "./machineFields";
import { MachineSelect } from "./MachineSelect";
import { prefill } from "./runDefaults";

/** The field the explanation of the defaults sits under. */
const EXPLAINED_FIELD = "epochs";

function DefaultsExplanation({ text }: { text: string }) {
  return (
    <Text size="xs" c="dimmed" mt={4} data-testid="run-defaults-explanation">
      {text}
    </Text>
  );
}

/** Settings side by side, so the whole dialog fits on one screen. */
function TwoColumns({ properties, registry }: ObjectFieldTemplateProps) {
  const explanation = (registry.formContext as { explanation?: string } | undefined)?.explanation;
  return (
    <SimpleGrid cols={2} spacing="md" verticalSpacing="sm">
      {properties.filter((p) => !p.hidden).map((p) => (
        <div key={p.name}>
          {p.content}
          {explanation && p.name === EXPLAINED_FIELD ? <DefaultsExplanation text={explanation} /> : null}
        </div>
      ))}
    </SimpleGrid>
  );
}

const settingsTemplates = { ...paramTemplates, ObjectFieldTemplate: TwoColumns };
const settingsWidgets = { ...paramWidgets, [MACHINE_WIDGET]: MachineSelect };

/** What the dialog is for, in place of the settings model's docstring (which is written for programmers). */
const SETTINGS_HELP =
  "How long and how this run trains. The values are suggested for this workflow's images and your machine: epochs " +
  "(or a time limit) matter most; the rest can usually stay as they are. Your last choices are remembered, and each " +
  "run keeps its own settings.";

const STORAGE_KEY = "visionflow.run-settings.v2";
/** Settings remembered before the worker chose the device ("cpu" was the default then: fromBeforeDeviceChoice). */
const EARLIER_STORAGE_KEY = "visionflow.run-settings";

function remembered(): Record<string, unknown> {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved !== null) return (JSON.parse(saved) as Record<string, unknown> | null) ?? {};
    const earlier = (JSON.parse(localStorage.getItem(EARLIER_STORAGE_KEY) ?? "{}") as Record<string, unknown> | null) ?? {};
    return fromBeforeDeviceChoice(earlier);
  } catch {
    return {};
  }
}

interface Props {
  workflowId: string;
  opened: boolean;
  onClose: () => void;
  onStart: (settings: Record<string, unknown>) => Promise<void>;
  starting: boolean;
  error: string | null;
  issues: Issue[];
}

export function TrainingSettingsModal({ workflowId, opened, onClose, onStart, starting, error, issues }: Props) {
  const schema = useRunSettingsSchema();
  // Epochs are chosen for the machine the run will use: the device the person chose last time (a machine choice).
  const device = typeof remembered().device === "string" ? String(remembered().device) : "auto";
  const defaults = useRunDefaults(workflowId, opened, device);
  const defaultsSettled = !defaults.isFetching;
  const model = useMemo(() => (schema.data ? toFormModel(schema.data) : null), [schema.data]);
  const [data, setData] = useState<Record<string, unknown>>({});
  const [formKey, setFormKey] = useState(0);

  useEffect(() => {
    if (!opened || !schema.data || !defaultsSettled) return;
    const props = Object.keys((schema.data.properties as object) ?? {});
    setData(prefill(props, defaults.data?.settings ?? null, remembered()));
    setFormKey((k) => k + 1);
  }, [opened, schema.data, defaultsSettled, defaults.data]);
  const explanation = defaults.data?.explanation ?? "";
  const uiSchema = useMemo(
    () => (model ? withMachineWidgets(model.uiSchema, Object.keys((model.schema.properties as object) ?? {}), data) : {}),
    [model, data],
  );
  const explainedInForm = Object.keys((schema.data?.properties as object) ?? {}).includes(EXPLAINED_FIELD);

  const extraErrors = useMemo(() => {
    const out: Record<string, { __errors: string[] }> = {};
    for (const i of issues) if (i.field && !i.node_id) (out[i.field] ??= { __errors: [] }).__errors.push(i.message);
    return out as ErrorSchema;
  }, [issues]);

  const submit = async () => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(data));
    await onStart(data);
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Training settings" size="lg" data-testid="training-settings">
      {schema.isLoading || (opened && !defaultsSettled) ? <Loading /> : null}
      {schema.error ? <ErrorBox error={schema.error} retry={() => schema.refetch()} /> : null}
      {model && defaultsSettled ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack gap="sm">
            <Text size="xs" c="dimmed" data-testid="training-settings-help">
              {SETTINGS_HELP}
            </Text>
            {explanation && !explainedInForm ? <DefaultsExplanation text={explanation} /> : null}
            <div className="vf-settings-form">
              <Form
                key={formKey}
                schema={model.schema}
                uiSchema={uiSchema as UiSchema}
                formData={data}
                validator={validator}
                fields={paramFields}
                widgets={settingsWidgets}
                templates={settingsTemplates}
                extraErrors={extraErrors}
                formContext={{ explanation }}
                showErrorList={false}
                noHtml5Validate
                onChange={(e) => setData((e.formData ?? {}) as Record<string, unknown>)}
                tagName="div"
              >
                <></>
              </Form>
            </div>
            {error ? (
              <Alert color="red" title="Training did not start" data-testid="start-error">
                {error}
                {issues.filter((i) => i.node_id).map((i, k) => (
                  <Text size="xs" key={k}>
                    {i.message}
                  </Text>
                ))}
              </Alert>
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" color="green" loading={starting} data-testid="start-training">
                Start training
              </Button>
            </Group>
          </Stack>
        </form>
      ) : null}
    </Modal>
  );
}
