"""Compare two evaluations of the same held-out photos, paired: is the new model better, worse, or
indistinguishable from the base (the shipped pack), per direction, for realism and KID?

Each evaluation folder is what ``training.evaluate`` writes (``eval_outputs.pt``: every output's
judgment and judge features). Both must cover the same held-out inputs with the same number of z
samples and the same judge. One bootstrap draws the inputs (with replacement) and recomputes both
models' figures on that same draw, so the interval is the one of the *difference*: tighter and more
honest than asking whether two separate intervals overlap. A difference is significant when its
95 % interval excludes 0.

The ship rule (docs/training.md, "Converting and shipping"): no figure significantly worse and
realism or KID significantly better in some direction.

    scripts/py -m training.compare_eval --base <shipped pack>/eval --new <candidate>/eval
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if not __package__:  # started as a file: Python would not find the `training` package
    sys.exit("run from the repository root as a module: scripts/py -m training.compare_eval ...")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.realism import bootstrap_counts, kid_resampled  # noqa: E402


def load_outputs(folder: str) -> dict:
    path = Path(folder) / "eval_outputs.pt"
    if not path.exists():
        raise SystemExit(f"{path}: missing; rerun training.evaluate (it writes eval_outputs.pt since session 7)")
    return torch.load(path, map_location="cpu")


def _verdict(lo: float, hi: float, higher_is_better: bool) -> str:
    if lo > 0:
        return "better" if higher_is_better else "worse"
    if hi < 0:
        return "worse" if higher_is_better else "better"
    return "no significant difference"


def compare(base: dict, new: dict, seed: int = 0, n: int = 2000) -> dict:
    """Paired bootstrap over inputs of realism (share judged a real target animal) and KID x1000."""
    out = {"base": base.get("checkpoint"), "new": new.get("checkpoint"), "directions": {}}
    for name, b in base["directions"].items():
        if name not in new["directions"]:
            raise ValueError(f"{name}: only in the base evaluation")
        w = new["directions"][name]
        if b["inputs"] != w["inputs"] or b["samples"] != w["samples"] or b["target"] != w["target"]:
            raise ValueError(f"{name}: the two evaluations did not use the same held-out inputs and z samples per input")
        if not torch.allclose(b["real_feats"], w["real_feats"], atol=1e-4):
            raise ValueError(f"{name}: the judge's features of the real photos differ: not the same judge or photos")
        per, g = b["samples"], len(b["inputs"])
        hit = lambda d: (d["pred"].long() == d["target"]).double().view(g, per).mean(1)  # noqa: E731
        rb, rw = hit(b), hit(w)
        counts = bootstrap_counts(g, n, seed).double()
        ones = torch.ones(1, g, dtype=torch.float64)
        real = b["real_feats"]
        d_real = ((counts @ (rw - rb)) / g).numpy()
        kb = 1000 * kid_resampled(b["feats"], per, real, counts)
        kw = 1000 * kid_resampled(w["feats"], per, real, counts)
        d_kid = (kw - kb).numpy()
        figures = {}
        for fig, point_b, point_w, diffs, higher in (
                ("realism", rb.mean().item(), rw.mean().item(), d_real, True),
                ("kid_x1000", (1000 * kid_resampled(b["feats"], per, real, ones)).item(),
                 (1000 * kid_resampled(w["feats"], per, real, ones)).item(), d_kid, False)):
            lo, hi = float(np.quantile(diffs, 0.025)), float(np.quantile(diffs, 0.975))
            figures[fig] = {"base": round(point_b, 4), "new": round(point_w, 4), "difference": round(point_w - point_b, 4),
                            "difference_ci95": [round(lo, 4), round(hi, 4)], "verdict": _verdict(lo, hi, higher)}
        out["directions"][name] = {"inputs": g, "samples": per, **figures}
    verdicts = [f["verdict"] for d in out["directions"].values() for f in (d["realism"], d["kid_x1000"])]
    out["ship"] = "worse" not in verdicts and "better" in verdicts
    return out


def to_markdown(r: dict) -> str:
    lines = [f"base: {r['base']}", f"new: {r['new']}", "",
             "| direction | figure | base | new | new - base (95 % interval, paired over inputs) | verdict |",
             "|---|---|---|---|---|---|"]
    for name, d in r["directions"].items():
        for fig, label, fmt in (("realism", "realism", "{:.1%}"), ("kid_x1000", "KID x1000", "{:.1f}")):
            f = d[fig]
            lo, hi = f["difference_ci95"]
            lines.append(f"| {name.replace('2', ' -> ')} | {label} | {fmt.format(f['base'])} | {fmt.format(f['new'])} | "
                         f"{fmt.format(f['difference'])} ({fmt.format(lo)} to {fmt.format(hi)}) | {f['verdict']} |")
    lines += ["", "ship rule (no figure significantly worse, realism or KID significantly better): "
              + ("passes" if r["ship"] else "fails")]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="evaluation folder of the shipped model")
    p.add_argument("--new", required=True, help="evaluation folder of the candidate")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="also write compare.json and compare.md here")
    args = p.parse_args(argv)
    try:
        r = compare(load_outputs(args.base), load_outputs(args.new), args.seed)
    except ValueError as e:
        raise SystemExit(f"cannot compare {args.base} with {args.new}: {e}")
    md = to_markdown(r)
    print(md)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "compare.json").write_text(json.dumps(r, indent=2))
        (out / "compare.md").write_text(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
