"""The CPU recipe's pieces: DiffAugment, EMA, batch halves, mode-seeking ramp, GAN losses,
sub-pixel transposed conv, compact resumable checkpoint, data-folder message."""
from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn as nn

from training.trainer import compact
from training.trainer.augment import coat_jitter, cutout, diff_augment, parse_policy, translation
from training.trainer.config import PRESETS, TrainConfig
from training.trainer.fastconv import PhaseConvTranspose2d, ZeroInsertConvTranspose2d, patch_pointwise_convs
from training.trainer.model import DRIT, NET_NAMES, _adv
from training.trainer.synthetic import make_dataset

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("synth"), n_a=12, n_b=8, seed=1)


def tiny(**kw) -> TrainConfig:
    cfg = TrainConfig()
    for k, v in PRESETS["tiny"].items():
        setattr(cfg, k, v)
    for k, v in kw.items():
        setattr(cfg, k, v)
    return cfg


# ---------------------------------------------------------------- DiffAugment
def test_translation_moves_content_and_zero_fills():
    torch.manual_seed(0)
    x = torch.arange(2 * 1 * 16 * 16, dtype=torch.float64).view(2, 1, 16, 16) + 1.0
    y = translation(x, ratio=0.125)
    for i in range(2):
        # find the shift: every non-zero output pixel is the input pixel at (r - dy, c - dx)
        nz = (y[i, 0] != 0).nonzero()
        r, c = nz[0].tolist()
        src = (x[i, 0] == y[i, 0, r, c]).nonzero()[0].tolist()
        dy, dx = r - src[0], c - src[1]
        assert abs(dy) <= 2 and abs(dx) <= 2
        shifted = torch.roll(x[i, 0], shifts=(dy, dx), dims=(0, 1))
        mask = y[i, 0] != 0
        assert torch.equal(y[i, 0][mask], shifted[mask])
        assert int(mask.sum()) == (16 - abs(dy)) * (16 - abs(dx))


def test_cutout_zeroes_one_half_size_square():
    torch.manual_seed(1)
    x = torch.ones(8, 3, 32, 32)
    y = cutout(x, ratio=0.5)
    for i in range(8):
        holes = (y[i, 0] == 0).nonzero()
        h = holes[:, 0].max() - holes[:, 0].min() + 1
        w = holes[:, 1].max() - holes[:, 1].min() + 1
        assert int(len(holes)) == int(h * w)  # one rectangle
        assert h <= 16 and w <= 16 and len(holes) > 0
        assert torch.equal(y[i, 0] == 0, y[i, 2] == 0)  # same hole in every channel


def test_diff_augment_is_differentiable_and_random_per_sample():
    x = torch.rand(4, 3, 16, 16, requires_grad=True)
    y = diff_augment(x, parse_policy("color,translation,cutout"))
    y.sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    same = torch.cat([x.detach()[:1]] * 4)
    y2 = diff_augment(same, parse_policy("color"))
    assert not torch.allclose(y2[0], y2[1])
    with pytest.raises(ValueError, match="unknown augmentation 'blur'"):
        parse_policy("color,blur")


# ---------------------------------------------------------------- losses, halves, MS ramp, EMA
def test_coat_jitter_keeps_luminance_changes_colour_and_respects_p():
    torch.manual_seed(0)
    x = torch.rand(64, 3, 16, 16) * 1.6 - 0.8
    luma = lambda t: 0.299 * t[:, 0] + 0.587 * t[:, 1] + 0.114 * t[:, 2]  # noqa: E731
    y = coat_jitter(x, 1.0)
    changed = (y - x).abs().flatten(1).amax(1) > 1e-3
    assert changed.float().mean() > 0.9                          # p = 1: (nearly) every image recoloured
    inside = (y.abs() < 0.999).flatten(1).all(1)                  # where nothing was clipped, luminance is kept
    assert inside.any()
    assert torch.allclose(luma(y)[inside], luma(x)[inside], atol=1e-4)
    grey = (y[:, 0] - y[:, 1]).abs().flatten(1).amax(1) < 1e-4   # some become greyscale (R = G = B)
    assert 0.15 < grey.float().mean() < 0.55
    assert torch.equal(coat_jitter(x, 0.0), x)
    half = (coat_jitter(x, 0.5) - x).abs().flatten(1).amax(1) > 1e-3
    assert 0.25 < half.float().mean() < 0.75


def test_coat_jitter_reaches_only_the_content_encoder():
    torch.manual_seed(0)
    m = DRIT(tiny(batch_size=4, coat_jitter=1.0), torch.device("cpu"))
    m.initialize()
    seen = []
    orig = m.enc_c.forward
    m.enc_c.forward = lambda a, b: (seen.append((a.clone(), b.clone())), orig(a, b))[1]
    xa, xb = torch.rand(4, 3, 64, 64) * 2 - 1, torch.rand(4, 3, 64, 64) * 2 - 1
    m.forward(xa, xb)
    first_a, _ = seen[0]
    assert not torch.allclose(first_a, m.real_A_encoded)          # E_c saw a recoloured cat
    assert torch.equal(m.real_A_encoded, m._prep(xa)[:2])         # the reconstruction target is the real one


def test_gan_losses_match_their_definitions():
    z = torch.tensor([-2.0, 0.5, 3.0])
    assert torch.isclose(_adv(z, True, "hinge"), torch.relu(1 - z).mean())
    assert torch.isclose(_adv(z, False, "hinge"), torch.relu(1 + z).mean())
    assert torch.isclose(_adv(z, True, "hinge", for_d=False), -z.mean())
    assert torch.isclose(_adv(z, True, "lsgan"), ((z - 1) ** 2).mean())
    assert torch.isclose(_adv(z, False, "bce"), torch.nn.functional.softplus(z).mean())


def test_batch_is_split_in_halves_and_every_image_feeds_G():
    m = DRIT(tiny(batch_size=6), torch.device("cpu"))
    m.initialize()
    xa, xb = torch.rand(6, 3, 64, 64) * 2 - 1, torch.rand(6, 3, 64, 64) * 2 - 1
    m.forward(xa, xb)
    assert m.real_A_encoded.shape[0] == 3 and m.real_A_random.shape[0] == 3
    assert m.fake_B_encoded.shape[0] == 3 and m.fake_A_random.shape[0] == 3 and m.fake_B_random2.shape[0] == 3
    with pytest.raises(ValueError, match="even"):
        DRIT(tiny(batch_size=5), torch.device("cpu"))


def test_mode_seeking_weight_ramps():
    m = DRIT(tiny(ms_start=10, ms_warmup=100, lambda_ms=2.0), torch.device("cpu"))
    weights = []
    for it in (0, 9, 10, 59, 109, 500):
        m.total_it = it
        weights.append(m.ms_weight())
    assert weights == [0.0, 0.0, pytest.approx(0.02), pytest.approx(1.0), pytest.approx(2.0), 2.0]


def test_ema_tracks_the_live_weights_with_warmup(synth):
    m = DRIT(tiny(ema=0.9, dataroot=synth), torch.device("cpu"))
    m.initialize()
    start = copy.deepcopy(m.ema.nets["gen"].state_dict())
    assert all(torch.equal(start[k], v) for k, v in m.gen.state_dict().items())
    xa, xb = torch.rand(2, 3, 64, 64) * 2 - 1, torch.rand(2, 3, 64, 64) * 2 - 1
    m.update_D(xa, xb)
    m.update_EG()
    live, avg = m.gen.state_dict(), m.ema.nets["gen"].state_dict()
    # first update: decay = min(0.9, 2/11) -> avg = start + (1 - 2/11) (live - start)
    k = next(k for k in live if live[k].is_floating_point() and not torch.equal(live[k], start[k]))
    expect = start[k] + (1 - 2 / 11) * (live[k] - start[k])
    assert torch.allclose(avg[k], expect, atol=1e-7)
    assert not any(p.requires_grad for p in m.ema.nets["gen"].parameters())


# ---------------------------------------------------------------- sub-pixel transposed conv
@pytest.mark.parametrize("k,s,p,op", [(3, 2, 1, 1), (4, 2, 1, 0), (3, 3, 0, 0)])
def test_phase_transposed_conv_equals_torch(k, s, p, op):
    torch.manual_seed(k * 10 + s)
    ref = nn.ConvTranspose2d(5, 7, k, s, p, op).double()
    ph = copy.deepcopy(ref)
    assert PhaseConvTranspose2d.eligible(ph)
    ph.__class__ = PhaseConvTranspose2d
    x = torch.randn(2, 5, 6, 9, dtype=torch.double, requires_grad=True)
    y1, y2 = ref(x), ph(x)
    assert y1.shape == y2.shape
    assert torch.allclose(y1, y2, atol=1e-12)
    g = torch.randn_like(y1)
    for a, b in zip(torch.autograd.grad(y1, [x, ref.weight, ref.bias], g),
                    torch.autograd.grad(y2, [x, ph.weight, ph.bias], g)):
        assert torch.allclose(a, b, atol=1e-11)


def test_generator_upsampling_uses_the_phase_form():
    m = DRIT(tiny(), torch.device("cpu"))
    kinds = {type(mod).__name__ for mod in m.gen.modules()}
    assert "PhaseConvTranspose2d" in kinds and "ZeroInsertConvTranspose2d" not in kinds
    odd = nn.ConvTranspose2d(3, 3, 3, 2, 1, 0)  # output 2H-1: not a pure sub-pixel layer
    patch_pointwise_convs(odd)
    assert type(odd) is ZeroInsertConvTranspose2d


# ---------------------------------------------------------------- compact checkpoint
def _trained_model(synth, its=3, **kw):
    torch.manual_seed(0)
    m = DRIT(tiny(ema=0.9, dataroot=synth, **kw), torch.device("cpu"))
    m.initialize()
    for _ in range(its):
        xa, xb = torch.rand(2, 3, 64, 64) * 2 - 1, torch.rand(2, 3, 64, 64) * 2 - 1
        m.update_D(xa, xb)
        m.update_EG()
    return m


def test_compact_checkpoint_round_trip(synth, tmp_path):
    m = _trained_model(synth)
    # from the official pair, as keep_run builds it
    small = compact.from_official(m.state_dict(4, 3), m.ema.state_dict(),
                                  {"ep": 4, "total_it": 3, "wall_s": 1.5, "cpu_s": 2.5, "images": 18, "ema_updates": 3}, "{}")
    size = compact.write(small, tmp_path / "r.pt")
    full = sum(t.numel() * 4 for n in NET_NAMES for t in getattr(m, n).state_dict().values()) * 3
    # weights fp16 + 8-bit v + 8-bit EMA delta vs fp32 weights + 2 moments (tiny tensors: pickle
    # overhead per entry keeps this ratio lower than at real widths, see docs/experiments.md, "Compact checkpoint")
    assert size < full / 2
    assert compact.write(small, tmp_path / "r.pt.xz") < size
    ck = compact.read_resume(tmp_path / "r.pt.xz")  # the committed form; the plain one reads the same
    plain = compact.read_resume(tmp_path / "r.pt")
    assert all(torch.equal(ck["weights"][n][k], plain["weights"][n][k]) for n in NET_NAMES for k in ck["weights"][n])
    assert ck["counters"]["images"] == 18 and ck["counters"]["cpu_s"] == 2.5
    m2 = DRIT(tiny(ema=0.9, dataroot=synth), torch.device("cpu"))
    assert compact.apply_resume(ck, {n: getattr(m2, n) for n in NET_NAMES},
                                {n: getattr(m2, n + "_opt") for n in NET_NAMES}, m2.ema.nets)
    for n in NET_NAMES:
        for (k, a), b in zip(getattr(m, n).state_dict().items(), getattr(m2, n).state_dict().values()):
            assert torch.allclose(a, b, rtol=1e-3, atol=1e-4), (n, k)
    for n in ("enc_c", "gen"):
        for (k, a), b in zip(m.ema.nets[n].state_dict().items(), m2.ema.nets[n].state_dict().values()):
            assert torch.allclose(a, b, rtol=2e-3, atol=1e-4), (n, k)
    checked = {"coded": 0, "floored": 0}  # both branches below must run, or the test proves nothing
    for n in NET_NAMES:
        o1, o2 = getattr(m, n + "_opt"), getattr(m2, n + "_opt")
        for p1, p2 in zip(o1.param_groups[0]["params"], o2.param_groups[0]["params"]):
            v1, v2 = o1.state[p1]["exp_avg_sq"], o2.state[p2]["exp_avg_sq"]
            assert torch.equal(v1 == 0, v2 == 0)
            nz = v1 > compact.V_FLOOR
            if nz.any():  # 8-bit code of log2(v) over the tensor's own range: half a step at most
                checked["coded"] += int(nz.sum())
                lg = v1[nz].log2()
                floored = bool(((v1 > 0) & ~nz).any())  # values under the floor are coded as the floor
                lo = math.log2(compact.V_FLOOR) if floored else float(lg.min())
                half_step = (float(lg.max()) - lo) / 254 / 2
                assert float((v2[nz] / v1[nz]).log2().abs().max()) <= half_step + 1e-3, n  # + float32 log2/pow rounding
            tiny_v = (v1 > 0) & ~nz  # below the floor: sqrt(v) stays far under Adam's eps
            if tiny_v.any():
                checked["floored"] += int(tiny_v.sum())
                assert float(v2[tiny_v].sqrt().max()) < 1e-8
            assert float(o2.state[p2]["step"]) == float(o1.state[p1]["step"])
    assert checked["coded"] > 0 and checked["floored"] > 0, checked


def test_compact_checkpoint_cannot_run_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (Path.touch, (tmp_path / "ran",))
    torch.save({"format": compact.FORMAT, "counters": "{}", "x": Evil()}, tmp_path / "evil.pt")
    assert compact.read_resume(tmp_path / "evil.pt") is None
    assert not (tmp_path / "ran").exists()


def _run_tiny(synth, tmp_path):
    common = ["--preset", "tiny", "--dataroot", synth, "--result-dir", tmp_path, "--progress", "off",
              "--ema", "0.99", "--diffaug", "color,translation,cutout", "--batch-size", "4", "--threads", "1"]
    return lambda *a: subprocess.run([sys.executable, "-m", "training.train", *map(str, common), *map(str, a)],
                                     cwd=REPO, capture_output=True, text=True, timeout=300)


def test_resume_from_compact_continues_the_run(synth, tmp_path):
    """The trainer writes the official pair only; keep_run builds the compact file from it (a run
    folder of the former layout, with a resume.pt beside, is kept the same way); resuming from
    the kept file continues the run and its counters."""
    run = _run_tiny(synth, tmp_path)
    r = run("--name", "a", "--max-it", "6")
    assert r.returncode == 0, r.stderr[-2000:]
    info = json.loads((tmp_path / "a" / "run_info.json").read_text())
    assert info["total_it"] == 6 and info["images_seen"] > 0 and info["cpu_time_s"] > 0
    ckdir = tmp_path / "a" / "checkpoints"
    assert sorted(p.name for p in ckdir.iterdir()) == ["ema.pth", "latest.pth"]
    (ckdir / "resume.pt").write_bytes(b"written by a trainer of the former layout: not read")
    k = subprocess.run([sys.executable, "-m", "training.tools.keep_run", str(tmp_path / "a"), "--dest", str(tmp_path / "kept")],
                       cwd=REPO, capture_output=True, text=True, timeout=300)
    assert k.returncode == 0, k.stderr[-2000:]
    kept = tmp_path / "kept" / "resume.pt.xz"
    c = compact.read_resume(kept)["counters"]
    assert c == json.loads((tmp_path / "kept" / "counters.json").read_text())
    assert (c["total_it"], c["images"], c["cpu_s"]) == (6, info["images_seen"], info["cpu_time_s"])
    r = run("--name", "b", "--max-it", "9", "--resume", kept)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "resumed from compact checkpoint" in r.stdout and "EMA restored" in r.stdout
    info2 = json.loads((tmp_path / "b" / "run_info.json").read_text())
    assert info2["total_it"] == 9
    assert info2["images_seen"] > info["images_seen"] and info2["cpu_time_s"] > info["cpu_time_s"]
    # a save under way (latest.pth and run_info.json from different iterations) is refused, not kept
    (tmp_path / "a" / "run_info.json").write_text(json.dumps({**info, "total_it": 7}))
    with pytest.raises(compact.RunNotSettled):
        compact.from_run(tmp_path / "a")


def test_kept_compact_resumes_as_the_official_pair(synth, tmp_path):
    """Resuming from the compact file that keep_run builds restores what resuming from the official
    latest.pth + ema.pth restores: the counters exactly; weights, Adam's second moments and the EMA
    to the compact code's rounding; Adam's first moment is dropped by design (zeros)."""
    from training.train import Trainer
    from training.tools import keep_run
    run = _run_tiny(synth, tmp_path)
    r = run("--name", "a", "--max-it", "5")
    assert r.returncode == 0, r.stderr[-2000:]
    assert keep_run.main([str(tmp_path / "a"), "--dest", str(tmp_path / "kept")]) == 0
    base = dict(PRESETS["tiny"], dataroot=str(synth), result_dir=str(tmp_path), ema=0.99, batch_size=4, threads=1,
                diffaug="color,translation,cutout", progress="off")
    full = Trainer(tiny(**base, name="full", resume=str(tmp_path / "a" / "checkpoints" / "latest.pth")))
    small = Trainer(tiny(**base, name="small", resume=str(tmp_path / "kept" / "resume.pt.xz")))
    assert (full.ep0, full.total_it, full.prev) == (small.ep0, small.total_it, small.prev)
    assert full.total_it == 5 and full.prev["images"] > 0 and full.prev["cpu_s"] > 0
    assert full.model.ema.updates == small.model.ema.updates == 5
    f, s = full.model, small.model
    for n in NET_NAMES:
        for k, a in getattr(f, n).state_dict().items():
            b = getattr(s, n).state_dict()[k]
            assert torch.allclose(a, b, rtol=1e-3, atol=1e-4) and (a.is_floating_point() or torch.equal(a, b)), (n, k)
        o1, o2 = getattr(f, n + "_opt"), getattr(s, n + "_opt")
        for p1, p2 in zip(o1.param_groups[0]["params"], o2.param_groups[0]["params"]):
            st1, st2 = o1.state[p1], o2.state[p2]
            assert float(st1["step"]) == float(st2["step"]) > 0
            v1, v2 = st1["exp_avg_sq"], st2["exp_avg_sq"]
            big = v1 > 1e-12
            assert torch.equal(v1 == 0, v2 == 0)
            err = (v2[big] / v1[big]).log2().abs()  # 8-bit code of log2(v): half a code step, < 0.2 octave
            assert err.numel() == 0 or float(err.max()) < 0.2, (n, "exp_avg_sq")
            assert not st2["exp_avg"].any() and st1["exp_avg"].any()
    off, lag = 0.0, 0.0  # the EMA restored vs the official one, and vs the live weights (what a lost EMA would give)
    for n in f.ema.nets:
        for k, a in f.ema.nets[n].state_dict().items():
            b = s.ema.nets[n].state_dict()[k]
            assert torch.allclose(a, b, rtol=2e-3, atol=1e-4), (n, k)
            if a.is_floating_point():
                off += float(((a - b) ** 2).sum())
                lag += float(((a - getattr(f, n).state_dict()[k]) ** 2).sum())
    assert lag > 0 and off < 0.01 * lag, (off, lag)


def test_missing_dataroot_says_where_to_get_the_images(tmp_path):
    r = subprocess.run([sys.executable, "-m", "training.train", "--preset", "tiny", "--dataroot",
                        str(tmp_path / "nowhere"), "--result-dir", str(tmp_path), "--max-it", "1"],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "training images not found" in r.stderr and "HsinYingLee/DRIT" in r.stderr
    assert "Traceback" not in r.stderr


# ---------------------------------------------------------------- thread governor
def test_thread_governor_sees_another_busy_process_and_adapts(monkeypatch):
    from training import train
    gov = train.ThreadGovernor(2, log=lambda m: None)
    busy = subprocess.Popen([sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<1.5: pass"])
    try:
        busy.wait(timeout=30)
    finally:
        busy.kill()
    assert gov.others_cores() > 0.5  # the busy loop held about one core for the whole window
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        for others, want in ((0.9, 1), (0.3, 1), (0.1, 2), (0.4, 2), (0.6, 1)):  # hysteresis between 1/4 and 1/2
            monkeypatch.setattr(gov, "others_cores", lambda o=others: o)
            gov.tick()
            assert torch.get_num_threads() == want, (others, want)
    finally:
        torch.set_num_threads(before)


def test_official_init_reaches_the_faster_conv_subclasses():
    """On CPU some convs become faster subclasses (PointwiseConv2d, PhaseConvTranspose2d) after the
    constructors have initialised them; initialize() and reinit_enc_a() run after the swap, so the
    official N(0, 0.02²) init must recognise the subclasses (a class-name test alone skipped them)."""
    torch.manual_seed(0)
    m = DRIT(tiny(), torch.device("cpu"))
    for name in NET_NAMES:  # so that only initialize() can bring the weights back to 0.02
        for p in getattr(m, name).parameters():
            p.data.mul_(5)
    m.initialize()
    patched = 0
    for name in NET_NAMES:
        for mod in getattr(m, name).modules():
            if isinstance(mod, nn.modules.conv._ConvNd):
                w = getattr(mod, "weight_orig", mod.weight)
                if type(mod) not in (nn.Conv2d, nn.ConvTranspose2d):
                    patched += 1
                if w.numel() >= 256:
                    assert abs(w.std().item() - 0.02) < 0.004, f"{name}: {type(mod).__name__} std {w.std().item():.4f}"
    assert patched > 0


# ---------------------------------------------------------------- presets
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_names_real_flags_and_builds_its_model(name):
    """argparse.set_defaults accepts any key, so a misspelt preset key would be dropped silently."""
    import dataclasses
    from training.trainer.config import parse_config
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    assert set(PRESETS[name]) <= fields, sorted(set(PRESETS[name]) - fields)
    cfg = parse_config(["--preset", name, "--dataroot", "unused"])
    for k, v in PRESETS[name].items():
        assert getattr(cfg, k) == v, k
    m = DRIT(cfg, torch.device("cpu"))
    assert m.enc_a is not None and m.gen is not None


def test_gpu_ship_carries_the_adopted_cpu_recipe_changes():
    """The owed GPU run must not silently drop what the CPU A/B runs adopted (docs/training.md)."""
    gpu, cpu = PRESETS["gpu-ship"], PRESETS["cpu-recipe"]
    for k in ("diffaug", "ema", "ms_warmup", "ea_activation", "latent_ea", "lambda_rec", "lambda_cc"):
        assert gpu.get(k) == cpu.get(k), k


# the options removed after their A/B lost (docs/experiments.md) and the values the committed run
# trained with, which were their defaults: dropping them changes nothing in that run's recipe
REMOVED_OPTIONS = {"dis_norm": "None", "gen_up2": 0, "reinit_ea": False, "lr_dis_a": -1.0, "lr_dis_b": -1.0,
                   "ea_weight_decay": -1.0}


def test_cpu_recipe_is_the_committed_runs_recipe():
    """--preset cpu-recipe gives exactly the config the committed CPU run (training/resume/) was
    trained with; options added since default to what that run did without them."""
    import dataclasses
    from training.trainer.config import parse_config
    committed = json.loads((REPO / "training" / "resume" / "cat2dog_cpu" / "config.json").read_text())
    cfg = dataclasses.asdict(parse_config(["--preset", "cpu-recipe"]))
    defaults = dataclasses.asdict(TrainConfig())
    per_run = {"name", "resume", "seed", "threads"}  # how one resume was started, not the recipe
    compared = 0
    for k, v in cfg.items():
        if k in per_run:
            continue
        if k in committed:
            assert v == committed[k], (k, v, committed[k])
            compared += 1
        else:
            assert v == defaults[k], k  # a newer option must be off in this preset
    assert compared >= 50, compared
    gone = set(committed) - set(cfg)
    assert gone <= set(REMOVED_OPTIONS), gone  # a config written before their removal still names them
    for k in gone:
        assert committed[k] == REMOVED_OPTIONS[k], k
    # the committed config still loads: removed keys are ignored
    assert TrainConfig.from_dict(committed) == TrainConfig(**{k: committed[k] for k in cfg if k in committed})
    # and so does one written before the removal, which still names them
    assert TrainConfig.from_dict({**committed, **REMOVED_OPTIONS}) == TrainConfig.from_dict(committed)


def test_keep_run_joins_the_loss_log_of_a_resumed_run(tmp_path):
    """A run resumed on a fresh machine logs only its own iterations: the kept log keeps the earlier
    rows, drops kept rows the new run repeats (it restarts its interrupted epoch), then appends."""
    from training.tools.keep_run import join_losses
    kept, run = tmp_path / "kept.csv", tmp_path / "run.csv"
    kept.write_text("total_it,loss\n1,0.9\n2,0.8\n3,0.7\n")
    run.write_text("total_it,loss\n3,0.71\n4,0.6\n")
    assert join_losses(kept, run) == 4
    assert kept.read_text() == "total_it,loss\n1,0.9\n2,0.8\n3,0.71\n4,0.6\n"
    other = tmp_path / "other.csv"
    other.write_text("it,x\n1,2\n")
    assert join_losses(kept, other) == 1 and kept.read_text() == "it,x\n1,2\n"
    assert join_losses(tmp_path / "fresh.csv", run) == 2
