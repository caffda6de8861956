"""`visionflow run`: the same validate → compile → worker path as the server, in a terminal."""

import json
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tqdm import tqdm

from backend.catalogue import build_catalogue
from backend.datasets.folder import FolderError, folder_image_facts, read_image_folder
from backend.graph.compile import compile_job
from backend.graph.spec import RunSettings
from backend.graph.validate import ValidationContext, validate_document
from backend.recommend import TemplateFit, evaluation_interval, summarise
from backend.runners.local import LocalRunner
from backend.runs.naming import new_run_name
from backend.settings import Settings
from backend.storage import LocalStorage
from backend.templates import instantiate, recommended_template, run_defaults_for, template_fits


def _why(name: str, fit: TemplateFit) -> str:
    lines = [f"Recommended for your data: {name} ({fit.summary})"]
    return "\n".join([*lines, *(f"  - {note}" for note in fit.notes)])


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


async def run_headless(
    settings: Settings,
    workflow_path: Path | None,
    data: Path,
    overrides: dict[str, Any],
    imgsz: int | None,
) -> int:
    """Train `workflow_path` (or, without one, the recommended workflow for the data) on the folder `data`, with
    the data-aware defaults the Run Training dialog pre-fills; `overrides` (epochs, batch, device) win over them. The
    run's files go to `runs/cli-<time>/` under the data dir, like a server run's."""
    catalogue = build_catalogue(settings.model_store)
    try:
        folder = read_image_folder(data)
    except FolderError as error:
        return _fail(str(error))
    facts = folder_image_facts(folder)
    summary = summarise(facts)
    if workflow_path is None:
        fits = template_fits(catalogue, summary)
        chosen = recommended_template(fits)
        document: Any = instantiate(chosen, None, catalogue, fits[chosen])
        print(_why(document["name"], fits[chosen]))
    else:
        try:
            document = json.loads(workflow_path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            return _fail(f"cannot read {workflow_path}: {error}")
    if imgsz is not None and isinstance(document, dict):
        for node in document.get("nodes", []):
            if (
                isinstance(node, dict)
                and catalogue.get(node.get("type", ""))
                and catalogue.get(node["type"]).category == "model"
            ):
                node.setdefault("params", {})["imgsz"] = imgsz
    validation = validate_document(document, catalogue, ValidationContext(images=tuple(facts)))
    for issue in validation.issues:
        where = " ".join(
            filter(None, [issue.node_id and f"node {issue.node_id}", issue.field and f"field {issue.field}"])
        )
        print(f"{issue.severity}: {issue.code}: {issue.message}" + (f" ({where})" if where else ""), file=sys.stderr)
    if validation.valid is None:
        return 2
    valid = validation.valid
    defaults = run_defaults_for(valid, catalogue, summary)
    try:
        chosen_settings = {**defaults.settings.model_dump(), **overrides}
        if "epochs" in overrides:  # as many evaluations as the default run would have, at most
            chosen_settings["eval_every"] = evaluation_interval(int(overrides["epochs"]))
        run_settings = RunSettings(**chosen_settings)
    except ValidationError as error:
        return _fail(str(error))
    chosen = ", ".join(f"{key} {getattr(run_settings, key)}" for key in ("epochs", "batch", "eval_every"))
    given = f" (given: {', '.join(sorted(overrides))})" if overrides else ""
    print(f"Training settings: {chosen}{given}. Data-aware default: {defaults.explanation}")
    settings.ensure_dirs()
    storage = LocalStorage(settings.data_dir)
    for item, path in zip(folder.images.items, folder.paths, strict=True):  # by content hash: the spec names no path
        storage.add_image(path, item.content_hash, item.suffix)
    run_id = f"cli-{time.strftime('%Y%m%d-%H%M%S')}"
    spec = compile_job(valid, catalogue, run_settings, folder.images, run_id)
    print(
        f"{new_run_name(valid.graph.name, spec)}: {spec.model.architecture} at {spec.model.imgsz}px, "
        f"{spec.dataset.count('train')} train / {spec.dataset.count('val')} val images, {len(spec.dataset.class_names)} classes "
        f"(model node {valid.model_node.id!r}) → {settings.runs_dir.resolve() / run_id}"
    )
    runner = LocalRunner(settings.worker_config_dir, storage)
    handle = await runner.submit(run_id, spec)
    bar: tqdm | None = None
    final: dict[str, Any] = {}
    try:
        async for event in runner.events(handle):
            data_ = event.data.model_dump()  # the typed payload, as the dict this report reads
            match event.type:
                case "batch":
                    if bar is None:
                        bar = tqdm(total=data_["epochs"] * data_["of"], unit="batch", dynamic_ncols=True)
                    bar.n = (data_["epoch"] - 1) * data_["of"] + data_["batch"]
                    bar.set_description(f"epoch {data_['epoch']}/{data_['epochs']}")
                    bar.set_postfix(loss=f"{data_['loss']:.3f}", img_s=f"{data_['images_per_s']:.0f}", refresh=False)
                    bar.refresh()
                case "evaluation":
                    tqdm.write(
                        f"eval epoch {data_['epoch']}{' (final)' if data_['final'] else ''}: accuracy {data_['accuracy']:.4f}, "
                        f"f1 {data_['f1']:.4f}, avg confidence {data_['avg_confidence']:.3f}"
                    )
                case "warning":
                    tqdm.write(f"warning: {data_['message']}")
                case "log" if data_["level"] in ("warning", "error"):
                    tqdm.write(f"{data_['level']}: {data_['message']}")
                case "finished":
                    final = data_
    except (KeyboardInterrupt, SystemExit):
        await runner.cancel(handle, settings.cancel_grace_s)
        raise
    finally:
        if bar is not None:
            bar.close()
    print(f"{final.get('status', 'failed')}{': ' + final['reason'] if final.get('reason') else ''}")
    for name, value in sorted(final.get("metrics", {}).items()):
        print(f"  {name}: {value:.4f}" if isinstance(value, float) else f"  {name}: {value}")
    return 0 if final.get("status") == "succeeded" else 1
