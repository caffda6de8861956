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
  image_count: number;
}

export interface Asset {
  id: string;
  filename: string;
  width: number;
  height: number;
  class_id: string | null;
  url: string;
}

export interface AssetPage {
  items: Asset[];
  total: number;
}

export interface ImportResult {
  imported: Asset[];
  duplicates: { filename: string; asset_id: string }[];
  rejected: { filename: string; reason: string }[];
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

export interface Issue {
  code: string;
  severity: "error" | "warning";
  message: string;
  node_id: string | null;
  field: string | null;
  /** Set by the server when the issue is about one edge (e.g. a kind mismatch). */
  edge_id?: string | null;
}

export interface Workflow {
  id: string;
  project_id: string;
  name: string;
  graph: WorkflowGraph;
  issues: Issue[];
  updated_at: string;
}

export interface Template {
  id: string;
  title: string;
  description: string;
  tags: string[];
  graph: WorkflowGraph;
}

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "interrupted";

export interface Run {
  id: string;
  workflow_id: string;
  workflow_name: string;
  status: RunStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  metrics: Record<string, number>;
  reason: string | null;
  settings?: Record<string, unknown>;
  last_seq?: number;
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
  preview: unknown[];
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
