"""Is the attribute encoder alive? Three figures for a checkpoint, per domain:

1. spread: E_a codes of every photo of the domain (training and held-out split), their PCA
   (the largest standard deviation, and the share of variance it holds) next to the prior's
   (z ~ N(0, I): 1 in every direction). A collapsed E_a maps all photos to nearly one code.
2. recovery: latent regression on held-out inputs, mean |E_a(G(E_c(x), z)) - z| per dimension,
   next to what a constant guess of 0 scores (E|z| = sqrt(2/pi) = 0.798).
3. reference effect: pixel L1 (on [0, 1]) between the translations of one input with the codes of
   two different reference photos, next to the same for two random z (what re-rolls give).
4. dead units: per ReLU of the domain's E_a branch, the channels that are never positive on any
   photo of the domain. A dead channel passes no gradient, so it never comes back by itself.

    scripts/py -m training.eval.attr_health --checkpoint training/runs/<run>/checkpoints/latest.pth
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys

import numpy as np
import torch

from training.trainer import checkpoint as ckpt_io
from training.trainer.data import add_split_flags, crop_flip, load_folder, run_split, to_tensor


def codes(enc_a, x: torch.Tensor, domain: str, concat: int) -> torch.Tensor:
    return ckpt_io.attribute(enc_a, x, domain, concat)


class DeadUnits:
    """Forward hooks on every ReLU of a module: per ReLU, which channels were ever positive."""

    def __init__(self, net: torch.nn.Module):
        self.alive: dict = {}
        self.hooks = [m.register_forward_hook(self._hook(name)) for name, m in net.named_modules()
                      if isinstance(m, torch.nn.ReLU)]

    def _hook(self, name: str):
        def record(_mod, _inp, out):
            seen = (out.detach() > 0).flatten(2).any(2).any(0) if out.dim() > 2 else (out.detach() > 0).any(0)
            self.alive[name] = self.alive.get(name, torch.zeros_like(seen)) | seen
        return record

    def report(self) -> list:
        for h in self.hooks:
            h.remove()
        return [{"layer": n, "dead": int((~a).sum()), "channels": a.numel()} for n, a in self.alive.items()]


def batch(images, crop: int) -> torch.Tensor:
    rng = random.Random(0)
    return torch.stack([to_tensor(crop_flip(a, crop, rng, train=False, flip=False)) for a in images])


@torch.no_grad()
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", required=True)
    add_split_flags(p)
    p.add_argument("--pairs", type=int, default=64, help="input/z pairs for recovery and the reference effect")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    cfg = ckpt_io.run_config(args.checkpoint)
    if not cfg and not (args.resize and args.crop):
        raise SystemExit(f"{args.checkpoint}: no run config says the training resolution; pass --resize and --crop")
    split = run_split(cfg or {}, 0.1, args.dataroot, args.holdout, args.split_seed, args.resize, args.crop)
    enc_c, enc_a, gen, arch = ckpt_io.load_inference_nets(args.checkpoint)
    concat, nz = arch["concat"], arch["nz"]
    torch.manual_seed(args.seed)
    out = {"checkpoint": args.checkpoint}
    for src, tgt in (("A", "B"), ("B", "A")):
        train_t, held_t = split.files[tgt]
        tgt_imgs, _ = load_folder(list(train_t) + list(held_t), split.resize, quiet=True)
        d = tgt.lower()
        dead = DeadUnits(enc_a)
        z_photos = torch.cat([codes(enc_a, batch(tgt_imgs[i:i + 32], split.crop), d, concat) for i in range(0, len(tgt_imgs), 32)])
        dead_units = dead.report()
        zc = (z_photos - z_photos.mean(0)).double()
        eig = torch.linalg.eigvalsh(zc.T @ zc / max(1, len(z_photos) - 1)).flip(0).clamp(min=0)
        src_imgs, _ = load_folder(list(split.files[src][1]), split.resize, quiet=True)
        n = min(args.pairs, len(src_imgs))
        x = batch(src_imgs[:n], split.crop)
        content = enc_c.forward_a(x) if src == "A" else enc_c.forward_b(x)
        paint = gen.forward_b if tgt == "B" else gen.forward_a
        z = torch.randn(n, nz)
        rec = codes(enc_a, paint(content, z), d, concat)
        refs = z_photos[torch.randint(len(z_photos), (2, n))]
        ref_l1 = ((paint(content, refs[0]) - paint(content, refs[1])).abs().mean() / 2).item()
        z2 = torch.randn(n, nz)
        z_l1 = ((paint(content, z) - paint(content, z2)).abs().mean() / 2).item()
        out[f"{src}->{tgt}"] = {
            "photos": len(z_photos),
            "spread_pc1": math.sqrt(eig[0].item()),
            "share_pc1": (eig[0] / eig.sum()).item() if eig.sum() > 0 else 1.0,
            "spread_total": math.sqrt(eig.sum().item()),
            "mean_code_length": z_photos.mean(0).norm().item(),
            "recovery_l1": (rec - z).abs().mean().item(),
            "recovery_l1_constant_guess": math.sqrt(2 / math.pi),
            "reference_pair_l1": ref_l1,
            "random_z_pair_l1": z_l1,
            "dead_units": dead_units,
        }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
