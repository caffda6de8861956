/** Merge and delete: the server's dry run says first what will happen, then the user confirms. */
import { Alert, Button, Group, Loader, Modal, Select, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { deleteClass, mergeClass, useDeleteClass, useMergeClass } from "../api/dataHooks";
import type { ProjectClass } from "../api/types";

function DryRun({ loading, error, message }: { loading: boolean; error: unknown; message?: string }) {
  if (loading) return <Loader size="xs" />;
  if (error) return <Alert color="red" p="xs">{(error as Error).message}</Alert>;
  return message ? (
    <Alert color="orange" variant="light" p="xs" data-testid="dry-run-message">
      {message}
    </Alert>
  ) : null;
}

const fail = (title: string) => (e: Error) => notifications.show({ color: "red", title, message: e.message });

export function ClassDeleteModal({ pid, cls, onClose }: { pid: string; cls: ProjectClass | null; onClose: () => void }) {
  const remove = useDeleteClass(pid);
  const dry = useQuery({
    queryKey: ["class-delete-dry-run", cls?.id],
    queryFn: () => deleteClass(cls!.id, true),
    enabled: cls !== null,
    gcTime: 0,
    staleTime: 0,
  });
  return (
    <Modal opened={cls !== null} onClose={onClose} title={`Delete class “${cls?.name ?? ""}”?`} size="sm">
      <DryRun loading={dry.isFetching} error={dry.error} message={dry.data?.message} />
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          color="red"
          disabled={!dry.data || dry.isFetching}
          loading={remove.isPending}
          data-testid="class-delete-confirm"
          onClick={() => remove.mutate(cls!.id, { onSuccess: onClose, onError: fail("Class not deleted") })}
        >
          Delete class
        </Button>
      </Group>
    </Modal>
  );
}

export function ClassMergeModal({ pid, cls, classes, onClose }: { pid: string; cls: ProjectClass | null; classes: ProjectClass[]; onClose: () => void }) {
  const merge = useMergeClass(pid);
  const [into, setInto] = useState<string | null>(null);
  useEffect(() => setInto(null), [cls]);
  const dry = useQuery({
    queryKey: ["class-merge-dry-run", cls?.id, into],
    queryFn: () => mergeClass(cls!.id, into!, true),
    enabled: cls !== null && into !== null,
    gcTime: 0,
    staleTime: 0,
  });
  const targets = classes.filter((c) => c.id !== cls?.id).map((c) => ({ value: c.id, label: c.name }));
  return (
    <Modal opened={cls !== null} onClose={onClose} title={`Merge “${cls?.name ?? ""}” into…`} size="sm">
      <Select data={targets} value={into} onChange={setInto} placeholder="Choose a class" searchable mb="sm" data-autofocus data-testid="merge-target" comboboxProps={{ withinPortal: true }} />
      {into ? <DryRun loading={dry.isFetching} error={dry.error} message={dry.data?.message} /> : (
        <Text size="xs" c="dimmed">Its images take the other class; then it is deleted.</Text>
      )}
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          color="orange"
          disabled={!into || !dry.data || dry.isFetching}
          loading={merge.isPending}
          data-testid="class-merge-confirm"
          onClick={() => merge.mutate({ id: cls!.id, into: into! }, { onSuccess: onClose, onError: fail("Classes not merged") })}
        >
          Merge
        </Button>
      </Group>
    </Modal>
  );
}
