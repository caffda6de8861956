import { Badge, Loader } from "@mantine/core";
import type { RunStatus } from "../api/types";

const COLOURS: Record<string, string> = {
  queued: "gray",
  running: "blue",
  succeeded: "green",
  failed: "red",
  cancelled: "orange",
  interrupted: "yellow",
};

export function RunStatusBadge({ status, size = "sm" }: { status: RunStatus   | null; size?: "xs" | "sm" | "md" | "lg" }) {
  const s = status ?? "queued";
  return (
    <Badge
      color={COLOURS[s] ?? "gray"}
      variant={s === "running" ? "light" : "filled"}
      size={size}
      leftSection={s === "running" ? <Loader size={8} color="blue" /> : undefined}
      data-testid="run-status"
      data-status={s}
    >
      {s}
    </Badge>
  );
}
