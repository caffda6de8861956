"""Checking and storing image files: decoded, size-capped, content-addressed under the data dir."""

import shutil
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff"}


class ImageRejected(ValueError):
    """A file that is not an image we accept; the message says why, for a person."""


@dataclass(frozen=True)
class ImageInfo:
    ext: str
    width: int  # after EXIF orientation
    height: int


def inspect_image(path: Path, max_pixels: int) -> ImageInfo:
    """Decode the file fully; raise ImageRejected with the reason if it is not an acceptable image."""
    try:
        with Image.open(path) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ImageRejected(
                    f"{image.format or 'This'} files are not supported; use JPEG, PNG, WebP, BMP or TIFF."
                )
            width, height = image.size
            if width * height > max_pixels:
                raise ImageRejected(f"The image is {width}×{height} pixels, over the limit of {max_pixels:,} pixels.")
            image.load()  # decodes every byte: truncated or corrupt files fail here
            orientation = image.getexif().get(0x0112, 1)
            if orientation in (5, 6, 7, 8):  # rotated by 90° or 270°
                width, height = height, width
            return ImageInfo(ext=ALLOWED_FORMATS[image.format], width=width, height=height)
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected(f"The image is larger than the limit of {max_pixels:,} pixels.") from None
    except (UnidentifiedImageError, ImportError):  # ImportError: Ultralytics' Image.open patch, where imported
        raise ImageRejected("This is not an image file (its content is not JPEG, PNG, WebP, BMP or TIFF).") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageRejected(f"The image is damaged or truncated ({error}).") from None


def content_path(assets_dir: Path, sha256: str, ext: str) -> Path:
    return assets_dir / sha256[:2] / f"{sha256}.{ext}"


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
