/** Neighbouring images under the stage, each edged in its class colour: where you are at a glance. */
import type { Asset, ProjectClass } from "../api/types";

const AROUND = 7;

export function Filmstrip({ items, index, classes, onGo }: { items: Asset[]; index: number; classes: Map<string, ProjectClass>; onGo: (i: number) => void }) {
  const from = Math.max(0, index - AROUND);
  const shown = items.slice(from, index + AROUND + 1);
  return (
    <div className="vf-filmstrip" data-testid="filmstrip">
      {shown.map((a, k) => {
        const i = from + k;
        const cls = a.class_id ? classes.get(a.class_id) : undefined;
        return (
          <button
            key={a.id}
            type="button"
            tabIndex={-1}
            className="vf-film"
            data-current={i === index || undefined}
            data-unlabelled={!cls || undefined}
            style={{ "--vf-class": cls?.colour ?? "transparent" } as React.CSSProperties}
            onClick={() => onGo(i)}
            title={`${a.filename}${cls ? ` · ${cls.name}` : " · unlabelled"}`}
          >
            <img src={a.thumbnail_url} alt="" draggable={false} />
          </button>
        );
      })}
    </div>
  );
}
