import { Outlet, useParams } from "react-router";
import { useProject } from "../api/hooks";
import { ErrorBox } from "../shell/QueryState";

/** A project's screens share the header's project tabs; this only guards against an unknown project. */
export function ProjectLayout() {
  const { pid = "" } = useParams();
  const project = useProject(pid);
  if (project.error) return <ErrorBox error={project.error} title="Cannot open this project" retry={() => project.refetch()} />;
  return <Outlet />;
}
