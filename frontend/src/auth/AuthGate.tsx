/** Shows the app to a logged-in person and the login page to anyone else. It asks the server whether accounts are
 * on (`GET /api/auth/config`), then who is logged in (`GET /api/auth/me`); a 401 then or later (the session
 * expired, the user was deleted) brings the login page back. The address stays as it was, so logging in returns
 * the person to where they were. */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, type ReactNode } from "react";
import { ErrorBox, Loading } from "../shell/QueryState";
import { authKeys, dropOtherPeoplesData, useAuthConfig, useMe } from "./authHooks";
import { LoginPage } from "./LoginPage";
import { onUnauthorized } from "./session";
import { AuthContext, type AuthState } from "./useAuth";

function FullPage({ children }: { children: ReactNode }) {
  return <div style={{ height: "100vh" }}>{children}</div>;
}

export function AuthGate({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const config = useAuthConfig();
  const authOn = config.data?.auth === true;
  const me = useMe(authOn);

  useEffect(
    () =>
      onUnauthorized(() => {
        qc.setQueryData(authKeys.me, null);
        // A server restarted with accounts turned on answers 401 to a page that thought they were off.
        void qc.invalidateQueries({ queryKey: authKeys.config });
      }),
    [qc],
  );
  // Logged in as someone else in another tab (seen when this one regains focus): nothing of the previous person stays.
  const shownUser = useRef<string | null | undefined>(undefined);
  const userId = me.data?.id;
  useEffect(() => {
    if (userId === undefined) return;
    if (shownUser.current && shownUser.current !== userId) dropOtherPeoplesData(qc);
    shownUser.current = userId;
  }, [qc, userId]);
  const state = useMemo<AuthState>(() => ({ authOn, me: me.data ?? null }), [authOn, me.data]);

  if (config.error) return <ErrorBox error={config.error} title="Cannot reach the server" retry={() => void config.refetch()} />;
  if (config.isPending) return <FullPage><Loading /></FullPage>;
  if (authOn) {
    if (me.error && me.data === undefined) return <ErrorBox error={me.error} title="Cannot ask the server who you are" retry={() => void me.refetch()} />;
    if (me.isPending) return <FullPage><Loading /></FullPage>;
    if (!me.data) return <LoginPage />;
  }
  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}
