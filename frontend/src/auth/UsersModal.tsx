/** The admin's list of users: add one (name, first password, admin or not), reset someone's password, delete
 * someone. The server refuses deleting oneself or the last admin, and says so. */
import { ActionIcon, Alert, Badge, Button, Checkbox, Group, Modal, PasswordInput, Stack, Table, Text, TextInput, Tooltip } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { IconLockOpen, IconTrash } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import type { UserRead } from "../api/types";
import { ErrorBox, Loading } from "../shell/QueryState";
import { useCreateUser, useDeleteUser, useResetPassword, useUsers } from "./authHooks";
import { formatWhen } from "./TokensModal";

function AddUserForm() {
  const create = useCreateUser();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [isAdmin, setIsAdmin] = useState(false);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name: name.trim(), password, is_admin: isAdmin },
      {
        onSuccess: (u) => {
          notifications.show({ color: "teal", message: `User “${u.name}” added.` });
          setName("");
          setPassword("");
          setIsAdmin(false);
        },
      },
    );
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="xs">
        {create.error ? <Alert color="red" data-testid="add-user-error">{create.error.message}</Alert> : null}
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={64} style={{ flex: 1 }} data-testid="new-user-name" />
          <PasswordInput label="First password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="new-password" style={{ flex: 1 }} data-testid="new-user-password" />
          <Checkbox label="Admin" checked={isAdmin} onChange={(e) => setIsAdmin(e.currentTarget.checked)} mb={8} />
          <Button type="submit" loading={create.isPending} disabled={!name.trim() || !password} data-testid="add-user">
            Add
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ResetPasswordModal({ user, onClose }: { user: UserRead | null; onClose: () => void }) {
  const reset = useResetPassword();
  const [password, setPassword] = useState("");
  useEffect(() => {
    setPassword("");
    reset.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user?.id]);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!user) return;
    reset.mutate(
      { id: user.id, password },
      {
        onSuccess: () => {
          notifications.show({ color: "teal", message: `New password set for “${user.name}”.` });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened={!!user} onClose={onClose} title={`New password for “${user?.name ?? ""}”`} size="sm">
      <form onSubmit={submit}>
        <Stack>
          {reset.error ? <Alert color="red">{reset.error.message}</Alert> : null}
          <PasswordInput label="New password" description="At least 8 characters" value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="new-password" data-autofocus />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={reset.isPending} disabled={!password}>
              Set password
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function UsersModal({ opened, onClose, myId }: { opened: boolean; onClose: () => void; myId: string | null }) {
  const users = useUsers(opened);
  const remove = useDeleteUser();
  const [resetting, setResetting] = useState<UserRead | null>(null);
  const confirmDelete = (u: UserRead) =>
    modals.openConfirmModal({
      title: `Delete user “${u.name}”?`,
      children: <Text size="sm">They can no longer log in, and their API tokens stop working. Their projects stay.</Text>,
      labels: { confirm: "Delete", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () => remove.mutate(u.id, { onError: (e) => notifications.show({ color: "red", title: "Not deleted", message: e.message }) }),
    });
  return (
    <Modal opened={opened} onClose={onClose} title="Users" size="xl">
      <Stack>
        <AddUserForm />
        {users.error ? <ErrorBox error={users.error} retry={() => void users.refetch()} /> : null}
        {users.isPending ? <Loading /> : null}
        {users.data ? (
          <Table data-testid="user-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((u) => (
                <Table.Tr key={u.id} data-testid="user-row" data-user-name={u.name}>
                  <Table.Td>
                    {u.name} {u.is_admin ? <Badge size="xs" variant="light">admin</Badge> : null}
                    {u.id === myId ? <Text span size="xs" c="dimmed"> (you)</Text> : null}
                  </Table.Td>
                  <Table.Td c="dimmed">{formatWhen(u.created_at)}</Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Tooltip label="Set a new password">
                        <ActionIcon variant="subtle" color="gray" onClick={() => setResetting(u)} aria-label={`New password for ${u.name}`}>
                          <IconLockOpen size={14} />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip label={u.id === myId ? "You cannot delete yourself" : "Delete"}>
                        <ActionIcon variant="subtle" color="red" onClick={() => confirmDelete(u)} disabled={u.id === myId} aria-label={`Delete ${u.name}`}>
                          <IconTrash size={14} />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}
      </Stack>
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </Modal>
  );
}
