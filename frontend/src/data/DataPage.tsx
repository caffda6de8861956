/** A project's data: browse and select images, annotate one at a time, see statistics; upload anywhere on the
 * page; import and export labels as CSV. The view and the filter live in the URL. */
import { Text } from "@mantine/core";
import { useCallback, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { latestWorkflow, labelsCsvUrl, useClasses } from "../api/dataHooks";
import { useProject, useWorkflows } from "../api/hooks";
import type { ProjectClass, Split } from "../api/types";
import { Annotator } from "../annotator/Annotator";
import { ReviewAnnotator } from "../annotator/ReviewAnnotator";
import { readReview } from "../runs/predictionsModel";
import { AssetBrowser, PAGE_SIZE } from "../browser/AssetBrowser";
import { useClassDialogs } from "../classes/useClassDialogs";
import { CsvImportModal } from "../labelsCsv/CsvImportModal";
import { StatsPanel } from "../stats/StatsPanel";
import { PageDropTarget, UploadDropzone } from "../upload/UploadDropzone";
import { UploadConfirmModal } from "../upload/UploadConfirmModal";
import { UploadStatus } from "../upload/UploadStatus";
import { useUploader } from "../upload/useUploader";
import { useProjectRole } from "../projects/useProjectRole";
import { DataSidebar } from "./DataSidebar";
import { DataToolbar } from "./DataToolbar";
import { readFilter, readView, writeFilter, type AssetFilter, type DataView, type LabelFilter } from "./filter";

const NO_CLASSES: ProjectClass[] = [];

function filterName(filter: AssetFilter, classes: ProjectClass[]): string {
  const label =
    filter.label.kind === "all"
      ? "All images"
      : filter.label.kind === "unlabelled"
        ? "Unlabelled images"
        : `Class “${classes.find((c) => filter.label.kind === "class" && c.id === filter.label.classId)?.name ?? "?"}”`;
  return filter.split ? `${label} · ${filter.split} split` : label;
}

export function DataPage() {
  const { pid = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const filter = readFilter(params);
  const view = readView(params);
  const review = readReview(params);
  const navigate = useNavigate();
  const page = Math.max(1, Number(params.get("page")) || 1);
  const project = useProject(pid);
  const classes = useClasses(pid).data ?? NO_CLASSES;
  const workflow = latestWorkflow(useWorkflows(pid).data);
  const uploader = useUploader(pid);
  const role = useProjectRole(pid);
  const dialogs = useClassDialogs(pid, classes);
  const [csvOpen, setCsvOpen] = useState(false);
  const paused = dialogs.active || csvOpen || uploader.pending !== null;

  const update = useCallback(
    (change: (next: URLSearchParams) => void, replace = false) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          change(next);
          return next;
        },
        { replace },
      ),
    [setParams],
  );
  const setView = (v: DataView) =>
    update((p) => {
      for (const k of ["review", "queue", "true", "pred", "all"]) p.delete(k);
      if (v === "browse") p.delete("view");
      else p.set("view", v);
    });
  const setLabel = (label: LabelFilter) => setParams((prev) => writeFilter(prev, { ...readFilter(prev), label }));
  const setSplit = (split: Split | null) => setParams((prev) => writeFilter(prev, { ...readFilter(prev), split }));
  const setPage = useCallback((n: number) => update((p) => (n > 1 ? p.set("page", String(n)) : p.delete("page"))), [update]);
  const openAsset = useCallback(
    (assetId: string, position: number) =>
      update((p) => {
        p.set("view", "annotate");
        p.set("asset", assetId);
        p.set("pos", String(position));
      }),
    [update],
  );
  const setCurrent = useCallback((assetId: string) => update((p) => p.set("asset", assetId), true), [update]);
  const closeAnnotator = (position: number) =>
    update((p) => {
      p.delete("view");
      p.delete("asset");
      p.delete("pos");
      const n = Math.floor(position / PAGE_SIZE) + 1;
      if (n > 1) p.set("page", String(n));
      else p.delete("page");
    });

  const hasImages = (project.data?.image_count ?? 0) > 0;
  const empty = hasImages || !role.canLabel ? (
    <Text c="dimmed" size="sm" p="xl" ta="center" data-testid="no-images">
      {hasImages ? "No images match this filter." : "No images yet."}
    </Text>
  ) : (
    <div className="vf-empty-drop">
      <UploadDropzone onFiles={uploader.add} busy={uploader.state?.phase === "uploading"} large testId="dropzone-empty" />
    </div>
  );

  return (
    <div className="vf-datapage" data-testid="data-page">
      <DataToolbar view={view} onView={setView} project={project.data} exportUrl={labelsCsvUrl(pid)} onImportCsv={() => setCsvOpen(true)} />
      <div className="vf-data" data-view={view}>
        {view !== "annotate" ? (
          <DataSidebar
            pid={pid}
            project={project.data}
            classes={classes}
            label={filter.label}
            onLabel={setLabel}
            onClassAction={dialogs.open}
            onFiles={uploader.add}
            uploading={uploader.state?.phase === "uploading"}
            showDropzone={hasImages || view !== "browse"}
          />
        ) : null}
        <section className="vf-data-main">
          {view === "browse" ? (
            <AssetBrowser
              pid={pid}
              filter={filter}
              onSplit={setSplit}
              page={page}
              onPage={setPage}
              classes={classes}
              workflow={workflow}
              onOpen={openAsset}
              empty={empty}
              keysEnabled={!paused}
            />
          ) : view === "annotate" && review ? (
            <ReviewAnnotator
              pid={pid}
              spec={review}
              startAssetId={params.get("asset")}
              classes={classes}
              paused={paused}
              onClassAction={dialogs.open}
              onCurrent={setCurrent}
              onClose={() => navigate(`/projects/${pid}/runs/${review.runId}?tab=predictions`)}
            />
          ) : view === "annotate" ? (
            <Annotator
              pid={pid}
              filter={filter}
              filterName={filterName(filter, classes)}
              classes={classes}
              workflow={workflow}
              start={{ assetId: params.get("asset"), position: Number(params.get("pos")) || 0 }}
              paused={paused}
              onClassAction={dialogs.open}
              onCurrent={setCurrent}
              onClose={closeAnnotator}
            />
          ) : (
            <StatsPanel pid={pid} classes={classes} onClass={(id) => setParams((prev) => writeFilter(new URLSearchParams(), { ...readFilter(prev), label: { kind: "class", classId: id } }))} />
          )}
        </section>
      </div>
      {role.canLabel && uploader.state?.phase !== "uploading" ? <PageDropTarget onFiles={uploader.add} /> : null}
      <UploadConfirmModal
        paths={uploader.pending?.map((p) => p.path) ?? null}
        pid={pid}
        onConfirm={uploader.confirm}
        onCancel={uploader.discardPending}
      />
      <UploadStatus state={uploader.state} onCancel={uploader.cancel} onDismiss={uploader.dismiss} />
      <CsvImportModal pid={pid} opened={csvOpen} onClose={() => setCsvOpen(false)} />
      {dialogs.element}
    </div>
  );
}
