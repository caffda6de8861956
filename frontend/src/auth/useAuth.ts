/** Who uses the app, for the parts of the screen that show or depend on it (user menu, members dialog). */
import { createContext, useContext } from "react";
import type { Me } from "../api/types";

export interface AuthState {
  /** false: the server runs without accounts (a local single-user server); nobody logs in. */
  authOn: boolean;
  /** The logged-in person; null while accounts are off. */
  me: Me | null;
}

export const AuthContext = createContext<AuthState>({ authOn: false, me: null });

export function useAuth(): AuthState {
  return useContext(AuthContext);
}
