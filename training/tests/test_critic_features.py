"""The PyTorch port of nsfwjs's MobileNetV2 (training/features/nsfw_mobilenet.py) against TensorFlow.js
itself: the same real photos through both, intermediate feature maps and the final class
probabilities compared. The reference is computed afresh by Node (training/features/nsfw_export.cjs,
nsfwjs's own loader + @tensorflow/tfjs's CPU backend), never stored."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from training.features import nsfw_mobilenet as NM

REPO = Path(__file__).resolve().parents[2]
PHOTOS = [REPO / "public" / "examples" / "chelsea.png", REPO / "fixtures" / "translate" / "input.png",
          REPO / "fixtures" / "translate" / "reference.png"]
# early/middle taps the critic uses, the last frozen-ImageNet block, the fine-tuned end, the output
LAYERS = ["block_2_add", "block_5_add", "block_9_add", "block_10_project_BN", "out_relu", "dense_3"]

pytestmark = pytest.mark.skipif(not NM.PACKAGE.exists() or shutil.which("node") is None,
                                reason="needs node_modules/nsfwjs (npm ci) and Node.js")


def photos(size: int = 224) -> np.ndarray:
    """(N, H, W, 3) float32 in [0, 1]: what nsfwjs feeds its model (pixels / 255)."""
    out = []
    for p in PHOTOS:
        im = Image.open(p).convert("RGB").resize((size, size), Image.BILINEAR)
        out.append(np.asarray(im, dtype=np.float32) / 255.0)
    return np.stack(out)


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    d = tmp_path_factory.mktemp("nsfw_golden")
    x = photos()
    (d / "input.f32").write_bytes(x.astype("<f4").tobytes())
    res = subprocess.run(["node", str(NM.EXPORTER), "golden", str(d), str(d / "input.f32"), str(x.shape[0]),
                          "224", "224", ",".join(LAYERS)], cwd=REPO, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    shapes = json.loads((d / "shapes.json").read_text())
    ref = {n: np.fromfile(d / f"{n}.f32", dtype="<f4").reshape(shapes[n]) for n in LAYERS}
    return x, ref


def _nchw(a: np.ndarray) -> np.ndarray:
    return a.transpose(0, 3, 1, 2) if a.ndim == 4 else a


@pytest.mark.parametrize("fold_bn", [False, True])
def test_pytorch_port_matches_tfjs(golden, fold_bn):
    x, ref = golden
    net = NM.load_mobilenet_v2(upto=LAYERS, fold_bn=fold_bn)
    with torch.no_grad():
        outs = net(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), LAYERS)
    for name, out in zip(LAYERS, outs):
        r = _nchw(ref[name])
        assert out.shape == r.shape, name
        err = float(np.abs(out.numpy() - r).max())
        scale = float(np.abs(r).max())
        # float32 through up to 52 layers, two libraries summing in different orders: relative
        # error ~1e-6 per layer; 1e-4 of the map's own range leaves headroom and still catches any
        # wrong transpose, padding side or epsilon (those give errors of order 1e-1 of the range)
        assert err <= 1e-4 * scale, f"{name}: max |torch - tfjs| = {err:.3g} (range {scale:.3g})"
    probs = outs[-1].numpy()
    assert np.allclose(probs.sum(1), 1.0, atol=1e-5)
    assert (probs.argmax(1) == ref["dense_3"].argmax(1)).all()


def test_gradient_reaches_the_input_and_weights_stay_frozen():
    net = NM.load_mobilenet_v2(upto=["block_5_add"])
    assert not list(net.parameters()) and net.state_dict() == {}
    before = {k: v.clone() for k, v in net.named_buffers()}
    x = torch.rand(1, 3, 64, 64, requires_grad=True)
    net(x, ["block_5_add"])[0].square().mean().backward()
    assert x.grad is not None and float(x.grad.abs().sum()) > 0
    assert all(torch.equal(before[k], v) for k, v in net.named_buffers())


def test_missing_package_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(NM, "PACKAGE", tmp_path / "nsfwjs")
    with pytest.raises(NM.MissingPackage, match="npm package nsfwjs"):
        NM.ensure_export(tmp_path / "cache")
