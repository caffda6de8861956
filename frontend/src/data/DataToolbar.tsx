/** The Data page's top bar: the three views, the project's label progress, and CSV import (for someone who may
 * change the project) and export. */
import { Button, Group, Progress, SegmentedControl, Text, Tooltip } from "@mantine/core";
import { IconChartBar, IconDownload, IconFileImport, IconLayoutGrid, IconTags } from "@tabler/icons-react";
import type { Project } from "../api/types";
import { useProjectRole } from "../projects/useProjectRole";
import type { DataView } from "./filter";

interface Props {
  view: DataView;
  onView: (view: DataView) => void;
  project: Project | undefined;
  exportUrl: string;
  onImportCsv: () => void;
}

const label = (icon: React.ReactNode, text: string, testId: string) => (
  <Group gap={6} wrap="nowrap" data-testid={testId}>
    {icon}
    <span>{text}</span>
  </Group>
);

export function DataToolbar({ view, onView, project, exportUrl, onImportCsv }: Props) {
  const images = project?.image_count ?? 0;
  const labelled = project?.labelled_count ?? 0;
  const role = useProjectRole(project?.id);
  return (
    <div className="vf-toolbar" data-testid="data-toolbar">
      <SegmentedControl
        size="xs"
        value={view}
        onChange={(v) => onView(v)}
        data={[
          { value: "browse", label: label(<IconLayoutGrid size={14} />, "Browse", "view-browse") },
          { value: "annotate", label: label(<IconTags size={14} />, "Annotate", "view-annotate") },
          { value: "stats", label: label(<IconChartBar size={14} />, "Statistics", "view-stats") },
        ]}
      />
      <Group gap="sm" wrap="nowrap" style={{ flex: 1, justifyContent: "center" }}>
        <Text size="xs" c="dimmed" data-testid="label-progress" data-labelled={labelled} data-images={images}>
          {labelled.toLocaleString()} of {images.toLocaleString()} images labelled
        </Text>
        <Progress value={images ? (100 * labelled) / images : 0} w={120} size="sm" color="teal" />
      </Group>
      <Group gap={6} wrap="nowrap">
        <Tooltip label={role.whyNot("label") ?? "Labels from a CSV file: filename,label"} multiline w={260}>
          <Button size="xs" variant="default" leftSection={<IconFileImport size={14} />} onClick={onImportCsv} disabled={!role.canLabel} data-testid="csv-import">
            Import CSV
          </Button>
        </Tooltip>
        <Tooltip label="filename,label for every labelled image">
          <Button size="xs" variant="default" component="a" href={exportUrl} download leftSection={<IconDownload size={14} />} data-testid="csv-export">
            Export CSV
          </Button>
        </Tooltip>
      </Group>
    </div>
  );
}
