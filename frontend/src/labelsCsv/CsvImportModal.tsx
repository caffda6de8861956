/** Import labels from a CSV: choose it, see the server's dry run (changes before → after, new classes, problems
 * by line), fix small files in place, then apply all of it or nothing — or, when asked, only the valid rows. */
import { Alert, Badge, Button, Checkbox, FileButton, Group, Modal, ScrollArea, Stack, Table, Text, Textarea } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useQuery } from "@tanstack/react-query";
import { IconArrowRight, IconFileSpreadsheet } from "@tabler/icons-react";
import { useEffect, useRef, useState } from "react";
import { importCsv, useApplyCsv, useClasses } from "../api/dataHooks";
import { applyState, canApplyValidRows, createClassesByDefault, EDITABLE_BYTES, lineRange } from "./csvModel";

interface Source {
  name: string;
  file: File;
  /** The text when small enough to edit; null for big files. */
  text: string | null;
  edited: boolean;
}

const SHOWN_CHANGES = 300;

export function CsvImportModal({ pid, opened, onClose }: { pid: string; opened: boolean; onClose: () => void }) {
  const [source, setSource] = useState<Source | null>(null);
  // null until the person ticks or unticks it: then the default follows the project (no classes yet → ticked).
  const [createChoice, setCreateClasses] = useState<boolean | null>(null);
  const [validRowsOnly, setValidRowsOnly] = useState(false);
  const classes = useClasses(pid);
  const createClasses = createChoice ?? createClassesByDefault(classes.data?.length);
  const [debouncedText] = useDebouncedValue(source?.text ?? null, 400);
  const editor = useRef<HTMLTextAreaElement>(null);
  const apply = useApplyCsv(pid);

  useEffect(() => {
    if (!opened) {
      setSource(null);
      setCreateClasses(null);
      setValidRowsOnly(false);
      apply.reset();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened]);

  const body = (): Blob =>
    source!.edited && debouncedText !== null ? new Blob([debouncedText], { type: "text/csv" }) : new Blob([source!.file], { type: "text/csv" });
  const preview = useQuery({
    queryKey: ["csv-dry-run", pid, source?.name, source?.file.lastModified, source?.edited ? debouncedText : null, createClasses],
    // A dry run reports the same either way; asking as if the valid rows were applied makes problems a 200 answer
    // (no console error on every edit of a file with problems).
    queryFn: () => importCsv(pid, body(), { dryRun: true, createClasses, applyValidRows: true }),
    enabled: opened && source !== null,
    gcTime: 0,
    staleTime: Infinity,
    retry: false,
    placeholderData: (previous) => previous,
  });
  const pending = source?.edited && source.text !== debouncedText;
  const report = pending || preview.isFetching ? undefined : preview.data;
  const offerValidRows = canApplyValidRows(report);
  const state = applyState(report, offerValidRows && validRowsOnly);

  const choose = async (file: File | null) => {
    if (!file) return;
    const text = file.size <= EDITABLE_BYTES ? await file.text() : null;
    setSource({ name: file.name, file, text, edited: false });
  };

  const showLine = (line: number | null) => {
    const el = editor.current;
    const range = line && source?.text != null ? lineRange(source.text, line) : null;
    if (!el || !range) return;
    el.focus();
    el.setSelectionRange(...range);
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 16;
    el.scrollTop = Math.max(0, (line! - 3) * lineHeight);
  };

  const onApply = () =>
    apply.mutate(
      { body: body(), createClasses, applyValidRows: offerValidRows && validRowsOnly },
      {
        onSuccess: (r) => {
          if (r.applied) {
            const skipped = r.problems.length ? ` ${r.problems.length} row(s) with problems skipped.` : "";
            notifications.show({ color: "teal", title: "Labels imported", message: `${r.changes.length} image(s) relabelled.${skipped}` });
            onClose();
          }
        },
        onError: (e) => notifications.show({ color: "red", title: "Import failed", message: e.message }),
      },
    );

  return (
    <Modal opened={opened} onClose={onClose} title="Import labels from CSV" size="xl" data-testid="csv-modal">
      <Group justify="space-between" mb="sm">
        <Text size="xs" c="dimmed">
          One row per image: <code>filename,label</code> (a <code>class</code> header works too), matched on the image's file name.
        </Text>
        <FileButton onChange={choose} accept=".csv,text/csv" inputProps={{ "data-testid": "csv-input" } as Record<string, string>}>
          {(props) => (
            <Button {...props} size="xs" variant={source ? "default" : "filled"} leftSection={<IconFileSpreadsheet size={14} />}>
              {source ? "Choose another file" : "Choose a CSV file"}
            </Button>
          )}
        </FileButton>
      </Group>
      {source ? (
        <Stack gap="sm">
          {source.text !== null ? (
            <Textarea
              ref={editor}
              label={<>{source.name}{source.edited ? <Text span c="dimmed" size="xs"> (edited here; the file is unchanged)</Text> : null}</>}
              value={source.text}
              onChange={(e) => setSource({ ...source, text: e.currentTarget.value, edited: true })}
              autosize
              minRows={4}
              maxRows={10}
              spellCheck={false}
              styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12, whiteSpace: "pre", overflowX: "auto" } }}
              data-testid="csv-text"
            />
          ) : (
            <Text size="sm">
              {source.name} <Text span c="dimmed" size="xs">(too big to edit here)</Text>
            </Text>
          )}
          <Checkbox
            size="xs"
            label="Create classes that do not exist yet"
            checked={createClasses}
            onChange={(e) => setCreateClasses(e.currentTarget.checked)}
            data-testid="csv-create-classes"
          />
          {offerValidRows ? (
            <Checkbox
              size="xs"
              label={`Apply the valid rows and skip the ${report!.problems.length} with problems`}
              checked={validRowsOnly}
              onChange={(e) => setValidRowsOnly(e.currentTarget.checked)}
              data-testid="csv-apply-valid"
            />
          ) : null}
          {preview.error ? <Alert color="red" p="xs">{preview.error.message}</Alert> : null}
          <div data-testid="csv-preview" data-ready={report ? "true" : "false"} data-problems={report?.problems.length ?? ""}>
            {report ? (
              <Stack gap="xs">
                <Group gap={6}>
                  <Badge variant="light" color="gray">{report.rows} row(s)</Badge>
                  <Badge variant="light" color="indigo" data-testid="csv-change-count">{report.changes.length} change(s)</Badge>
                  <Badge variant="light" color="gray">{report.unchanged} unchanged</Badge>
                  {report.new_classes.length ? <Badge variant="light" color="teal">new classes: {report.new_classes.join(", ")}</Badge> : null}
                  {report.problems.length ? <Badge variant="filled" color="red">{report.problems.length} problem(s)</Badge> : null}
                </Group>
                {report.problems.length ? (
                  <ScrollArea.Autosize mah={160}>
                    <Table fz="xs" verticalSpacing={3} data-testid="csv-problems">
                      <Table.Tbody>
                        {report.problems.map((p, i) => (
                          <Table.Tr key={i} data-testid="csv-problem" data-line={p.line ?? ""} data-code={p.code} onClick={() => showLine(p.line)} style={{ cursor: p.line ? "pointer" : undefined }}>
                            <Table.Td w={70} ff="monospace" c="red" fw={700}>{p.line ? `line ${p.line}` : "file"}</Table.Td>
                            <Table.Td w={140} c="dimmed" ff="monospace">{p.code}</Table.Td>
                            <Table.Td>{p.message}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </ScrollArea.Autosize>
                ) : null}
                {report.changes.length ? (
                  <ScrollArea.Autosize mah={220}>
                    <Table fz="xs" verticalSpacing={2} striped data-testid="csv-changes">
                      <Table.Thead>
                        <Table.Tr><Table.Th w={60}>line</Table.Th><Table.Th>image</Table.Th><Table.Th>label</Table.Th></Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {report.changes.slice(0, SHOWN_CHANGES).map((c) => (
                          <Table.Tr key={c.line}>
                            <Table.Td ff="monospace" c="dimmed">{c.line}</Table.Td>
                            <Table.Td ff="monospace">{c.filename}</Table.Td>
                            <Table.Td>
                              <Group gap={6} wrap="nowrap">
                                <Text size="xs" c="dimmed" fs={c.before ? undefined : "italic"}>{c.before ?? "unlabelled"}</Text>
                                <IconArrowRight size={12} />
                                <Text size="xs" fw={600}>{c.after}</Text>
                              </Group>
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                    {report.changes.length > SHOWN_CHANGES ? <Text size="xs" c="dimmed" p={4}>and {report.changes.length - SHOWN_CHANGES} more</Text> : null}
                  </ScrollArea.Autosize>
                ) : null}
              </Stack>
            ) : (
              <Text size="xs" c="dimmed">Checking…</Text>
            )}
          </div>
        </Stack>
      ) : (
        <Text size="sm" c="dimmed" py="lg" ta="center">
          Nothing changes until you press Apply, and then either every row is applied or none (unless you choose to apply
          only the valid rows).
        </Text>
      )}
      <Group justify="space-between" mt="lg">
        <Text size="xs" c={state.ok ? "dimmed" : "orange"} data-testid="csv-apply-reason">
          {source && !state.ok ? state.reason : ""}
        </Text>
        <Group gap="xs">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button disabled={!source || !state.ok} loading={apply.isPending} onClick={onApply} data-testid="csv-apply">
            {state.ok ? state.label : "Apply"}
          </Button>
        </Group>
      </Group>
    </Modal>
  );
}
