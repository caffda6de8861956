import { Button, Group, Modal, Radio, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useEffect, useState } from "react";
import { useCreateProject } from "../api/hooks";
import type { Project } from "../api/types";

interface Props {
  opened: boolean;
  onClose: () => void;
  onCreated: (project: Project) => void;
}

/** Task and content type: the server offers image classification; the choice is shown so the scope is clear. */
const TASKS = [{ value: "classification", label: "Classification", hint: "One label per image" }];
const CONTENTS = [{ value: "image", label: "Image", hint: "PNG, JPEG, WebP, …" }];

export function CreateProjectModal({ opened, onClose, onCreated }: Props) {
  const [name, setName] = useState("");
  const [task, setTask] = useState(TASKS[0].value);
  const [content, setContent] = useState(CONTENTS[0].value);
  const create = useCreateProject();

  useEffect(() => {
    if (opened) {
      setName("");
      create.reset();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened]);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    create.mutate({ name: name.trim(), task, content }, { onSuccess: (p) => onCreated(p) });
  };

  return (
    <Modal opened={opened} onClose={onClose} title="New project" size="md">
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label="Name"
            placeholder="e.g. Defect inspection"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            data-autofocus
            required
            maxLength={200}
            data-testid="project-name-input"
            error={create.error ? create.error.message : undefined}
          />
          <SimpleGrid cols={2}>
            <Radio.Group label="Task" value={task} onChange={setTask}>
              <Stack gap={6} mt={6}>
                {TASKS.map((t) => (
                  <Radio key={t.value} value={t.value} label={t.label} description={t.hint} />
                ))}
              </Stack>
            </Radio.Group>
            <Radio.Group label="Content" value={content} onChange={setContent}>
              <Stack gap={6} mt={6}>
                {CONTENTS.map((c) => (
                  <Radio key={c.value} value={c.value} label={c.label} description={c.hint} />
                ))}
              </Stack>
            </Radio.Group>
          </SimpleGrid>
          <Text size="xs" c="dimmed">
            You can add images and classes after creating the project.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim()} data-testid="create-project-submit">
              Create project
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
