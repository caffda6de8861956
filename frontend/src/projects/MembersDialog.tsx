/** Who may work on a project and how: an owner adds people by user name with a role, changes roles and removes
 * people; everyone else sees the list. The server refuses leaving a project without an owner, and says so. */
import { ActionIcon, Badge, Button, Group, Modal, Select, Stack, Table, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash, IconUserPlus } from "@tabler/icons-react";
import { useState } from "react";
import type { ProjectRole } from "../api/types";
import { useMembers, useRemoveMember, useSetMember, useUsers } from "../auth/authHooks";
import { useAuth } from "../auth/useAuth";
import { ErrorBox, Loading } from "../shell/QueryState";
import { useProjectRole } from "./useProjectRole";

const ROLES: { value: ProjectRole; label: string }[] = [
  { value: "viewer", label: "Viewer: looks" },
  { value: "annotator", label: "Annotator: labels and uploads" },
  { value: "owner", label: "Owner: trains, manages" },
];

const fail = (title: string) => (e: Error) => notifications.show({ color: "red", title, message: e.message });

function AddMember({ pid, memberIds }: { pid: string; memberIds: Set<string> }) {
  const users = useUsers();
  const add = useSetMember(pid);
  const [userId, setUserId] = useState<string | null>(null);
  const [role, setRole] = useState<ProjectRole>("annotator");
  const choices = (users.data ?? []).filter((u) => !memberIds.has(u.id)).map((u) => ({ value: u.id, label: u.name }));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (userId) add.mutate({ userId, role }, { onSuccess: () => setUserId(null), onError: fail("Not added") });
  };
  return (
    <form onSubmit={submit}>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <Select
          label="Add a person"
          placeholder={users.isPending ? "Loading users…" : choices.length ? "User name" : "Everyone is a member"}
          data={choices}
          value={userId}
          onChange={setUserId}
          searchable
          style={{ flex: 1 }}
          comboboxProps={{ withinPortal: true }}
          data-testid="member-user"
        />
        <Select label="Role" data={ROLES} value={role} onChange={(v) => v && setRole(v)} allowDeselect={false} w={260} comboboxProps={{ withinPortal: true }} data-testid="member-role" />
        <Button type="submit" leftSection={<IconUserPlus size={14} />} loading={add.isPending} disabled={!userId} data-testid="add-member">
          Add
        </Button>
      </Group>
    </form>
  );
}

export function MembersDialog({ pid, opened, onClose }: { pid: string; opened: boolean; onClose: () => void }) {
  const members = useMembers(pid, opened);
  const { canManage } = useProjectRole(pid);
  const { me } = useAuth();
  const setRole = useSetMember(pid);
  const remove = useRemoveMember(pid);
  const memberIds = new Set((members.data ?? []).map((m) => m.user_id));
  return (
    <Modal opened={opened} onClose={onClose} title="Project members" size="lg">
      <Stack data-testid="members-dialog">
        {canManage ? (
          <AddMember pid={pid} memberIds={memberIds} />
        ) : (
          <Text size="sm" c="dimmed">
            Only an owner of this project adds or removes people.
          </Text>
        )}
        {members.error ? <ErrorBox error={members.error} retry={() => void members.refetch()} /> : null}
        {members.isPending ? <Loading /> : null}
        {members.data ? (
          <Table data-testid="member-table">
            <Table.Tbody>
              {members.data.map((m) => (
                <Table.Tr key={m.user_id} data-testid="member-row" data-member-name={m.name} data-role={m.role}>
                  <Table.Td>
                    {m.name}
                    {m.user_id === me?.id ? <Text span size="xs" c="dimmed"> (you)</Text> : null}
                  </Table.Td>
                  <Table.Td w={250}>
                    {canManage ? (
                      <Select
                        size="xs"
                        data={ROLES}
                        value={m.role}
                        allowDeselect={false}
                        onChange={(v) => v && v !== m.role && setRole.mutate({ userId: m.user_id, role: v }, { onError: fail("Role not changed") })}
                        comboboxProps={{ withinPortal: true }}
                        aria-label={`Role of ${m.name}`}
                      />
                    ) : (
                      <Badge variant="light">{m.role}</Badge>
                    )}
                  </Table.Td>
                  {canManage ? (
                    <Table.Td w={40}>
                      <Tooltip label="Remove from the project">
                        <ActionIcon variant="subtle" color="red" onClick={() => remove.mutate(m.user_id, { onError: fail("Not removed") })} aria-label={`Remove ${m.name}`}>
                          <IconTrash size={14} />
                        </ActionIcon>
                      </Tooltip>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}
      </Stack>
    </Modal>
  );
}
