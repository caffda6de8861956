"""The fast paths of validate and compile (issue 12) answer exactly what the plain code does: the parameter size
check that skips the string walk, checks, parses and pipeline steps remembered by their parameters, and dataset
checks remembered for a tuple of facts handed in again. Each is compared with the plain computation on varied,
seeded inputs: good and broken parameters, duplicate ids, unknown types and ports, many image sets."""

import json
import random
from typing import Any

import pytest
from pydantic import ValidationError

from backend.catalogue import build_catalogue
from backend.datasets.labelled import LabelledImage, LabelledImages
from backend.graph import compile as compile_module
from backend.graph import dataset_checks, fast_checks
from backend.graph import validate as validate_module
from backend.graph.compile import compile_job
from backend.graph.dataset_checks import ModelInput, check_images
from backend.graph.facts import ImageFacts, KeptFacts
from backend.graph.schema import MAX_PARAM_STRING_LENGTH, MAX_PARAMS_JSON_BYTES, Node, _longest_string
from backend.graph.spec import RunSettings
from backend.graph.validate import ProjectFacts, ValidationContext, validate_document
from nodes.datasets import ProjectDatasetParams

CATALOGUE = build_catalogue()
AUGMENTATIONS = sorted(d["type"] for d in CATALOGUE.describe() if d["type"].startswith("augment."))
IMAGES = LabelledImages(
    class_names=["a", "b"],
    items=[LabelledImage(content_hash=f"{n:064x}", suffix=".jpg", label="ab"[n % 2]) for n in range(12)],
)


def plain_size_problem(params: dict[str, Any]) -> str | None:
    """The size check as it was before its fast path: the whole string walk every time."""
    try:
        size = len(json.dumps(params, separators=(",", ":"), default=str))
        longest = _longest_string(params)
    except (ValueError, RecursionError):
        size = longest = MAX_PARAMS_JSON_BYTES + 1
    if longest > MAX_PARAM_STRING_LENGTH:
        return f"string {longest}"
    if size > MAX_PARAMS_JSON_BYTES:
        return f"size {size}"
    return None


def size_problem(params: dict[str, Any]) -> str | None:
    try:
        Node(id="n", type="t", params=params)
    except ValidationError as error:
        (problem,) = error.errors()
        context = problem["ctx"]
        return f"{'string' if context['limit'] == MAX_PARAM_STRING_LENGTH else 'size'} {context['size']}"
    return None


def random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(
        ["str", "long", "unicode", "int", "float", "none", "list", "tuple", "dict"][: 6 + 3 * (depth < 3)]
    )
    if kind == "str":
        return "x" * rng.randint(0, 40)
    if kind == "long":
        return "y" * rng.choice([990, 999, 1000, 1001, 1200, 5000])
    if kind == "unicode":
        return "é☃" * rng.randint(100, 600)  # escaped longer than it is: \u00e9
    if kind in ("int", "float", "none"):
        return {"int": rng.randint(-9, 10**12), "float": rng.random() * 1e20, "none": None}[kind]
    items = [random_value(rng, depth + 1) for _ in range(rng.randint(0, 8))]
    if kind == "dict":
        return {("k" * rng.choice([1, 5, 998, 1001])) + str(n): item for n, item in enumerate(items)}
    return items if kind == "list" else tuple(items)


def test_the_size_check_without_the_walk_refuses_exactly_what_the_walk_did():
    rng = random.Random(12)
    outcomes = set()
    for _ in range(250):
        params = {f"p{n}": random_value(rng) for n in range(rng.randint(0, 6))}
        expected = plain_size_problem(params)
        assert size_problem(params) == expected, params
        outcomes.add(expected.split()[0] if expected else None)
    assert outcomes == {None, "string", "size"}  # all three answers were reached


def varied_graph(rng: random.Random, broken: bool = True) -> dict[str, Any]:
    """A chain of augmentations with branches; `broken`: some parameters broken, some ids repeated, some types and
    ports unknown."""
    nodes: list[dict[str, Any]] = [{"id": "data", "type": "dataset.project", "params": {"seed": rng.randint(0, 3)}}]
    edges: list[dict[str, Any]] = []
    odds = 1.0 if broken else 0.0
    for n in range(rng.randint(1, 15)):
        kind = rng.choice(AUGMENTATIONS)
        params = dict(CATALOGUE.get(kind).defaults())
        roll = rng.random()
        if roll < 0.15 * odds:
            params["p"] = rng.choice([1.5, -1, "often", None])
        elif roll < 0.2 * odds:
            params["no_such_parameter"] = 1
        elif roll < 0.3:
            params = {"p": rng.choice([0.0, 0.25, 1.0])}
        node_id = f"n{n}" if rng.random() > 0.05 * odds else "n0"
        nodes.append({"id": node_id, "type": kind if rng.random() > 0.03 * odds else "augment.nope", "params": params})
        source = nodes[-2]["id"] if rng.random() > 0.2 else rng.choice(nodes[:-1])["id"]
        port = "dataset" if rng.random() > 0.03 * odds else "pictures"
        edges.append(
            {"id": f"e{n}", "source": source, "source_port": port, "target": node_id, "target_port": "dataset"}
        )
    imgsz = rng.choice([32, 64, 100, 224])
    nodes.append({"id": "model", "type": "model.yolov8_cls", "params": {"size": "n", "imgsz": imgsz}})
    edges.append({"id": "e-model", "source": nodes[-2]["id"], "source_port": "dataset", "target": "model", "target_port": "dataset"})  # fmt: skip
    return {"schema_version": 1, "name": "varied", "nodes": nodes, "edges": edges}


def plain_checked_params(node_type, params):
    problems = tuple(node_type.check_params(params))
    return problems, None if problems else node_type.parse_params(params), repr(params)


def plain_pipeline_steps(node_type, params, imgsz, params_key=None):
    return tuple(node_type.pipeline_steps(params, imgsz))


def outcome(graph: dict[str, Any]) -> tuple[Any, ...]:
    validation = validate_document(graph, CATALOGUE)
    if validation.valid is None:
        return validation.issues, None, None
    spec = compile_job(validation.valid, CATALOGUE, RunSettings(epochs=1), IMAGES, "run")
    return validation.issues, dict(validation.valid.params), spec.model_dump()


def test_remembered_checks_and_steps_give_what_the_plain_calls_give(monkeypatch):
    rng = random.Random(5)
    graphs = [varied_graph(rng, broken=n % 2 == 0) for n in range(24)]
    remembered = [outcome(graph) for graph in graphs]  # first sight: computed and remembered
    again = [outcome(graph) for graph in graphs]  # from memory
    monkeypatch.setattr(validate_module, "checked_params", plain_checked_params)
    monkeypatch.setattr(compile_module, "pipeline_steps", plain_pipeline_steps)
    plain = [outcome(graph) for graph in graphs]
    assert remembered == plain and again == plain
    assert sum(spec is not None for _, _, spec in plain) >= 5 and sum(spec is None for _, _, spec in plain) >= 5


def test_a_remembered_parse_is_a_fresh_copy_for_each_caller():
    fast_checks._REMEMBERED_PROBLEMS.clear()  # the first caller's parse too (it was the one remembered)
    graph = varied_graph(random.Random(1), broken=False)
    first, second = validate_document(graph, CATALOGUE), validate_document(graph, CATALOGUE)
    assert first.valid is not None and second.valid is not None
    flip = next(node.id for node in first.valid.chain[1:-1])
    first.valid.params[flip]["p"] = "changed by one caller"
    assert second.valid.params[flip]["p"] != "changed by one caller"
    assert validate_document(graph, CATALOGUE).valid.params[flip]["p"] != "changed by one caller"


@pytest.mark.parametrize("seed", range(2))
def test_dataset_checks_remembered_for_a_tuple_of_facts_give_what_a_fresh_check_gives(seed):
    rng = random.Random(seed)
    labels = [f"c{n}" for n in range(rng.randint(2, 4))]
    facts = KeptFacts(
        ImageFacts(
            path=f"/d/{n}.jpg",
            name=f"{n}.jpg",
            content_hash=f"h{rng.randint(0, 60)}",
            label=rng.choice(labels),
            split=rng.choice([None, None, "train", "val"]),
            width=rng.choice([16, 24, 640]),
            height=rng.choice([16, 24, 480]),
            phash=f"{rng.getrandbits(4):016x}",
            readable=rng.random() > 0.05,
        )
        for n in range(rng.randint(20, 80))
    )
    for _ in range(6):
        params = ProjectDatasetParams(
            val_fraction=rng.choice([0.1, 0.2, 0.5]),
            seed=rng.randint(0, 2),
            balance=rng.choice(["none", "weighted_sampling"]),
        )
        model = ModelInput("model", rng.choice([32, 224]), 32)
        resize = rng.choice([None, ("resize", "center_crop"), ("resize", "letterbox")])
        fresh = check_images("data", params, tuple(facts), model, resize)  # a plain tuple: never remembered
        assert check_images("data", params, facts, model, resize) == fresh
        assert check_images("data", params, facts, model, resize) == fresh  # from memory
    assert [kept for kept, _ in dataset_checks._REMEMBERED] == [facts]  # the plain tuple is not kept alive


def test_validation_with_remembered_dataset_checks_matches_a_copy_of_the_facts():
    rng = random.Random(9)
    facts = KeptFacts(
        ImageFacts(
            path=f"/d/{n}",
            name=f"{n}",
            content_hash=f"h{n % 33}",
            label=f"c{n % 3}",
            width=20,
            height=20,
            phash=f"{rng.getrandbits(3):016x}",
        )  # fmt: skip
        for n in range(40)
    )
    project = ProjectFacts(id="p", name="p", labelled_per_class={"c0": 14, "c1": 13, "c2": 13})
    graph = varied_graph(random.Random(3), broken=False)
    kept = ValidationContext.model_construct(project=project, images=facts)
    copied = ValidationContext(project=project, images=tuple(fact.model_copy() for fact in facts))
    first = validate_document(graph, CATALOGUE, kept).issues
    assert (
        validate_document(graph, CATALOGUE, kept).issues == first == validate_document(graph, CATALOGUE, copied).issues
    )
    assert fast_checks.PARAM_CHECKS_REMEMBERED >= 300  # a 300-node graph's distinct parameters fit
