/** Mounted once in the app shell: listens to `/ws/notifications` (reconnecting with back-off) and turns each run end
 * into a notification (runEnd.ts decides which kind); the run's queries are refreshed so open pages show the end.
 * Also the header's bell, which asks the browser for permission to notify: only when clicked, never on load. */
import { ActionIcon, Anchor, Stack, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconBell, IconBellOff, IconBellRinging } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { wsUrl } from "../api/client";
import { keys } from "../api/hooks";
import { createRunEndNotifier, currentPermission, reconnectDelayMs, type Permission, type Shown } from "./runEnd";

function showBrowser(shown: Shown) {
  const notification = new window.Notification(shown.title, { body: shown.body, tag: shown.tag });
  notification.onclick = () => {
    window.focus();
    shown.open?.();
    notification.close();
  };
}

function showInApp(shown: Shown) {
  const id = notifications.show({
    color: shown.color,
    title: shown.title,
    autoClose: 10_000,
    message: (
      <Stack gap={2}>
        {shown.body ? <Text size="sm">{shown.body}</Text> : null}
        {shown.open ? (
          <Anchor
            size="sm"
            href="#"
            onClick={(e) => {
              e.preventDefault();
              shown.open?.();
              notifications.hide(id);
            }}
            data-testid="run-end-open"
          >
            Open the run
          </Anchor>
        ) : null}
      </Stack>
    ),
  });
}

export function RunEndNotifications() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;

  useEffect(() => {
    const notify = createRunEndNotifier({ browser: showBrowser, inApp: showInApp }, currentPermission, (path) => void navigateRef.current(path));
    let ws: WebSocket | null = null;
    let stopped = false;
    let failures = 0;
    let timer = 0;
    const connect = () => {
      if (stopped) return;
      ws = new WebSocket(wsUrl("/ws/notifications"));
      ws.onopen = () => {
        failures = 0;
      };
      ws.onmessage = (m) => {
        const notice = notify(String(m.data));
        if (notice) {
          void qc.invalidateQueries({ queryKey: keys.run(notice.run_id) });
          if (notice.project) void qc.invalidateQueries({ queryKey: keys.runs(notice.project.id) });
        }
      };
      ws.onclose = () => {
        if (stopped) return;
        timer = window.setTimeout(connect, reconnectDelayMs(failures));
        failures += 1;
      };
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      ws?.close();
    };
  }, [qc]);
  return null;
}

const BELL_LABEL: Record<Permission, string> = {
  granted: "This browser shows a notification when a run ends",
  default: "Notify me in this browser when a run ends",
  denied: "Notifications are blocked for this site: allow them in the browser's site settings",
  unsupported: "This browser cannot show notifications: runs that end are announced in the app",
};

export function NotifyButton() {
  const [permission, setPermission] = useState<Permission>(currentPermission);
  const ask = () => {
    if (permission !== "default") return;
    void window.Notification.requestPermission().then((answer) => setPermission(answer as Permission));
  };
  const Icon = permission === "granted" ? IconBellRinging : permission === "default" ? IconBell : IconBellOff;
  return (
    <Tooltip label={BELL_LABEL[permission]} multiline w={260}>
      <ActionIcon variant="subtle" color={permission === "granted" ? "teal" : "gray"} onClick={ask} aria-label={BELL_LABEL[permission]} data-testid="notify-button" data-permission={permission}>
        <Icon size={16} />
      </ActionIcon>
    </Tooltip>
  );
}
