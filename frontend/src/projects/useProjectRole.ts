/** The caller's permissions in the project on screen (or `pid`): one hook used wherever a control writes. */
import { useParams } from "react-router";
import { useProject } from "../api/hooks";
import { permissionsFor, roleOf, whyNot, type Need, type ProjectPermissions } from "./role";

export interface ProjectRoleInfo extends ProjectPermissions {
  /** Why a control that needs `need` is not offered (a tooltip), or null when it is. */
  whyNot: (need: Need) => string | null;
}

export function useProjectRole(pid?: string): ProjectRoleInfo {
  const params = useParams();
  const project = useProject(pid ?? params.pid ?? "");
  const role = roleOf(project.data);
  return { ...permissionsFor(role), whyNot: (need: Need) => whyNot(role, need) };
}
