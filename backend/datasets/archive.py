"""Safe zip reading, one entry at a time: each entry is checked (name, link, declared size, compression ratio,
the running total) before a byte of it is unpacked, then unpacked alone to a fresh temporary file that the
caller checks and moves or deletes before the next one is unpacked — so a hostile archive never costs more
temporary disk than one entry. Its name inside the archive is display data only. The whole archive is refused
up front when its entry count, its declared unpacked size or its overall ratio passes a cap (Python's zipfile
never unpacks more than an entry declares, so the declared sizes bound the real ones; the real bytes are
counted too)."""

import hashlib
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

CHUNK = 1 << 20
RATIO_FLOOR_BYTES = 1 << 20  # an entry (or archive) that unpacks to less cannot amplify much: no ratio check
ARCHIVE_RATIO_FLOOR_BYTES = 64 << 20


class ArchiveRejected(ValueError):
    pass


@dataclass(frozen=True)
class Limits:
    max_entries: int = 100_000
    max_total_bytes: int = 20 * 2**30
    max_file_bytes: int = 50 * 2**20
    max_ratio: int = 100  # unpacked size / packed size, per entry and for the whole archive
    max_name_chars: int = 1024


@dataclass
class ExtractedFile:
    path: str  # inside the archive, for display and folder layout
    temp_path: Path
    sha256: str
    bytes: int


def is_zip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def _escapes(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _skipped(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)  # .DS_Store, ._resource forks


def _ratio(unpacked: int, packed: int) -> float:
    return unpacked / max(packed, 1)


def open_zip(archive: Path, limits: Limits) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its file entries, after the whole-archive checks; raises ArchiveRejected (nothing unpacked)."""
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ArchiveRejected(f"This is not a readable zip archive ({error}).") from None
    try:
        infos = [i for i in zipped.infolist() if not i.is_dir() and (_escapes(i.filename) or not _skipped(i.filename))]
        if len(infos) > limits.max_entries:
            raise ArchiveRejected(f"The archive holds {len(infos):,} files, over the limit of {limits.max_entries:,}.")
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_total_bytes:
            raise ArchiveRejected(
                f"The archive unpacks to more than the size limit of {limits.max_total_bytes // 2**20:,} MiB"
                f" ({declared // 2**20:,} MiB declared; a zip bomb?)."
            )
        packed = archive.stat().st_size
        if declared > ARCHIVE_RATIO_FLOOR_BYTES and _ratio(declared, packed) > limits.max_ratio:
            raise ArchiveRejected(
                f"The archive unpacks to {_ratio(declared, packed):,.0f} times its size, over the limit of"
                f" {limits.max_ratio}:1 (a zip bomb?)."
            )
    except BaseException:
        zipped.close()
        raise
    return zipped, infos


def _refusal(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    """Why this entry is refused before a byte of it is unpacked, or None."""
    name = info.filename
    if _escapes(name):
        return "The entry's path leads outside the archive."
    if len(name) > limits.max_name_chars:
        return f"The entry's name is over {limits.max_name_chars:,} characters."
    if _is_link(info):
        return "Links inside archives are not followed."
    if info.file_size > limits.max_file_bytes:
        return f"The file is over the {limits.max_file_bytes // 2**20} MiB limit."
    if info.file_size > RATIO_FLOOR_BYTES and _ratio(info.file_size, info.compress_size) > limits.max_ratio:
        return (
            f"The file packs {_ratio(info.file_size, info.compress_size):,.0f}:1, over the limit of"
            f" {limits.max_ratio}:1 (a zip bomb?)."
        )
    return None


def iter_zip(archive: Path, temp_dir: Path, limits: Limits, rejected: list[dict[str, str]]) -> Iterator[ExtractedFile]:
    """Unpack the entries one by one; refused entries go to `rejected` as {filename, reason} as they are met.
    Each yielded file's temporary copy is the caller's to move before asking for the next: whatever is left of
    it is deleted then (and when the iteration stops early). Raises ArchiveRejected for the whole archive
    before yielding anything; an archive found damaged or too big half-way is reported and its rest skipped."""
    zipped, infos = open_zip(archive, limits)
    return _entries(zipped, infos, temp_dir, limits, rejected)


def _entries(
    zipped: zipfile.ZipFile, infos: list[zipfile.ZipInfo], temp_dir: Path, limits: Limits, rejected: list
) -> Iterator[ExtractedFile]:
    total = 0
    with zipped:
        for index, info in enumerate(infos):
            reason = _refusal(info, limits)
            if reason is not None:
                rejected.append({"filename": info.filename, "reason": reason})
                continue
            try:
                entry = _extract_one(zipped, info, temp_dir, limits.max_file_bytes, limits.max_total_bytes - total)
            except ArchiveRejected as error:
                skipped = len(infos) - index - 1
                rejected.append({"filename": info.filename, "reason": f"{error} {skipped:,} more file(s) not read."})
                return
            total += entry.bytes
            try:
                yield entry
            finally:
                entry.temp_path.unlink(missing_ok=True)


def _extract_one(
    zipped: zipfile.ZipFile, info: zipfile.ZipInfo, temp_dir: Path, max_file: int, budget: int
) -> ExtractedFile:
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=temp_dir, delete=False, prefix="unzip-") as out:
        target = Path(out.name)
        try:
            with zipped.open(info) as source:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > budget:
                        raise ArchiveRejected("The archive unpacks to more than the size limit (a zip bomb?).")
                    if size > max_file:  # never past the declared size (checked), unless zipfile changes
                        raise ArchiveRejected(f"{info.filename!r} unpacks to more than it declares.")
                    digest.update(chunk)
                    out.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
            target.unlink(missing_ok=True)
            raise ArchiveRejected(f"The archive is damaged at {info.filename!r} ({error}).") from None
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return ExtractedFile(path=info.filename, temp_path=target, sha256=digest.hexdigest(), bytes=size)
