"""Check an uploaded `.pt` in a process of its own before the model store accepts it.

`python -m backend.worker.weights_check FILE --result OUT.json [--architecture yolo11n-cls.yaml] --config-dir DIR`
writes `{"ok": true, "architecture", "nc", "names"}` or `{"ok": false, "reason"}` to OUT.json.

The server never unpickles an upload: this process does, and only with `torch.load(weights_only=True)`. An
Ultralytics checkpoint pickles the whole model object, which a plain `weights_only=True` load refuses; Ultralytics
8.4.190 ships an opt-in restricted loader (`torch_safe_load(..., safe_only=True)`) that allows exactly the torch
and Ultralytics model classes the file references, and that is what we use. Before loading, the pickle's globals
are listed without running it (`get_unsafe_globals_in_checkpoint`) and anything outside torch and Ultralytics is
refused by name. Then the named architecture is built from its yaml and every tensor's name and shape must match
it, except the classifier's output layer, whose class count may differ (fine-tuning replaces it).
"""

import argparse
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

from nodes.models import ARCHITECTURES, family_of

NOT_A_CHECKPOINT = "This is not a PyTorch checkpoint: torch.save writes a zip archive, and this file is not one."
_TRUSTED_PREFIXES = ("torch.", "collections.", "builtins.", "ultralytics.")


class Refused(Exception):
    """The file is not weights a model node can start from; the message says why."""


def check(path: Path, architecture: str | None) -> dict[str, Any]:
    if architecture is not None and architecture not in ARCHITECTURES:
        raise Refused(
            f"{architecture!r} is not an architecture a model node trains; known: {', '.join(ARCHITECTURES)}."
        )
    model = _model_of(_load(path))
    declared = _declared_architecture(model)
    if architecture is None:
        if declared is None:
            raise Refused("The checkpoint does not say which architecture it is: name it in the 'architecture' field.")
        architecture = declared
    elif declared is not None and declared != architecture:
        raise Refused(f"The checkpoint was saved from {declared}, not {architecture}.")
    nc = _compare_with(architecture, model.state_dict())
    names = _class_names(model, nc)
    return {"ok": True, "architecture": architecture, "nc": nc, "names": names}


def _load(path: Path) -> Any:
    import torch
    from ultralytics.nn.tasks import torch_safe_load

    if not zipfile.is_zipfile(path):
        raise Refused(NOT_A_CHECKPOINT)
    try:
        needed = torch.serialization.get_unsafe_globals_in_checkpoint(path)
    except Exception as error:  # a damaged archive
        raise Refused(f"The checkpoint cannot be read: {error}.") from None
    foreign = sorted(name for name in needed if not name.startswith(_TRUSTED_PREFIXES))
    if foreign:
        raise Refused(
            "The file would rebuild Python objects outside torch and Ultralytics' model classes "
            f"({', '.join(foreign[:5])}); it was not loaded."
        )
    if not needed:  # only tensors and containers: plain weights_only loading suffices
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except Exception as error:
            raise Refused(f"The checkpoint cannot be read: {_first_line(error)}") from None
    try:
        checkpoint, _ = torch_safe_load(str(path), safe_only=True)  # torch.load(weights_only=True) + allow-list
    except Exception as error:
        raise Refused(f"The checkpoint does not load with weights_only=True: {_first_line(error)}") from None
    return checkpoint


def _model_of(checkpoint: Any) -> Any:
    import torch

    if isinstance(checkpoint, dict):
        candidate = checkpoint.get("ema") or checkpoint.get("model")
        if isinstance(candidate, torch.nn.Module):
            return candidate.float()
        if checkpoint and all(isinstance(value, torch.Tensor) for value in checkpoint.values()):
            raise Refused(
                "This is a bare state dict; the trainer starts from Ultralytics checkpoints, which hold the model "
                "object: save it with YOLO(...).save('weights.pt') or upload a best.pt/last.pt from a training."
            )
    raise Refused("This file holds no model: an Ultralytics checkpoint has the model under 'model' or 'ema'.")


def _declared_architecture(model: Any) -> str | None:
    """The yaml the checkpoint says it was built from, if it is one a model node trains."""
    yaml = getattr(model, "yaml", None)
    declared = Path(str(yaml.get("yaml_file") or "")).name if isinstance(yaml, dict) else ""
    if not declared:
        return None
    if family_of(declared) is None:
        raise Refused(f"The checkpoint was saved from {declared}, which no model node trains.")
    return declared


def _compare_with(architecture: str, state: dict[str, Any]) -> int:
    """The checkpoint's class count, once every other tensor matches `architecture` by name and shape."""
    from ultralytics.nn.tasks import ClassificationModel

    reference = ClassificationModel(architecture, verbose=False)
    expected = {key: tuple(value.shape) for key, value in reference.state_dict().items()}
    head = f"model.{len(reference.model) - 1}.linear."
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    reshaped = sorted(
        key
        for key in set(expected) & set(state)
        if tuple(state[key].shape) != expected[key] and not key.startswith(head)
    )
    if missing or extra or reshaped:
        details = [
            f"{len(label_keys)} {label} (e.g. {label_keys[0]})"
            for label, label_keys in (("missing", missing), ("unexpected", extra), ("of another shape", reshaped))
            if label_keys
        ]
        raise Refused(f"These weights are not {architecture}: tensors {'; '.join(details)}.")
    weight = state[f"{head}weight"]
    if tuple(weight.shape[1:]) != expected[f"{head}weight"][1:]:
        raise Refused(f"These weights are not {architecture}: the classifier's input has another width.")
    return int(weight.shape[0])


def _class_names(model: Any, nc: int) -> list[str] | None:
    names = getattr(model, "names", None)
    if isinstance(names, dict) and sorted(names) == list(range(nc)):
        return [str(names[i]) for i in range(nc)]
    if isinstance(names, list | tuple) and len(names) == nc:
        return [str(name) for name in names]
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--architecture", default=None)
    parser.add_argument("--config-dir", type=Path, required=True)
    args = parser.parse_args(argv)

    from backend.worker.offline import configure_offline

    configure_offline(args.config_dir)  # before ultralytics is imported: no downloads, nothing under ~
    try:
        result = check(args.file, args.architecture)
    except Refused as refusal:
        result = {"ok": False, "reason": str(refusal)}
    args.result.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
