"""DRIT / DRIT++ training model (docs/drit-reference.md §6): networks, optimisers, losses and the update order.

Update order per full iteration (``update_D`` then ``update_EG``), exactly as the original:
disA, disA2, disB, disB2, disContent, then the two-phase E/G update. ``update_D_content`` is the
content-discriminator-only step used on d_iter-1 of every d_iter batches.

The double backward after an optimiser step (docs/drit-reference.md §6.3): the original back-propagates phase 2
(L_G2) through a graph whose weights phase 1 already stepped, which modern PyTorch refuses. Here
both gradient sets are computed on the same graph *before* any step (``torch.autograd.grad`` with
the graph retained for the first), then two Adam steps are applied in the original order: E_c, E_a,
G with the L_EG gradients; E_c, G with the L_G2 gradients. E_a is stepped once per iteration and
never receives L_G2 gradients (as in the original, where they were discarded by the next zero_grad).

Multi-process (torchrun) training is data-parallel: every rank holds a full replica, parameters
are broadcast from rank 0 at start, and every gradient is all-reduced (averaged) right before each
optimiser step -- the same synchronisation points as DistributedDataParallel would use, done
explicitly because the E/G update takes gradients with ``torch.autograd.grad`` (DDP's reducer only
hooks ``.backward()``) and the discriminators are also used inside the E/G loss.

Adversarial losses use the logits form of BCE (mathematically equal to the original
sigmoid + BCELoss, numerically safer, and allowed under autocast).
"""
from __future__ import annotations

import contextlib
from collections import OrderedDict
from typing import Dict, List, Optional

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors

from training.trainer import checkpoint as ckpt_io
from training.drit.networks import LayerNorm, build_inference_nets, gaussian_weights_init as _net_init

from .augment import coat_jitter, diff_augment, parse_policy
from .config import TrainConfig
from .discriminators import Dis, Dis_content, MultiScaleDis, gaussian_weights_init
from .ema import EMA, EMA_NETS
from .fastconv import patch_pointwise_convs
from .projected import attach_critics, critic_d_step, critic_g_loss

class _Float32LayerNorm(LayerNorm):
    """The generator's LayerNorm computed in float32 with autocast off (CUDA autocast already runs
    layer_norm in fp32; CPU autocast in torch 1.13 does not and fails on bf16 input + fp32 weight)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.autocast(device_type=x.device.type, enabled=False):
            return super().forward(x.float())


NET_NAMES = ["disA", "disA2", "disB", "disB2", "disContent", "enc_c", "enc_a", "gen"]


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    logits = logits.float()
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def _adv(logits: torch.Tensor, real: bool, kind: str, for_d: bool = True) -> torch.Tensor:
    """Adversarial loss of the image discriminators' logits.

    ``bce``: the original (non-saturating for G). ``lsgan``: (D - 1)^2 / D^2. ``hinge``: D side
    relu(1 -/+ D), G side -D (Lim & Ye 2017; used with spectral norm by DRIT++'s successors)."""
    logits = logits.float()
    if kind == "bce":
        return _bce(logits, 1.0 if real else 0.0)
    if kind == "lsgan":
        return torch.mean((logits - (1.0 if real else 0.0)) ** 2)
    if kind == "hinge":
        if not for_d:
            return -logits.mean()
        return F.relu(1.0 - logits).mean() if real else F.relu(1.0 + logits).mean()
    raise ValueError(f"unknown gan_loss {kind!r}")


def dist_ready() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


class DRIT:
    """Holds the 8 networks and 8 Adam optimisers; mirrors the original ``DRIT`` class."""

    def __init__(self, cfg: TrainConfig, device: torch.device):
        self.cfg = cfg
        self.device = device
        self.concat = cfg.concat
        self.nz = cfg.nz
        self.no_ms = cfg.no_ms
        if cfg.batch_size < 2 or cfg.batch_size % 2:
            raise ValueError(f"batch_size must be even and >= 2 (half 'encoded', half 'random'), got {cfg.batch_size}")
        self.half = cfg.batch_size // 2
        self.augment = parse_policy(cfg.diffaug)
        self.total_it = 0  # kept in step by the trainer: the mode-seeking ramp reads it
        self.amp_dtype: Optional[torch.dtype] = None
        if cfg.amp == "bf16" or (cfg.amp == "auto" and device.type == "cuda"):
            self.amp_dtype = torch.bfloat16  # bf16 autocast (on CPU only when asked: slow, for tests)
        self.channels_last = cfg.channels_last == "on" or (cfg.channels_last == "auto" and device.type == "cuda")

        self.enc_c, self.enc_a, self.gen = build_inference_nets(
            cfg.concat, cfg.input_dim_a, cfg.input_dim_b, nz=cfg.nz,
            enc_c_base=cfg.enc_c_base, enc_a_base=cfg.enc_a_base, enc_a_ndf=cfg.enc_a_ndf,
            enc_a_activation=cfg.ea_activation)
        content_ch = self.enc_c.out_channels
        if self.amp_dtype is not None:
            for mod in self.gen.modules():
                if type(mod) is LayerNorm:
                    mod.__class__ = _Float32LayerNorm

        def image_dis(input_dim):
            if cfg.dis_scale > 1:
                return MultiScaleDis(input_dim, cfg.dis_scale, n_layer=cfg.dis_n_layer,
                                     sn=cfg.dis_spectral_norm, ch=cfg.dis_ch)
            return Dis(input_dim, sn=cfg.dis_spectral_norm, ch=cfg.dis_ch)

        self.disA = image_dis(cfg.input_dim_a)
        self.disA2 = image_dis(cfg.input_dim_a)
        self.disB = image_dis(cfg.input_dim_b)
        self.disB2 = image_dis(cfg.input_dim_b)
        small = {"official": False, "small": True}.get(cfg.dis_content)
        if small is None:
            small = Dis_content.needs_small_input(cfg.crop_size)
        self.disContent = Dis_content(ch=content_ch, small_input=small)

        for name in NET_NAMES:
            net = getattr(self, name).to(device)
            if device.type == "cpu":
                patch_pointwise_convs(net)  # same params/keys; avoids torch's slow 1x1 CPU path
            if self.channels_last:
                net.to(memory_format=torch.channels_last)
            net.train()

        def adam(net, lr, decay):
            return torch.optim.Adam(net.parameters(), lr=lr, betas=(cfg.beta1, cfg.beta2), weight_decay=decay)

        for name in NET_NAMES:
            setattr(self, name + "_opt", adam(getattr(self, name), self._lr(name), cfg.weight_decay))
        self.schedulers: List = []
        self.losses: Dict[str, float] = OrderedDict()
        self.ema: Optional[EMA] = None
        if cfg.ema > 0:
            self.ema = EMA({n: getattr(self, n) for n in EMA_NETS}, cfg.ema)
        # --critic pretrained (trainer/projected.py): built after every other network, so that a run
        # without it draws the same random numbers as before it existed
        self.critic_names: List[str] = attach_critics(self) if cfg.critic else []
        self.net_names = NET_NAMES + self.critic_names

    def check_activation(self, saved: str) -> None:
        """A checkpoint's E_a activation must be this run's: the same weights under another
        activation are another network."""
        if saved != self.cfg.ea_activation:
            raise ValueError(f"the checkpoint's E_a uses {saved}, this run --ea-activation {self.cfg.ea_activation}; "
                             "pass the checkpoint's activation")

    def _lr(self, name: str) -> float:
        return self.cfg.lr_dis_content if name == "disContent" else self.cfg.lr

    # ------------------------------------------------------------------ setup
    def initialize(self) -> None:
        """Official ``initialize()``: re-apply the Gaussian init to all 8 networks (fresh start)."""
        for name in NET_NAMES:
            getattr(self, name).apply(gaussian_weights_init if name.startswith("dis") else _net_init)
        self.restart_ema()

    def restart_ema(self) -> None:
        if self.ema is not None:
            self.ema.copy_from({n: getattr(self, n) for n in EMA_NETS})

    def set_scheduler(self, last_ep: int = -1) -> None:
        cfg = self.cfg
        self.schedulers = []
        for name in self.net_names:
            opt = getattr(self, name + "_opt")
            if last_ep >= 0:
                for g in opt.param_groups:
                    g.setdefault("initial_lr", g["lr"])
            if cfg.lr_policy == "lambda":
                def rule(ep, _c=cfg):
                    return 1.0 - max(0, ep - _c.n_ep_decay) / float(_c.n_ep - _c.n_ep_decay + 1)
                sch = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=rule, last_epoch=last_ep)
            elif cfg.lr_policy == "step":
                sch = torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, cfg.n_ep_decay), gamma=0.1, last_epoch=last_ep)
            else:
                raise ValueError(f"unknown lr_policy {cfg.lr_policy!r}")
            self.schedulers.append(sch)

    def update_lr(self) -> None:
        for sch in self.schedulers:
            sch.step()

    def broadcast_parameters(self) -> None:
        """Make every rank start from rank 0's weights."""
        if not dist_ready():
            return
        for name in self.net_names:
            for t in list(getattr(self, name).parameters()) + list(getattr(self, name).buffers()):
                dist.broadcast(t.data, 0)

    def set_train(self, mode: bool = True) -> None:
        for name in self.net_names:
            getattr(self, name).train(mode)

    # ------------------------------------------------------------------ helpers
    def _autocast(self):
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.amp_dtype)

    def _prep(self, x: torch.Tensor) -> torch.Tensor:
        x = x.to(self.device, non_blocking=True)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def get_z_random(self, batch: int) -> torch.Tensor:
        return torch.randn(batch, self.nz, device=self.device)

    @staticmethod
    def _sync(params) -> None:
        """All-reduce (average) the .grad of ``params`` across ranks (no-op when single process)."""
        if not dist_ready():
            return
        params = [p for p in params if p.requires_grad]
        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        world = dist.get_world_size()
        # coalesce into ~25 MB buckets (as DDP does) to keep the number of collectives small
        bucket, size = [], 0
        for p in params + [None]:
            if p is not None:
                bucket.append(p.grad)
                size += p.grad.numel() * p.grad.element_size()
            if bucket and (p is None or size > 25 * 2 ** 20):
                flat = _flatten_dense_tensors([g.contiguous() for g in bucket])
                dist.all_reduce(flat)
                flat.div_(world)
                for g, s in zip(bucket, _unflatten_dense_tensors(flat, bucket)):
                    g.copy_(s)
                bucket, size = [], 0

    def _step(self, name: str) -> None:
        net, opt = getattr(self, name), getattr(self, name + "_opt")
        self._sync(net.parameters())
        if name == "disContent":
            nn.utils.clip_grad_norm_(net.parameters(), 5)
        opt.step()

    # ------------------------------------------------------------------ forward passes
    def encode_attr(self, xa, xb):
        """-> (z_a, z_b, extras) with extras = (mu_a, logvar_a, mu_b, logvar_b) for concat=1."""
        if self.concat:
            mu_a, logvar_a, mu_b, logvar_b = self.enc_a(xa, xb)
            z_a = mu_a + torch.exp(0.5 * logvar_a) * torch.randn_like(mu_a)
            z_b = mu_b + torch.exp(0.5 * logvar_b) * torch.randn_like(mu_b)
            return z_a, z_b, (mu_a, logvar_a, mu_b, logvar_b)
        z_a, z_b = self.enc_a(xa, xb)
        return z_a, z_b, None

    def forward(self, image_a: torch.Tensor, image_b: torch.Tensor) -> None:
        # the original hard-codes one "encoded" and one "random" image (batch 2); a larger batch is
        # split in two halves so that every image feeds the generator (batch 2 is unchanged)
        half = self.half
        real_a, real_b = self._prep(image_a), self._prep(image_b)
        self.real_A_encoded, self.real_A_random = real_a[:half], real_a[half:]
        self.real_B_encoded, self.real_B_random = real_b[:half], real_b[half:]
        with self._autocast():
            self.z_content_a, self.z_content_b = self.enc_c(self._coat(self.real_A_encoded), self._coat(self.real_B_encoded))
            self.z_attr_a, self.z_attr_b, self.attr_stats = self.encode_attr(self.real_A_encoded, self.real_B_encoded)
            self.z_random = self.get_z_random(half)
            ca, cb = self.z_content_a, self.z_content_b
            if not self.no_ms:
                self.z_random2 = self.get_z_random(half)
                content_for_a = torch.cat((cb, ca, cb, cb), 0)
                content_for_b = torch.cat((ca, cb, ca, ca), 0)
                attr_for_a = torch.cat((self.z_attr_a, self.z_attr_a, self.z_random, self.z_random2), 0)
                attr_for_b = torch.cat((self.z_attr_b, self.z_attr_b, self.z_random, self.z_random2), 0)
            else:
                content_for_a = torch.cat((cb, ca, cb), 0)
                content_for_b = torch.cat((ca, cb, ca), 0)
                attr_for_a = torch.cat((self.z_attr_a, self.z_attr_a, self.z_random), 0)
                attr_for_b = torch.cat((self.z_attr_b, self.z_attr_b, self.z_random), 0)
            out_a = torch.split(self.gen.forward_a(content_for_a, attr_for_a), half, 0)
            out_b = torch.split(self.gen.forward_b(content_for_b, attr_for_b), half, 0)
            self.fake_A_encoded, self.fake_AA_encoded, self.fake_A_random = out_a[:3]
            self.fake_B_encoded, self.fake_BB_encoded, self.fake_B_random = out_b[:3]
            if not self.no_ms:
                self.fake_A_random2, self.fake_B_random2 = out_a[3], out_b[3]
            # re-encode the first translation
            self.z_content_recon_b, self.z_content_recon_a = self.enc_c(self.fake_A_encoded, self.fake_B_encoded)
            self.z_attr_recon_a, self.z_attr_recon_b, _ = self.encode_attr(self.fake_A_encoded, self.fake_B_encoded)
            # second cross translation
            self.fake_A_recon = self.gen.forward_a(self.z_content_recon_a, self.z_attr_recon_a)
            self.fake_B_recon = self.gen.forward_b(self.z_content_recon_b, self.z_attr_recon_b)
            # latent regression
            if self.concat:
                self.z_attr_random_a, _, self.z_attr_random_b, _ = self.enc_a(self.fake_A_random, self.fake_B_random)
            else:
                self.z_attr_random_a, self.z_attr_random_b = self.enc_a(self.fake_A_random, self.fake_B_random)

    # ------------------------------------------------------------------ discriminator updates
    def _coat(self, x: torch.Tensor) -> torch.Tensor:
        return coat_jitter(x, self.cfg.coat_jitter) if self.cfg.coat_jitter > 0 else x

    def _aug(self, x: torch.Tensor) -> torch.Tensor:
        return diff_augment(x, self.augment) if self.augment else x

    def _dis_loss(self, net, real, fake) -> torch.Tensor:
        """Image discriminator: real and fake both through the same (random) augmentation."""
        with self._autocast():
            pred_fake = net(self._aug(fake.detach()))
            pred_real = net(self._aug(real))
        kind = self.cfg.gan_loss
        loss = 0.0
        for out_fake, out_real in zip(pred_fake, pred_real):
            loss = loss + _adv(out_real, True, kind) + _adv(out_fake, False, kind)
        return loss

    def _content_dis_loss(self, ca, cb) -> torch.Tensor:
        # content of A is labelled 0 ("fake"), content of B 1 ("real"), both detached; always BCE
        # (the generator side aims at 0.5) and never augmented
        with self._autocast():
            pred_a, pred_b = self.disContent(ca.detach()), self.disContent(cb.detach())
        loss = 0.0
        for out_a, out_b in zip(pred_a, pred_b):
            loss = loss + _bce(out_b, 1.0) + _bce(out_a, 0.0)
        return loss

    def update_D_content(self, image_a: torch.Tensor, image_b: torch.Tensor) -> None:
        real_a, real_b = self._prep(image_a[:self.half]), self._prep(image_b[:self.half])
        with torch.no_grad(), self._autocast():  # contents are detached for this loss anyway
            ca, cb = self.enc_c(self._coat(real_a), self._coat(real_b))
        self.disContent_opt.zero_grad(set_to_none=True)
        loss = self._content_dis_loss(ca, cb)
        loss.backward()
        self._step("disContent")
        self.losses["disContent"] = loss.item()

    def update_D(self, image_a: torch.Tensor, image_b: torch.Tensor) -> None:
        self.forward(image_a, image_b)
        L = self.losses
        for net_name, real, fake, fake2 in (
                ("disA", self.real_A_encoded, self.fake_A_encoded, None),
                ("disA2", self.real_A_random, self.fake_A_random, None if self.no_ms else self.fake_A_random2),
                ("disB", self.real_B_encoded, self.fake_B_encoded, None),
                ("disB2", self.real_B_random, self.fake_B_random, None if self.no_ms else self.fake_B_random2)):
            net, opt = getattr(self, net_name), getattr(self, net_name + "_opt")
            opt.zero_grad(set_to_none=True)
            loss = self._dis_loss(net, real, fake)
            if fake2 is not None:  # mode seeking: second random fake, gradients summed, one step
                loss = loss + self._dis_loss(net, real, fake2)
            loss.backward()
            self._step(net_name)
            L[net_name] = loss.item()
        if self.critic_names:
            critic_d_step(self)
        self.disContent_opt.zero_grad(set_to_none=True)
        loss = self._content_dis_loss(self.z_content_a, self.z_content_b)
        loss.backward()
        self._step("disContent")
        L["disContent"] = loss.item()

    # ------------------------------------------------------------------ E / G update
    def _gan_g(self, fake, net) -> torch.Tensor:
        with self._autocast():
            outs = net(self._aug(fake))
        loss = 0.0
        for out in outs:
            loss = loss + _adv(out, True, self.cfg.gan_loss, for_d=False)
        return loss

    def ms_weight(self) -> float:
        """lambda_ms, ramped linearly from 0 over ``ms_warmup`` iterations after ``ms_start``: at
        initialisation G ignores z, 1/(r + 1e-5) is ~1e4 and its gradients would swamp Adam's
        second moments (docs/training.md, "Short runs")."""
        cfg = self.cfg
        if self.total_it < cfg.ms_start:
            return 0.0
        if cfg.ms_warmup <= 0:
            return cfg.lambda_ms
        return cfg.lambda_ms * min(1.0, (self.total_it - cfg.ms_start + 1) / cfg.ms_warmup)

    @staticmethod
    def _l2(mu: torch.Tensor) -> torch.Tensor:
        return torch.mean(mu.float() ** 2)

    @staticmethod
    def _l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.mean(torch.abs(a.float() - b.float()))

    def loss_EG(self) -> torch.Tensor:
        cfg, L = self.cfg, self.losses
        with self._autocast():
            c_out_a, c_out_b = self.disContent(self.z_content_a), self.disContent(self.z_content_b)
        gan_content_a = sum(_bce(o, 0.5) for o in c_out_a)
        gan_content_b = sum(_bce(o, 0.5) for o in c_out_b)
        gan_a = self._gan_g(self.fake_A_encoded, self.disA)
        gan_b = self._gan_g(self.fake_B_encoded, self.disB)
        if self.concat:
            mu_a, logvar_a, mu_b, logvar_b = (t.float() for t in self.attr_stats)
            kl_a = -0.5 * torch.sum(1 + logvar_a - mu_a.pow(2) - logvar_a.exp()) * cfg.lambda_kl
            kl_b = -0.5 * torch.sum(1 + logvar_b - mu_b.pow(2) - logvar_b.exp()) * cfg.lambda_kl
        else:
            kl_a = self._l2(self.z_attr_a) * cfg.lambda_kl
            kl_b = self._l2(self.z_attr_b) * cfg.lambda_kl
        kl_c_a = self._l2(self.z_content_a) * cfg.lambda_kl_content
        kl_c_b = self._l2(self.z_content_b) * cfg.lambda_kl_content
        cc_a = self._l1(self.fake_A_recon, self.real_A_encoded) * cfg.lambda_cc
        cc_b = self._l1(self.fake_B_recon, self.real_B_encoded) * cfg.lambda_cc
        rec_a = self._l1(self.fake_AA_encoded, self.real_A_encoded) * cfg.lambda_rec
        rec_b = self._l1(self.fake_BB_encoded, self.real_B_encoded) * cfg.lambda_rec
        total = (gan_a + gan_b + gan_content_a + gan_content_b + cc_a + cc_b + rec_a + rec_b
                 + kl_a + kl_b + kl_c_a + kl_c_b)
        if self.critic_names:
            total = total + critic_g_loss(self, self.fake_A_encoded, self.fake_B_encoded, "critic")
        for k, v in (("gan_A", gan_a), ("gan_B", gan_b), ("gan_content_A", gan_content_a),
                     ("gan_content_B", gan_content_b), ("cc_A", cc_a), ("cc_B", cc_b), ("rec_A", rec_a),
                     ("rec_B", rec_b), ("kl_A", kl_a), ("kl_B", kl_b), ("kl_content_A", kl_c_a),
                     ("kl_content_B", kl_c_b), ("loss_EG", total)):
            L[k] = float(v.detach())
        return total

    def loss_G2(self) -> torch.Tensor:
        cfg, L = self.cfg, self.losses
        gan2_a = self._gan_g(self.fake_A_random, self.disA2)
        gan2_b = self._gan_g(self.fake_B_random, self.disB2)
        lat_a = self._l1(self.z_attr_random_a, self.z_random) * cfg.lambda_latent
        lat_b = self._l1(self.z_attr_random_b, self.z_random) * cfg.lambda_latent
        total = lat_a + lat_b + gan2_a + gan2_b
        if self.critic_names:
            total = total + critic_g_loss(self, self.fake_A_random, self.fake_B_random, "critic2")
        L.update(gan2_A=float(gan2_a.detach()), gan2_B=float(gan2_b.detach()),
                 latent_A=float(lat_a.detach()), latent_B=float(lat_b.detach()))
        if not self.no_ms:
            gan2_a2 = self._gan_g(self.fake_A_random2, self.disA2)
            gan2_b2 = self._gan_g(self.fake_B_random2, self.disB2)
            dz = self._l1(self.z_random2, self.z_random)
            lz_ab = self._l1(self.fake_B_random2, self.fake_B_random) / dz
            lz_ba = self._l1(self.fake_A_random2, self.fake_A_random) / dz
            w = self.ms_weight()
            ms_ab = w / (lz_ab + 1e-5)
            ms_ba = w / (lz_ba + 1e-5)
            total = total + gan2_a2 + gan2_b2 + ms_ab + ms_ba
            L.update(gan2_A2=float(gan2_a2.detach()), gan2_B2=float(gan2_b2.detach()),
                     ms_AB=float(ms_ab.detach()), ms_BA=float(ms_ba.detach()))
        L["loss_G2"] = float(total.detach())
        return total

    def update_EG(self) -> None:
        """Two-phase E/G update with both gradient sets taken before any step (docs/drit-reference.md §6.3)."""
        nets1 = [self.enc_c, self.enc_a, self.gen]
        # phase 2 (latent regression, random-z adversarial, mode seeking) leaves E_a alone in the
        # original; with --latent-ea E_a also learns to read z back (only latent regression reaches it)
        nets2 = [self.enc_c, self.enc_a, self.gen] if self.cfg.latent_ea else [self.enc_c, self.gen]
        params1 = [p for n in nets1 for p in n.parameters() if p.requires_grad]
        params2 = [p for n in nets2 for p in n.parameters() if p.requires_grad]
        loss1 = self.loss_EG()
        loss2 = self.loss_G2()
        grads1 = torch.autograd.grad(loss1, params1, retain_graph=True, allow_unused=True)
        grads2 = torch.autograd.grad(loss2, params2, allow_unused=True)
        # phase 1: E_c, E_a, G with the L_EG gradients
        for p, g in zip(params1, grads1):
            p.grad = torch.zeros_like(p) if g is None else g
        for name in ("enc_c", "enc_a", "gen"):
            self._step(name)
        # phase 2: E_c, G (and E_a with --latent-ea) with the L_G2 gradients
        for p, g in zip(params2, grads2):
            p.grad = torch.zeros_like(p) if g is None else g
        for name in ("enc_c", "enc_a", "gen") if self.cfg.latent_ea else ("enc_c", "gen"):
            self._step(name)
        for p in params1:
            p.grad = None
        if self.ema is not None:
            self.ema.update({n: getattr(self, n) for n in EMA_NETS})

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self, ep: int, total_it: int) -> "OrderedDict[str, object]":
        """The official checkpoint layout (docs/drit-reference.md §7.1): 8 state_dicts, 8 optimiser states, ep, total_it.

        Tensors are saved as contiguous CPU float32 (device- and memory-format independent)."""
        def cpu(obj):
            if torch.is_tensor(obj):
                return obj.detach().to("cpu").contiguous()
            if isinstance(obj, OrderedDict):
                out = OrderedDict((k, cpu(v)) for k, v in obj.items())
                if hasattr(obj, "_metadata"):
                    out._metadata = obj._metadata  # noqa: SLF001
                return out
            if isinstance(obj, dict):
                return {k: cpu(v) for k, v in obj.items()}
            if isinstance(obj, list):
                return [cpu(v) for v in obj]
            return obj

        ck: "OrderedDict[str, object]" = OrderedDict()
        for name in self.net_names:
            ck[name] = cpu(getattr(self, name).state_dict())
        for name in ["disA", "disA2", "disB", "disB2", "disContent", "enc_c", "enc_a", "gen"] + self.critic_names:
            ck[name + "_opt"] = cpu(getattr(self, name + "_opt").state_dict())
        ck["ep"] = int(ep)
        ck["total_it"] = int(total_it)
        ck.update(ckpt_io.arch_entry(self.cfg.ea_activation))
        return ck

    def load_state_dict(self, ck: dict, train: bool = True) -> tuple:
        self.check_activation(ckpt_io.enc_a_activation(ck))
        # critics absent from the checkpoint (a branch that adds --critic) keep their fresh weights
        saved_critics = [n for n in self.critic_names if n in ck]
        for name in NET_NAMES + saved_critics if train else ["enc_c", "enc_a", "gen"]:
            getattr(self, name).load_state_dict(ck[name])
        if train:
            for name in NET_NAMES + saved_critics:
                opt = getattr(self, name + "_opt")
                opt.load_state_dict(ck[name + "_opt"])
                for group in opt.param_groups:  # the run's configured decay, not the one saved
                    group["weight_decay"] = self.cfg.weight_decay
                # keep Adam moments in the parameters' memory format/device
                for group in opt.param_groups:
                    for p in group["params"]:
                        st = opt.state.get(p, {})
                        for k, v in list(st.items()):
                            if torch.is_tensor(v) and v.shape == p.shape:
                                st[k] = torch.empty_like(p).copy_(v)
        return int(ck["ep"]), int(ck["total_it"])
