/** A project's data at a glance: classes with counts, image upload (files or folders), and a labelled grid. */
import { Alert, Badge, Button, Group, Pagination, ScrollArea, SegmentedControl, Stack, Text, TextInput, Title } from "@mantine/core";
import { Dropzone } from "@mantine/dropzone";
import { notifications } from "@mantine/notifications";
import { IconPhotoUp, IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { keys, useAssets, useClasses, useCreateClass, useProject, useUploadAssets } from "../api/hooks";
import type { ImportResult } from "../api/types";
import { ApiError } from "../api/client";
import { AssetGrid } from "./AssetGrid";

const PAGE = 60;

function ImportSummary({ result }: { result: ImportResult }) {
  return (
    <Alert color={result.imported.length ? "teal" : "orange"} title="Import finished" data-testid="import-summary">
      {result.imported.length} imported, {result.duplicates.length} duplicate(s), {result.rejected.length} rejected.
      {result.rejected.slice(0, 5).map((r) => (
        <Text size="xs" key={r.filename}>
          {r.filename}: {r.reason}
        </Text>
      ))}
    </Alert>
  );
}

export function DataPage() {
  const { pid = "" } = useParams();
  const qc = useQueryClient();
  const project = useProject(pid);
  const classes = useClasses(pid);
  const createClass = useCreateClass(pid);
  const upload = useUploadAssets(pid);
  const [newClass, setNewClass] = useState("");
  const [filter, setFilter] = useState<string>("all");
  const [page, setPage] = useState(1);
  const [lastImport, setLastImport] = useState<ImportResult | null>(null);
  const assets = useAssets(pid, {
    offset: (page - 1) * PAGE,
    limit: PAGE,
    classId: filter !== "all" && filter !== "unlabelled" ? filter : null,
    unlabelled: filter === "unlabelled",
  });

  const onDrop = (files: File[]) =>
    upload.mutate(files, {
      onSuccess: setLastImport,
      onError: (e) => {
        const body = e instanceof ApiError ? (e.body as ImportResult | null) : null;
        if (body && Array.isArray(body.rejected)) setLastImport(body);
        notifications.show({ color: "red", title: "Upload failed", message: (e as Error).message });
      },
    });

  const setLabel = async (assetId: string, classId: string | null) => {
    try {
      await api.put(`/api/assets/${assetId}/annotation`, { class_id: classId });
      qc.invalidateQueries({ queryKey: keys.project(pid) });
    } catch (e) {
      notifications.show({ color: "red", title: "Label not saved", message: (e as Error).message });
    }
  };

  const addClass = (e: React.FormEvent) => {
    e.preventDefault();
    if (newClass.trim()) createClass.mutate(newClass.trim(), { onSuccess: () => setNewClass("") });
  };

  const total = assets.data?.total ?? 0;
  return (
    <div className="vf-data">
      <aside className="vf-data-side">
        <Title order={5} mb={4}>
          Classes
        </Title>
        <Text size="xs" c="dimmed" mb="sm">
          {project.data ? `${project.data.labelled_count} of ${project.data.image_count} images labelled` : " "}
        </Text>
        <Stack gap={4} data-testid="class-list">
          {(classes.data ?? []).map((c) => (
            <Group key={c.id} justify="space-between" wrap="nowrap">
              <Group gap={6} wrap="nowrap">
                <span className="vf-swatch" style={{ background: c.colour }} />
                <Text size="sm" truncate>
                  {c.name}
                </Text>
              </Group>
              <Text size="xs" c="dimmed" ff="monospace">
                {c.image_count}
              </Text>
            </Group>
          ))}
        </Stack>
        <form onSubmit={addClass}>
          <Group gap={4} mt="sm" wrap="nowrap">
            <TextInput size="xs" placeholder="New class" value={newClass} onChange={(e) => setNewClass(e.currentTarget.value)} />
            <Button type="submit" size="xs" variant="light" loading={createClass.isPending} aria-label="Add class">
              <IconPlus size={14} />
            </Button>
          </Group>
          {createClass.error ? (
            <Text size="xs" c="red">
              {(createClass.error as Error).message}
            </Text>
          ) : null}
        </form>
        <Dropzone onDrop={onDrop} loading={upload.isPending} mt="lg" accept={["image/*", "application/zip"]} data-testid="dropzone">
          <Stack align="center" gap={4} py="md">
            <IconPhotoUp size={28} stroke={1.5} />
            <Text size="sm" ta="center">
              Drop images or a zip here
            </Text>
            <Text size="xs" c="dimmed" ta="center">
              or click to choose files
            </Text>
          </Stack>
        </Dropzone>
        {lastImport ? <ImportSummary result={lastImport} /> : null}
      </aside>
      <section className="vf-data-main">
        <Group justify="space-between" p="sm">
          <SegmentedControl
            size="xs"
            value={filter}
            onChange={(v) => {
              setFilter(v);
              setPage(1);
            }}
            data={[
              { value: "all", label: "All" },
              { value: "unlabelled", label: "Unlabelled" },
              ...(classes.data ?? []).map((c) => ({ value: c.id, label: c.name })),
            ]}
          />
          <Badge variant="light" color="gray">
            {total} image(s)
          </Badge>
        </Group>
        <ScrollArea style={{ flex: 1 }}>
          <AssetGrid assets={assets.data?.items ?? []} classes={classes.data ?? []} onLabel={setLabel} />
        </ScrollArea>
        {total > PAGE ? (
          <Group justify="center" p="xs">
            <Pagination size="sm" total={Math.ceil(total / PAGE)} value={page} onChange={setPage} />
          </Group>
        ) : null}
      </section>
    </div>
  );
}
