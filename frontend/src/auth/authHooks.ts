/** TanStack Query hooks over the accounts API: whether accounts are on, who is logged in, their API tokens,
 * the users (admins manage them) and a project's members. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "../api/client";
import type { AuthConfig, Me, Member, ProjectRole, TokenCreated, TokenRead, UserRead } from "../api/types";
import { clearCachedEvents } from "../runs/eventCache";
import { setCsrfToken } from "./session";

export const authKeys = {
  config: ["auth", "config"] as const,
  me: ["auth", "me"] as const,
  tokens: ["auth", "tokens"] as const,
  users: ["auth", "users"] as const,
  members: (pid: string) => ["projects", pid, "members"] as const,
};

/** Whether the server has accounts on. */
export function useAuthConfig() {
  return useQuery({
    queryKey: authKeys.config,
    queryFn: () => api.get<AuthConfig>("/api/auth/config"),
    staleTime: Infinity,
    retry: 2,
  });
}

/** Who is logged in: null when nobody is (401). Keeps the CSRF token of the session for every write. */
export function useMe(enabled: boolean) {
  return useQuery({
    queryKey: authKeys.me,
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = await api.get<Me>("/api/auth/me");
        setCsrfToken(me.csrf_token ?? null);
        return me;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    enabled,
    staleTime: Infinity,
    // Another tab may have logged out, or in as someone else: its session's CSRF token is the one that counts now.
    refetchOnWindowFocus: "always",
    retry: false,
  });
}

/** Forget everything cached for the previous person (their projects, runs, a run's events kept in the tab), keep
 * the accounts state. */
export function dropOtherPeoplesData(qc: ReturnType<typeof useQueryClient>) {
  clearCachedEvents();
  qc.getMutationCache().clear(); // a login's password, a new token's secret
  qc.removeQueries({ predicate: (q) => q.queryKey[0] !== "auth" || q.queryKey[1] === "tokens" || q.queryKey[1] === "users" });
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; password: string }) => api.post<Me>("/api/auth/login", body),
    onSuccess: (me) => {
      setCsrfToken(me.csrf_token ?? null);
      dropOtherPeoplesData(qc);
      qc.setQueryData(authKeys.me, me);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<null>("/api/auth/logout"),
    onSettled: () => {
      setCsrfToken(null);
      dropOtherPeoplesData(qc);
      qc.setQueryData(authKeys.me, null);
    },
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) => api.put<null>("/api/auth/password", body),
  });
}

export function useTokens(enabled = true) {
  return useQuery({ queryKey: authKeys.tokens, queryFn: () => api.get<TokenRead[]>("/api/auth/tokens"), enabled });
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.post<TokenCreated>("/api/auth/tokens", { name }),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.tokens }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del<null>(`/api/auth/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.tokens }),
  });
}

export function useUsers(enabled = true) {
  return useQuery({ queryKey: authKeys.users, queryFn: () => api.get<UserRead[]>("/api/users"), enabled });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; password: string; is_admin: boolean }) => api.post<UserRead>("/api/users", body),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.users }),
  });
}

export function useDeleteUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del<null>(`/api/users/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: authKeys.users }),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: ({ id, password }: { id: string; password: string }) =>
      api.put<null>(`/api/users/${encodeURIComponent(id)}/password`, { password }),
  });
}

export function useMembers(pid: string, enabled = true) {
  return useQuery({ queryKey: authKeys.members(pid), queryFn: () => api.get<Member[]>(`/api/projects/${pid}/members`), enabled });
}

/** Adds a member or changes their role; removing one. Both refresh the project too (my own role may change). */
export function useSetMember(pid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: ProjectRole }) =>
      api.put<Member>(`/api/projects/${pid}/members/${encodeURIComponent(userId)}`, { role }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["projects", pid] }),
  });
}

export function useRemoveMember(pid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => api.del<null>(`/api/projects/${pid}/members/${encodeURIComponent(userId)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["projects", pid] }),
  });
}
