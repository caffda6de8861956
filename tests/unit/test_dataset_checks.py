"""Dataset checks: one test per code, each built from image facts that provoke it, plus the rules behind them
(the split is compile's, near-duplicate search finds what brute force finds, and is fast at 15,000 images)."""

import hashlib
import random

import numpy as np
import pytest

from backend.catalogue import build_catalogue
from backend.datasets.labelled import LabelledImage, LabelledImages, assign_splits
from backend.graph.compile import compile_job
from backend.graph.dataset_checks import NEAR_DUPLICATE_BITS
from backend.graph.facts import ImageFacts
from backend.graph.issues import Code
from backend.graph.near_duplicates import near_neighbours
from backend.graph.schema import Graph
from backend.graph.spec import RunSettings
from backend.graph.validate import ProjectFacts, ValidationContext, validate, validate_document
from nodes.datasets import ProjectDatasetParams
from tests.conftest import FLIP, MODEL, chain

CATALOGUE = build_catalogue()
DATA = ("data", "dataset.project", {"seed": 0})
RNG = random.Random(7)


def image(name, label, split=None, *, size=(64, 64), content=None, phash=None, readable=True, channels=3):
    return ImageFacts(
        path=f"/data/{name}",
        name=name,
        content_hash=content or f"sha-{name}",
        label=label,
        split=split,
        width=size[0],
        height=size[1],
        channels=channels,
        phash=phash if phash is not None else f"{RNG.getrandbits(64):016x}",
        readable=readable,
    )


def balanced(per_class=10, classes=("cat", "dog"), **kwargs):
    """A clean set: `per_class` distinct-looking images of each class, fixed 80/20 split."""
    return [
        image(f"{split}/{label}/{n}.jpg", label, split, **kwargs)
        for label in classes
        for n in range(per_class)
        for split in ["val" if n < per_class // 5 else "train"]
    ]


def issues_of(images, *nodes, project=None):
    document = chain(*(nodes or (DATA, FLIP, MODEL)))
    context = ValidationContext(project=project, images=tuple(images))
    return validate_document(document, CATALOGUE, context).issues


def only(images, code, *nodes):
    found = [i for i in issues_of(images, *nodes) if i.code == code]
    assert found, f"expected {code}, got {issues_of(images, *nodes)}"
    return found


def flip_bits(phash: str, bits: int) -> str:
    return f"{int(phash, 16) ^ ((1 << bits) - 1):016x}"


def test_a_clean_dataset_has_no_issues():
    assert issues_of(balanced()) == []


def test_unknown_images_are_not_checked():
    assert validate_document(chain(DATA, FLIP, MODEL), CATALOGUE, ValidationContext(images=None)).issues == []


def test_exact_duplicates_in_one_split():
    images = [*balanced(), image("train/cat/copy.jpg", "cat", "train", content="sha-train/cat/5.jpg")]
    (issue,) = only(images, Code.DUPLICATE_IMAGES)
    assert (issue.severity, issue.node_id) == ("warning", "data")
    assert "1 image is an exact copy" in issue.message and "'train/cat/copy.jpg' = 'train/cat/5.jpg'" in issue.message


def test_exact_duplicate_across_train_and_val_is_leakage():
    images = [*balanced(), image("val/dog/again.jpg", "dog", "val", content="sha-train/cat/5.jpg")]
    (issue,) = only(images, Code.DUPLICATE_LEAKAGE)
    assert issue.severity == "warning" and "'val/dog/again.jpg' = 'train/cat/5.jpg'" in issue.message
    assert "1 validation image is an exact copy of a training image" in issue.message
    assert "The labels differ in 1 pair" in issue.message


def test_near_duplicates_in_one_split():
    images = balanced()
    copy = image("train/cat/resized.jpg", "cat", "train", phash=flip_bits(images[5].phash, 2))
    (issue,) = only([*images, copy], Code.NEAR_DUPLICATE_IMAGES)
    assert issue.severity == "warning" and "2 images look almost identical" in issue.message
    assert "train/cat/resized.jpg" in issue.message and "train/cat/5.jpg" in issue.message


def test_near_duplicate_across_train_and_val_is_leakage():
    images = balanced()
    copy = image("val/cat/recompressed.jpg", "cat", "val", phash=flip_bits(images[5].phash, NEAR_DUPLICATE_BITS))
    far = image("val/cat/other.jpg", "cat", "val", phash=flip_bits(images[6].phash, NEAR_DUPLICATE_BITS + 1))
    (issue,) = only([*images, copy, far], Code.NEAR_DUPLICATE_LEAKAGE)
    assert issue.severity == "warning" and issue.node_id == "data"
    assert "1 validation image looks almost identical to a training image" in issue.message
    assert "'val/cat/recompressed.jpg' ≈ 'train/cat/5.jpg'" in issue.message and "other.jpg" not in issue.message


def test_leakage_follows_the_split_compile_makes():
    """Unsplit images: the dataset node's seed decides which copy lands where, exactly as compile does."""
    twins = [image(f"cat{n}.jpg", "cat") for n in range(10)] + [image(f"dog{n}.jpg", "dog") for n in range(10)]
    twins += [image(f"cat{n}-copy.jpg", "cat", phash=twins[n].phash) for n in range(10)]
    params = ProjectDatasetParams(seed=3)
    splits = assign_splits(twins, params)
    labelled = [LabelledImage(content_hash=i.content_hash, suffix=".jpg", label=i.label) for i in twins]
    assert splits == assign_splits(labelled, params)  # the very function compile splits with
    crossing = sum(1 for n in range(10) if {splits[n], splits[20 + n]} == {"train", "val"})
    found = [i for i in issues_of(twins, ("data", "dataset.project", {"seed": 3}), MODEL) if i.code.endswith("leakage")]
    assert crossing and [i.code for i in found] == [Code.NEAR_DUPLICATE_LEAKAGE]
    assert f"{crossing} validation image" in found[0].message


def test_a_class_with_one_image_gets_no_validation_image():
    images = [*(image(f"cat{n}.jpg", "cat") for n in range(10)), image("lonely.jpg", "owl")]
    (issue,) = only(images, Code.CLASS_WITHOUT_VALIDATION_IMAGES, DATA, MODEL)
    assert issue.severity == "warning" and "'owl'" in issue.message and "at least 2 images" in issue.message
    singles = [image(f"{label}.jpg", label) for label in ("owl", "cat", "dog")]  # nothing left to validate on
    assert {i.severity for i in issues_of(singles) if i.code == Code.CLASS_WITHOUT_VALIDATION_IMAGES} == {"error"}


def test_a_fixed_split_without_validation_images_for_a_class():
    images = [*balanced(), *(image(f"train/owl/{n}.jpg", "owl", "train") for n in range(8))]
    (issue,) = only(images, Code.CLASS_WITHOUT_VALIDATION_IMAGES)
    assert "val/owl/" in issue.message


def test_a_class_only_in_validation_has_no_training_image():
    images = [*balanced(), *(image(f"val/owl/{n}.jpg", "owl", "val") for n in range(3))]
    (issue,) = only(images, Code.CLASS_WITHOUT_TRAINING_IMAGES)
    assert issue.severity == "error" and "'owl'" in issue.message and "cannot learn it" in issue.message


def test_a_class_with_a_handful_of_training_images():
    images = [*balanced(), *(image(f"train/owl/{n}.jpg", "owl", "train") for n in range(3))]
    images.append(image("val/owl/0.jpg", "owl", "val"))
    (issue,) = only(images, Code.FEW_TRAINING_IMAGES)
    assert issue.severity == "warning" and "only 3 training images" in issue.message


def test_class_imbalance_offers_weighted_sampling():
    images = balanced(per_class=40, classes=("sparrow",)) + balanced(per_class=10, classes=("robin",))
    (issue,) = only(images, Code.CLASS_IMBALANCE)
    assert issue.severity == "warning" and "'sparrow' has 32 training images, 'robin' only 8" in issue.message
    assert (issue.node_id, issue.field) == ("data", "balance")
    assert issue.fix.model_dump() == {
        "label": "Use weighted sampling",
        "node_id": "data",
        "field": "balance",
        "value": "weighted_sampling",
    }
    weighted = ("data", "dataset.project", {"balance": issue.fix.value})
    assert Code.CLASS_IMBALANCE not in {i.code for i in issues_of(images, weighted, FLIP, MODEL)}


def test_small_images_far_below_the_input_size_warn_on_imgsz():
    images = balanced(size=(24, 20))
    model = ("model", "model.yolov8_cls", {"imgsz": 224})
    (issue,) = only(images, Code.SMALL_IMAGES_UPSAMPLED, DATA, FLIP, model)
    assert (issue.severity, issue.node_id, issue.field) == ("warning", "model", "imgsz")
    assert "24 px" in issue.message and "about 9×" in issue.message
    assert (issue.fix.node_id, issue.fix.field, issue.fix.value) == ("model", "imgsz", 32)
    assert issues_of(balanced(size=(8, 8))) == []  # 32 px is the smallest input: nothing better to offer
    for family in ("model.yolo11_cls", "model.yolo26_cls"):  # any model node, its input size left at the default
        (issue,) = only(images, Code.SMALL_IMAGES_UPSAMPLED, DATA, FLIP, ("model", family, {}))
        assert "224 px" in issue.message and issue.fix.value == 32


def test_extreme_aspect_ratios_with_center_crop():
    images = balanced(size=(300, 100))
    crop = ("resize", "preprocess.resize", {"mode": "center_crop"})
    (issue,) = only(images, Code.EXTREME_ASPECT_CROPPED, DATA, crop, MODEL)
    assert issue.severity == "warning" and issue.node_id == "data" and "(300×100)" in issue.message
    assert (issue.fix.node_id, issue.fix.field, issue.fix.value) == ("resize", "mode", "letterbox")
    letterbox = ("resize", "preprocess.resize", {"mode": "letterbox"})
    assert issues_of(images, DATA, letterbox, MODEL) == []


def test_unreadable_images_are_skipped_with_a_warning_and_an_error_when_all_are():
    images = [*balanced(), image("train/cat/broken.jpg", "cat", "train", readable=False, phash="")]
    (issue,) = only(images, Code.UNREADABLE_IMAGES)
    assert issue.severity == "warning" and "1 of 21 images cannot be read" in issue.message
    assert "'train/cat/broken.jpg'" in issue.message
    broken = [image(f"{n}.jpg", "cat" if n % 2 else "dog", readable=False, phash="") for n in range(4)]
    (issue,) = only(broken, Code.UNREADABLE_IMAGES)
    assert issue.severity == "error" and "None of the 4 images" in issue.message


def test_a_node_bound_to_another_project_is_not_checked():
    project = ProjectFacts(id="p1", name="Birds", labelled_per_class={"cat": 10, "dog": 10})
    bound = ("data", "dataset.project", {"project_id": "other"})
    images = [*balanced(), image("val/x.jpg", "cat", "val", content="sha-train/cat/5.jpg")]
    codes = {i.code for i in issues_of(images, bound, MODEL, project=project)}
    assert codes == {Code.UNKNOWN_PROJECT}


def brute_force(values: np.ndarray, max_bits: int) -> dict[int, set[int]]:
    found = {
        i: {j for j in range(len(values)) if j != i and bin(int(values[i]) ^ int(values[j])).count("1") <= max_bits}
        for i in range(len(values))
    }
    return {i: near for i, near in found.items() if near}


@pytest.mark.parametrize("max_bits", [1, 3, 6])
def test_near_neighbours_match_brute_force(max_bits):
    rng = np.random.default_rng(max_bits)
    base = rng.integers(0, 2**63, size=150, dtype=np.uint64)
    noise = [
        int(v) ^ (1 << int(b)) ^ (1 << int(c)) for v, b, c in zip(base[:60], *rng.integers(0, 64, (2, 60)), strict=True)
    ]
    values = np.unique(np.array([*base.tolist(), *noise, 0, 1, 3], dtype=np.uint64))
    assert near_neighbours(values, max_bits) == brute_force(values, max_bits)


def test_checks_on_15000_images_find_the_copies_among_them():
    rng = random.Random(1)
    images = [
        image(f"{n}.jpg", f"class{n % 20}", size=(rng.randint(50, 400), rng.randint(50, 400))) for n in range(15_000)
    ]
    images += [image(f"copy{n}.jpg", "class0", phash=flip_bits(images[n * 20].phash, 1)) for n in range(300)]
    images += [image(f"blank{n}.jpg", "class1", phash="0" * 16) for n in range(500)]  # one crowded bucket
    issues = issues_of(images)  # its speed is measured in bench/, not asserted here (a shared CI machine)
    assert {Code.NEAR_DUPLICATE_IMAGES, Code.NEAR_DUPLICATE_LEAKAGE} <= {i.code for i in issues}


def test_the_balance_fix_reaches_the_job_spec():
    labelled = LabelledImages(
        class_names=["cat", "dog"],
        items=[
            LabelledImage(
                content_hash=hashlib.sha256(bytes([n])).hexdigest(), suffix=".png", label="cat" if n % 4 else "dog"
            )
            for n in range(20)
        ],
    )
    graphs = {
        b: Graph.model_validate(chain(("data", "dataset.project", {"balance": b}), MODEL))
        for b in ("none", "weighted_sampling")
    }
    specs = {
        b: compile_job(validate(g, CATALOGUE).valid, CATALOGUE, RunSettings(), labelled, "r") for b, g in graphs.items()
    }
    assert {b: s.dataset.balance for b, s in specs.items()} == {
        "none": "none",
        "weighted_sampling": "weighted_sampling",
    }
