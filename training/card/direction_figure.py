"""What the principal directions of a pack's attribute codes change: one figure per translation
direction for the model card.

For a -> b the attribute comes from domain b's E_a, so the directions are those of the b photos'
codes (and the other way round). The script encodes the target domain's photos with PyTorch on the
pack's own weights (drit/pack.py), computes the PCA itself with numpy (and reports how it agrees
with the pack's stored `attributeStats`, written by `npm run attr-stats` / `convert --attr-stats`),
then translates one held-out input with

* rows "PCk": z = mean + t * std_k * d_k, t = -2, -1, 0, 1, 2 (spreads of the photos' codes);
* rows "PCk x1": z = mean + t * d_k, t = -2 .. 2 in N(0, I) units (the raw sliders' scale), which
  shows what a direction does when the photos' own spread along it is too small to see.

Writes directions-a2b.png, directions-b2a.png and directions.json (shares, spreads, how much each
row changes the image) into --out.

    scripts/py -m training.card.direction_figure --pack public/models/cat2dog \
        --dataroot ../shared/datasets/cat2dog --input-a public/examples/chelsea.png --out public/models/cat2dog
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from training.drit.pack import load_pack
from training.trainer.data import eval_tensor, list_images, split_files, tensor_to_uint8
from training.trainer.viz import image_grid

STEPS = (-2, -1, 0, 1, 2)


def encode_folder(enc_a, files, domain, concat, resize, crop, batch=32):
    """E_a codes (mu for concat = 1) of every readable photo; (codes [N, nz], skipped files)."""
    xs, skipped, codes = [], [], []
    for f in files:
        try:
            xs.append(eval_tensor(f, resize, crop))
        except Exception:  # noqa: BLE001 - unreadable file (e.g. cat2dog trainB/1352.jpg)
            skipped.append(str(f))
    with torch.no_grad():
        for i in range(0, len(xs), batch):
            x = torch.cat(xs[i:i + batch])
            out = enc_a.forward_a(x) if domain == "a" else enc_a.forward_b(x)
            codes.append((out[0] if concat else out).double().numpy())
    return np.concatenate(codes), skipped


def pca(codes):
    mean = codes.mean(0)
    w, v = np.linalg.eigh(np.cov(codes.T))
    order = np.argsort(w)[::-1]
    w = np.clip(w[order], 0, None)
    return mean, v[:, order].T, w


def compare_with_pack(stored, mean, comps, eig):
    """How the pack's stored statistics agree with this independent PCA."""
    if not stored:
        return None
    k = len(stored["components"])
    return {
        "stored_directions": k,
        "max_abs_mean_diff": float(np.abs(np.array(stored["mean"]) - mean).max()),
        "std_ratio": [float(s / np.sqrt(e)) for s, e in zip(stored["std"], eig[:k])],
        "abs_cos": [float(abs(np.dot(c, d))) for c, d in zip(np.array(stored["components"]), comps[:k])],
    }


@torch.no_grad()
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="principal-direction figures of a model pack")
    p.add_argument("--pack", required=True)
    p.add_argument("--dataroot", required=True, help="DRIT dataset root (trainA = domain a, trainB = domain b)")
    p.add_argument("--input-a", default=None, help="domain a input for a->b (default: first held-out a photo)")
    p.add_argument("--input-b", default=None, help="domain b input for b->a (default: first held-out b photo)")
    p.add_argument("--holdout", type=float, default=0.1, help="hold-out fraction of the training run (inputs)")
    p.add_argument("--split-seed", type=int, default=0)
    p.add_argument("--rows", type=int, default=4, help="directions shown")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    man, enc_c, enc_a, gen = load_pack(args.pack)
    pre, concat, names = man["preprocess"], man["variant"]["concat"], man["domains"]
    resize, crop = pre["resize"], pre["crop"]
    root, out = Path(args.dataroot), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    summary = {"pack": man["name"], "steps": list(STEPS), "directions": {}}
    for src, tgt in (("a", "b"), ("b", "a")):
        tag = f"{src}2{tgt}"
        files = list_images(root / f"train{tgt.upper()}")
        codes, skipped = encode_folder(enc_a, files, tgt, concat, resize, crop)
        mean, comps, eig = pca(codes)
        total = eig.sum()
        given = getattr(args, f"input_{src}")
        if given:
            inp = Path(given)
        else:
            _, held = split_files(list_images(root / f"train{src.upper()}"), args.holdout, args.split_seed)
            inp = held[0]
        x = eval_tensor(inp, resize, crop)
        c = enc_c.forward_a(x) if src == "a" else enc_c.forward_b(x)
        g = gen.forward_b if tgt == "b" else gen.forward_a
        rows, labels, changes = [], [], []
        for unit in ("spread", "prior"):
            for k in range(min(args.rows, len(eig))):
                scale = np.sqrt(eig[k]) if unit == "spread" else 1.0
                z = np.stack([mean + t * scale * comps[k] for t in STEPS])
                y = g(c.expand(len(STEPS), *c.shape[1:]), torch.from_numpy(z).float())
                imgs = [tensor_to_uint8(im) for im in y]
                # mean |pixel difference| (0..255) between the -2 and +2 columns
                change = float(np.abs(imgs[0].astype(np.int16) - imgs[-1].astype(np.int16)).mean())
                rows.append([x[0]] + imgs)
                share = 100 * eig[k] / total
                labels.append(f"PC{k + 1} {share:.3g}%" if unit == "spread" else f"PC{k + 1} x1")
                changes.append({"direction": k + 1, "unit": unit, "step": float(scale), "mean_abs_change": change})
        head = [f"{names[src]}", *[f"{t:+d}" if t else "mean" for t in STEPS]]
        image_grid(rows, row_labels=labels, col_labels=head).save(out / f"directions-{tag}.png")
        summary["directions"][tag] = {
            "input": inp.name,
            "target_photos": int(codes.shape[0]),
            "skipped": [Path(s).name for s in skipped],
            "variance_share": [float(e / total) for e in eig],
            "std": [float(np.sqrt(e)) for e in eig],
            "mean_norm": float(np.linalg.norm(mean)),
            "rows": changes,
            "vs_pack": compare_with_pack((man.get("attributeStats") or {}).get(tgt), mean, comps, eig),
        }
        print(f"{tag}: {codes.shape[0]} {names[tgt]} photos ({len(skipped)} unreadable); shares "
              + ", ".join(f"{100 * e / total:.3g}%" for e in eig[:args.rows])
              + "; change -2..+2: " + ", ".join(f"{r['unit'][0]}{r['direction']} {r['mean_abs_change']:.2f}" for r in changes))
    (out / "directions.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {out}/directions-a2b.png, directions-b2a.png, directions.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
