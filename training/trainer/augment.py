"""Differentiable augmentation of the image discriminators' inputs (DiffAugment, Zhao et al. 2020).

With 213 training dogs the image discriminators memorise the real set within a few thousand
iterations and their gradients stop carrying information about "dog-ness". Augmenting *both* the
real and the fake images that a discriminator sees (in its own update and in the generator's
adversarial loss) with the same random, differentiable transforms keeps it from memorising while
the generator still learns the un-augmented distribution (the transforms are applied to fakes
after generation, and gradients flow through them).

Policies (comma-separated, applied in this order): ``color`` (brightness, saturation, contrast),
``translation`` (shift by up to 1/8 of the size, zero fill), ``cutout`` (one zeroed square of
half the size). Images are in [-1, 1]; every sample of a batch draws its own parameters.
"""
from __future__ import annotations

from typing import Sequence

import torch

POLICIES = ("color", "translation", "cutout")


def parse_policy(text: str) -> tuple:
    names = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in names if p not in POLICIES]
    if unknown:
        raise ValueError(f"unknown augmentation {unknown[0]!r}; choose from {', '.join(POLICIES)}")
    return names


def _uniform(x: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    """One number per sample, shaped to broadcast over (N, C, H, W)."""
    return torch.rand(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype) * (hi - lo) + lo


def color(x: torch.Tensor) -> torch.Tensor:
    x = x + _uniform(x, -0.5, 0.5)                                    # brightness
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * _uniform(x, 0.0, 2.0) + mean                     # saturation
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * _uniform(x, 0.5, 1.5) + mean                  # contrast


def translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Shift each sample by an integer offset in [-ratio*size, ratio*size]; uncovered pixels are 0."""
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sh, sh + 1, (n, 1, 1), device=x.device)
    dx = torch.randint(-sw, sw + 1, (n, 1, 1), device=x.device)
    ys = torch.arange(h, device=x.device).view(1, h, 1) - dy          # source row for each output row
    xs = torch.arange(w, device=x.device).view(1, 1, w) - dx
    inside = ((ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)).unsqueeze(1).to(x.dtype)
    idx = (ys.clamp(0, h - 1) * w + xs.clamp(0, w - 1)).view(n, 1, h * w).expand(-1, x.shape[1], -1)
    out = torch.gather(x.reshape(n, x.shape[1], h * w), 2, idx).view_as(x)
    return out * inside


def cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """Zero one (ratio*H) x (ratio*W) square per sample, centred anywhere in the image."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device)
    cx = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device)
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    hole = ((ys - cy).abs() * 2 < ch) & ((xs - cx).abs() * 2 < cw)
    return x * (~hole).unsqueeze(1).to(x.dtype)


_FUNCS = {"color": color, "translation": translation, "cutout": cutout}


def diff_augment(x: torch.Tensor, policy: Sequence[str]) -> torch.Tensor:
    for name in policy:
        x = _FUNCS[name](x)
    return x


# ---------------------------------------------------------------- content encoder inputs
def recolour(x: torch.Tensor, angle: torch.Tensor, saturation: torch.Tensor) -> torch.Tensor:
    """Rotate each image's chroma by ``angle`` (radians) and scale it by ``saturation`` (0 = grey),
    luminance kept: YIQ, whose (I, Q) plane is the colour wheel. ``angle``, ``saturation``: (N,)."""
    to_yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]],
                          device=x.device, dtype=torch.float32)
    from_yiq = torch.linalg.inv(to_yiq)
    yiq = torch.einsum("ij,njhw->nihw", to_yiq.to(x.dtype), x)
    n = x.shape[0]
    c = (torch.cos(angle) * saturation).view(n, 1, 1).to(x.dtype)
    s = (torch.sin(angle) * saturation).view(n, 1, 1).to(x.dtype)
    i, q = yiq[:, 1], yiq[:, 2]
    rotated = torch.stack((yiq[:, 0], c * i - s * q, s * i + c * q), 1)
    return torch.einsum("ij,njhw->nihw", from_yiq.to(x.dtype), rotated).clamp(-1, 1)


def coat_jitter(x: torch.Tensor, p: float) -> torch.Tensor:
    """Recolour the content encoder's input so that coat colour stops being "content".

    The training cats are mostly light, long-haired Birman-like cats: a brown tabby's content code
    lies where E_c has never been. With probability ``p`` per sample the image's chroma is rotated
    by a random hue angle and scaled by a random saturation in [0, 1.5] (0 with probability 1/3:
    greyscale), luminance kept, so the shapes the generator must keep stay where they were. Only
    E_c sees the recoloured image; E_a and every reconstruction target keep the real one, so the
    colour has to travel through the attribute, as DRIT's split intends.
    """
    if p <= 0:
        return x
    n = x.shape[0]
    angle = torch.rand(n, device=x.device) * 2 * torch.pi
    sat = torch.rand(n, device=x.device) * 1.5
    sat = torch.where(torch.rand(n, device=x.device) < 1 / 3, torch.zeros_like(sat), sat)
    keep = (torch.rand(n, 1, 1, 1, device=x.device) >= p).to(x.dtype)
    return keep * x + (1 - keep) * recolour(x, angle, sat)
