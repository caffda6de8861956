"""A file that is not a checkpoint is refused before the checker's subprocess (which imports torch, ~10 s) starts,
so junk uploads never hold up real ones waiting behind them."""

from pathlib import Path

from backend.api.model_store import WeightsChecker
from backend.worker.weights_check import NOT_A_CHECKPOINT


async def test_a_non_checkpoint_is_refused_without_starting_the_check(tmp_path: Path) -> None:
    junk = tmp_path / "photo.pt"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    # A timeout no subprocess could meet: had the check started, the answer would be "did not finish".
    checker = WeightsChecker(config_dir=tmp_path / "config", timeout_s=0.001)
    result = await checker.check(junk, None)
    assert result == {"ok": False, "reason": NOT_A_CHECKPOINT}
