/** Confusion matrix of one evaluation (rows: true class, columns: predicted), counts or row-normalised,
 * with a slider back through earlier evaluations. */
import { Group, Paper, SegmentedControl, Slider, Text } from "@mantine/core";
import { useMemo, useState } from "react";
import type { EvaluationData } from "../api/types";
import { confusionCells, evaluationLabel } from "./confusion";
import { evaluationKey, pickedIndex, type PickedEvaluation } from "./preview";

interface Props {
  evaluations: EvaluationData[];
  /** The evaluation shown, shared with the preview's slider. */
  picked: PickedEvaluation;
  onPick: (picked: PickedEvaluation) => void;
}

export function ConfusionMatrix({ evaluations, picked: pickedEvaluation, onPick }: Props) {
  const picked = pickedIndex(pickedEvaluation, evaluations); // null: follow the latest
  const setPicked = (i: number | null) => onPick(i === null ? null : evaluationKey(evaluations[i]));
  const [mode, setMode] = useState<"counts" | "normalised">("counts");
  const index = picked === null ? evaluations.length - 1 : Math.min(picked, evaluations.length - 1);
  const evaluation = evaluations[index];
  const cells = useMemo(
    () => (evaluation ? confusionCells(evaluation.confusion_matrix, mode === "normalised") : []),
    [evaluation, mode],
  );
  const names = evaluation?.class_names ?? [];

  return (
    <Paper withBorder p="xs" data-testid="confusion-matrix" data-evaluation-index={index} data-mode={mode}>
      <Group justify="space-between" mb={6}>
        <Text size="xs" fw={600}>
          Confusion matrix {evaluation ? <Text span c="dimmed" size="xs">· {evaluationLabel(evaluation)}</Text> : null}
        </Text>
        <SegmentedControl
          size="xs"
          value={mode}
          onChange={(v) => setMode(v)}
          data={[
            { value: "counts", label: "Counts" },
            { value: "normalised", label: "Row %" },
          ]}
          data-testid="confusion-mode"
        />
      </Group>
      {!evaluation ? (
        <Text size="xs" c="dimmed">
          Appears after the first evaluation.
        </Text>
      ) : (
        <>
          <div className="vf-cm-scroll">
            <table className="vf-cm">
              <thead>
                <tr>
                  <th className="vf-cm-corner">true ↓ / pred →</th>
                  {names.map((n) => (
                    <th key={n} className="vf-cm-col" title={n}>
                      <span>{n}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {cells.map((row, t) => (
                  <tr key={t}>
                    <th className="vf-cm-row" title={names[t]}>
                      {names[t]}
                    </th>
                    {row.map((c, p) => (
                      <td
                        key={p}
                        title={`true ${names[t]}, predicted ${names[p]}: ${c.count}${c.rowShare !== null ? ` (${Math.round(c.rowShare * 100)}% of row)` : ""}`}
                        data-diagonal={c.diagonal || undefined}
                        style={{
                          background: c.count
                            ? `rgba(${c.diagonal ? "47, 158, 68" : "224, 49, 49"}, ${0.08 + 0.85 * c.intensity})`
                            : undefined,
                          color: c.intensity > 0.55 ? "white" : undefined,
                        }}
                      >
                        {c.count ? c.label : ""}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {evaluations.length > 1 ? (
            <Slider
              mt="sm"
              mb={4}
              size="sm"
              min={0}
              max={evaluations.length - 1}
              value={index}
              onChange={(v) => setPicked(v === evaluations.length - 1 ? null : v)}
              label={(v) => (evaluations[v] ? evaluationLabel(evaluations[v]) : "")}
              data-testid="confusion-slider"
            />
          ) : null}
        </>
      )}
    </Paper>
  );
}
