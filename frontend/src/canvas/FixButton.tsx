/** The button that applies an issue's one-click remedy (its label is the server's, e.g. "Use weighted sampling"). */
import { Button } from "@mantine/core";
import { IconWand } from "@tabler/icons-react";
import type { IssueFix } from "../api/types";
import { useEditorContext } from "./EditorContext";

export function FixButton({ fix, compact = false }: { fix: IssueFix; compact?: boolean }) {
  const { applyFix, readOnly } = useEditorContext();
  if (readOnly) return null;
  return (
    <Button
      size="compact-xs"
      variant={compact ? "subtle" : "light"}
      color="indigo"
      leftSection={<IconWand size={12} />}
      // On the canvas: a click must not start a drag or select the node under it.
      className="nodrag"
      onClick={(e) => {
        e.stopPropagation();
        applyFix(fix);
      }}
      data-testid="issue-fix"
      data-node-id={fix.node_id}
      data-field={fix.field}
    >
      {fix.label}
    </Button>
  );
}
