"""What a node type is: an id, a category, typed ports and a parameter model.

Everything else — the catalogue served to the UI, parameter validation, the palette, the form — is
derived from these declarations. A node that takes part in the image pipeline also says which
albumentations steps it stands for (`pipeline_steps`). Dataset and model nodes answer the few questions the
compiler and validator ask of their category (`DatasetNode`, `ModelNode`), so those never name a node type.
"""

from collections.abc import Callable
from typing import Any, ClassVar, Literal, Protocol, TypeAlias

from pydantic import BaseModel, ConfigDict, ValidationError

from backend.graph.spec import ModelSpec

Category = Literal["dataset", "preprocessing", "augmentation", "model"]
Split = Literal["train", "val"]
# A node's parameters as its type's `parse_params` returned them: the Params model, or for schema-described nodes
# a dict with the defaults filled in. Validation parses each node once (backend/graph/validate.py `ValidGraph`).
ParsedParams: TypeAlias = BaseModel | dict[str, Any]


class Port(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    kind: str  # edges join ports of the same kind
    title: str
    multiple: bool = False  # an input that accepts more than one edge


class ParamError(BaseModel):
    model_config = ConfigDict(frozen=True)
    field: str | None  # top-level parameter name; None when the problem is with the params as a whole
    message: str


class Step(BaseModel):
    """One albumentations transform a node contributes to the pipeline (compiled into a PipelineStep)."""

    model_config = ConfigDict(frozen=True)
    transform: str
    params: dict[str, Any]
    splits: tuple[Split, ...]


class NodeParams(BaseModel):
    """Base for hand-written parameter models: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NodeType:
    """A kind of node. Subclasses only declare class attributes; they are never instantiated."""

    type_id: ClassVar[str]
    title: ClassVar[str]
    category: ClassVar[Category]
    description: ClassVar[str]
    recommended: ClassVar[bool] = False
    inputs: ClassVar[tuple[Port, ...]] = ()
    outputs: ClassVar[tuple[Port, ...]] = ()
    Params: ClassVar[type[BaseModel]] = NodeParams

    @classmethod
    def params_schema(cls) -> dict[str, Any]:
        return cls.Params.model_json_schema()

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        fields = cls.Params.model_fields
        return {name: f.get_default(call_default_factory=True) for name, f in fields.items() if not f.is_required()}

    @classmethod
    def check_params(cls, raw: dict[str, Any]) -> list[ParamError]:
        try:
            cls.Params.model_validate(raw)
        except ValidationError as error:
            return [
                ParamError(field=str(e["loc"][0]) if e["loc"] else None, message=_sentence(e["msg"]))
                for e in error.errors(include_url=False)
            ]
        return []

    @classmethod
    def parse_params(cls, raw: dict[str, Any]) -> BaseModel:
        """The validated parameters; call only after `check_params` returned no errors."""
        return cls.Params.model_validate(raw)

    @classmethod
    def pipeline_steps(cls, params: ParsedParams, imgsz: int) -> list[Step]:
        """Albumentations steps for this node, in order, from its parsed parameters. Nodes outside the image
        pipeline have none."""
        return []


class DatasetParams(Protocol):
    """What the compiler reads from a dataset node to split its images."""

    val_fraction: float
    seed: int
    stratified: bool
    balance: str


class DatasetNode(NodeType):
    """A source of labelled images."""

    category: ClassVar[Category] = "dataset"

    @classmethod
    def dataset_params(cls, params: ParsedParams) -> DatasetParams:
        """The split settings, from the parsed parameters."""
        return cls.Params.model_validate(params)


class ModelNode(NodeType):
    """A model that training produces. `family` groups the store weights this node can start from."""

    category: ClassVar[Category] = "model"
    family: ClassVar[str]
    sizes: ClassVar[tuple[str, ...]] = ()
    size_param: ClassVar[str] = "size"  # the parameter that picks one of `sizes`
    imgsz_stride: ClassVar[int] = 32  # the input size must be a multiple of this

    @classmethod
    def architecture(cls, size: str) -> str:
        """The Ultralytics model yaml for one size, e.g. "yolo11n-cls.yaml"."""
        raise NotImplementedError

    @classmethod
    def imgsz(cls, params: ParsedParams) -> int:
        """Input size in pixels, from the parsed parameters."""
        raise NotImplementedError

    @classmethod
    def size(cls, params: ParsedParams) -> str:
        """The size letter (one of `sizes`), from the parsed parameters."""
        return str(getattr(cls.Params.model_validate(params), cls.size_param))

    @classmethod
    def model_spec(cls, params: ParsedParams, weights_key_of: Callable[[str], str]) -> ModelSpec:
        """What the worker builds, from the parsed parameters; `weights_key_of` turns a model-store weights name
        into its storage key ("models/<file>.pt"), never a path."""
        raise NotImplementedError


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


DATASET_PORT_KIND = "dataset"
