"""Hostile files without amplification: a zip bomb costs no more temporary disk than one entry (its entries are
checked and unpacked one at a time, each deleted as soon as it is refused), an upload cut off mid-part or
aborted leaves no temporary file, and start-up sweeps what a crash left behind."""

import asyncio
import contextlib
import io
import os
import struct
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.datasets.upload_stream import UploadError, receive_files
from tests.api.helpers import new_project, png_bytes, upload

TEMP_CAP_BYTES = 50 * 10**6


def zeros_zip(count: int, entry_bytes: int) -> bytes:
    """`count` entries of `entry_bytes` zeros each, deflated once and written by hand (zipfile would deflate each
    again: 2 GiB takes 14 s): the ~1000:1 bomb."""
    zero = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = b"".join(packer.compress(zero) for _ in range(entry_bytes >> 20)) + packer.flush()
    crc = 0
    for _ in range(entry_bytes >> 20):
        crc = zlib.crc32(zero, crc)
    local, central = bytearray(), bytearray()
    for n in range(count):
        name = f"bomb/{n}.png".encode()
        offset = len(local)
        sizes = (crc, len(deflated), entry_bytes, len(name))
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, *sizes, 0) + name + deflated
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, *sizes, 0, 0, 0, 0, 0, offset)
        central += name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(local), 0)
    return bytes(local + central + end)


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


class TempWatch:
    """The largest total size of the files in a folder, polled every millisecond or so while it runs."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.peak, self._stop = folder, 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _size(self) -> int:
        total = 0
        for entry in os.scandir(self.folder) if self.folder.exists() else ():
            with contextlib.suppress(FileNotFoundError):  # removed between listing and stat
                total += entry.stat().st_size
        return total

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._size())
            time.sleep(0.001)

    def __enter__(self) -> "TempWatch":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def temp_files(settings) -> list[Path]:
    temp_dir = settings.data_dir / "tmp"
    return list(temp_dir.iterdir()) if temp_dir.exists() else []


async def test_a_2_mib_zip_of_2_gib_is_refused_with_almost_no_temp_written(client, settings):
    project = await new_project(client)
    bomb = zeros_zip(64, 32 * 2**20)  # 2 GiB of zeros in 64 entries under the 50 MiB file cap: all used to be unpacked
    assert len(bomb) < 3 * 2**20 and sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) == 2**31
    with TempWatch(settings.data_dir / "tmp") as watch:
        response = await upload(client, project["id"], [("bomb.zip", bomb)])
    assert response.status_code == 422
    assert "zip bomb" in response.json()["rejected"][0]["reason"]
    print(f"zip bomb: {len(bomb) / 2**20:.1f} MiB zip of 2 GiB; peak temp {watch.peak / 2**20:.1f} MiB")
    assert watch.peak < TEMP_CAP_BYTES
    assert temp_files(settings) == []


async def test_zip_entries_are_unpacked_one_at_a_time_and_each_refused_one_deleted_at_once(client, settings):
    """10 entries of 20 MiB that pack ~75:1 (under the ratio cap): all unpacked, never two at a time on disk."""
    project = await new_project(client)
    archive = zip_of({f"layer/{n}.png": os.urandom(256 << 10) + bytes(20 << 20) for n in range(10)})
    with TempWatch(settings.data_dir / "tmp") as watch:
        response = await upload(client, project["id"], [("layers.zip", archive)])
    assert response.status_code == 422
    report = response.json()
    assert [r["filename"] for r in report["rejected"]] == [f"layers.zip: layer/{n}.png" for n in range(10)]
    print(f"200 MiB zip unpacked one by one: peak temp {watch.peak / 2**20:.1f} MiB")
    assert watch.peak < TEMP_CAP_BYTES  # all at once: 200 MiB
    assert temp_files(settings) == []


async def test_an_entry_over_the_ratio_cap_is_refused_unread_and_the_rest_imported(client, settings):
    project = await new_project(client)
    archive = zip_of({"ok/fine.png": png_bytes(), "ok/zeros.png": bytes(40 << 20)})
    response = await upload(client, project["id"], [("mixed.zip", archive)])
    assert response.status_code == 201
    report = response.json()
    assert [a["filename"] for a in report["imported"]] == ["fine.png"]
    [refused] = report["rejected"]
    assert refused["filename"] == "mixed.zip: ok/zeros.png" and "over the limit of 100:1" in refused["reason"]
    assert temp_files(settings) == []


async def test_a_multipart_body_cut_off_mid_part_leaves_no_temp_file(client, settings):
    project = await new_project(client)
    head = (
        b'--cut\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    response = await client.post(
        f"/api/projects/{project['id']}/assets",
        content=head + bytes(2 << 20),  # no closing boundary
        headers={"content-type": "multipart/form-data; boundary=cut"},
    )
    assert response.status_code == 400, response.text
    assert "ended in the middle of a file" in response.json()["detail"]
    assert temp_files(settings) == []


async def test_an_aborted_upload_leaves_no_temp_file(tmp_path):
    started = asyncio.Event()

    async def body_that_stalls():
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n\r\n' + bytes(1 << 20)
        started.set()
        await asyncio.Event().wait()  # the client goes quiet; the server cancels the request

    receiving = asyncio.create_task(
        receive_files(body_that_stalls(), "multipart/form-data; boundary=b", tmp_path, 50 << 20)
    )
    await started.wait()
    assert len(list(tmp_path.iterdir())) == 1
    receiving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await receiving
    assert list(tmp_path.iterdir()) == []


async def test_a_broken_stream_removes_the_files_already_received(tmp_path):
    async def body_that_breaks():
        yield (
            b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n\r\n1234\r\n'
            b'--b\r\nContent-Disposition: form-data; name="files"; filename="b.png"\r\n\r\n5678'
        )
        raise ConnectionResetError("client went away")

    with pytest.raises(UploadError, match="client went away"):
        await receive_files(body_that_breaks(), "multipart/form-data; boundary=b", tmp_path, 50 << 20)
    assert list(tmp_path.iterdir()) == []


async def test_start_up_sweeps_stale_temp_and_partial_files_and_keeps_fresh_ones(settings):
    settings.ensure_dirs()
    stale, fresh = time.time() - 3600, time.time()
    files = {
        "tmp/upload-old": stale,
        "tmp/unzip-old": stale,
        "tmp/upload-new": fresh,
        "assets/ab/x.png.partial": stale,
        "assets/ab/y.png.partial": fresh,
        "assets/ab/kept.png": stale,
        "runs/r1/.metrics.json.123.partial": stale,
    }
    for name, mtime in files.items():
        path = settings.data_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        os.utime(path, (mtime, mtime))
    async with AsyncTestClient(app=create_app(settings)):
        left = {name for name in files if (settings.data_dir / name).exists()}
    assert left == {"tmp/upload-new", "assets/ab/y.png.partial", "assets/ab/kept.png"}
