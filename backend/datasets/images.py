"""Checking and storing image files: decoded, size-capped, content-addressed under the data dir, with a
thumbnail and the fingerprints the dataset checks compare made in the same pass.

Memory budget of a check: the pixel cap (`settings.max_image_pixels`, 50 Mpx by default) is read from the header
before any pixel is decoded; a JPEG then decodes at 1/2–1/8 scale (draft), every other format decodes once at full
size into one bitmap of at most 4 bytes a pixel (≤ 200 MB at the default cap), and the thumbnail is made from that
bitmap in place (no full-size copy; the EXIF rotation is applied to the thumbnail). At most `DECODE_CONCURRENCY` (2)
such decodes run at once in the process, whatever the number of parallel uploads or imports, so image checks add at
most 2 × 4 B × max_image_pixels (≈ 400 MB at the default cap) to the server's RSS; freed heap pages are handed back
to the system after each decode (malloc_trim, where glibc has it) so the peak is not kept.
"""

import ctypes
import ctypes.util
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from backend.datasets.fingerprints import EXIF_ORIENTATION, channels_of, perceptual_hash

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff"}
THUMB_SIZE = 192  # grid cells show 96–192 px; JPEGs then decode at 1/2–1/4 scale
DECODE_CONCURRENCY = 2  # full-size decodes at once in this process (see the memory budget above)
_decode_slots = threading.BoundedSemaphore(DECODE_CONCURRENCY)


def _load_malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        return None


_malloc_trim = _load_malloc_trim()


class ImageRejected(ValueError):
    """A file that is not an image we accept; the message says why, for a person."""


@dataclass(frozen=True)
class ImageInfo:
    ext: str
    width: int  # as displayed: after EXIF orientation
    height: int
    channels: int  # from the file's mode: 1 grey, 2 grey + alpha, 3 colour, 4 colour + alpha
    phash: str | None = None  # perceptual hash of the thumbnail's pixels; computed only when a thumbnail is asked for


def inspect_image(path: Path, max_pixels: int, thumbnail: Path | None = None) -> ImageInfo:
    """Decode the file; raise ImageRejected with the reason if it is not an acceptable image. With `thumbnail`,
    write it (once) and hash its pixels.

    The pixel cap is checked on the header, before any pixel is decoded. JPEGs decode at reduced scale
    (every byte is still read, so truncation is caught), which makes the check and the thumbnail cheap. Other
    formats decode in full (truncation and corrupt data fail there), under the process-wide decode slots.
    """
    with _decode_slots:
        try:
            return _inspect(path, max_pixels, thumbnail)
        finally:
            if _malloc_trim is not None:
                _malloc_trim(0)


def _inspect(path: Path, max_pixels: int, thumbnail: Path | None) -> ImageInfo:
    try:
        with Image.open(path) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ImageRejected(
                    f"{image.format or 'This'} files are not supported; use JPEG, PNG, WebP, BMP or TIFF."
                )
            width, height = image.size
            channels = channels_of(image)  # before draft(), which may change the mode
            phash = None
            if width * height > max_pixels:
                raise ImageRejected(f"The image is {width}×{height} pixels, over the limit of {max_pixels:,} pixels.")
            orientation = image.getexif().get(EXIF_ORIENTATION, 1)
            if image.format == "JPEG":  # decode at the smallest scale that still covers the thumbnail
                scale = THUMB_SIZE / max(width, height)
                image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
            image.load()  # truncated or corrupt files fail here
            if thumbnail is not None:
                small = _thumbnail(image)  # shrinks `image` in place: the full-size bitmap is freed here
                phash = perceptual_hash(small)
                _write_thumbnail(small, thumbnail)
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected(f"The image is larger than the limit of {max_pixels:,} pixels.") from None
    except (UnidentifiedImageError, ImportError):  # ImportError: Ultralytics' Image.open patch, where imported
        raise ImageRejected("This is not an image file (its content is not JPEG, PNG, WebP, BMP or TIFF).") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageRejected(f"The image is damaged or truncated ({error}).") from None
    if orientation in (5, 6, 7, 8):  # rotated by 90° or 270°
        width, height = height, width
    return ImageInfo(ext=ALLOWED_FORMATS[image.format], width=width, height=height, channels=channels, phash=phash)


def _thumbnail(image: Image.Image) -> Image.Image:
    """Shrink the loaded image in place to fit THUMB_SIZE, then apply its EXIF orientation to the small copy (the
    box is square, so shrinking first gives the same size; no full-size copy is made)."""
    image.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.BILINEAR, reducing_gap=None)
    small = ImageOps.exif_transpose(image)
    return small if small.mode in ("RGB", "L") else small.convert("RGB")


def _write_thumbnail(small: Image.Image, target: Path) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    small.save(partial, format="JPEG", quality=80)
    partial.replace(target)


def content_path(assets_dir: Path, sha256: str, ext: str) -> Path:
    return assets_dir / sha256[:2] / f"{sha256}.{ext}"


def thumbnail_path(thumbs_dir: Path, sha256: str) -> Path:
    return thumbs_dir / sha256[:2] / f"{sha256}.jpg"


def store_content(source: Path, assets_dir: Path, sha256: str, ext: str, move: bool) -> Path:
    """Place the file at its content address (once); the source is moved or copied."""
    target = content_path(assets_dir, sha256, ext)
    if target.exists():
        if move:
            source.unlink(missing_ok=True)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".partial")
    if move:
        shutil.move(source, partial)
    else:
        shutil.copyfile(source, partial)
    partial.replace(target)
    return target
