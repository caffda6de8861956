import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "react-router";
import { AuthGate } from "./auth/AuthGate";
import { AppLayout } from "./shell/AppLayout";
import { ProjectsPage } from "./projects/ProjectsPage";
import { ProjectLayout } from "./projects/ProjectLayout";
import { WorkflowIndex } from "./editor/WorkflowIndex";
import { TemplatesPage } from "./templates/TemplatesPage";
import { RunsPage } from "./runs/RunsPage";
import { NotFound } from "./shell/NotFound";
import { Loading } from "./shell/QueryState";

// The heavy screens load on first use: the editor (React Flow, rjsf), the run page (uPlot), the data page.
const EditorPage = lazy(() => import("./editor/EditorPage").then((m) => ({ default: m.EditorPage })));
const RunPage = lazy(() => import("./runs/RunPage").then((m) => ({ default: m.RunPage })));
const ComparePage = lazy(() => import("./runs/ComparePage").then((m) => ({ default: m.ComparePage })));
const ModelsPage = lazy(() => import("./models/ModelsPage").then((m) => ({ default: m.ModelsPage })));
const VersionPage = lazy(() => import("./versions/VersionPage").then((m) => ({ default: m.VersionPage })));
const DataPage = lazy(() => import("./data/DataPage").then((m) => ({ default: m.DataPage })));

const page = (element: React.ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;

export function App() {
  return (
    <AuthGate>
      <Routes>
        <Route element={<AppLayout />}>
          <Route index element={<ProjectsPage />} />
          <Route path="projects/:pid" element={<ProjectLayout />}>
            <Route index element={<WorkflowIndex />} />
            <Route path="workflows" element={<Navigate to=".." relative="path" replace />} />
            <Route path="workflows/new" element={<TemplatesPage />} />
            <Route path="workflows/:wid" element={page(<EditorPage />)} />
            <Route path="workflows/:wid/versions/:vid" element={page(<VersionPage />)} />
            <Route path="runs" element={<RunsPage />} />
            <Route path="runs/compare" element={page(<ComparePage />)} />
            <Route path="runs/:rid" element={page(<RunPage />)} />
            <Route path="data" element={page(<DataPage />)} />
          </Route>
          <Route path="models" element={page(<ModelsPage />)} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </AuthGate>
  );
}
