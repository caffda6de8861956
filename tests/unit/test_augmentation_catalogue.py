"""The augmentation nodes are albumentations' own description of its transforms, kept in step with it."""

import albumentations as A
import pytest

from nodes.albumentations_gen import OUTPUT, generate, render
from nodes.augmentations import NODE_TYPES


def test_committed_catalogue_matches_installed_albumentations():
    assert OUTPUT.read_text() == render(generate()), "run `python -m nodes.albumentations_gen`"


@pytest.mark.parametrize("node", NODE_TYPES, ids=lambda n: n.type_id)
def test_defaults_build_the_albumentations_transform(node):
    step = node.pipeline_steps({}, imgsz=64)[0]
    transform = getattr(A, step.transform)(**step.params, strict=True)
    assert transform.p == node.defaults()["p"]
    assert node.check_params({}) == []


def test_bad_values_are_reported_on_their_field():
    affine = next(n for n in NODE_TYPES if n.transform == "Affine")
    errors = {e.field: e.message for e in affine.check_params({"p": 1.5, "rotate": "left", "colour": 1})}
    assert errors["p"] == "1.5 is greater than the maximum of 1."
    assert "rotate" in errors and errors["colour"] == "Unknown parameter 'colour'."


def test_required_sizes_follow_the_model_input_size():
    crop = next(n for n in NODE_TYPES if n.transform == "RandomResizedCrop")
    step = crop.pipeline_steps({"scale": [0.5, 1.0]}, imgsz=96)[0]
    assert step.params["size"] == [96, 96] and step.params["scale"] == [0.5, 1.0] and step.splits == ("train",)
