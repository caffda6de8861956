"""Which nodes the int8 model keeps in fp32, on a tiny hand-built graph (no training): the first convolution and its
SiLU stay fp32 (onnxruntime fuses that SiLU into one fp32 pass; int8 would take two), later SiLUs are int8."""

from pathlib import Path

import cv2
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from backend.worker.pipeline import build_transforms
from backend.worker.quantize import quantize_file


def _conv_silu(index: int, source: str, channels_in: int, rng: np.random.Generator) -> tuple[list, list, str]:
    weight = numpy_helper.from_array(rng.normal(size=(8, channels_in, 3, 3)).astype(np.float32), f"w{index}")
    nodes = [
        helper.make_node("Conv", [source, f"w{index}"], [f"c{index}"], name=f"conv{index}", pads=[1, 1, 1, 1]),
        helper.make_node("Sigmoid", [f"c{index}"], [f"s{index}"], name=f"sigmoid{index}"),
        helper.make_node("Mul", [f"c{index}", f"s{index}"], [f"a{index}"], name=f"mul{index}"),
    ]
    return nodes, [weight], f"a{index}"


def _tiny_classifier(path: Path) -> None:
    rng = np.random.default_rng(0)
    first, first_weights, out1 = _conv_silu(1, "images", 3, rng)
    second, second_weights, out2 = _conv_silu(2, out1, 8, rng)
    head = numpy_helper.from_array(rng.normal(size=(8, 4)).astype(np.float32), "head")
    nodes = (
        first
        + second
        + [
            helper.make_node("GlobalAveragePool", [out2], ["pooled"], name="pool"),
            helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten"),
            helper.make_node("MatMul", ["flat", "head"], ["logits"], name="linear"),
            helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
        ]
    )
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, 32, 32])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 4])],
        first_weights + second_weights + [head],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, str(path))


def test_the_first_conv_and_its_silu_stay_fp32_later_silus_are_int8(tmp_path: Path):
    fp32, int8 = tmp_path / "best.onnx", tmp_path / "best.int8.onnx"
    _tiny_classifier(fp32)
    images = []
    for i in range(4):
        images.append(str(tmp_path / f"{i}.png"))
        cv2.imwrite(images[-1], np.random.default_rng(i).integers(0, 256, (32, 32, 3), dtype=np.uint8))

    quantize_file(fp32, int8, images, build_transforms([], "val", 32))

    ops = {node.name: node.op_type for node in onnx.load(str(int8)).graph.node}
    assert (ops["conv1"], ops["sigmoid1"], ops["mul1"]) == ("Conv", "Sigmoid", "Mul")
    assert ops["linear"] == "MatMul" and ops["softmax"] == "Softmax"
    later = [op for name, op in ops.items() if name.startswith(("conv2", "sigmoid2", "mul2"))]
    assert sorted(later) == ["QLinearConv", "QLinearMul", "QLinearSigmoid"]
