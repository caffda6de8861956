"""Import speed through the HTTP API: N generated ~640×480 JPEGs uploaded to a real server, then an
N-row `filename,label` CSV applied. Prints images/s and CSV seconds against the targets (≥ 300 images/s,
≤ 1 s for the CSV).

    .venv/bin/python bench/import_speed.py [--quick] [--json PATH] [--images 15000] [--batch 100] [--parallel 2]
"""

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.conftest import LiveServer  # noqa: E402  (a real `visionflow serve` on a temp data dir)


def make_jpegs(folder: Path, count: int) -> list[Path]:
    """Photo-like content (smooth gradients, shapes, noise) so JPEG sizes are realistic (~30–60 KB)."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:480, 0:640].astype(np.float32)
    paths = []
    for n in range(count):
        a, b, c = rng.uniform(0, 1, 3)
        base = np.stack([x / 640 * 255 * a, y / 480 * 255 * b, (x + y) / 1120 * 255 * c], axis=-1)
        cx, cy, r = rng.uniform(0, 640), rng.uniform(0, 480), rng.uniform(30, 150)
        base[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(0, 255, 3)
        noisy = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
        path = folder / f"img_{n:05d}.jpg"
        Image.fromarray(noisy).save(path, quality=85)
        paths.append(path)
    return paths


async def upload_all(server: LiveServer, project_id: str, paths: list[Path], batch: int, parallel: int) -> float:
    batches = [paths[i : i + batch] for i in range(0, len(paths), batch)]
    queue: asyncio.Queue[list[Path]] = asyncio.Queue()
    for chunk in batches:
        queue.put_nowait(chunk)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            chunk = queue.get_nowait()
            files = [("files", (p.name, p.read_bytes(), "image/jpeg")) for p in chunk]
            response = await client.post(f"/api/projects/{project_id}/assets", files=files)
            assert response.status_code == 201, response.text[:500]
            assert len(response.json()["imported"]) == len(chunk)

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=server.url, timeout=600) as client:
        await asyncio.gather(*(worker(client) for _ in range(parallel)))
    return time.perf_counter() - started


def server_cpu_seconds(server: LiveServer) -> float:
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def apply_csv(server: LiveServer, project_id: str, filenames: list[str]) -> float:
    """Seconds to apply a `filename,label` CSV over `filenames` (labels from 20 classes, made as needed)."""
    labels = [f"label_{random.Random(n).randrange(20)}" for n in range(len(filenames))]
    csv = "filename,label\n" + "".join(f"{name},{label}\n" for name, label in zip(filenames, labels, strict=True))
    started = time.perf_counter()
    response = httpx.post(
        f"{server.url}/api/projects/{project_id}/labels/csv",
        content=csv.encode(),
        params={"dry_run": False, "create_classes": True},
        headers={"content-type": "text/csv"},
        timeout=600,
    )
    seconds = time.perf_counter() - started
    assert response.status_code == 200 and len(response.json()["changes"]) == len(filenames), response.text[:500]
    return seconds


def figure(what: str, value: float, unit: str, target: str | None = None, met: bool | None = None) -> dict:
    goal = f"  target {target}: {'met' if met else 'NOT met'}" if target else ""
    print(f"{what:<60} {value:>9.2f} {unit}{goal}", flush=True)
    return {"what": what, "value": round(value, 3), "unit": unit, "baseline": None, "ratio": None,
            "target": target, "met": met}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=None, help="images uploaded (15,000; --quick: 600)")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="600 uploads; the CSV over 15,000 database rows")
    parser.add_argument("--json", type=Path, help="write the figures here (bench/run_all.py's contract)")
    args = parser.parse_args()
    count = args.images or (600 if args.quick else 15_000)
    begun = time.perf_counter()
    figures, notes = [], []
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        (scratch_path / "images").mkdir()
        t = time.perf_counter()
        paths = make_jpegs(scratch_path / "images", count)
        mean_kb = sum(p.stat().st_size for p in paths) / len(paths) / 1024
        print(f"generated {len(paths)} JPEGs 640×480, mean {mean_kb:.0f} KB, in {time.perf_counter() - t:.0f} s")
        server = LiveServer(scratch_path / "data", seed_demo=False)
        try:
            project = httpx.post(f"{server.url}/api/projects", json={"name": "import bench"}).json()
            cpu_before = server_cpu_seconds(server)
            seconds = asyncio.run(upload_all(server, project["id"], paths, args.batch, args.parallel))
            rate = len(paths) / seconds
            cpu = server_cpu_seconds(server) - cpu_before
            figures.append(figure(f"upload {len(paths)} JPEGs 640×480 (~{mean_kb:.0f} KB)", rate, "images/s",
                                  "≥ 300 images/s", rate >= 300))  # fmt: skip
            figures.append(figure("server CPU per uploaded image", cpu / len(paths) * 1000, "ms"))
            notes.append(f"Upload: batches of {args.batch}, {args.parallel} in parallel; the client shares the CPU.")
            if args.quick:  # the CSV target is about 15,000 rows: label a project of that many rows instead
                from bench.big_project import IMAGES, fill_project

                rows_project = fill_project(server, images=IMAGES)
                filenames = [f"img_{n:05d}.jpg" for n in range(IMAGES)]
                csv_seconds = apply_csv(server, rows_project, filenames)
                notes.append(f"--quick: the CSV relabels a project of {IMAGES} database rows (no files).")
            else:
                filenames = [p.name for p in paths]
                csv_seconds = apply_csv(server, project["id"], filenames)
            figures.append(figure(f"CSV labels applied, {len(filenames)} rows", csv_seconds, "s", "≤ 1 s",
                                  csv_seconds <= 1))  # fmt: skip
        finally:
            server.stop()
    seconds = time.perf_counter() - begun
    print(f"wall {seconds:.0f} s")
    if args.json:
        result = {"bench": "import_speed", "seconds": round(seconds, 1), "figures": figures, "notes": notes}
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
