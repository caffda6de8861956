"""Per-image fingerprints the dataset checks need: a perceptual hash (near-duplicates, train/val leakage) and
the channel count (grey, colour, alpha).

They are computed at import from the pixels already decoded for the thumbnail (datasets/images.py), back-filled
from the stored thumbnail for assets imported before fingerprints existed (datasets/image_facts.py), and read
from the files for a folder run (datasets/folder.py). `imagehash` (with scipy and numpy) is imported
only when a hash is computed, so the server still starts fast.
"""

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

EXIF_ORIENTATION = 0x0112
ROTATED_A_QUARTER = (5, 6, 7, 8)  # EXIF orientations that turn the picture by 90° or 270°
HASH_INPUT = 32  # imagehash.phash looks at a 32 × 32 grey version
HASH_DECODE_SIZE = (64, 64)  # JPEGs decode at the smallest scale covering this; the hash looks at 32 × 32
FLAT_STD = 2.0  # grey levels: below this spread the picture is flat
_CHANNELS_BY_MODE = {"1": 1, "L": 1, "I": 1, "F": 1, "I;16": 1, "LA": 2, "La": 2, "PA": 4, "RGBA": 4, "RGBa": 4}


def channels_of(image: Image.Image) -> int:
    """1 grey, 2 grey with alpha, 3 colour, 4 colour with alpha; read from the header's mode, no pixel decoded."""
    if image.mode == "P":
        return 4 if "transparency" in image.info else 3
    return _CHANNELS_BY_MODE.get(image.mode, 3)  # RGB, CMYK, YCbCr, LAB, HSV: colour


def perceptual_hash(image: Image.Image) -> str | None:
    """64-bit DCT perceptual hash as 16 hex digits: re-encoded, resized or lightly edited copies differ in few bits.
    None for a flat picture (one colour, or nearly): its hash says nothing, and every flat picture would match."""
    import imagehash  # scope: pulls in scipy
    import numpy as np

    grey = image.convert("L").resize((HASH_INPUT, HASH_INPUT), Image.Resampling.LANCZOS)  # as imagehash.phash does
    if np.asarray(grey, dtype=np.float32).std() < FLAT_STD:
        return None
    return str(imagehash.phash(grey))


@dataclass(frozen=True)
class FileFingerprint:
    width: int  # as displayed, after the EXIF orientation
    height: int
    channels: int
    phash: str | None


def fingerprint_file(path: Path) -> FileFingerprint | None:
    """Size, channels and perceptual hash of an image file (JPEGs decoded at reduced scale), or None when it is
    missing or does not decode (a truncated file fails in the decode the hash needs)."""
    try:
        with Image.open(path) as image:
            width, height = image.size
            channels = channels_of(image)
            if image.getexif().get(EXIF_ORIENTATION, 1) in ROTATED_A_QUARTER:
                width, height = height, width
            image.draft("RGB", HASH_DECODE_SIZE)
            return FileFingerprint(width, height, channels, perceptual_hash(ImageOps.exif_transpose(image)))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def header_channels(path: Path) -> int | None:
    """The channel count from the file's header, or None when it is missing or not an image."""
    try:
        with Image.open(path) as image:
            return channels_of(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
