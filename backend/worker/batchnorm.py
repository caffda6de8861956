"""Re-estimate BatchNorm running statistics before an evaluation, so eval-mode predictions are sound on small data.

Ultralytics builds BatchNorm with momentum 0.03: the running mean and variance move 3 % towards each batch's
statistics. With a few dozen optimiser steps (a few hundred images, ten epochs) they never catch up with weights
that change fast, and in eval mode the model can predict one class for every image while the same weights,
normalising with batch statistics, are right. The remedy (as SWA's `update_bn` and timm do): forget the running
statistics and average them afresh, with the weights as they are now, over training images seen through the
validation pipeline. Measured against setting the momentum from the number of steps in bench/bn_statistics.py.
"""

from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import torch
from torch import nn

CALIBRATION_IMAGES = 256  # training images per re-estimation: a bounded cost, stable statistics
CALIBRATION_CACHE_BYTES = 64 * 2**20  # transformed calibration batches up to this size stay in memory


def batchnorm_layers(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    return [module for module in model.modules() if isinstance(module, nn.modules.batchnorm._BatchNorm)]


def calibration_order(count: int, seed: int, limit: int = CALIBRATION_IMAGES) -> list[int]:
    """At most `limit` of `count` sample positions: a seeded shuffle, so batches mix classes (an ImageFolder is
    sorted by class, and one-class batches would miss the variance between classes). Same arguments, same list."""
    return [int(i) for i in np.random.default_rng(seed).permutation(count)[:limit]]


def chunks(positions: Sequence[int], batch_size: int) -> list[list[int]]:
    """`positions` in batches of `batch_size`; a last batch of one is dropped (train-mode BatchNorm needs two values
    per channel, and the last stages of a classifier are 1×1)."""
    batches = [list(positions[i : i + batch_size]) for i in range(0, len(positions), max(batch_size, 1))]
    return [batch for batch in batches if len(batch) > 1]


@torch.no_grad()
def recalibrate(model: nn.Module, batches: Iterable[torch.Tensor], device: torch.device | str) -> int:
    """Replace the running statistics of every BatchNorm layer in `model` by their average over `batches` (float
    image tensors, N×C×H×W). Only BatchNorm layers run in train mode (dropout and the rest stay in eval mode);
    no gradients, weights untouched. Returns the number of images used; with none, the model is left as it was."""
    layers = batchnorm_layers(model)
    batches = iter(batches)
    first = next(batches, None)
    if not layers or first is None:
        return 0
    was_training = model.training
    momenta = [layer.momentum for layer in layers]
    model.eval()
    for layer in layers:
        layer.reset_running_stats()
        layer.momentum = None  # None: a cumulative (equal-weight) average over the batches that follow
        layer.train()
    seen = 0
    try:
        for batch in _chain(first, batches):
            model(batch.to(device, non_blocking=True).float())
            seen += len(batch)
    finally:
        for layer, momentum in zip(layers, momenta, strict=True):
            layer.momentum = momentum
        model.train(was_training)
    return seen


def _chain(first: torch.Tensor, rest: Iterator[torch.Tensor]) -> Iterator[torch.Tensor]:
    yield first
    yield from rest
