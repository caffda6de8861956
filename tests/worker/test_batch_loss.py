"""The loss a batch event carries is the mean of the batches since the previous event: it follows the batches across
epochs (Ultralytics' own running mean restarts at every epoch, which drew a sawtooth)."""

from pathlib import Path
from types import SimpleNamespace

from backend.events.models import Batch
from backend.worker.reporter import Reporter


class Loader(list):
    batch_size = 2

    @property
    def dataset(self) -> list[int]:
        return [0] * 8  # 4 batches of 2


def test_batch_events_carry_the_mean_of_their_own_batches_across_epochs(tmp_path: Path, monkeypatch) -> None:
    sent: list[object] = []
    reporter = Reporter(spec=None, storage=None, output_dir=tmp_path, send=sent.append, should_stop=lambda: False)  # type: ignore[arg-type]
    ticks = iter(range(100))
    monkeypatch.setattr("backend.worker.reporter.time.perf_counter", lambda: next(ticks) * 0.15)
    losses = {1: [4.0, 3.0, 2.0, 1.0], 2: [1.0, 1.0, 0.5, 0.5]}  # epoch 2's running mean would start again at 1.0
    for epoch, epoch_losses in losses.items():
        trainer = SimpleNamespace(
            train_loader=Loader([0] * 4),
            epoch=epoch - 1,
            epochs=2,
            optimizer=SimpleNamespace(param_groups=[{"lr": 0.01}]),
        )
        reporter.on_epoch_start(trainer)
        for loss in epoch_losses:
            trainer.loss_items = {"loss": loss}
            reporter.on_batch_end(trainer)
    batches = [(e.epoch, e.batch, e.loss) for e in sent if isinstance(e, Batch)]
    # an event at most every 0.2 s (a batch takes 0.15 s here) and at each epoch's end; Ultralytics' running mean
    # would have said 2.5 at the end of epoch 1 and restarted at 1.0
    assert batches == [(1, 2, 3.5), (1, 4, 1.5), (2, 1, 1.0), (2, 3, 0.75), (2, 4, 0.5)]
    expected, start = [], 0
    flat = [loss for epoch_losses in losses.values() for loss in epoch_losses]
    for epoch, batch, _ in batches:
        end = (epoch - 1) * 4 + batch
        expected.append(sum(flat[start:end]) / (end - start))
        start = end
    assert [b[2] for b in batches] == expected
