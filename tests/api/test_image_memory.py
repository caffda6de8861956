"""Checking a huge-but-tiny image (49 Mpx of one colour, a ~0.2 MB PNG) keeps the process's memory bounded: one
full-size bitmap per decode, at most DECODE_CONCURRENCY decodes at once, and the freed pages handed back after.

Figures on the dev box (7000×7000 RGB PNG, peak RSS growth): before this change one check +381 MiB and six in
parallel +2266 MiB; after it one check +194 MiB, six in parallel +395 MiB, with RSS back to ~40 MiB afterwards.
"""

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

SIDE = 7000  # 49 Mpx, under the default 50 Mpx cap
BITMAP_MIB = SIDE * SIDE * 4 / 2**20  # Pillow holds RGB at 4 bytes a pixel: ~187 MiB
SLACK_MIB = 50
ROOT = Path(__file__).resolve().parents[2]

MEASURE = """
import os, resource, sys, threading
from pathlib import Path
from backend.datasets.images import DECODE_CONCURRENCY, inspect_image

source, count, out, side = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
infos, errors = [], []

def check(i):
    try:
        infos.append(inspect_image(source, 50_000_000, thumbnail=out / f"thumb{i}.jpg"))
    except Exception as error:
        errors.append(repr(error))

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
threads = [threading.Thread(target=check, args=(i,)) for i in range(count)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
pages = int(open("/proc/self/statm").read().split()[1])
now_kib = pages * os.sysconf("SC_PAGE_SIZE") // 1024
assert not errors, errors
assert all((i.width, i.height, i.channels) == (side, side, 3) for i in infos), infos
print((peak - before) / 1024, (now_kib - before) / 1024, DECODE_CONCURRENCY)
"""


def one_colour_png(path: Path, side: int) -> None:
    """Write a side×side RGB PNG of one colour, streamed (the test process never holds the bitmap)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" + bytes((120, 30, 200)) * side
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def big_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bigpng") / "big.png"
    one_colour_png(path, SIDE)
    assert path.stat().st_size < 1_000_000
    return path


def measure(source: Path, count: int, out: Path) -> tuple[float, float, int]:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(source), str(count), str(out), str(SIDE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    peak, kept, slots = result.stdout.split()
    return float(peak), float(kept), int(slots)


def test_one_check_holds_one_bitmap(big_png, tmp_path):
    peak, kept, _ = measure(big_png, 1, tmp_path)
    assert peak < BITMAP_MIB + SLACK_MIB, f"one check grew the RSS by {peak:.0f} MiB"
    assert (tmp_path / "thumb0.jpg").exists()


def test_parallel_checks_stay_within_the_budget(big_png, tmp_path):
    peak, kept, slots = measure(big_png, 6, tmp_path)
    budget = slots * BITMAP_MIB + SLACK_MIB
    assert peak < budget, f"six parallel checks grew the RSS by {peak:.0f} MiB (budget {budget:.0f} MiB)"
    assert kept < SLACK_MIB + 30, f"{kept:.0f} MiB still held after the checks"
