/** The login page: user name and password; the server's answer (wrong name or password, too many attempts) is
 * shown above the form. The page stays at the address the person asked for, so a login lands them there. */
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconAlertCircle } from "@tabler/icons-react";
import { useState } from "react";
import { useLogin } from "./authHooks";

export function LoginPage() {
  const login = useLogin();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (name.trim() && password) login.mutate({ name: name.trim(), password });
  };
  return (
    <Center h="100vh" data-testid="login-page">
      <Paper withBorder shadow="sm" p="xl" w={360}>
        <form onSubmit={submit}>
          <Stack>
            <Stack gap={4} align="center">
              <img src="/favicon.svg" alt="" width={32} height={32} />
              <Title order={3}>Log in to Visionflow</Title>
            </Stack>
            {login.error ? (
              <Alert color="red" icon={<IconAlertCircle size={16} />} data-testid="login-error">
                {login.error.message}
              </Alert>
            ) : null}
            <TextInput
              label="User name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              autoComplete="username"
              required
              data-autofocus
              autoFocus
              data-testid="login-name"
            />
            <PasswordInput
              label="Password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="current-password"
              required
              data-testid="login-password"
            />
            <Button type="submit" loading={login.isPending} disabled={!name.trim() || !password} data-testid="login-submit">
              Log in
            </Button>
            <Text size="xs" c="dimmed" ta="center">
              The first start prints the admin's password; an admin adds the other users.
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
