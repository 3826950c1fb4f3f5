"""Widen the generator's full-resolution up-sampling layer of a training checkpoint, keeping its function.

G's last up-sampling layer (``decX5.1``: 3x3 transposed conv -> LayerNorm -> ReLU, then the 1x1
``decX5.2`` to RGB) has C/4 channels: 16 at the CPU recipe's widths, the only layer that works at
the output resolution. This makes it ``--width`` channels wide (a multiple of the old width) the
Net2Net way: every channel is copied ``width / old`` times and the 1x1 layer's weights from the
copies are divided by that number, so the output is unchanged (the HEAD LayerNorm's per-sample
mean and variance over C*H*W are the same over copies); a little noise on the copies' incoming
weights breaks their symmetry. Adam moments follow the same copies (scaled as the gradients are), so
that training resumes smoothly. Both domains' generators are widened.

    scripts/py -m training.widen_gen training/runs/cat2dog_cpu/checkpoints/latest.pth /tmp/wide/latest.pth --width 32
    scripts/py -m training.train --preset cpu-recipe --gen_up2 32 --resume /tmp/wide/latest.pth --name br_wide
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

if not __package__:  # started as a file: Python would not find the `training` package
    sys.exit("run from the repository root as a module: scripts/py -m training.widen_gen ...")

import torch  # noqa: E402

from training.trainer import checkpoint as ckpt_io  # noqa: E402

NOISE = 0.01  # std of the symmetry-breaking noise, relative to the layer's weight std


def widen(ck: dict, width: int, seed: int = 0, noise: float = NOISE) -> dict:
    """A copy of the checkpoint dict with ``gen`` (and ``gen_opt`` if present) widened."""
    gen = dict(ck["gen"])
    old = gen["decA5.1.model.0.weight"].shape[1]
    if width <= old or width % old:
        raise ValueError(f"--width must be a multiple of the current width {old} and larger, got {width}")
    k = width // old
    idx = torch.arange(width) % old  # new channel j copies old channel j % old
    g = torch.Generator().manual_seed(seed)
    names = list(gen)
    # (key, axis of the widened channels, scale of the values, scale of Adam's exp_avg, of exp_avg_sq,
    #  whether the copies get symmetry-breaking noise)
    plan = []
    for X in "AB":
        p = f"dec{X}5"
        plan += [(f"{p}.1.model.0.weight", 1, 1.0, 1 / k, 1 / k ** 2, True),
                 (f"{p}.1.model.0.bias", 0, 1.0, 1 / k, 1 / k ** 2, False),
                 (f"{p}.1.model.1.weight", 0, 1.0, 1 / k, 1 / k ** 2, False),
                 (f"{p}.1.model.1.bias", 0, 1.0, 1 / k, 1 / k ** 2, False),
                 (f"{p}.2.weight", 0, 1 / k, 1.0, 1.0, False)]
    out = {**ck, "gen": gen}
    opt = ck.get("gen_opt")
    if opt is not None:
        if len(opt["param_groups"]) != 1 or len(opt["param_groups"][0]["params"]) != len(names):
            raise ValueError("gen_opt does not hold one moment per generator tensor in state_dict order")
        opt = {"param_groups": opt["param_groups"], "state": {i: dict(s) for i, s in opt["state"].items()}}
        out["gen_opt"] = opt
    for key, axis, scale, s1, s2, noisy in plan:
        w = gen[key].index_select(axis, idx) * scale
        if noisy:
            copies = (torch.arange(width) >= old).view(1, width, 1, 1).to(w.dtype)
            w = w + noise * gen[key].std() * torch.randn(w.shape, generator=g) * copies
        gen[key] = w.contiguous()
        if opt is not None:
            st = opt["state"].get(names.index(key))
            if st:
                st["exp_avg"] = (st["exp_avg"].index_select(axis, idx) * s1).contiguous()
                st["exp_avg_sq"] = (st["exp_avg_sq"].index_select(axis, idx) * s2).contiguous()
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", help="training checkpoint (latest.pth or a numbered one)")
    p.add_argument("out", help="where to write the widened checkpoint")
    p.add_argument("--width", type=int, required=True, help="new width of decX5.1 (a multiple of the old)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    ck = ckpt_io.load(args.checkpoint)
    wide = widen(ck, args.width, args.seed)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    ckpt_io.save(wide, args.out)
    print(f"wrote {args.out}: decX5.1 {ck['gen']['decA5.1.model.0.weight'].shape[1]} -> {args.width} channels "
          f"(total_it {ck.get('total_it')}); resume it with --gen_up2 {args.width}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
