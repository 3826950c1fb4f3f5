"""Are nsfwjs's MobileNetV2 features generic? Linear probes on held-out cat2dog photos.

Three questions, each asked of every tap of the network, pretrained (nsfwjs) and randomly initialised
(the same graph, He-normal weights: what the architecture alone gives), at the critic's 128-px crops:

1. ``cat/dog``: 5-fold cross-validated accuracy of a logistic regression telling held-out cats from
   held-out dogs (classes balanced by weighting);
2. ``recoloured``: that probe, trained on the other folds' photos as they are, applied to the
   recoloured copies (``training.eval.unlike``: greyscale, hue +-120, darker) of the held-out fold:
   does the cat/dog direction survive colours the training set rarely shows;
3. ``real/fake``: 5-fold accuracy telling held-out real photos of a domain from the translations the
   committed checkpoint makes into that domain (EMA weights, random z): how well a linear critic on
   frozen features can see the current fakes.

Features: global mean and standard deviation of each channel of the tap (texture statistics), then
standardised. No distance in this feature space is used to judge a training run (the known trap);
this only asks whether the features carry information a critic needs.

    scripts/py -m training.features.probe --checkpoint training/resume/cat2dog_cpu/resume.pt.xz
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from training.features.nsfw_mobilenet import load_mobilenet_v2, random_mobilenet_v2
from training.trainer import checkpoint as ckpt_io
from training.trainer import compact
from training.trainer.data import eval_tensor, list_images, split_files
from training.trainer.projected import to_trunk_range

TAPS = ("block_2_add", "block_5_add", "block_9_add", "block_12_add")
INPUT_RANGES = ("unit", "symmetric")  # [0, 1] as nsfwjs feeds it; [-1, 1] as Keras's ImageNet MobileNetV2


def pooled_features(net, x: torch.Tensor, taps: Sequence[str], input_range: str, chunk: int = 32) -> Dict[str, torch.Tensor]:
    out: Dict[str, List[torch.Tensor]] = {t: [] for t in taps}
    with torch.no_grad():
        for i in range(0, x.shape[0], chunk):
            for t, f in zip(taps, net(to_trunk_range(x[i:i + chunk], input_range), list(taps))):
                out[t].append(torch.cat([f.mean((2, 3)), f.std((2, 3))], 1))
    return {t: torch.cat(v) for t, v in out.items()}


def fit_logistic(x: torch.Tensor, y: torch.Tensor, l2: float = 1e-2, steps: int = 200):
    """L2-regularised, class-balanced logistic regression (LBFGS). Returns (mean, std, w, b)."""
    mu, sd = x.mean(0), x.std(0).clamp_min(1e-6)
    xs = (x - mu) / sd
    w = torch.zeros(x.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    pos = float(y.mean())
    weight = torch.where(y > 0.5, torch.tensor(0.5 / max(pos, 1e-6)), torch.tensor(0.5 / max(1 - pos, 1e-6)))
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (F.binary_cross_entropy_with_logits(xs @ w + b, y, weight=weight) + l2 * w.square().sum())
        loss.backward()
        return loss

    opt.step(closure)
    return mu, sd, w.detach(), b.detach()


def predict(model, x: torch.Tensor) -> torch.Tensor:
    mu, sd, w, b = model
    return (((x - mu) / sd) @ w + b) > 0


def balanced_accuracy(pred: torch.Tensor, y: torch.Tensor) -> float:
    yb = y > 0.5
    return 0.5 * (float((pred[yb]).float().mean()) + float((~pred[~yb]).float().mean()))


def cv_accuracy(x: torch.Tensor, y: torch.Tensor, folds: int = 5, seed: int = 0,
                variants: Optional[Dict[str, torch.Tensor]] = None):
    """Balanced accuracy of the logistic probe, ``folds``-fold cross-validated (stratified). With
    ``variants`` (features of altered copies of the same images, row for row) also the accuracy on
    the altered copies of each held-out fold: ``(accuracy, {variant: accuracy})``."""
    g = torch.Generator().manual_seed(seed)
    fold = torch.empty(len(y), dtype=torch.long)
    for cls in (0.0, 1.0):
        idx = torch.nonzero(y == cls).flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        fold[idx] = torch.arange(len(idx)) % folds
    pred = torch.zeros(len(y), dtype=torch.bool)
    pred_v = {k: torch.zeros(len(y), dtype=torch.bool) for k in (variants or {})}
    for k in range(folds):
        test = fold == k
        model = fit_logistic(x[~test], y[~test])
        pred[test] = predict(model, x[test])
        for name, xv in (variants or {}).items():
            pred_v[name][test] = predict(model, xv[test])
    if variants is None:
        return balanced_accuracy(pred, y)
    return balanced_accuracy(pred, y), {k: balanced_accuracy(p, y) for k, p in pred_v.items()}


def held_out(dataroot: Path, holdout: float, seed: int, resize: int, crop: int, domain: str) -> torch.Tensor:
    files = split_files(list_images(dataroot / f"train{domain}"), holdout, seed)[1]
    return torch.cat([eval_tensor(f, resize, crop) for f in files])


def load_generator(path: str):
    """(enc_c, enc_a, gen) of a checkpoint (EMA weights when a compact checkpoint carries them)."""
    small = compact.read_resume(path)
    if small is None:
        return ckpt_io.load_inference_nets(path)[:3]
    ck = {}
    for n in ("enc_c", "enc_a", "gen"):
        w = {k: v.float() for k, v in small["weights"][n].items()}
        if "ema" in small:
            w = {k: v + compact._dequantise_blocks(small["ema"][n][k], v) for k, v in w.items()}  # noqa: SLF001
        ck[n] = w
    ck.update(ckpt_io.arch_entry(compact.enc_a_activation(small)))
    return ckpt_io.load_inference_nets(ck)[:3]


@torch.no_grad()
def translations(path: str, x: torch.Tensor, to_b: bool, seed: int = 0) -> torch.Tensor:
    enc_c, enc_a, gen = load_generator(path)
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(x.shape[0], enc_a.nz, generator=g)
    out = []
    for i in range(0, x.shape[0], 16):
        xi = x[i:i + 16]
        c = enc_c.forward_a(xi) if to_b else enc_c.forward_b(xi)
        out.append((gen.forward_b if to_b else gen.forward_a)(c, z[i:i + 16]).float().clamp(-1, 1))
    return torch.cat(out)


def run(args) -> dict:
    from training.eval.unlike import variants

    root = Path(args.dataroot)
    cats = held_out(root, args.holdout, args.split_seed, args.resize, args.crop, "A")
    dogs = held_out(root, args.holdout, args.split_seed, args.resize, args.crop, "B")
    fake_dogs = translations(args.checkpoint, cats, to_b=True)
    fake_cats = translations(args.checkpoint, dogs, to_b=False)
    photos = torch.cat([cats, dogs])
    y = torch.cat([torch.zeros(len(cats)), torch.ones(len(dogs))])
    recoloured = {k: v for k, v in variants(photos).items() if k != "as is"}
    result = {"held_out": {"cats": len(cats), "dogs": len(dogs)}, "crop": args.crop, "taps": list(TAPS), "rows": []}
    nets = {"pretrained": load_mobilenet_v2(upto=TAPS), "random": random_mobilenet_v2(upto=TAPS, seed=0)}
    for net_name, net in nets.items():
        for rng in INPUT_RANGES:
            t0 = time.time()
            f_photos = pooled_features(net, photos, TAPS, rng)
            f_rec = {k: pooled_features(net, v, TAPS, rng) for k, v in recoloured.items()}
            f_fd, f_fc = pooled_features(net, fake_dogs, TAPS, rng), pooled_features(net, fake_cats, TAPS, rng)
            for t in TAPS:
                acc, acc_v = cv_accuracy(f_photos[t], y, variants={k: f[t] for k, f in f_rec.items()})
                row = {"net": net_name, "input": rng, "tap": t, "dim": int(f_photos[t].shape[1]), "cat/dog": acc}
                row.update({f"cat/dog {k}": v for k, v in acc_v.items()})
                fd = torch.cat([f_photos[t][len(cats):], f_fd[t]])
                row["real/fake dog"] = cv_accuracy(fd, torch.cat([torch.ones(len(dogs)), torch.zeros(len(cats))]))
                fc = torch.cat([f_photos[t][:len(cats)], f_fc[t]])
                row["real/fake cat"] = cv_accuracy(fc, torch.cat([torch.ones(len(cats)), torch.zeros(len(dogs))]))
                result["rows"].append(row)
                print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
            print(f"{net_name} {rng}: {time.time() - t0:.0f} s", flush=True)
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", default="training/resume/cat2dog_cpu/resume.pt.xz")
    p.add_argument("--dataroot", default="../shared/datasets/cat2dog")
    p.add_argument("--holdout", type=float, default=0.1)
    p.add_argument("--split-seed", type=int, default=0)
    p.add_argument("--resize", type=int, default=144)
    p.add_argument("--crop", type=int, default=128)
    p.add_argument("--out", default="", help="write the table as JSON here")
    args = p.parse_args(argv)
    torch.manual_seed(0)
    result = run(args)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
