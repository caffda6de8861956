"""The labelled images a dataset node stands for, and which of them train and which validate.

One module decides both for everyone: the compiler (the snapshot a run trains on), the dataset checks (leakage
between the very sets the run would use) and the asset browser (`asset_splits`). Images are named by content
(sha256 + suffix), never by a path, so a spec built from them runs wherever a storage holds that content.
"""

from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.datasets.split import Split, SplitItem, split_items
from nodes.base import DatasetParams

SUFFIX_PATTERN = r"^\.[a-z0-9]{1,10}$"


class LabelledImage(BaseModel):
    model_config = ConfigDict(frozen=True)
    content_hash: str  # sha256 of the file, hex
    suffix: str = Field(pattern=SUFFIX_PATTERN)  # lower case, with the dot: ".png"
    label: str  # class name
    split: Literal["train", "val"] | None = None  # fixed by the source (a train/ + val/ folder), else by the node


class LabelledImages(BaseModel):
    """The images a dataset node stands for, read from the database or a folder by the caller."""

    model_config = ConfigDict(frozen=True)
    class_names: list[str]
    items: list[LabelledImage]


def assign_splits(items: Sequence[SplitItem], params: DatasetParams) -> list[Split]:
    """Train/val of each item, in order: a split fixed by the source wins, the dataset node splits the rest.

    The same content under the same label twice (a folder may hold copies) is told apart by its occurrence, so
    the result does not depend on the order the items come in.
    """
    seen: Counter[tuple[str, str]] = Counter()
    keys = []
    for item in items:
        seen[(item.content_hash, item.label)] += 1
        keys.append(f"{item.content_hash}:{item.label}:{seen[(item.content_hash, item.label)]}")
    free = split_items(
        [(key, item.label) for key, item in zip(keys, items, strict=True) if item.split is None],
        params.val_fraction,
        params.seed,
        params.stratified,
    )
    return [item.split or free[key] for key, item in zip(keys, items, strict=True)]
