/** What the browser holds of its login: the session's CSRF token, sent on every write, and the news that the
 * server no longer knows us (a 401), which sends the person back to the login page.
 *
 * Module state on purpose: every way the app writes (the fetch wrapper, XHR uploads, autosave's keepalive fetch)
 * reads the same token without threading it through React. */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
export const CSRF_HEADER = "X-CSRF-Token";

let csrfToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();

/** Set after `GET /api/auth/me` or a login (null: auth off, a token login, or logged out). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** The headers a request of `method` needs for the server's CSRF check: the token on writes, nothing on reads. */
export function csrfHeaders(method: string): Record<string, string> {
  if (!csrfToken || SAFE_METHODS.has(method.toUpperCase())) return {};
  return { [CSRF_HEADER]: csrfToken };
}

/** Listen for "the server answered 401"; returns the unsubscribe function. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Called by whatever got a 401 from an `/api/…` route: the session is gone (expired, logged out elsewhere, user
 * deleted). The login itself answers 401 for a wrong password, so its caller does not report that. */
export function reportUnauthorized(): void {
  csrfToken = null;
  for (const listener of [...unauthorizedListeners]) listener();
}
