"""Make Ultralytics, albumentations and matplotlib run without a network and without writing under `~`.

Call `configure_offline` in the worker process before anything imports ultralytics or albumentations: most of
these switches are read once, at import time.
"""

import importlib.util
import os
import shutil
from pathlib import Path

# Integrations Ultralytics turns on when their package happens to be installed; a worker never reports to them.
_INTEGRATIONS_OFF = {
    "clearml": False,
    "comet": False,
    "dvc": False,
    "mlflow": False,
    "raytune": False,
    "tensorboard": False,
    "wandb": False,
}


def offline_environment(config_dir: Path) -> dict[str, str]:
    """The environment variables that keep the training stack offline and inside `config_dir`."""
    return {
        "YOLO_OFFLINE": "1",  # no DNS probes, no update check
        "YOLO_CONFIG_DIR": str(config_dir),  # settings.json and fonts go to <config_dir>/Ultralytics
        "YOLO_AUTOINSTALL": "0",
        "NO_ALBUMENTATIONS_UPDATE": "1",
        "MPLCONFIGDIR": str(config_dir / "matplotlib"),
        "XDG_CACHE_HOME": str(config_dir / "cache"),
        "TORCH_HOME": str(config_dir / "torch"),
    }


def configure_offline(config_dir: Path) -> None:
    """Set the offline environment, stage the fonts Ultralytics would download, then point its settings here."""
    config_dir = config_dir.resolve()
    environment = offline_environment(config_dir)
    os.environ.update(environment)
    for folder in (config_dir, Path(environment["MPLCONFIGDIR"]), Path(environment["XDG_CACHE_HOME"])):
        folder.mkdir(parents=True, exist_ok=True)
    _stage_fonts(config_dir / "Ultralytics")

    from ultralytics.utils import SETTINGS

    SETTINGS.update(
        {
            "sync": False,
            "runs_dir": str(config_dir / "runs"),
            "weights_dir": str(config_dir / "weights"),
            "datasets_dir": str(config_dir / "datasets"),
            **_INTEGRATIONS_OFF,
        }
    )


def _stage_fonts(ultralytics_dir: Path) -> None:
    """Ultralytics fetches Arial.ttf for plot labels; matplotlib's DejaVuSans serves the same purpose."""
    source = _matplotlib_font()
    if source is None:
        return
    ultralytics_dir.mkdir(parents=True, exist_ok=True)
    for name in ("Arial.ttf", "Arial.Unicode.ttf"):
        target = ultralytics_dir / name
        if not target.exists():
            shutil.copyfile(source, target)


def _matplotlib_font() -> Path | None:
    spec = importlib.util.find_spec("matplotlib")  # locate without importing: the import would read MPLCONFIGDIR
    if spec is None or not spec.submodule_search_locations:
        return None
    font = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
    return font if font.is_file() else None
