/** Contract types of what a run learned: predictions, checkpoints, artifacts, live predictions, comparisons,
 * and the upload layout preview. */

/** One validation image with the final model's prediction, linked back to the project's asset. */
export interface Prediction {
  item: number;
  label: number;
  predicted: number;
  confidence: number;
  /** The confidence the model gave the true class. */
  true_confidence: number;
  loss: number;
  top: [number, number][];
  label_name: string;
  predicted_name: string;
  image_url: string;
  cam_url: string;
  /** null when the image is no longer in the project. */
  asset_id: string | null;
}

export interface PredictionPage extends SuggestionTrust {
  total: number;
  class_names: string[];
  items: Prediction[];
}

/** Which images a review queue covers: the validation split of one run, or every labelled image (k-fold). */
export interface QueueCoverage {
  source: "validation" | "cross_validation" | string;
  images: number;
  total_labelled: number;
  run_id: string;
  text: string;
}

/** Whether a queue's suggestions come from a model good enough to accept them in one key. */
export interface SuggestionTrust {
  /** false when the final model is degenerate; absent from older servers (then trusted). */
  suggestions_trusted?: boolean;
  untrusted_reason?: string | null;
}

export interface MislabelledQueue extends SuggestionTrust {
  total: number;
  items: Prediction[];
  coverage?: QueueCoverage | null;
}

export interface PredictionQuery {
  trueClass: string | null;
  predictedClass: string | null;
  wrongOnly: boolean;
  offset: number;
  limit: number;
}

export interface CheckpointInfo {
  epoch: number;
  path: string;
  kind: "last" | "best" | string;
  metrics: Record<string, number>;
  seq: number;
}

export type ArtifactKind = "weights" | "onnx" | "model_card" | "other";

export interface ArtifactInfo {
  name: string;
  path: string;
  kind: ArtifactKind | string;
  bytes: number;
  url: string;
}

export interface PredictResult {
  top: { index: number; class: string; confidence: number }[];
  backend: "onnxruntime" | "torch" | string;
  ms: number;
  /** Base64 PNG: the image with its Eigen-CAM heatmap laid over it. */
  cam_png: string | null;
}

export type CurveKey = "accuracy" | "precision" | "recall" | "f1" | "avg_confidence" | "val_loss" | "top5";

export interface ComparedRun {
  id: string;
  workflow_name: string;
  status: string;
  metrics: Record<string, number>;
  curves: Partial<Record<CurveKey, [number, number | null][]>>;
  /** [fractional epoch, train loss] per batch. */
  loss: [number, number][];
}

export interface RunComparison {
  runs: ComparedRun[];
  differences: { key: string; values: Record<string, unknown> }[];
}

export interface LayoutPreviewResponse {
  classes: { name: string; count: number; new: boolean }[];
  splits: { train?: number; val?: number };
  unlabelled: number;
}
