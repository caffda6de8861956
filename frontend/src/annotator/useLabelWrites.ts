/** Writes labels one after another (so an undo never overtakes the label it undoes); a failed write is rolled back
 * by the caller and reported. */
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
import { setAnnotation } from "../api/dataHooks";
import { keys } from "../api/hooks";
import type { LabelChange } from "./session";

export function useLabelWrites(pid: string, rollback: (change: LabelChange) => void) {
  const qc = useQueryClient();
  const writes = useRef<Promise<unknown>>(Promise.resolve());
  const rollbackRef = useRef(rollback);
  rollbackRef.current = rollback;
  return useCallback(
    (change: LabelChange) => {
      writes.current = writes.current
        .then(() => setAnnotation(change.assetId, change.after))
        .then(
          () => qc.invalidateQueries({ queryKey: keys.project(pid) }),
          (e: Error) => {
            rollbackRef.current(change);
            notifications.show({ color: "red", title: "Label not saved", message: e.message });
          },
        );
    },
    [pid, qc],
  );
}
