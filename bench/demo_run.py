"""The newcomer's first minute: `visionflow demo` + a real server, one Run Training click with the dialog's
default settings (GET /api/workflows/{id}/run-defaults) on the demo workflow, timed from the click to `finished`. Prints status, epochs, accuracy.

    .venv/bin/python bench/demo_run.py [--epochs N]
"""

import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import LiveServer  # noqa: E402  (a real `visionflow serve` on a temp data dir, demo seeded)


def main(epochs: int | None = None) -> None:
    """`epochs`: replace the dialog's epochs (to compare with a fixed-length run); None keeps its defaults."""
    with tempfile.TemporaryDirectory() as scratch:
        server = LiveServer(Path(scratch) / "data")
        try:
            project = httpx.get(f"{server.url}/api/projects").json()[0]
            workflow = httpx.get(f"{server.url}/api/projects/{project['id']}/workflows").json()[0]
            # What the Run Training dialog pre-fills (data-aware epochs and batch), then the click.
            defaults = httpx.get(f"{server.url}/api/workflows/{workflow['id']}/run-defaults").json()
            print(f"dialog defaults: {defaults['explanation']}")
            if epochs is not None:
                defaults["settings"].update(epochs=epochs, eval_every=1)
                print(f"epochs replaced: {epochs}")
            clicked = time.monotonic()
            run = httpx.post(f"{server.url}/api/workflows/{workflow['id']}/runs", json=defaults["settings"]).json()
            while run["status"] in ("queued", "running"):
                time.sleep(0.5)
                run = httpx.get(f"{server.url}/api/runs/{run['id']}").json()
            seconds = time.monotonic() - clicked
            accuracy = run["metrics"].get("accuracy", 0.0)
            print(
                f"{run['status']}: {run['settings']['epochs']} epochs, validation accuracy {accuracy:.3f}, "
                f"{seconds:.0f} s from click to finished (target ≥ 0.95 in < 180 s: "
                f"{'met' if accuracy >= 0.95 and seconds < 180 else 'MISSED'})"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main(int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv else None)
