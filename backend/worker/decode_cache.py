"""Decode every training image once, not once an epoch: a memory-mapped file of small uint8 images.

Without it, each epoch reads and decodes each full-size file (a 640×480 JPEG: ~4 ms) and shrinks it to the
model's size before augmenting; at 224 px that is most of a CPU's data-loading time. With it:

- The steps a pipeline *starts* with that are deterministic and shared by train and validation (the "Resize to
  model size" node's Resize / SmallestMaxSize+CenterCrop / LongestMaxSize+PadIfNeeded, a Grayscale) run once per
  image, in parallel threads (OpenCV releases the GIL), and their RGB output is what the cache holds. The rest
  of the pipeline then runs on that small image each epoch, with the same random draws as before (a step with
  p = 1 draws nothing): the tensors are the ones the full pipeline makes, so accuracy cannot move.
- A pipeline with no such steps could get images shrunk (INTER_AREA, never enlarged) to a shorter side of
  imgsz × MARGIN, marked inexact in the log line; the trainer does not use that (it would change what random crops
  and validation see): such a pipeline decodes its files every epoch, as before.

Layout: one flat uint8 file `<key>.u8` (images back to back) and `<key>.npz` (offsets, shapes), written last, so
an interrupted build is never read. The key hashes the cached steps and every source file's path, size and
mtime, and the OpenCV and albumentations versions: another run of the same snapshot and size reuses the file (the folder
comes from Storage.cache_folder). A build checks `should_stop` between images (a cancelled run stops building) and
removes its `.partial` files on any failure; those of a process that was killed meanwhile go at the next build.
The file is opened as a read-only np.memmap, so memory stays bounded (the OS pages it) and forked DataLoader
workers share it; the folder keeps at most FOLDER_LIMIT bytes of caches (least recently used dropped first). A cache
that cannot be built (disk full, unreadable file) returns None and the caller decodes files as before, after a `log`
line saying why.
"""

import copy
import hashlib
import json
import math
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import albumentations as A
import cv2
import numpy as np
from ultralytics.utils.patches import imread

# Leading steps whose output depends only on the image (checked by `_deterministic`).
_DETERMINISTIC = ("Resize", "SmallestMaxSize", "LongestMaxSize", "CenterCrop", "PadIfNeeded", "ToGray")
MARGIN = 1.25  # shorter side of a cached image, as a multiple of imgsz, when no deterministic step sizes it
DISK_RESERVE = 1 << 30  # bytes left free on the cache's disk
FOLDER_LIMIT = 16 << 30  # bytes of caches kept in the folder: the least recently used go first
VERSION = 1

Log = Callable[[str, str], None]  # (level, message)


@dataclass(frozen=True)
class CachedSteps:
    """What a cache holds: the pipelines' shared deterministic prefix, or (when empty) a margin-sized image."""

    count: int  # leading transforms of both pipelines that the cache has applied
    imgsz: int

    @property
    def exact(self) -> bool:
        return self.count > 0


class DecodeCache:
    """Images i = 0..n-1 as RGB uint8 arrays, read from a memory-mapped file."""

    def __init__(self, data_path: Path, offsets: np.ndarray, shapes: np.ndarray, steps: CachedSteps):
        self.path, self.offsets, self.shapes, self.steps = data_path, offsets, shapes, steps
        self.data = np.memmap(data_path, dtype=np.uint8, mode="r") if offsets[-1] else np.zeros(0, np.uint8)

    def __len__(self) -> int:
        return len(self.shapes)

    def image(self, i: int) -> np.ndarray:
        """A writable copy (augmentations may work in place; the map is read-only)."""
        return self.data[self.offsets[i] : self.offsets[i + 1]].reshape(self.shapes[i]).copy()

    @property
    def nbytes(self) -> int:
        return int(self.offsets[-1])


def shared_prefix(train: A.Compose, val: A.Compose) -> int:
    """How many leading transforms both pipelines share that are deterministic (applied once, by the cache)."""
    count = 0
    for a, b in zip(train.transforms, val.transforms, strict=False):
        if not (_deterministic(a) and _describe(a) == _describe(b)):
            break
        count += 1
    return count


def after_prefix(transforms: A.Compose, count: int) -> A.Compose:
    """The pipeline without its first `count` transforms, with the same seed (so the same random draws)."""
    if count == 0:
        return transforms
    return A.Compose(list(transforms.transforms[count:]), p=transforms.p, seed=getattr(transforms, "seed", None))


class BuildStopped(Exception):
    """`should_stop` said yes during a build: nothing was kept."""


def open_or_build(
    paths: Sequence[str],
    transforms: A.Compose,
    steps: CachedSteps,
    folder: Path,
    threads: int,
    log: Log,
    should_stop: Callable[[], bool] | None = None,
) -> DecodeCache | None:
    """The cache of `paths` (reused when a complete one is in `folder`), or None when it cannot be built.
    Raises BuildStopped when `should_stop()` turns true while it builds (its partial files removed)."""
    key = cache_key(paths, transforms, steps)
    data_path, index_path = folder / f"{key}.u8", folder / f"{key}.npz"
    try:
        if index_path.is_file() and data_path.is_file():
            with np.load(index_path) as index:
                offsets, shapes = index["offsets"], index["shapes"]
            if len(shapes) == len(paths) and data_path.stat().st_size == offsets[-1]:
                os.utime(data_path)  # recently used: pruned last
                return DecodeCache(data_path, offsets, shapes, steps)
    except (OSError, ValueError):  # evicted by another run meanwhile, or a torn index: build it afresh
        pass
    started = time.perf_counter()
    partial = folder / f".{key}.{os.getpid()}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_orphans(folder)
        offsets, shapes = _build(paths, transforms, steps, partial, threads, should_stop or _never)
        np.savez(partial.with_suffix(".npz"), offsets=offsets, shapes=shapes)
        os.replace(partial, data_path)
        os.replace(partial.with_suffix(".npz"), index_path)  # last: its presence means the data file is whole
    except (OSError, ValueError, cv2.error) as error:
        _remove(partial)
        log("warning", f"decode cache not built ({type(error).__name__}: {error}); decoding the files every epoch")
        return None
    except BaseException:  # stopped, out of memory, interrupted: nothing half-written stays behind
        _remove(partial)
        raise
    cache = DecodeCache(data_path, offsets, shapes, steps)
    how = (
        "the pipeline's fixed resize steps applied once" if steps.exact else f"shorter side ≤ {_margin_side(steps)} px"
    )
    log(
        "info",
        f"decoded {len(paths)} images once into a {cache.nbytes / 2**20:.0f} MiB cache ({how}) "
        f"in {time.perf_counter() - started:.1f} s with {threads} threads",
    )
    return cache


def cache_key(paths: Sequence[str], transforms: A.Compose, steps: CachedSteps) -> str:
    digest = hashlib.sha256()
    cached = [_describe(t) for t in transforms.transforms[: steps.count]]
    # the libraries that resize: pixels made by another version are not the pixels this one would make
    versions = [VERSION, cv2.__version__, A.__version__]
    digest.update(json.dumps([versions, cached, None if steps.exact else _margin_side(steps)]).encode())
    for path in paths:
        source = _link_target(path)
        stat = os.stat(source)
        digest.update(f"{source}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def _link_target(path: str) -> str:
    """The file a materialised link (worker/materialise.py: absolute links into the store) points to, else the
    resolved path. One readlink instead of realpath's lstat of every component: 1,800 links went from 0.9 s to
    a few ms of a cold start (bench/profiles/cold_start.txt)."""
    try:
        target = os.readlink(path)
    except OSError:  # not a link
        return os.path.realpath(path)
    return target if os.path.isabs(target) else os.path.realpath(path)


def decode(path: str, prefix: A.Compose | None, margin_side: int) -> np.ndarray:
    """One file as the cache stores it: RGB uint8 through the deterministic prefix (or shrunk to the margin)."""
    bgr = imread(path)
    if bgr is None:
        raise ValueError(f"cannot read image {path}")
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    if prefix is not None:
        rgb = prefix(image=rgb)["image"]
    else:
        short = min(rgb.shape[:2])
        if short > margin_side:
            scale = margin_side / short
            size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
            rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    if rgb.dtype != np.uint8:
        raise ValueError(f"the cached steps made {rgb.dtype} pixels, not uint8")
    return np.ascontiguousarray(rgb if rgb.ndim == 3 else rgb[..., None])


def _build(
    paths: Sequence[str],
    transforms: A.Compose,
    steps: CachedSteps,
    target: Path,
    threads: int,
    should_stop: Callable[[], bool],
) -> tuple[np.ndarray, np.ndarray]:
    local = threading.local()
    margin_side = _margin_side(steps)

    def one(path: str) -> np.ndarray:
        if steps.exact and not hasattr(local, "prefix"):
            local.prefix = A.Compose(copy.deepcopy(list(transforms.transforms[: steps.count])))  # one per thread
        return decode(path, getattr(local, "prefix", None), margin_side)

    offsets = np.zeros(len(paths) + 1, np.int64)
    shapes = np.zeros((len(paths), 3), np.int32)
    with target.open("wb") as file, ThreadPoolExecutor(max(1, threads)) as pool:
        for i, image in enumerate(_decoded(pool, one, paths, should_stop, window=max(1, threads) * 8)):
            if i == 0:
                _check_room(target.parent, image.nbytes * len(paths))
            file.write(image.tobytes())
            shapes[i] = image.shape
            offsets[i + 1] = offsets[i] + image.nbytes
    return offsets, shapes


def _decoded(
    pool: ThreadPoolExecutor,
    one: Callable[[str], np.ndarray],
    paths: Sequence[str],
    should_stop: Callable[[], bool],
    window: int,
) -> Iterator[np.ndarray]:
    """`one(path)` of each path in order, at most `window` ahead: a stop is seen before the next image, and the
    pool is not left decoding the rest of the set."""
    pending: deque[Future[np.ndarray]] = deque()
    for path in paths:
        if should_stop():
            raise BuildStopped
        pending.append(pool.submit(one, path))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _never() -> bool:
    return False


def _remove(partial: Path) -> None:
    for leftover in (partial, partial.with_suffix(".npz")):
        leftover.unlink(missing_ok=True)


def _remove_orphans(folder: Path) -> None:
    """Partial files of builds whose process is gone (killed mid-build: a cancel's grace period ran out)."""
    for leftover in folder.glob(".*.*.*"):  # .<key>.<pid>.partial and .<key>.<pid>.npz
        try:
            pid = int(leftover.name.split(".")[2])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _check_room(folder: Path, estimate: int) -> None:
    """Make room for `estimate` bytes: drop the least recently used caches beyond FOLDER_LIMIT, then make sure
    the disk keeps DISK_RESERVE free (OSError ENOSPC otherwise)."""
    caches = sorted(folder.glob("*.u8"), key=lambda path: path.stat().st_mtime)
    kept = sum(path.stat().st_size for path in caches)
    for oldest in caches:
        if kept + estimate <= FOLDER_LIMIT:
            break
        kept -= oldest.stat().st_size
        oldest.with_suffix(".npz").unlink(missing_ok=True)  # the index first: a data file alone is never read
        oldest.unlink(missing_ok=True)
    free = shutil.disk_usage(folder).free
    if free < estimate * 1.2 + DISK_RESERVE:
        raise OSError(28, f"about {estimate / 2**20:.0f} MiB needed, {free / 2**20:.0f} MiB free in {folder}")


def _margin_side(steps: CachedSteps) -> int:
    return math.ceil(steps.imgsz * MARGIN)


def _deterministic(transform: A.BasicTransform) -> bool:
    name = type(transform).__name__
    if name not in _DETERMINISTIC or transform.p < 1:
        return False
    return name != "PadIfNeeded" or getattr(transform, "position", "center") == "center"


def _describe(transform: A.BasicTransform) -> str:
    return json.dumps(transform.to_dict(), sort_keys=True, default=str)
