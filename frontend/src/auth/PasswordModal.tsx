/** Change one's own password: the current one, then the new one (the server checks its length and says so). */
import { Alert, Button, Group, Modal, PasswordInput, Stack } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useEffect, useState } from "react";
import { useChangePassword } from "./authHooks";

export function PasswordModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const change = useChangePassword();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  useEffect(() => {
    if (opened) {
      setCurrent("");
      setNext("");
      change.reset();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened]);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          notifications.show({ color: "teal", message: "Password changed." });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Change password" size="sm">
      <form onSubmit={submit}>
        <Stack>
          {change.error ? <Alert color="red" data-testid="password-error">{change.error.message}</Alert> : null}
          <PasswordInput label="Current password" value={current} onChange={(e) => setCurrent(e.currentTarget.value)} autoComplete="current-password" required data-autofocus />
          <PasswordInput label="New password" description="At least 8 characters" value={next} onChange={(e) => setNext(e.currentTarget.value)} autoComplete="new-password" required />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={change.isPending} disabled={!current || !next}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
