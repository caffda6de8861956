/** The hidden file input behind "Import JSON…" (useWorkflowImport's pickFile clicks it). */
import type { WorkflowImport } from "./useWorkflowImport";

export function ImportFileInput({ importer }: { importer: WorkflowImport }) {
  return (
    <input
      ref={importer.inputRef}
      type="file"
      accept=".json,application/json"
      hidden
      onChange={importer.onInputChange}
      data-testid="import-input"
      aria-label="Workflow JSON file to import"
    />
  );
}
