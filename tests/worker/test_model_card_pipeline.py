"""The model card's albumentations pipeline loads back with `A.from_dict` without a warning and preprocesses as the
original: albumentations writes attributes that are not arguments (PadIfNeeded's `padding`)."""

import warnings

import albumentations as A
import numpy as np

from backend.worker.model_card import loadable_dict


def test_a_letterbox_pipeline_loads_back_without_warnings_and_gives_the_same_pixels():
    pipeline = A.Compose(
        [
            A.LongestMaxSize(max_size=32),
            A.PadIfNeeded(min_height=32, min_width=32, border_mode=0, fill=114),
            A.Normalize(mean=0, std=1, max_pixel_value=255),
        ]
    )
    assert "padding" in A.to_dict(pipeline)["transform"]["transforms"][1]  # what albumentations itself writes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = A.from_dict(loadable_dict(pipeline))
    assert [str(w.message) for w in caught] == []
    image = np.random.default_rng(0).integers(0, 255, (20, 48, 3), dtype=np.uint8)
    assert np.array_equal(loaded(image=image)["image"], pipeline(image=image)["image"])
