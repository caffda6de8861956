/** Confusion matrix ([true][pred] counts) → cells to draw, raw or normalised per true class (row). */
export interface Cell {
  count: number;
  /** Share of the row (0..1), or null for an empty row. */
  rowShare: number | null;
  /** 0..1 colour intensity: row share when normalised, count / max count otherwise. */
  intensity: number;
  label: string;
  diagonal: boolean;
}

export function confusionCells(matrix: number[][], normalised: boolean): Cell[][] {
  const max = Math.max(1, ...matrix.flat());
  return matrix.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => {
      const rowShare = total > 0 ? count / total : null;
      const intensity = normalised ? (rowShare ?? 0) : count / max;
      const label = normalised ? (rowShare === null ? "–" : rowShare === 0 ? "0" : `${Math.round(rowShare * 100)}%`) : String(count);
      return { count, rowShare, intensity, label, diagonal: t === p };
    });
  });
}

/** Label for an evaluation in the slider: "epoch 3" or "final". */
export function evaluationLabel(e: { epoch: number; final?: boolean }): string {
  return e.final ? `final (epoch ${e.epoch})` : `epoch ${e.epoch}`;
}
