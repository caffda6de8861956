/** The model store: pretrained weights that model nodes can start from. Upload a `.pt` or download official weights
 * by name (the server verifies and checks either in a worker and says why when it refuses), see what is stored,
 * delete. */
import { ActionIcon, Alert, Badge, Button, Container, FileButton, Group, Select, Stack, Table, Text, Title, Tooltip } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { IconDownload, IconTrash, IconUpload } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import { useNodeCatalogue } from "../api/hooks";
import { useDeleteModel, useDownloadOfficialModel, useOfficialModelNames, useStoredModels, useUploadModel } from "../api/modelHooks";
import type { StoredModel } from "../api/types";
import { ErrorBox, Loading } from "../shell/QueryState";
import { architectureOptions, formatSize } from "./architectures";
import { useAuth } from "../auth/useAuth";

function UploadBox() {
  const catalogue = useNodeCatalogue();
  const options = useMemo(() => architectureOptions(catalogue.data ?? []), [catalogue.data]);
  const [architecture, setArchitecture] = useState<string | null>(null);
  const upload = useUploadModel();
  const send = (file: File | null) => {
    if (!file) return;
    upload.reset();
    upload.mutate(
      { file, architecture },
      { onSuccess: (m) => notifications.show({ color: "teal", title: "Model stored", message: `${m.name} (${m.architecture})` }) },
    );
  };
  return (
    <Stack gap="xs" data-testid="model-upload">
      <Group align="flex-end" gap="sm">
        <Select
          label="Architecture"
          description="Leave empty to let the server read it from the file"
          placeholder="Detect from the file"
          data={options}
          value={architecture}
          onChange={setArchitecture}
          clearable
          searchable
          w={320}
          data-testid="model-architecture"
        />
        <FileButton onChange={send} accept=".pt,.pth">
          {(props) => (
            <Button {...props} leftSection={<IconUpload size={14} />} loading={upload.isPending} data-testid="model-upload-button">
              Upload .pt file
            </Button>
          )}
        </FileButton>
      </Group>
      {upload.error ? (
        <Alert color="red" title="Refused" data-testid="model-upload-error">
          {upload.error.message}
        </Alert>
      ) : null}
    </Stack>
  );
}

/** Official weights by name: needs internet on the server; its error (e.g. 503 offline) is shown as it says. */
function DownloadBox() {
  const names = useOfficialModelNames();
  const [name, setName] = useState<string | null>(null);
  const download = useDownloadOfficialModel();
  const start = () => {
    if (!name) return;
    download.reset();
    download.mutate(name, {
      onSuccess: (m) => notifications.show({ color: "teal", title: "Model downloaded", message: `${m.name} (${m.architecture})` }),
    });
  };
  return (
    <Stack gap="xs" mt="md" data-testid="model-download">
      <Group align="flex-end" gap="sm">
        <Select
          label="Download official weights"
          description="Ultralytics' published file, verified by its checksum (the server needs internet)"
          placeholder="Choose a file"
          data={names.data ?? []}
          value={name}
          onChange={setName}
          searchable
          w={320}
          data-testid="model-official-name"
        />
        <Button
          leftSection={<IconDownload size={14} />}
          onClick={start}
          disabled={!name}
          loading={download.isPending}
          data-testid="model-download-button"
        >
          Download
        </Button>
      </Group>
      {download.error ? (
        <Alert color="red" title="Not downloaded" data-testid="model-download-error">
          {download.error.message}
        </Alert>
      ) : null}
    </Stack>
  );
}

function ModelRow({ model, canAdminister }: { model: StoredModel; canAdminister: boolean }) {
  const remove = useDeleteModel();
  const confirm = () =>
    modals.openConfirmModal({
      title: "Delete model",
      children: <Text size="sm">Delete “{model.name}”? Workflows that start from it will ask for other weights.</Text>,
      labels: { confirm: "Delete", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () =>
        remove.mutate(model.name, {
          onError: (e) => notifications.show({ color: "red", title: "Not deleted", message: e.message }),
        }),
    });
  return (
    <Table.Tr data-testid="model-row" data-name={model.name}>
      <Table.Td fw={500}>
        {model.name}
        {model.filename && model.filename !== model.name ? (
          <Text size="xs" c="dimmed">
            {model.filename}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td ff="monospace">{model.architecture}</Table.Td>
      <Table.Td>
        <Badge variant="light" color="gray" size="sm">
          {model.family} · {model.size}
        </Badge>
      </Table.Td>
      <Table.Td ta="right">
        <Tooltip label={model.classes?.names?.join(", ") ?? "no class names in the file"} multiline w={280}>
          <span>{model.classes?.nc ?? "—"}</span>
        </Tooltip>
      </Table.Td>
      <Table.Td ta="right" ff="monospace">
        {formatSize(model.bytes)}
      </Table.Td>
      <Table.Td>
        <Tooltip label={model.sha256}>
          <Text size="xs" ff="monospace" c="dimmed">
            {model.sha256.slice(0, 12)}
          </Text>
        </Tooltip>
      </Table.Td>
      <Table.Td c="dimmed">{new Date(model.uploaded_at).toLocaleString()}</Table.Td>
      <Table.Td display={canAdminister ? undefined : "none"}>
        <ActionIcon variant="subtle" color="red" onClick={confirm} loading={remove.isPending} aria-label={`Delete ${model.name}`} data-testid="model-delete">
          <IconTrash size={16} />
        </ActionIcon>
      </Table.Td>
    </Table.Tr>
  );
}

export function ModelsPage() {
  const models = useStoredModels();
  const { authOn, me } = useAuth();
  // The model store is the admins' (the server refuses others): everyone else only sees what is there.
  const canAdminister = !authOn || !!me?.is_admin;
  return (
    <Container size="lg" py="lg" data-testid="models-page">
      <Title order={3}>Models</Title>
      <Text c="dimmed" size="sm" mb="md">
        Pretrained weights that model nodes can start from. A model node offers the stored weights of its own family.
      </Text>
      {canAdminister ? (
        <>
          <UploadBox />
          <DownloadBox />
        </>
      ) : (
        <Text size="sm" c="dimmed" data-testid="models-admin-only">
          Only an admin adds or removes models.
        </Text>
      )}
      {models.isLoading ? <Loading /> : null}
      {models.error ? <ErrorBox error={models.error} retry={() => models.refetch()} /> : null}
      {models.data && !models.data.length ? (
        <Text c="dimmed" size="sm" mt="md" data-testid="models-empty">
          No stored models yet: models train from scratch.
        </Text>
      ) : null}
      {models.data?.length ? (
        <Table mt="md" verticalSpacing="xs" data-testid="models-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Architecture</Table.Th>
              <Table.Th>Family</Table.Th>
              <Table.Th ta="right">Classes</Table.Th>
              <Table.Th ta="right">Size</Table.Th>
              <Table.Th>SHA-256</Table.Th>
              <Table.Th>Uploaded</Table.Th>
              <Table.Th w={40} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {models.data.map((m) => (
              <ModelRow key={m.name} model={m} canAdminister={canAdminister} />
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Container>
  );
}
