"""Which 64-bit perceptual hashes lie within a few bits of each other, without comparing every pair.

Multi-index hashing: cut the 64 bits into `max_bits + 1` bands; two hashes that differ in at most `max_bits`
bits agree exactly on at least one band (pigeonhole), so only hashes sharing a band value are compared. Equal
hashes are merged first, so a thousand blank images cost one comparison, not half a million. Pure numpy.
"""

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

HASH_BITS = 64
ROW_CHUNK = 1024  # rows of a bucket compared at once: bounds memory for a pathological bucket


def _bands(max_bits: int) -> list[tuple[int, int]]:
    """(shift, width) of each band; widths differ by at most one bit."""
    count = max_bits + 1
    widths = [HASH_BITS // count + (1 if i < HASH_BITS % count else 0) for i in range(count)]
    shifts = [sum(widths[:i]) for i in range(count)]
    return list(zip(shifts, widths, strict=True))


def similar_hashes(hashes: Sequence[str], max_bits: int) -> tuple[list[int], dict[int, set[int]]]:
    """For hex hashes: the index of each one's distinct value, and distinct value → the others within `max_bits`."""
    values, which = np.unique(np.array([int(h, 16) for h in hashes], dtype=np.uint64), return_inverse=True)
    return which.tolist(), near_neighbours(values, max_bits)


def near_neighbours(values: np.ndarray, max_bits: int) -> dict[int, set[int]]:
    """Index of each of the distinct hashes `values` (uint64) → indices of the others within `max_bits` bits;
    hashes with no such neighbour are left out."""
    neighbours: dict[int, set[int]] = defaultdict(set)
    for shift, width in _bands(max_bits):
        keys = (values >> np.uint64(shift)) & np.uint64((1 << width) - 1)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, len(order)])
        _close_twins(values, order, starts[sizes == 2], max_bits, neighbours)  # most shared buckets: at once
        for start, size in zip(starts[sizes > 2], sizes[sizes > 2], strict=True):
            _close_pairs(values, order[start : start + size], max_bits, neighbours)
    return dict(neighbours)


def _close_twins(
    values: np.ndarray, order: np.ndarray, starts: np.ndarray, max_bits: int, neighbours: dict[int, set[int]]
) -> None:
    first, second = order[starts], order[starts + 1]
    close = np.bitwise_count(values[first] ^ values[second]) <= max_bits
    for a, b in zip(first[close].tolist(), second[close].tolist(), strict=True):
        neighbours[a].add(b)
        neighbours[b].add(a)


def _close_pairs(values: np.ndarray, bucket: np.ndarray, max_bits: int, neighbours: dict[int, set[int]]) -> None:
    members = values[bucket]
    for row in range(0, len(bucket), ROW_CHUNK):
        distances = np.bitwise_count(members[row : row + ROW_CHUNK, None] ^ members[None, :])
        for a, b in np.argwhere(distances <= max_bits):
            first, second = int(bucket[row + a]), int(bucket[b])
            if first != second:
                neighbours[first].add(second)
