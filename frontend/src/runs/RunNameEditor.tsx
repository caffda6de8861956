/** The run's name in the run page header, editable in place by owners: click the pencil (or the name), type,
 * Enter saves, Escape cancels; a name the server would refuse, or its refusal, is shown under the field. */
import { ActionIcon, Group, Text, TextInput, Tooltip } from "@mantine/core";
import { IconPencil } from "@tabler/icons-react";
import { useState } from "react";
import { useRenameRun } from "../api/runHooks";
import type { Run } from "../api/types";
import { checkRunName, MAX_RUN_NAME, runName } from "./runName";

interface Props {
  run: Run | undefined;
  projectId: string;
  /** Why the caller may not rename (a tooltip), or null when they may. */
  notAllowed: string | null;
}

export function RunNameEditor({ run, projectId, notAllowed }: Props) {
  const rename = useRenameRun(projectId, run?.id ?? "");
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = run ? runName(run) : "Run";
  const stop = () => {
    setDraft(null);
    setError(null);
  };
  const save = () => {
    if (draft === null) return;
    const checked = checkRunName(draft);
    if (checked.error !== null) return setError(checked.error);
    if (checked.name === current) return stop();
    rename.mutate(checked.name, { onSuccess: stop, onError: (e) => setError(e.message) });
  };

  if (draft !== null)
    return (
      <TextInput
        size="xs"
        w={420}
        maw="100%"
        autoFocus
        value={draft}
        maxLength={MAX_RUN_NAME + 50}
        aria-label="Run name"
        error={error}
        disabled={rename.isPending}
        onChange={(e) => {
          setDraft(e.currentTarget.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") save();
          if (e.key === "Escape") stop();
        }}
        onBlur={() => (draft === current && !rename.isPending ? stop() : undefined)}
        description="Enter saves, Escape cancels"
        data-testid="run-name-input"
      />
    );
  const canEdit = !!run && !notAllowed;
  return (
    <Group gap={4} wrap="nowrap" style={{ minWidth: 0 }}>
      <Text fw={600} truncate title={current} data-testid="run-name" onDoubleClick={canEdit ? () => setDraft(current) : undefined}>
        {current}
      </Text>
      {run ? (
        <Tooltip label={notAllowed ?? "Rename this run"} multiline maw={280}>
          <ActionIcon
            size="sm"
            variant="subtle"
            color="gray"
            aria-label="Rename run"
            disabled={!canEdit}
            onClick={() => setDraft(current)}
            data-testid="rename-run"
          >
            <IconPencil size={14} />
          </ActionIcon>
        </Tooltip>
      ) : null}
    </Group>
  );
}
