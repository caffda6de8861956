"""scikit-learn's bundled handwritten digits (1,797 real 8×8 scans) rendered as PNGs in ImageFolder layout.

Used by the demo project, the tests and the benchmarks: real images that ship with a package, so nothing
is downloaded.
"""

from pathlib import Path

CLASS_NAMES = [str(d) for d in range(10)]


def render_digits(root: Path, size: int = 32, limit_per_class: int | None = None) -> Path:
    """Write `root/<digit>/<index>.png` (RGB, `size`×`size`, white digit on black) and return `root`."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    root.mkdir(parents=True, exist_ok=True)
    written: dict[int, int] = {}
    for index, (pixels, label) in enumerate(zip(digits.images, digits.target, strict=True)):
        label = int(label)
        if limit_per_class is not None and written.get(label, 0) >= limit_per_class:
            continue
        grey = (pixels / 16.0 * 255).astype(np.uint8)
        image = Image.fromarray(grey, mode="L").resize((size, size), Image.Resampling.BILINEAR).convert("RGB")
        class_dir = root / str(label)
        class_dir.mkdir(exist_ok=True)
        image.save(class_dir / f"{index:04d}.png")
        written[label] = written.get(label, 0) + 1
    return root
