"""Try-it decodes the dropped image in full (up to the pixel cap: a 50 MP scan takes ~0.6 s here) before asking the
predictor. That decode runs in a worker thread, never on the event loop, where it froze every other request
(found in review: `/api/nodes` took 696 ms while a 7000×7000 PNG was checked)."""

import asyncio
from pathlib import Path

from backend.api import predict
from backend.datasets.images import ImageRejected
from backend.db.models import Run
from backend.db.session import make_engine, session_for
from tests.api.helpers import png_bytes


async def test_the_dropped_image_is_checked_off_the_event_loop(client, settings, monkeypatch) -> None:
    with session_for(make_engine(settings.resolved_database_url)) as session:
        session.add(Run(id="trained", workflow_name="w", status="succeeded", settings={}, spec={}))
        session.commit()
    weights = settings.runs_dir / "trained" / "weights"
    weights.mkdir(parents=True)
    (weights / "best.pt").write_bytes(b"weights")
    checked_on_the_loop: list[bool] = []

    def inspect_image(path: Path, max_pixels: int, thumbnail: Path | None = None) -> None:
        try:
            asyncio.get_running_loop()
            checked_on_the_loop.append(True)
        except RuntimeError:  # no running loop in this thread: a worker thread
            checked_on_the_loop.append(False)
        raise ImageRejected("stop here: the predictor is not what this test is about")

    monkeypatch.setattr(predict, "inspect_image", inspect_image)
    response = await client.post(
        "/api/runs/trained/predict", files=[("file", ("scan.png", png_bytes(), "application/octet-stream"))]
    )
    assert response.status_code == 400 and "stop here" in response.json()["detail"]
    assert checked_on_the_loop == [False]
