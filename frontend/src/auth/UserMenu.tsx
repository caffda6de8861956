/** The header's user menu (top right, only with accounts on): who is logged in, their API tokens, their password,
 * the users (admins), and logging out. */
import { Button, Menu } from "@mantine/core";
import { IconKey, IconLock, IconLogout, IconUser, IconUsers } from "@tabler/icons-react";
import { useState } from "react";
import { useLogout } from "./authHooks";
import { PasswordModal } from "./PasswordModal";
import { TokensModal } from "./TokensModal";
import { useAuth } from "./useAuth";
import { UsersModal } from "./UsersModal";

type Dialog = "tokens" | "password" | "users" | null;

export function UserMenu() {
  const { authOn, me } = useAuth();
  const logout = useLogout();
  const [dialog, setDialog] = useState<Dialog>(null);
  if (!authOn || !me) return null;
  const close = () => setDialog(null);
  return (
    <>
      <Menu position="bottom-end" withinPortal shadow="md" width={200}>
        <Menu.Target>
          <Button variant="subtle" color="gray" size="xs" leftSection={<IconUser size={14} />} data-testid="user-menu">
            {me.name}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>{me.is_admin ? `${me.name} (admin)` : me.name}</Menu.Label>
          <Menu.Item leftSection={<IconKey size={14} />} onClick={() => setDialog("tokens")} data-testid="menu-tokens">
            API tokens
          </Menu.Item>
          <Menu.Item leftSection={<IconLock size={14} />} onClick={() => setDialog("password")} data-testid="menu-password">
            Change password
          </Menu.Item>
          {me.is_admin ? (
            <Menu.Item leftSection={<IconUsers size={14} />} onClick={() => setDialog("users")} data-testid="menu-users">
              Users
            </Menu.Item>
          ) : null}
          <Menu.Divider />
          <Menu.Item leftSection={<IconLogout size={14} />} onClick={() => logout.mutate()} data-testid="logout">
            Log out
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <TokensModal opened={dialog === "tokens"} onClose={close} />
      <PasswordModal opened={dialog === "password"} onClose={close} />
      {me.is_admin ? <UsersModal opened={dialog === "users"} onClose={close} myId={me.id} /> : null}
    </>
  );
}
