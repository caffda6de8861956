"""Seeded, optionally stratified train/validation split. Pure and stable: the same items, fraction and
seed give the same split whatever order the items come in."""

import random
from collections import defaultdict
from typing import Literal, Protocol

Split = Literal["train", "val"]


def split_items(keys: list[tuple[str, str]], val_fraction: float, seed: int, stratified: bool) -> dict[str, Split]:
    """`keys` are (item key, class name) pairs with unique item keys; returns item key → split.

    With stratification each class with at least two images keeps one in each split.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for key, label in sorted(keys):
        groups[label if stratified else ""].append(key)
    result: dict[str, Split] = {}
    for group, members in sorted(groups.items()):
        rng = random.Random(f"{seed}:{group}")
        shuffled = members[:]
        rng.shuffle(shuffled)
        n_val = round(len(shuffled) * val_fraction)
        if len(shuffled) >= 2:
            n_val = min(max(n_val, 1), len(shuffled) - 1)
        for index, key in enumerate(shuffled):
            result[key] = "val" if index < n_val else "train"
    return result


class SplitItem(Protocol):
    """What deciding an image's split reads: a LabelledImage and the checks' ImageFacts both are one."""

    @property
    def content_hash(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def split(self) -> Split | None: ...
