"""Profile of a run's creation over 15,000 images (issue 12: `POST /api/workflows/{id}/runs` to the 202 in <= 1 s):
pyinstrument around RunService._create, the part of the route that runs in a worker thread. pyinstrument is a bench
tool (`.venv/bin/pip install pyinstrument`), not a dependency. Prints each request's time and the last profile; the
reading is in bench/profiles/run_create_15k.txt. Run: `.venv/bin/python bench/profiles/profile_run_create.py`."""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from litestar.testing import TestClient  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from backend.app import create_app  # noqa: E402
from backend.runs import service as service_module  # noqa: E402
from backend.settings import Settings  # noqa: E402
from tests.api.test_event_loop import BurstRunner, seed_project  # noqa: E402
from tests.conftest import DATA, MODEL, chain  # noqa: E402

create = service_module.RunService._create
profiles: list[tuple[Profiler, float]] = []


def profiled(self, workflow, settings):  # type: ignore[no-untyped-def]
    profiler = Profiler(interval=0.001)
    profiler.start()
    started = time.process_time()
    try:
        return create(self, workflow, settings)
    finally:
        profiler.stop()
        profiles.append((profiler, time.process_time() - started))


def main() -> None:
    service_module.RunService._create = profiled  # type: ignore[method-assign]
    settings = Settings(data_dir=Path(tempfile.mkdtemp()) / "data", auth=False)
    create_app(settings)  # the tables
    project_id = seed_project(settings)
    app = create_app(settings, runner=BurstRunner())
    with TestClient(app, base_url="http://localhost") as client:
        graph = chain(DATA, MODEL)
        workflow = client.post(f"/api/projects/{project_id}/workflows", json={"graph": graph}).json()
        for _ in range(3):
            started = time.perf_counter()
            answer = client.post(f"/api/workflows/{workflow['id']}/runs")
            print(answer.status_code, f"{time.perf_counter() - started:.3f} s, create CPU {profiles[-1][1]:.3f} s")
    print(profiles[-1][0].output_text(unicode=False, color=False)[:6000])


if __name__ == "__main__":
    main()
