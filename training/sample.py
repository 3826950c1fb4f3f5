"""Sample grids for a model card, generated with PyTorch from a checkpoint.

* ``samples_random.png``: rows = held-out inputs (cats translated to dogs, then dogs to cats),
  first column the input, then one column per random attribute z ~ N(0, I) (same z per column).
* ``samples_reference.png``: reference-guided translation. For each direction, the top row holds
  held-out reference images of the target domain and every further row one held-out input; each
  cell uses the input's content and the reference's attribute code.

Inputs are taken from the held-out split of the run (config.json next to the checkpoint), with the
test-time pre-processing (square resize, centre crop).

    scripts/py -m training.sample --checkpoint training/runs/cat2dog_cpu/checkpoints/latest.pth \
        --out public/models/cat2dog
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import torch

from training.trainer import checkpoint as ckpt_io
from training.trainer.data import add_split_flags, eval_tensor, run_split
from training.trainer.viz import image_grid


def pick(files, n, resize, crop, rng):
    files = list(files)
    rng.shuffle(files)
    out = []
    for f in files:
        try:
            out.append(eval_tensor(f, resize, crop))
        except Exception:  # noqa: BLE001 - unreadable file
            continue
        if len(out) == n:
            break
    return torch.cat(out, 0)


@torch.no_grad()
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="model-card sample grids from a DRIT checkpoint")
    p.add_argument("--checkpoint", required=True)
    add_split_flags(p)
    p.add_argument("--rows", type=int, default=4, help="inputs per direction")
    p.add_argument("--cols", type=int, default=6, help="random z per input")
    p.add_argument("--refs", type=int, default=4, help="reference images per direction")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="output folder")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    cfg = ckpt_io.run_config(args.checkpoint) or {}
    split = run_split(cfg, 0.0, args.dataroot, args.holdout, args.split_seed, args.resize, args.crop)
    holdout, resize, crop = split.holdout, split.resize, split.crop
    rng = random.Random(args.seed)
    # no hold-out -> training images (say so in the card)
    pool = {d: held if held else tr for d, (tr, held) in split.files.items()}
    enc_c, enc_a, gen, arch = ckpt_io.load_inference_nets(args.checkpoint)
    g = torch.Generator().manual_seed(args.seed)
    z = torch.randn(args.cols, arch["nz"], generator=g)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    rows, labels = [], []
    inputs = {}
    for src, tgt in (("A", "B"), ("B", "A")):
        x = pick(pool[src], args.rows + args.refs, resize, crop, rng)
        inputs[src] = x
        enc = enc_c.forward_a if src == "A" else enc_c.forward_b
        gen_t = gen.forward_b if tgt == "B" else gen.forward_a
        for i in range(args.rows):
            c = enc(x[i:i + 1])
            y = gen_t(c.expand(args.cols, *c.shape[1:]), z)
            rows.append([x[i]] + list(y))
            labels.append("cat>dog" if src == "A" else "dog>cat")
    image_grid(rows, row_labels=labels, col_labels=["input"] + [f"z{j + 1}" for j in range(args.cols)]).save(
        out / "samples_random.png")

    rows, labels = [], []
    for src, tgt in (("A", "B"), ("B", "A")):
        x_src = inputs[src][:args.rows]
        refs = inputs[tgt][args.rows:args.rows + args.refs]
        enc = enc_c.forward_a if src == "A" else enc_c.forward_b
        gen_t = gen.forward_b if tgt == "B" else gen.forward_a
        za = ckpt_io.attribute(enc_a, refs, tgt.lower(), arch["concat"])
        rows.append([None] + list(refs))
        labels.append("ref dog" if tgt == "B" else "ref cat")
        for i in range(x_src.shape[0]):
            c = enc(x_src[i:i + 1])
            y = gen_t(c.expand(refs.shape[0], *c.shape[1:]), za)
            rows.append([x_src[i]] + list(y))
            labels.append("cat>dog" if src == "A" else "dog>cat")
    image_grid(rows, row_labels=labels, col_labels=["input"] + [f"ref {j + 1}" for j in range(args.refs)]).save(
        out / "samples_reference.png")
    print(f"wrote {out / 'samples_random.png'} and {out / 'samples_reference.png'} "
          f"(checkpoint ep {arch.get('ep')}, total_it {arch.get('total_it')}, "
          f"{'held-out' if holdout > 0 else 'training'} inputs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
