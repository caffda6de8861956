/** Types of the HTTP/WebSocket contract with the Visionflow server. All ids are strings. */

export interface Project {
  id: string;
  name: string;
  task: string;
  content: string;
  created_at: string;
  image_count: number;
  labelled_count: number;
  class_count: number;
}

export interface ProjectClass {
  id: string;
  name: string;
  colour: string;
  /** One key, 0-9 or a-z, that assigns this class in the annotator; new classes get the next free 1-9. */
  hotkey: string | null;
  image_count: number;
}

export type Split = "train" | "val";

export interface Asset {
  id: string;
  filename: string;
  /** The path it was uploaded under (maybe with folders). */
  source_path: string;
  sha256: string;
  /** Fixed by an uploaded train/ or val/ folder; null when the workflow's dataset node decides. */
  split: Split | null;
  thumbnail_url: string;
  url: string;
  width: number;
  height: number;
  bytes: number;
  class_id: string | null;
}

export interface AssetPage {
  items: Asset[];
  total: number;
}

export interface UploadReport {
  imported: Asset[];
  duplicates: { filename: string; asset_id: string }[];
  rejected: { filename: string; reason: string }[];
  classes_created: string[];
  labelled: number;
}

export interface DryRunMessage {
  message: string;
}

export interface ClassDeleteResult extends DryRunMessage {
  deleted: boolean;
  class: string;
  labels_cleared: number;
}

export interface ClassMergeResult extends DryRunMessage {
  merged: boolean;
  moved: number;
}

export type CsvProblemCode =
  | "bad_header"
  | "unknown_filename"
  | "ambiguous_filename"
  | "duplicate_row"
  | "empty_label"
  | "unknown_class"
  | "bad_row"
  | "not_utf8";

export interface CsvImportReport {
  applied: boolean;
  dry_run: boolean;
  rows: number;
  changes: { line: number; asset_id: string; filename: string; before: string | null; after: string }[];
  unchanged: number;
  new_classes: string[];
  problems: { line: number | null; code: CsvProblemCode | string; message: string }[];
}

export interface DatasetStats {
  images: number;
  labelled: number;
  unlabelled: number;
  classes: { id: string; name: string; count: number }[];
  sizes: {
    min_width: number;
    max_width: number;
    median_width: number;
    min_height: number;
    max_height: number;
    median_height: number;
  } | null;
  warnings: { code: "few_images" | "class_without_images" | "imbalanced" | string; class: string | null; count: number; message: string }[];
}

export interface RunSnapshot {
  snapshot_hash: string;
  class_names: string[];
  train: number;
  val: number;
  per_class: Record<string, { train: number; val: number }>;
  items: { content_hash: string; label: string; split: Split }[];
}

/** A JSON Schema fragment, as the server sends it. */
export type JsonSchema = { [key: string]: unknown };

export interface PortSpec {
  name: string;
  kind: string;
  title: string;
  multiple?: boolean;
}

export interface NodeDescriptor {
  type: string;
  title: string;
  category: string;
  description: string;
  recommended: boolean;
  inputs: PortSpec[];
  outputs: PortSpec[];
  params_schema: JsonSchema;
  defaults: Record<string, unknown>;
  /** Model nodes: the store weights' family, and the Ultralytics config of each size. */
  family?: string;
  architectures?: Record<string, string>;
}

export interface GraphNode {
  id: string;
  type: string;
  params: Record<string, unknown>;
  position?: { x: number; y: number } | null;
}

export interface GraphEdge {
  id: string;
  source: string;
  source_port: string;
  target: string;
  target_port: string;
}

export interface WorkflowGraph {
  schema_version: number;
  name: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  [extra: string]: unknown;
}

/** A one-click remedy for an issue: set `field` of node `node_id` to `value`. */
export interface IssueFix {
  label: string;
  node_id: string;
  field: string;
  value: unknown;
}

export interface Issue {
  code: string;
  severity: "error" | "warning";
  message: string;
  node_id: string | null;
  field: string | null;
  /** Set by the server when the issue is about one edge (e.g. a kind mismatch). */
  edge_id?: string | null;
  /** Set when the server knows a one-click remedy (e.g. weighted sampling for class imbalance). */
  fix?: IssueFix | null;
}

export interface Workflow {
  id: string;
  project_id: string;
  name: string;
  graph: WorkflowGraph;
  issues: Issue[];
  updated_at: string;
}

/** How well a template suits a project's images (GET /api/templates?project_id=). */
export interface TemplateFit {
  /** 0..1, higher fits better. */
  score: number;
  /** Exactly one template is recommended when the project has labelled images. */
  recommended: boolean;
  /** The input size the workflow will use for this data. */
  imgsz: number;
  /** The input size the template names. */
  template_imgsz: number;
  pretrained: string | null;
  /** One line, e.g. "320 px → 32 px for your 24 px images". */
  summary: string;
  notes: string[];
}

export interface Template {
  id: string;
  title: string;
  description: string;
  tags: string[];
  graph: WorkflowGraph;
  /** null without a project (or from an older server). */
  fit?: TemplateFit | null;
}

/** What the Run Training dialog pre-fills, chosen by the server from the data (GET /api/workflows/{id}/run-defaults). */
export interface RunDefaults {
  settings: Record<string, unknown>;
  explanation: string;
}

export type QualityWarningCode = "collapsed" | "no_better_than_majority" | "overfitting" | string;

/** A run that trained but whose model is degenerate (kept on the run as `quality_warnings`). */
export interface QualityWarning {
  code: QualityWarningCode;
  message: string;
  epoch: number;
}

/** Payload of a `warning` event. */
export interface WarningData extends QualityWarning {
  final: boolean;
}

/** An entry of the model store (GET /api/models). */
export interface StoredModel {
  name: string;
  /** e.g. "yolo11n-cls.yaml" */
  architecture: string;
  family: string;
  size: string;
  bytes: number;
  sha256: string;
  /** The classifier head the weights were trained with. */
  classes: { nc: number; names: string[] | null } | null;
  /** The uploaded file's name, for display only. */
  filename?: string;
  uploaded_at: string;
}

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "interrupted";

export interface Run {
  id: string;
  project_id?: string | null;
  workflow_id: string;
  /** The run this one was extended from (trained further from its best weights). */
  parent_run_id?: string | null;
  workflow_name: string;
  status: RunStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  metrics: Record<string, number>;
  reason: string | null;
  settings?: Record<string, unknown>;
  last_seq?: number;
  /** Degenerate-model warnings; a run can be `succeeded` with some. */
  quality_warnings?: QualityWarning[] | null;
}

export interface RunEvent<T = Record<string, unknown>> {
  run_id: string;
  seq: number;
  type: string;
  ts: number;
  data: T;
}

export interface BatchData {
  epoch: number;
  epochs: number;
  batch: number;
  of: number;
  loss: number;
  lr: number;
  images_per_s: number;
}

export interface ClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvaluationData {
  epoch: number;
  step: number;
  final: boolean;
  accuracy: number;
  top5: number;
  precision: number;
  recall: number;
  f1: number;
  avg_confidence: number;
  val_loss: number | null;
  per_class: ClassMetrics[];
  confusion_matrix: number[][];
  class_names: string[];
  /** The same fixed validation sample at every evaluation. */
  /** Codes of the quality warnings that hold after this evaluation (older runs: absent). */
  quality?: string[];
  preview: PreviewEntry[];
}

/** One image of an evaluation's preview sample. `correct`, `top` and `cam` may be missing from older workers. */
export interface PreviewEntry {
  /** Index into the run's items: GET /api/runs/{rid}/items/{item}/image. */
  item: number;
  label: number;
  predicted: number;
  confidence: number;
  correct?: boolean;
  /** [class index, confidence], best first. */
  top?: [number, number][];
  /** "cam/<item>.png", on the final evaluation only. */
  cam?: string | null;
}

export interface StartedData {
  device: string;
  epochs: number;
  train_images: number;
  val_images: number;
  class_names: string[];
}

export interface ArtifactData {
  name: string;
  path: string;
  kind: string;
  bytes: number;
}

export interface FinishedData {
  status: RunStatus;
  reason: string;
  metrics: Record<string, number>;
}
