/** Send one batch as multipart `files` with XMLHttpRequest (fetch cannot report upload progress). Any answer
 * becomes an UploadReport: 201 and 422 carry one; a refused batch (400, 413, network) rejects each of its files. */
import type { UploadReport } from "../api/types";
import { csrfHeaders, reportUnauthorized } from "../auth/session";
import { failedBatch } from "./uploadPlan";

export interface OutgoingFile {
  file: File;
  path: string;
}

export function sendBatch(
  url: string,
  batch: OutgoingFile[],
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
): Promise<UploadReport> {
  const paths = batch.map((f) => f.path);
  return new Promise((resolve) => {
    const form = new FormData();
    for (const { file, path } of batch) form.append("files", file, path);
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    signal.addEventListener("abort", abort, { once: true });
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    for (const [name, value] of Object.entries(csrfHeaders("POST"))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      signal.removeEventListener("abort", abort);
      if (xhr.status === 401) reportUnauthorized();
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      const report = body as UploadReport | null;
      if ((xhr.status === 201 || xhr.status === 422) && report && Array.isArray(report.rejected)) {
        resolve(report);
      } else {
        const detail = (body as { detail?: unknown } | null)?.detail;
        resolve(failedBatch(paths, typeof detail === "string" ? detail : `The server refused the upload (HTTP ${xhr.status}).`));
      }
    };
    xhr.onerror = () => resolve(failedBatch(paths, "The server cannot be reached."));
    xhr.onabort = () => resolve(failedBatch(paths, "Upload cancelled."));
    xhr.send(form);
  });
}
