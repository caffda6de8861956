/** One image large, the classes beside it with their keys. A class's key labels the image and moves on to the
 * next unlabelled one (or, reviewing a run's queue, the next in the queue); ←/→ browse; ↑/↓ and A pick from the
 * list; Ctrl+Z undoes. Someone who may not label here (a viewer) browses the same way, but no key or click writes.
 * `AnnotatorView` draws any session: a filter's images (`Annotator`) or a review queue. */
import { ActionIcon, Badge, Button, Group, Kbd, Progress, Stack, Switch, Text, Tooltip } from "@mantine/core";
import { useHotkeys, useLocalStorage } from "@mantine/hooks";
import { IconArrowBackUp, IconChevronLeft, IconChevronRight, IconLayoutGrid } from "@tabler/icons-react";
import { useEffect, useMemo, useState } from "react";
import { useProject } from "../api/hooks";
import type { ProjectClass, Workflow } from "../api/types";
import { NewClassForm } from "../classes/NewClassForm";
import type { ClassAction } from "../classes/useClassDialogs";
import type { AssetFilter } from "../data/filter";
import { useProjectRole } from "../projects/useProjectRole";
import { shortcuts } from "../shell/keys";
import { ErrorBox, Loading } from "../shell/QueryState";
import { ClassPicker } from "./ClassPicker";
import { Filmstrip } from "./Filmstrip";
import { sessionLength } from "./session";
import { useAnnotatorSession, type AnnotatorSession } from "./useAnnotatorSession";

interface Props {
  pid: string;
  filter: AssetFilter;
  filterName: string;
  classes: ProjectClass[];
  workflow: Workflow | null;
  start: { assetId: string | null; position: number };
  /** A dialog is open: keys belong to it. */
  paused: boolean;
  onClassAction: (action: ClassAction, cls: ProjectClass) => void;
  onCurrent: (assetId: string) => void;
  /** Back to the grid, at the page of the image on show. */
  onClose: (position: number) => void;
}

export interface ViewProps {
  pid: string;
  session: AnnotatorSession;
  title: string;
  classes: ProjectClass[];
  paused: boolean;
  onClassAction: (action: ClassAction, cls: ProjectClass) => void;
  onCurrent: (assetId: string) => void;
  onClose: (position: number) => void;
  backLabel?: string;
  advanceLabel?: string;
  /** Highlight this class when an image comes up (the model's suggestion), so A assigns it. */
  suggestedClassId?: string | null;
  /** Shown above the classes (e.g. the model's suggestion). */
  aside?: React.ReactNode;
  /** false: A (assign the highlighted class) is off, so no single key can accept a suggestion; class keys and
   * clicks still label. Used while a review queue's model is not trusted. */
  assignHighlightedKey?: boolean;
}

const KEYS: [string[], string][] = [
  [["1–9"], "assign that class (see each class's key)"],
  [["↑", "↓"], "highlight a class"],
  [["A"], "assign the highlighted class"],
  [["←", "→"], "previous / next image"],
  [["⌫"], "clear the label"],
  [["Ctrl", "Z"], "undo the last label"],
  [["Esc"], "back to the grid"],
];

export function Annotator({ filter, filterName, workflow, start, ...rest }: Props) {
  const session = useAnnotatorSession(rest.pid, filter, workflow?.id ?? null, start);
  return <AnnotatorView {...rest} session={session} title={filterName} />;
}

export function AnnotatorView(props: ViewProps) {
  const { pid, session, title, classes, paused, onClassAction, onCurrent, onClose, suggestedClassId, aside } = props;
  const highlightKey = props.assignHighlightedKey ?? true;
  const project = useProject(pid);
  const { canLabel, whyNot } = useProjectRole(pid);
  const [highlighted, setHighlighted] = useState(0);
  const [autoAdvance, setAutoAdvance] = useLocalStorage({ key: "vf-annotator-advance", defaultValue: true });
  const byId = useMemo(() => new Map(classes.map((c) => [c.id, c])), [classes]);
  const { current, list, index } = session;

  useEffect(() => {
    if (current) onCurrent(current.id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current?.id]);
  useEffect(() => setHighlighted((h) => Math.min(h, Math.max(0, classes.length - 1))), [classes.length]);
  useEffect(() => {
    const at = suggestedClassId ? classes.findIndex((c) => c.id === suggestedClassId) : -1;
    if (at >= 0) setHighlighted(at);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current?.id, suggestedClassId]);
  // Preload the next images so moving on is instant.
  useEffect(() => {
    for (const a of list.items.slice(index + 1, index + 4)) new Image().src = a.url;
  }, [list.items, index]);

  /** Every label change goes through here: nothing is written by someone who may not label. */
  const assign = (classId: string | null, advance: boolean) => canLabel && session.assign(classId, advance);
  const assignHighlighted = () => classes[highlighted] && assign(classes[highlighted].id, autoAdvance);
  const keyed = classes.filter((c) => c.hotkey);
  const move = (delta: number) => setHighlighted((h) => (h + delta + classes.length) % Math.max(1, classes.length));
  useHotkeys(
    shortcuts(
      [
        ...keyed.map((c) => [c.hotkey as string, () => assign(c.id, autoAdvance)] as [string, () => void]),
        // A class whose key is "a" wins; Enter then assigns the highlighted class.
        [keyed.some((c) => c.hotkey === "a") ? "enter" : "a", () => highlightKey && assignHighlighted()],
        ["arrowup", () => move(-1)],
        ["arrowdown", () => move(1)],
        ["arrowleft", () => session.step(-1)],
        ["arrowright", () => session.step(1)],
        ["backspace", () => assign(null, false)],
        ["delete", () => assign(null, false)],
        ["mod+z", () => canLabel && session.undo()],
        ["escape", () => onClose(index)],
      ],
      !paused,
    ),
    [],
  );

  if (session.error) return <ErrorBox error={session.error} title="Cannot load the images" />;
  const total = sessionLength(list);
  const cls = current?.class_id ? byId.get(current.class_id) : undefined;
  const labelled = project.data?.labelled_count ?? 0;
  const images = project.data?.image_count ?? 0;

  return (
    <div className="vf-annotator" data-testid="annotator" data-asset-id={current?.id ?? ""} data-class-id={current?.class_id ?? ""}>
      <section className="vf-stage">
        <div className="vf-stage-bar">
          <Group gap="xs" wrap="nowrap">
            <Button size="xs" variant="default" leftSection={<IconLayoutGrid size={14} />} onClick={() => onClose(index)} data-testid="back-to-grid">
              {props.backLabel ?? "Grid"}
            </Button>
            <Text size="xs" c="dimmed" data-testid="annotator-title">
              {title}
            </Text>
          </Group>
          <Group gap={6} wrap="nowrap">
            <ActionIcon variant="default" size="md" onClick={() => session.step(-1)} disabled={index <= 0} aria-label="Previous image (←)">
              <IconChevronLeft size={16} />
            </ActionIcon>
            <Text size="sm" ff="monospace" miw={90} ta="center" data-testid="annotator-position">
              {list.items.length ? `${index + 1} / ${total}` : "0 / 0"}
            </Text>
            <ActionIcon variant="default" size="md" onClick={() => session.step(1)} disabled={index >= total - 1} aria-label="Next image (→)">
              <IconChevronRight size={16} />
            </ActionIcon>
          </Group>
          <Group gap="xs" wrap="nowrap" justify="flex-end" miw={0}>
            <Text size="xs" c="dimmed" truncate maw={260} title={current?.source_path}>
              {current ? `${current.filename} · ${current.width}×${current.height}${current.split ? ` · ${current.split}` : ""}` : ""}
            </Text>
            <Tooltip label="Undo the last label (Ctrl+Z)">
              <ActionIcon variant="default" size="md" onClick={session.undo} disabled={!session.undoDepth || !canLabel} aria-label="Undo" data-testid="undo">
                <IconArrowBackUp size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </div>
        <div className="vf-stage-image">
          {session.loading ? (
            <Loading />
          ) : current ? (
            <>
              <img key={current.id} src={current.url} alt={current.filename} data-small={Math.max(current.width, current.height) < 256 || undefined} data-testid="annotator-image" />
              <Badge
                className="vf-stage-label"
                size="lg"
                variant={cls ? "filled" : "default"}
                color={cls?.colour}
                data-testid="annotator-label"
              >
                {cls ? cls.name : "unlabelled"}
              </Badge>
            </>
          ) : (
            <Text c="dimmed">No images here.</Text>
          )}
        </div>
        <Filmstrip items={list.items} index={index} classes={byId} onGo={session.go} />
      </section>
      <aside className="vf-annot-side">
        <div data-testid="annotator-progress">
          <Group justify="space-between" mb={4}>
            <Text size="xs" fw={600}>
              {labelled.toLocaleString()} labelled of {images.toLocaleString()}
            </Text>
            <Text size="xs" c="dimmed" ff="monospace">
              {images ? Math.floor((100 * labelled) / images) : 0}%
            </Text>
          </Group>
          <Progress value={images ? (100 * labelled) / images : 0} size="sm" color="teal" />
        </div>
        <Switch size="xs" mt="sm" label={props.advanceLabel ?? "After labelling, go to the next unlabelled image"} checked={autoAdvance} onChange={(e) => setAutoAdvance(e.currentTarget.checked)} />
        {aside}
        {canLabel ? null : (
          <Text size="xs" c="dimmed" mt="sm" data-testid="annotator-read-only">
            {whyNot("label")}
          </Text>
        )}
        <Text size="xs" fw={700} tt="uppercase" c="dimmed" mt="md" mb={4}>
          Classes
        </Text>
        <ClassPicker
          classes={classes}
          highlighted={highlighted}
          currentClassId={current?.class_id}
          onPick={(c) => {
            setHighlighted(classes.indexOf(c));
            assign(c.id, autoAdvance);
          }}
          onAction={canLabel ? onClassAction : undefined}
        />
        {canLabel ? (
          <div style={{ marginTop: 8 }}>
            <NewClassForm pid={pid} />
          </div>
        ) : null}
        <Stack gap={3} mt="lg" className="vf-keys">
          {KEYS.map(([keys, what]) => (
            <Group key={what} gap={6} wrap="nowrap">
              <span className="vf-keys-k">
                {keys.map((k) => (
                  <Kbd key={k} size="xs">
                    {k}
                  </Kbd>
                ))}
              </span>
              <Text size="xs" c="dimmed">
                {what}
              </Text>
            </Group>
          ))}
        </Stack>
      </aside>
    </div>
  );
}
