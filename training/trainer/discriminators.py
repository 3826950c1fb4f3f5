"""Discriminators of DRIT (docs/drit-reference.md §5), with the official state_dict key names.

* ``MultiScaleDis`` -> checkpoint entries ``disA``, ``disA2``, ``disB``, ``disB2`` (default, 3 scales)
* ``Dis``           -> the same entries with ``--dis_scale 1``
* ``Dis_content``   -> ``disContent``

Keys: ``Diss.{s}.{0..3}.model.1.weight/bias``, ``Diss.{s}.4.weight/bias`` (MultiScaleDis);
``model.{0..5}.model.1.*``, ``model.6.*`` (Dis); ``model.{0,1,2}.model.1.*``, ``model.3.model.1.*``,
``model.4.*`` (Dis_content). Widths are configurable (``ch``); the defaults are the official ones.

Two deliberate deviations from the original code, both documented in docs/training.md:

* ``LeakyReLUConv2d`` never inserted InstanceNorm in the original (string-literal comparison,
  docs/drit-reference.md §2.1); this is replicated (the original's ``norm`` option is not offered).
* ``Dis_content`` cannot run on content maps smaller than 53x53 (crops < 212 px) in the original.
  With ``small_input=True`` its three 7x7 stride-2 convs use zero padding 3 ("same"-style, output
  ceil(H/2)) instead of reflection padding 1, and the final 4x4 conv zero-pads maps smaller than
  4x4. Key names and parameter shapes are unchanged, so the checkpoint layout stays official.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def gaussian_weights_init(m: nn.Module) -> None:
    """Official init: modules whose class name starts with "Conv" get weight ~ N(0, 0.02^2) (and the
    trainer's faster conv subclasses, see drit/networks.py)."""
    if type(m).__name__.startswith("Conv") or isinstance(m, nn.modules.conv._ConvNd):
        w = getattr(m, "weight_orig", None)
        if w is None:
            w = m.weight
        with torch.no_grad():
            w.normal_(0.0, 0.02)


def _conv(n_in: int, n_out: int, k: int, s: int, sn: bool) -> nn.Module:
    conv = nn.Conv2d(n_in, n_out, kernel_size=k, stride=s, padding=0, bias=True)
    if sn:
        # torch's spectral norm: keys weight_orig, weight_u, weight_v (the 0.5-dev copy of the
        # original stored weight_orig, weight, weight_u); one power iteration per training forward.
        conv = nn.utils.spectral_norm(conv)
    return conv


class LeakyReLUConv2d(nn.Module):
    """pad -> conv -> LReLU(0.01). Children: 0 pad, 1 conv, 2 LReLU (keys ``model.1.*``)."""

    def __init__(self, n_in, n_out, kernel_size, stride, padding=0, sn=False, zero_pad=False):
        super().__init__()
        pad = nn.ZeroPad2d(padding) if zero_pad else nn.ReflectionPad2d(padding)
        # no normalisation: the original never applies its `norm` option (docs/drit-reference.md §2.1 / §10.1).
        self.model = nn.Sequential(pad, _conv(n_in, n_out, kernel_size, stride, sn), nn.LeakyReLU(0.01, inplace=True))
        self.model.apply(gaussian_weights_init)

    def forward(self, x):
        return self.model(x)


class MultiScaleDis(nn.Module):
    """Multi-scale patch discriminator: per scale n_layer k4 s2 R1 convs (ch, 2ch, 4ch, ...) + 1x1 conv."""

    def __init__(self, input_dim: int, n_scale: int = 3, n_layer: int = 4, sn: bool = False, ch: int = 64):
        super().__init__()
        self.downsample = nn.AvgPool2d(3, stride=2, padding=[1, 1], count_include_pad=False)
        self.Diss = nn.ModuleList([self._make_net(ch, input_dim, n_layer, sn) for _ in range(n_scale)])

    @staticmethod
    def _make_net(ch, input_dim, n_layer, sn):
        model = [LeakyReLUConv2d(input_dim, ch, 4, 2, 1, sn)]
        tch = ch
        for _ in range(1, n_layer):
            model.append(LeakyReLUConv2d(tch, tch * 2, 4, 2, 1, sn))
            tch *= 2
        model.append(_conv(tch, 1, 1, 1, sn))
        net = nn.Sequential(*model)
        net.apply(gaussian_weights_init)
        return net

    def forward(self, x):
        outs = []
        for dis in self.Diss:
            outs.append(dis(x))
            x = self.downsample(x)
        return outs


class Dis(nn.Module):
    """Single-scale discriminator (``--dis_scale 1``): 6 k3 s2 R1 convs (ch .. 32ch) + 1x1 conv."""

    def __init__(self, input_dim: int, sn: bool = False, ch: int = 64, n_layer: int = 6):
        super().__init__()
        model = [LeakyReLUConv2d(input_dim, ch, 3, 2, 1, sn)]
        tch = ch
        for _ in range(1, n_layer - 1):
            model.append(LeakyReLUConv2d(tch, tch * 2, 3, 2, 1, sn))
            tch *= 2
        model.append(LeakyReLUConv2d(tch, tch * 2, 3, 2, 1, sn))
        tch *= 2
        model.append(_conv(tch, 1, 1, 1, sn))
        self.model = nn.Sequential(*model)
        self.model.apply(gaussian_weights_init)

    def forward(self, x):
        return [self.model(x).reshape(-1)]


class Dis_content(nn.Module):  # noqa: N801 (official class name)
    """Content discriminator on the content code (``ch`` channels, official 256).

    ``small_input=False`` is the original (reflection pad 1, needs content maps >= 53x53, i.e.
    crops >= 212). ``small_input=True`` works for any content size (see module docstring).
    """

    def __init__(self, ch: int = 256, small_input: bool = False):
        super().__init__()
        self.small_input = small_input
        pad7 = 3 if small_input else 1
        model = [LeakyReLUConv2d(ch, ch, 7, 2, pad7, zero_pad=small_input) for _ in range(3)]
        model.append(LeakyReLUConv2d(ch, ch, 4, 1, 0))
        model.append(nn.Conv2d(ch, 1, kernel_size=1, stride=1, padding=0))
        self.model = nn.Sequential(*model)
        self.model.apply(gaussian_weights_init)

    def forward(self, x):
        if not self.small_input:
            return [self.model(x).reshape(-1)]
        x = self.model[:3](x)
        h, w = x.shape[-2:]
        if h < 4 or w < 4:
            ph, pw = max(0, 4 - h), max(0, 4 - w)
            x = F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))
        x = self.model[3:](x)
        return [x.reshape(-1)]

    @staticmethod
    def needs_small_input(crop: int) -> bool:
        """True when the official Dis_content cannot run at this crop (content map < 53)."""
        c = crop
        for _ in range(2):
            c = (c + 1) // 2  # E_content's two R1 3x3 stride-2 convs: ceil(H/2)
        for _ in range(3):
            c = (c + 2 - 7) // 2 + 1 if c + 2 >= 7 else 0
        return c < 4
