/** Thumbnails with their class; a small select relabels one image. */
import { Select, Text } from "@mantine/core";
import type { Asset, ProjectClass } from "../api/types";

interface Props {
  assets: Asset[];
  classes: ProjectClass[];
  onLabel: (assetId: string, classId: string | null) => void;
}

export function AssetGrid({ assets, classes, onLabel }: Props) {
  if (!assets.length) {
    return (
      <Text c="dimmed" size="sm" p="lg">
        No images here yet.
      </Text>
    );
  }
  const options = classes.map((c) => ({ value: c.id, label: c.name }));
  const colour = new Map(classes.map((c) => [c.id, c.colour]));
  return (
    <div className="vf-grid" data-testid="asset-grid">
      {assets.map((a) => (
        <figure key={a.id} className="vf-thumb" style={{ borderColor: a.class_id ? colour.get(a.class_id) : undefined }}>
          <img src={a.url} alt={a.filename} loading="lazy" />
          <figcaption>
            <Text size="xs" truncate title={a.filename}>
              {a.filename}
            </Text>
            <Select
              size="xs"
              data={options}
              value={a.class_id}
              placeholder="Unlabelled"
              clearable
              onChange={(v) => onLabel(a.id, v)}
              comboboxProps={{ withinPortal: true }}
            />
          </figcaption>
        </figure>
      ))}
    </div>
  );
}
