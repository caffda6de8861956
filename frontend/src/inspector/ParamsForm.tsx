/** A node's parameters as a form generated from its catalogue schema, with the server's issues on the fields. */
import Form from "@rjsf/mantine";
import validator from "@rjsf/validator-ajv8";
import type { ErrorSchema, UiSchema } from "@rjsf/utils";
import { memo, useEffect, useMemo, useRef } from "react";
import type { JsonSchema } from "../api/types";
import { toFormModel } from "./formModel";
import { paramFields, paramTemplates, paramWidgets } from "./widgets";

interface Props {
  schema: JsonSchema;
  params: Record<string, unknown>;
  /** param name → messages from the server */
  errors: Record<string, string[]>;
  onChange: (params: Record<string, unknown>) => void;
  disabled?: boolean;
}

export const ParamsForm = memo(function ParamsForm({ schema, params, errors, onChange, disabled }: Props) {
  const model = useMemo(() => toFormModel(schema), [schema]);
  // rjsf reports the defaults it fills in while mounting; only the user's edits are changes to the graph.
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
  }, []);
  const extraErrors = useMemo(() => {
    const out: Record<string, { __errors: string[] }> = {};
    for (const [name, messages] of Object.entries(errors)) out[name] = { __errors: messages };
    return out as ErrorSchema;
  }, [errors]);
  return (
    <div className="vf-params" data-testid="params-form">
      <Form
        schema={model.schema}
        uiSchema={model.uiSchema as UiSchema}
        formData={params}
        validator={validator}
        fields={paramFields}
        widgets={paramWidgets}
        templates={paramTemplates}
        extraErrors={extraErrors}
        showErrorList={false}
        noHtml5Validate
        disabled={disabled}
        onChange={(e) => mounted.current && onChange((e.formData ?? {}) as Record<string, unknown>)}
        experimental_defaultFormStateBehavior={{ emptyObjectFields: "skipDefaults" }}
      >
        <></>
      </Form>
    </div>
  );
});
