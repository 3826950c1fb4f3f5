"""Checkpoint I/O in the official layout (docs/drit-reference.md §7.1) and loading inference nets from it."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional, Tuple

import torch

from training.drit.networks import build_inference_nets

OFFICIAL_KEYS = ["disA", "disA2", "disB", "disB2", "disContent", "enc_c", "enc_a", "gen",
                 "disA_opt", "disA2_opt", "disB_opt", "disB2_opt", "disContent_opt", "enc_c_opt",
                 "enc_a_opt", "gen_opt", "ep", "total_it"]


def arch_entry(enc_a_activation: str) -> dict:
    """The checkpoint's ``arch`` entry: what its weights cannot say (today only E_a's activation,
    ``E_attr``). Empty for the original networks, so their checkpoints keep the official layout."""
    return {} if enc_a_activation == "relu" else {"arch": {"enc_a_activation": enc_a_activation}}


def enc_a_activation(ck: dict) -> str:
    arch = ck.get("arch") or {}
    return arch.get("enc_a_activation", "relu") if isinstance(arch, dict) else "relu"


def save(ck: dict, path: os.PathLike) -> None:
    """Atomic torch.save (write to a temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(ck, tmp)
    os.replace(tmp, path)


def load(path: os.PathLike) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # torch < 1.13 has no weights_only
        return torch.load(path, map_location="cpu")


def infer_arch(ck: dict) -> dict:
    """Variant and widths from the state_dict shapes (enough to rebuild E_c, E_a and G)."""
    enc_c, enc_a, gen = ck["enc_c"], ck["enc_a"], ck["gen"]
    arch = {
        "concat": 1 if "fc_A.0.weight" in enc_a else 0,
        "enc_c_base": enc_c["convA.0.model.1.weight"].shape[0],
        "input_dim_a": enc_c["convA.0.model.1.weight"].shape[1],
        "input_dim_b": enc_c["convB.0.model.1.weight"].shape[1],
    }
    if arch["concat"]:
        arch["enc_a_ndf"] = enc_a["conv_A.1.weight"].shape[0]
        arch["nz"] = enc_a["fc_A.0.weight"].shape[0]
    else:
        arch["enc_a_base"] = enc_a["model_a.1.weight"].shape[0]
        arch["nz"] = enc_a["model_a.16.weight"].shape[0]
        arch["enc_a_activation"] = enc_a_activation(ck)
        arch["gen_up2"] = gen["decA5.1.model.0.weight"].shape[1]  # ConvTranspose2d weight: (in, out, kh, kw)
    return arch


def load_inference_nets(path_or_ck, device="cpu") -> Tuple[torch.nn.Module, torch.nn.Module, torch.nn.Module, dict]:
    """(enc_c, enc_a, gen, arch) in eval mode, from a checkpoint path or dict."""
    ck = load(path_or_ck) if not isinstance(path_or_ck, dict) else path_or_ck
    arch = infer_arch(ck)
    enc_c, enc_a, gen = build_inference_nets(
        arch["concat"], arch["input_dim_a"], arch["input_dim_b"], nz=arch["nz"],
        enc_c_base=arch["enc_c_base"], enc_a_base=arch.get("enc_a_base", 64), enc_a_ndf=arch.get("enc_a_ndf", 64),
        enc_a_activation=arch.get("enc_a_activation", "relu"), gen_up2=arch.get("gen_up2", 0))
    for net, key in ((enc_c, "enc_c"), (enc_a, "enc_a"), (gen, "gen")):
        net.load_state_dict(ck[key])
        net.to(device).eval()
    arch["ep"], arch["total_it"] = ck.get("ep"), ck.get("total_it")
    return enc_c, enc_a, gen, arch


def run_config(ckpt_path: os.PathLike) -> Optional[dict]:
    """The training config.json next to a checkpoint (<run>/checkpoints/x.pth -> <run>/config.json)."""
    p = Path(ckpt_path).resolve()
    for cand in (p.parent / "config.json", p.parent.parent / "config.json"):
        if cand.exists():
            return json.loads(cand.read_text())
    return None


def attribute(enc_a, x: torch.Tensor, domain: str, concat: int, sample: bool = False) -> torch.Tensor:
    """Attribute code of a reference image of `domain` ('a' or 'b')."""
    out = enc_a.forward_a(x) if domain == "a" else enc_a.forward_b(x)
    if concat:
        mu, logvar = out
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if sample else mu
    return out
