"""A real-project-sized image set for the throughput benches: 15,000 640×480 JPEGs in 16 classes, made once.

    .venv/bin/python bench/scale_data.py [--root DIR]     # prints the folder; reuses it when already complete

Why generated: the machine is offline and the benches must measure decoding full-size camera-like JPEGs, not
tiny PNGs. Each class is a shape (circle, square, triangle, cross) × a fill (solid, stripes, dots, outline);
colour, size, position, rotation and the cluttered background are random and shared by every class, so a model
has to see shape and texture (colour alone tells nothing). Gaussian pixel noise and JPEG quality 85 on top.

Written as an ImageFolder tree, `train/<class>/NNNNN.jpg` and `val/<class>/NNNNN.jpg` (every 10th image of a
class goes to val), into ~/.cache/visionflow-bench/scale-15k-v1 (outside the repository) with a `complete.json`
marker last, so an interrupted build is redone and a complete one is reused.
"""

import argparse
import json
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

SHAPES = ("circle", "square", "triangle", "cross")
FILLS = ("solid", "stripes", "dots", "outline")
CLASSES = [f"{shape}_{fill}" for shape in SHAPES for fill in FILLS]
IMAGES, WIDTH, HEIGHT, VAL_EVERY = 15_000, 640, 480, 10
DEFAULT_ROOT = Path.home() / ".cache" / "visionflow-bench" / "scale-15k-v1"


def ensure(root: Path = DEFAULT_ROOT, images: int = IMAGES, processes: int | None = None) -> Path:
    """The data set's folder, generating it first unless a complete copy is there."""
    marker = root / "complete.json"
    if marker.is_file() and json.loads(marker.read_text()).get("images") == images:
        return root
    started = time.perf_counter()
    indices = list(range(images))
    chunks = [(root, indices[start : start + 250]) for start in range(0, images, 250)]
    with Pool(processes or os.cpu_count() or 1) as pool:
        for _ in pool.imap_unordered(_write_chunk, chunks):
            pass
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps({"images": images, "classes": CLASSES, "seconds": round(seconds, 1)}))
    print(f"generated {images} images in {seconds:.0f} s under {root}", file=sys.stderr)
    return root


def _write_chunk(job: tuple[Path, list[int]]) -> None:
    root, indices = job
    cv2.setNumThreads(1)
    for index in indices:
        label = index % len(CLASSES)
        split = "val" if (index // len(CLASSES)) % VAL_EVERY == 0 else "train"
        path = root / split / CLASSES[label] / f"{index:05d}.jpg"
        if path.is_file():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        image = render(np.random.default_rng(index), label)
        partial = path.with_suffix(".partial.jpg")
        cv2.imwrite(str(partial), image, [cv2.IMWRITE_JPEG_QUALITY, 85])
        os.replace(partial, path)


def render(rng: np.random.Generator, label: int) -> np.ndarray:
    """One BGR 640×480 image of class `label`."""
    shape, fill = SHAPES[label // len(FILLS)], FILLS[label % len(FILLS)]
    coarse = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    image = cv2.resize(coarse, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    for _ in range(int(rng.integers(4, 10))):  # clutter: random lines
        p1, p2 = rng.integers(0, WIDTH, 2), rng.integers(0, HEIGHT, 2)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.line(image, (int(p1[0]), int(p2[0])), (int(p1[1]), int(p2[1])), colour, int(rng.integers(1, 5)))
    size = int(rng.integers(70, 170))
    centre = np.array([rng.integers(size, WIDTH - size), rng.integers(size, HEIGHT - size)], dtype=np.float64)
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    _draw_shape(mask, shape, centre, size, float(rng.uniform(0, np.pi)))
    region = _fill_mask(mask, fill, rng)
    colour = np.full_like(image, rng.integers(0, 256, 3).astype(np.uint8))
    image = cv2.copyTo(colour, region, image)
    noise = _noise()  # pixel noise: a random window of one noise field, added and subtracted with saturation
    y, x = int(rng.integers(0, HEIGHT)), int(rng.integers(0, WIDTH))
    image = cv2.add(image, noise[0, y : y + HEIGHT, x : x + WIDTH])
    return cv2.subtract(image, noise[1, y : y + HEIGHT, x : x + WIDTH])


_NOISE: list[np.ndarray] = []


def _noise() -> np.ndarray:
    if not _NOISE:
        _NOISE.append(np.random.default_rng(12345).integers(0, 15, (2, 2 * HEIGHT, 2 * WIDTH, 3), dtype=np.uint8))
    return _NOISE[0]


def _draw_shape(mask: np.ndarray, shape: str, centre: np.ndarray, size: int, angle: float) -> None:
    if shape == "circle":
        cv2.circle(mask, (int(centre[0]), int(centre[1])), size, 255, -1)
        return
    corners = {"square": 4, "triangle": 3}.get(shape)
    if corners:
        angles = angle + np.arange(corners) * 2 * np.pi / corners
        points = centre + size * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        cv2.fillPoly(mask, [points.round().astype(np.int32)], 255)
        return
    for bar in (angle, angle + np.pi / 2):  # cross: two bars
        direction = np.array([np.cos(bar), np.sin(bar)]) * size
        a, b = centre - direction, centre + direction
        cv2.line(mask, tuple(int(v) for v in a), tuple(int(v) for v in b), 255, max(12, size // 3))


def _fill_mask(mask: np.ndarray, fill: str, rng: np.random.Generator) -> np.ndarray:
    if fill == "solid":
        return mask
    if fill == "outline":
        return cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((9, 9), np.uint8))
    return cv2.bitwise_and(mask, _pattern(fill, int(rng.integers(12, 20))))


_PATTERNS: dict[tuple[str, int], np.ndarray] = {}


def _pattern(fill: str, period: int) -> np.ndarray:
    """Stripes or dots of one period over the whole image, drawn once per process."""
    if (fill, period) not in _PATTERNS:
        pattern = np.zeros((HEIGHT, WIDTH), np.uint8)
        if fill == "stripes":
            pattern[:, (np.arange(WIDTH) % period) < period // 2] = 255
        else:  # dots
            ys, xs = np.mgrid[period // 2 : HEIGHT : period, period // 2 : WIDTH : period]
            for y, x in zip(ys.ravel(), xs.ravel(), strict=True):
                cv2.circle(pattern, (int(x), int(y)), period // 4, 255, -1)
        _PATTERNS[fill, period] = pattern
    return _PATTERNS[fill, period]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--images", type=int, default=IMAGES)
    args = parser.parse_args()
    print(ensure(args.root, args.images))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
