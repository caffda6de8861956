"""Safe zip extraction: every entry goes to a fresh temporary file (its name inside the archive is display
data only), entries that would escape the archive or are links are refused, and the archive is refused
whole when its real unpacked size or its entry count passes a cap — counted while unpacking, never
trusted from the headers."""

import hashlib
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

CHUNK = 1 << 20


class ArchiveRejected(ValueError):
    pass


@dataclass(frozen=True)
class Limits:
    max_entries: int = 100_000
    max_total_bytes: int = 20 * 2**30
    max_file_bytes: int = 50 * 2**20


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


def extract_zip(archive: Path, temp_dir: Path, limits: Limits) -> tuple[list[ExtractedFile], list[dict[str, str]]]:
    """Returns (files, rejected entries as {filename, reason}); raises ArchiveRejected for the whole archive."""
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveRejected(f"This is not a readable zip archive ({error}).") from None
    extracted: list[ExtractedFile] = []
    rejected: list[dict[str, str]] = []
    total = 0
    try:
        with zipped:
            infos = [
                i for i in zipped.infolist() if not i.is_dir() and (_escapes(i.filename) or not _skipped(i.filename))
            ]
            if len(infos) > limits.max_entries:
                raise ArchiveRejected(
                    f"The archive holds {len(infos):,} files, over the limit of {limits.max_entries:,}."
                )
            for info in infos:
                if _escapes(info.filename):
                    rejected.append(
                        {"filename": info.filename, "reason": "The entry's path leads outside the archive."}
                    )
                    continue
                if _is_link(info):
                    rejected.append({"filename": info.filename, "reason": "Links inside archives are not followed."})
                    continue
                entry, size = _extract_one(
                    zipped, info, temp_dir, limits.max_file_bytes, limits.max_total_bytes - total
                )
                total += size
                if entry is None:
                    rejected.append(
                        {
                            "filename": info.filename,
                            "reason": f"The file is over the {limits.max_file_bytes // 2**20} MiB limit.",
                        }
                    )
                else:
                    extracted.append(entry)
    except BaseException:
        for entry in extracted:
            entry.temp_path.unlink(missing_ok=True)
        raise
    return extracted, rejected


def _extract_one(
    zipped: zipfile.ZipFile, info: zipfile.ZipInfo, temp_dir: Path, max_file: int, budget: int
) -> tuple[ExtractedFile | None, int]:
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
                    if size > max_file:
                        break
                    digest.update(chunk)
                    out.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            target.unlink(missing_ok=True)
            raise ArchiveRejected(f"The archive is damaged at {info.filename!r} ({error}).") from None
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    if size > max_file:
        target.unlink(missing_ok=True)
        return None, size
    return ExtractedFile(path=info.filename, temp_path=target, sha256=digest.hexdigest(), bytes=size), size
