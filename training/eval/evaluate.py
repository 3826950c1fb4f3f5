"""Evaluate a DRIT checkpoint on held-out images: translation success and diversity.

1. Split each domain into train / held-out with the same file-name hash as train.py (``--holdout``,
   ``--split-seed``; read from the run's config.json next to the checkpoint when present).
2. Train a small cat-vs-dog CNN on the *real* training-split images only (64x64 inputs, random
   crops and flips, class-balanced sampling). Its accuracy on the real held-out images is reported.
3. For every held-out source image and each direction: ``--samples`` (10) random attribute codes
   z ~ N(0, I) -> translations. Reported per direction:
   * ``success``: share of translations the classifier assigns to the target domain;
   * ``reference_success``: the same with the attribute taken from a random held-out image of the
     target domain (reference-guided);
   * ``diversity_l1``: mean pairwise pixel L1 distance between the samples of one input (45 pairs
     for 10 samples), pixel values in [0, 1], averaged over inputs;
   * ``diversity_feat``: the same with the classifier's penultimate features (L2-normalised, so
     distances lie in [0, 2]).
   Baselines for scale: the share of the untranslated inputs classified as the target domain, and
   the same two distances between random pairs of distinct real held-out target-domain images.
4. Realism (``realism.py``): a 3-class judge (cat / dog / "not a real animal", the last class made
   of degraded real photos) trained on the training split at the full crop size:
   * ``realism``: share of translations the judge calls a real animal of the target domain, next to
     ``baseline_real_realism``, the same share for real held-out target photos, and their ratio;
   * ``reference_realism``: the same for the reference-guided translations;
   * ``kid_x1000``: KID between the judge's features of the translations and of the real held-out
     target photos (``kid_x1000_ci95``: its 95 % interval, inputs resampled, the real photos fixed);
     ``baseline_real_kid_x1000``: between real training and held-out target photos.
   The judge is cached per (split, crop, epochs, seed) under ``--judge-cache``.
5. ``grid_power_x1e4``: the share of each translation's spectral power (grey level, mean removed)
   at the period-2 frequencies (pi, 0), (0, pi), (pi, pi), x 10^4, averaged: where a stride-2
   transposed convolution's checkerboard lands. ``baseline_real_grid_power_x1e4``: the same for
   the real held-out target photos.

``--checkpoint`` takes a training checkpoint (official layout, ``ema.pth``) or a model pack folder
(its manifest gives resize and crop; hold-out 0.1 and seed 0 unless given).

    scripts/py -m training.eval.evaluate --checkpoint training/runs/cat2dog_cpu/checkpoints/latest.pth

Writes ``eval.json`` and ``eval.md`` to ``--out`` (default: <run>/eval), and ``eval_outputs.pt``
(every output's judgment and judge features) for a paired comparison of two evaluations with
``training.eval.compare``.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from training.eval.core import JUDGE_CACHE, centre, get_judge, grid_power, load_model
from training.eval.realism import (NOT_ANIMAL, STRICT_KEEP, judge_outputs, judge_pass, kid, kid_interval,
                                   thresholds_from_logits, verdict)
from training.eval.unlike import example_report, unlike_report
from training.trainer import checkpoint as ckpt_io
from training.trainer.data import add_split_flags, crop_flip, load_folder, run_split, to_tensor

UNLIKE_SAMPLES = 4     # z per held-out input and recolouring
EXAMPLE_SAMPLES = 50   # z for the app's example photo

CLS_SIZE = 64


class SmallClassifier(nn.Module):
    """4 strided conv blocks (BN + ReLU), global average pool, linear -> 2 logits (A, B)."""

    def __init__(self, width: int = 24):
        super().__init__()
        w = width
        layers, cin = [], 3
        for cout in (w, 2 * w, 4 * w, 4 * w):
            layers += [nn.Conv2d(cin, cout, 3, 2, 1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
            cin = cout
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(cin, 2)

    def forward(self, x):
        return self.fc(self.features(x))

    def embed(self, x):
        return F.normalize(self.features(x), dim=1)


def to_cls(x: torch.Tensor) -> torch.Tensor:
    """[-1,1] images (any size) -> classifier input (CLS_SIZE, bilinear, antialiased by area)."""
    if x.shape[-1] != CLS_SIZE:
        x = F.interpolate(x.float(), size=(CLS_SIZE, CLS_SIZE), mode="area" if x.shape[-1] > CLS_SIZE else "bilinear",
                          align_corners=None if x.shape[-1] > CLS_SIZE else False)
    return x


def train_classifier(imgs_a, imgs_b, crop: int, epochs: int, seed: int, log) -> SmallClassifier:
    torch.manual_seed(seed)
    rng = random.Random(seed)
    clf = SmallClassifier()
    opt = torch.optim.Adam(clf.parameters(), lr=2e-3, weight_decay=1e-4)
    data = [(im, 0) for im in imgs_a] + [(im, 1) for im in imgs_b]
    # class-balanced: each class contributes equally per epoch
    w = [0.5 / len(imgs_a)] * len(imgs_a) + [0.5 / len(imgs_b)] * len(imgs_b)
    n_per_ep = len(data)
    bs = 32
    steps = epochs * math.ceil(n_per_ep / bs)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    clf.train()
    for ep in range(epochs):
        idx = rng.choices(range(len(data)), weights=w, k=n_per_ep)
        tot, correct, n = 0.0, 0, 0
        for s in range(0, n_per_ep, bs):
            batch = [data[i] for i in idx[s:s + bs]]
            x = torch.stack([to_tensor(crop_flip(im, crop, rng, True, True)) for im, _ in batch])
            y = torch.tensor([lab for _, lab in batch])
            logits = clf(to_cls(x))
            loss = F.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(batch)
            correct += (logits.argmax(1) == y).sum().item()
            n += len(batch)
        log(f"  classifier epoch {ep + 1}/{epochs}: loss {tot / n:.3f}, train acc {correct / n:.3f}")
    clf.eval()
    return clf


def pairwise_mean(x: torch.Tensor) -> float:
    """Mean distance over all unordered pairs of rows: L1 mean for images, L2 for embeddings."""
    n = x.shape[0]
    d = []
    for i in range(n):
        for j in range(i + 1, n):
            d.append((x[i] - x[j]).abs().mean().item() if x.dim() > 2 else (x[i] - x[j]).norm().item())
    return float(np.mean(d)) if d else float("nan")


def bootstrap_ci(per_input: np.ndarray, seed: int, n: int = 2000) -> list:
    """95 % interval of a mean over inputs, resampling whole inputs: the z samples of one input are
    not independent draws, so the interval is as wide as the number of inputs makes it."""
    if len(per_input) == 0:
        return [float("nan"), float("nan")]
    idx = np.random.default_rng(seed).integers(0, len(per_input), size=(n, len(per_input)))
    means = per_input[idx].mean(axis=1)
    return [round(float(np.quantile(means, 0.025)), 4), round(float(np.quantile(means, 0.975)), 4)]


def photo_gaussian(codes: torch.Tensor) -> tuple:
    """(mean, L) with L L^T the covariance of ``codes`` (N x nz): z = mean + L e for e ~ N(0, I)."""
    codes = codes.double()
    mean = codes.mean(0)
    cov = torch.cov(codes.T)
    vals, vecs = torch.linalg.eigh(cov)
    return mean.float(), (vecs * vals.clamp(min=0).sqrt()).float()


@torch.no_grad()
def evaluate(checkpoint: str, dataroot: str | None = None, holdout: float | None = None, split_seed: int | None = None,
             resize: int | None = None, crop: int | None = None, samples: int = 10, z_source: str = "normal",
             cls_epochs: int = 12, judge_epochs: int = 10, judge_cache: str | None = JUDGE_CACHE, seed: int = 0,
             threads: int = 1, log=print) -> dict:
    """The evaluation of ``checkpoint`` (a training checkpoint or a pack folder); see the module doc.
    Split and resolution: the given values (None = unset) over the run's config.json."""
    t0 = time.time()
    if threads > 0:
        torch.set_num_threads(threads)
    enc_c, enc_a, gen, arch, cfg = load_model(checkpoint)
    if not cfg and not (resize and crop):
        # the judge, the classifier and KID all depend on the resolution: never guess it silently
        raise SystemExit(f"{checkpoint}: no config.json beside it or in its run folder says the training resolution; "
                         "pass --resize and --crop")
    split = run_split(cfg, default_holdout=0.1, dataroot=dataroot, holdout=holdout, split_seed=split_seed,
                      resize=resize, crop=crop)
    holdout, split_seed, resize, crop, files = split.holdout, split.split_seed, split.resize, split.crop, split.files
    if holdout <= 0:
        raise SystemExit("evaluation needs a held-out split (--holdout > 0)")

    imgs = {}
    for d in ("A", "B"):
        tr_imgs, tr_files = load_folder(files[d][0], resize)
        held_imgs, held_files = load_folder(files[d][1], resize)
        imgs[d] = (tr_imgs, held_imgs, held_files)
        log(f"domain {d}: {len(tr_imgs)} training images, {len(held_imgs)} held out")

    log("training the cat-vs-dog classifier on real training-split images")
    with torch.enable_grad():
        clf = train_classifier(imgs["A"][0], imgs["B"][0], crop, cls_epochs, seed, log)

    real = {d: centre(imgs[d][1], crop) for d in ("A", "B")}
    def classify(x):
        out = []
        for s in range(0, x.shape[0], 64):
            out.append(clf(to_cls(x[s:s + 64])).argmax(1))
        return torch.cat(out)

    acc_a = (classify(real["A"]) == 0).float().mean().item()
    acc_b = (classify(real["B"]) == 1).float().mean().item()
    log(f"classifier accuracy on held-out real images: cats {acc_a:.3f}, dogs {acc_b:.3f}")

    judge = get_judge(imgs, split, judge_epochs, seed, judge_cache, log)
    train_real = {d: centre(imgs[d][0], crop) for d in ("A", "B")}
    # the strict verdict (realism.py): thresholds from the training photos, checked on the held-out ones;
    # one judge pass per set of photos gives its features (KID), thresholds and both verdicts
    train = {d: judge_pass(judge, train_real[d]) for d in ("A", "B")}  # (features, logits)
    taus = thresholds_from_logits([train["A"][1], train["B"][1]])
    held = {d: judge_pass(judge, real[d]) for d in ("A", "B")}
    judged = {d: (verdict(held[d][1], taus), held[d][0]) for d in ("A", "B")}
    lenient = {d: verdict(held[d][1]) for d in ("A", "B")}
    judge_acc = {d: (judged[d][0] == (0 if d == "A" else 1)).float().mean().item() for d in ("A", "B")}
    judge_acc_lenient = {d: (lenient[d] == (0 if d == "A" else 1)).float().mean().item() for d in ("A", "B")}
    log(f"judge on held-out real images: cats {judge_acc['A']:.3f}, dogs {judge_acc['B']:.3f} called real animals of their class "
        f"(strict thresholds {taus[0]:.3f} / {taus[1]:.3f}; argmax alone: {judge_acc_lenient['A']:.3f} / {judge_acc_lenient['B']:.3f})")

    concat = arch["concat"]
    g = torch.Generator().manual_seed(seed)
    # --z-source photos: z ~ N(m, S), the Gaussian of the target domain's *training* photos' codes
    # (what the app samples from a pack's attribute statistics), instead of N(0, I); the same
    # standard-normal draws are mapped through m + L e, so the two sources pair output by output
    z_photos = None
    if z_source == "photos":
        z_photos = {}
        for d in ("A", "B"):
            x_tr = centre(imgs[d][0], crop)
            codes = torch.cat([ckpt_io.attribute(enc_a, x_tr[s:s + 64], d.lower(), concat) for s in range(0, x_tr.shape[0], 64)])
            z_photos[d] = photo_gaussian(codes)
            log(f"z from domain {d}'s training photos: {codes.shape[0]} codes, spread {z_photos[d][1].norm().item():.3f} (N(0, I): {arch['nz'] ** 0.5:.3f})")

    def to_source(z: torch.Tensor, tgt: str) -> torch.Tensor:
        """Standard-normal draws -> the chosen z source for translations into domain ``tgt``."""
        return z if z_photos is None else z_photos[tgt][0] + z @ z_photos[tgt][1].T
    results = {
        "checkpoint": str(checkpoint), "ep": arch.get("ep"), "total_it": arch.get("total_it"),
        "config": {"holdout": holdout, "split_seed": split_seed, "resize": resize, "crop": crop,
                   "samples_per_input": samples, "z_source": z_source, "classifier_epochs": cls_epochs,
                   "classifier_input": CLS_SIZE, "seed": seed, "judge_epochs": judge_epochs,
                   "judge_verdict": f"strict {STRICT_KEEP}", "strict_thresholds": [round(float(t), 4) for t in taus]},
        "held_out": {"A": len(imgs["A"][1]), "B": len(imgs["B"][1])},
        "classifier_accuracy": {"A": round(acc_a, 4), "B": round(acc_b, 4),
                                "balanced": round((acc_a + acc_b) / 2, 4)},
        "directions": {},
        "_outputs": {},  # per-output judgments and features for compare_eval.py; main() saves them apart
    }
    for src, tgt, name in (("A", "B", "cat2dog"), ("B", "A", "dog2cat")):
        x_src, x_tgt = real[src], real[tgt]
        tgt_label = 1 if tgt == "B" else 0
        enc = enc_c.forward_a if src == "A" else enc_c.forward_b
        gen_t = gen.forward_b if tgt == "B" else gen.forward_a
        hits, ref_hits, n_out, div_l1, div_feat = 0, 0, 0, [], []
        outs_all, refs_all = [], []
        for i in range(x_src.shape[0]):
            c = enc(x_src[i:i + 1])
            z = torch.randn(samples, arch["nz"], generator=g)
            z = to_source(z, tgt)
            out = gen_t(c.expand(samples, *c.shape[1:]), z)
            hits += (classify(out) == tgt_label).sum().item()
            outs_all.append(out)
            n_out += samples
            div_l1.append(pairwise_mean(out / 2.0))  # [-1,1] -> [0,1] units
            div_feat.append(pairwise_mean(clf.embed(to_cls(out))))
            ref = x_tgt[random.Random(seed * 7919 + i).randrange(x_tgt.shape[0])].unsqueeze(0)
            za = ckpt_io.attribute(enc_a, ref, tgt.lower(), concat)
            ref_out = gen_t(c, za)
            ref_hits += (classify(ref_out) == tgt_label).sum().item()
            refs_all.append(ref_out)
        input_as_target = (classify(x_src) == tgt_label).float().mean().item()
        # real-image diversity reference: random distinct pairs of held-out target images
        rr = random.Random(seed)
        pairs = [tuple(rr.sample(range(x_tgt.shape[0]), 2)) for _ in range(200)] if x_tgt.shape[0] > 1 else []
        emb = clf.embed(to_cls(x_tgt))
        real_l1 = float(np.mean([(x_tgt[i] - x_tgt[j]).abs().mean().item() / 2 for i, j in pairs])) if pairs else float("nan")
        real_feat = float(np.mean([(emb[i] - emb[j]).norm().item() for i, j in pairs])) if pairs else float("nan")
        feats, logits = judge_pass(judge, torch.cat(outs_all))
        pred, pred_lenient = verdict(logits, taus), verdict(logits)
        ref_pred, _ = judge_outputs(judge, torch.cat(refs_all), thresholds=taus)
        realism_lenient = (pred_lenient == tgt_label).float().mean().item()
        realism = (pred == tgt_label).float().mean().item()
        per_input = (pred == tgt_label).float().view(x_src.shape[0], samples).mean(1).numpy()
        base_realism = judge_acc[tgt]
        results["directions"][name] = {
            "inputs": int(x_src.shape[0]), "outputs": n_out,
            "success": round(hits / max(1, n_out), 4),
            "reference_success": round(ref_hits / max(1, x_src.shape[0]), 4),
            "diversity_l1": round(float(np.mean(div_l1)), 4),
            "diversity_feat": round(float(np.mean(div_feat)), 4),
            "baseline_input_as_target": round(input_as_target, 4),
            "baseline_real_pairs_l1": round(real_l1, 4),
            "baseline_real_pairs_feat": round(real_feat, 4),
            "realism": round(realism, 4),
            "realism_ci95": bootstrap_ci(per_input, seed),
            "reference_realism": round((ref_pred == tgt_label).float().mean().item(), 4),
            "realism_not_animal": round((pred == NOT_ANIMAL).float().mean().item(), 4),
            "baseline_real_realism": round(base_realism, 4),
            "realism_vs_real": round(realism / base_realism, 4) if base_realism > 0 else float("nan"),
            "realism_lenient": round(realism_lenient, 4),
            "baseline_real_realism_lenient": round(judge_acc_lenient[tgt], 4),
            "baseline_input_realism_as_target": round((judged[src][0] == tgt_label).float().mean().item(), 4),
            "kid_x1000": round(1000 * kid(feats, judged[tgt][1]), 3),
            "kid_x1000_ci95": [round(1000 * v, 3) for v in kid_interval(feats, samples, judged[tgt][1], seed)],
            "baseline_real_kid_x1000": round(1000 * kid(train[tgt][0], judged[tgt][1]), 3),
            "grid_power_x1e4": round(grid_power(torch.cat(outs_all)), 3),
            "baseline_real_grid_power_x1e4": round(grid_power(x_tgt), 3),
        }
        results["_outputs"][name] = {
            "inputs": [Path(f).name for f in imgs[src][2]], "samples": samples, "target": tgt_label,
            "pred": pred.to(torch.int8), "judge_verdict": f"strict {STRICT_KEEP}", "feats": feats.float(), "real_feats": judged[tgt][1].float(),
            "real_realism": base_realism}
        # photos unlike the training set (training/eval/unlike.py): own z draws, so the figures above
        # stay those of earlier evaluations with the same seed
        gu = torch.Generator().manual_seed(seed + 1)
        draw = lambda *shape: to_source(torch.randn(*shape, arch["nz"], generator=gu), tgt)  # noqa: E731
        judge_pred = lambda x: judge_outputs(judge, x, thresholds=taus)[0]  # noqa: E731
        results["directions"][name]["unlike"] = unlike_report(
            x_src, enc, gen_t, judge_pred, tgt_label, draw(x_src.shape[0], UNLIKE_SAMPLES), base_realism)
        if src == "A":  # the app's example photo is a cat
            results["directions"][name]["example"] = example_report(
                resize, crop, enc, gen_t, judge_pred, tgt_label, draw(EXAMPLE_SAMPLES), base_realism)
        log(f"{name}: {results['directions'][name]}")
    results["eval_time_s"] = round(time.time() - t0, 1)
    return results


def to_markdown(r: dict) -> str:
    lines = [
        f"Held-out images: {r['held_out']['A']} cats, {r['held_out']['B']} dogs "
        f"(hash split, holdout {r['config']['holdout']}, seed {r['config']['split_seed']}); "
        f"{r['config']['samples_per_input']} random z per input; crop {r['config']['crop']}.",
        "",
        f"Classifier (trained on real training-split images only) accuracy on real held-out images: "
        f"cats {r['classifier_accuracy']['A']:.1%}, dogs {r['classifier_accuracy']['B']:.1%}.",
        "",
        "Realism judge (cat / dog / not a real animal; trained on real training-split photos and degraded "
        "copies of them, never on generated images). Strict verdict: a translation counts only when the judge is as sure "
        f"of it as of {STRICT_KEEP:.0%} of its real training photos of that animal (thresholds "
        f"{r['config'].get('strict_thresholds', '-')}); the argmax-only share is in the last column:",
        "",
        "| direction | judged a real target animal (95 % interval, inputs resampled) | real target photos (baseline) | ratio | reference-guided "
        "| judged not an animal | KID x1000 (95 % interval) | real train vs held-out KID x1000 (baseline) "
        "| argmax only: translations / real |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, d in r["directions"].items():
        lo, hi = d.get("realism_ci95", [float("nan"), float("nan")])
        klo, khi = d.get("kid_x1000_ci95", [float("nan"), float("nan")])
        lines.append(f"| {name.replace('2', ' -> ')} | {d['realism']:.1%} ({lo:.1%}-{hi:.1%}) | {d['baseline_real_realism']:.1%} | "
                     f"{d['realism_vs_real']:.2f} | {d['reference_realism']:.1%} | {d['realism_not_animal']:.1%} | "
                     f"{d['kid_x1000']:.1f} ({klo:.0f}-{khi:.0f}) | {d['baseline_real_kid_x1000']:.1f} | "
                     f"{d.get('realism_lenient', float('nan')):.1%} / {d.get('baseline_real_realism_lenient', float('nan')):.1%} |")
    lines += [
        "",
        "Direction classifier (cat vs dog, 64 px) and diversity:",
        "",
        "| direction | translated -> target class | reference-guided -> target | untranslated input -> target (baseline) "
        "| diversity, pixel L1 | diversity, classifier features | real pairs: pixel L1 / features "
        "| checkerboard: period-2 power x1e4 (real target photos) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, d in r["directions"].items():
        grid = f"{d['grid_power_x1e4']:.2f} ({d['baseline_real_grid_power_x1e4']:.2f})"
        lines.append(f"| {name.replace('2', ' -> ')} | {d['success']:.1%} | {d['reference_success']:.1%} | "
                     f"{d['baseline_input_as_target']:.1%} | {d['diversity_l1']:.4f} | {d['diversity_feat']:.4f} | "
                     f"{d['baseline_real_pairs_l1']:.4f} / {d['baseline_real_pairs_feat']:.4f} | {grid} |")
    lines += ["", "Photos unlike the training set (training/eval/unlike.py): realism of translations of recoloured held-out "
              "photos (the same z for every variant) and of the app's example photo (Chelsea, a brown tabby):", ""]
    names = list(next(iter(r["directions"].values())).get("unlike", {}))
    if names:
        lines += ["| direction | " + " | ".join(names) + " | example photo |", "|---" * (len(names) + 2) + "|"]
        for name, d in r["directions"].items():
            cells = [f"{d['unlike'][v]['realism']:.1%}" for v in names]
            ex = f"{d['example']['realism']:.1%} of {d['example']['samples']}" if "example" in d else "-"
            lines.append(f"| {name.replace('2', ' -> ')} | " + " | ".join(cells) + f" | {ex} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", required=True)
    add_split_flags(p)
    p.add_argument("--samples", type=int, default=10)
    p.add_argument("--z-source", choices=("normal", "photos"), default="normal",
                   help="random z from N(0, I) (default) or from the Gaussian of the target domain's training photos' codes")
    p.add_argument("--cls-epochs", type=int, default=12)
    p.add_argument("--judge-epochs", type=int, default=10)
    p.add_argument("--judge-cache", default=JUDGE_CACHE, help="folder for trained judges ('' = no cache)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default=None, help="output folder (default <run>/eval)")
    args = p.parse_args(argv)
    ck = Path(args.checkpoint).resolve()
    out = Path(args.out) if args.out else (ck / "eval" if ck.is_dir() else ck.parent.parent / "eval")
    out.mkdir(parents=True, exist_ok=True)
    r = evaluate(args.checkpoint, args.dataroot, args.holdout, args.split_seed, args.resize, args.crop, args.samples,
                 args.z_source, args.cls_epochs, args.judge_epochs, args.judge_cache, args.seed, args.threads)
    torch.save({"checkpoint": r["checkpoint"], "config": r["config"], "directions": r.pop("_outputs")},
               out / "eval_outputs.pt")
    (out / "eval.json").write_text(json.dumps(r, indent=2))
    (out / "eval.md").write_text(to_markdown(r))
    print(to_markdown(r))
    print(f"wrote {out / 'eval.json'} and {out / 'eval.md'} ({r['eval_time_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
