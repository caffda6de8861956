"""`python -m backend.openapi` is what the browser's types are generated from: it must print only the schema,
the same bytes every time, and nothing of the machine it ran on."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _print_schema() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "backend.openapi"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=300
    )
    return done.stdout


def test_prints_the_app_schema_deterministically_without_local_paths():
    first, second = _print_schema(), _print_schema()

    assert first == second
    schema = json.loads(first)
    assert schema["info"]["title"] == "Visionflow"
    assert "/api/runs/{run_id}" in schema["paths"]
    assert "RunRead" in schema["components"]["schemas"]
    assert "visionflow-openapi-" not in first  # the throw-away data dir never shows
    assert str(ROOT) not in first
