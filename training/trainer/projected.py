"""A critic that sees with pretrained eyes (``--critic pretrained``): Projected-GAN-style discriminators
on a frozen feature network (Sauer et al., NeurIPS 2021; Kumari et al., CVPR 2022).

* **trunk**: nsfwjs's MobileNetV2 (training/features/nsfw_mobilenet.py), frozen, eval mode, shared by
  both domains' critics and kept outside every state_dict (its weights come from the npm package, not
  from checkpoints). Gradients flow through it to the input image, so G learns from it; its weights
  never change. Taps: ``block_2_add``, ``block_5_add``, ``block_9_add`` (stride 4, 8, 16; 24, 32, 64
  channels), all in the part of the network that kept Keras's ImageNet weights.
* **cross-channel mixing**: a fixed random 1x1 convolution per tap to ``width`` channels, and
  **cross-scale mixing**: top-down (coarser map upsampled bilinearly and added), both frozen and
  generated from a fixed seed, so they are identical in every run and need no checkpoint entry.
* **heads**: per scale a small trainable patch discriminator, spectral-normalised
  (conv3x3 width->width, LeakyReLU 0.2, conv1x1 width->1): a list of logit maps, the interface of the
  image discriminators, so the trainer's ``_dis_loss`` / ``_gan_g`` (and ``--gan_loss``, DiffAugment)
  apply unchanged.

Inputs arrive in the DRIT models' [-1, 1] and are mapped to the trunk's range (``--critic_input``):
``unit`` = [0, 1] (what nsfwjs feeds, and what the fine-tuned upper blocks saw), ``symmetric`` =
[-1, 1] (what Keras's ImageNet MobileNetV2, i.e. the frozen blocks used here, was trained on).
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

TAPS = ("block_2_add", "block_5_add", "block_9_add")
TAP_CHANNELS = {"block_2_add": 24, "block_5_add": 32, "block_9_add": 64}
CRITIC_NAMES = ("critA", "critB")
MIX_SEED = 20211206  # Projected GANs' NeurIPS 2021 date; any fixed value will do


def to_trunk_range(x: torch.Tensor, input_range: str) -> torch.Tensor:
    if input_range == "unit":
        return (x + 1.0) * 0.5
    if input_range == "symmetric":
        return x
    raise ValueError(f"unknown --critic_input {input_range!r} (expected unit or symmetric)")


class ProjectedCritic(nn.Module):
    """One domain's critic: frozen trunk -> fixed random mixing -> trainable heads -> [logits per scale]."""

    def __init__(self, trunk: nn.Module, taps: Sequence[str] = TAPS, width: int = 64, input_range: str = "unit",
                 channels: Dict[str, int] = TAP_CHANNELS):
        super().__init__()
        to_trunk_range(torch.zeros(1), input_range)  # validate early
        self._trunk = (trunk,)  # a tuple: not a submodule, so not in state_dict(), parameters() or .to()
        self.taps, self.input_range = tuple(taps), input_range
        g = torch.Generator().manual_seed(MIX_SEED)
        for i, t in enumerate(self.taps):
            cin = channels[t]
            self.register_buffer(f"mix{i}", torch.randn(width, cin, 1, 1, generator=g) / cin ** 0.5, persistent=False)
        sn = nn.utils.spectral_norm
        self.heads = nn.ModuleList(
            nn.Sequential(sn(nn.Conv2d(width, width, 3, 1, 1)), nn.LeakyReLU(0.2, inplace=True), sn(nn.Conv2d(width, 1, 1)))
            for _ in self.taps)

    @property
    def trunk(self) -> nn.Module:
        return self._trunk[0]

    def features(self, x: torch.Tensor) -> List[torch.Tensor]:
        """Mixed multi-scale features (fine to coarse) of [-1, 1] images."""
        feats = self.trunk(to_trunk_range(x.float(), self.input_range), list(self.taps))
        mixed = [F.conv2d(f, getattr(self, f"mix{i}")) for i, f in enumerate(feats)]
        for i in range(len(mixed) - 2, -1, -1):  # top-down cross-scale mixing
            mixed[i] = mixed[i] + F.interpolate(mixed[i + 1], size=mixed[i].shape[-2:], mode="bilinear",
                                                align_corners=False)
        return mixed

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        return [head(f) for head, f in zip(self.heads, self.features(x))]


def build_critics(input_range: str, device: torch.device) -> Tuple[nn.Module, Dict[str, ProjectedCritic]]:
    """The shared frozen trunk (on ``device``) and one critic per domain."""
    from training.features.nsfw_mobilenet import load_mobilenet_v2

    trunk = load_mobilenet_v2(upto=TAPS).to(device).eval()
    for p in trunk.parameters():  # none today (weights are buffers); kept frozen should that change
        p.requires_grad_(False)
    return trunk, {n: ProjectedCritic(trunk, input_range=input_range).to(device) for n in CRITIC_NAMES}


# ---------------------------------------------------------------- the trainer's hooks (trainer/model.py)
def attach_critics(model) -> List[str]:
    """Give a ``DRIT`` model its two critics and their Adam optimisers (``critA``, ``critA_opt``, ...,
    the image discriminators' lr, betas and weight decay); returns their names."""
    cfg = model.cfg
    if cfg.critic != "pretrained":
        raise ValueError(f"unknown --critic {cfg.critic!r} (expected pretrained, or empty for none)")
    model.critic_trunk, critics = build_critics(cfg.critic_input, model.device)
    for name, critic in critics.items():
        setattr(model, name, critic)
        setattr(model, name + "_opt", torch.optim.Adam(critic.parameters(), lr=cfg.lr, betas=(cfg.beta1, cfg.beta2),
                                                       weight_decay=cfg.weight_decay))
    return list(critics)


def critic_d_step(model) -> None:
    """One update of each critic: the domain's real images (both halves of the batch) against its
    translations (encoded and random attributes), through the same DiffAugment as the image
    discriminators (``DRIT._dis_loss``)."""
    for name, real, fake in (
            ("critA", (model.real_A_encoded, model.real_A_random), (model.fake_A_encoded, model.fake_A_random)),
            ("critB", (model.real_B_encoded, model.real_B_random), (model.fake_B_encoded, model.fake_B_random))):
        opt = getattr(model, name + "_opt")
        opt.zero_grad(set_to_none=True)
        loss = model._dis_loss(getattr(model, name), torch.cat(real), torch.cat(fake))  # noqa: SLF001
        loss.backward()
        model._step(name)  # noqa: SLF001
        model.losses[name] = loss.item()


def critic_g_loss(model, fake_a: torch.Tensor, fake_b: torch.Tensor, tag: str) -> torch.Tensor:
    """``lambda_critic`` x the generator-side adversarial loss of both critics (``--gan_loss``)."""
    loss_a = model._gan_g(fake_a, model.critA) * model.cfg.lambda_critic  # noqa: SLF001
    loss_b = model._gan_g(fake_b, model.critB) * model.cfg.lambda_critic  # noqa: SLF001
    model.losses[f"{tag}_A"], model.losses[f"{tag}_B"] = float(loss_a.detach()), float(loss_b.detach())
    return loss_a + loss_b
