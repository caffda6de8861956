"""What validation and recommendations know about the images a dataset node stands for.

Callers read these facts from the database (a project) or from a folder (`visionflow run --data`); the
validator and the recommender only read them, so both stay pure.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict


class ImageFacts(BaseModel):
    """One labelled image, as the dataset checks and the recommender see it."""

    model_config = ConfigDict(frozen=True)
    path: str  # where the file lies on this machine (for a person and the fingerprint reader); never opened here
    name: str  # what a person recognises: the uploaded file name or the path inside the folder
    content_hash: str  # sha256 of the file
    label: str  # class name
    split: Literal["train", "val"] | None = None  # fixed by the source; otherwise the dataset node splits
    width: int
    height: int
    channels: int | None = None  # 1 grey, 3 colour, 4 with alpha; None: not known
    phash: str | None = None  # 64-bit perceptual hash as 16 hex digits; None: not computed
    readable: bool = True  # the file is there and decodes


class KeptFacts(tuple):  # type: ignore[type-arg]
    """Image facts that their holder keeps and hands in again, unchanged, while the images stay as they are (the
    server's per-project cache, backend/datasets/facts_cache.py). The dataset checks remember what they found for
    such a tuple, by identity; a plain tuple is checked afresh every time, and nothing keeps it alive."""

    __slots__ = ()
