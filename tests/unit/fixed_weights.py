"""A model store for unit tests that holds weights of the given architectures (a WeightsSource), without files."""

from datetime import UTC, datetime

from backend.models_store import StoredClasses, StoredWeights
from nodes.models import family_of


class FixedWeights:
    """A model store that holds the given entries (a WeightsSource)."""

    def __init__(self, *architectures: str) -> None:
        self._entries = tuple(
            StoredWeights(
                name=f"{arch.removesuffix('.yaml')}-000000000000.pt",
                filename="upload.pt",
                architecture=arch,
                family=family_of(arch)[0],
                size=family_of(arch)[1],
                classes=StoredClasses(nc=1000),
                sha256="0" * 64,
                bytes=1,
                uploaded_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
            for arch in architectures
        )

    def entries(self):
        return self._entries
