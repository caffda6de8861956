/** The upload of a drop or pick: asks first when folders or archives will label images, then sends batches
 * (two in flight) and gathers a result for every file. Lives above the views, so switching view keeps it. */
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { keys } from "../api/hooks";
import { runQueue } from "./queue";
import { sendBatch, type OutgoingFile } from "./sendBatch";
import { addTotals, EMPTY_TOTALS, fileResults, needsConfirmation, planBatches, sortByPath, uploadPath, type FileResult, type UploadTotals } from "./uploadPlan";

const CONCURRENCY = 2;

export interface UploadState {
  phase: "uploading" | "done" | "cancelled";
  files: number;
  filesDone: number;
  bytes: number;
  bytesSent: number;
  totals: UploadTotals;
  results: FileResult[];
  foldersAreClasses: boolean;
}

export interface Uploader {
  /** Files waiting for the user to confirm what their folders will do. */
  pending: OutgoingFile[] | null;
  state: UploadState | null;
  add: (files: File[]) => void;
  confirm: (foldersAreClasses: boolean) => void;
  discardPending: () => void;
  cancel: () => void;
  dismiss: () => void;
}

export function useUploader(pid: string): Uploader {
  const qc = useQueryClient();
  const [pending, setPending] = useState<OutgoingFile[] | null>(null);
  const [state, setState] = useState<UploadState | null>(null);
  const controller = useRef<AbortController | null>(null);

  const start = useCallback(
    async (outgoing: OutgoingFile[], foldersAreClasses: boolean) => {
      const abort = new AbortController();
      controller.current = abort;
      const batches = planBatches(outgoing.map((o) => ({ ...o, size: o.file.size })));
      const sent = new Array<number>(batches.length).fill(0);
      const bytes = outgoing.reduce((n, o) => n + o.file.size, 0);
      setState({
        phase: "uploading", files: outgoing.length, filesDone: 0, bytes, bytesSent: 0,
        totals: EMPTY_TOTALS, results: [], foldersAreClasses,
      });
      const url = `/api/projects/${pid}/assets?folders_are_classes=${foldersAreClasses}`;
      const total = () => sent.reduce((a, b) => a + b, 0);
      const send = async (batch: OutgoingFile[], index: number) => {
        const report = await sendBatch(url, batch, (loaded) => {
          sent[index] = loaded;
          setState((s) => s && { ...s, bytesSent: total() });
        }, abort.signal);
        sent[index] = batch.reduce((n, f) => n + f.file.size, 0);
        setState((s) => s && {
          ...s,
          bytesSent: total(),
          filesDone: s.filesDone + batch.length,
          totals: addTotals(s.totals, report),
          results: [...s.results, ...fileResults(report)],
        });
        // Show new images as they arrive rather than all at the end.
        void qc.invalidateQueries({ queryKey: keys.project(pid) });
      };
      // The first batch goes alone, so classes are created (and get their keys) in the folders' order.
      if (batches.length) await send(batches[0], 0);
      await runQueue(batches.slice(1), (batch, i) => send(batch, i + 1), { concurrency: CONCURRENCY, signal: abort.signal });
      setState((s) => s && { ...s, phase: abort.signal.aborted ? "cancelled" : "done" });
      void qc.invalidateQueries({ queryKey: keys.project(pid) });
    },
    [pid, qc],
  );

  const busy = state?.phase === "uploading";
  const add = useCallback(
    (files: File[]) => {
      if (!files.length) return;
      if (busy) {
        notifications.show({ color: "orange", message: "One upload at a time: drop these again when this one has finished." });
        return;
      }
      const outgoing = sortByPath(files.map((file) => ({ file, path: uploadPath(file) })));
      if (needsConfirmation(outgoing.map((o) => o.path))) setPending(outgoing);
      else void start(outgoing, true);
    },
    [start, busy],
  );

  return {
    pending,
    state,
    add,
    confirm: (foldersAreClasses) => {
      if (pending) void start(pending, foldersAreClasses);
      setPending(null);
    },
    discardPending: () => setPending(null),
    cancel: () => controller.current?.abort(),
    dismiss: () => setState((s) => (s?.phase === "uploading" ? s : null)),
  };
}
