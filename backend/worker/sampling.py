"""Class-balanced drawing of training images (the dataset node's `balance: "weighted_sampling"`).

Each image is drawn with a weight inversely proportional to its class's size, with replacement, as many draws
per epoch as there are images: every class is then seen about equally often, and an epoch costs the same.
Ultralytics' `build_dataloader` takes no sampler, so the loader it built is rebuilt with the same settings and
a `WeightedRandomSampler` (before its first iteration, so no worker process has started yet).
"""

from collections import Counter
from collections.abc import Sequence

import torch
from torch.utils.data import WeightedRandomSampler
from ultralytics.data.build import InfiniteDataLoader


def inverse_frequency_weights(labels: Sequence[int]) -> torch.Tensor:
    """One weight per image: 1 / (images of its class), so each class's weights sum to 1."""
    sizes = Counter(labels)
    return torch.tensor([1.0 / sizes[label] for label in labels], dtype=torch.double)


def balanced_sampler(labels: Sequence[int], generator: torch.Generator | None = None) -> WeightedRandomSampler:
    return WeightedRandomSampler(
        inverse_frequency_weights(labels), num_samples=len(labels), replacement=True, generator=generator
    )


def with_weighted_sampling(loader: InfiniteDataLoader, labels: Sequence[int]) -> InfiniteDataLoader:
    """The same loader (batch, workers, collate, seeding), drawing class-balanced instead of shuffling."""
    workers = loader.num_workers
    return InfiniteDataLoader(
        dataset=loader.dataset,
        batch_size=loader.batch_size,
        sampler=balanced_sampler(labels, loader.generator),
        num_workers=workers,
        prefetch_factor=loader.prefetch_factor if workers else None,
        pin_memory=loader.pin_memory,
        collate_fn=loader.collate_fn,
        worker_init_fn=loader.worker_init_fn,
        generator=loader.generator,
        drop_last=loader.drop_last,
    )
