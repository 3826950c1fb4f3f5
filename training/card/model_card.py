"""Write a model card (README.md) for a converted pack from a training run's records.

Reads <run>/config.json, run_info.json, losses.csv, eval/eval.json (+ eval.md), the pack's
manifest.json, and copies the loss curve into the pack folder. The sample grids are made by
sample.py beforehand. The "Still owed: the GPU run" section is included unless --no-owed.

    scripts/py -m training.card.model_card --run training/runs/cat2dog_cpu --pack public/models/cat2dog \
        --command "scripts/py -m training.train ..." [--notes notes.md] [--directions-notes d.md]

The "Principal directions" section is built from <pack>/directions.json and the figures of
training/card/direction_figure.py (when present); `--directions-only` (re)writes just that section of an
existing card, leaving the rest as it is:

    scripts/py -m training.card.model_card --pack public/models/cat2dog --directions-only \
        --directions-notes training/cards/cat2dog_directions.md
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

from training.trainer.viz import read_csv

LOSS_ROWS = [
    ("disA / disB (image D, encoded)", ["disA", "disB"]),
    ("disA2 / disB2 (image D, random z)", ["disA2", "disB2"]),
    ("disContent", ["disContent"]),
    ("G adversarial A / B", ["gan_A", "gan_B"]),
    ("G adversarial, random z A / B", ["gan2_A", "gan2_B"]),
    ("content adversarial A / B", ["gan_content_A", "gan_content_B"]),
    ("self-reconstruction A / B (x{lambda_rec:g})", ["rec_A", "rec_B"]),
    ("cross-cycle A / B (x{lambda_cc:g})", ["cc_A", "cc_B"]),
    ("latent regression A / B (x{lambda_latent:g})", ["latent_A", "latent_B"]),
    ("mode seeking AB / BA", ["ms_AB", "ms_BA"]),
    ("attribute prior A / B (x0.01)", ["kl_A", "kl_B"]),
]


def fmt_bytes(n: int) -> str:
    return f"{n / 2 ** 20:.2f} MiB ({n:,} bytes)"


DIR_BEGIN, DIR_END = "<!-- principal-directions -->", "<!-- /principal-directions -->"


def directions_section(pack: Path, notes: str | None) -> str | None:
    """Markdown for the principal directions of the attribute codes (training/card/direction_figure.py)."""
    f = pack / "directions.json"
    if not f.exists():
        return None
    d = json.loads(f.read_text())
    man = json.loads((pack / "manifest.json").read_text())
    names = man["domains"]
    stored = man.get("attributeStats") or {}
    L = [DIR_BEGIN, "## Principal directions of the attribute\n"]
    L.append(
        "The pack stores, per domain, a PCA of the attribute codes E_a gives that domain's photos "
        "(`attributeStats`, `npm run attr-stats`; docs/model-pack.md); the app's *Principal directions* "
        "sliders move z along these directions, in units of the photos' spread (directions carrying less "
        "than 0.01 % of the variance are not stored). `training/card/direction_figure.py` recomputes the PCA "
        "with PyTorch + numpy on the pack's weights and translates one held-out input along the first "
        "directions: rows *PCk* go from −2 to +2 spreads of the photos' codes around their mean, rows "
        "*PCk x1* from −2 to +2 in N(0, I) units (the raw sliders' scale) along the same direction.\n")
    L.append("| direction | photos encoded | variance share PC1 / PC2 / PC3 / PC4 | spread PC1 | "
             "stored | mean \\|Δpixel\\| −2 → +2, spreads (PC1…4) | same, N(0, I) units (PC1…4) |")
    L.append("|---|---|---|---|---|---|---|")
    for tag, v in d["directions"].items():
        src, tgt = tag[0], tag[2]
        shares = " / ".join(f"{100 * x:.3g} %" for x in v["variance_share"][:4])
        rows = {u: [r["mean_abs_change"] for r in v["rows"] if r["unit"] == u] for u in ("spread", "prior")}
        n_stored = len((stored.get(tgt) or {}).get("components", []))
        L.append(f"| {names[src]} → {names[tgt]} (input {v['input']}) | {v['target_photos']} {names[tgt]} photos"
                 + (f" ({len(v['skipped'])} unreadable)" if v["skipped"] else "")
                 + f" | {shares} | {v['std'][0]:.3g} | {n_stored} | "
                 + " / ".join(f"{x:.2f}" for x in rows["spread"]) + " | "
                 + " / ".join(f"{x:.1f}" for x in rows["prior"]) + " |")
    L.append("\n(|Δpixel|: mean absolute difference of the −2 and +2 images, 0–255.)\n")
    if notes:
        L.append(notes.rstrip() + "\n")
    for tag in d["directions"]:
        src, tgt = tag[0], tag[2]
        L.append(f"{names[src]} → {names[tgt]}:\n\n![principal directions {tag}](directions-{tag}.png)\n")
    L.append(DIR_END)
    return "\n".join(L) + "\n"


def splice_directions(card: str, section: str) -> str:
    """Replace the directions section of a card, or insert it before "Still owed" (else at the end)."""
    if DIR_BEGIN in card and DIR_END in card:
        head, rest = card.split(DIR_BEGIN, 1)
        return head + section.rstrip("\n") + rest.split(DIR_END, 1)[1]
    marker = "## Still owed"
    if marker in card:
        head, rest = card.split(marker, 1)
        return head + section + "\n" + marker + rest
    return card.rstrip("\n") + "\n\n" + section


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--run")
    p.add_argument("--pack", required=True)
    p.add_argument("--command", help="the training command line(s) used")
    p.add_argument("--directions-notes", default=None, help="markdown file: what the principal directions change")
    p.add_argument("--directions-only", action="store_true",
                   help="only (re)write the principal-directions section of the pack's existing README.md")
    p.add_argument("--notes", default=None, help="markdown file inserted after the summary")
    p.add_argument("--convert-command", default=None)
    p.add_argument("--no-owed", action="store_true")
    p.add_argument("--checkpoint", default=None, help="the checkpoint converted (default <run>/checkpoints/ema.pth "
                   "when the run keeps an EMA, else latest.pth)")
    args = p.parse_args(argv)
    pack = Path(args.pack)
    dir_notes = Path(args.directions_notes).read_text() if args.directions_notes else None
    if args.directions_only:
        section = directions_section(pack, dir_notes)
        if section is None:
            p.error(f"{pack / 'directions.json'} is missing: run scripts/py -m training.card.direction_figure first")
        card = pack / "README.md"
        card.write_text(splice_directions(card.read_text(), section))
        print(f"wrote the principal-directions section of {card}")
        return 0
    if not args.run or not args.command:
        p.error("--run and --command are required (unless --directions-only)")
    run = Path(args.run)
    cfg = json.loads((run / "config.json").read_text())
    weights = {k: cfg.get(k, 10.0) for k in ("lambda_rec", "lambda_cc", "lambda_latent")}  # older configs: the original's 10
    info = json.loads((run / "run_info.json").read_text())
    ev = json.loads((run / "eval" / "eval.json").read_text())
    ev_md = (run / "eval" / "eval.md").read_text()
    man = json.loads((pack / "manifest.json").read_text())
    losses = read_csv(run / "losses.csv")
    shutil.copy(run / "loss_curve.png", pack / "loss_curve.png")

    n_last = min(100, len(losses["total_it"]))
    shard_bytes = sum(s["byteLength"] for s in man["shards"])
    manifest_bytes = (pack / "manifest.json").stat().st_size
    n_params = sum(int(np.prod(w["shape"])) for w in man["weights"])
    hours = info["wall_time_s"] / 3600
    cpu_hours = info.get("cpu_hours")
    pre = man["preprocess"]
    ck_name = args.checkpoint or f"{run}/checkpoints/{'ema.pth' if cfg.get('ema', 0) > 0 else 'latest.pth'}"
    conv = args.convert_command or (
        f"npm run convert -- {ck_name} {pack} --name {man['name']} "
        f"--domains {man['domains']['a']},{man['domains']['b']} --dtype {man['dtype']} "
        f"--resize {pre['resize']} --crop {pre['crop']}")
    d = ev["directions"]
    L = []
    L.append(f"# Model card: `{man['name']}` ({man['domains']['a']} ⇄ {man['domains']['b']}, DRIT, trained by us)\n")
    L.append(
        f"DRIT (concat = {man['variant']['concat']}) trained from scratch on the authors' cat2dog training images with "
        f"this repository's PyTorch trainer (`training/train.py`), converted with `npm run convert`. "
        f"**This is a small CPU-trained model**: {info['total_it']:,} full iterations "
        f"(epochs 0–{int(losses['ep'][-1])}, the last one partial), {hours:.2f} h wall"
        + (f", {cpu_hours:.2f} CPU hours, {info['images_seen']:,} images per domain drawn" if cpu_hours is not None else "")
        + f" on {info['hardware']}"
        + (" (thread count adapted to the other work on the machine)" if cfg.get("threads", 1) == 0 else "") + ". "
        f"It is far from the paper's model (~150 000 iterations at 216 px with 4× wider networks); a GPU run is "
        f"still owed (last section). Expect blurry, low-detail translations.\n")
    if args.notes:
        L.append(Path(args.notes).read_text().rstrip() + "\n")
    L.append("## Data\n")
    L.append(
        f"The DRIT authors' cat2dog set (github.com/HsinYingLee/DRIT, `datasets/cat2dog`; research use): trainA = 771 cats (domain A), "
        f"trainB = 239 dogs (domain B), 178×218 JPEG. `trainB/1352.jpg` is truncated and was skipped by the loader. "
        f"Hold-out split by file-name hash (fraction {cfg['holdout']}, seed {cfg['split_seed']}): trained on "
        f"{info['train_images']['a']} cats and {info['train_images']['b']} dogs; {ev['held_out']['A']} cats and "
        f"{ev['held_out']['B']} dogs held out for evaluation and for the sample figures. No dataset image is part "
        f"of this pack; the input columns of the figures show downscaled held-out photos.\n")
    L.append("## Configuration\n")
    L.append("| setting | value |\n|---|---|")
    rows = [
        ("variant", f"concat = {cfg['concat']} (E_attr + G with MLP / MisINSResBlock), reflection padding, HEAD LayerNorm"),
        ("widths", f"E_content base {cfg['enc_c_base']} (content code {4 * cfg['enc_c_base']} ch), E_attr base "
                   f"{cfg['enc_a_base']}, discriminators {cfg['dis_ch']} ch × {cfg['dis_scale']} scales (official: 64 / 256 / 64)"),
        ("parameters (inference)", f"{n_params:,} (E_c + E_a + G)"),
        ("resolution", f"square resize {cfg['resize_size']}, random crop {cfg['crop_size']} + flip (training); "
                       f"pack pre-processing resize {pre['resize']} → centre crop {pre['crop']}"),
        ("objective", "image adversarial (multi-scale D, encoded + random z), content adversarial (Dis_content adapted to "
                      f"{cfg['crop_size']} px), self-reconstruction {weights['lambda_rec']:g}, cross-cycle "
                      f"{weights['lambda_cc']:g}, attribute L2 0.01, content L2 0.01, "
                      f"latent regression {weights['lambda_latent']:g}" + ("" if cfg["no_ms"] else ", mode seeking 1")
                      + (" — **mode seeking off** (see notes)" if cfg["no_ms"] else "")),
        ("optimiser", f"Adam β = (0.5, 0.999), weight decay 1e-4; lr {cfg['lr']:g} (E, G, image D), "
                      f"{cfg['lr_dis_content']:g} (content D; official 1e-4 / 4e-5); "
                      + (f"linear decay from epoch {cfg['n_ep_decay']} to {cfg['n_ep']}" if cfg["n_ep_decay"] > -1 else "constant")
                      + f"; batch {cfg['batch_size']} ({cfg['batch_size'] // 2} encoded + {cfg['batch_size'] // 2} random), "
                      f"d_iter {cfg['d_iter']}"),
        ("recipe", ", ".join(x for x in (
            f"DiffAugment {cfg['diffaug']} on the image discriminators' inputs" if cfg.get("diffaug") else "no augmentation",
            f"EMA {cfg['ema']:g} of E_c, E_a, G (the pack holds the EMA weights)" if cfg.get("ema", 0) > 0 else "no EMA",
            (f"mode seeking ramped in over {cfg['ms_warmup']} iterations" if cfg.get("ms_warmup", 0) > 0 else None)
            if not cfg["no_ms"] else None,
            f"{cfg.get('gan_loss', 'bce')} adversarial loss",
            "spectral norm in the image discriminators" if cfg.get("dis_spectral_norm") else None) if x)),
        ("iterations", f"{info['total_it']:,} full (E/G) iterations + 2 content-D steps each; final lr {info['lr']:.3g}"),
        ("wall time", f"{info['wall_time_s'] / 60:.1f} min ({info['session_it_per_s']:.2f} it/s)"),
        ("hardware", f"{info['hardware']}; torch {info['torch']}; in the background of other work (nice 19)"),
        ("checkpoint", f"epoch field {info['ep']}, total_it {info['total_it']} (official 18-key layout)"),
        ("pack", f"{man['dtype']}, {len(man['shards'])} shard(s) {fmt_bytes(shard_bytes)} + manifest "
                 f"{manifest_bytes / 1024:.0f} KiB"),
    ]
    L += [f"| {a} | {b} |" for a, b in rows]
    L.append("\nTraining command:\n\n```sh\n" + args.command.strip() + "\n```\n")
    L.append("Conversion:\n\n```sh\n" + conv + "\n```\n")
    L.append(f"## Final losses (mean of the last {n_last} iterations)\n")
    L.append("| term | A | B |\n|---|---|---|")
    for label, keys in LOSS_ROWS:
        label = label.format(**weights)
        vals = [losses[k][-n_last:] for k in keys if k in losses and np.isfinite(losses[k]).any()]
        if not vals:
            continue
        cells = [f"{float(np.nanmean(v)):.4g}" for v in vals]
        if len(cells) == 1:
            cells.append("")
        L.append(f"| {label} | " + " | ".join(cells) + " |")
    L.append("\n![loss curves](loss_curve.png)\n")
    L.append("## Evaluation (held-out images)\n")
    L.append(
        f"`scripts/py -m training.eval.evaluate --checkpoint {ck_name}` (PyTorch, float32 weights "
        f"of the same checkpoint); the measures are described in `docs/training.md` (\"Evaluation\"). "
        f"Realism: a judge trained on real training-split photos and degraded copies of them (never on generated "
        f"images) decides cat / dog / not a real animal. Direction: a small cat-vs-dog CNN; diversity is the mean "
        f"pairwise distance between {ev['config']['samples_per_input']} samples of the same "
        f"input (pixel L1 on [0,1]; L2 between normalised classifier features, range [0,2]).\n")
    L.append(ev_md)
    realism = ""
    if "realism" in d["cat2dog"]:
        realism = (f"the realism judge calls {d['cat2dog']['realism']:.0%} of cat→dog translations real dogs "
                   f"(real dog photos: {d['cat2dog']['baseline_real_realism']:.0%}) and {d['dog2cat']['realism']:.0%} "
                   f"of dog→cat translations real cats (real cat photos: {d['dog2cat']['baseline_real_realism']:.0%}); ")
    L.append(
        f"In words: {realism}{d['cat2dog']['success']:.0%} of cat→dog and {d['dog2cat']['success']:.0%} of dog→cat "
        f"translations are classified as the target species; the samples of one input differ by "
        f"{d['cat2dog']['diversity_l1']:.3f} / {d['dog2cat']['diversity_l1']:.3f} in pixel L1 "
        f"(random pairs of real photos: {d['cat2dog']['baseline_real_pairs_l1']:.3f} / "
        f"{d['dog2cat']['baseline_real_pairs_l1']:.3f}).\n")
    L.append("## Samples\n")
    L.append("Generated with PyTorch from the checkpoint (`training/sample.py`), held-out inputs, centre crop "
             f"{pre['crop']} px.\n")
    L.append("Random attributes: rows = inputs, columns = random z ~ N(0, I) (the same z in each column):\n\n"
             "![random-z samples](samples_random.png)\n")
    L.append("Reference-guided: the top row of each block holds reference images of the target species; each cell "
             "combines the row's content with the column reference's attribute code:\n\n"
             "![reference-guided samples](samples_reference.png)\n")
    section = directions_section(pack, dir_notes)
    if section:
        L.append(section)
    if not args.no_owed:
        L.append("## Still owed: the GPU run\n")
        L.append(
            "This model exists because no GPU was available. The intended model, at the paper's resolution and "
            "schedule with widths that keep the float16 pack under 30 MB (23.6 MiB):\n\n```sh\n"
            "scripts/py -m training.train --preset gpu-ship --name cat2dog_gpu   # or torchrun --nproc_per_node N ...\n"
            "# = --concat 0 --resize_size 256 --crop_size 216 --enc_c_base 40 --enc_a_base 40 --dis_ch 64\n"
            "#   --n_ep 1200 --n_ep_decay 600 --lr 1e-4 --holdout 0.1 (batch 2, d_iter 3, mode seeking on;\n"
            "#   the CPU recipe's DiffAugment, EMA, LeakyReLU E_a, half L1 weights;\n"
            "#   bf16 autocast + channels_last automatic on CUDA; resumable with --resume auto)\n"
            "scripts/py -m training.eval.evaluate --checkpoint training/runs/cat2dog_gpu/checkpoints/ema.pth\n"
            "scripts/py -m training.sample --checkpoint training/runs/cat2dog_gpu/checkpoints/ema.pth --out public/models/cat2dog\n"
            "npm run convert -- training/runs/cat2dog_gpu/checkpoints/ema.pth public/models/cat2dog \\\n"
            "    --name cat2dog --domains cat,dog --dtype float16 --resize 256 --crop 216\n"
            "scripts/py -m training.card.model_card --run training/runs/cat2dog_gpu --pack public/models/cat2dog --command '...'\n"
            "```\n\n≈ 140 000 full iterations (1200 epochs × ~116). With minutes of a GPU rather than hours, "
            "`training/tools/device_run.sh` continues this model's run on CUDA with the same recipe instead. "
            "See `docs/training.md`, \"The GPU run\".\n")
    (pack / "README.md").write_text("\n".join(L))
    print(f"wrote {pack / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
