"""DRIT inference networks (content encoder, attribute encoders, generators) in PyTorch.

Written from the original DRIT code's structure as summarised in ``docs/drit-reference.md``
(sections 2-4, 8, 11 and 12).
Module attribute names and the child order inside every ``nn.Sequential`` reproduce the official
HsinYingLee/DRIT code, so ``state_dict()`` keys, shapes and ordering equal those of the official
checkpoints (``checkpoint['enc_c']``, ``['enc_a']``, ``['gen']``).

Options common to the networks:

* ``padding='reflect'`` (official HEAD code, >= 2018-07-31): every padded convolution is preceded
  by an ``nn.ReflectionPad2d`` child and the convolution itself is unpadded.
  ``padding='zero'`` reproduces the earlier code: convolutions pad with zeros internally and there
  are no padding children, so Sequential indices (and state_dict keys) are smaller
  (docs/drit-reference.md §12).
* ``layer_norm='new'`` (HEAD, >= 2018-08-05): LayerNorm parameters ``weight``/``bias`` of shape
  (C,1,1), biased variance, ``(x-mean)/sqrt(var+eps)``. ``layer_norm='old'``: ``gamma``/``beta``
  of shape (C,), unbiased std, ``(x-mean)/(std+eps)``.
* Channel widths are configurable; the defaults are the paper's.

Import from the repository root: ``from training.drit.networks import ...`` (training/README.md).
"""

from __future__ import annotations

from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = [
    'PADDINGS', 'LAYER_NORMS',
    'gaussian_weights_init',
    'LayerNorm', 'LayerNormOld', 'make_layer_norm', 'GaussianNoiseLayer',
    'LeakyReLUConv2d', 'ReLUINSConv2d', 'INSResBlock', 'MisINSResBlock',
    'ReLUINSConvTranspose2d', 'BasicBlock',
    'E_content', 'E_attr', 'E_attr_concat', 'G', 'G_concat',
    'build_inference_nets',
]

PADDINGS = ('reflect', 'zero')
LAYER_NORMS = ('new', 'old')


def _check_padding(padding: str) -> str:
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    return padding


def _padded_conv(n_in: int, n_out: int, kernel_size: int, stride: int, padding: int,
                 mode: str) -> list:
    """Children for a padded convolution: [ReflectionPad2d(p), Conv2d(pad 0)] or [Conv2d(pad p)].

    The reflect form always includes the padding child (even for p = 0), as the official code does.
    """
    if _check_padding(mode) == 'reflect':
        return [nn.ReflectionPad2d(padding),
                nn.Conv2d(n_in, n_out, kernel_size=kernel_size, stride=stride, padding=0, bias=True)]
    return [nn.Conv2d(n_in, n_out, kernel_size=kernel_size, stride=stride, padding=padding,
                      bias=True)]


def gaussian_weights_init(m: nn.Module) -> None:
    """Official initialisation: every module whose class name starts with 'Conv' gets weight
    ~ N(0, 0.02^2); biases keep the PyTorch default. Linear layers are untouched. Subclasses of the
    torch convolutions count too: the trainer swaps some convs for faster subclasses on CPU
    (``PointwiseConv2d``, ``PhaseConvTranspose2d``, ...), which the name test alone skipped."""
    if (m.__class__.__name__.startswith('Conv') or isinstance(m, nn.modules.conv._ConvNd)) and hasattr(m, 'weight'):
        m.weight.data.normal_(0.0, 0.02)


# --------------------------------------------------------------------------------------------
# Normalisation / noise
# --------------------------------------------------------------------------------------------

class LayerNorm(nn.Module):
    """HEAD LayerNorm: statistics per sample over C*H*W, biased variance, eps 1e-5 inside the
    sqrt, per-channel affine ``weight``/``bias`` of shape (C,1,1). (The official constructor's eps
    argument is ignored; 1e-5 is always used.)"""

    def __init__(self, n_out: int, eps: float = 1e-5, affine: bool = True):
        super().__init__()
        self.n_out = n_out
        self.affine = affine
        self.eps = 1e-5  # the official code ignores the argument
        if affine:
            self.weight = nn.Parameter(torch.ones(n_out, 1, 1))
            self.bias = nn.Parameter(torch.zeros(n_out, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape[1:]
        if self.affine:
            return F.layer_norm(x, shape, self.weight.expand(shape), self.bias.expand(shape),
                                eps=self.eps)
        return F.layer_norm(x, shape, eps=self.eps)


class LayerNormOld(nn.Module):
    """Old LayerNorm (code up to 2018-08-04): statistics per sample over C*H*W, *unbiased* std,
    ``(x - mean) / (std + eps)``, affine ``gamma``/``beta`` of shape (C,), gamma ~ U[0,1)."""

    def __init__(self, num_features: int, eps: float = 1e-5, affine: bool = True):
        super().__init__()
        self.num_features = num_features
        self.affine = affine
        self.eps = eps
        if affine:
            self.gamma = nn.Parameter(torch.empty(num_features).uniform_())
            self.beta = nn.Parameter(torch.zeros(num_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = [-1] + [1] * (x.dim() - 1)
        flat = x.reshape(x.size(0), -1)
        mean = flat.mean(1).view(*shape)
        std = flat.std(1, unbiased=True).view(*shape)
        x = (x - mean) / (std + self.eps)
        if self.affine:
            shape = [1, -1] + [1] * (x.dim() - 2)
            x = x * self.gamma.view(*shape) + self.beta.view(*shape)
        return x


def make_layer_norm(n_out: int, layer_norm: str = 'new') -> nn.Module:
    if layer_norm == 'new':
        return LayerNorm(n_out)
    if layer_norm == 'old':
        return LayerNormOld(n_out)
    raise ValueError(f"layer_norm must be one of {LAYER_NORMS}, got {layer_norm!r}")


class GaussianNoiseLayer(nn.Module):
    """Identity in eval mode; in training mode adds N(0, 1) noise of x's shape, on x's device
    (the official layer hard-codes CUDA)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        return x + torch.randn_like(x)


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------

class LeakyReLUConv2d(nn.Module):
    """[pad] -> Conv -> LeakyReLU(0.01). The official ``norm`` argument never inserts a norm
    (string-literal comparison bug); it is accepted and ignored. Spectral norm (``sn``, only used
    by the discriminators) is not implemented here: the official copy of the 0.5-dev
    spectral_norm stores ``weight_orig``/``weight``/``weight_u``, unlike torch.nn.utils'."""

    def __init__(self, n_in: int, n_out: int, kernel_size: int, stride: int, padding: int = 0,
                 norm: str = 'None', sn: bool = False, padding_mode: str = 'reflect'):
        super().__init__()
        layers = _padded_conv(n_in, n_out, kernel_size, stride, padding, padding_mode)
        if sn:
            raise NotImplementedError("spectral norm (discriminators) is not implemented here")
        layers.append(nn.LeakyReLU(0.01, inplace=True))
        self.model = nn.Sequential(*layers)
        self.model.apply(gaussian_weights_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class ReLUINSConv2d(nn.Module):
    """[pad] -> Conv -> InstanceNorm2d (no affine) -> ReLU."""

    def __init__(self, n_in: int, n_out: int, kernel_size: int, stride: int, padding: int = 0,
                 padding_mode: str = 'reflect'):
        super().__init__()
        layers = _padded_conv(n_in, n_out, kernel_size, stride, padding, padding_mode)
        layers += [nn.InstanceNorm2d(n_out, affine=False), nn.ReLU(inplace=True)]
        self.model = nn.Sequential(*layers)
        self.model.apply(gaussian_weights_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class INSResBlock(nn.Module):
    """x + IN(conv3x3(ReLU(IN(conv3x3(x))))) -- no activation after the sum.

    Children (reflect): 0 pad, 1 conv, 2 IN, 3 ReLU, 4 pad, 5 conv, 6 IN.
    Children (zero):    0 conv, 1 IN, 2 ReLU, 3 conv, 4 IN.
    """

    def __init__(self, inplanes: int, planes: int, stride: int = 1, dropout: float = 0.0,
                 padding_mode: str = 'reflect'):
        super().__init__()
        layers = _padded_conv(inplanes, planes, 3, stride, 1, padding_mode)
        layers += [nn.InstanceNorm2d(planes), nn.ReLU(inplace=True)]
        layers += _padded_conv(planes, planes, 3, 1, 1, padding_mode)
        layers += [nn.InstanceNorm2d(planes)]
        if dropout > 0:
            layers += [nn.Dropout(p=dropout)]
        self.model = nn.Sequential(*layers)
        self.model.apply(gaussian_weights_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) + x


class MisINSResBlock(nn.Module):
    """Residual block with a per-block attribute vector injected into two 1x1 conv stacks.

    o1 = IN(conv3x3(x)); o2 = blk1([o1, Z]); o3 = IN(conv3x3(o2)); out = blk2([o3, Z]) + x, with Z
    the (N, dim_extra) vector broadcast over H x W and concatenated *after* the features.
    """

    def __init__(self, dim: int, dim_extra: int, stride: int = 1, dropout: float = 0.0,
                 padding_mode: str = 'reflect'):
        super().__init__()

        def conv3x3(dim_in: int, dim_out: int) -> nn.Module:
            if _check_padding(padding_mode) == 'reflect':
                return nn.Sequential(nn.ReflectionPad2d(1),
                                     nn.Conv2d(dim_in, dim_out, kernel_size=3, stride=stride))
            return nn.Conv2d(dim_in, dim_out, kernel_size=3, stride=stride, padding=1)

        def conv1x1(dim_in: int, dim_out: int) -> nn.Module:
            return nn.Conv2d(dim_in, dim_out, kernel_size=1, stride=1, padding=0)

        self.conv1 = nn.Sequential(conv3x3(dim, dim), nn.InstanceNorm2d(dim))
        self.conv2 = nn.Sequential(conv3x3(dim, dim), nn.InstanceNorm2d(dim))
        self.blk1 = nn.Sequential(conv1x1(dim + dim_extra, dim + dim_extra), nn.ReLU(inplace=False),
                                  conv1x1(dim + dim_extra, dim), nn.ReLU(inplace=False))
        self.blk2 = nn.Sequential(conv1x1(dim + dim_extra, dim + dim_extra), nn.ReLU(inplace=False),
                                  conv1x1(dim + dim_extra, dim), nn.ReLU(inplace=False))
        model = []
        if dropout > 0:
            model += [nn.Dropout(p=dropout)]
        self.model = nn.Sequential(*model)  # empty in practice; kept for structural fidelity
        self.apply(gaussian_weights_init)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        z_expand = z.view(z.size(0), z.size(1), 1, 1).expand(z.size(0), z.size(1),
                                                             x.size(2), x.size(3))
        o1 = self.conv1(x)
        o2 = self.blk1(torch.cat([o1, z_expand], dim=1))
        o3 = self.conv2(o2)
        out = self.blk2(torch.cat([o3, z_expand], dim=1))
        return self.model(out) + x


class ReLUINSConvTranspose2d(nn.Module):
    """ConvTranspose2d -> custom LayerNorm (not IN, despite the name) -> ReLU."""

    def __init__(self, n_in: int, n_out: int, kernel_size: int, stride: int, padding: int,
                 output_padding: int, layer_norm: str = 'new'):
        super().__init__()
        self.model = nn.Sequential(
            nn.ConvTranspose2d(n_in, n_out, kernel_size=kernel_size, stride=stride,
                               padding=padding, output_padding=output_padding, bias=True),
            make_layer_norm(n_out, layer_norm),
            nn.ReLU(inplace=True))
        self.model.apply(gaussian_weights_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class BasicBlock(nn.Module):
    """E_attr_concat residual block (norm_layer None, LeakyReLU(0.2) not in-place).

    conv (reflect): 0 LReLU, 1 pad, 2 conv3x3(in->in), 3 LReLU, 4 [pad, conv3x3(in->out), AvgPool2].
    conv (zero):    0 LReLU, 1 conv3x3, 2 LReLU, 3 [conv3x3, AvgPool2].
    shortcut: 0 AvgPool2, 1 conv1x1(in->out). out = conv(x) + shortcut(x) (shortcut sees raw x).
    """

    def __init__(self, inplanes: int, outplanes: int, padding_mode: str = 'reflect'):
        super().__init__()
        layers = [nn.LeakyReLU(0.2, inplace=False)]
        layers += _padded_conv(inplanes, inplanes, 3, 1, 1, padding_mode)
        layers += [nn.LeakyReLU(0.2, inplace=False)]
        conv_pool = _padded_conv(inplanes, outplanes, 3, 1, 1, padding_mode)
        conv_pool += [nn.AvgPool2d(kernel_size=2, stride=2)]
        layers += [nn.Sequential(*conv_pool)]
        self.conv = nn.Sequential(*layers)
        self.shortcut = nn.Sequential(nn.AvgPool2d(kernel_size=2, stride=2),
                                      nn.Conv2d(inplanes, outplanes, kernel_size=1, stride=1,
                                                padding=0, bias=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x) + self.shortcut(x)


# --------------------------------------------------------------------------------------------
# Networks
# --------------------------------------------------------------------------------------------

class E_content(nn.Module):
    """Content encoder (checkpoint entry ``enc_c``).

    Private stems ``convA``/``convB``: LeakyReLUConv2d(in->b, 7, 1, 3), ReLUINSConv2d(b->2b, 3, 2, 1),
    ReLUINSConv2d(2b->4b, 3, 2, 1), 3x INSResBlock(4b); shared ``conv_share``: INSResBlock(4b) +
    GaussianNoiseLayer. Output (N, 4b, ceil(ceil(H/2)/2), ...). ``base`` = b (64 in the paper).
    """

    def __init__(self, input_dim_a: int = 3, input_dim_b: int = 3, base: int = 64,
                 padding: str = 'reflect'):
        super().__init__()
        _check_padding(padding)
        self.base = base
        self.out_channels = base * 4

        def stem(input_dim: int) -> nn.Sequential:
            tch = base
            layers = [LeakyReLUConv2d(input_dim, tch, kernel_size=7, stride=1, padding=3,
                                      padding_mode=padding)]
            for _ in range(1, 3):
                layers += [ReLUINSConv2d(tch, tch * 2, kernel_size=3, stride=2, padding=1,
                                         padding_mode=padding)]
                tch *= 2
            for _ in range(3):
                layers += [INSResBlock(tch, tch, padding_mode=padding)]
            return nn.Sequential(*layers)

        # registration order = state_dict order: conv_share, convA, convB
        self.conv_share = nn.Sequential(INSResBlock(base * 4, base * 4, padding_mode=padding),
                                        GaussianNoiseLayer())
        self.convA = stem(input_dim_a)
        self.convB = stem(input_dim_b)

    def forward(self, xa: torch.Tensor, xb: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.forward_a(xa), self.forward_b(xb)

    def forward_a(self, xa: torch.Tensor) -> torch.Tensor:
        return self.conv_share(self.convA(xa))

    def forward_b(self, xb: torch.Tensor) -> torch.Tensor:
        return self.conv_share(self.convB(xb))


ENC_A_ACTIVATIONS = ('relu', 'leakyrelu')


class E_attr(nn.Module):
    """Attribute encoder for concat=0 (entry ``enc_a``): deterministic nz-vector per domain.

    ``model_a``/``model_b``: conv7x7(in->b) ReLU, conv4x4/2(b->2b) ReLU, conv4x4/2(2b->4b) ReLU,
    2x [conv4x4/2(4b->4b) ReLU], AdaptiveAvgPool2d(1), conv1x1(4b->nz). ``base`` = b (64).

    ``activation='leakyrelu'`` (ours, not the original's) puts LeakyReLU(0.2) in place of every
    ReLU: same keys and shapes, but a channel can never die for good (docs/experiments.md, "Why E_a
    collapsed"). It is not visible in the weights, so checkpoints that use it
    carry it in their ``arch`` entry (``ENC_A_ACTIVATIONS``).
    """

    def __init__(self, input_dim_a: int = 3, input_dim_b: int = 3, nz: int = 8, base: int = 64,
                 padding: str = 'reflect', activation: str = 'relu'):
        super().__init__()
        _check_padding(padding)
        if activation not in ENC_A_ACTIVATIONS:
            raise ValueError(f"E_attr activation must be one of {ENC_A_ACTIVATIONS}, got {activation!r}")
        self.nz = nz
        dim = base

        def branch(input_dim: int) -> nn.Sequential:
            layers = []
            for (cin, cout, k, s, p) in ((input_dim, dim, 7, 1, 3),
                                         (dim, dim * 2, 4, 2, 1),
                                         (dim * 2, dim * 4, 4, 2, 1),
                                         (dim * 4, dim * 4, 4, 2, 1),
                                         (dim * 4, dim * 4, 4, 2, 1)):
                layers += _padded_conv(cin, cout, k, s, p, padding)
                layers += [nn.ReLU(inplace=True) if activation == 'relu' else nn.LeakyReLU(0.2, inplace=True)]
            layers += [nn.AdaptiveAvgPool2d(1), nn.Conv2d(dim * 4, nz, 1, 1, 0)]
            return nn.Sequential(*layers)

        self.model_a = branch(input_dim_a)
        self.model_b = branch(input_dim_b)
        self.apply(gaussian_weights_init)

    def forward(self, xa: torch.Tensor, xb: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.forward_a(xa), self.forward_b(xb)

    def forward_a(self, xa: torch.Tensor) -> torch.Tensor:
        x = self.model_a(xa)
        return x.view(x.size(0), -1)

    def forward_b(self, xb: torch.Tensor) -> torch.Tensor:
        x = self.model_b(xb)
        return x.view(x.size(0), -1)


class E_attr_concat(nn.Module):
    """Attribute encoder for concat=1 (entry ``enc_a``): (mu, logvar) per domain.

    ``conv_X``: [pad] conv4x4/2(in->ndf) (no activation), BasicBlock(ndf->2ndf),
    BasicBlock(2ndf->3ndf), BasicBlock(3ndf->4ndf), LReLU(0.2), AdaptiveAvgPool2d(1);
    ``fc_X.0`` / ``fcVar_X.0``: Linear(4ndf->nz) -> mu / logvar. ``ndf`` = 64 in the paper.
    """

    def __init__(self, input_dim_a: int = 3, input_dim_b: int = 3, nz: int = 8, ndf: int = 64,
                 n_blocks: int = 4, padding: str = 'reflect'):
        super().__init__()
        _check_padding(padding)
        self.nz = nz
        max_ndf = 4

        def conv_branch(input_dim: int) -> Tuple[nn.Sequential, int]:
            layers = _padded_conv(input_dim, ndf, 4, 2, 1, padding)
            output_ndf = ndf
            for n in range(1, n_blocks):
                input_ndf = ndf * min(max_ndf, n)
                output_ndf = ndf * min(max_ndf, n + 1)
                layers += [BasicBlock(input_ndf, output_ndf, padding_mode=padding)]
            layers += [nn.LeakyReLU(0.2, inplace=False), nn.AdaptiveAvgPool2d(1)]
            return nn.Sequential(*layers), output_ndf

        conv_a, out_a = conv_branch(input_dim_a)
        conv_b, out_b = conv_branch(input_dim_b)
        # registration order = state_dict order: fc_A, fcVar_A, conv_A, fc_B, fcVar_B, conv_B
        self.fc_A = nn.Sequential(nn.Linear(out_a, nz))
        self.fcVar_A = nn.Sequential(nn.Linear(out_a, nz))
        self.conv_A = conv_a
        self.fc_B = nn.Sequential(nn.Linear(out_b, nz))
        self.fcVar_B = nn.Sequential(nn.Linear(out_b, nz))
        self.conv_B = conv_b
        self.apply(gaussian_weights_init)

    def forward(self, xa: torch.Tensor, xb: torch.Tensor):
        mu_a, logvar_a = self.forward_a(xa)
        mu_b, logvar_b = self.forward_b(xb)
        return mu_a, logvar_a, mu_b, logvar_b

    def forward_a(self, xa: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        flat = self.conv_A(xa).view(xa.size(0), -1)
        return self.fc_A(flat), self.fcVar_A(flat)

    def forward_b(self, xb: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        flat = self.conv_B(xb).view(xb.size(0), -1)
        return self.fc_B(flat), self.fcVar_B(flat)


class G(nn.Module):
    """Generator for concat=0 (entry ``gen``); widths derive from the content channel count ``ch``.

    Per output domain X: ``mlpX`` Linear(nz->C) ReLU Linear(C->C) ReLU Linear(C->4C), split into
    four C-chunks for ``decX1..4`` = MisINSResBlock(C, C); ``decX5`` = ReLUINSConvTranspose2d(C->C/2),
    ReLUINSConvTranspose2d(C/2->C/4), ConvTranspose2d 1x1 (C/4->out), Tanh. (The official MLP input
    width is hard-coded to 8 = nz.)
    """

    def __init__(self, output_dim_a: int = 3, output_dim_b: int = 3, nz: int = 8, ch: int = 256,
                 padding: str = 'reflect', layer_norm: str = 'new', up2: int = 0):
        """``up2``: output width of the second (full-resolution) up-sampling layer; 0 = the
        original's C/4. Packs carry it in the weight shapes, which the converter reads."""
        super().__init__()
        _check_padding(padding)
        self.nz = nz
        self.tch_add = ch
        widths = (ch // 2, up2 if up2 > 0 else ch // 4)

        def up_path(out_dim: int) -> nn.Sequential:
            tch = ch
            layers = []
            for w in widths:
                layers += [ReLUINSConvTranspose2d(tch, w, kernel_size=3, stride=2, padding=1,
                                                  output_padding=1, layer_norm=layer_norm)]
                tch = w
            layers += [nn.ConvTranspose2d(tch, out_dim, kernel_size=1, stride=1, padding=0),
                       nn.Tanh()]
            return nn.Sequential(*layers)

        def mlp() -> nn.Sequential:
            return nn.Sequential(nn.Linear(nz, ch), nn.ReLU(inplace=True),
                                 nn.Linear(ch, ch), nn.ReLU(inplace=True),
                                 nn.Linear(ch, ch * 4))

        # registration order = state_dict order: decA1..5, decB1..5, mlpA, mlpB
        self.decA1 = MisINSResBlock(ch, ch, padding_mode=padding)
        self.decA2 = MisINSResBlock(ch, ch, padding_mode=padding)
        self.decA3 = MisINSResBlock(ch, ch, padding_mode=padding)
        self.decA4 = MisINSResBlock(ch, ch, padding_mode=padding)
        self.decA5 = up_path(output_dim_a)
        self.decB1 = MisINSResBlock(ch, ch, padding_mode=padding)
        self.decB2 = MisINSResBlock(ch, ch, padding_mode=padding)
        self.decB3 = MisINSResBlock(ch, ch, padding_mode=padding)
        self.decB4 = MisINSResBlock(ch, ch, padding_mode=padding)
        self.decB5 = up_path(output_dim_b)
        self.mlpA = mlp()
        self.mlpB = mlp()
        self.apply(gaussian_weights_init)

    def _forward(self, x, z, mlp, blocks, up):
        z = mlp(z)
        chunks = torch.split(z, self.tch_add, dim=1)
        out = x
        for blk, zc in zip(blocks, chunks):
            out = blk(out, zc.contiguous())
        return up(out)

    def forward_a(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self._forward(x, z, self.mlpA, (self.decA1, self.decA2, self.decA3, self.decA4),
                             self.decA5)

    def forward_b(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self._forward(x, z, self.mlpB, (self.decB1, self.decB2, self.decB3, self.decB4),
                             self.decB5)


def _concat_z(x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    z_img = z.view(z.size(0), z.size(1), 1, 1).expand(z.size(0), z.size(1), x.size(2), x.size(3))
    return torch.cat([x, z_img], dim=1)


class G_concat(nn.Module):
    """Generator for concat=1 (entry ``gen``); widths derive from content channels C and nz.

    Shared ``dec_share.0`` = INSResBlock(C); per output domain X: concat z -> ``decX1`` = 3x
    INSResBlock(C+nz); concat z -> ``decX2.0`` ReLUINSConvTranspose2d(C+2nz -> (C+2nz)//2);
    concat z -> ``decX3.0`` ReLUINSConvTranspose2d(t -> t//2) with t = (C+2nz)//2 + nz;
    concat z -> ``decX4.0`` ConvTranspose2d 1x1 (t//2 + nz -> out), ``decX4.1`` Tanh.
    """

    def __init__(self, output_dim_a: int = 3, output_dim_b: int = 3, nz: int = 8, ch: int = 256,
                 padding: str = 'reflect', layer_norm: str = 'new'):
        super().__init__()
        _check_padding(padding)
        self.nz = nz
        self.dec_share = nn.Sequential(INSResBlock(ch, ch, padding_mode=padding))

        def branch(out_dim: int):
            tch = ch + nz
            dec1 = nn.Sequential(*[INSResBlock(tch, tch, padding_mode=padding) for _ in range(3)])
            tch = tch + nz
            dec2 = nn.Sequential(ReLUINSConvTranspose2d(tch, tch // 2, kernel_size=3, stride=2,
                                                        padding=1, output_padding=1,
                                                        layer_norm=layer_norm))
            tch = tch // 2 + nz
            dec3 = nn.Sequential(ReLUINSConvTranspose2d(tch, tch // 2, kernel_size=3, stride=2,
                                                        padding=1, output_padding=1,
                                                        layer_norm=layer_norm))
            tch = tch // 2 + nz
            dec4 = nn.Sequential(nn.ConvTranspose2d(tch, out_dim, kernel_size=1, stride=1,
                                                    padding=0),
                                 nn.Tanh())
            return dec1, dec2, dec3, dec4

        # registration order = state_dict order: dec_share, decA1..4, decB1..4
        self.decA1, self.decA2, self.decA3, self.decA4 = branch(output_dim_a)
        self.decB1, self.decB2, self.decB3, self.decB4 = branch(output_dim_b)
        self.apply(gaussian_weights_init)

    def _forward(self, x, z, dec1, dec2, dec3, dec4):
        out0 = self.dec_share(x)
        out1 = dec1(_concat_z(out0, z))
        out2 = dec2(_concat_z(out1, z))
        out3 = dec3(_concat_z(out2, z))
        return dec4(_concat_z(out3, z))

    def forward_a(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self._forward(x, z, self.decA1, self.decA2, self.decA3, self.decA4)

    def forward_b(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self._forward(x, z, self.decB1, self.decB2, self.decB3, self.decB4)


def build_inference_nets(concat: int, input_dim_a: int = 3, input_dim_b: int = 3, nz: int = 8,
                         enc_c_base: int = 64, enc_a_base: int = 64, enc_a_ndf: int = 64,
                         padding: str = 'reflect', layer_norm: str = 'new', enc_a_activation: str = 'relu',
                         gen_up2: int = 0):
    """Return (enc_c, enc_a, gen) for the given variant.

    concat=0 -> (E_content, E_attr, G); concat=1 -> (E_content, E_attr_concat, G_concat).
    The generator's content width is 4 * enc_c_base. ``enc_a_base`` applies to E_attr (concat=0),
    ``enc_a_ndf`` to E_attr_concat (concat=1); ``enc_a_activation`` to E_attr only; ``gen_up2``
    (width of G's full-resolution up-sampling layer, 0 = C/4) to G only.
    """
    if concat not in (0, 1):
        raise ValueError(f"concat must be 0 or 1, got {concat!r}")
    enc_c = E_content(input_dim_a, input_dim_b, base=enc_c_base, padding=padding)
    ch = enc_c.out_channels
    if concat == 1:
        if enc_a_activation != 'relu':
            raise ValueError("enc_a_activation applies to E_attr (concat=0); E_attr_concat has its own LeakyReLUs")
        if gen_up2:
            raise ValueError("gen_up2 applies to G (concat=0)")
        enc_a = E_attr_concat(input_dim_a, input_dim_b, nz=nz, ndf=enc_a_ndf, padding=padding)
        gen = G_concat(input_dim_a, input_dim_b, nz=nz, ch=ch, padding=padding,
                       layer_norm=layer_norm)
    else:
        enc_a = E_attr(input_dim_a, input_dim_b, nz=nz, base=enc_a_base, padding=padding,
                       activation=enc_a_activation)
        gen = G(input_dim_a, input_dim_b, nz=nz, ch=ch, padding=padding, layer_norm=layer_norm, up2=gen_up2)
    return enc_c, enc_a, gen
