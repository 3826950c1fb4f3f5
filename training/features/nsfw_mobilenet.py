"""nsfwjs's MobileNetV2 as a frozen PyTorch feature network, built on demand from the installed npm package.

Where the weights come from (docs/experiments.md, "A critic that sees with pretrained eyes"): the npm
package ``nsfwjs`` (MIT) bundles GantMan/nsfw_model's Keras MobileNetV2 (alpha 1.0, 224 px) as a
TensorFlow.js layers model with uint8-quantised weights. That model was made by transfer learning:
``keras.applications.MobileNetV2(weights='imagenet', include_top=False)`` frozen, a new head trained on
five NSFW classes, then the layers from ``block_11_expand`` on fine-tuned. The topology the package
ships records exactly that split (``trainable: false`` up to ``block_10``), so blocks 0-10 carry
Keras's ImageNet weights (rounded to 256 levels per tensor); only blocks 11-16 and the head saw NSFW
data. nsfwjs feeds pixels / 255 (range [0, 1]); Keras's ImageNet MobileNetV2 expects [-1, 1].

Nothing is committed: ``ensure_export`` runs ``training/features/nsfw_export.cjs`` (Node, the package's
own loader and @tensorflow/tfjs) once and keeps ``model.json`` + ``weights.f32`` in the ignored
``training/.cache/nsfw_mobilenet_v2/``. ``KerasGraph`` then interprets the Keras topology layer by
layer (channels-first), so the PyTorch graph is the shipped graph, not a re-implementation of it.
Parity with TensorFlow.js: ``training/tests/test_critic_features.py``.
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "node_modules" / "nsfwjs"
EXPORTER = Path(__file__).resolve().with_name("nsfw_export.cjs")
CACHE = REPO / "training" / ".cache" / "nsfw_mobilenet_v2"

# feature maps of the ImageNet-frozen part (stride 4, 8, 16 relative to the input)
DEFAULT_TAPS = ("block_2_add", "block_5_add", "block_9_add")


class MissingPackage(FileNotFoundError):
    pass


def package_version() -> str:
    pj = PACKAGE / "package.json"
    if not pj.exists():
        raise MissingPackage(f"{PACKAGE} is missing: the pretrained critic needs the npm package nsfwjs "
                             "(a devDependency; run `npm ci` in the repository root)")
    return json.loads(pj.read_text())["version"]


def ensure_export(cache: Path = CACHE) -> Path:
    """The exported model folder (model.json, weights.f32), exporting it with Node when missing or
    when it came from another nsfwjs version."""
    version = package_version()
    meta = cache / "model.json"
    if meta.exists() and (cache / "weights.f32").exists():
        if json.loads(meta.read_text()).get("source", "").startswith(f"nsfwjs@{version} "):
            return cache
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("exporting nsfwjs's MobileNetV2 needs Node.js (`node` on PATH)")
    tmp = cache.with_name(cache.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    res = subprocess.run([node, str(EXPORTER), "export", str(tmp)], cwd=REPO, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"nsfw_export.cjs failed ({res.returncode}): {res.stderr.strip()[-2000:]}")
    shutil.rmtree(cache, ignore_errors=True)
    tmp.rename(cache)
    return cache


def _same_pad(x: torch.Tensor, k: Sequence[int], s: Sequence[int]) -> torch.Tensor:
    """TensorFlow's "same" padding (the extra pixel, if any, at the bottom/right)."""
    pads = []
    for dim, kk, ss in ((x.shape[-1], k[1], s[1]), (x.shape[-2], k[0], s[0])):
        total = max((math.ceil(dim / ss) - 1) * ss + kk - dim, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads) if any(pads) else x


class KerasGraph(nn.Module):
    """A Keras functional model (as tfjs serialises it) run in PyTorch, NCHW, inference only.

    Supported layers: InputLayer, ZeroPadding2D, Conv2D, DepthwiseConv2D, BatchNormalization, ReLU,
    Add, AveragePooling2D, Flatten, Dense, Dropout (identity). Weights are non-persistent buffers:
    nothing here is trainable, nothing lands in a checkpoint. ``upto``: drop every layer not needed
    for that layer's output. ``fold_bn``: fold each BatchNormalization into the convolution before it
    (same function, fewer passes; float rounding differs at ~1e-6 relative)."""

    def __init__(self, topology: dict, weights: Dict[str, np.ndarray], upto: Optional[Iterable[str]] = None,
                 fold_bn: bool = False):
        super().__init__()
        layers = topology["config"]["layers"]
        by_name = {l["name"]: l for l in layers}
        self.input_name = topology["config"]["input_layers"][0][0]
        wanted = list(upto) if upto else [topology["config"]["output_layers"][0][0]]
        for n in wanted:
            if n not in by_name:
                raise KeyError(f"no layer {n!r} in the model")
        needed, stack = set(), list(wanted)
        while stack:
            n = stack.pop()
            if n in needed:
                continue
            needed.add(n)
            stack += [i[0] for node in by_name[n]["inbound_nodes"] for i in node]
        self.order: List[dict] = [l for l in layers if l["name"] in needed]
        self.inputs = {l["name"]: [i[0] for node in l["inbound_nodes"] for i in node] for l in self.order}
        self.folded: Dict[str, str] = {}  # BN layer -> the conv it was folded into
        consumers: Dict[str, int] = {}
        for l in self.order:
            for i in self.inputs[l["name"]]:
                consumers[i] = consumers.get(i, 0) + 1
        for l in self.order:
            name, kind = l["name"], l["class_name"]
            for w in ("kernel", "depthwise_kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"):
                if f"{name}/{w}" in weights:
                    self.register_buffer(self._key(name, w), torch.from_numpy(self._to_torch(kind, w, weights[f"{name}/{w}"])),
                                         persistent=False)
            if fold_bn and kind == "BatchNormalization":
                src = self.inputs[name][0]
                if by_name[src]["class_name"] in ("Conv2D", "DepthwiseConv2D") and consumers.get(src) == 1:
                    self._fold(src, by_name[src], name, l["config"])
                    self.folded[name] = src

    @staticmethod
    def _key(layer: str, w: str) -> str:
        return f"{layer}__{w}"

    @staticmethod
    def _to_torch(kind: str, w: str, a: np.ndarray) -> np.ndarray:
        a = np.asarray(a, dtype=np.float32)
        if w == "kernel" and kind == "Conv2D":            # (kh, kw, in, out) -> (out, in, kh, kw)
            return np.ascontiguousarray(a.transpose(3, 2, 0, 1))
        if w == "depthwise_kernel":                       # (kh, kw, in, mult) -> (in * mult, 1, kh, kw)
            kh, kw, cin, mult = a.shape
            return np.ascontiguousarray(a.transpose(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw))
        if w == "kernel" and kind == "Dense":             # (in, out) -> (out, in)
            return np.ascontiguousarray(a.T)
        return np.ascontiguousarray(a)

    def _w(self, layer: str, w: str) -> Optional[torch.Tensor]:
        return getattr(self, self._key(layer, w), None)

    def _fold(self, conv: str, conv_layer: dict, bn: str, bn_cfg: dict) -> None:
        k = self._w(conv, "kernel" if conv_layer["class_name"] == "Conv2D" else "depthwise_kernel")
        scale = self._w(bn, "gamma") / torch.sqrt(self._w(bn, "moving_variance") + bn_cfg["epsilon"])
        bias = self._w(conv, "bias")
        bias = torch.zeros_like(scale) if bias is None else bias
        k.mul_(scale.view(-1, 1, 1, 1))
        new_bias = (bias - self._w(bn, "moving_mean")) * scale + self._w(bn, "beta")
        self.register_buffer(self._key(conv, "bias"), new_bias.contiguous(), persistent=False)

    def _layer(self, l: dict, xs: List[torch.Tensor]) -> torch.Tensor:
        name, kind, c = l["name"], l["class_name"], l["config"]
        x = xs[0]
        if kind == "InputLayer":
            return x
        if kind == "ZeroPadding2D":
            (t, b), (le, r) = c["padding"]
            return F.pad(x, [le, r, t, b])
        if kind in ("Conv2D", "DepthwiseConv2D"):
            if c.get("data_format", "channels_last") != "channels_last" or tuple(c["dilation_rate"]) != (1, 1):
                raise ValueError(f"{name}: unsupported conv config")
            if c["padding"] == "same":
                x = _same_pad(x, c["kernel_size"], c["strides"])
            if kind == "Conv2D":
                y = F.conv2d(x, self._w(name, "kernel"), self._w(name, "bias"), stride=c["strides"])
            else:
                y = F.conv2d(x, self._w(name, "depthwise_kernel"), self._w(name, "bias"), stride=c["strides"],
                             groups=x.shape[1])
            return self._act(y, c.get("activation", "linear"), name)
        if kind == "BatchNormalization":
            if name in self.folded:
                return x
            return F.batch_norm(x, self._w(name, "moving_mean"), self._w(name, "moving_variance"),
                                self._w(name, "gamma"), self._w(name, "beta"), training=False, eps=c["epsilon"])
        if kind == "ReLU":
            if c.get("negative_slope", 0) != 0 or c.get("threshold", 0) != 0:
                raise ValueError(f"{name}: unsupported ReLU config")
            return x.clamp(0, c["max_value"]) if c.get("max_value") is not None else F.relu(x)
        if kind == "Add":
            out = xs[0]
            for other in xs[1:]:
                out = out + other
            return out
        if kind == "AveragePooling2D":
            if c["padding"] != "valid":
                raise ValueError(f"{name}: unsupported pooling padding")
            return F.avg_pool2d(x, c["pool_size"], c["strides"])
        if kind == "Flatten":
            return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # channels-last order, as Keras
        if kind == "Dense":
            return self._act(F.linear(x, self._w(name, "kernel"), self._w(name, "bias")), c["activation"], name)
        if kind == "Dropout":
            return x
        raise ValueError(f"{name}: unsupported layer type {kind}")

    @staticmethod
    def _act(y: torch.Tensor, act: str, name: str) -> torch.Tensor:
        if act == "linear":
            return y
        if act == "relu":
            return F.relu(y)
        if act == "softmax":
            return F.softmax(y, dim=-1)
        raise ValueError(f"{name}: unsupported activation {act}")

    def forward(self, x: torch.Tensor, outputs: Sequence[str]) -> List[torch.Tensor]:
        """``x``: (N, 3, H, W) in the range the network expects; returns the named layers' outputs."""
        vals: Dict[str, torch.Tensor] = {}
        want = set(outputs)
        remaining: Dict[str, int] = {}
        for l in self.order:  # free intermediate maps as soon as no later layer reads them
            for i in self.inputs[l["name"]]:
                remaining[i] = remaining.get(i, 0) + 1
        for l in self.order:
            name = l["name"]
            xs = [x] if name == self.input_name else [vals[i] for i in self.inputs[name]]
            vals[name] = self._layer(l, xs)
            for i in self.inputs[name]:
                remaining[i] -= 1
                if remaining[i] == 0 and i not in want:
                    del vals[i]
        return [vals[n] for n in outputs]


def load_weights(cache: Path) -> tuple:
    meta = json.loads((cache / "model.json").read_text())
    flat = np.fromfile(cache / "weights.f32", dtype="<f4")
    weights = {w["name"]: flat[w["offset"]:w["offset"] + w["size"]].reshape(w["shape"]) for w in meta["weights"]}
    return meta, weights


def load_mobilenet_v2(upto: Optional[Iterable[str]] = None, fold_bn: bool = True, cache: Path = CACHE) -> KerasGraph:
    """nsfwjs's MobileNetV2 in eval mode (exporting it from the package on first use)."""
    meta, weights = load_weights(ensure_export(cache))
    net = KerasGraph(meta["topology"], weights, upto=upto, fold_bn=fold_bn)
    return net.eval()


def random_mobilenet_v2(upto: Optional[Iterable[str]] = None, seed: int = 0, cache: Path = CACHE) -> KerasGraph:
    """The same graph with freshly initialised weights: He-normal convolutions, BatchNorm as identity
    (gamma 1, beta 0, mean 0, var 1). The baseline that tells what pretraining adds."""
    meta, weights = load_weights(ensure_export(cache))
    g = np.random.default_rng(seed)
    fresh = {}
    for name, a in weights.items():
        kind = name.rsplit("/", 1)[1]
        if kind in ("kernel", "depthwise_kernel"):
            fan_in = int(np.prod(a.shape[:-1])) if kind == "kernel" else int(a.shape[0] * a.shape[1])
            fresh[name] = (g.standard_normal(a.shape) * math.sqrt(2.0 / fan_in)).astype(np.float32)
        elif kind in ("gamma", "moving_variance"):
            fresh[name] = np.ones_like(a)
        else:
            fresh[name] = np.zeros_like(a)
    return KerasGraph(meta["topology"], fresh, upto=upto, fold_bn=True).eval()
