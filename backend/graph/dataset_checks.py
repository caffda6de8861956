"""Dataset checks: what the images behind a dataset node mean for a run, said before the run starts.

Pure: reads the graph and the `ImageFacts` a caller collected (from the database or a folder) and returns
issues with stable codes on the dataset node (and on the model's `imgsz` when it would enlarge the images
many times). The train/validation split is computed exactly as compile computes it (the same function,
`backend/datasets/labelled.py`), so leakage is reported between the very sets the run would use.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any, cast

from backend.catalogue import Catalogue
from backend.datasets.labelled import assign_splits
from backend.graph.facts import ImageFacts, KeptFacts
from backend.graph.issues import Code, Issue, IssueFix
from backend.graph.schema import Graph
from nodes.base import DatasetNode, DatasetParams, ModelNode, ParsedParams
from nodes.preprocess import Resize, ResizeParams

NEAR_DUPLICATE_BITS = 3  # re-encoded or resized copies measured 0–2 bits apart; distinct digits rarely ≤ 3
FEW_TRAINING_IMAGES = 5  # a class with fewer training images gets a warning
IMBALANCE_RATIO = 3  # largest class ≥ 3 × the smallest (training split) → suggest weighted sampling
UPSAMPLING_FACTOR = 4  # input size ≥ 4 × the median image side → warn on the model's imgsz
EXTREME_ASPECT = 2.0  # one side ≥ twice the other: a center crop cuts away half the picture or more
EXTREME_ASPECT_SHARE = 0.05  # ... said when at least this share of the images is that long
EXAMPLES = 3


def dataset_issues(
    graph: Graph,
    catalogue: Catalogue,
    parsed: Mapping[str, ParsedParams],
    images: Sequence[ImageFacts] | None,
    project_id: str | None = None,
) -> list[Issue]:
    """Issues about the images of every dataset node whose parameters are valid (in `parsed`, by node id); none
    when images are unknown. A node bound to another project than `project_id` is skipped (validate reports it)."""
    if images is None:
        return []
    model = _model_input(graph, catalogue, parsed)
    resize = next((n for n in graph.nodes if n.type == Resize.type_id and n.id in parsed), None)
    mode = cast(ResizeParams, parsed[resize.id]).mode if resize is not None else None
    issues: list[Issue] = []
    for node in graph.nodes:
        node_type = catalogue.get(node.type)
        if not (isinstance(node_type, type) and issubclass(node_type, DatasetNode)) or node.id not in parsed:
            continue
        params = cast(DatasetParams, parsed[node.id])
        bound = getattr(params, "project_id", None)  # a dataset node that names no project has none
        if project_id is not None and bound not in (None, project_id):
            continue
        issues += check_images(node.id, params, images, model=model, resize=(resize.id, mode) if resize else None)
    return issues


def check_images(
    node_id: str,
    params: DatasetParams,
    images: Sequence[ImageFacts],
    model: ModelInput | None = None,
    resize: tuple[str, str] | None = None,
) -> list[Issue]:
    """`resize`: (node id, mode) of the workflow's resize node, if it has one. Remembered for `KeptFacts` handed
    in again (the server keeps a project's facts while its data stays the same, backend/datasets/facts_cache.py):
    a tuple of frozen facts is the same value while it lives, and what comes out is a function of the arguments
    alone, so an edit elsewhere in the graph costs a look-up, not 15,000 images checked again."""
    if not isinstance(images, KeptFacts):
        return _check_images(node_id, params, images, model, resize)
    key = (node_id, type(params), repr(params), model, resize)
    with _REMEMBERED_LOCK:
        answers = next((kept for kept_images, kept in _REMEMBERED if kept_images is images), None)
        issues = answers.get(key) if answers is not None else None
    if issues is None:
        issues = tuple(_check_images(node_id, params, images, model, resize))
        with _REMEMBERED_LOCK:
            answers = next((kept for kept_images, kept in _REMEMBERED if kept_images is images), None)
            if answers is None:
                answers = {}
                _REMEMBERED.insert(0, (images, answers))
                del _REMEMBERED[IMAGE_SETS_REMEMBERED:]
            if len(answers) >= CHECKS_REMEMBERED_PER_SET:
                answers.pop(next(iter(answers)))
            answers[key] = issues
    return list(issues)


IMAGE_SETS_REMEMBERED = 1  # the tuple of facts whose checks are kept (held alive while kept): the one being edited
CHECKS_REMEMBERED_PER_SET = 16  # distinct (dataset node, parameters, model input, resize) per tuple
_REMEMBERED: list[tuple[KeptFacts, dict[tuple[Any, ...], tuple[Issue, ...]]]] = []
_REMEMBERED_LOCK = threading.Lock()


def _check_images(
    node_id: str,
    params: DatasetParams,
    images: Sequence[ImageFacts],
    model: ModelInput | None,
    resize: tuple[str, str] | None,
) -> list[Issue]:
    splits = assign_splits(images, params)
    readable = [i for i, image in enumerate(images) if image.readable]
    issues = _unreadable(node_id, images, readable)
    if not readable:
        return issues
    issues += _exact_duplicates(node_id, images, splits, readable)
    issues += _near_duplicates(node_id, images, splits, readable)
    issues += _class_splits(node_id, images, splits, readable)
    issues += _imbalance(node_id, images, splits, readable, params.balance)
    mode = resize[1] if resize else None
    if model is not None:
        issues += _small_images(images, readable, model, mode)
    if resize is not None and mode == "center_crop":
        issues += _extreme_aspect(node_id, images, readable, resize[0])
    return issues


@dataclass(frozen=True)
class ModelInput:
    """What the small-image check needs of the model node: its id, input size and the size's stride."""

    node_id: str
    imgsz: int
    stride: int


def _model_input(graph: Graph, catalogue: Catalogue, parsed: Mapping[str, ParsedParams]) -> ModelInput | None:
    for node in graph.nodes:
        node_type = catalogue.get(node.type)
        if isinstance(node_type, type) and issubclass(node_type, ModelNode) and node.id in parsed:
            return ModelInput(node.id, node_type.imgsz(parsed[node.id]), node_type.imgsz_stride)
    return None


def _names(images: Sequence[ImageFacts], indices: Sequence[int]) -> str:
    shown = ", ".join(f"'{images[i].name}'" for i in indices[:EXAMPLES])
    return shown + (", …" if len(indices) > EXAMPLES else "")


def _pairs(images: Sequence[ImageFacts], pairs: Sequence[tuple[int, int]], sign: str) -> str:
    return ", ".join(f"'{images[a].name}' {sign} '{images[b].name}'" for a, b in pairs[:EXAMPLES])


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _unreadable(node_id: str, images: Sequence[ImageFacts], readable: list[int]) -> list[Issue]:
    broken = [i for i, image in enumerate(images) if not image.readable]
    if not broken:
        return []
    if not readable:
        message = (
            f"None of the {len(images)} images can be read (damaged, truncated or not images), e.g. "
            f"{_names(images, broken)}: there is nothing to train on."
        )
        return [Issue(code=Code.UNREADABLE_IMAGES, severity="error", message=message, node_id=node_id)]
    message = (
        f"{len(broken)} of {len(images)} images cannot be read (damaged, truncated or not images) and will be "
        f"skipped: {_names(images, broken)}."
    )
    return [Issue(code=Code.UNREADABLE_IMAGES, severity="warning", message=message, node_id=node_id)]


def _relabelled(images: Sequence[ImageFacts], pairs: list[tuple[int, int]]) -> str:
    differing = sum(1 for a, b in pairs if images[a].label != images[b].label)
    return (
        f" The labels differ in {_plural(differing, 'pair')}: at least one of each is labelled wrong."
        if differing
        else ""
    )


def _exact_duplicates(
    node_id: str, images: Sequence[ImageFacts], splits: list[str], readable: list[int]
) -> list[Issue]:
    by_content: dict[str, list[int]] = defaultdict(list)
    for i in readable:
        by_content[images[i].content_hash].append(i)
    within: list[tuple[int, int]] = []  # (copy, the first of its split)
    leaked: list[tuple[int, int]] = []  # (validation image, a training copy)
    for members in by_content.values():
        if len(members) < 2:
            continue
        by_split: dict[str, list[int]] = defaultdict(list)
        for i in members:
            by_split[splits[i]].append(i)
        for group in by_split.values():
            within += [(copy, group[0]) for copy in group[1:]]
        if by_split["train"] and by_split["val"]:
            leaked += [(i, by_split["train"][0]) for i in by_split["val"]]
    issues = []
    if within:
        message = (
            f"{_plural(len(within), 'image is an exact copy', 'images are exact copies')} of another image in the "
            f"same split, e.g. {_pairs(images, within, '=')}: each copy counts twice. Keep one of each."
            + _relabelled(images, within)
        )
        issues.append(Issue(code=Code.DUPLICATE_IMAGES, severity="warning", message=message, node_id=node_id))
    if leaked:
        message = (
            f"{_plural(len(leaked), 'validation image is an exact copy of a training image', 'validation images are exact copies of training images')}, e.g. {_pairs(images, leaked, '=')}: the model is scored on pictures it trained on, "
            "so validation accuracy will look better than it is. Keep each picture in one split."
            + _relabelled(images, leaked)
        )
        issues.append(Issue(code=Code.DUPLICATE_LEAKAGE, severity="warning", message=message, node_id=node_id))
    return issues


def _near_duplicates(node_id: str, images: Sequence[ImageFacts], splits: list[str], readable: list[int]) -> list[Issue]:
    hashed = [i for i in readable if images[i].phash]
    if len(hashed) < 2:
        return []
    from backend.graph.near_duplicates import similar_hashes  # scope: numpy, once images are checked

    which, neighbours = similar_hashes([images[i].phash for i in hashed], NEAR_DUPLICATE_BITS)
    members: dict[int, list[int]] = defaultdict(list)  # distinct hash → images
    for k, i in zip(which, hashed, strict=True):
        members[k].append(i)
    within: list[tuple[int, int]] = []
    leaked: list[tuple[int, int]] = []
    for k, group in members.items():
        around = group + [j for n in sorted(neighbours.get(k, ())) for j in members[n]]
        if len(around) < 2:
            continue
        for i in group:
            content, split = images[i].content_hash, splits[i]
            different = [j for j in around if images[j].content_hash != content]  # exact copies are said above
            if (same := next((j for j in different if splits[j] == split), None)) is not None:
                within.append((i, same))
            if split == "val" and (train := next((j for j in different if splits[j] == "train"), None)) is not None:
                leaked.append((i, train))
    issues = []
    if within:
        examples = list({frozenset(pair): pair for pair in within}.values())
        message = (
            f"{_plural(len(within), 'image looks', 'images look')} almost identical to another image of the same "
            f"split (re-encoded, resized or lightly edited copies), e.g. {_pairs(images, examples, '≈')}: such "
            "copies weigh one picture several times. Keep one of each." + _relabelled(images, examples)
        )
        issues.append(Issue(code=Code.NEAR_DUPLICATE_IMAGES, severity="warning", message=message, node_id=node_id))
    if leaked:
        message = (
            f"{_plural(len(leaked), 'validation image looks almost identical to a training image', 'validation images look almost identical to training images')} (re-encoded, resized or lightly edited copies), e.g. {_pairs(images, leaked, '≈')}: "
            "the model is scored on pictures it has in effect seen, so validation accuracy will look better than "
            "it is. Keep each picture and its copies in one split." + _relabelled(images, leaked)
        )
        issues.append(Issue(code=Code.NEAR_DUPLICATE_LEAKAGE, severity="warning", message=message, node_id=node_id))
    return issues


def _class_splits(node_id: str, images: Sequence[ImageFacts], splits: list[str], readable: list[int]) -> list[Issue]:
    counts = Counter((images[i].label, splits[i]) for i in readable)
    totals = Counter(image.label for image in images)
    fixed = Counter(image.label for image in images if image.split is not None)
    issues = []
    # A class without validation images trains but cannot be scored: a warning, unless no class has any (no run).
    no_validation_at_all = not any(split == "val" for split in (splits[i] for i in readable))
    for label in sorted(totals):
        train, val = counts[(label, "train")], counts[(label, "val")]
        if val == 0 and train > 0:
            if fixed[label] == totals[label]:
                remedy = f"move some of them into val/{label}/"
            elif totals[label] < 2:
                remedy = "a class needs at least 2 images to be split: add more"
            else:
                remedy = "add more images or keep Stratified on, so that each class keeps one for validation"
            message = (
                f"Class '{label}' has no validation image (its {_plural(train, 'image')} all go to training), so "
                f"the run cannot tell how well the model recognises it: {remedy}."
            )
            severity = "error" if no_validation_at_all else "warning"
            issues.append(
                Issue(code=Code.CLASS_WITHOUT_VALIDATION_IMAGES, severity=severity, message=message, node_id=node_id)
            )
        elif train == 0:
            unreadable = totals[label] - val
            why = (
                f"none of its {_plural(totals[label], 'image')} can be read"
                if val == 0
                else f"its {_plural(val, 'image')} all go to validation"
                + (f" and {unreadable} cannot be read" if unreadable else "")
            )
            message = f"Class '{label}' has no training image ({why}), so the model cannot learn it."
            issues.append(
                Issue(code=Code.CLASS_WITHOUT_TRAINING_IMAGES, severity="error", message=message, node_id=node_id)
            )
        elif train < FEW_TRAINING_IMAGES:
            message = (
                f"Class '{label}' has only {_plural(train, 'training image')}: a model learns little from so few. "
                "Add more (a few dozen per class is a good start)."
            )
            issues.append(Issue(code=Code.FEW_TRAINING_IMAGES, severity="warning", message=message, node_id=node_id))
    return issues


def _imbalance(
    node_id: str, images: Sequence[ImageFacts], splits: list[str], readable: list[int], balance: Any
) -> list[Issue]:
    per_class = Counter(images[i].label for i in readable if splits[i] == "train")
    if balance != "none" or len(per_class) < 2:
        return []
    ranked = sorted(per_class.items(), key=lambda item: (item[1], item[0]))
    (smallest, fewest), (largest, most) = ranked[0], ranked[-1]
    if most < IMBALANCE_RATIO * fewest:
        return []
    message = (
        f"The classes are unbalanced: '{largest}' has {_plural(most, 'training image')}, '{smallest}' only "
        f"{fewest} ({most / fewest:.0f}× fewer), so the model may learn to favour the large classes. Weighted "
        "sampling shows training each class about equally often."
    )
    fix = IssueFix(label="Use weighted sampling", node_id=node_id, field="balance", value="weighted_sampling")
    return [
        Issue(code=Code.CLASS_IMBALANCE, severity="warning", message=message, node_id=node_id, field="balance", fix=fix)
    ]


def _small_images(
    images: Sequence[ImageFacts], readable: list[int], model: ModelInput, mode: str | None
) -> list[Issue]:
    imgsz, stride = model.imgsz, model.stride
    sized = [images[i] for i in readable if images[i].width > 0 and images[i].height > 0]
    if not sized:
        return []
    cropped = mode == "center_crop"  # the shortest side fills the input; otherwise the longest does
    side = median(min(i.width, i.height) if cropped else max(i.width, i.height) for i in sized)
    fitting = max(stride, math.ceil(side / stride) * stride)
    if imgsz < UPSAMPLING_FACTOR * side or fitting >= imgsz:
        return []
    message = (
        f"Half of the images are {side:g} px or smaller on their {'shortest' if cropped else 'longest'} side, so at "
        f"an input size of {imgsz} px they are enlarged about {imgsz / side:.0f}×: training gets slower and learns "
        f"no extra detail. {fitting} px fits these images."
    )
    fix = IssueFix(label=f"Use {fitting} px", node_id=model.node_id, field="imgsz", value=fitting)
    return [
        Issue(
            code=Code.SMALL_IMAGES_UPSAMPLED,
            severity="warning",
            message=message,
            node_id=model.node_id,
            field="imgsz",
            fix=fix,
        )
    ]


def _extreme_aspect(node_id: str, images: Sequence[ImageFacts], readable: list[int], resize_id: str) -> list[Issue]:
    long = [
        i
        for i in readable
        if min(images[i].width, images[i].height) > 0
        and max(images[i].width, images[i].height) >= EXTREME_ASPECT * min(images[i].width, images[i].height)
    ]
    if not long or len(long) < EXTREME_ASPECT_SHARE * len(readable):
        return []
    first = images[long[0]]
    message = (
        f"{len(long)} of {len(readable)} images are at least twice as long as they are wide (or the reverse), e.g. "
        f"'{first.name}' ({first.width}×{first.height}): the center crop of '{resize_id}' cuts away half of each "
        "or more. Letterbox keeps the whole picture."
    )
    fix = IssueFix(label="Use letterbox", node_id=resize_id, field="mode", value="letterbox")
    return [Issue(code=Code.EXTREME_ASPECT_CROPPED, severity="warning", message=message, node_id=node_id, fix=fix)]
