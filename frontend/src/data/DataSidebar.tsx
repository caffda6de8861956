/** The Data page's side: which images to show (all, unlabelled, one class), class management, and uploads (the last
 * two only for someone who may change the project). */
import { Group, Stack, Text } from "@mantine/core";
import { IconPhoto, IconTagOff } from "@tabler/icons-react";
import type { Project, ProjectClass } from "../api/types";
import { ClassRow } from "../classes/ClassRow";
import { NewClassForm } from "../classes/NewClassForm";
import { useProjectRole } from "../projects/useProjectRole";
import type { ClassAction } from "../classes/useClassDialogs";
import { UploadDropzone } from "../upload/UploadDropzone";
import type { LabelFilter } from "./filter";

interface Props {
  pid: string;
  project: Project | undefined;
  classes: ProjectClass[];
  label: LabelFilter;
  onLabel: (label: LabelFilter) => void;
  onClassAction: (action: ClassAction, cls: ProjectClass) => void;
  onFiles: (files: File[]) => void;
  uploading: boolean;
  /** Off while the page itself shows the big drop zone. */
  showDropzone: boolean;
}

function FilterRow({ icon, name, count, active, onClick, testId }: { icon: React.ReactNode; name: string; count?: number; active: boolean; onClick: () => void; testId: string }) {
  return (
    <div className="vf-class-row" data-active={active || undefined} data-testid={testId}>
      <button type="button" className="vf-class-main" onClick={onClick}>
        {icon}
        <Text size="sm" style={{ flex: 1, textAlign: "left" }}>
          {name}
        </Text>
        <Text size="xs" c="dimmed" ff="monospace" className="vf-class-count">
          {count ?? ""}
        </Text>
      </button>
    </div>
  );
}

export function DataSidebar({ pid, project, classes, label, onLabel, onClassAction, onFiles, uploading, showDropzone }: Props) {
  const unlabelled = project ? project.image_count - project.labelled_count : undefined;
  const { canLabel } = useProjectRole(pid);
  return (
    <aside className="vf-data-side" data-testid="data-sidebar">
      <Stack gap={2}>
        <FilterRow icon={<IconPhoto size={14} />} name="All images" count={project?.image_count} active={label.kind === "all"} onClick={() => onLabel({ kind: "all" })} testId="filter-all" />
        <FilterRow icon={<IconTagOff size={14} />} name="Unlabelled" count={unlabelled} active={label.kind === "unlabelled"} onClick={() => onLabel({ kind: "unlabelled" })} testId="filter-unlabelled" />
      </Stack>
      <Group justify="space-between" mt="md" mb={4} px={6}>
        <Text size="xs" fw={700} tt="uppercase" c="dimmed">
          Classes
        </Text>
        <Text size="xs" c="dimmed">
          {classes.length || ""}
        </Text>
      </Group>
      <Stack gap={2} data-testid="class-list">
        {classes.map((c) => (
          <ClassRow
            key={c.id}
            cls={c}
            active={label.kind === "class" && label.classId === c.id}
            onClick={() => onLabel({ kind: "class", classId: c.id })}
            onAction={canLabel ? onClassAction : undefined}
          />
        ))}
      </Stack>
      {canLabel ? (
        <div style={{ margin: "8px 0 16px" }}>
          <NewClassForm pid={pid} />
        </div>
      ) : null}
      {showDropzone && canLabel ? <UploadDropzone onFiles={onFiles} busy={uploading} /> : null}
    </aside>
  );
}
