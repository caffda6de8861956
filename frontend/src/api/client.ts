/** A small fetch wrapper: JSON in, JSON out, and an error that keeps the server's body (e.g. `{issues}`). Writes carry
 * the session's CSRF token; a 401 tells the login gate that the session is gone. */
import { csrfHeaders, reportUnauthorized } from "../auth/session";
import type { Issue } from "./types";

/** The one route whose 401 means "wrong name or password", not "log in again". */
const LOGIN_URL = "/api/auth/login";

export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, body: unknown, message: string) {
    super(message);
    this.status = status;
    this.body = body;
  }

  /** Validation issues carried by a 422 answer, if any. */
  get issues(): Issue[] {
    const body = this.body as { issues?: Issue[] } | null;
    return Array.isArray(body?.issues) ? body.issues : [];
  }
}

function describe(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const b = body as { detail?: unknown; message?: unknown; issues?: Issue[] };
    if (Array.isArray(b.issues) && b.issues.length) return b.issues[0].message;
    if (typeof b.detail === "string") return b.detail;
    if (typeof b.message === "string") return b.message;
  }
  if (typeof body === "string" && body) return body.slice(0, 200);
  return `Request failed (HTTP ${status})`;
}

export async function request<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, signal, headers: { Accept: "application/json", ...csrfHeaders(method) } };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body instanceof Blob) {
    init.body = body;
    init.headers = { ...init.headers, "Content-Type": body.type || "application/octet-stream" };
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, "Content-Type": "application/json" };
  }
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, null, "The server cannot be reached.");
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (response.status === 401 && url !== LOGIN_URL) reportUnauthorized();
  if (!response.ok) throw new ApiError(response.status, parsed, describe(response.status, parsed));
  return parsed as T;
}

export const api = {
  get: <T>(url: string, signal?: AbortSignal) => request<T>("GET", url, undefined, signal),
  post: <T>(url: string, body?: unknown, signal?: AbortSignal) => request<T>("POST", url, body ?? {}, signal),
  put: <T>(url: string, body?: unknown) => request<T>("PUT", url, body ?? {}),
  patch: <T>(url: string, body?: unknown) => request<T>("PATCH", url, body ?? {}),
  del: <T>(url: string) => request<T>("DELETE", url),
};

/** WebSocket URL on the same origin as the page (the dev server proxies /ws). */
export function wsUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss" : "ws"}://${host}${path}`;
}
