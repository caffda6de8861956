/** The project's own menu in the header (owners): rename it, or delete it with everything in it after typing its
 * name (deleting cannot be undone: images, labels, workflows and runs go). */
import { ActionIcon, Button, Group, Menu, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconDots, IconPencil, IconTrash, IconWebhook } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../api/client";
import { keys } from "../api/hooks";
import type { Project } from "../api/types";
import { WebhookDialog } from "../notifications/WebhookDialog";

function useRenameProject(pid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.patch<Project>(`/api/projects/${pid}`, { name }),
    onSuccess: (project) => {
      qc.setQueryData(keys.project(pid), project);
      void qc.invalidateQueries({ queryKey: keys.projects });
    },
  });
}

function useDeleteProject(pid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.del<null>(`/api/projects/${pid}`),
    onSuccess: () => {
      qc.removeQueries({ queryKey: keys.project(pid) });
      void qc.invalidateQueries({ queryKey: keys.projects });
    },
  });
}

export function ProjectMenu({ project }: { project: Project }) {
  const [renaming, rename] = useDisclosure(false);
  const [deleting, remove] = useDisclosure(false);
  const [hooking, webhook] = useDisclosure(false);
  const [name, setName] = useState(project.name);
  const [typed, setTyped] = useState("");
  const renamer = useRenameProject(project.id);
  const deleter = useDeleteProject(project.id);
  const navigate = useNavigate();

  const saveName = () =>
    renamer.mutate(name.trim(), {
      onSuccess: () => rename.close(),
    });
  const deleteProject = () =>
    deleter.mutate(undefined, {
      onSuccess: () => {
        notifications.show({ color: "teal", message: `Project ${project.name} deleted.` });
        void navigate("/");
      },
    });

  return (
    <>
      <Menu position="bottom-start" withinPortal>
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" size="sm" aria-label="Project actions" data-testid="project-menu">
            <IconDots size={14} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item
            leftSection={<IconPencil size={14} />}
            onClick={() => {
              setName(project.name);
              renamer.reset();
              rename.open();
            }}
            data-testid="rename-project"
          >
            Rename…
          </Menu.Item>
          <Menu.Item leftSection={<IconWebhook size={14} />} onClick={webhook.open} data-testid="project-webhook">
            Notifications…
          </Menu.Item>
          <Menu.Item
            color="red"
            leftSection={<IconTrash size={14} />}
            onClick={() => {
              setTyped("");
              deleter.reset();
              remove.open();
            }}
            data-testid="delete-project"
          >
            Delete project…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <WebhookDialog pid={project.id} opened={hooking} onClose={webhook.close} />
      <Modal opened={renaming} onClose={rename.close} title="Rename the project" size="sm">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            saveName();
          }}
        >
          <Stack gap="sm">
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={renamer.error?.message} data-autofocus data-testid="project-name-input" />
            <Group justify="flex-end">
              <Button variant="default" onClick={rename.close}>
                Cancel
              </Button>
              <Button type="submit" loading={renamer.isPending} disabled={!name.trim() || name.trim() === project.name} data-testid="rename-project-save">
                Rename
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
      <Modal opened={deleting} onClose={remove.close} title="Delete the project?" size="sm">
        <Stack gap="sm">
          <Text size="sm">
            Its {project.image_count.toLocaleString()} image(s), their labels, its workflows and every training run go with it. This cannot be undone.
          </Text>
          <TextInput
            label={`Type the project's name (${project.name}) to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            error={deleter.error?.message}
            data-autofocus
            data-testid="delete-project-confirm-name"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={remove.close}>
              Cancel
            </Button>
            <Button color="red" onClick={deleteProject} loading={deleter.isPending} disabled={typed !== project.name} data-testid="delete-project-confirm">
              Delete project
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
