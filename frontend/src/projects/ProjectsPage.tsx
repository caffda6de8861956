/** Projects: a table to scan and open (with one's role in each when accounts are on), and a dialog to create one. */
import { Badge, Button, Container, Group, Kbd, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDisclosure, useHotkeys } from "@mantine/hooks";
import { IconPlus, IconSearch } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { useProjects } from "../api/hooks";
import { useAuth } from "../auth/useAuth";
import { ErrorBox, Loading } from "../shell/QueryState";
import { CreateProjectModal } from "./CreateProjectModal";

function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function ProjectsPage() {
  const projects = useProjects();
  const navigate = useNavigate();
  const [creating, create] = useDisclosure(false);
  const [filter, setFilter] = useState("");
  const { authOn } = useAuth();
  useHotkeys([["n", create.open]]);

  const rows = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return (projects.data ?? []).filter((p) => !q || p.name.toLowerCase().includes(q));
  }, [projects.data, filter]);

  return (
    <Container size="lg" py="xl">
      <Group justify="space-between" mb="md">
        <div>
          <Title order={2}>Projects</Title>
          <Text c="dimmed" size="sm">
            Each project holds a set of labelled images, its workflows and its training runs.
          </Text>
        </div>
        <Button leftSection={<IconPlus size={14} />} onClick={create.open} size="sm" data-testid="new-project">
          New project <Kbd size="xs" ml={8}>N</Kbd>
        </Button>
      </Group>
      {projects.isLoading ? <Loading /> : null}
      {projects.error ? <ErrorBox error={projects.error} retry={() => projects.refetch()} /> : null}
      {projects.data && projects.data.length === 0 ? (
        <Stack align="center" py={60} gap="xs" data-testid="projects-empty">
          <Title order={4}>No projects yet</Title>
          <Text c="dimmed" size="sm">
            Create a project, add images, then build a training workflow.
          </Text>
          <Button onClick={create.open} mt="sm">
            Create your first project
          </Button>
        </Stack>
      ) : null}
      {projects.data && projects.data.length > 0 ? (
        <>
          <TextInput
            leftSection={<IconSearch size={14} />}
            placeholder="Filter projects"
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value)}
            mb="sm"
            maw={320}
            size="xs"
          />
          <Table highlightOnHover verticalSpacing="sm" data-testid="projects-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Task</Table.Th>
                <Table.Th ta="right">Images</Table.Th>
                <Table.Th ta="right">Labelled</Table.Th>
                <Table.Th ta="right">Classes</Table.Th>
                <Table.Th>Created</Table.Th>
                {authOn ? <Table.Th>Your role</Table.Th> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => (
                <Table.Tr
                  key={p.id}
                  onClick={() => navigate(`/projects/${p.id}`)}
                  style={{ cursor: "pointer" }}
                  data-testid="project-row"
                  data-project-id={p.id}
                  tabIndex={0}
                  onKeyDown={(e) => e.key === "Enter" && navigate(`/projects/${p.id}`)}
                >
                  <Table.Td fw={500}>{p.name}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <Badge variant="light" size="sm">
                        {p.task}
                      </Badge>
                      <Badge variant="outline" color="gray" size="sm">
                        {p.content}
                      </Badge>
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace">{p.image_count}</Table.Td>
                  <Table.Td ta="right" ff="monospace">
                    {p.labelled_count}
                    {p.image_count ? (
                      <Text span c="dimmed" size="xs">
                        {" "}
                        ({Math.round((100 * p.labelled_count) / p.image_count)}%)
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace">{p.class_count}</Table.Td>
                  <Table.Td c="dimmed">{formatDate(p.created_at)}</Table.Td>
                  {authOn ? (
                    <Table.Td>
                      <Badge variant="light" color={p.my_role === "owner" ? "teal" : "gray"} size="sm" data-testid="project-role">
                        {p.my_role}
                      </Badge>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      ) : null}
      <CreateProjectModal opened={creating} onClose={create.close} onCreated={(p) => navigate(`/projects/${p.id}`)} />
    </Container>
  );
}
