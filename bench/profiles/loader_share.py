"""CPU seconds per training batch at 224 px on the 15k set: the DataLoader's work (read from the decode cache, the
rest of bench/train_speed.py's pipeline, collate) against the model's forward + backward + AdamW step, both on one
thread, in CPU time (what other processes' load does not inflate). On a 2-core CPU both come out of the same two
cores, so ours/compute is at most compute / (compute + loader), whatever the loop does.

    .venv/bin/python bench/profiles/loader_share.py      # after bench/train_speed.py made the 224 px cache
"""

import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
BATCH, IMGSZ, BATCHES = 32, 224, 12


def main() -> None:
    from train_overhead import compute_limit  # noqa: F401  (same model as the compute figure)
    from train_speed import bench_pipeline

    from backend.worker.decode_cache import CachedSteps, DecodeCache, after_prefix
    from backend.worker.pipeline import build_transforms

    folder = Path.home() / ".cache" / "visionflow-bench" / "store" / "cache" / "decoded"
    index = max(folder.glob("*.npz"), key=lambda path: path.stat().st_size)  # the 13,496 training images
    with np.load(index) as arrays:
        cache = DecodeCache(index.with_suffix(".u8"), arrays["offsets"], arrays["shapes"], CachedSteps(1, IMGSZ))
    steps = bench_pipeline(IMGSZ)
    rest = after_prefix(build_transforms(steps, "train", IMGSZ, 0), 1)
    torch.set_num_threads(1)
    order = np.random.default_rng(0).permutation(len(cache))
    started = time.process_time()
    for b in range(BATCHES):
        batch = [rest(image=cache.image(int(i)))["image"] for i in order[b * BATCH : (b + 1) * BATCH]]
        torch.stack(batch)
    loader = (time.process_time() - started) / BATCHES

    from ultralytics.nn.tasks import ClassificationModel

    model = ClassificationModel("yolov8n-cls.yaml", nc=16, verbose=False).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.001)
    images, labels = torch.rand(BATCH, 3, IMGSZ, IMGSZ), torch.randint(0, 16, (BATCH,))
    for step in range(BATCHES + 2):
        if step == 2:
            started = time.process_time()
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(images), labels).backward()
        optimizer.step()
    compute = (time.process_time() - started) / BATCHES
    print(
        f"per batch of {BATCH} at {IMGSZ} px, CPU seconds on one thread: loader {loader:.3f}, compute {compute:.3f}; "
        f"loader share {loader / (loader + compute):.1%}; ours/compute bound on shared cores "
        f"{compute / (loader + compute):.3f}"
    )


if __name__ == "__main__":
    main()
