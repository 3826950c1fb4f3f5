"""Trainer tests: tiny config on synthetic images (no dataset needed), all CPU and fast."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from training.trainer import checkpoint as ckpt_io
from training.trainer.config import PRESETS, TrainConfig, parse_config
from training.trainer.discriminators import Dis, Dis_content, MultiScaleDis
from training.trainer.model import DRIT, NET_NAMES
from training.trainer.synthetic import make_dataset

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("synth"), n_a=12, n_b=8, seed=1)


def tiny_cfg(root, run_dir, **kw) -> TrainConfig:
    cfg = TrainConfig(dataroot=str(root), result_dir=str(run_dir), name="run")
    for k, v in PRESETS["tiny"].items():
        setattr(cfg, k, v)
    cfg.progress = "off"
    for k, v in kw.items():
        setattr(cfg, k, v)
    return cfg


def run_train(args, timeout=300, nproc=None):
    cmd = [sys.executable]
    if nproc:
        # --redirects 1 --tee 1: torch 1.13's launcher breaks on Python 3.11 with the default "0"
        # (its Std.from_str returns None for Std.NONE); harmless on other versions.
        cmd += ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
                "--redirects", "1", "--tee", "1"]
    cmd += ["-m", "training.train"] + [str(a) for a in args]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout, env=env)
    assert r.returncode == 0, f"train.py failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def read_losses(path):
    import csv
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_tiny_training_20_iterations_finite_and_resumable(synth, tmp_path):
    common = ["--preset", "tiny", "--dataroot", synth, "--result-dir", tmp_path, "--name", "run",
              "--threads", "1", "--progress", "off", "--img-save-freq", "10"]
    run_train(common + ["--max-it", "20"])
    run = tmp_path / "run"
    rows = read_losses(run / "losses.csv")
    assert len(rows) == 20
    assert [int(r["total_it"]) for r in rows] == list(range(1, 21))
    for r in rows:
        for k, v in r.items():
            assert math.isfinite(float(v)), (k, v)
    ck = ckpt_io.load(run / "checkpoints" / "latest.pth")
    assert list(ck.keys()) == ckpt_io.OFFICIAL_KEYS
    assert ck["total_it"] == 20
    ep_saved = ck["ep"]
    assert (run / "loss_curve.png").stat().st_size > 1000
    assert (run / "samples" / "it000010.png").exists() and (run / "samples" / "final.png").exists()
    info = json.loads((run / "run_info.json").read_text())
    assert info["total_it"] == 20

    # resume: continues at ep + 1 with total_it from the checkpoint
    r = run_train(common + ["--max-it", "26", "--resume", "auto"])
    assert f"resumed from" in r.stdout and f"ep {ep_saved}, total_it 20" in r.stdout
    assert f"start training at epoch {ep_saved + 1} (total_it 20)" in r.stdout
    rows = read_losses(run / "losses.csv")
    assert [int(x["total_it"]) for x in rows] == list(range(1, 27))
    assert int(rows[20]["ep"]) == ep_saved + 1
    ck2 = ckpt_io.load(run / "checkpoints" / "latest.pth")
    assert ck2["total_it"] == 26
    # Adam step counters continued from the saved state (not restarted)
    steps = [s["step"] for s in ck2["enc_a_opt"]["state"].values()]
    assert all(float(s) == 26 for s in steps)


def test_checkpoint_layout_is_official(synth, tmp_path):
    cfg = tiny_cfg(synth, tmp_path)
    m = DRIT(cfg, torch.device("cpu"))
    ck = m.state_dict(ep=3, total_it=7)
    assert list(ck.keys()) == ckpt_io.OFFICIAL_KEYS
    assert ck["ep"] == 3 and ck["total_it"] == 7
    # inference entries: exactly the keys of the networks (official names, docs/drit-reference.md §11 order)
    from training.drit.networks import build_inference_nets
    ec, ea, g = build_inference_nets(0, enc_c_base=cfg.enc_c_base, enc_a_base=cfg.enc_a_base)
    assert list(ck["enc_c"].keys()) == list(ec.state_dict().keys())
    assert list(ck["enc_a"].keys()) == list(ea.state_dict().keys())
    assert list(ck["gen"].keys()) == list(g.state_dict().keys())
    assert list(ck["enc_c"].keys())[:2] == ["conv_share.0.model.1.weight", "conv_share.0.model.1.bias"]
    # discriminators (docs/drit-reference.md §5)
    keys = list(ck["disA"].keys())
    assert keys[:2] == ["Diss.0.0.model.1.weight", "Diss.0.0.model.1.bias"]
    assert "Diss.2.4.weight" in keys and len(keys) == 3 * 10
    assert list(ck["disContent"].keys()) == [
        "model.0.model.1.weight", "model.0.model.1.bias", "model.1.model.1.weight", "model.1.model.1.bias",
        "model.2.model.1.weight", "model.2.model.1.bias", "model.3.model.1.weight", "model.3.model.1.bias",
        "model.4.weight", "model.4.bias"]
    for name in NET_NAMES:
        opt = ck[name + "_opt"]
        assert set(opt.keys()) == {"state", "param_groups"}
        g0 = opt["param_groups"][0]
        assert g0["betas"] == (0.5, 0.999) and g0["weight_decay"] == 1e-4
        assert g0["lr"] == pytest.approx(4e-5 if name == "disContent" else 1e-4)
    # every tensor is a contiguous CPU float32 tensor
    for name in NET_NAMES:
        for t in ck[name].values():
            assert t.device.type == "cpu" and t.dtype == torch.float32 and t.is_contiguous()


def test_official_discriminator_shapes():
    d = MultiScaleDis(3, 3, 4)
    sd = d.state_dict()
    assert sd["Diss.0.0.model.1.weight"].shape == (64, 3, 4, 4)
    assert sd["Diss.1.3.model.1.weight"].shape == (512, 256, 4, 4)
    assert sd["Diss.2.4.weight"].shape == (1, 512, 1, 1)
    assert sum(p.numel() for p in d.parameters()) == 8_271_171
    outs = d(torch.randn(1, 3, 128, 128))
    assert [o.shape[-1] for o in outs] == [8, 4, 2]
    s = Dis(3)
    assert list(s.state_dict().keys())[-2:] == ["model.6.weight", "model.6.bias"]
    assert sum(p.numel() for p in s.parameters()) == 25_149_057
    c = Dis_content()
    assert sum(p.numel() for p in c.parameters()) == 10_683_649


def test_dis_content_small_crops():
    # official Dis_content fails at a 128 crop (content 32x32), the adapted one works, same keys
    assert Dis_content.needs_small_input(128) and not Dis_content.needs_small_input(216)
    official, small = Dis_content(ch=16), Dis_content(ch=16, small_input=True)
    assert list(official.state_dict().keys()) == list(small.state_dict().keys())
    with pytest.raises(RuntimeError):
        official(torch.randn(1, 16, 32, 32))
    for hw in (32, 16, 8, 54):  # crops 128, 64, 32, 216
        out = small(torch.randn(2, 16, hw, hw))[0]
        assert out.dim() == 1 and out.numel() >= 2 and torch.isfinite(out).all()
    assert official(torch.randn(1, 16, 54, 54))[0].numel() == 1  # official still fine at 216


def test_dis_content_at_128_crop_in_training(synth, tmp_path):
    cfg = tiny_cfg(synth, tmp_path, crop_size=128, resize_size=136)
    m = DRIT(cfg, torch.device("cpu"))
    assert m.disContent.small_input
    a, b = torch.rand(2, 3, 128, 128) * 2 - 1, torch.rand(2, 3, 128, 128) * 2 - 1
    m.update_D_content(a, b)
    m.update_D(a, b)
    m.update_EG()
    assert all(math.isfinite(v) for v in m.losses.values())


@pytest.mark.parametrize("concat,no_ms", [(0, False), (1, False), (0, True)])
def test_double_backward_fix_and_phase_two_skips_E_a(synth, tmp_path, concat, no_ms):
    torch.manual_seed(0)
    cfg = tiny_cfg(synth, tmp_path, concat=concat, no_ms=no_ms)
    m = DRIT(cfg, torch.device("cpu"))
    a, b = torch.rand(2, 3, 64, 64) * 2 - 1, torch.rand(2, 3, 64, 64) * 2 - 1
    calls = []
    for name in ("enc_c", "enc_a", "gen"):
        opt = getattr(m, name + "_opt")
        orig = opt.step

        def step(*args, _n=name, _o=orig, **kw):
            calls.append(_n)
            return _o(*args, **kw)
        opt.step = step
    ea_before = [p.detach().clone() for p in m.enc_a.parameters()]
    m.update_D(a, b)
    m.update_EG()  # must not raise "modified by an inplace operation" on torch >= 1.5
    assert calls == ["enc_c", "enc_a", "gen", "enc_c", "gen"]
    # E_a moved exactly once (one Adam step), E_c/G twice
    st = lambda opt: {float(s["step"]) for s in opt.state.values()}  # noqa: E731
    assert st(m.enc_a_opt) == {1.0} and st(m.enc_c_opt) == {2.0} and st(m.gen_opt) == {2.0}
    assert any(not torch.equal(p0, p) for p0, p in zip(ea_before, m.enc_a.parameters()))
    assert all(p.grad is None for p in m.enc_a.parameters())
    keys = {"loss_EG", "loss_G2", "latent_A", "cc_A", "rec_B", "kl_A", "gan_content_A"}
    if not no_ms:
        keys |= {"ms_AB", "ms_BA", "gan2_A2"}
    assert keys <= set(m.losses) and all(math.isfinite(v) for v in m.losses.values())


def test_phase_one_update_of_E_a_ignores_L_G2(synth, tmp_path):
    """E_a's single step uses only the L_EG gradient: scaling L_G2 must not change E_a's update."""
    def run(scale):
        torch.manual_seed(0)
        cfg = tiny_cfg(synth, tmp_path, lambda_latent=10.0 * scale, lambda_ms=1.0 * scale)
        m = DRIT(cfg, torch.device("cpu"))
        torch.manual_seed(1)
        a, b = torch.rand(2, 3, 64, 64) * 2 - 1, torch.rand(2, 3, 64, 64) * 2 - 1
        m.update_D(a, b)
        m.update_EG()
        return [p.detach().clone() for p in m.enc_a.parameters()], [p.detach().clone() for p in m.gen.parameters()]
    ea1, g1 = run(1.0)
    ea2, g2 = run(5.0)
    assert all(torch.allclose(x, y, atol=1e-7) for x, y in zip(ea1, ea2))
    assert any(not torch.allclose(x, y) for x, y in zip(g1, g2))


def test_latent_ea_lets_latent_regression_train_E_a(synth, tmp_path):
    """--latent-ea (an E_a-collapse fix, off by default): E_a takes a second step, from L_G2, whose
    only path into E_a is latent regression: then scaling lambda_latent changes E_a's update."""
    def run(latent):
        torch.manual_seed(0)
        cfg = tiny_cfg(synth, tmp_path, latent_ea=True, lambda_latent=latent)
        m = DRIT(cfg, torch.device("cpu"))
        torch.manual_seed(1)
        a, b = torch.rand(2, 3, 64, 64) * 2 - 1, torch.rand(2, 3, 64, 64) * 2 - 1
        m.update_D(a, b)
        m.update_EG()
        st = {float(s["step"]) for s in m.enc_a_opt.state.values()}
        return st, [p.detach().clone() for p in m.enc_a.parameters()]
    steps, ea1 = run(10.0)
    assert steps == {2.0}
    _, ea2 = run(50.0)
    assert any(not torch.allclose(x, y) for x, y in zip(ea1, ea2))


def test_original_double_backward_raises_on_modern_torch(synth, tmp_path):
    """Documents the problem the fix avoids: backward of L_G2 after stepping with L_EG's grads."""
    cfg = tiny_cfg(synth, tmp_path)
    m = DRIT(cfg, torch.device("cpu"))
    a, b = torch.rand(2, 3, 64, 64) * 2 - 1, torch.rand(2, 3, 64, 64) * 2 - 1
    m.update_D(a, b)
    m.loss_EG().backward(retain_graph=True)
    for name in ("enc_c", "enc_a", "gen"):
        getattr(m, name + "_opt").step()
    with pytest.raises(RuntimeError, match="inplace"):
        m.loss_G2().backward()


def test_bf16_autocast_and_channels_last_path(synth, tmp_path):
    """The GPU code path (bf16 autocast + channels_last) exercised on CPU autocast."""
    torch.manual_seed(0)
    cfg = tiny_cfg(synth, tmp_path, amp="bf16", channels_last="on")
    m = DRIT(cfg, torch.device("cpu"))
    assert m.amp_dtype == torch.bfloat16 and m.channels_last
    for concat in (0, 1):
        cfg.concat = concat
        m = DRIT(cfg, torch.device("cpu"))
        a, b = torch.rand(2, 3, 64, 64) * 2 - 1, torch.rand(2, 3, 64, 64) * 2 - 1
        m.update_D_content(a, b)
        m.update_D(a, b)
        m.update_EG()
        assert all(math.isfinite(v) for v in m.losses.values())
        ck = m.state_dict(0, 1)
        assert all(t.dtype == torch.float32 and t.is_contiguous() for t in ck["gen"].values())
        m2 = DRIT(cfg, torch.device("cpu"))
        m2.load_state_dict(ck)


def test_lr_schedule_lambda(synth, tmp_path):
    cfg = tiny_cfg(synth, tmp_path, n_ep=10, n_ep_decay=5)
    m = DRIT(cfg, torch.device("cpu"))
    m.set_scheduler(-1)
    lrs = []
    for ep in range(10):
        lrs.append(m.gen_opt.param_groups[0]["lr"])
        m.update_lr()
    assert lrs[:6] == [pytest.approx(1e-4)] * 6
    assert lrs[9] == pytest.approx(1e-4 * (1 - 4 / 6))
    assert m.disContent_opt.param_groups[0]["lr"] == pytest.approx(4e-5 * (1 - 5 / 6))


def test_cli_presets_and_overrides():
    cfg = parse_config(["--preset", "cpu-small", "--crop-size", "112", "--concat", "1"])
    assert cfg.enc_c_base == 16 and cfg.crop_size == 112 and cfg.concat == 1 and cfg.resize_size == 144
    cfg = parse_config(["--enc_c_base", "32", "--no_ms"])
    assert cfg.enc_c_base == 32 and cfg.no_ms is True and cfg.crop_size == 216
    # an abbreviated flag is an explicit flag too: it wins over the preset (tiny sets print_freq 5)
    assert parse_config(["--preset", "tiny", "--print_fr", "7"]).print_freq == 7
    assert parse_config(["--preset", "tiny", "--print_freq", "7"]).print_freq == 7
    assert parse_config(["--preset", "tiny"]).print_freq == 5
    assert parse_config(["--print-freq", "3", "--preset", "cpu-recipe"]).print_freq == 3


def test_cpu_fast_convs_are_exact():
    from training.drit.networks import build_inference_nets
    from training.trainer.fastconv import patch_pointwise_convs
    torch.manual_seed(0)
    for concat in (0, 1):
        ec, ea, g = build_inference_nets(concat, enc_c_base=8, enc_a_base=8, enc_a_ndf=8)
        ec.eval()
        x = torch.randn(2, 3, 36, 36)
        z = torch.randn(2, 8)
        c = ec.forward_a(x)
        ref = g.forward_b(c, z)
        n = patch_pointwise_convs(g)
        assert n > 0
        assert torch.allclose(g.forward_b(c, z), ref, atol=1e-5)
        assert list(g.state_dict().keys()) == list(build_inference_nets(concat, enc_c_base=8)[2].state_dict().keys())


def test_ddp_two_gloo_processes(synth, tmp_path):
    """torchrun with 2 CPU processes (gloo): a few iterations; replicas stay identical."""
    r = run_train(["--preset", "tiny", "--dataroot", synth, "--result-dir", tmp_path, "--name", "ddp",
                   "--threads", "1", "--progress", "off", "--max-it", "4", "--check-replicas"], nproc=2)
    assert "world 2" in r.stdout
    assert "replicas identical across 2 processes" in r.stdout
    ck = ckpt_io.load(tmp_path / "ddp" / "checkpoints" / "latest.pth")
    assert ck["total_it"] == 4 and list(ck.keys()) == ckpt_io.OFFICIAL_KEYS


def test_leaky_E_a_is_carried_by_checkpoints_and_checked_on_resume(synth, tmp_path):
    """--ea-activation leakyrelu: E_a's ReLUs become LeakyReLU(0.2) under the same keys; the
    checkpoint and the EMA file carry it in "arch" (the original layout has no such entry), the
    inference loader rebuilds the same function from it, and a resume under the other activation
    is refused."""
    from training.trainer import checkpoint as ckpt_io
    torch.manual_seed(0)
    cfg = tiny_cfg(synth, tmp_path, ea_activation="leakyrelu")
    m = DRIT(cfg, torch.device("cpu"))
    assert sum(isinstance(x, torch.nn.LeakyReLU) for x in m.enc_a.modules()) == 10
    assert not any(type(x) is torch.nn.ReLU for x in m.enc_a.modules())
    ck = m.state_dict(0, 1)
    assert ck["arch"] == {"enc_a_activation": "leakyrelu"}
    assert "arch" not in DRIT(tiny_cfg(synth, tmp_path), torch.device("cpu")).state_dict(0, 1)
    path = tmp_path / "ck.pth"
    ckpt_io.save(ck, path)
    enc_c, enc_a, gen, arch = ckpt_io.load_inference_nets(path)
    assert arch["enc_a_activation"] == "leakyrelu"
    x = torch.rand(2, 3, 64, 64) * 2 - 1
    m.enc_a.eval()
    with torch.no_grad():
        assert torch.allclose(enc_a.forward_a(x), m.enc_a.forward_a(x), atol=1e-6)  # (trainer: faster 1x1 conv)
        # the same weights under ReLU are another function: the loader must not fall back to it
        relu = DRIT(tiny_cfg(synth, tmp_path), torch.device("cpu")).enc_a.eval()
        relu.load_state_dict(m.enc_a.state_dict())
        assert not torch.allclose(relu.forward_a(x), enc_a.forward_a(x))
    with pytest.raises(ValueError, match="uses leakyrelu, this run --ea-activation relu"):
        DRIT(tiny_cfg(synth, tmp_path), torch.device("cpu")).load_state_dict(ck)
    with pytest.raises(ValueError, match="relu, this run --ea-activation leakyrelu"):
        m.load_state_dict(DRIT(tiny_cfg(synth, tmp_path), torch.device("cpu")).state_dict(0, 1))
