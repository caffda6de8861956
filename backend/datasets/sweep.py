"""Start-up sweep of what a crashed or killed server left behind: temporary upload/unzip files under
`data_dir/tmp` and `*.partial` files (a write cut off before its atomic rename) anywhere in the data dir.
Only files untouched for a while are removed, and only at start, before the server answers: a file another
process is still writing keeps changing its modification time."""

import logging
import os
import time
from pathlib import Path

STALE_AFTER_S = 10 * 60
PARTIAL_SUFFIX = ".partial"

log = logging.getLogger(__name__)


def sweep_stale_files(data_dir: Path, stale_after_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove stale temporary and partial files; returns what was removed."""
    cutoff = time.time() - stale_after_s
    temp_dir = data_dir / "tmp"
    removed: list[Path] = []
    for root, _dirs, names in os.walk(data_dir):
        in_temp = Path(root) == temp_dir or temp_dir in Path(root).parents
        for name in names:
            if not (in_temp or name.endswith(PARTIAL_SUFFIX)):
                continue
            path = Path(root) / name
            try:
                if path.is_symlink() or path.lstat().st_mtime >= cutoff:
                    continue
                path.unlink()
            except OSError:  # gone meanwhile, or not ours to remove: never stops the start
                continue
            removed.append(path)
    if removed:
        log.info("removed %d stale temporary or partial file(s) from %s", len(removed), data_dir)
    return removed
