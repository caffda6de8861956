/** One's API tokens for scripts and the CLI (`Authorization: Bearer vf_…`): the list, a new one (its secret shown
 * once, with a copy button), and revoking. */
import { ActionIcon, Alert, Button, Code, CopyButton, Group, Modal, Stack, Table, Text, TextInput, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCheck, IconCopy, IconTrash } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import type { TokenCreated } from "../api/types";
import { ErrorBox, Loading } from "../shell/QueryState";
import { useCreateToken, useRevokeToken, useTokens } from "./authHooks";

export function formatWhen(iso: string | null | undefined): string {
  if (!iso) return "never";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function NewToken({ token }: { token: TokenCreated }) {
  return (
    <Alert color="teal" title={`Token “${token.name}” created`} data-testid="new-token">
      <Text size="sm" mb={6}>
        Copy it now: it is not shown again.
      </Text>
      <Group gap={6} wrap="nowrap">
        <Code style={{ flex: 1, overflowWrap: "anywhere" }} data-testid="new-token-value">
          {token.token}
        </Code>
        <CopyButton value={token.token}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? "Copied" : "Copy"}>
              <ActionIcon variant="light" color={copied ? "teal" : "gray"} onClick={copy} aria-label="Copy the token">
                {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
    </Alert>
  );
}

export function TokensModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const tokens = useTokens(opened);
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [name, setName] = useState("");
  useEffect(() => {
    if (opened) {
      setName("");
      create.reset();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened]);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (name.trim()) create.mutate(name.trim(), { onSuccess: () => setName("") });
  };
  const onRevoke = (id: string) =>
    revoke.mutate(id, { onError: (e) => notifications.show({ color: "red", title: "Not revoked", message: e.message }) });
  return (
    <Modal opened={opened} onClose={onClose} title="API tokens" size="lg">
      <Stack>
        <Text size="sm" c="dimmed">
          Scripts and the command line send a token as <Code>Authorization: Bearer vf_…</Code>; it acts as you.
        </Text>
        {create.data ? <NewToken token={create.data} /> : null}
        <form onSubmit={submit}>
          <Group gap="xs" align="flex-start">
            <TextInput
              style={{ flex: 1 }}
              placeholder="What it is for, e.g. nightly export"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={create.error?.message}
              maxLength={100}
              data-testid="token-name"
            />
            <Button type="submit" loading={create.isPending} disabled={!name.trim()} data-testid="create-token">
              Create token
            </Button>
          </Group>
        </form>
        {tokens.error ? <ErrorBox error={tokens.error} retry={() => void tokens.refetch()} /> : null}
        {tokens.isPending ? <Loading /> : null}
        {tokens.data && !tokens.data.length ? (
          <Text size="sm" c="dimmed">
            No tokens yet.
          </Text>
        ) : null}
        {tokens.data?.length ? (
          <Table data-testid="token-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.data.map((t) => (
                <Table.Tr key={t.id} data-testid="token-row">
                  <Table.Td>{t.name}</Table.Td>
                  <Table.Td c="dimmed">{formatWhen(t.created_at)}</Table.Td>
                  <Table.Td c="dimmed">{formatWhen(t.last_used_at)}</Table.Td>
                  <Table.Td ta="right">
                    <Tooltip label="Revoke: scripts using it stop working">
                      <ActionIcon variant="subtle" color="red" onClick={() => onRevoke(t.id)} aria-label={`Revoke ${t.name}`} loading={revoke.isPending && revoke.variables === t.id}>
                        <IconTrash size={14} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}
      </Stack>
    </Modal>
  );
}
