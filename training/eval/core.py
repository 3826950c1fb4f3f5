"""What the evaluation entry points share: loading a model, the cached realism judge, image measures."""
from __future__ import annotations

import random
from pathlib import Path

import torch

from training.drit.pack import load_pack
from training.eval.realism import Judge, train_judge
from training.trainer import checkpoint as ckpt_io
from training.trainer.data import RunSplit, crop_flip, to_tensor

JUDGE_CACHE = "training/runs/_judge"  # default folder for trained judges


def load_model(path: str):
    """(enc_c, enc_a, gen, arch, run config) from a checkpoint file or a model pack folder."""
    p = Path(path)
    if p.is_dir() and (p / "manifest.json").exists():
        manifest, enc_c, enc_a, gen = load_pack(p)
        pre = manifest["preprocess"]
        prov = manifest.get("provenance", {})
        arch = {"concat": manifest["variant"]["concat"], "nz": manifest["nz"],
                "ep": prov.get("epoch"), "total_it": prov.get("totalIterations")}
        return enc_c, enc_a, gen, arch, {"resize_size": pre["resize"], "crop_size": pre["crop"]}
    enc_c, enc_a, gen, arch = ckpt_io.load_inference_nets(path)
    return enc_c, enc_a, gen, arch, ckpt_io.run_config(path) or {}


def get_judge(imgs: dict, split: RunSplit, epochs: int, seed: int, cache_dir: str | None, log) -> Judge:
    """The realism judge trained on the training-split photos ``imgs[d][0]`` of both domains, cached
    per (split, resolution, epochs, seed) under ``cache_dir`` (None or '' = no cache)."""
    key = f"judge_h{split.holdout}_s{split.split_seed}_r{split.resize}_c{split.crop}_e{epochs}_seed{seed}_v2.pt"
    cache = Path(cache_dir) / key if cache_dir else None
    judge = Judge()
    if cache is not None and cache.exists():
        judge.load_state_dict(torch.load(cache, map_location="cpu", weights_only=True))
        judge.eval()
        log(f"realism judge: cached {cache}")
        return judge
    log("training the realism judge (cat / dog / not a real animal) on real training-split images")
    with torch.enable_grad():
        judge = train_judge(imgs["A"][0], imgs["B"][0], split.crop, epochs, seed, log)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        torch.save(judge.state_dict(), cache)
    return judge


def centre(imgs, crop: int) -> torch.Tensor:
    """Centre crops of square-resized uint8 images, as a [-1, 1] NCHW batch."""
    return torch.stack([to_tensor(crop_flip(im, crop, random.Random(0), False, False)) for im in imgs])


def power_spectrum(x: torch.Tensor) -> torch.Tensor:
    """Per image of an NCHW batch: the power spectrum (N, H, W) of its grey level, mean removed."""
    g = x.float().mean(1)
    return torch.fft.fft2(g - g.mean((1, 2), keepdim=True)).abs() ** 2


def grid_power(x: torch.Tensor) -> float:
    """Mean share (x 10^4) of an NCHW batch's spectral power at the period-2 frequencies."""
    p = power_spectrum(x)
    h, w = p.shape[1:]
    grid = p[:, h // 2, 0] + p[:, 0, w // 2] + p[:, h // 2, w // 2]
    return float((grid / p.sum((1, 2)).clamp(min=1e-12)).mean()) * 1e4
