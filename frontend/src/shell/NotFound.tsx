import { Button, Center, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";

export function NotFound() {
  return (
    <Center h="100%">
      <Stack align="center" gap="xs">
        <Title order={3}>Page not found</Title>
        <Text c="dimmed">This address does not match any screen.</Text>
        <Button component={Link} to="/" variant="light">
          Back to projects
        </Button>
      </Stack>
    </Center>
  );
}
