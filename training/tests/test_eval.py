"""evaluate.py and sample.py end to end on a tiny synthetic setup."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import torch

from training.trainer import checkpoint as ckpt_io
from training.trainer.config import PRESETS, TrainConfig
from training.trainer.model import DRIT
from training.trainer.synthetic import make_dataset

REPO = Path(__file__).resolve().parents[2]


def _tiny_run(tmp_path, **dataset) -> Path:
    """A freshly initialised tiny model saved as a run (config.json + checkpoints/latest.pth)."""
    root = make_dataset(tmp_path / "ds", **dataset)
    cfg = TrainConfig(dataroot=str(root), holdout=0.25, **PRESETS["tiny"])
    torch.manual_seed(0)
    m = DRIT(cfg, torch.device("cpu"))
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    ckpt_io.save(m.state_dict(ep=0, total_it=1), run / "checkpoints" / "latest.pth")
    (run / "config.json").write_text(cfg.to_json())
    return run


def test_evaluate_and_sample_end_to_end(tmp_path):
    run = _tiny_run(tmp_path, n_a=24, n_b=24, seed=5, truncated=True)

    out = tmp_path / "eval"
    r = subprocess.run([sys.executable, "-m", "training.eval.evaluate", "--checkpoint",
                        str(run / "checkpoints" / "latest.pth"), "--cls-epochs", "2", "--judge-epochs", "1", "--judge-cache", "", "--samples", "4",
                        "--z-source", "photos", "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    res = json.loads((out / "eval.json").read_text())
    assert res["config"]["holdout"] == 0.25 and res["config"]["crop"] == 64 and res["config"]["z_source"] == "photos"
    assert "z from domain B's training photos" in r.stdout
    # photos unlike the training set: every recolouring for both directions, the example photo for cats
    for name in ("cat2dog", "dog2cat"):
        unlike = res["directions"][name]["unlike"]
        assert list(unlike) == ["as is", "greyscale", "hue +120", "hue -120", "darker"]
        assert all(0.0 <= v["realism"] <= 1.0 and v["inputs"] == res["directions"][name]["inputs"] for v in unlike.values())
    assert res["directions"]["cat2dog"]["example"]["samples"] == 50 and "example" not in res["directions"]["dog2cat"]
    assert "| greyscale |" in (out / "eval.md").read_text().replace("| as is | greyscale |", "| greyscale |")
    assert res["held_out"]["A"] > 0 and res["held_out"]["B"] > 0
    for name in ("cat2dog", "dog2cat"):
        d = res["directions"][name]
        assert d["outputs"] == 4 * d["inputs"]
        for k in ("success", "reference_success", "baseline_input_as_target"):
            assert 0.0 <= d[k] <= 1.0
        assert d["diversity_l1"] >= 0 and d["diversity_feat"] >= 0
        assert d["grid_power_x1e4"] >= 0 and d["baseline_real_grid_power_x1e4"] >= 0
        lo, hi = d["realism_ci95"]
        assert 0.0 <= lo <= d["realism"] <= hi <= 1.0
        # the strict verdict only ever withdraws argmax verdicts, for translations and real photos alike
        assert d["realism"] <= d["realism_lenient"] and d["baseline_real_realism"] <= d["baseline_real_realism_lenient"]
        klo, khi = d["kid_x1000_ci95"]
        assert klo <= d["kid_x1000"] <= khi
    assert "| cat -> dog |" in (out / "eval.md").read_text()
    # the per-output file feeds the paired comparison; an evaluation against itself: no difference
    from training.eval.compare import compare, load_outputs
    same = compare(load_outputs(str(out)), load_outputs(str(out)))
    for name in ("cat2dog", "dog2cat"):
        assert same["directions"][name]["inputs"] == res["directions"][name]["inputs"]
        for fig in ("realism", "kid_x1000"):
            f = same["directions"][name][fig]
            assert f["difference"] == 0 and f["difference_ci95"] == [0, 0] and f["verdict"] == "no significant difference"
    assert same["ship"] is False

    figs = tmp_path / "figs"
    r = subprocess.run([sys.executable, "-m", "training.sample", "--checkpoint",
                        str(run / "checkpoints" / "latest.pth"), "--rows", "2", "--cols", "3", "--refs", "2",
                        "--out", str(figs)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    from PIL import Image
    for name in ("samples_random.png", "samples_reference.png"):
        im = Image.open(figs / name)
        assert im.size[0] > 64 * 3 and im.size[1] > 64 * 2


def test_attr_health_tells_a_collapsed_attribute_encoder_from_a_live_one(tmp_path):
    """attr_health on two checkpoints of the same tiny model: E_a's last layers with large random
    weights (codes that vary with the photo), and zeroed (a constant code: spread 0, references
    change nothing) — the collapse the CPU run showed. (At initialisation a tiny E_a is nearly
    collapsed too: its codes differ by ~1e-5.)"""
    root = make_dataset(tmp_path / "ds", n_a=16, n_b=16, seed=3)
    cfg = TrainConfig(dataroot=str(root), holdout=0.25, **PRESETS["tiny"])
    torch.manual_seed(0)
    m = DRIT(cfg, torch.device("cpu"))

    def health(name: str, ck: dict) -> dict:
        run = tmp_path / name
        (run / "checkpoints").mkdir(parents=True)
        ckpt_io.save(ck, run / "checkpoints" / "latest.pth")
        (run / "config.json").write_text(cfg.to_json())
        r = subprocess.run([sys.executable, "-m", "training.eval.attr_health", "--checkpoint", str(run / "checkpoints" / "latest.pth"),
                            "--pairs", "4"], cwd=REPO, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        return json.loads(r.stdout)

    ck = m.state_dict(ep=0, total_it=1)
    g = torch.Generator().manual_seed(1)
    for d in ("a", "b"):
        w = ck["enc_a"][f"model_{d}.16.weight"]
        w.copy_(torch.randn(w.shape, generator=g) * 300)
    live = health("live", ck)
    ck = m.state_dict(ep=0, total_it=1)
    for d in ("a", "b"):
        ck["enc_a"][f"model_{d}.16.weight"].zero_()
        ck["enc_a"][f"model_{d}.16.bias"].fill_(0.5)
        ck["enc_a"][f"model_{d}.13.weight"].zero_()  # the last ReLU block: every channel dead
        ck["enc_a"][f"model_{d}.13.bias"].fill_(-1.0)
    dead = health("dead", ck)
    for k in ("A->B", "B->A"):
        assert live[k]["spread_total"] > 1e-3 and live[k]["reference_pair_l1"] > 0
        assert dead[k]["spread_total"] < 1e-6 and dead[k]["reference_pair_l1"] == 0.0
        assert abs(dead[k]["mean_code_length"] - 0.5 * (8 ** 0.5)) < 1e-4  # the constant code (0.5, ..., 0.5)
        assert 0 < dead[k]["recovery_l1"] and dead[k]["recovery_l1_constant_guess"] == (2 / 3.141592653589793) ** 0.5
        branch = "model_a" if k == "B->A" else "model_b"  # the codes of the target domain's photos
        for report in (live, dead):
            assert [u["layer"] for u in report[k]["dead_units"]] == [f"{branch}.{i}" for i in (2, 5, 8, 11, 14)]
        last_live, last_dead = live[k]["dead_units"][-1], dead[k]["dead_units"][-1]
        assert last_dead["dead"] == last_dead["channels"] == 16 and last_live["dead"] < 16
        assert dead[k]["dead_units"][:4] == live[k]["dead_units"][:4]  # layers before it: same weights, same count


def test_grid_power_sees_a_checkerboard():
    """The period-2 share: ~0 for a smooth image, large once a +-0.1 checkerboard is added, the
    same at any brightness or contrast (a share of the mean-removed power)."""
    from training.eval.core import grid_power
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, 32), torch.linspace(-1, 1, 32), indexing="ij")
    smooth = (0.5 * torch.sin(3 * xx) * torch.cos(2 * yy)).expand(1, 3, 32, 32)
    board = smooth + 0.1 * (((torch.arange(32)[:, None] + torch.arange(32)[None]) % 2) * 2 - 1).float()
    assert grid_power(smooth) < 1.0
    assert grid_power(board) > 100 * max(grid_power(smooth), 0.01)
    assert abs(grid_power(3 * board + 1) - grid_power(board)) < 1e-3 * grid_power(board)


def test_bootstrap_interval_resamples_inputs():
    import numpy as np
    from training.eval.evaluate import bootstrap_ci

    assert bootstrap_ci(np.full(10, 0.5), seed=0) == [0.5, 0.5]
    # 400 inputs, each a hit or not with p = 0.3: the interval is about ±1.96·sqrt(p(1-p)/n) = ±0.045
    x = (np.random.default_rng(1).random(400) < 0.3).astype(float)
    lo, hi = bootstrap_ci(x, seed=0)
    assert lo < x.mean() < hi
    assert 0.07 < hi - lo < 0.11
    # fewer inputs, wider interval
    lo5, hi5 = bootstrap_ci(x[:25], seed=0)
    assert hi5 - lo5 > 2 * (hi - lo)


def test_kid_interval_resamples_inputs_without_self_pairs():
    """The resampled KID equals ``kid`` when every input is drawn once, and, when one input's
    outputs are drawn twice, equals the unbiased estimate over the explicitly duplicated set that
    leaves out only the pairs of an output with its own copy. The interval brackets the estimate."""
    import math
    import pytest
    from training.eval.realism import kid, kid_interval, kid_resampled
    gen = torch.Generator().manual_seed(0)
    per, groups = 3, 5
    f_gen = torch.randn(groups * per, 6, generator=gen, dtype=torch.float64) + 0.5
    f_real = torch.randn(7, 6, generator=gen, dtype=torch.float64)
    ones = torch.ones(1, groups, dtype=torch.long)
    assert kid_resampled(f_gen, per, f_real, ones).item() == pytest.approx(kid(f_gen, f_real), rel=1e-12)
    counts = torch.tensor([[2, 0, 1, 1, 1]])
    rows = [r for gi, c in enumerate(counts[0].tolist()) for _ in range(c) for r in range(gi * per, gi * per + per)]
    x = f_gen[rows]
    kxx = (x @ x.T / 6 + 1) ** 3
    same = torch.tensor(rows)[:, None] == torch.tensor(rows)[None, :]
    sxx = kxx[~same].mean()
    kyy = (f_real @ f_real.T / 6 + 1) ** 3
    syy = (kyy.sum() - kyy.diagonal().sum()) / (7 * 6)
    brute = sxx + syy - 2 * ((x @ f_real.T / 6 + 1) ** 3).mean()
    assert kid_resampled(f_gen, per, f_real, counts).item() == pytest.approx(brute.item(), rel=1e-12)
    lo, hi = kid_interval(f_gen, per, f_real, seed=0)
    assert lo < kid(f_gen, f_real) < hi
    assert all(math.isnan(v) for v in kid_interval(f_gen, 4, f_real, seed=0))  # 15 rows are not groups of 4


def _direction(hits_per_input, feats, real_feats, per=4, target=1, real_realism=1.0):
    n = len(hits_per_input)
    miss = 2  # "not a real animal"
    pred = torch.tensor([[target] * h + [miss] * (per - h) for h in hits_per_input], dtype=torch.int8).flatten()
    return {"inputs": [f"{i}.jpg" for i in range(n)], "samples": per, "target": target,
            "pred": pred, "feats": feats, "real_feats": real_feats, "real_realism": real_realism}


def _fake_outputs(hits_per_input, feats, real_feats, per=4):
    return {"checkpoint": "x", "directions": {"cat2dog": _direction(hits_per_input, feats, real_feats, per)}}


def test_balanced_ship_rule_takes_the_better_weak_direction_with_a_floor_on_the_strong_one():
    """A candidate that gives up a little of the strong direction for much of the weak one ships
    (the earlier no-worse rule kept it out); one whose strong direction falls below 0.7 of the real
    rate does not, nor one whose weak direction is not significantly better."""
    import pytest
    from training.eval.compare import compare
    gen = torch.Generator().manual_seed(0)
    real = torch.randn(30, 8, generator=gen)
    feats = lambda n: real[torch.randint(0, 30, (n,), generator=gen)] + 0.1 * torch.randn(n, 8, generator=gen)  # noqa: E731

    def model(c2d, d2c):  # hits out of 10 per input: 40 cats, 20 dogs; real-photo rate 1.0 and 0.95
        return {"checkpoint": "x", "directions": {
            "cat2dog": _direction(c2d, feats(400), real, per=10, target=1, real_realism=1.0),
            "dog2cat": _direction(d2c, feats(200), real, per=10, target=0, real_realism=0.95)}}
    base = model([8] * 40, [3] * 20)                        # 0.80 / 0.32
    trade = model([7, 8] * 20, [5] * 20)                    # 0.75 / 0.53: weak +0.21, strong 0.75
    r = compare(base, trade)
    assert r["directions"]["cat2dog"]["realism"]["verdict"] == "worse" and r["no_worse_rule"] is False
    assert r["balanced"]["weaker_verdict"] == "better" and r["ship"] is True
    assert r["balanced"]["weaker_new"]["direction"] == "dog2cat"
    too_far = model([6] * 40, [6] * 20)                     # 0.60 / 0.63: strong under the floor
    assert compare(base, too_far)["balanced"]["weaker_verdict"] == "better"
    assert compare(base, too_far)["ship"] is False
    same_weak = model([9] * 40, [3, 3, 4, 2] * 5)            # weak unchanged on average
    assert compare(base, same_weak)["ship"] is False
    different_judge = model([8] * 40, [3] * 20)
    different_judge["directions"]["dog2cat"]["real_realism"] = 0.9
    with pytest.raises(ValueError, match="judge"):
        compare(base, different_judge)


def test_strict_verdict_needs_real_photo_confidence():
    """Thresholds from a class's own real photos accept STRICT_KEEP of them; strict verdicts are a
    subset of the argmax verdicts of the same class, and every withdrawn one falls below its
    class's threshold; a stricter keep withdraws more."""
    from training.eval.realism import NOT_ANIMAL, Judge, judge_outputs, strict_thresholds
    torch.manual_seed(0)
    judge = Judge(widths=(8,)).eval()
    # a judge whose logits are a fixed linear map of the mean colour: every class occurs, with a spread
    # of confidences (the trained judge's weights are not in the repository)
    judge.features = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    judge.fc = torch.nn.Linear(3, 3)
    with torch.no_grad():
        judge.fc.weight.copy_(torch.tensor([[8.0, -4.0, 0.0], [-4.0, 8.0, 0.0], [0.0, 0.0, 4.0]]))
        judge.fc.bias.zero_()
    x = torch.rand(300, 3, 1, 1).expand(300, 3, 8, 8) * 2 - 1
    lenient, _ = judge_outputs(judge, x)
    cats, dogs = x[lenient == 0], x[lenient == 1]
    assert len(cats) > 20 and len(dogs) > 20
    taus = strict_thresholds(judge, [cats, dogs], keep=0.9)
    strict, _ = judge_outputs(judge, x, thresholds=taus)
    assert ((strict == 0).sum() / len(cats)).item() >= 0.9 - 1 / len(cats)  # the quantile keeps its share
    assert ((strict == 1).sum() / len(dogs)).item() >= 0.9 - 1 / len(dogs)
    assert ((strict == lenient) | (strict == NOT_ANIMAL)).all()            # only withdrawals
    assert (strict != lenient).any()
    with torch.no_grad():
        p = torch.softmax(judge(x), 1)
    withdrawn = (strict != lenient) & (lenient != NOT_ANIMAL)
    assert (p[withdrawn, lenient[withdrawn]] < taus[lenient[withdrawn]]).all()
    stricter, _ = judge_outputs(judge, x, thresholds=strict_thresholds(judge, [cats, dogs], keep=0.5))
    assert (stricter != NOT_ANIMAL).sum() < (strict != NOT_ANIMAL).sum()


def test_one_judge_pass_gives_the_same_verdicts_thresholds_and_features():
    """evaluate.py judges each set of photos once (judge_pass) and derives thresholds, both verdicts
    and KID features from it: all must equal what separate passes of the whole judge give (forward()
    per chunk, softmax, quantile, as strict_thresholds was first written), across several chunks."""
    from training.eval.realism import (NOT_ANIMAL, Judge, judge_outputs, judge_pass, strict_thresholds,
                                       thresholds_from_logits, verdict)
    torch.manual_seed(0)
    judge = Judge(widths=(8, 16)).eval()
    with torch.no_grad():
        for mod in judge.modules():  # BN statistics that are not the identity
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.2, 0.2)
                mod.running_var.uniform_(0.5, 2.0)
    cats, dogs = torch.rand(150, 3, 16, 16) * 2 - 1, torch.rand(90, 3, 16, 16) * 2 - 1
    with torch.no_grad():  # the reference: whole-judge passes, chunk by chunk
        probs = [torch.cat([torch.softmax(judge(x[s:s + 64]), 1)[:, c] for s in range(0, len(x), 64)])
                 for c, x in enumerate((cats, dogs))]
        feats_ref = torch.cat([judge.features(cats[s:s + 64]) for s in range(0, len(cats), 64)])
    ref = torch.stack([torch.quantile(p.double(), 0.5).float() for p in probs])
    taus = thresholds_from_logits([judge_pass(judge, cats)[1], judge_pass(judge, dogs)[1]], keep=0.5)
    assert torch.equal(taus, ref) and torch.equal(strict_thresholds(judge, [cats, dogs], keep=0.5), ref)
    feats, logits = judge_pass(judge, cats)
    assert torch.equal(feats, feats_ref)
    strict, lenient = verdict(logits, taus), verdict(logits)
    pred, f2 = judge_outputs(judge, cats, thresholds=taus)
    assert torch.equal(strict, pred) and torch.equal(f2, feats)
    assert torch.equal(lenient, judge_outputs(judge, cats)[0])
    # the median threshold withdraws verdicts: the strict and lenient verdicts differ somewhere
    assert (strict == NOT_ANIMAL).sum() > (lenient == NOT_ANIMAL).sum()


def test_compare_refuses_evaluations_with_different_verdicts():
    import pytest
    from training.eval.compare import compare
    real = torch.randn(30, 8)
    base, new = _fake_outputs([1] * 20, real[:20].repeat(4, 1), real), _fake_outputs([1] * 20, real[:20].repeat(4, 1), real)
    new["directions"]["cat2dog"]["judge_verdict"] = "strict 0.9"  # base: an argmax-only evaluation
    with pytest.raises(ValueError, match="judge verdicts"):
        compare(base, new)


def test_compare_eval_pairs_inputs_and_applies_the_ship_rule():
    """Realism up on every input -> significantly better; features moved away from the real ones ->
    KID significantly worse, and the ship rule fails; different inputs are refused."""
    import pytest
    from training.eval.compare import compare
    gen = torch.Generator().manual_seed(0)
    real = torch.randn(30, 8, generator=gen)
    near = real[torch.randint(0, 30, (80,), generator=gen)] + 0.1 * torch.randn(80, 8, generator=gen)
    far = near + 1.5
    base = _fake_outputs([1] * 20, near, real)
    better = _fake_outputs([3] * 20, near, real)
    r = compare(base, better)
    d = r["directions"]["cat2dog"]
    assert d["realism"]["verdict"] == "better" and d["realism"]["difference"] == pytest.approx(0.5)
    assert d["kid_x1000"]["verdict"] == "no significant difference" and r["no_worse_rule"] is True
    worse_kid = compare(base, _fake_outputs([3] * 20, far, real))
    assert worse_kid["directions"]["cat2dog"]["kid_x1000"]["verdict"] == "worse" and worse_kid["no_worse_rule"] is False
    # a mixed change (some inputs up, some down, zero on average) is not significant either way
    mixed = compare(base, _fake_outputs([2, 0] * 10, near, real))
    assert mixed["directions"]["cat2dog"]["realism"]["difference"] == 0
    assert mixed["directions"]["cat2dog"]["realism"]["verdict"] == "no significant difference"
    other = _fake_outputs([1] * 20, near, real)
    other["directions"]["cat2dog"]["inputs"][0] = "elsewhere.jpg"
    with pytest.raises(ValueError, match="same held-out inputs"):
        compare(base, other)


def test_content_gap_probe_and_report(tmp_path):
    """The domain probe scores ~1 on separable codes and ~0.5 on codes from one distribution; the
    report on a tiny model has every share for both generators."""
    from training.eval.content_gap import probe_accuracy
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(60, 16, generator=g), torch.randn(20, 16, generator=g)
    ta, tb = torch.randn(40, 16, generator=g), torch.randn(40, 16, generator=g)
    assert probe_accuracy(a, b + 2.0, ta, tb + 2.0) > 0.97
    assert abs(probe_accuracy(a, b, ta, tb) - 0.5) < 0.15

    run = _tiny_run(tmp_path, n_a=16, n_b=16, seed=3)
    r = subprocess.run([sys.executable, "-m", "training.eval.content_gap", "--checkpoint", str(run / "checkpoints" / "latest.pth"),
                        "--samples", "2", "--judge-cache", str(tmp_path / "judge")], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    rep = json.loads(r.stdout)
    for dom in ("cat", "dog"):
        shares = rep["domains"][dom]
        assert set(shares) == {"own", "translated", "reconstruction", "real_photos", "real_photos_half_resolution"}
        assert all(0.0 <= v <= 1.0 for v in shares.values())
        assert set(rep["fine_detail_percent"][dom]) == {"own", "translated", "reconstruction", "real_photos"}
    assert 0.0 <= rep["content_probe_balanced_accuracy"] <= 1.0


def test_fine_detail_sees_texture_and_ignores_the_checkerboard():
    from training.eval.content_gap import fine_detail
    g = torch.Generator().manual_seed(0)
    noise = torch.rand(2, 3, 32, 32, generator=g)
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, 32), torch.linspace(-1, 1, 32), indexing="ij")
    smooth = (0.5 * torch.sin(3 * xx) * torch.cos(2 * yy)).expand(2, 3, 32, 32)
    board = ((torch.arange(32)[:, None] + torch.arange(32)[None]) % 2).float().expand(2, 3, 32, 32)
    assert fine_detail(noise) > 50 > 5 > fine_detail(smooth)  # white noise: ~80 % of its power is fine
    assert abs(fine_detail(smooth + 0.3 * board) - fine_detail(smooth)) < 1e-3


def test_photo_gaussian_reproduces_the_codes_mean_and_covariance():
    from training.eval.evaluate import photo_gaussian
    gen = torch.Generator().manual_seed(0)
    mix = torch.randn(8, 8, generator=gen) * torch.tensor([2.0, 1, 0.5, 0.1, 0.01, 0, 0, 0])  # rank 5
    codes = torch.randn(4000, 8, generator=gen) @ mix.T + torch.arange(8.0)
    mean, L = photo_gaussian(codes)
    z = mean + torch.randn(200000, 8, generator=gen) @ L.T
    assert torch.allclose(z.mean(0), codes.mean(0), atol=0.02)
    assert torch.allclose(torch.cov(z.T), torch.cov(codes.T), atol=0.05, rtol=0.02)


def test_unlike_variants_keep_luminance_and_change_only_colour():
    from training.eval.unlike import EXAMPLE, example_image, variants
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(6, 3, 16, 16, generator=gen) * 0.8 - 0.4   # mid-range: no recolouring clips
    luma = lambda t: 0.299 * t[:, 0] + 0.587 * t[:, 1] + 0.114 * t[:, 2]  # noqa: E731
    v = variants(x)
    assert torch.equal(v["as is"], x)
    for name in ("greyscale", "hue +120", "hue -120"):
        assert torch.allclose(luma(v[name]), luma(x), atol=1e-5), name
        assert not torch.allclose(v[name], x, atol=1e-3), name
    grey = v["greyscale"]
    assert torch.allclose(grey[:, 0], grey[:, 1], atol=1e-5) and torch.allclose(grey[:, 1], grey[:, 2], atol=1e-5)
    assert (v["darker"] < x + 1e-6).all() and (luma(v["darker"]) < luma(x)).float().mean() > 0.99
    assert EXAMPLE.exists()
    ex = example_image(144, 128)
    assert ex.shape == (1, 3, 128, 128) and -1.0 <= ex.min() and ex.max() <= 1.0
