"""The pretrained-feature critic (trainer/projected.py, ``--critic pretrained``) on tiny sizes: shapes,
the frozen trunk and mixing stay unchanged through training steps, the critic's gradient reaches G,
checkpoints (official layout and compact resume) carry the heads and their Adam states, and a branch
from a checkpoint without critics starts them fresh."""
from __future__ import annotations

import re

import pytest
import torch

from training.features import nsfw_mobilenet as NM
from training.tests.test_train import read_losses, run_train, tiny_cfg
from training.tools import keep_run
from training.trainer import compact
from training.trainer.checkpoint import OFFICIAL_KEYS
from training.trainer.model import DRIT, NET_NAMES
from training.trainer.projected import TAPS, ProjectedCritic, critic_g_loss
from training.trainer.synthetic import make_dataset

pytestmark = pytest.mark.skipif(not NM.PACKAGE.exists(), reason="needs node_modules/nsfwjs (npm ci)")


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("synth"), n_a=12, n_b=8, seed=1)


@pytest.fixture(scope="module")
def trunk():
    return NM.load_mobilenet_v2(upto=TAPS)


def test_logit_maps_per_scale(trunk):
    critic = ProjectedCritic(trunk)
    outs = critic(torch.rand(2, 3, 128, 128) * 2 - 1)
    assert [tuple(o.shape) for o in outs] == [(2, 1, 32, 32), (2, 1, 16, 16), (2, 1, 8, 8)]
    # only the heads train; the trunk and the mixing are in no state_dict but the heads'
    assert all(k.startswith("heads.") for k in critic.state_dict())
    assert {n for n, _ in critic.named_parameters()} == {n for n in critic.state_dict() if n.endswith("_orig") or n.endswith("bias")}


def test_input_range_is_checked(trunk):
    with pytest.raises(ValueError, match="--critic_input"):
        ProjectedCritic(trunk, input_range="0-255")


def _batch(cfg, seed=0):
    g = torch.Generator().manual_seed(seed)
    shape = (cfg.batch_size, 3, cfg.crop_size, cfg.crop_size)
    return torch.rand(shape, generator=g) * 2 - 1, torch.rand(shape, generator=g) * 2 - 1


def test_training_steps_move_heads_not_trunk_and_reach_G(synth, tmp_path):
    torch.manual_seed(0)
    m = DRIT(tiny_cfg(synth, tmp_path, critic="pretrained", batch_size=4), torch.device("cpu"))
    m.initialize()
    assert m.critic_names == ["critA", "critB"] and m.critA.trunk is m.critB.trunk is m.critic_trunk
    trunk0 = {k: v.clone() for k, v in m.critic_trunk.named_buffers()}
    mix0 = {k: v.clone() for k, v in m.critA.named_buffers() if k.startswith("mix")}
    heads0 = {k: v.clone() for k, v in m.critA.state_dict().items()}
    xa, xb = _batch(m.cfg)
    m.update_D(xa, xb)
    m.update_EG()
    assert all(torch.equal(trunk0[k], v) for k, v in m.critic_trunk.named_buffers())
    assert all(torch.equal(mix0[k], v) for k, v in m.critA.named_buffers() if k.startswith("mix"))
    assert any(not torch.equal(heads0[k], v) for k, v in m.critA.state_dict().items())
    for k in ("critA", "critB", "critic_A", "critic_B", "critic2_A", "critic2_B"):
        assert k in m.losses and torch.isfinite(torch.tensor(m.losses[k])), k
    # the critic term alone sends gradient through the frozen trunk into G
    m.forward(xa, xb)
    loss = critic_g_loss(m, m.fake_A_encoded, m.fake_B_encoded, "critic")
    grads = torch.autograd.grad(loss, list(m.gen.parameters()), allow_unused=True)
    assert sum(float(g.abs().sum()) for g in grads if g is not None) > 0
    # and lambda_critic scales it
    m.cfg.lambda_critic = 0.0
    assert float(critic_g_loss(m, m.fake_A_encoded, m.fake_B_encoded, "critic")) == 0.0


def test_checkpoints_carry_the_heads(synth, tmp_path):
    torch.manual_seed(0)
    cfg = tiny_cfg(synth, tmp_path, critic="pretrained", batch_size=4)
    m = DRIT(cfg, torch.device("cpu"))
    m.update_D(*_batch(cfg))
    m.update_EG()
    ck = m.state_dict(0, 1)
    assert list(ck)[:8] == NET_NAMES and {"critA", "critB", "critA_opt", "critB_opt"} <= set(ck)
    torch.manual_seed(1)
    m2 = DRIT(cfg, torch.device("cpu"))
    m2.load_state_dict(ck)
    for n in ("critA", "critB"):
        for k, v in getattr(m, n).state_dict().items():
            assert torch.equal(v, getattr(m2, n).state_dict()[k]), (n, k)
        assert getattr(m2, n + "_opt").state_dict()["state"].keys() == getattr(m, n + "_opt").state_dict()["state"].keys()
    # compact resume: float16 heads, Adam second moments
    path = tmp_path / "resume.pt"
    compact.write(compact.from_official(ck, None, {"ep": 0, "total_it": 1, "wall_s": 0, "cpu_s": 0, "images": 0}, cfg.to_json()), path)
    small = compact.read_resume(path)
    torch.manual_seed(2)
    m3 = DRIT(cfg, torch.device("cpu"))
    compact.apply_resume(small, {n: getattr(m3, n) for n in m3.net_names}, {n: getattr(m3, n + "_opt") for n in m3.net_names}, None)
    for k, v in m.critB.state_dict().items():
        assert torch.allclose(v, m3.critB.state_dict()[k], rtol=1e-3, atol=1e-4), k
    assert len(m3.critB_opt.state) == len(list(m.critB.parameters()))


def test_without_critic_the_checkpoint_is_the_official_layout(synth, tmp_path):
    m = DRIT(tiny_cfg(synth, tmp_path), torch.device("cpu"))
    assert m.critic_names == [] and m.net_names == NET_NAMES and not hasattr(m, "critA")
    ck = m.state_dict(0, 0)
    assert sorted(ck) == sorted(OFFICIAL_KEYS)
    with pytest.raises(ValueError, match="unknown --critic"):
        DRIT(tiny_cfg(synth, tmp_path, critic="imagenet"), torch.device("cpu"))


def test_branch_adds_critics_then_resumes_them(synth, tmp_path):
    """A run without critics, a branch from its compact checkpoint with --critic pretrained (critics
    start fresh), then that branch resumed from its own checkpoint (critics restored)."""
    common = ["--preset", "tiny", "--dataroot", synth, "--result-dir", tmp_path, "--threads", "1",
              "--progress", "off", "--batch-size", "4"]
    run_train(common + ["--name", "base", "--max-it", "2"])
    keep_run.main([str(tmp_path / "base"), "--dest", str(tmp_path / "kept")])
    base = tmp_path / "kept" / "resume.pt.xz"
    r = run_train(common + ["--name", "branch", "--resume", base, "--critic", "pretrained", "--max-it", "4"])
    assert "starting fresh: critA, critB" in r.stdout
    rows = read_losses(tmp_path / "branch" / "losses.csv")
    assert [int(x["total_it"]) for x in rows] == [3, 4] and all(float(x["critic_A"]) == float(x["critic_A"]) for x in rows)
    keep_run.main([str(tmp_path / "branch"), "--dest", str(tmp_path / "kept_branch")])
    saved = compact.read_resume(tmp_path / "kept_branch" / "resume.pt.xz")
    assert {"critA", "critB"} <= set(saved["weights"]) and {"critA", "critB"} <= set(saved["adam"])
    r = run_train(common + ["--name", "branch", "--resume", tmp_path / "kept_branch" / "resume.pt.xz",
                            "--critic", "pretrained", "--max-it", "5"])
    assert "starting fresh" not in r.stdout and re.search(r"resumed from compact checkpoint .*total_it 4", r.stdout)
