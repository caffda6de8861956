"""Eigen-CAM heatmaps for a YOLOv8 classifier, computed with the `grad-cam` library.

Eigen-CAM needs no target class: it projects the activations of the layer feeding the classification head
onto their first principal component, which shows where the model looks.
"""

import numpy as np
import torch
from pytorch_grad_cam import EigenCAM
from pytorch_grad_cam.utils.image import show_cam_on_image


class _Logits(torch.nn.Module):
    """Ultralytics' ClassificationModel returns a tuple in eval mode; grad-cam wants a tensor."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.model(x)
        return out[0] if isinstance(out, tuple | list) else out


MIN_CAM_SIDE = 4  # a 1×1 feature map says nothing about where the model looks


def _target_layer(model: torch.nn.Module, images: torch.Tensor) -> torch.nn.Module:
    """The deepest feature stage (before the Classify head) whose map is still at least MIN_CAM_SIDE wide:
    the head's input at 224 px and up, an earlier stage for tiny images such as 32 px digits."""
    sides: dict[int, int] = {}
    hooks = [
        layer.register_forward_hook(lambda _m, _i, out, n=n: sides.__setitem__(n, out.shape[-1]))
        for n, layer in enumerate(model.model[:-1])
    ]
    try:
        with torch.no_grad():
            model(images[:1])
    finally:
        for hook in hooks:
            hook.remove()
    usable = [n for n, side in sides.items() if side >= MIN_CAM_SIDE] or [0]
    return model.model[max(usable)]


def eigen_cam(model: torch.nn.Module, images: torch.Tensor) -> np.ndarray:
    """`images`: N×3×H×W in [0, 1] → N×H×W heatmaps in [0, 1]."""
    model = model.float().eval()
    target = _target_layer(model, images)
    with EigenCAM(model=_Logits(model), target_layers=[target]) as cam:
        return cam(input_tensor=images.float(), targets=None).astype(np.float32)


def overlay(image_rgb: np.ndarray, heatmap: np.ndarray) -> np.ndarray:
    """The heatmap over the image (both H×W), as an RGB uint8 picture."""
    return show_cam_on_image(image_rgb.astype(np.float32) / 255.0, heatmap, use_rgb=True, image_weight=0.55)


def cam_overlays(model: torch.nn.Module, images: torch.Tensor) -> list[np.ndarray]:
    """`images`: N×3×H×W in [0, 1], as the model sees them → N RGB uint8 pictures (H×W×3) with their heatmaps."""
    heatmaps = eigen_cam(model, images)
    pictures = (images.detach().float().cpu().clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).numpy()
    return [overlay(picture, heatmap) for picture, heatmap in zip(pictures, heatmaps, strict=True)]
