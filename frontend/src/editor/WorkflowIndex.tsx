/** A project's Workflow tab: open the most recently edited workflow, or offer templates when there is none. */
import { Navigate, useParams } from "react-router";
import { useWorkflows } from "../api/hooks";
import { ErrorBox, Loading } from "../shell/QueryState";
import { TemplatesPage } from "../templates/TemplatesPage";

export function WorkflowIndex() {
  const { pid = "" } = useParams();
  const workflows = useWorkflows(pid);
  if (workflows.error) return <ErrorBox error={workflows.error} retry={() => workflows.refetch()} />;
  if (!workflows.data) return <Loading />;
  if (!workflows.data.length) return <TemplatesPage first />;
  const latest = [...workflows.data].sort((a, b) => (b.updated_at ?? "").localeCompare(a.updated_at ?? ""))[0];
  return <Navigate to={`/projects/${pid}/workflows/${latest.id}`} replace />;
}
