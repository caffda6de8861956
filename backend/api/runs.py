"""Runs: start one from a workflow, list, read, cancel, and the stored events."""

from pathlib import Path
from typing import Any

from litestar import Controller, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body
from litestar.response import File, Response
from sqlmodel import select

from backend.api.access import Access
from backend.api.recommendations import project_summary
from backend.api.schemas import ExtendRequest, RunRead
from backend.catalogue import Catalogue
from backend.db.models import Run
from backend.events.models import Event
from backend.graph.spec import RunSettings
from backend.runs.compare import compare_runs
from backend.runs.service import InvalidWorkflow, RunNotResumable, RunService
from backend.settings import Settings
from backend.templates import run_defaults_for


def _artifacts(runs: RunService, run_id: str) -> dict[str, dict[str, Any]]:
    return {e.data["name"]: e.data for e in runs.store.after(run_id) if e.type == "artifact"}


def run_read(run: Run) -> RunRead:
    return RunRead(**run.model_dump(exclude={"spec"}))


class RunController(Controller):
    tags = ["runs"]

    @post("/api/workflows/{workflow_id:str}/runs", status_code=202)
    async def start_run(
        self,
        access: Access,
        runs: RunService,
        catalogue: Catalogue,
        settings: Settings,
        workflow_id: str,
        data: RunSettings | None = Body(default=None),
    ) -> Response[Any]:
        """Without a body the run takes the data-aware defaults the Run Training dialog pre-fills."""
        workflow = access.workflow(workflow_id)
        if data is None:
            summary = project_summary(access.session, settings, workflow.project_id)
            data = run_defaults_for(workflow.graph, catalogue, summary).settings
        try:
            run = runs.create(workflow, data)
        except InvalidWorkflow as invalid:
            return Response({"issues": [i.model_dump(mode="json") for i in invalid.issues]}, status_code=422)
        return Response(run_read(run), status_code=202)

    @get("/api/projects/{project_id:str}/runs")
    async def list_runs(self, access: Access, project_id: str) -> list[RunRead]:
        project = access.project(project_id)
        rows = access.session.exec(
            select(Run).where(Run.project_id == project.id).order_by(Run.created_at.desc())
        ).all()
        return [run_read(r) for r in rows]

    @get("/api/projects/{project_id:str}/runs/compare")
    async def compare(self, access: Access, runs: RunService, project_id: str, ids: str) -> dict[str, Any]:
        """`ids`: two or more run ids, comma-separated, all of this project."""
        project = access.project(project_id)
        wanted = list(dict.fromkeys(i for i in ids.split(",") if i))
        if len(wanted) < 2:
            raise ClientException(detail="Compare needs at least two run ids.", extra={"field": "ids"})
        chosen = [access.run(run_id) for run_id in wanted]
        if any(run.project_id != project.id for run in chosen):
            raise ClientException(detail="Every compared run must belong to this project.", extra={"field": "ids"})
        return compare_runs(chosen, {run.id: runs.store.after(run.id) for run in chosen})

    @get("/api/runs/{run_id:str}")
    async def get_run(self, access: Access, run_id: str) -> RunRead:
        return run_read(access.run(run_id))

    @post("/api/runs/{run_id:str}/cancel", status_code=202)
    async def cancel_run(self, access: Access, runs: RunService, run_id: str) -> RunRead:
        """Idempotent: a finished run stays as it is."""
        run = access.run(run_id)
        access.session.close()
        await runs.cancel(run.id)
        return run_read(access.run(run_id))

    @post("/api/runs/{run_id:str}/resume", status_code=202)
    async def resume_run(self, access: Access, runs: RunService, run_id: str) -> RunRead:
        """Continue a cancelled, interrupted or failed run from its last checkpoint."""
        run = access.run(run_id)
        try:
            return run_read(runs.resume(run))
        except RunNotResumable as refusal:
            raise ClientException(status_code=409, detail=str(refusal)) from None

    @post("/api/runs/{run_id:str}/extend", status_code=202)
    async def extend_run(self, access: Access, runs: RunService, run_id: str, data: ExtendRequest = Body()) -> RunRead:
        """Train N more epochs from this run's best weights, as a new run linked to it."""
        run = access.run(run_id)
        try:
            return run_read(runs.extend(run, data.epochs))
        except RunNotResumable as refusal:
            raise ClientException(status_code=409, detail=str(refusal)) from None

    @get("/api/runs/{run_id:str}/artifacts")
    async def list_artifacts(self, access: Access, runs: RunService, run_id: str) -> list[dict[str, Any]]:
        run = access.run(run_id)
        return [{**a, "url": f"/api/runs/{run.id}/artifacts/{a['name']}"} for a in _artifacts(runs, run.id).values()]

    @get("/api/runs/{run_id:str}/artifacts/{name:str}")
    async def download_artifact(
        self, access: Access, runs: RunService, settings: Settings, run_id: str, name: str
    ) -> File:
        """Only files the run's worker announced, inside the run's own folder."""
        run = access.run(run_id)
        artifact = _artifacts(runs, run.id).get(name)
        run_dir = (settings.runs_dir / run.id).resolve()
        path = (run_dir / artifact["path"]).resolve() if artifact else None
        if path is None or not path.is_relative_to(run_dir) or not path.is_file():
            raise NotFoundException(detail=f"Run {run.id!r} has no artifact {name!r}.")
        return File(path=path, filename=f"{run.workflow_name[:60]}-{run.id}-{name}".replace("/", "_"))

    @get("/api/runs/{run_id:str}/snapshot")
    async def run_snapshot(self, access: Access, run_id: str) -> dict[str, Any]:
        """Exactly which images and labels the run trained on, fixed when it was queued."""
        run = access.run(run_id)
        dataset = run.spec.get("dataset", {"class_names": [], "items": [], "snapshot_hash": ""})
        names = dataset["class_names"]
        per_class = {name: {"train": 0, "val": 0} for name in names}
        for item in dataset["items"]:
            per_class[names[item["label"]]][item["split"]] += 1
        return {
            "snapshot_hash": dataset["snapshot_hash"],
            "class_names": names,
            "train": sum(c["train"] for c in per_class.values()),
            "val": sum(c["val"] for c in per_class.values()),
            "per_class": per_class,
            "items": [
                {"content_hash": Path(i["path"]).stem, "label": names[i["label"]], "split": i["split"]}
                for i in dataset["items"]
            ],
        }

    @get("/api/runs/{run_id:str}/events")
    async def run_events(
        self, access: Access, runs: RunService, run_id: str, after: int = -1, limit: int = 10_000
    ) -> list[Event]:
        run = access.run(run_id)
        if not 1 <= limit <= 10_000:
            raise ClientException(detail="limit must be between 1 and 10000.")
        return runs.store.after(run.id, after, limit)
