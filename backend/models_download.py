"""Official pretrained weights by name, from Ultralytics' GitHub release, verified by the release's checksum.

Ultralytics publishes its weights as assets of releases of `ultralytics/assets`; GitHub's release API lists each
asset with its `size`, `browser_download_url` and a `digest` ("sha256:<hex>"). We ask the API for the release,
find the asset by its exact name, refuse it when it has no digest, stream it to disk under the model-upload cap
while hashing, and refuse it when the hash differs. The file is then only bytes on disk: the caller hands it to the
same worker check as an upload (this module never opens it). Names are the model nodes' architectures with `.pt`
(`yolo11n-cls.yaml` → `yolo11n-cls.pt`), so a name a person may ask for is derived, never typed out.
"""

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from nodes.models import ARCHITECTURES

TIMEOUT = httpx.Timeout(30.0, connect=10.0)  # per connect / read; a whole 100 MB download may take longer
CHUNK_BYTES = 1 << 20
_SHA256_DIGEST = re.compile(r"^sha256:([0-9a-f]{64})$")
_UPLOAD_INSTEAD = "An admin can download the file elsewhere and upload it here instead."


def official_names() -> tuple[str, ...]:
    """Every file name a person may download: one per architecture a model node trains."""
    return tuple(f"{architecture.removesuffix('.yaml')}.pt" for architecture in ARCHITECTURES)


def architecture_of(name: str) -> str | None:
    """The architecture yaml an official file name stands for, or None when no model node trains it."""
    architecture = f"{name.removesuffix('.pt')}.yaml"
    return architecture if name.endswith(".pt") and architecture in ARCHITECTURES else None


class DownloadError(Exception):
    """The official file cannot be had; the message is a sentence for the person who asked."""


class Unreachable(DownloadError):
    """The release server cannot be reached, timed out, or answered something other than the release."""


class NotReleased(DownloadError):
    """The release (or the asset in it) does not exist."""


class Unverifiable(DownloadError):
    """The asset has no checksum, or its bytes do not match it."""


class TooLarge(DownloadError):
    """The asset is over the model-upload cap."""


class AlreadyStored(DownloadError):
    """The store already holds these exact bytes."""


@dataclass(frozen=True)
class ReleaseAsset:
    name: str
    size: int
    url: str
    sha256: str


@dataclass(frozen=True)
class DownloadedWeights:
    """A downloaded file whose sha256 matched the release's digest; not yet checked as weights."""

    path: Path
    name: str
    architecture: str
    sha256: str


async def download_official(
    name: str,
    *,
    release_url: str,
    folder: Path,
    max_bytes: int,
    stored_as: Callable[[str], str | None],
    timeout: httpx.Timeout = TIMEOUT,
) -> DownloadedWeights:
    """Download `name` from the release into `folder`. `stored_as(sha256)` names the store entry that already holds
    those bytes, if any (checked before downloading). Raises a `DownloadError` subclass; leaves no file on failure.
    The caller owns (and removes) the returned file."""
    architecture = architecture_of(name)
    if architecture is None:
        raise ValueError(f"{name!r} is not an official file a model node trains from.")
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client:
        asset = await _find_asset(client, release_url, name)
        existing = stored_as(asset.sha256)
        if existing is not None:
            raise AlreadyStored(f"{name} is already in the store as {existing!r}.")
        if asset.size > max_bytes:
            raise TooLarge(
                f"{name} is {asset.size / 2**20:.0f} MiB, over the {max_bytes // 2**20} MiB limit for weights."
            )
        path = await _stream_verified(client, asset, folder, max_bytes)
    return DownloadedWeights(path=path, name=name, architecture=architecture, sha256=asset.sha256)


async def _find_asset(client: httpx.AsyncClient, release_url: str, name: str) -> ReleaseAsset:
    try:
        response = await client.get(release_url, headers={"Accept": "application/vnd.github+json"})
    except httpx.TimeoutException:
        raise Unreachable(
            f"The server cannot reach {release_url}: it did not answer in time. {_UPLOAD_INSTEAD}"
        ) from None
    except httpx.HTTPError as error:
        raise Unreachable(f"The server cannot reach {release_url} ({_reason(error)}). {_UPLOAD_INSTEAD}") from None
    if response.status_code == 404:
        raise NotReleased(f"There is no release at {release_url}.")
    if response.status_code != 200:
        raise Unreachable(
            f"The server cannot get the release from {release_url}: it answered {response.status_code}. "
            f"{_UPLOAD_INSTEAD}"
        )
    try:
        assets = response.json()["assets"]
        found = next((a for a in assets if isinstance(a, dict) and a.get("name") == name), None)
    except (ValueError, KeyError, TypeError):
        raise Unreachable(f"{release_url} did not answer with a release. {_UPLOAD_INSTEAD}") from None
    if found is None:
        raise NotReleased(f"The release at {release_url} has no file {name!r}.")
    return _asset_of(found, name)


def _asset_of(found: dict[str, Any], name: str) -> ReleaseAsset:
    digest = _SHA256_DIGEST.match(str(found.get("digest") or "").lower())
    if digest is None:
        raise Unverifiable(
            f"The release gives no sha256 checksum for {name}, so it cannot be verified; not downloaded."
        )
    url, size = found.get("browser_download_url"), found.get("size")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")) or not isinstance(size, int):
        raise Unverifiable(f"The release describes {name} without a download address or size; not downloaded.")
    return ReleaseAsset(name=name, size=size, url=url, sha256=digest.group(1))


async def _stream_verified(client: httpx.AsyncClient, asset: ReleaseAsset, folder: Path, max_bytes: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=folder, prefix="download-", suffix=".pt")
    path = Path(name)
    hasher, written = hashlib.sha256(), 0
    try:
        with os.fdopen(descriptor, "wb") as handle:
            async with client.stream("GET", asset.url) as response:
                if response.status_code != 200:
                    raise Unreachable(
                        f"The server cannot download {asset.name}: {asset.url} answered {response.status_code}. "
                        f"{_UPLOAD_INSTEAD}"
                    )
                async for chunk in response.aiter_bytes(CHUNK_BYTES):
                    written += len(chunk)
                    if written > max_bytes:
                        raise TooLarge(f"{asset.name} is over the {max_bytes // 2**20} MiB limit for weights.")
                    hasher.update(chunk)
                    handle.write(chunk)
    except httpx.TimeoutException:
        path.unlink(missing_ok=True)
        raise Unreachable(
            f"The server cannot download {asset.name}: {asset.url} stopped answering. {_UPLOAD_INSTEAD}"
        ) from None
    except httpx.HTTPError as error:
        path.unlink(missing_ok=True)
        raise Unreachable(f"The server cannot download {asset.name} ({_reason(error)}). {_UPLOAD_INSTEAD}") from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if hasher.hexdigest() != asset.sha256:
        path.unlink(missing_ok=True)
        raise Unverifiable(
            f"{asset.name}: the downloaded file's sha256 {hasher.hexdigest()[:12]}… does not match the release's "
            f"{asset.sha256[:12]}…; it was discarded."
        )
    return path


def _reason(error: httpx.HTTPError) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__
