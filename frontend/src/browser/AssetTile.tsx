/** One thumbnail: its class as a coloured tag, its fixed split if any, a tick when selected. */
import { IconCheck, IconMaximize } from "@tabler/icons-react";
import { memo } from "react";
import type { Asset, ProjectClass } from "../api/types";

interface Props {
  asset: Asset;
  cls: ProjectClass | undefined;
  selected: boolean;
  onClick: (id: string, shift: boolean) => void;
  onOpen: (id: string) => void;
}

export const AssetTile = memo(function AssetTile({ asset, cls, selected, onClick, onOpen }: Props) {
  return (
    <div
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      className="vf-tile"
      data-selected={selected || undefined}
      data-testid="asset-tile"
      data-asset-id={asset.id}
      data-class-id={asset.class_id ?? ""}
      title={`${asset.source_path || asset.filename} · ${asset.width}×${asset.height}`}
      style={{ "--vf-class": cls?.colour ?? "transparent" } as React.CSSProperties}
      onClick={(e) => onClick(asset.id, e.shiftKey)}
      onDoubleClick={() => onOpen(asset.id)}
      onKeyDown={(e) => {
        if (e.key === "Enter") onOpen(asset.id);
        else if (e.key === " ") {
          e.preventDefault();
          onClick(asset.id, e.shiftKey);
        }
      }}
    >
      <img src={asset.thumbnail_url} alt={asset.filename} loading="lazy" draggable={false} data-small={asset.width <= 64 || undefined} />
      <span className="vf-tile-check">{selected ? <IconCheck size={12} stroke={3} /> : null}</span>
      <button
        type="button"
        className="vf-tile-open"
        aria-label="Open in the annotator"
        tabIndex={-1}
        onClick={(e) => {
          e.stopPropagation();
          onOpen(asset.id);
        }}
      >
        <IconMaximize size={12} />
      </button>
      {asset.split ? <span className="vf-tile-split">{asset.split}</span> : null}
      <span className="vf-tile-label" data-unlabelled={cls ? undefined : true} data-testid="tile-label">
        {cls ? cls.name : "unlabelled"}
      </span>
    </div>
  );
});
