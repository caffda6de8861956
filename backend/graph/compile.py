"""Graph + Catalogue + RunSettings + the labelled images → TrainingJobSpec. Pure and deterministic.

Call only on a graph that `validate` passed without errors: compile assumes a dataset → … → model chain.
"""

import hashlib
from functools import partial
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from backend.catalogue import Catalogue
from backend.datasets.split import split_of_each
from backend.graph.schema import Graph, Node
from backend.graph.spec import (
    DatasetItem,
    DatasetSpec,
    EvaluationSpec,
    PipelineStep,
    RunSettings,
    TrainingJobSpec,
)
from backend.graph.validate import nodes_of
from nodes.base import DatasetNode, DatasetParams, ModelNode


class LabelledImage(BaseModel):
    model_config = ConfigDict(frozen=True)
    path: str
    content_hash: str  # sha256 of the file
    label: str  # class name
    split: Literal["train", "val"] | None = None  # fixed by the source (a train/ + val/ folder), else by the node


class LabelledImages(BaseModel):
    """The images a dataset node stands for, read from the database or a folder by the caller."""

    model_config = ConfigDict(frozen=True)
    class_names: list[str]
    items: list[LabelledImage]


class CompileError(ValueError):
    """The graph was not validated first."""


def compile_job(
    graph: Graph,
    catalogue: Catalogue,
    settings: RunSettings,
    images: LabelledImages,
    output_dir: Path,
    model_store: Path | None = None,
) -> TrainingJobSpec:
    chain = _chain(graph, catalogue)
    dataset_node, model_node = chain[0], chain[-1]
    dataset_type, model_type = catalogue.get(dataset_node.type), catalogue.get(model_node.type)
    if not (issubclass(dataset_type, DatasetNode) and issubclass(model_type, ModelNode)):
        raise CompileError("the chain must run from a dataset node to a model node; validate the graph first")
    model = model_type.model_spec(model_node.params, partial(_store_path, model_store))
    pipeline = [
        PipelineStep(node_id=node.id, transform=step.transform, params=step.params, splits=list(step.splits))
        for node in chain[1:-1]
        for step in catalogue.get(node.type).pipeline_steps(node.params, model.imgsz)
    ]
    return TrainingJobSpec(
        workflow_name=graph.name,
        dataset=_dataset(images, dataset_type.dataset_params(dataset_node.params)),
        pipeline=pipeline,
        model=model,
        overrides=ultralytics_overrides(settings, model.imgsz),
        evaluation=EvaluationSpec(every=settings.eval_every, checkpoint=settings.checkpoint),
        output_dir=str(output_dir),
    )


def _store_path(model_store: Path | None, name: str) -> str:
    if model_store is None:
        raise CompileError(f"the graph names pretrained weights {name!r} but no model store was given")
    return str(model_store / name)


def ultralytics_overrides(settings: RunSettings, imgsz: int) -> dict[str, object]:
    """Ultralytics train arguments; every key exists in its default config (tested)."""
    overrides: dict[str, object] = {
        "epochs": settings.epochs,
        "batch": settings.batch,
        # Ultralytics accumulates gradients up to a nominal batch of 64: batch 16 would step once every 4 batches.
        # One optimiser step per batch keeps a small set's step budget (backend/recommend.py) honest.
        "nbs": settings.batch,
        "lr0": settings.learning_rate,
        "optimizer": settings.optimizer,
        "patience": settings.patience,
        "seed": settings.seed,
        "deterministic": True,
        "imgsz": imgsz,
        "device": settings.device,
        "workers": settings.workers,
    }
    if settings.time_limit_hours is not None:
        overrides["time"] = settings.time_limit_hours
    return overrides


def _chain(graph: Graph, catalogue: Catalogue) -> list[Node]:
    """dataset → … → model, following the model's single input back to the dataset."""
    nodes = {n.id: n for n in graph.nodes}
    feeding = {e.target: e.source for e in graph.edges}
    models = nodes_of(graph, catalogue, "model")
    if len(models) != 1:
        raise CompileError("compile needs exactly one model node; validate the graph first")
    chain = [models[0]]
    while chain[-1].id in feeding:
        chain.append(nodes[feeding[chain[-1].id]])
        if len(chain) > len(nodes):
            raise CompileError("the graph has a cycle; validate it first")
    chain.reverse()
    if catalogue.get(chain[0].type).category != "dataset":
        raise CompileError("the model is not fed by a dataset; validate the graph first")
    return chain


def assign_splits(images: LabelledImages, params: DatasetParams) -> dict[str, str]:
    """Image path → train/val: a split fixed by the source wins, the dataset node splits the rest."""
    splits = split_of_each(images.items, params.val_fraction, params.seed, params.stratified)
    return {item.path: split for item, split in zip(images.items, splits, strict=True)}


def _dataset(images: LabelledImages, params: DatasetParams) -> DatasetSpec:
    index = {name: i for i, name in enumerate(images.class_names)}
    splits = assign_splits(images, params)
    items = sorted(
        (DatasetItem(path=item.path, label=index[item.label], split=splits[item.path]) for item in images.items),
        key=lambda i: (i.split, i.label, i.path),
    )
    hashes = {item.path: item.content_hash for item in images.items}
    digest = hashlib.sha256()
    for item in items:
        digest.update(f"{hashes[item.path]}\t{images.class_names[item.label]}\t{item.split}\n".encode())
    return DatasetSpec(
        class_names=list(images.class_names), items=items, snapshot_hash=digest.hexdigest(), balance=params.balance
    )
