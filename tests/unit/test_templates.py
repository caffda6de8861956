from backend.catalogue import build_catalogue
from backend.graph.validate import validate
from backend.templates import describe_templates, instantiate, load_templates


def test_at_least_three_templates_including_the_small_fast_one():
    described = {t["title"]: t for t in describe_templates()}
    assert len(described) >= 3
    small = described["Small model, fast inference, 320px"]
    model = next(n for n in small["graph"]["nodes"] if n["type"] == "model.yolov8_cls")
    assert model["params"] == {"size": "n", "imgsz": 320}
    assert all(t["description"] and t["tags"] for t in described.values())


def test_every_template_validates_with_no_issues_on_its_own():
    catalogue = build_catalogue()
    for template_id, graph in load_templates().items():
        validation = validate(graph, catalogue)
        assert validation.issues == [] and validation.valid is not None, template_id


def test_instantiating_binds_the_dataset_to_the_project():
    graph = instantiate("small-fast-320", "p42", build_catalogue())
    data = next(n for n in graph["nodes"] if n["type"] == "dataset.project")
    assert data["params"]["project_id"] == "p42"
    assert load_templates()["small-fast-320"].nodes[0].params.get("project_id") is None
