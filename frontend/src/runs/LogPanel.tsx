/** The run's log: worker log lines and lifecycle events, following the end unless the user scrolled up. */
import { Paper, Text } from "@mantine/core";
import { useEffect, useRef } from "react";
import type { LogLine } from "./runModel";

export function LogPanel({ lines, startTs, version }: { lines: LogLine[]; startTs: number | null; version: number }) {
  const box = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [version, lines.length]);
  const origin = startTs ?? lines[0]?.ts ?? 0;
  return (
    <Paper withBorder p="xs" data-testid="log-panel">
      <Text size="xs" fw={600} mb={4}>
        Log
      </Text>
      <div
        ref={box}
        className="vf-log"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {lines.map((l) => (
          <div key={l.seq} className="vf-log-line" data-level={l.level}>
            <span className="vf-log-time">{l.ts >= origin ? `+${(l.ts - origin).toFixed(1)}s` : ""}</span>
            <span className="vf-log-msg">{l.message}</span>
          </div>
        ))}
        {!lines.length ? <Text size="xs" c="dimmed">No output yet.</Text> : null}
      </div>
    </Paper>
  );
}
