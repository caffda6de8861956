"""Print the server's OpenAPI schema as JSON, so the browser's API types can be generated from it.

`python -m backend.openapi > schema.json` builds the app against a throw-away data dir (nothing of the real one is
read or written) and prints the schema with sorted keys: the same code always gives the same bytes, which is what
lets `make test` tell a stale `frontend/src/api/schema.gen.ts` from a fresh one.
"""

import json
import sys
import tempfile
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from backend.app import create_app
from backend.settings import Settings


def openapi_schema() -> dict[str, Any]:
    """The OpenAPI document of `create_app`, built without touching a real data dir."""
    # whatever start-up prints (a migration's log, say) goes to stderr: stdout carries only the schema
    with tempfile.TemporaryDirectory(prefix="visionflow-openapi-") as data_dir, redirect_stdout(sys.stderr):
        app = create_app(Settings(data_dir=Path(data_dir)))
        return app.openapi_schema.to_schema()


def main() -> None:
    json.dump(openapi_schema(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
