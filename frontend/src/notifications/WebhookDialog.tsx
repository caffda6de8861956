/** A project's webhook (owners): where run ends are POSTed, its signing secret (hidden until revealed; rotate), a test
 * POST, and the last deliveries with what the receiver answered. How to check the signature: docs/notifications.md. */
import { Alert, Badge, Button, CopyButton, Group, Modal, PasswordInput, Stack, Switch, Table, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "../api/client";
import type { components } from "../api/schema.gen";

type Webhook = components["schemas"]["WebhookRead"];
type Delivery = components["schemas"]["DeliveryRead"];

const webhookKey = (pid: string) => ["projects", pid, "webhook"] as const;
const deliveriesKey = (pid: string) => ["projects", pid, "webhook", "deliveries"] as const;

const STATUS_COLOUR: Record<Delivery["status"], string> = { pending: "yellow", delivered: "teal", failed: "red" };

function useWebhook(pid: string, opened: boolean) {
  return useQuery({ queryKey: webhookKey(pid), queryFn: () => api.get<Webhook | null>(`/api/projects/${pid}/webhook`), enabled: opened });
}

function useDeliveries(pid: string, opened: boolean) {
  return useQuery({
    queryKey: deliveriesKey(pid),
    queryFn: () => api.get<Delivery[]>(`/api/projects/${pid}/webhook/deliveries`),
    enabled: opened,
    refetchInterval: (q) => (q.state.data?.some((d) => d.status === "pending") ? 2000 : false),
  });
}

function DeliveriesTable({ deliveries }: { deliveries: Delivery[] }) {
  if (!deliveries.length) return <Text size="sm" c="dimmed">Nothing sent yet.</Text>;
  return (
    <Table fz="xs" striped data-testid="webhook-deliveries">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>When</Table.Th>
          <Table.Th>What</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Tries</Table.Th>
          <Table.Th>Last answer</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {deliveries.map((d) => (
          <Table.Tr key={d.id}>
            <Table.Td>{new Date(d.created_at).toLocaleString()}</Table.Td>
            <Table.Td>{d.event === "test" ? "test" : `run ${d.run_id}`}</Table.Td>
            <Table.Td>
              <Badge size="xs" color={STATUS_COLOUR[d.status]}>
                {d.status}
              </Badge>
            </Table.Td>
            <Table.Td>{d.attempts}</Table.Td>
            <Table.Td title={d.response_excerpt}>{d.last_error || (d.last_http_status ? `HTTP ${d.last_http_status}` : "")}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function WebhookDialog({ pid, opened, onClose }: { pid: string; opened: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const hook = useWebhook(pid, opened);
  const deliveries = useDeliveries(pid, opened);
  const [url, setUrl] = useState("");
  const [enabled, setEnabled] = useState(true);
  useEffect(() => {
    if (hook.data !== undefined) {
      setUrl(hook.data?.url ?? "");
      setEnabled(hook.data?.enabled ?? true);
    }
  }, [hook.data]);
  const saved = (data: Webhook | null) => qc.setQueryData(webhookKey(pid), data);
  const save = useMutation({ mutationFn: () => api.put<Webhook>(`/api/projects/${pid}/webhook`, { url: url.trim(), enabled }), onSuccess: saved });
  const rotate = useMutation({ mutationFn: () => api.post<Webhook>(`/api/projects/${pid}/webhook/secret`), onSuccess: saved });
  const remove = useMutation({ mutationFn: () => api.del<null>(`/api/projects/${pid}/webhook`), onSuccess: () => saved(null) });
  const test = useMutation({
    mutationFn: () => api.post<Delivery>(`/api/projects/${pid}/webhook/test`),
    onSuccess: () => {
      notifications.show({ color: "teal", message: "Test sent: its result shows below." });
      void qc.invalidateQueries({ queryKey: deliveriesKey(pid) });
    },
  });
  const error = save.error ?? rotate.error ?? remove.error ?? test.error;
  const current = hook.data;
  const changed = !current || url.trim() !== current.url || enabled !== current.enabled;

  return (
    <Modal opened={opened} onClose={onClose} title="Notify a webhook when a run ends" size="lg">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          When a run of this project ends, the server POSTs its name, status and key metrics as JSON to this URL, signed with the secret below
          (header X-Visionflow-Signature). Failed deliveries are retried for a few minutes.
        </Text>
        <TextInput label="URL" placeholder="https://hooks.example.com/visionflow" value={url} onChange={(e) => setUrl(e.currentTarget.value)} error={save.error?.message} data-testid="webhook-url" />
        <Switch label="Send notifications" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
        {current && !current.private_addresses_allowed ? (
          <Text size="xs" c="dimmed">
            This server sends only to public addresses (not to localhost or private networks).
          </Text>
        ) : null}
        <Group justify="flex-end">
          {current ? (
            <Button variant="subtle" color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
              Remove
            </Button>
          ) : null}
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!url.trim() || !changed} data-testid="webhook-save">
            {current ? "Save" : "Set webhook"}
          </Button>
        </Group>
        {current ? (
          <>
            <Group align="flex-end" gap="xs">
              <PasswordInput label="Signing secret" value={current.secret} readOnly style={{ flex: 1 }} data-testid="webhook-secret" />
              <CopyButton value={current.secret}>
                {({ copied, copy }) => (
                  <Button variant="default" onClick={copy}>
                    {copied ? "Copied" : "Copy"}
                  </Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={() => rotate.mutate()} loading={rotate.isPending}>
                Rotate
              </Button>
            </Group>
            <Group justify="space-between">
              <Text fw={600} size="sm">
                Last deliveries
              </Text>
              <Button size="xs" variant="light" onClick={() => test.mutate()} loading={test.isPending} disabled={!current.enabled} data-testid="webhook-test">
                Send test
              </Button>
            </Group>
            <DeliveriesTable deliveries={deliveries.data ?? []} />
          </>
        ) : null}
        {error && error !== save.error ? <Alert color="red">{error.message}</Alert> : null}
      </Stack>
    </Modal>
  );
}
