/** What the app does when a run ends while it is open: the server's `/ws/notifications` sends one JSON notice per run
 * that ends in a project the person can see (the webhook's own document, backend/notifications/payload.py). With the
 * browser's permission (asked only from a button, never on page load) it becomes a system notification, else an
 * in-app one; clicking either opens the run. Each run is announced once per tab, however often the socket reconnects.
 * Pure: the channels, the permission and the navigation are passed in (tested in runEnd.test.ts). */

/** A run-end notice as the server sends it (WebSocket payloads are not in the OpenAPI schema). */
export interface RunEndNotice {
  event: "run.finished";
  run_id: string;
  run_name: string;
  project: { id: string; name: string } | null;
  status: "succeeded" | "failed" | "cancelled" | "interrupted";
  reason: string;
  metrics: Record<string, number>;
  finished_at: string | null;
  link: string;
}

export type Permission = "granted" | "denied" | "default" | "unsupported";

const STATUSES = new Set(["succeeded", "failed", "cancelled", "interrupted"]);

/** The notice in a socket message, or null for anything else (never throws). */
export function parseNotice(text: string): RunEndNotice | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const n = value as Partial<RunEndNotice> | null;
  if (!n || n.event !== "run.finished" || typeof n.run_id !== "string" || !STATUSES.has(String(n.status))) return null;
  return {
    event: "run.finished",
    run_id: n.run_id,
    run_name: typeof n.run_name === "string" && n.run_name ? n.run_name : n.run_id,
    project: n.project && typeof n.project.id === "string" ? n.project : null,
    status: n.status as RunEndNotice["status"],
    reason: typeof n.reason === "string" ? n.reason : "",
    metrics: n.metrics && typeof n.metrics === "object" ? n.metrics : {},
    finished_at: typeof n.finished_at === "string" ? n.finished_at : null,
    link: typeof n.link === "string" ? n.link : "",
  };
}

/** The run page in this app (the notice's `link` may carry the server's public address). */
export function runPath(notice: RunEndNotice): string | null {
  return notice.project ? `/projects/${notice.project.id}/runs/${notice.run_id}` : null;
}

const WORDS: Record<RunEndNotice["status"], string> = {
  succeeded: "finished",
  failed: "failed",
  cancelled: "was cancelled",
  interrupted: "was interrupted",
};

const COLOURS: Record<RunEndNotice["status"], string> = {
  succeeded: "teal",
  failed: "red",
  cancelled: "gray",
  interrupted: "orange",
};

export function describeNotice(notice: RunEndNotice): { title: string; body: string; color: string } {
  const title = `Run ${WORDS[notice.status]}: ${notice.run_name}`;
  const parts: string[] = [];
  if (notice.project) parts.push(notice.project.name);
  const accuracy = notice.metrics.accuracy;
  if (notice.status === "succeeded" && typeof accuracy === "number") parts.push(`accuracy ${(accuracy * 100).toFixed(1)} %`);
  if (notice.status !== "succeeded" && notice.reason) parts.push(notice.reason);
  return { title, body: parts.join(" · "), color: COLOURS[notice.status] };
}

export interface Shown {
  title: string;
  body: string;
  color: string;
  /** The same for every tab and reconnect: the system replaces rather than repeats. */
  tag: string;
  /** Opens the run (null: a run of no project, which has no page). */
  open: (() => void) | null;
}

export interface Channels {
  /** A system notification (only called with permission granted). */
  browser: (shown: Shown) => void;
  /** The app's own notification. */
  inApp: (shown: Shown) => void;
}

/** A handler for socket messages: each run announced once, by the browser when permitted, else in the app. */
export function createRunEndNotifier(channels: Channels, permission: () => Permission, navigate: (path: string) => void, remember = 200) {
  const seen: string[] = [];
  return (text: string): RunEndNotice | null => {
    const notice = parseNotice(text);
    if (!notice || seen.includes(notice.run_id)) return null;
    seen.push(notice.run_id);
    if (seen.length > remember) seen.shift();
    const path = runPath(notice);
    const shown: Shown = { ...describeNotice(notice), tag: `visionflow-run-${notice.run_id}`, open: path ? () => navigate(path) : null };
    if (permission() === "granted") {
      try {
        channels.browser(shown);
        return notice;
      } catch {
        // some browsers refuse `new Notification` (Android Chrome wants a service worker): the app says it instead
      }
    }
    channels.inApp(shown);
    return notice;
  };
}

/** The browser's notification permission now. */
export function currentPermission(): Permission {
  if (typeof window === "undefined" || !("Notification" in window)) return "unsupported";
  return window.Notification.permission;
}

/** How long to wait before reconnecting after `failures` failed tries: 1 s, 2 s, 4 s… at most 30 s. */
export function reconnectDelayMs(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures));
}
