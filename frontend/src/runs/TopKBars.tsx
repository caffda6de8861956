/** A prediction's top classes as bars: the predicted class green when right and red when wrong, the true class
 * (when it is among them) marked. */
import { pct, type TopKRow } from "./preview";

export function TopKBars({ rows, testId = "topk" }: { rows: TopKRow[]; testId?: string }) {
  return (
    <div className="vf-topk" data-testid={testId}>
      {rows.map((r, i) => (
        <div key={`${r.name}-${i}`} className="vf-topk-row" data-kind={r.kind} data-true={r.kind === "true" || r.kind === "right" || undefined} data-testid="topk-row" data-class={r.name} data-confidence={r.confidence}>
          <span className="vf-topk-name" title={r.name}>
            {r.name}
          </span>
          <span className="vf-topk-track">
            <span className="vf-topk-bar" style={{ width: `${Math.max(0, Math.min(1, r.confidence)) * 100}%` }} />
          </span>
          <span className="vf-topk-value">{pct(r.confidence)}</span>
        </div>
      ))}
    </div>
  );
}
