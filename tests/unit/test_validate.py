"""One test per stable issue code, plus the rules that hold for all of them."""

import copy
import re
from pathlib import Path

import pytest

from backend.catalogue import build_catalogue
from backend.graph.issues import Code
from backend.graph.validate import ProjectFacts, ValidationContext, validate_document
from tests.conftest import DATA, FLIP, MODEL, chain
from tests.unit.fixed_weights import FixedWeights

CATALOGUE = build_catalogue()
GOOD = chain(DATA, FLIP, MODEL)


def issues_of(document, context=None):
    return validate_document(document, CATALOGUE, context).issues


def only(document, code, context=None):
    found = [i for i in issues_of(document, context) if i.code == code]
    assert found, f"expected {code}, got {issues_of(document, context)}"
    return found


def test_a_good_chain_has_no_issues():
    assert issues_of(GOOD) == []


def test_validation_never_changes_its_input():
    document = chain(DATA, ("flip", "augment.horizontal_flip", {"p": "2"}), MODEL)
    before = copy.deepcopy(document)
    issues_of(document)
    assert document == before


def test_invalid_graph_shape():
    (issue,) = only({"nodes": "lots"}, Code.INVALID_GRAPH)
    assert issue.field == "nodes"


def test_unsupported_schema_version():
    only({**GOOD, "schema_version": 99}, Code.UNSUPPORTED_SCHEMA_VERSION)


def test_duplicate_node_and_edge_ids():
    document = chain(DATA, FLIP, MODEL)
    document["nodes"].append({"id": "flip", "type": "augment.vertical_flip", "params": {}})
    document["edges"].append(dict(document["edges"][0]))
    only(document, Code.DUPLICATE_NODE_ID)
    only(document, Code.DUPLICATE_EDGE_ID)


def test_unknown_node_type():
    (issue,) = only(chain(DATA, ("x", "augment.teleport", {}), MODEL), Code.UNKNOWN_NODE_TYPE)
    assert issue.node_id == "x"


def test_bad_param_carries_pydantic_message_on_the_field():
    document = chain(DATA, FLIP, ("model", "model.yolov8_cls", {"size": "q", "imgsz": 5000}))
    by_field = {i.field: i for i in only(document, Code.INVALID_PARAM)}
    assert by_field["size"].node_id == "model"
    assert "'n', 's', 'm', 'l' or 'x'" in by_field["size"].message
    assert by_field["imgsz"].message == "Input should be less than or equal to 1280."


def test_unknown_param_is_reported_not_ignored():
    (issue,) = only(chain(("data", "dataset.project", {"val_frac": 0.1}), FLIP, MODEL), Code.INVALID_PARAM)
    assert (issue.node_id, issue.field) == ("data", "val_frac")


def test_augmentation_param_out_of_range():
    (issue,) = only(chain(DATA, ("flip", "augment.horizontal_flip", {"p": 2}), MODEL), Code.INVALID_PARAM)
    assert (issue.node_id, issue.field) == ("flip", "p")


def test_edge_to_a_missing_node():
    document = chain(DATA, FLIP, MODEL)
    document["edges"].append(
        {"id": "ghost", "source": "nowhere", "source_port": "dataset", "target": "model", "target_port": "dataset"}
    )
    (issue,) = only(document, Code.UNKNOWN_NODE)
    assert issue.edge_id == "ghost"


def test_unknown_port():
    document = chain(DATA, FLIP, MODEL)
    document["edges"][1]["target_port"] = "images"
    issue = only(document, Code.UNKNOWN_PORT)[0]
    assert (issue.node_id, issue.field, issue.edge_id) == ("model", "images", "e2")


def test_port_kind_mismatch(monkeypatch):
    from nodes.base import Port
    from nodes.models import YoloV8Cls

    monkeypatch.setattr(YoloV8Cls, "outputs", (Port(name="dataset", kind="model", title="Weights"),))
    document = chain(DATA, MODEL, ("flip", "augment.horizontal_flip", {}))
    (issue,) = only(document, Code.PORT_KIND_MISMATCH)
    assert (issue.node_id, issue.field) == ("flip", "dataset")


def test_missing_required_input():
    document = chain(DATA, FLIP)
    document["nodes"].append({"id": "model", "type": "model.yolov8_cls", "params": {"imgsz": 32}})
    (issue,) = only(document, Code.MISSING_INPUT)
    assert (issue.node_id, issue.field) == ("model", "dataset")


def test_more_than_one_input_on_a_single_input_port():
    document = chain(DATA, FLIP, MODEL)
    document["edges"].append(
        {"id": "e9", "source": "data", "source_port": "dataset", "target": "model", "target_port": "dataset"}
    )
    (issue,) = only(document, Code.TOO_MANY_INPUTS)
    assert (issue.node_id, issue.field) == ("model", "dataset")


def test_cycle():
    document = chain(DATA, FLIP, ("flip2", "augment.vertical_flip", {}), MODEL)
    document["edges"][1] = {
        "id": "e2",
        "source": "flip2",
        "source_port": "dataset",
        "target": "flip",
        "target_port": "dataset",
    }
    document["edges"].append(
        {"id": "e4", "source": "flip", "source_port": "dataset", "target": "flip2", "target_port": "dataset"}
    )
    issues = only(document, Code.CYCLE)
    assert {i.node_id for i in issues} == {"flip", "flip2"}


def test_no_dataset():
    only(chain(FLIP, MODEL), Code.NO_DATASET)


def test_no_model():
    only(chain(DATA, FLIP), Code.NO_MODEL)


def test_more_than_one_model():
    document = chain(DATA, FLIP, MODEL)
    document["nodes"].append({"id": "model2", "type": "model.yolov8_cls", "params": {}})
    document["edges"].append(
        {"id": "e3", "source": "flip", "source_port": "dataset", "target": "model2", "target_port": "dataset"}
    )
    (issue,) = only(document, Code.MULTIPLE_MODELS)
    assert issue.node_id == "model2"


def test_dangling_node_is_a_warning():
    document = chain(DATA, FLIP, MODEL)
    document["nodes"].append({"id": "blur", "type": "augment.gaussian_blur", "params": {}})
    issues = [i for i in issues_of(document) if i.node_id == "blur"]
    dangling = [i for i in issues if i.code == Code.DANGLING_NODE]
    assert dangling and dangling[0].severity == "warning"


def test_imgsz_not_multiple_of_32():
    (issue,) = only(chain(DATA, FLIP, ("model", "model.yolov8_cls", {"imgsz": 100})), Code.IMGSZ_NOT_MULTIPLE_OF_32)
    assert (issue.node_id, issue.field) == ("model", "imgsz")
    assert "96 or 128" in issue.message


def test_unknown_pretrained_weights():
    (issue,) = only(
        chain(DATA, FLIP, ("model", "model.yolov8_cls", {"pretrained": "../../etc/passwd"})), Code.UNKNOWN_WEIGHTS
    )
    assert issue.field == "pretrained"


def with_weights(name, node_type="model.yolo11_cls", size="n"):
    return chain(DATA, FLIP, ("model", node_type, {"size": size, "imgsz": 32, "pretrained": name}))


STORE = build_catalogue(FixedWeights("yolo11s-cls.yaml", "yolov8n-cls.yaml"))


def test_stored_weights_of_the_node_architecture_pass():
    assert validate_document(with_weights("yolo11s-cls-000000000000.pt", size="s"), STORE).issues == []


def test_weights_of_another_size_offer_the_size_as_a_fix():
    issues = validate_document(with_weights("yolo11s-cls-000000000000.pt", size="n"), STORE).issues
    (issue,) = [i for i in issues if i.code == Code.WEIGHTS_ARCHITECTURE_MISMATCH]
    assert (issue.node_id, issue.field, issue.severity) == ("model", "size", "error")
    assert (issue.fix.field, issue.fix.value) == ("size", "s")


def test_weights_of_another_family_are_refused_on_the_pretrained_field():
    issues = validate_document(with_weights("yolov8n-cls-000000000000.pt", node_type="model.yolo26_cls"), STORE).issues
    (issue,) = [i for i in issues if i.code == Code.WEIGHTS_ARCHITECTURE_MISMATCH]
    assert (issue.field, issue.fix) == ("pretrained", None)
    assert "yolov8n-cls.yaml" in issue.message and "yolo26n-cls.yaml" in issue.message


def facts(**counts):
    return ValidationContext(project=ProjectFacts(id="p1", name="Birds", labelled_per_class=counts))


def test_project_with_fewer_than_two_classes():
    (issue,) = only(GOOD, Code.TOO_FEW_CLASSES, facts(sparrow=10))
    assert (issue.node_id, issue.field) == ("data", "project_id")


def test_class_without_labelled_images():
    (issue,) = only(GOOD, Code.CLASS_WITHOUT_IMAGES, facts(sparrow=10, robin=0))
    assert "robin" in issue.message


def test_dataset_bound_to_another_project():
    document = chain(("data", "dataset.project", {"project_id": "other"}), FLIP, MODEL)
    only(document, Code.UNKNOWN_PROJECT, facts(sparrow=3, robin=3))


def test_a_project_with_labelled_classes_passes():
    assert issues_of(GOOD, facts(sparrow=3, robin=3)) == []


def test_every_code_is_tested():
    source = Path(__file__).read_text().split("def test_every_code_is_tested")[0]
    source += Path(__file__).with_name("test_dataset_checks.py").read_text()  # the dataset checks' codes
    tested = set(re.findall(r"Code\.([A-Z0-9_]+)", source))
    assert {c.name for c in Code} <= tested


@pytest.mark.parametrize("junk", [None, [], "graph", 42, {"nodes": [{"id": 1}]}, {"edges": [{}]}])
def test_junk_gets_issues_not_exceptions(junk):
    issues = issues_of(junk)
    assert issues and all(i.code == Code.INVALID_GRAPH for i in issues)


def test_a_graph_without_errors_is_a_valid_graph_with_its_chain_and_parsed_params():
    document = chain(DATA, ("dangling", "augment.vertical_flip", {}), FLIP, MODEL)
    document["edges"] = [e for e in document["edges"] if e["source"] != "dangling"]  # it leads nowhere
    document["edges"].append(
        {"id": "e9", "source": "data", "source_port": "dataset", "target": "flip", "target_port": "dataset"}
    )
    validation = validate_document(document, CATALOGUE)
    assert [i.code for i in validation.issues] == [Code.DANGLING_NODE]  # a warning does not stop it
    valid = validation.valid
    assert [node.id for node in valid.chain] == ["data", "flip", "model"]
    assert (valid.dataset_node.id, valid.model_node.id) == ("data", "model")
    assert valid.dataset_params.val_fraction == 0.2 and valid.model_params.imgsz == 32
    with pytest.raises(TypeError):
        valid.params["model"] = {}  # frozen: what validation parsed is what compile reads


def test_a_graph_with_an_error_has_no_valid_graph():
    validation = validate_document(chain(DATA, ("flip", "augment.horizontal_flip", {"p": "2"}), MODEL), CATALOGUE)
    assert validation.valid is None and validation.issues
    assert validate_document("not a graph", CATALOGUE).valid is None
