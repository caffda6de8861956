import { ReactFlowProvider } from "@xyflow/react";
import { useParams } from "react-router";
import { useNodeCatalogue, useWorkflow } from "../api/hooks";
import { ErrorBox, Loading } from "../shell/QueryState";
import { Editor } from "./Editor";

export function EditorPage() {
  const { wid = "" } = useParams();
  const workflow = useWorkflow(wid);
  const catalogue = useNodeCatalogue();
  if (workflow.error) return <ErrorBox error={workflow.error} title="Cannot load the workflow" retry={() => workflow.refetch()} />;
  if (catalogue.error) return <ErrorBox error={catalogue.error} title="Cannot load the node catalogue" retry={() => catalogue.refetch()} />;
  if (!workflow.data || !catalogue.data) return <Loading label="Loading workflow" />;
  return (
    <ReactFlowProvider key={wid}>
      <Editor workflow={workflow.data} descriptors={catalogue.data} />
    </ReactFlowProvider>
  );
}
