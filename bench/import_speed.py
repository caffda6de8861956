"""Import speed through the HTTP API: N generated ~640×480 JPEGs uploaded to a real server, then an
N-row `filename,label` CSV applied. Prints images/s and CSV seconds against the targets (≥ 300 images/s,
≤ 1 s for the CSV).

    .venv/bin/python bench/import_speed.py [--images 15000] [--batch 100] [--parallel 2]
"""

import argparse
import asyncio
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=15_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        (scratch_path / "images").mkdir()
        t = time.perf_counter()
        paths = make_jpegs(scratch_path / "images", args.images)
        mean_kb = sum(p.stat().st_size for p in paths) / len(paths) / 1024
        print(f"generated {len(paths)} JPEGs 640×480, mean {mean_kb:.0f} KB, in {time.perf_counter() - t:.0f} s")
        server = LiveServer(scratch_path / "data", seed_demo=False)
        try:
            project = httpx.post(f"{server.url}/api/projects", json={"name": "import bench"}).json()
            cpu_before = server_cpu_seconds(server)
            seconds = asyncio.run(upload_all(server, project["id"], paths, args.batch, args.parallel))
            rate = len(paths) / seconds
            cpu = server_cpu_seconds(server) - cpu_before
            print(
                f"server CPU: {cpu:.1f} s = {cpu / len(paths) * 1000:.2f} ms per image (the client shares the machine's 2 cores)"
            )
            print(
                f"upload: {len(paths)} images in {seconds:.1f} s = {rate:.0f} images/s "
                f"(target ≥ 300: {'met' if rate >= 300 else 'MISSED'}; batch {args.batch}, {args.parallel} parallel)"
            )
            labels = [f"class_{random.Random(n).randrange(20)}" for n in range(len(paths))]
            csv = "filename,label\n" + "".join(f"{p.name},{label}\n" for p, label in zip(paths, labels, strict=True))
            t = time.perf_counter()
            response = httpx.post(
                f"{server.url}/api/projects/{project['id']}/labels/csv",
                content=csv.encode(),
                params={"dry_run": False, "create_classes": True},
                headers={"content-type": "text/csv"},
                timeout=600,
            )
            csv_seconds = time.perf_counter() - t
            assert response.status_code == 200 and len(response.json()["changes"]) == len(paths), response.text[:500]
            print(
                f"csv: {len(paths)} rows applied in {csv_seconds:.2f} s (target ≤ 1 s: {'met' if csv_seconds <= 1 else 'MISSED'})"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
