/** Add a class by name; the server gives it a colour and the next free key. */
import { ActionIcon, Group, TextInput } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useCreateClass } from "../api/dataHooks";

export function NewClassForm({ pid }: { pid: string }) {
  const create = useCreateClass(pid);
  const [name, setName] = useState("");
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (name.trim()) create.mutate({ name: name.trim() }, { onSuccess: () => setName("") });
  };
  return (
    <form onSubmit={submit}>
      <Group gap={4} wrap="nowrap">
        <TextInput
          size="xs"
          style={{ flex: 1 }}
          placeholder="New class"
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
            if (create.error) create.reset();
          }}
          error={create.error ? create.error.message : undefined}
          data-testid="new-class-input"
        />
        <ActionIcon type="submit" size={30} variant="light" loading={create.isPending} aria-label="Add class">
          <IconPlus size={14} />
        </ActionIcon>
      </Group>
    </form>
  );
}
