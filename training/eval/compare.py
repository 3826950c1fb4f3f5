"""Compare two evaluations of the same held-out photos, paired: is the new model better, worse, or
indistinguishable from the base (the shipped pack), per direction, for realism and KID?

Each evaluation folder is what ``training.eval.evaluate`` writes (``eval_outputs.pt``: every output's
judgment and judge features). Both must cover the same held-out inputs with the same number of z
samples and the same judge. One bootstrap draws the inputs (with replacement) and recomputes both
models' figures on that same draw, so the interval is the one of the *difference*: tighter and more
honest than asking whether two separate intervals overlap. A difference is significant when its
95 % interval excludes 0.

The ship rule (docs/training.md, "The ship rule") is balanced: every visitor meets both
directions, so the candidate ships when its *weaker* direction (realism over the real-photo rate,
the lower of the two) is significantly better than the base's weaker direction, while its stronger
direction stays at or above 0.7 of the real-photo rate. The earlier rule (no figure significantly
worse, one significantly better) is still reported: it kept out checkpoints that traded a little of
the strong direction for much of the weak one.

    scripts/py -m training.eval.compare --base <shipped pack>/eval --new <candidate>/eval
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from training.eval.realism import bootstrap_counts, kid_resampled


STRONG_FLOOR = 0.7  # the stronger direction's realism over the real-photo rate must stay at or above this


def load_outputs(folder: str) -> dict:
    path = Path(folder) / "eval_outputs.pt"
    if not path.exists():
        raise SystemExit(f"{path}: missing; rerun training.eval.evaluate (it writes eval_outputs.pt)")
    out = torch.load(path, map_location="cpu")
    summary = Path(folder) / "eval.json"
    for name, d in out["directions"].items():
        if "real_realism" not in d:  # evaluations written before the field existed keep it in eval.json
            if not summary.exists():
                raise SystemExit(f"{path}: no real-photo realism for {name}, and no eval.json beside it")
            d["real_realism"] = json.loads(summary.read_text())["directions"][name]["baseline_real_realism"]
    return out


def _verdict(lo: float, hi: float, higher_is_better: bool) -> str:
    if lo > 0:
        return "better" if higher_is_better else "worse"
    if hi < 0:
        return "worse" if higher_is_better else "better"
    return "no significant difference"


def compare(base: dict, new: dict, seed: int = 0, n: int = 2000) -> dict:
    """Paired bootstrap over inputs of realism (share judged a real target animal) and KID x1000."""
    out = {"base": base.get("checkpoint"), "new": new.get("checkpoint"), "directions": {}}
    draws = {}  # per direction: bootstrap draws of (base, new) realism over the real-photo rate
    for k, (name, b) in enumerate(base["directions"].items()):
        if name not in new["directions"]:
            raise ValueError(f"{name}: only in the base evaluation")
        w = new["directions"][name]
        if b.get("judge_verdict", "argmax") != w.get("judge_verdict", "argmax"):
            raise ValueError(f"{name}: the evaluations used different judge verdicts ({b.get('judge_verdict', 'argmax')} vs "
                             f"{w.get('judge_verdict', 'argmax')}): rerun the older one with the current evaluate")
        if b["inputs"] != w["inputs"] or b["samples"] != w["samples"] or b["target"] != w["target"]:
            raise ValueError(f"{name}: the two evaluations did not use the same held-out inputs and z samples per input")
        if not torch.allclose(b["real_feats"], w["real_feats"], atol=1e-4):
            raise ValueError(f"{name}: the judge's features of the real photos differ: not the same judge or photos")
        per, g = b["samples"], len(b["inputs"])
        hit = lambda d: (d["pred"].long() == d["target"]).double().view(g, per).mean(1)  # noqa: E731
        rb, rw = hit(b), hit(w)
        if abs(b["real_realism"] - w["real_realism"]) > 5e-4:  # eval.json keeps 4 decimals
            raise ValueError(f"{name}: the judge's verdicts on the real photos differ: not the same judge or photos")
        # a judge that calls no real target photo real (only tiny test models) leaves ratios undefined:
        # they are then NaN and the balanced rule cannot pass
        real_rate = b["real_realism"] if b["real_realism"] > 0 else float("nan")
        # the directions have different inputs (cats, dogs): each gets its own independent draw
        counts = bootstrap_counts(g, n, seed + k).double()
        draws[name] = ((counts @ rb) / g / real_rate, (counts @ rw) / g / real_rate)
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
        out["directions"][name] = {"inputs": g, "samples": per, "real_realism": round(real_rate, 4),
                                   "ratio": {"base": round(rb.mean().item() / real_rate, 4),
                                             "new": round(rw.mean().item() / real_rate, 4)}, **figures}
    verdicts = [f["verdict"] for d in out["directions"].values() for f in (d["realism"], d["kid_x1000"])]
    out["no_worse_rule"] = "worse" not in verdicts and "better" in verdicts
    out["balanced"] = balanced(out["directions"], draws)
    out["ship"] = out["balanced"]["passes"]
    return out


def balanced(directions: dict, draws: dict) -> dict:
    """The balanced rule: the weaker direction significantly better, the stronger one >= STRONG_FLOOR."""
    names = list(directions)
    weak = lambda which: min((directions[d]["ratio"][which], d) for d in names)  # noqa: E731
    strong = lambda which: max((directions[d]["ratio"][which], d) for d in names)  # noqa: E731
    # the weaker direction may differ between models and between draws: take the minimum per draw
    min_base = torch.stack([draws[d][0] for d in names]).min(0).values
    min_new = torch.stack([draws[d][1] for d in names]).min(0).values
    diff = (min_new - min_base).numpy()
    lo, hi = float(np.quantile(diff, 0.025)), float(np.quantile(diff, 0.975))
    (wb, db), (wn, dn), (sn, dsn) = weak("base"), weak("new"), strong("new")
    return {"weaker_base": {"direction": db, "ratio": wb}, "weaker_new": {"direction": dn, "ratio": wn},
            "weaker_difference": round(wn - wb, 4), "weaker_difference_ci95": [round(lo, 4), round(hi, 4)],
            "weaker_verdict": _verdict(lo, hi, True), "stronger_new": {"direction": dsn, "ratio": sn},
            "stronger_floor": STRONG_FLOOR, "passes": bool(lo > 0 and sn >= STRONG_FLOOR)}


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
    bal = r["balanced"]
    lo, hi = bal["weaker_difference_ci95"]
    lines += ["", f"weaker direction (realism / real-photo rate): base {bal['weaker_base']['direction'].replace('2', ' -> ')} "
              f"{bal['weaker_base']['ratio']:.2f}, new {bal['weaker_new']['direction'].replace('2', ' -> ')} "
              f"{bal['weaker_new']['ratio']:.2f}, difference {bal['weaker_difference']:+.2f} ({lo:+.2f} to {hi:+.2f}): "
              f"{bal['weaker_verdict']}",
              f"stronger direction of the new model: {bal['stronger_new']['direction'].replace('2', ' -> ')} "
              f"{bal['stronger_new']['ratio']:.2f} (floor {bal['stronger_floor']})",
              "ship rule (weaker direction significantly better, stronger >= floor): " + ("passes" if r["ship"] else "fails"),
              "earlier rule (no figure significantly worse, one significantly better): "
              + ("passes" if r["no_worse_rule"] else "fails")]
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
