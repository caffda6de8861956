"""Receive a multipart upload straight to disk: each file part is written to a temporary file and hashed
as its bytes arrive, so no request is ever held in memory whole, and a part over the size cap stops
being written at the cap. An upload that ends badly (cut off mid-part, unreadable, aborted by the client or
cancelled) leaves no temporary file behind."""

import hashlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header

MAX_TEXT_FIELD_CHARS = 1024


class UploadError(ValueError):
    """The request is not a multipart upload we can read."""


@dataclass
class ReceivedFile:
    filename: str  # as sent: display data only, never a path
    temp_path: Path
    sha256: str = ""
    bytes: int = 0
    too_large: bool = False


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    file: ReceivedFile | None = None
    hasher: "hashlib._Hash | None" = None
    handle: object = None
    text_field: str | None = None  # the name of a wanted text field this part carries


async def receive_files(
    body: AsyncIterator[bytes],
    content_type: str,
    temp_dir: Path,
    max_file_bytes: int,
    field_name: str = "files",
    text_fields: dict[str, str] | None = None,
    max_files: int | None = None,
) -> list[ReceivedFile]:
    """The file parts of `field_name`. Small text parts whose names are keys of `text_fields` are stored there.
    With `max_files`, one file part more stops the upload at once (nothing more is written to disk)."""
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise UploadError(f"Send the upload as multipart/form-data, with the files in a field named {field_name!r}.")
    temp_dir.mkdir(parents=True, exist_ok=True)
    received: list[ReceivedFile] = []
    part = _Part()
    header_field = bytearray()
    header_value = bytearray()

    def on_part_begin() -> None:
        nonlocal part
        part = _Part()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        part.headers[bytes(header_field).lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(part.headers.get(b"content-disposition", b""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        filename = disposition.get(b"filename")
        if filename is None and text_fields is not None and name in text_fields:
            part.text_field = name
            text_fields[name] = ""
            return
        if name != field_name or filename is None:
            return  # other form fields are ignored
        if max_files is not None and len(received) >= max_files:
            raise UploadError(f"Send at most {max_files} file(s) in the multipart field {field_name!r}.")
        handle = tempfile.NamedTemporaryFile(dir=temp_dir, delete=False, prefix="upload-")  # noqa: SIM115 (closed in on_part_end)
        part.file = ReceivedFile(filename=filename.decode("utf-8", "replace"), temp_path=Path(handle.name))
        part.hasher = hashlib.sha256()
        part.handle = handle

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if part.text_field is not None and len(text_fields[part.text_field]) < MAX_TEXT_FIELD_CHARS:
            text_fields[part.text_field] += data[start:end].decode("utf-8", "replace")[:MAX_TEXT_FIELD_CHARS]
        file = part.file
        if file is None or file.too_large:
            return
        chunk = data[start:end]
        if file.bytes + len(chunk) > max_file_bytes:
            file.too_large = True
            return
        file.bytes += len(chunk)
        part.hasher.update(chunk)
        part.handle.write(chunk)

    def on_part_end() -> None:
        if part.file is not None:
            part.handle.close()
            part.file.sha256 = part.hasher.hexdigest()
            received.append(part.file)

    parser = MultipartParser(
        options[b"boundary"],
        callbacks={
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    finished = False
    try:
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
        if part.file is not None and part.file not in received:
            raise UploadError("The upload ended in the middle of a file: send the whole multipart body.")
        finished = True
    except UploadError:
        raise
    except Exception as error:
        raise UploadError(f"The upload could not be read: {error}") from error
    finally:  # a broken stream, a refusal, an aborted request (CancelledError): no temporary file outlives it
        if not finished:
            _close(part)
            discard(received)
    return received


def _close(part: _Part) -> None:
    """The temporary file of the part being written when the upload stopped."""
    if part.file is not None and part.handle is not None:
        part.handle.close()
        part.file.temp_path.unlink(missing_ok=True)


def discard(files: list[ReceivedFile]) -> None:
    for file in files:
        file.temp_path.unlink(missing_ok=True)
