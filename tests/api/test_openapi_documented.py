"""The OpenAPI schema says what the routes really answer and take: error codes with their bodies, the media type of
file answers, and the bodies of the routes that read the request stream themselves (uploads, CSV). The browser's
API types are generated from it, so a route that answers 404 or 409 without saying so is a type hole there."""

import re
from pathlib import Path
from typing import Any

import pytest

from backend.app import create_app
from backend.settings import Settings


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    app = create_app(Settings(data_dir=Path(tmp_path_factory.mktemp("openapi")) / "data"))
    return app.openapi_schema.to_schema()["paths"]


def responses(paths: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return paths[path][method]["responses"]


def schema_ref(response: dict[str, Any]) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        ("/api/projects/{project_id}", "get", {"200", "404"}),
        ("/api/projects/{project_id}/classes", "post", {"201", "404", "409"}),
        ("/api/classes/{class_id}", "patch", {"200", "404", "409"}),
        ("/api/workflows/{workflow_id}/runs", "post", {"202", "404", "422"}),
        ("/api/runs/{run_id}/resume", "post", {"202", "404", "409"}),
        ("/api/runs/{run_id}/label-check", "post", {"202", "404", "409"}),
        ("/api/models", "post", {"201", "400", "409", "413", "422"}),
        ("/api/models/download", "post", {"201", "404", "409", "413", "422", "503"}),
        ("/api/runs/{run_id}/predict", "post", {"200", "404", "409", "422", "503"}),
    ],
)
def test_routes_document_the_error_codes_they_answer_with(paths, path, method, codes):
    assert codes <= set(responses(paths, path, method)), sorted(responses(paths, path, method))


def test_errors_are_described_by_their_bodies(paths):
    assert schema_ref(responses(paths, "/api/runs/{run_id}/resume", "post")["409"]) == "ErrorBody"
    assert schema_ref(responses(paths, "/api/workflows/{workflow_id}/runs", "post")["422"]) == "WorkflowIssues"
    assert schema_ref(responses(paths, "/api/workflows/validate", "post")["422"]) == "ValidateResponse"
    assert schema_ref(responses(paths, "/api/projects/{project_id}/assets", "post")["422"]) == "UploadReport"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/assets/{asset_id}/thumbnail", "image/jpeg"),
        ("/api/assets/{asset_id}/file", "image/*"),
        ("/api/runs/{run_id}/items/{index}/cam", "image/png"),
        ("/api/runs/{run_id}/artifacts/{name}", "application/octet-stream"),
        ("/api/projects/{project_id}/labels.csv", "text/csv"),
    ],
)
def test_file_answers_name_their_media_type(paths, path, media_type):
    assert list(responses(paths, path, "get")["200"]["content"]) == [media_type]


def test_streamed_bodies_are_described(paths):
    upload = paths["/api/projects/{project_id}/assets"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload["schema"]["properties"]["files"]["items"]["format"] == "binary"
    assert upload["schema"]["required"] == ["files"]
    weights = paths["/api/models"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(weights["properties"]) == {"file", "architecture"} and weights["required"] == ["file"]
    predict = paths["/api/runs/{run_id}/predict"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert predict["properties"]["file"]["format"] == "binary"
    assert "text/csv" in paths["/api/projects/{project_id}/labels/csv"]["post"]["requestBody"]["content"]


def _component(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The schema itself, `$ref`s followed; a list's item schema."""
    while "$ref" in schema or schema.get("type") == "array":
        schema = components[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema["items"]
    return schema


def _loose_objects(schema: Any, components: dict[str, Any], seen: set[str]) -> list[str]:
    """Where a schema is an object that names no property (only `additionalProperties: true` or nothing)."""
    if isinstance(schema, list):
        return [where for entry in schema for where in _loose_objects(entry, components, seen)]
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return [f"{name}.{where}" for where in _loose_objects(components[name], components, seen)]
    found = []
    if (
        schema.get("type") == "object"
        and not schema.get("properties")
        and schema.get("additionalProperties") in (None, True, {})
    ):
        found.append("(bare object)")
    for key, value in schema.items():
        if key in ("properties", "additionalProperties", "items", "oneOf", "anyOf", "allOf", "prefixItems"):
            if key == "properties":
                found += [f"{p}: {w}" for p, v in value.items() for w in _loose_objects(v, components, seen)]
            else:
                found += _loose_objects(value, components, seen)
    return found


TYPED_ANSWERS = [
    ("/api/nodes", "get", "200", "NodeDescriptor"),
    ("/api/templates", "get", "200", "TemplateRead"),
    ("/api/projects/{project_id}/stats", "get", "200", "DatasetStats"),
    ("/api/projects/{project_id}/assets/layout-preview", "post", "200", "LayoutPreview"),
    ("/api/projects/{project_id}/labels/csv", "post", "200", "CsvImportReport"),
    ("/api/projects/{project_id}/labels/csv", "post", "422", "CsvImportReport"),
    ("/api/classes/{class_id}", "delete", "200", "ClassDeleteResult"),
    ("/api/classes/{class_id}/merge", "post", "200", "ClassMergeResult"),
    ("/api/projects/{project_id}/runs/compare", "get", "200", "RunComparison"),
    ("/api/runs/{run_id}/snapshot", "get", "200", "RunSnapshot"),
    ("/api/runs/{run_id}/artifacts", "get", "200", "ArtifactRead"),
    ("/api/runs/{run_id}/checkpoints", "get", "200", "CheckpointRead"),
    ("/api/runs/{run_id}/predictions", "get", "200", "PredictionPage"),
    ("/api/runs/{run_id}/mislabelled", "get", "200", "MislabelledQueue"),
    ("/api/runs/{run_id}/predict", "post", "200", "PredictResult"),
    ("/api/workflows/{workflow_id}/runs", "post", "202", "RunRead"),
    ("/api/workflows/{workflow_id}/runs", "post", "422", "WorkflowIssues"),
    ("/api/projects/{project_id}/assets", "post", "201", "UploadReport"),
    ("/api/runs/{run_id}/events", "get", "200", "EvaluationEvent"),
]


@pytest.fixture(scope="module")
def components(paths: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    app = create_app(Settings(data_dir=Path(tmp_path_factory.mktemp("openapi-components")) / "data"))
    return app.openapi_schema.to_schema()["components"]["schemas"]


@pytest.mark.parametrize(("path", "method", "code", "model"), TYPED_ANSWERS)
def test_answers_are_objects_with_named_fields(paths, components, path, method, code, model):
    schema = responses(paths, path, method)[code]["content"]["application/json"]["schema"]
    named = _component(schema, components)
    if model == "EvaluationEvent":  # one member of the events' union
        named = components[model]
    assert named.get("title") == model and named.get("type") == "object" and named.get("properties")
    # Free-form on purpose: a node's params (its JSON Schema and defaults), a run's settings and spec values
    allowed = {"params_schema", "defaults", "values", "settings", "params", "extra"}
    loose = [w for w in _loose_objects(named, components, set()) if re.findall(r"(\w+):", w)[-1:][0] not in allowed]
    assert loose == [], loose


def test_run_body_is_optional_and_runs_say_their_lineage(paths, components):
    assert paths["/api/workflows/{workflow_id}/runs"]["post"]["requestBody"]["required"] is False
    run = components["RunRead"]["properties"]
    assert set(run["lineage"]["enum"]) == {"resumed", "extended", "label_check", None}
    assert set(run["status"]["enum"]) == {"queued", "running", "succeeded", "failed", "cancelled", "interrupted"}
    assert run["metrics"]["additionalProperties"] == {"type": "number"}
    assert components["AssetRead"]["properties"]["split"]["enum"] == ["train", "val", None]
