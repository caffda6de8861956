"""Data-aware recommendations: fitted input size, a step budget instead of fixed epochs, one best template."""

import pytest

from backend.catalogue import build_catalogue
from backend.graph.facts import ImageFacts
from backend.graph.validate import validate_document
from backend.models_store import ModelStore
from backend.recommend import (
    MIN_EPOCHS,
    SECONDS_PER_EPOCH,
    TARGET_STEPS,
    TIME_BUDGET_S,
    fit_template,
    fitted_imgsz,
    run_defaults,
    seconds_per_image,
    summarise,
)
from backend.templates import instantiate, model_choice, recommended_template, run_defaults_for, template_fits
from tests.unit.test_catalogue import store_weights


def images(count: int, width: int, height: int | None = None, classes: int = 2) -> list[ImageFacts]:
    return [
        ImageFacts(
            path=f"/d/{i}.png",
            name=f"{i}.png",
            content_hash=f"{i:064x}",
            label=f"class{i % classes}",
            width=width,
            height=height or width,
        )
        for i in range(count)
    ]


@pytest.mark.parametrize(
    ("side", "template", "fitted"),
    [(1, 320, 32), (8, 320, 32), (24, 320, 32), (33, 320, 64), (100, 320, 128), (100, 64, 64), (900, 384, 384)],
)
def test_the_input_size_is_fitted_to_the_images_never_above_the_template(side, template, fitted):
    assert fitted_imgsz(template, summarise(images(40, side))) == fitted


def test_the_typical_side_is_the_median_area_side_so_a_few_large_images_do_not_decide():
    mixed = images(30, 24) + images(3, 4000, 3000)
    assert fitted_imgsz(320, summarise(mixed)) == 32


def test_the_card_says_how_the_template_adapts_to_small_images():
    fit = fit_template(320, "n", summarise(images(200, 24)))
    assert fit.imgsz == 32 and fit.template_imgsz == 320
    assert fit.summary == "320 px → 32 px for your 24 px images"


def test_a_small_set_gets_enough_optimiser_steps_not_a_fixed_ten_epochs():
    defaults = run_defaults(summarise(images(150, 24)), imgsz=32, size="n")
    settings = defaults.settings
    train = 150 - round(150 * 0.2)
    steps = settings.epochs * (train // settings.batch)
    assert steps >= TARGET_STEPS and settings.epochs > 10
    assert settings.batch < 64  # several steps per epoch, not one or two
    assert "weight updates" in defaults.explanation


def test_a_large_set_is_capped_by_the_time_budget_and_says_so():
    summary = summarise(images(15_000, 640))
    defaults = run_defaults(summary, imgsz=320, size="n")
    per_epoch = SECONDS_PER_EPOCH + (12_000 + 3_000) * seconds_per_image(320, "n")
    assert defaults.settings.epochs * per_epoch <= max(TIME_BUDGET_S, 3 * per_epoch)
    assert defaults.settings.epochs < MIN_EPOCHS and "budget" in defaults.explanation


def test_no_data_keeps_the_standard_settings():
    defaults = run_defaults(None, imgsz=224, size="n")
    assert defaults.settings.epochs == 10 and "No labelled images" in defaults.explanation


def test_exactly_one_template_is_recommended_for_data_and_none_without():
    catalogue = build_catalogue()
    fits = template_fits(catalogue, summarise(images(300, 24)))
    assert sum(f.recommended for f in fits.values()) == 1
    best = recommended_template(fits)
    assert fits[best].score == max(f.score for f in fits.values())
    assert not any(f.recommended for f in template_fits(catalogue, None).values())


def test_a_big_model_fits_a_few_hundred_images_worse_than_a_small_one():
    summary = summarise(images(300, 24))
    assert fit_template(320, "n", summary).score > fit_template(384, "m", summary).score


def test_instantiating_with_a_fit_trains_at_the_fitted_size():
    catalogue = build_catalogue()
    fits = template_fits(catalogue, summarise(images(300, 24)))
    document = instantiate("small-fast-320", "p1", catalogue, fits["small-fast-320"])
    valid = validate_document(document, catalogue).valid
    _, imgsz, size = model_choice(valid)
    assert (imgsz, size) == (32, "n")
    assert run_defaults_for(valid, catalogue, summarise(images(300, 24))).settings.epochs >= MIN_EPOCHS


def test_a_workflow_with_errors_gets_the_defaults_of_new_nodes():
    defaults = run_defaults_for(None, build_catalogue(), summarise(images(300, 24)))
    assert defaults.settings.epochs >= MIN_EPOCHS


def test_templates_prefer_pretrained_weights_of_their_architecture_and_say_so(tmp_path):
    (tmp_path / "models").mkdir()
    store = ModelStore(tmp_path / "models")
    name = store_weights(store, tmp_path, "yolov8n-cls.yaml", b"weights of the small model")
    store_weights(store, tmp_path, "yolov8m-cls.yaml", b"weights of another size")
    catalogue = build_catalogue(tmp_path / "models")
    fits = template_fits(catalogue, summarise(images(300, 24)))
    small = fits["small-fast-320"]
    assert small.pretrained == name and any(name in note for note in small.notes)
    assert fits["balanced-224"].pretrained is None  # the store holds no yolov8s weights
    document = instantiate("small-fast-320", "p1", catalogue, small)
    assert next(n for n in document["nodes"] if n["id"] == "model")["params"]["pretrained"] == name


def test_unreadable_images_do_not_drag_the_fitted_size_down():
    broken = [image.model_copy(update={"readable": False, "width": 0, "height": 0}) for image in images(3, 1)]
    assert fitted_imgsz(320, summarise(broken + images(4, 200))) == 224
    assert summarise(broken) is None


def test_imbalanced_classes_get_weighted_sampling_and_grey_images_a_note():
    catalogue = build_catalogue()
    skewed = images(90, 24, classes=1) + [i.model_copy(update={"label": "rare"}) for i in images(10, 24)]
    fits = template_fits(catalogue, summarise(skewed))
    small = fits["small-fast-320"]
    assert small.balance == "weighted_sampling" and any("90 vs 10" in note for note in small.notes)
    document = instantiate("small-fast-320", "p1", catalogue, small)
    assert next(n for n in document["nodes"] if n["id"] == "data")["params"]["balance"] == "weighted_sampling"
    balanced = template_fits(catalogue, summarise(images(100, 24)))["small-fast-320"]
    assert balanced.balance == "none"
    grey = [i.model_copy(update={"channels": 1}) for i in images(100, 24)]
    assert any("grey" in note for note in fit_template(320, "n", summarise(grey)).notes)


def test_on_a_gpu_the_time_budget_affords_more_epochs_and_the_settings_say_where():
    summary = summarise(images(15_000, 640))
    cpu = run_defaults(summary, imgsz=320, size="n")
    gpu = run_defaults(summary, imgsz=320, size="n", device="cuda")
    assert gpu.settings.epochs > cpu.settings.epochs and gpu.settings.device == "cuda"
    assert "on a GPU" in gpu.explanation and "on a CPU" in cpu.explanation
