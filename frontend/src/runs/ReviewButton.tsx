/** "Review in annotator": a link while there is something to review, a disabled button otherwise. Mantine's
 * `disabled` only styles a `component={Link}` button; the link under it still navigated. */
import { Button } from "@mantine/core";
import { IconTags } from "@tabler/icons-react";
import { Link } from "react-router";

interface Props {
  to: string;
  disabled: boolean;
  testId: string;
  variant?: "filled" | "light";
}

export function ReviewButton({ to, disabled, testId, variant = "filled" }: Props) {
  const icon = <IconTags size={14} />;
  if (disabled) {
    return (
      <Button size="xs" variant={variant} leftSection={icon} disabled data-testid={testId}>
        Review in annotator
      </Button>
    );
  }
  return (
    <Button size="xs" variant={variant} leftSection={icon} component={Link} to={to} data-testid={testId}>
      Review in annotator
    </Button>
  );
}
