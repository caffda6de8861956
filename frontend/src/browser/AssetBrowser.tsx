/** The paged grid of a filter's images, with multi-select and bulk actions (class, clear, delete: only for someone
 * who may label in this project). */
import { Group, Pagination, ScrollArea, SegmentedControl, Text, Tooltip } from "@mantine/core";
import { useHotkeys } from "@mantine/hooks";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useBulkLabel, useDeleteAssets, useAssets } from "../api/dataHooks";
import type { ProjectClass, Split, Workflow } from "../api/types";
import type { AssetFilter } from "../data/filter";
import { useProjectRole } from "../projects/useProjectRole";
import { shortcuts } from "../shell/keys";
import { ErrorBox, Loading } from "../shell/QueryState";
import { AssetTile } from "./AssetTile";
import { clickSelect, EMPTY_SELECTION, pageState, togglePage, without, type Selection } from "./selection";
import { SelectionBar } from "./SelectionBar";

export const PAGE_SIZE = 96;

interface Props {
  pid: string;
  filter: AssetFilter;
  onSplit: (split: Split | null) => void;
  page: number;
  onPage: (page: number) => void;
  classes: ProjectClass[];
  workflow: Workflow | null;
  /** Open one image in the annotator; `position` is its index in the filter. */
  onOpen: (assetId: string, position: number) => void;
  /** Shown instead of an empty grid when the project has no images. */
  empty: React.ReactNode;
  keysEnabled: boolean;
}

export function AssetBrowser({ pid, filter, onSplit, page, onPage, classes, workflow, onOpen, empty, keysEnabled }: Props) {
  const offset = (page - 1) * PAGE_SIZE;
  const assets = useAssets(pid, filter, offset, PAGE_SIZE, workflow?.id);
  const bulk = useBulkLabel(pid);
  const remove = useDeleteAssets(pid);
  const role = useProjectRole(pid);
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const filterKey = JSON.stringify(filter);
  useEffect(() => setSelection(EMPTY_SELECTION), [filterKey]);

  const items = useMemo(() => assets.data?.items ?? [], [assets.data]);
  const pageIds = useMemo(() => items.map((a) => a.id), [items]);
  const byId = useMemo(() => new Map(classes.map((c) => [c.id, c])), [classes]);
  const total = assets.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  useEffect(() => {
    if (assets.data && page > pages) onPage(pages);
  }, [assets.data, page, pages, onPage]);

  const onClick = useCallback((id: string, shift: boolean) => setSelection((s) => clickSelect(s, pageIds, id, shift)), [pageIds]);
  const open = useCallback((id: string) => onOpen(id, offset + pageIds.indexOf(id)), [onOpen, offset, pageIds]);

  const assign = (classId: string | null) => {
    const ids = [...selection.ids];
    if (!ids.length || !role.canLabel) return;
    bulk.mutate(
      { ids, classId },
      {
        onSuccess: (r) => {
          const name = classId ? byId.get(classId)?.name : null;
          notifications.show({ color: "teal", message: name ? `${r.updated} image(s) labelled “${name}”.` : `${r.updated} label(s) cleared.` });
        },
        onError: (e) => notifications.show({ color: "red", title: "Labels not saved", message: e.message }),
      },
    );
  };

  const confirmDelete = () => {
    const ids = [...selection.ids];
    if (!ids.length || !role.canLabel) return;
    modals.openConfirmModal({
      title: `Delete ${ids.length} image(s)?`,
      children: <Text size="sm">The images and their labels leave the project. Runs already trained keep their snapshot.</Text>,
      labels: { confirm: `Delete ${ids.length}`, cancel: "Cancel" },
      confirmProps: { color: "red", "data-testid": "confirm-delete" } as Record<string, unknown>,
      onConfirm: () =>
        remove.mutate(ids, {
          onSuccess: (r) => {
            setSelection((s) => without(s, ids));
            notifications.show({ color: "teal", message: `${r.deleted} image(s) deleted.` });
          },
          onError: (e) => notifications.show({ color: "red", title: "Not deleted", message: e.message }),
        }),
    });
  };

  useHotkeys(
    shortcuts(
      [
        ["mod+a", () => setSelection((s) => togglePage(s, pageIds))],
        ["escape", () => setSelection(EMPTY_SELECTION)],
        ["delete", confirmDelete],
        ["backspace", confirmDelete],
        ...classes.filter((c) => c.hotkey).map((c) => [c.hotkey as string, () => selection.ids.size > 0 && assign(c.id)] as [string, () => void]),
      ],
      keysEnabled,
    ),
    [],
  );

  if (assets.error) return <ErrorBox error={assets.error} retry={() => assets.refetch()} />;
  return (
    <div className="vf-browser" data-testid="asset-browser">
      <div className="vf-browser-bar">
        <SelectionBar
          count={selection.ids.size}
          page={pageState(selection, pageIds)}
          classes={classes}
          busy={bulk.isPending || remove.isPending}
          readOnly={role.whyNot("label")}
          onTogglePage={() => setSelection((s) => togglePage(s, pageIds))}
          onAssign={assign}
          onDelete={confirmDelete}
          onClear={() => setSelection(EMPTY_SELECTION)}
        />
        <Group gap="sm" wrap="nowrap">
          <Tooltip label={workflow ? `As the dataset node of “${workflow.name}” splits` : "As the default dataset node splits"} openDelay={400}>
            <SegmentedControl
              size="xs"
              value={filter.split ?? "all"}
              onChange={(v) => onSplit(v === "all" ? null : v)}
              data={[
                { value: "all", label: "All splits" },
                { value: "train", label: "Train" },
                { value: "val", label: "Val" },
              ]}
              data-testid="split-filter"
            />
          </Tooltip>
          <Text size="xs" c="dimmed" ff="monospace" miw={120} ta="right" data-testid="asset-total" data-total={total}>
            {total ? `${offset + 1}–${offset + items.length} of ${total.toLocaleString()}` : "0 images"}
          </Text>
        </Group>
      </div>
      {assets.isPending ? (
        <Loading />
      ) : !items.length ? (
        empty
      ) : (
        <ScrollArea style={{ flex: 1 }} data-stale={assets.isPlaceholderData || undefined}>
          <div className="vf-tiles" data-testid="asset-grid">
            {items.map((a) => (
              <AssetTile key={a.id} asset={a} cls={a.class_id ? byId.get(a.class_id) : undefined} selected={selection.ids.has(a.id)} onClick={onClick} onOpen={open} />
            ))}
          </div>
        </ScrollArea>
      )}
      {pages > 1 ? (
        <Group justify="center" p={6} className="vf-browser-pages">
          <Pagination size="sm" total={pages} value={Math.min(page, pages)} onChange={onPage} data-testid="pagination" />
        </Group>
      ) : null}
    </div>
  );
}
