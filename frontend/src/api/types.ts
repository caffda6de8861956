/** Types of the HTTP/WebSocket contract with the Visionflow server, named for the browser's code.
 *
 * Every shape comes from schema.gen.ts, which `make api-types` generates from the server's OpenAPI schema (and
 * `make test` fails when it is stale): a component by name, or the success body of a route by path. No API shape
 * is written by hand here. All ids are strings.
 */
import type { SuccessBody } from "./described";
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

/** `T` with the fields `K` present: the server always sends a field that has a default (the schema marks the ones
 * with a default factory optional, because a request may leave them out). */
type Sent<T, K extends keyof T> = Omit<T, K> & Required<Pick<T, K>>;

// Projects, classes, images
export type Project = Schemas["ProjectRead"];
export type ProjectClass = Schemas["ClassRead"];
export type Asset = Schemas["AssetRead"];
export type Split = NonNullable<Asset["split"]>;
export type AssetPage = Schemas["AssetPage"];
export type UploadReport = Schemas["UploadReport"];
export type UploadDuplicate = Schemas["UploadDuplicate"];
export type UploadRejection = Schemas["UploadRejection"];
export type DatasetStats = Schemas["DatasetStats"];
export type LayoutPreviewResponse = Schemas["LayoutPreview"];
export type CsvImportReport = Schemas["CsvImportReport"];
export type ClassDeleteResult = Schemas["ClassDeleteResult"];
export type ClassMergeResult = Schemas["ClassMergeResult"];
export type ClassUpdate = Schemas["ClassUpdate"];
export type LabelsUpdated = Schemas["LabelsUpdated"];
export type AssetsDeleted = Schemas["AssetsDeleted"];
export type ValidateResponse = Schemas["ValidateResponse"];
export type OfficialModelNames = SuccessBody<"/api/models/official", "get">;

// Node catalogue, workflows, templates
/** A JSON Schema fragment, as the server sends it (GET /api/run-settings/schema, a node's `params_schema`). */
export type JsonSchema = SuccessBody<"/api/run-settings/schema", "get">;
export type NodeDescriptor = Schemas["NodeDescriptor"];
export type PortSpec = Schemas["PortRead"];
export type Issue = Schemas["Issue"];
/** A one-click remedy for an issue: set `field` of node `node_id` to `value`. */
export type IssueFix = Schemas["IssueFix"];
export type GraphNode = Sent<Schemas["Node"], "params">;
export type GraphEdge = Schemas["Edge"];
/** A graph as the editor holds it: `description` and `tags` are only on templates. */
export type WorkflowGraph = Omit<Schemas["Graph"], "nodes" | "edges" | "description" | "tags"> &
  Partial<Pick<Schemas["Graph"], "description" | "tags">> & { nodes: GraphNode[]; edges: GraphEdge[] };
/** The server keeps a saved graph as it was sent (WorkflowRead.graph is a free-form document, so that a
 * half-built workflow always saves); this editor only ever saves `Graph`s. */
export type Workflow = Omit<Schemas["WorkflowRead"], "graph"> & { graph: WorkflowGraph };
export type Template = Omit<Schemas["TemplateRead"], "graph"> & { graph: WorkflowGraph };
/** How well a template suits a project's images (GET /api/templates?project_id=). */
export type TemplateFit = NonNullable<Template["fit"]>;
/** What the Run Training dialog pre-fills, chosen by the server from the data. */
export type RunDefaults = Schemas["RunDefaults"];
/** An entry of the model store (GET /api/models). */
export type StoredModel = Schemas["StoredWeights"];
/** Augmentation preview (POST /api/workflows/{workflow_id}/preview): images before/after a node, and the model input. */
export type AugmentationPreview = Schemas["AugmentationPreview"];
export type AugmentationSample = Schemas["AugmentationSample"];
export type AugmentationPicture = Schemas["AugmentationPicture"];
export type AugmentationStep = Schemas["AugmentationStep"];
/** A saved version of a workflow's graph (GET /api/workflows/{id}/versions: without the graph). */
export type WorkflowVersionSummary = Schemas["WorkflowVersionSummary"];
export type WorkflowVersion = Omit<Schemas["WorkflowVersionRead"], "graph"> & { graph: WorkflowGraph };

// Runs and their events
export type Run = Schemas["RunRead"];
export type RunStatus = Run["status"];
/** How a run came from its parent (`parent_run_id`): resumed, extended or a label check; null for a first run. */
export type RunLineage = NonNullable<Run["lineage"]>;
/** A degenerate-model warning kept on the run; a run can be `succeeded` with some. */
export type QualityWarning = Schemas["RunQualityWarning"];
/** One stored event as GET /api/runs/{id}/events and /ws/runs/{id} send it. */
export type RunEvent = SuccessBody<"/api/runs/{run_id}/events", "get">[number];
/** The payload of an event of type `T`. */
export type EventData<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>["data"];
export type StartedData = EventData<"started">;
export type BatchData = EventData<"batch">;
/** Its `preview` is the same fixed validation sample at every evaluation. */
export type EvaluationData = EventData<"evaluation">;
export type PreviewEntry = Schemas["PreviewSample"];
export type ClassMetrics = EvaluationData["per_class"][number];
export type ArtifactData = EventData<"artifact">;
export type FinishedData = EventData<"finished">;
/** Payload of a `warning` event. */
export type WarningData = EventData<"warning">;
export type RunSnapshot = Schemas["RunSnapshot"];

// What a run learned
export type CheckpointInfo = Schemas["CheckpointRead"];
export type ArtifactInfo = Schemas["ArtifactRead"];
export type PredictResult = Schemas["PredictResult"];
export type RunComparison = Schemas["RunComparison"];
export type ComparedRun = RunComparison["runs"][number];
export type CurveKey = keyof Schemas["Curves"];
export type PredictionPage = Schemas["PredictionPage"];
export type MislabelledQueue = Schemas["MislabelledQueue"];
/** One validation image with the final model's prediction, linked back to the project's asset. */
export type Prediction = Schemas["Prediction"];
/** Which images a review queue covers: the validation split of one run, or every labelled image (k-fold). */
export type QueueCoverage = Schemas["QueueCoverage"];
/** Whether a queue's suggestions come from a model good enough to accept them in one key. */
export type SuggestionTrust = Pick<MislabelledQueue, "suggestions_trusted" | "untrusted_reason">;

/** Not an API shape: the prediction browser's filter and page, turned into a query string by predictionsModel. */
export interface PredictionQuery {
  trueClass: string | null;
  predictedClass: string | null;
  wrongOnly: boolean;
  offset: number;
  limit: number;
}

// Accounts and access
/** Whether the server has accounts on (GET /api/auth/config). */
export type AuthConfig = Schemas["AuthConfig"];
/** Who is calling; `csrf_token` goes with every write of a login session. */
export type Me = Schemas["Me"];
export type TokenRead = Schemas["TokenRead"];
/** A new API token: the only answer that carries its secret. */
export type TokenCreated = Schemas["TokenCreated"];
export type UserRead = Schemas["UserRead"];
export type Member = Schemas["MemberRead"];
/** viewer < annotator < owner (an administrator owns every project). */
export type ProjectRole = Project["my_role"];
