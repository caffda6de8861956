/** Loading and error placeholders for a query, so screens stay short. */
import { Alert, Button, Center, Loader } from "@mantine/core";
import type { ReactNode } from "react";

export function Loading({ label }: { label?: string }) {
  return (
    <Center h="100%" mih={120} data-testid="loading">
      <Loader size="sm" />
      {label ? <span style={{ marginLeft: 8, color: "var(--mantine-color-dimmed)" }}>{label}</span> : null}
    </Center>
  );
}

export function ErrorBox({ error, retry, title }: { error: unknown; retry?: () => void; title?: ReactNode }) {
  return (
    <Alert color="red" title={title ?? "Something went wrong"} m="md" data-testid="error">
      {(error as Error)?.message ?? String(error)}
      {retry ? (
        <Button size="xs" variant="light" color="red" ml="sm" onClick={retry}>
          Retry
        </Button>
      ) : null}
    </Alert>
  );
}
