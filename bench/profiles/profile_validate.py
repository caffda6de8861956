"""Where validating takes its time (issue 12), as pyinstrument text profiles: a 300-node graph validated and compiled
in process, and a 300-node graph of a 15,000-image project validated as the validate route does it (project facts
+ validate), the first time and while editing. Run against any checkout to compare (before/after):

    .venv/bin/python bench/profiles/profile_validate.py [ROOT] > bench/profiles/validate_after.txt

Needs pyinstrument (`.venv/bin/pip install pyinstrument`); not part of bench/run_all.py.
"""

import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]).resolve()
sys.path.insert(0, str(ROOT))
from pyinstrument import Profiler  # noqa: E402
from sqlmodel import Session  # noqa: E402

from backend.api.workflows import project_context  # noqa: E402
from backend.db.models import Project  # noqa: E402
from backend.db.session import make_engine  # noqa: E402
from backend.graph.compile import compile_job  # noqa: E402
from backend.graph.spec import RunSettings  # noqa: E402
from backend.graph.validate import validate_document  # noqa: E402
from backend.settings import Settings  # noqa: E402
from bench.big_project import fill_project, start_server  # noqa: E402
from bench.validate_speed import CATALOGUE, bench_graph, images_of  # noqa: E402


def profiled(title: str, work, repeats: int) -> None:
    work()
    times = []
    for _ in range(repeats):
        started = time.thread_time()
        work()
        times.append((time.thread_time() - started) * 1000)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeats):
        work()
    profiler.stop()
    print(f"## {title}: p50 {statistics.median(times):.2f} ms CPU of the thread, {repeats} calls profiled ({ROOT})")
    print(profiler.output_text(unicode=False, color=False, show_all=False))


class _Access:  # what project_context reads of the route's Access
    def __init__(self, session: Session) -> None:
        self.session = session


def main() -> None:
    gc.freeze()
    graph, settings, small = bench_graph(300), RunSettings(epochs=1), images_of(64)
    profiled(
        "validate + compile, 300 nodes",
        lambda: compile_job(validate_document(graph, CATALOGUE).valid, CATALOGUE, settings, small, "profile"),
        60,
    )
    with tempfile.TemporaryDirectory() as scratch:
        server = start_server(Path(scratch) / "data")
        try:
            project_id = fill_project(server)
        finally:
            server.stop()
        engine = make_engine(f"sqlite:///{Path(scratch) / 'data' / 'visionflow.db'}")
        server_settings = Settings(data_dir=Path(scratch) / "data")
        bound = bench_graph(300)
        for node in bound["nodes"]:
            if node["type"].startswith("dataset."):
                node["params"]["project_id"] = project_id

        def route() -> None:
            with Session(engine) as session:
                context = project_context(_Access(session), server_settings, session.get(Project, project_id))
                assert validate_document(bound, CATALOGUE, context).valid is not None

        profiled("validate route's work, 300 nodes + 15,000-image project, while editing", route, 8)
        engine.dispose()


if __name__ == "__main__":
    main()
