/** The green "Run Training" button, disabled (with the reason shown) while the graph has errors, and for someone who
 * may not start runs in this project (the reason in its tooltip). */
import { Button, Kbd, Text, Tooltip } from "@mantine/core";
import { IconPlayerPlayFilled } from "@tabler/icons-react";

interface Props {
  blockedBy: string | null;
  /** Why this person may not run trainings here (their role), or null. */
  notAllowed?: string | null;
  onClick: () => void;
}

export function RunTrainingButton({ blockedBy, notAllowed, onClick }: Props) {
  return (
    <div className="vf-run-box">
      {blockedBy && !notAllowed ? (
        <Text size="xs" c="red.7" className="vf-run-reason" data-testid="run-disabled-reason" lineClamp={2}>
          {blockedBy}
        </Text>
      ) : null}
      <Tooltip label={notAllowed ?? (blockedBy ? `Fix first: ${blockedBy}` : "Choose training settings and start (Ctrl+Enter)")} multiline w={280}>
        <div>
        <Button
          color="green"
          size="md"
          leftSection={<IconPlayerPlayFilled size={16} />}
          disabled={!!blockedBy || !!notAllowed}
          onClick={onClick}
          data-testid="run-training"
          rightSection={blockedBy || notAllowed ? null : <Kbd size="xs">Ctrl ⏎</Kbd>}
        >
          Run Training
        </Button>
        </div>
      </Tooltip>
    </div>
  );
}
