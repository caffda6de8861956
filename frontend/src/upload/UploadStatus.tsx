/** A small card in the corner while an upload runs and after: progress, then imported / duplicate / rejected,
 * with every file's result one click away. */
import { ActionIcon, Button, CloseButton, Group, Modal, Paper, Progress, ScrollArea, SegmentedControl, Table, Text } from "@mantine/core";
import { IconPlayerStop } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import type { UploadState } from "./useUploader";
import type { FileOutcome } from "./uploadPlan";

const OUTCOME_COLOUR: Record<FileOutcome, string> = { imported: "teal", duplicate: "gray", rejected: "red" };
const MAX_ROWS = 1000;

function ResultsModal({ state, opened, onClose }: { state: UploadState; opened: boolean; onClose: () => void }) {
  const [show, setShow] = useState<"all" | FileOutcome>(state.totals.rejected ? "rejected" : "all");
  const rows = useMemo(() => state.results.filter((r) => show === "all" || r.outcome === show), [state.results, show]);
  return (
    <Modal opened={opened} onClose={onClose} title="Upload results" size="xl">
      <SegmentedControl
        size="xs"
        mb="sm"
        value={show}
        onChange={(v) => setShow(v)}
        data={[
          { value: "all", label: `All ${state.results.length}` },
          { value: "imported", label: `Imported ${state.totals.imported}` },
          { value: "duplicate", label: `Duplicates ${state.totals.duplicates}` },
          { value: "rejected", label: `Rejected ${state.totals.rejected}` },
        ]}
      />
      <ScrollArea.Autosize mah={420}>
        <Table fz="xs" verticalSpacing={3} striped data-testid="upload-results">
          <Table.Tbody>
            {rows.slice(0, MAX_ROWS).map((r, i) => (
              <Table.Tr key={`${r.path}-${i}`} data-outcome={r.outcome}>
                <Table.Td ff="monospace" w="50%" style={{ wordBreak: "break-all" }}>{r.path}</Table.Td>
                <Table.Td w={90}>
                  <Text size="xs" c={OUTCOME_COLOUR[r.outcome]} fw={600}>
                    {r.outcome}
                  </Text>
                </Table.Td>
                <Table.Td c="dimmed">{r.outcome === "imported" ? "" : r.reason}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {rows.length > MAX_ROWS ? (
          <Text size="xs" c="dimmed" p="xs">
            and {rows.length - MAX_ROWS} more
          </Text>
        ) : null}
      </ScrollArea.Autosize>
    </Modal>
  );
}

export function UploadStatus({ state, onCancel, onDismiss }: { state: UploadState | null; onCancel: () => void; onDismiss: () => void }) {
  const [details, setDetails] = useState(false);
  if (!state) return null;
  const { totals } = state;
  const running = state.phase === "uploading";
  const percent = state.bytes ? (100 * state.bytesSent) / state.bytes : 0;
  const processing = running && state.bytesSent >= state.bytes;
  return (
    <Paper className="vf-upload-status" shadow="md" withBorder p="sm" data-testid="upload-status" data-phase={state.phase}>
      <Group justify="space-between" wrap="nowrap" mb={6}>
        <Text size="sm" fw={600}>
          {running ? (processing ? "Importing…" : "Uploading…") : state.phase === "cancelled" ? "Upload cancelled" : "Upload finished"}
        </Text>
        {running ? (
          <ActionIcon size="sm" variant="subtle" color="gray" onClick={onCancel} aria-label="Cancel upload" title="Cancel upload">
            <IconPlayerStop size={14} />
          </ActionIcon>
        ) : (
          <CloseButton size="sm" onClick={onDismiss} aria-label="Close" />
        )}
      </Group>
      <Progress value={running ? percent : 100} animated={running} striped={processing} size="sm" color={totals.rejected && !running ? "orange" : undefined} data-testid="upload-progress" />
      <Text size="xs" c="dimmed" mt={4}>
        {state.filesDone} of {state.files} file(s) processed
      </Text>
      <Group gap={10} mt={4} data-testid="upload-totals">
        <Text size="xs" c="teal" fw={600} data-testid="upload-imported">{totals.imported} imported</Text>
        <Text size="xs" c="dimmed">{totals.duplicates} duplicate</Text>
        <Text size="xs" c={totals.rejected ? "red" : "dimmed"} fw={totals.rejected ? 600 : undefined}>
          {totals.rejected} rejected
        </Text>
      </Group>
      {totals.classesCreated.length ? (
        <Text size="xs" c="dimmed" mt={2} lineClamp={2}>
          New classes: {totals.classesCreated.join(", ")}
        </Text>
      ) : null}
      {state.results.length ? (
        <Button size="compact-xs" variant="subtle" mt={4} px={0} onClick={() => setDetails(true)} data-testid="upload-details">
          Every file's result
        </Button>
      ) : null}
      {details ? <ResultsModal state={state} opened onClose={() => setDetails(false)} /> : null}
    </Paper>
  );
}
