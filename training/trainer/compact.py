"""Compact resumable checkpoint: what the repository keeps of a run (``training/resume/``) so that
a later run, on another machine, resumes it where it stopped.

The official layout (``latest.pth``: 8 float32 state_dicts + 8 Adam states) is 3x the weights
(57 MB at the CPU widths). Here, per part, what resuming needs and no more:

* **weights** of all 8 networks in float16 (relative rounding 5e-4, far below one Adam step);
* **EMA** of E_c, E_a, G as the difference to the (rounded) live weights, int8 per block of 256
  values with a float32 scale per block: the difference is small, so its quantisation error is
  ~1e-3 of the difference, not of the weight;
* **Adam's second moment** (``exp_avg_sq``, beta2 = 0.999: ~1000 steps of memory, the part that
  would take long to rebuild) as 8-bit codes of log2(v) between the tensor's own min and max
  (values span many octaves; a linear code would round small ones to 0 and blow up the step),
  code 0 reserved for exact zeros. The first moment (``exp_avg``) is dropped: with beta1 = 0.5 it
  remembers ~2 steps and is rebuilt at once;
* the run's counters (epoch, iterations, images seen, CPU seconds, wall seconds) and config.

Only tensors, numbers and strings are stored, and the file is read with ``weights_only=True``: a
tampered file cannot run code. The trainer writes only the official pair (``checkpoints/latest.pth``
+ ``ema.pth``); ``training.tools.keep_run`` builds this file from that pair, ``run_info.json`` and
``config.json`` (``from_run``) and keeps it xz-compressed (``training/resume/<run>/resume.pt.xz``,
~27 % smaller than plain). ``read_resume`` reads the plain or the xz form; ``--resume`` takes it or
the official ``latest.pth``. Tests: ``training/tests/test_recipe.py``.
"""
from __future__ import annotations

import io
import json
import lzma
import os
from pathlib import Path
from typing import Dict, Optional

import torch

from training.trainer import checkpoint
from training.trainer.ema import EMA_NETS

FORMAT = "drit-resume-v1"
BLOCK = 256
V_FLOOR = 1e-18


def _quantise_blocks(x: torch.Tensor) -> Dict[str, torch.Tensor]:
    flat = x.detach().float().reshape(-1).cpu()
    pad = (-flat.numel()) % BLOCK
    blocks = torch.cat([flat, flat.new_zeros(pad)]).view(-1, BLOCK)
    scale = blocks.abs().amax(dim=1).clamp_min(1e-30) / 127.0
    q = torch.round(blocks / scale[:, None]).clamp(-127, 127).to(torch.int8)
    return {"q": q.reshape(-1)[: flat.numel()].clone(), "scale": scale}


def _dequantise_blocks(d: Dict[str, torch.Tensor], like: torch.Tensor) -> torch.Tensor:
    q = d["q"].float()
    pad = (-q.numel()) % BLOCK
    blocks = torch.cat([q, q.new_zeros(pad)]).view(-1, BLOCK) * d["scale"][:, None]
    return blocks.reshape(-1)[: like.numel()].view(like.shape).to(like.dtype)


def _quantise_log(v: torch.Tensor) -> Dict[str, torch.Tensor]:
    v = v.detach().float().reshape(-1).cpu()
    pos = v > 0
    codes = torch.zeros(v.numel(), dtype=torch.uint8)
    if not bool(pos.any()):
        return {"codes": codes, "lo": torch.tensor(0.0), "hi": torch.tensor(0.0)}
    # below V_FLOOR, sqrt(v) < 1e-9 is lost in Adam's eps (1e-8): no need to spend codes there
    lg = torch.log2(v[pos].clamp_min(V_FLOOR))
    lo, hi = lg.min(), lg.max()
    span = (hi - lo).clamp_min(1e-12)
    codes[pos] = (torch.round((lg - lo) / span * 254.0) + 1).to(torch.uint8)  # 1..255
    return {"codes": codes, "lo": lo, "hi": hi}


def _dequantise_log(d: Dict[str, torch.Tensor], like: torch.Tensor) -> torch.Tensor:
    codes = d["codes"].float()
    span = (d["hi"] - d["lo"]).clamp_min(1e-12)
    v = torch.pow(2.0, d["lo"] + (codes - 1) / 254.0 * span)
    v = torch.where(codes == 0, torch.zeros_like(v), v)
    return v.view(like.shape).to(device=like.device, dtype=like.dtype)


def from_official(ck: dict, ema: Optional[dict], counters: Dict[str, float], config_json: str) -> dict:
    """The compact checkpoint of an official one (``latest.pth``, as ``checkpoint.load`` returns it)
    and its EMA (``ema.pth``, or None): every network that has an optimiser state in ``ck`` (the 8
    official ones and any critic heads), in ``ck``'s order."""
    names = [k for k in ck if isinstance(ck.get(k + "_opt"), dict)]
    weights = {n: {k: v.detach().cpu().to(torch.float16) if v.is_floating_point() else v.detach().cpu()
                   for k, v in ck[n].items()} for n in names}
    # numbers travel as JSON text: torch 1.13's weights_only reader has no opcode for Python floats
    out: Dict[str, object] = {"format": FORMAT, "config": config_json, "counters": json.dumps(counters), "weights": weights}
    if ema is not None:
        out["ema"] = {n: {k: _quantise_blocks(ema[n][k].float() - weights[n][k].float()) for k in ema[n]}
                      for n in EMA_NETS}
    adam = {}
    for n in names:
        opt = ck[n + "_opt"]
        per = []
        # the optimiser's parameters in order, as ``[p for g in opt.param_groups for p in g["params"]]``
        for i in (i for g in opt["param_groups"] for i in g["params"]):
            st = opt["state"].get(i)
            if not st:
                per.append({"step": torch.tensor(0.0)})
                continue
            per.append({"step": torch.tensor(float(st["step"])), "v": _quantise_log(st["exp_avg_sq"])})
        adam[n] = per
    out["adam"] = adam
    return out


class RunNotSettled(RuntimeError):
    """A run's checkpoint files are from different moments (a save under way)."""


def from_run(run: os.PathLike) -> dict:
    """The compact checkpoint of a run folder: ``checkpoints/latest.pth`` (+ ``ema.pth`` when the run
    keeps an EMA), the counters of ``run_info.json`` and ``config.json``. Raises ``RunNotSettled``
    when these are not from one save (the trainer writes them one after the other)."""
    run = Path(run)
    ck = checkpoint.load(run / "checkpoints" / "latest.pth")
    ema_path = run / "checkpoints" / "ema.pth"
    ema = checkpoint.load(ema_path) if ema_path.exists() else None
    info = json.loads((run / "run_info.json").read_text())
    total_it = int(ck["total_it"])
    seen = {"latest.pth": total_it, "run_info.json": int(info["total_it"])}
    if ema is not None:
        seen["ema.pth"] = int(ema["total_it"])
    if len(set(seen.values())) != 1:
        raise RunNotSettled(f"{run}: total_it differs between {seen}")
    counters = {"ep": int(ck["ep"]), "total_it": total_it, "wall_s": float(info.get("wall_time_s", 0.0)),
                "cpu_s": float(info.get("cpu_time_s", 0.0)), "images": int(info.get("images_seen", 0)),
                "ema_updates": int(ema.get("ema_updates", total_it)) if ema is not None else 0}
    return from_official(ck, ema, counters, (run / "config.json").read_text())


def write(small: dict, path: os.PathLike) -> int:
    """Write a compact checkpoint atomically, xz-compressed when ``path`` ends in ``.xz`` (the
    committed form); returns the size in bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix == ".xz":
        buf = io.BytesIO()
        torch.save(small, buf)
        with lzma.open(tmp, "wb", preset=6) as f:
            f.write(buf.getvalue())
    else:
        torch.save(small, tmp)
    os.replace(tmp, path)
    return path.stat().st_size


def enc_a_activation(ck: dict) -> str:
    """E_a's activation of the run a compact checkpoint (as ``read_resume`` returns it) came from."""
    return json.loads(ck["config"]).get("ea_activation", "relu")


def read_resume(path: os.PathLike) -> Optional[dict]:
    """The compact checkpoint's contents (plain or xz-compressed), or None if the file is another
    kind of checkpoint."""
    try:
        with open(path, "rb") as f:
            xz = f.read(6) == b"\xfd7zXZ\x00"
        if xz:
            with lzma.open(path, "rb") as f:
                ck = torch.load(io.BytesIO(f.read()), map_location="cpu", weights_only=True)
        else:
            ck = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - an official pickled checkpoint may hold non-allowlisted objects
        return None
    if not (isinstance(ck, dict) and ck.get("format") == FORMAT):
        return None
    return {**ck, "counters": json.loads(ck["counters"])}


def apply_resume(ck: dict, nets: Dict[str, torch.nn.Module], opts: Dict[str, torch.optim.Optimizer],
                 ema_nets: Optional[Dict[str, torch.nn.Module]]) -> bool:
    """Load weights, Adam second moments and (when both sides have it) the EMA. Returns whether
    the EMA was restored."""
    for n, net in nets.items():
        sd = net.state_dict()
        net.load_state_dict({k: ck["weights"][n][k].to(sd[k].dtype) for k in sd}, strict=True)
    for n, opt in opts.items():
        params = [p for g in opt.param_groups for p in g["params"]]
        saved = ck["adam"][n]
        if len(saved) != len(params):
            raise ValueError(f"compact checkpoint: {n} has {len(saved)} optimiser entries, the model {len(params)}")
        for p, st in zip(params, saved):
            if "v" not in st:
                continue
            opt.state[p] = {"step": torch.tensor(float(st["step"])),
                            "exp_avg": torch.zeros_like(p),
                            "exp_avg_sq": _dequantise_log(st["v"], p.detach())}
    if ema_nets is None or "ema" not in ck:
        return False
    for n, net in ema_nets.items():
        sd = net.state_dict()
        net.load_state_dict({k: (ck["weights"][n][k].float() + _dequantise_blocks(ck["ema"][n][k], ck["weights"][n][k].float()))
                             .to(device=sd[k].device, dtype=sd[k].dtype) for k in sd}, strict=True)
    return True
