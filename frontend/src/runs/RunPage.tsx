/** One training run, live: header (status, elapsed, ETA, Cancel, Resume / Extend) and three tabs: Training
 * (charts, evaluation preview, confusion matrix, checkpoints, artifacts…), Predictions (worst predictions, likely
 * mislabelled images) and Try it. The tab lives in the URL. */
import { Alert, Badge, List, Stack, Tabs } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useParams, useSearchParams } from "react-router";
import { keys, useCancelRun, useRun } from "../api/hooks";
import { useQueuedRunPlace } from "../api/runHooks";
import { ErrorBox } from "../shell/QueryState";
import { MislabelledPanel } from "./MislabelledPanel";
import { QueueBanner } from "./QueueControls";
import { RunActions, RunLineage } from "./RunActions";
import { RunHeader } from "./RunHeader";
import { TrainingTab } from "./TrainingTab";
import { TryItPanel } from "./TryItPanel";
import { WorstPredictions } from "./WorstPredictions";
import { isTerminal } from "./runModel";
import { useRunEvents } from "./useRunEvents";
import { bannerWarnings } from "./warnings";
import "./evaluation.css";

const TABS = ["training", "predictions", "try"] as const;
type Tab = (typeof TABS)[number];

/** Keyed by run: going from one run to another (e.g. to the run just extended) starts afresh. */
export function RunPage() {
  const { rid = "" } = useParams();
  return <RunView key={rid} />;
}

function RunView() {
  const { pid = "", rid = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get("tab") ?? "") ? (params.get("tab") as Tab) : "training";
  const qc = useQueryClient();
  const run = useRun(rid);
  const cancel = useCancelRun(rid);
  const { store, model, version, connection } = useRunEvents(rid);
  // its place moves as other runs start or leave the queue: read again while it waits
  useQueuedRunPlace(rid, run.data?.status === "queued" && !model.started && !model.finished);

  const finishedStatus = model.finished?.status;
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: keys.run(rid) });
    void qc.invalidateQueries({ queryKey: keys.runs(pid) });
  }, [finishedStatus, rid, pid, qc]);

  const onCancel = () =>
    cancel.mutate(undefined, {
      onError: (e) => notifications.show({ color: "red", title: "Cancel failed", message: e.message }),
    });

  if (run.error && !store.events.length) return <ErrorBox error={run.error} title="Cannot load this run" retry={() => run.refetch()} />;
  const terminal = isTerminal(model.finished?.status);
  const dense = store.events.every((e, i) => e.seq === i);
  const status = model.finished?.status ?? model.status ?? run.data?.status ?? null;
  const warnings = bannerWarnings(model.warnings, run.data?.quality_warnings, model.sawEvaluation);
  const queued = status === "queued";
  const setTab = (t: string | null) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (!t || t === "training") next.delete("tab");
      else next.set("tab", t);
      return next;
    });

  return (
    <div className="vf-run" data-testid="run-page" data-run-id={rid}>
      <RunHeader
        run={run.data}
        model={model}
        projectId={pid}
        connection={connection}
        cancelling={cancel.isPending}
        onCancel={onCancel}
        actions={<RunActions pid={pid} rid={rid} status={terminal ? status : null} run={run.data} />}
        lineage={<RunLineage pid={pid} rid={rid} run={run.data} />}
      />
      {queued ? <QueueBanner pid={pid} run={run.data} liveReason={model.waitingReason} /> : null}
      {warnings.length ? (
        <Alert
          color="yellow"
          variant="light"
          mx="md"
          mt="sm"
          icon={<IconAlertTriangle size={18} />}
          title={status === "succeeded" ? "The run finished, but the model may not be useful" : "The model may not be learning"}
          data-testid="run-warnings"
          data-codes={warnings.map((w) => w.code).join(" ")}
        >
          <List size="sm" spacing={2}>
            {warnings.map((w) => (
              <List.Item key={w.code} data-testid="run-warning" data-code={w.code}>
                {w.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      <span
        hidden
        data-testid="run-events"
        data-count={store.events.length}
        data-last-seq={store.next - 1}
        data-dense={dense ? "true" : "false"}
        data-finished={terminal ? "true" : "false"}
      />
      <Tabs value={tab} onChange={setTab} keepMounted={false} className="vf-run-tabs">
        <Tabs.List>
          <Tabs.Tab value="training" data-testid="tab-training">
            Training
          </Tabs.Tab>
          <Tabs.Tab value="predictions" data-testid="tab-predictions" rightSection={terminal ? null : <Badge size="xs" variant="light" color="gray">after the run</Badge>}>
            Predictions
          </Tabs.Tab>
          <Tabs.Tab value="try" data-testid="tab-try">
            Try it
          </Tabs.Tab>
        </Tabs.List>
        <Stack gap="sm" p="md">
          {model.finished && model.finished.status !== "succeeded" ? (
            <Alert color={model.finished.status === "cancelled" ? "orange" : "red"} title={`Run ${model.finished.status}`} data-testid="run-reason">
              {model.finished.reason || "No reason given."}
            </Alert>
          ) : null}
          <Tabs.Panel value="training">
            <TrainingTab rid={rid} model={model} version={version} terminal={terminal} />
          </Tabs.Panel>
          <Tabs.Panel value="predictions">
            <Stack gap="sm">
              <MislabelledPanel pid={pid} rid={rid} finished={terminal} />
              <WorstPredictions pid={pid} rid={rid} classNames={model.started?.class_names ?? []} finished={terminal} />
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="try">
            <TryItPanel rid={rid} hasWeights={model.artifacts.length > 0 || model.evaluations.length > 0} />
          </Tabs.Panel>
        </Stack>
      </Tabs>
    </div>
  );
}
