/** Recommended workflows as cards: one click creates the workflow and opens it, laid out and ready to run. With a
 * project, each card says how well it fits that project's images (the server decides), and the best fit comes first,
 * marked "Recommended for your data"; or import a workflow JSON file (an export from here or elsewhere). Someone who
 * may not create workflows in the project is told so instead. */
import { Badge, Button, Card, Container, Group, List, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowRight, IconFileImport, IconPlus, IconSparkles } from "@tabler/icons-react";
import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { useCreateFromTemplate, useCreateWorkflow, useNodeCatalogue, useTemplates } from "../api/hooks";
import type { Template, TemplateFit } from "../api/types";
import { ImportFileInput } from "../editor/ImportFileInput";
import { useWorkflowImport } from "../editor/useWorkflowImport";
import { useProjectRole } from "../projects/useProjectRole";
import { ErrorBox, Loading } from "../shell/QueryState";
import { FIT_COLOURS, fitLabel, fitLevel, RECOMMENDED_LABEL, sortByFit } from "./fit";

function FitBlock({ fit }: { fit: TemplateFit }) {
  return (
    <Stack gap={4} data-testid="template-fit" data-score={fit.score} data-imgsz={fit.imgsz}>
      <Group gap={6}>
        <Badge size="xs" variant="light" color={FIT_COLOURS[fitLevel(fit)]} data-testid="fit-score">
          {fitLabel(fit)}
        </Badge>
        {fit.pretrained ? (
          <Badge size="xs" variant="light" color="indigo">
            pretrained: {fit.pretrained}
          </Badge>
        ) : null}
      </Group>
      {fit.summary ? (
        <Text size="sm" fw={500} data-testid="fit-summary">
          {fit.summary}
        </Text>
      ) : null}
      {fit.notes.length ? (
        <List size="xs" c="dimmed" spacing={2} data-testid="fit-notes">
          {fit.notes.map((n, k) => (
            <List.Item key={k}>{n}</List.Item>
          ))}
        </List>
      ) : null}
    </Stack>
  );
}

function TemplateCard({ template, busy, onPick, titleOf }: { template: Template; busy: boolean; onPick: () => void; titleOf: (t: string) => string }) {
  const steps = template.graph?.nodes ?? [];
  const recommended = !!template.fit?.recommended;
  return (
    <Card
      withBorder
      padding="md"
      className="vf-template"
      data-testid="template-card"
      data-template-id={template.id}
      data-recommended={recommended ? "true" : "false"}
      onClick={busy ? undefined : onPick}
      tabIndex={0}
      onKeyDown={(e) => e.key === "Enter" && !busy && onPick()}
    >
      <Stack gap={6} h="100%">
        {recommended ? (
          <Badge color="teal" variant="filled" leftSection={<IconSparkles size={12} />} tt="none" data-testid="recommended-badge">
            {RECOMMENDED_LABEL}
          </Badge>
        ) : null}
        <Text fw={600}>{template.title}</Text>
        <Text size="sm" c="dimmed" style={{ flex: 1 }}>
          {template.description}
        </Text>
        {template.fit ? <FitBlock fit={template.fit} /> : null}
        <Text size="xs" c="dimmed" className="vf-template-steps">
          {steps.map((n) => titleOf(n.type)).join(" → ")}
        </Text>
        <Group justify="space-between" mt={4}>
          <Group gap={4}>
            {template.tags.map((t) => (
              <Badge key={t} size="xs" variant="light" color="gray">
                {t}
              </Badge>
            ))}
          </Group>
          <Button size="xs" variant={template.fit?.recommended ? "filled" : "light"} rightSection={<IconArrowRight size={12} />} loading={busy} tabIndex={-1}>
            Use
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

export function TemplatesPage({ first = false }: { first?: boolean }) {
  const { pid = "" } = useParams();
  const navigate = useNavigate();
  const templates = useTemplates(pid || null);
  const ordered = sortByFit(templates.data ?? []);
  const catalogue = useNodeCatalogue();
  const fromTemplate = useCreateFromTemplate(pid);
  const blank = useCreateWorkflow(pid);
  const [busy, setBusy] = useState<string | null>(null);
  const role = useProjectRole(pid);
  const importer = useWorkflowImport(pid);
  const titles = new Map((catalogue.data ?? []).map((d) => [d.type, d.title]));
  const titleOf = (t: string) => titles.get(t) ?? t;

  const fail = (e: unknown) => {
    setBusy(null);
    notifications.show({ color: "red", title: "Could not create the workflow", message: (e as Error).message });
  };
  const pick = (id: string) => {
    setBusy(id);
    fromTemplate.mutate(id, { onSuccess: (wf) => navigate(`/projects/${pid}/workflows/${wf.id}`), onError: fail });
  };
  const startBlank = () => {
    setBusy("blank");
    blank.mutate(
      { schema_version: 1, name: "Untitled workflow", nodes: [], edges: [] },
      { onSuccess: (wf) => navigate(`/projects/${pid}/workflows/${wf.id}`), onError: fail },
    );
  };

  if (pid && role.role && !role.canRun) {
    return (
      <Container size="sm" py="xl" data-testid="no-workflow">
        <Title order={3}>{first ? "No workflow yet" : "New workflow"}</Title>
        <Text c="dimmed" size="sm" mt="xs">
          {role.whyNot("run")}.
        </Text>
      </Container>
    );
  }

  return (
    <Container size="lg" py="xl" data-testid="templates">
      <Group justify="space-between" align="flex-end" mb="lg">
        <div>
          <Title order={3}>{first ? "Start with a recommended workflow" : "New workflow"}</Title>
          <Text c="dimmed" size="sm">
            Pick a template to get a complete, validated pipeline you can run right away, start from an empty canvas, or
            import a workflow JSON.
          </Text>
        </div>
        <Group gap="xs">
          {pid ? (
            <Button
              variant="default"
              leftSection={<IconFileImport size={14} />}
              onClick={importer.pickFile}
              loading={importer.busy}
              data-testid="import-workflow"
            >
              Import a workflow JSON
            </Button>
          ) : null}
          <Button variant="default" leftSection={<IconPlus size={14} />} onClick={startBlank} loading={busy === "blank"} data-testid="blank-workflow">
            Blank workflow
          </Button>
        </Group>
        {pid ? <ImportFileInput importer={importer} /> : null}
      </Group>
      {templates.isLoading ? <Loading /> : null}
      {templates.error ? <ErrorBox error={templates.error} retry={() => templates.refetch()} /> : null}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {ordered.map((t) => (
          <TemplateCard key={t.id} template={t} busy={busy === t.id} onPick={() => pick(t.id)} titleOf={titleOf} />
        ))}
      </SimpleGrid>
    </Container>
  );
}
