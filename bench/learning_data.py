"""Real, offline image sets of different shapes for bench/learning.py, written as ImageFolder trees.

Every builder takes an empty folder, writes `class/image.png` under it and returns a one-line source note.
Nothing is downloaded: the pixels ship inside scikit-learn and scikit-image wheels (`pip install -e '.[bench]'`).

| name           | source                                                   | images | classes | size    | colour |
|----------------|----------------------------------------------------------|--------|---------|---------|--------|
| digits-8       | sklearn.datasets.load_digits, native 8×8 scans           | 1,797  | 10      | 8×8     | grey*  |
| digits-32      | the same, rendered at 32 px (backend.datasets.digits)    | 1,797  | 10      | 32×32   | grey*  |
| lfw-faces      | skimage.data.lfw_subset(): LFW faces vs non-face crops   | 200    | 2       | 25×25   | grey   |
| photo-patches  | 48 px tiles of six skimage colour photographs            | 454    | 6       | 48×48   | RGB    |
| textures       | 32 px tiles of skimage's brick, grass and gravel photos  | 768    | 3       | 32×32   | grey   |

*digits are written as RGB files by the demo's renderer (grey content in three equal channels).
Tiles never overlap, so no patch of the validation split shares pixels with one in the training split.
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image


def _save(array: np.ndarray, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def _tiles(image: np.ndarray, size: int) -> list[np.ndarray]:
    """Non-overlapping size×size tiles in reading order (the ragged right and bottom edges are dropped)."""
    rows, cols = image.shape[0] // size, image.shape[1] // size
    return [image[r * size : (r + 1) * size, c * size : (c + 1) * size] for r in range(rows) for c in range(cols)]


def digits(size: int) -> Callable[[Path], str]:
    def build(root: Path) -> str:
        from backend.datasets.digits import render_digits

        render_digits(root, size=size)
        return (
            f"sklearn.datasets.load_digits() (1,797 real 8×8 scans), rendered at {size} px by backend.datasets.digits"
        )

    return build


def lfw_faces(root: Path) -> str:
    from skimage.data import lfw_subset

    faces = lfw_subset()  # (200, 25, 25) floats 0..1: the first 100 are faces, the last 100 are not
    for index, pixels in enumerate(faces):
        _save(
            (pixels * 255).round().astype(np.uint8), root / ("face" if index < 100 else "non_face") / f"{index:03d}.png"
        )
    return "skimage.data.lfw_subset(): 100 Labeled Faces in the Wild crops + 100 non-face crops, 25×25 grey"


PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field")


def photo_patches(root: Path, size: int = 48, per_class: int = 80) -> str:
    """Which photograph a 48 px tile comes from: six colour photos, `per_class` tiles each, spread evenly."""
    import skimage.data

    for name in PHOTOS:
        tiles = _tiles(getattr(skimage.data, name)()[..., :3], size)
        chosen = np.linspace(0, len(tiles) - 1, num=min(per_class, len(tiles))).round().astype(int)
        for index in sorted(set(chosen.tolist())):
            _save(np.ascontiguousarray(tiles[index]), root / name / f"{index:03d}.png")
    return f"skimage.data {', '.join(PHOTOS)} (colour photos) cut into non-overlapping {size} px tiles, ≤ {per_class} per photo"


def textures(root: Path, size: int = 32) -> str:
    import skimage.data

    for name in ("brick", "grass", "gravel"):
        for index, tile in enumerate(_tiles(getattr(skimage.data, name)(), size)):
            _save(np.ascontiguousarray(tile), root / name / f"{index:03d}.png")
    return f"skimage.data brick, grass, gravel (512×512 grey texture photos) cut into non-overlapping {size} px tiles"


DATASETS: dict[str, Callable[[Path], str]] = {
    "digits-8": digits(8),
    "digits-32": digits(32),
    "lfw-faces": lfw_faces,
    "photo-patches": photo_patches,
    "textures": textures,
}
