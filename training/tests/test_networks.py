"""Structure and maths of the DRIT networks against docs/drit-reference.md.

The key lists of docs/drit-reference.md §11 are kept in tests/data/appendix_a_keys.txt.
"""

import os
import re

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from training.drit.networks import (
    BasicBlock, E_attr, E_attr_concat, E_content, G, G_concat, GaussianNoiseLayer, INSResBlock,
    LayerNorm, LayerNormOld, LeakyReLUConv2d, MisINSResBlock, ReLUINSConv2d,
    ReLUINSConvTranspose2d, build_inference_nets,
)

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')


def load_appendix_a():
    sections, cur = {}, None
    with open(os.path.join(DATA, 'appendix_a_keys.txt')) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            m = re.match(r'^\[(A\.\d)\]$', line)
            if m:
                cur = sections.setdefault(m.group(1), [])
                continue
            key, shape = line.split()
            cur.append((key, tuple(int(s) for s in shape.strip('()').split(',') if s)))
    return sections


APPENDIX_A = load_appendix_a()

# section -> (constructor, expected total parameter count from the spec)
DEFAULT_NETS = {
    'A.1': (E_content, 9_018_112),
    'A.2': (E_attr, 5_529_872),
    'A.3': (E_attr_concat, 2_688_160),
    'A.4': (G, 17_146_374),
    'A.5': (G_concat, 9_564_710),
}


@pytest.fixture(scope='module')
def default_nets():
    torch.manual_seed(0)
    return {sec: ctor() for sec, (ctor, _) in DEFAULT_NETS.items()}


def key_shapes(module):
    return [(k, tuple(v.shape)) for k, v in module.state_dict().items()]


# ---------------------------------------------------------------------------------------------
# docs/drit-reference.md §11: key names, order, shapes, counts
# ---------------------------------------------------------------------------------------------

def test_appendix_a_file_is_complete():
    assert {k: len(v) for k, v in APPENDIX_A.items()} == {
        'A.1': 40, 'A.2': 24, 'A.3': 48, 'A.4': 128, 'A.5': 48}


@pytest.mark.parametrize('section', sorted(DEFAULT_NETS))
def test_default_keys_and_shapes_match_appendix_a(default_nets, section):
    assert key_shapes(default_nets[section]) == APPENDIX_A[section]


@pytest.mark.parametrize('section', sorted(DEFAULT_NETS))
def test_default_parameter_counts(default_nets, section):
    net = default_nets[section]
    expected = DEFAULT_NETS[section][1]
    assert sum(p.numel() for p in net.parameters()) == expected
    assert sum(v.numel() for v in net.state_dict().values()) == expected
    assert sum(n for _, s in APPENDIX_A[section] for n in [int(torch.Size(s).numel())]) == expected


def test_no_buffers_in_state_dicts(default_nets):
    # IN has no running stats; everything in the state_dict is a parameter
    for net in default_nets.values():
        assert len(list(net.buffers())) == 0
        assert len(net.state_dict()) == len(list(net.parameters()))


def test_build_inference_nets():
    enc_c, enc_a, gen = build_inference_nets(0, enc_c_base=2, enc_a_base=2)
    assert (type(enc_c), type(enc_a), type(gen)) == (E_content, E_attr, G)
    enc_c, enc_a, gen = build_inference_nets(1, enc_c_base=2, enc_a_ndf=2)
    assert (type(enc_c), type(enc_a), type(gen)) == (E_content, E_attr_concat, G_concat)
    assert gen.state_dict()['dec_share.0.model.1.weight'].shape == (8, 8, 3, 3)
    assert gen.state_dict()['decA1.0.model.1.weight'].shape == (16, 16, 3, 3)
    with pytest.raises(ValueError):
        build_inference_nets(2)
    with pytest.raises(ValueError):
        build_inference_nets(0, padding='replicate')
    with pytest.raises(ValueError):
        build_inference_nets(0, layer_norm='mid')


def test_widths_derive_from_content_channels():
    # concat=0: MLP nz->C->C->4C, MisINSResBlock(C,C) with 1x1 stacks 2C->2C->C, up C->C/2->C/4
    sd = G(output_dim_a=1, output_dim_b=3, nz=5, ch=32).state_dict()
    assert sd['mlpA.0.weight'].shape == (32, 5)
    assert sd['mlpA.4.weight'].shape == (128, 32)
    assert sd['decA1.blk1.0.weight'].shape == (64, 64, 1, 1)
    assert sd['decA1.blk2.2.weight'].shape == (32, 64, 1, 1)
    assert sd['decA5.0.model.0.weight'].shape == (32, 16, 3, 3)
    assert sd['decA5.1.model.0.weight'].shape == (16, 8, 3, 3)
    assert sd['decA5.2.weight'].shape == (8, 1, 1, 1)
    assert sd['decB5.2.weight'].shape == (8, 3, 1, 1)
    # concat=1: C+nz, C+2nz -> (C+2nz)//2, +nz -> //2, +nz -> out
    sd = G_concat(output_dim_a=3, output_dim_b=1, nz=5, ch=32).state_dict()
    assert sd['decA1.2.model.5.weight'].shape == (37, 37, 3, 3)
    assert sd['decA2.0.model.0.weight'].shape == (42, 21, 3, 3)
    assert sd['decA3.0.model.0.weight'].shape == (26, 13, 3, 3)
    assert sd['decA4.0.weight'].shape == (18, 3, 1, 1)
    assert sd['decB4.0.weight'].shape == (18, 1, 1, 1)
    # encoders
    sd = E_content(input_dim_a=1, input_dim_b=3, base=8).state_dict()
    assert sd['convA.0.model.1.weight'].shape == (8, 1, 7, 7)
    assert sd['convB.0.model.1.weight'].shape == (8, 3, 7, 7)
    assert sd['conv_share.0.model.5.weight'].shape == (32, 32, 3, 3)
    sd = E_attr(input_dim_a=1, nz=5, base=8).state_dict()
    assert [tuple(sd[f'model_a.{i}.weight'].shape) for i in (1, 4, 7, 10, 13, 16)] == [
        (8, 1, 7, 7), (16, 8, 4, 4), (32, 16, 4, 4), (32, 32, 4, 4), (32, 32, 4, 4), (5, 32, 1, 1)]
    sd = E_attr_concat(input_dim_b=1, nz=5, ndf=8).state_dict()
    assert sd['conv_B.1.weight'].shape == (8, 1, 4, 4)
    assert sd['conv_B.3.conv.4.1.weight'].shape == (24, 16, 3, 3)
    assert sd['fcVar_B.0.weight'].shape == (5, 32)


# ---------------------------------------------------------------------------------------------
# docs/drit-reference.md §12: zero-padding era key layout (+ old LayerNorm renames)
# ---------------------------------------------------------------------------------------------

def zero_era_key(entry, concat, key):
    """HEAD key -> pre-2018-07-31 key, written independently from the §12 table."""
    if entry == 'enc_c':
        m = re.match(r'^(conv[AB])\.([0-2])\.model\.1\.(weight|bias)$', key)
        if m:
            return f'{m.group(1)}.{m.group(2)}.model.0.{m.group(3)}'
        m = re.match(r'^(conv[AB]\.[3-5]|conv_share\.0)\.model\.([15])\.(weight|bias)$', key)
        if m:
            return f'{m.group(1)}.model.{ {"1": 0, "5": 3}[m.group(2)] }.{m.group(3)}'
    elif entry == 'enc_a' and concat == 0:
        m = re.match(r'^(model_[ab])\.(\d+)\.(weight|bias)$', key)
        if m:
            new = {1: 0, 4: 2, 7: 4, 10: 6, 13: 8, 16: 11}[int(m.group(2))]
            return f'{m.group(1)}.{new}.{m.group(3)}'
    elif entry == 'enc_a' and concat == 1:
        m = re.match(r'^(conv_[AB])\.1\.(weight|bias)$', key)
        if m:
            return f'{m.group(1)}.0.{m.group(2)}'
        m = re.match(r'^(conv_[AB])\.([234])\.(conv\.2|conv\.4\.1|shortcut\.1)\.(weight|bias)$', key)
        if m:
            sub = {'conv.2': 'conv.1', 'conv.4.1': 'conv.3.0', 'shortcut.1': 'shortcut.1'}
            return f'{m.group(1)}.{int(m.group(2)) - 1}.{sub[m.group(3)]}.{m.group(4)}'
    elif entry == 'gen' and concat == 0:
        m = re.match(r'^(dec[AB][1-4])\.(conv[12])\.0\.1\.(weight|bias)$', key)
        if m:
            return f'{m.group(1)}.{m.group(2)}.0.{m.group(3)}'
    elif entry == 'gen' and concat == 1:
        m = re.match(r'^(dec_share\.0|dec[AB]1\.[0-2])\.model\.([15])\.(weight|bias)$', key)
        if m:
            return f'{m.group(1)}.model.{ {"1": 0, "5": 3}[m.group(2)] }.{m.group(3)}'
    return key


def old_ln_key(entry, concat, key):
    if entry != 'gen':
        return key
    pat = r'^(dec[AB]5\.[01])\.model\.1\.' if concat == 0 else r'^(dec[AB][23]\.0)\.model\.1\.'
    m = re.match(pat + r'(weight|bias)$', key)
    if m:
        return f'{m.group(1)}.model.1.{ {"weight": "gamma", "bias": "beta"}[m.group(2)] }'
    return key


def _nets(concat, padding, layer_norm):
    return dict(zip(('enc_c', 'enc_a', 'gen'),
                    build_inference_nets(concat, enc_c_base=4, enc_a_base=4, enc_a_ndf=4,
                                         padding=padding, layer_norm=layer_norm)))


@pytest.mark.parametrize('concat', [0, 1])
@pytest.mark.parametrize('padding,layer_norm', [('zero', 'old'), ('zero', 'new'), ('reflect', 'old')])
def test_era_key_layouts(concat, padding, layer_norm):
    head = _nets(concat, 'reflect', 'new')
    other = _nets(concat, padding, layer_norm)
    for entry in ('enc_c', 'enc_a', 'gen'):
        expected = []
        for k, shape in key_shapes(head[entry]):
            if padding == 'zero':
                k = zero_era_key(entry, concat, k)
            if layer_norm == 'old':
                k2 = old_ln_key(entry, concat, k)
                if k2 != k:
                    k, shape = k2, (shape[0],)
            expected.append((k, shape))
        assert key_shapes(other[entry]) == expected, entry


def test_zero_era_default_examples():
    # a few literal keys from §12 at default widths
    sd = E_content(padding='zero').state_dict()
    assert sd['convA.0.model.0.weight'].shape == (64, 3, 7, 7)
    assert sd['convB.4.model.3.weight'].shape == (256, 256, 3, 3)
    sd = E_attr_concat(padding='zero').state_dict()
    assert sd['conv_A.0.weight'].shape == (64, 3, 4, 4)
    assert sd['conv_B.3.conv.3.0.weight'].shape == (256, 192, 3, 3)
    assert sd['conv_B.1.shortcut.1.weight'].shape == (128, 64, 1, 1)
    sd = E_attr(padding='zero').state_dict()
    assert sd['model_b.11.weight'].shape == (8, 256, 1, 1)
    sd = G(padding='zero', layer_norm='old').state_dict()
    assert sd['decB3.conv2.0.weight'].shape == (256, 256, 3, 3)
    assert sd['decB5.1.model.1.gamma'].shape == (64,)
    sd = G_concat(padding='zero', layer_norm='old').state_dict()
    assert sd['dec_share.0.model.3.weight'].shape == (256, 256, 3, 3)
    assert sd['decA2.0.model.1.beta'].shape == (136,)


def test_padding_modes_structure():
    for concat in (0, 1):
        for entry, net in _nets(concat, 'zero', 'old').items():
            mods = list(net.modules())
            assert not any(isinstance(m, nn.ReflectionPad2d) for m in mods), entry
            for m in mods:
                if type(m) is nn.Conv2d and m.kernel_size[0] > 1:
                    assert m.padding[0] >= 1 and m.padding_mode == 'zeros'
        for entry, net in _nets(concat, 'reflect', 'new').items():
            for m in net.modules():
                if type(m) is nn.Conv2d:
                    assert m.padding == (0, 0), entry


# ---------------------------------------------------------------------------------------------
# Output sizes
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('concat', [0, 1])
@pytest.mark.parametrize('padding', ['reflect', 'zero'])
@pytest.mark.parametrize('size,content,out', [(27, 7, 28), (216, 54, 216), (128, 32, 128),
                                              (30, 8, 32)])
def test_output_sizes(concat, padding, size, content, out):
    torch.manual_seed(1)
    enc_c, enc_a, gen = build_inference_nets(concat, enc_c_base=2, enc_a_base=2, enc_a_ndf=2,
                                             padding=padding,
                                             layer_norm='new' if padding == 'reflect' else 'old')
    for n in (enc_c, enc_a, gen):
        n.eval()
    x = torch.rand(2, 3, size, size) * 2 - 1
    with torch.no_grad():
        c = enc_c.forward_a(x)
        assert c.shape == (2, 8, content, content)
        assert enc_c.forward_b(x).shape == c.shape
        if concat == 0:
            za = enc_a.forward_a(x)
            assert za.shape == (2, 8) and enc_a.forward_b(x).shape == (2, 8)
        else:
            mu, logvar = enc_a.forward_a(x)
            assert mu.shape == logvar.shape == (2, 8)
            za = mu
        for fwd in (gen.forward_a, gen.forward_b):
            y = fwd(c, za)
            assert y.shape == (2, 3, out, out)
            assert y.abs().max() <= 1


def test_non_square_and_channel_dims():
    enc_c, enc_a, gen = build_inference_nets(1, input_dim_a=1, input_dim_b=3, enc_c_base=2,
                                             enc_a_ndf=2)
    for n in (enc_c, enc_a, gen):
        n.eval()
    with torch.no_grad():
        c = enc_c.forward_a(torch.zeros(1, 1, 40, 30))
        assert c.shape == (1, 8, 10, 8)
        assert gen.forward_a(c, torch.zeros(1, 8)).shape == (1, 1, 40, 32)
        assert gen.forward_b(c, torch.zeros(1, 8)).shape == (1, 3, 40, 32)


def test_default_width_forward_small_input(default_nets):
    enc_c, e_attr, e_attr_c, g, g_c = (default_nets[s] for s in ('A.1', 'A.2', 'A.3', 'A.4', 'A.5'))
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    with torch.no_grad():
        enc_c.eval()
        c = enc_c.forward_b(x)
        assert c.shape == (1, 256, 4, 4)
        assert e_attr.forward_a(x).shape == (1, 8)
        mu, logvar = e_attr_c.forward_b(x)
        assert mu.shape == logvar.shape == (1, 8)
        assert g.forward_a(c, torch.randn(1, 8)).shape == (1, 3, 16, 16)
        assert g_c.forward_b(c, torch.randn(1, 8)).shape == (1, 3, 16, 16)


# ---------------------------------------------------------------------------------------------
# Block maths (independent functional re-statements of the spec)
# ---------------------------------------------------------------------------------------------

def _randomise(module, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.3 + (0.5 if p.dim() <= 1 else 0.0))
    return module


def _in(x):
    return F.instance_norm(x, eps=1e-5)


@pytest.mark.parametrize('scale', [2.0, 1e-3])
def test_layer_norm_formulas_and_versions_differ(scale):
    # scale 1e-3 makes the eps placement (inside the sqrt vs added to the std) matter
    torch.manual_seed(3)
    x = torch.randn(2, 5, 6, 7) * scale + 0.5 * scale
    new, old = _randomise(LayerNorm(5)), LayerNormOld(5)
    with torch.no_grad():
        old.gamma.copy_(new.weight.view(-1))
        old.beta.copy_(new.bias.view(-1))
    flat = x.double().reshape(2, -1)
    mean = flat.mean(1).view(2, 1, 1, 1)
    var = flat.var(1, unbiased=False).view(2, 1, 1, 1)
    std_u = flat.std(1, unbiased=True).view(2, 1, 1, 1)
    w, b = new.weight.double().view(1, 5, 1, 1), new.bias.double().view(1, 5, 1, 1)
    ref_new = ((x.double() - mean) / torch.sqrt(var + 1e-5) * w + b).float()
    ref_old = ((x.double() - mean) / (std_u + 1e-5) * w + b).float()
    y_new, y_old = new(x), old(x)
    assert torch.allclose(y_new, ref_new, atol=1e-5)
    assert torch.allclose(y_old, ref_old, atol=1e-5)
    diff = (y_new - y_old).abs().max().item()
    assert diff > 1e-4
    if scale > 1:
        assert diff < 0.1  # same normalisation up to the N/(N-1) factor and eps placement
    assert old.gamma.shape == (5,) and new.weight.shape == (5, 1, 1)


def test_old_layer_norm_default_init():
    torch.manual_seed(0)
    ln = LayerNormOld(64)
    assert ln.gamma.min() >= 0 and ln.gamma.max() < 1 and ln.gamma.std() > 0.1
    assert torch.equal(ln.beta, torch.zeros(64))
    ln = LayerNorm(64)
    assert torch.equal(ln.weight, torch.ones(64, 1, 1)) and torch.equal(ln.bias, torch.zeros(64, 1, 1))


def test_generators_old_vs_new_layer_norm_differ():
    torch.manual_seed(4)
    for cls in (G, G_concat):
        g_new = _randomise(cls(nz=8, ch=8, layer_norm='new')).eval()
        g_old = cls(nz=8, ch=8, layer_norm='old').eval()
        sd = {}
        for k, v in g_new.state_dict().items():
            sd[old_ln_key('gen', 0 if cls is G else 1, k)] = v.reshape(-1) if v.dim() == 3 else v
        g_old.load_state_dict(sd)
        c, z = torch.randn(1, 8, 5, 5), torch.randn(1, 8)
        with torch.no_grad():
            d = (g_new.forward_a(c, z) - g_old.forward_a(c, z)).abs().max().item()
        assert d > 1e-5, cls.__name__


@pytest.mark.parametrize('padding', ['reflect', 'zero'])
def test_insresblock_and_relu_ins_conv(padding):
    torch.manual_seed(5)
    x = torch.randn(2, 6, 9, 8)
    blk = _randomise(INSResBlock(6, 6, padding_mode=padding))
    c1, c2 = [m for m in blk.modules() if isinstance(m, nn.Conv2d)]

    def conv(t, m):
        if padding == 'reflect':
            return F.conv2d(F.pad(t, (1, 1, 1, 1), mode='reflect'), m.weight, m.bias)
        return F.conv2d(t, m.weight, m.bias, padding=1)

    ref = x + _in(conv(F.relu(_in(conv(x, c1))), c2))
    assert torch.allclose(blk(x), ref, atol=1e-5)

    r = _randomise(ReLUINSConv2d(6, 4, 3, 2, 1, padding_mode=padding))
    (m,) = [m for m in r.modules() if isinstance(m, nn.Conv2d)]
    if padding == 'reflect':
        ref = F.conv2d(F.pad(x, (1, 1, 1, 1), mode='reflect'), m.weight, m.bias, stride=2)
    else:
        ref = F.conv2d(x, m.weight, m.bias, stride=2, padding=1)
    assert r(x).shape == (2, 4, 5, 4)
    assert torch.allclose(r(x), F.relu(_in(ref)), atol=1e-5)

    lr = _randomise(LeakyReLUConv2d(6, 4, 7, 1, 3, norm='Instance', padding_mode=padding))
    (m,) = [m for m in lr.modules() if isinstance(m, nn.Conv2d)]
    if padding == 'reflect':
        ref = F.conv2d(F.pad(x, (3, 3, 3, 3), mode='reflect'), m.weight, m.bias)
    else:
        ref = F.conv2d(x, m.weight, m.bias, padding=3)
    # no InstanceNorm even when norm='Instance' (official bug), slope 0.01
    assert torch.allclose(lr(x), F.leaky_relu(ref, 0.01), atol=1e-5)


def test_misinsresblock_formula():
    torch.manual_seed(6)
    blk = _randomise(MisINSResBlock(6, 5))
    x, z = torch.randn(2, 6, 7, 5), torch.randn(2, 5)
    Z = z.view(2, 5, 1, 1).expand(2, 5, 7, 5)

    def c3(t, seq):
        conv = seq[0][1]
        return _in(F.conv2d(F.pad(t, (1, 1, 1, 1), mode='reflect'), conv.weight, conv.bias))

    def stack(t, seq):
        return F.relu(seq[2](F.relu(seq[0](t))))

    o1 = c3(x, blk.conv1)
    o2 = stack(torch.cat([o1, Z], 1), blk.blk1)
    o3 = c3(o2, blk.conv2)
    ref = stack(torch.cat([o3, Z], 1), blk.blk2) + x
    assert torch.allclose(blk(x, z), ref, atol=1e-5)
    assert len(blk.model) == 0


def test_basic_block_formula_and_odd_sizes():
    torch.manual_seed(7)
    blk = _randomise(BasicBlock(4, 6))
    x = torch.randn(1, 4, 7, 9)
    c1, c2 = blk.conv[2], blk.conv[4][1]
    h = F.leaky_relu(x, 0.2)
    h = F.conv2d(F.pad(h, (1, 1, 1, 1), mode='reflect'), c1.weight, c1.bias)
    h = F.leaky_relu(h, 0.2)
    h = F.avg_pool2d(F.conv2d(F.pad(h, (1, 1, 1, 1), mode='reflect'), c2.weight, c2.bias), 2, 2)
    sc = F.conv2d(F.avg_pool2d(x, 2, 2), blk.shortcut[1].weight, blk.shortcut[1].bias)
    out = blk(x)
    assert out.shape == (1, 6, 3, 4)
    assert torch.allclose(out, h + sc, atol=1e-5)


def test_transposed_conv_block_alignment():
    torch.manual_seed(8)
    blk = _randomise(ReLUINSConvTranspose2d(3, 2, 3, 2, 1, 1))
    x = torch.randn(1, 3, 5, 4)
    ct = blk.model[0]
    # docs/drit-reference.md §4.4: input pixel i, tap k lands on output row 2i + k - 1 (cropped to 2H x 2W)
    full = torch.zeros(1, 2, 2 * 5 + 1, 2 * 4 + 1)
    for i in range(5):
        for j in range(4):
            for ky in range(3):
                for kx in range(3):
                    full[0, :, 2 * i + ky, 2 * j + kx] += x[0, :, i, j] @ ct.weight[:, :, ky, kx]
    y = full[:, :, 1:, 1:] + ct.bias.view(1, 2, 1, 1)
    w, b = blk.model[1].weight.view(1, 2, 1, 1), blk.model[1].bias.view(1, 2, 1, 1)
    ref = F.relu(F.layer_norm(y, y.shape[1:]) * w + b)
    out = blk(x)
    assert out.shape == (1, 2, 10, 8)
    assert torch.allclose(out, ref, atol=1e-5)


def test_concat_generator_injects_z_after_features():
    torch.manual_seed(9)
    g = _randomise(G_concat(nz=3, ch=4)).eval()
    c, z = torch.randn(1, 4, 3, 3), torch.randn(1, 3)
    with torch.no_grad():
        out0 = g.dec_share(c)
        h = g.decA1(torch.cat([out0, z.view(1, 3, 1, 1).expand(1, 3, 3, 3)], 1))
        h = g.decA2(torch.cat([h, z.view(1, 3, 1, 1).expand(1, 3, 3, 3)], 1))
        h = g.decA3(torch.cat([h, z.view(1, 3, 1, 1).expand(1, 3, 6, 6)], 1))
        h = g.decA4(torch.cat([h, z.view(1, 3, 1, 1).expand(1, 3, 12, 12)], 1))
        assert torch.allclose(g.forward_a(c, z), h, atol=1e-6)


def test_g_splits_mlp_output_in_consecutive_chunks():
    torch.manual_seed(10)
    g = _randomise(G(nz=8, ch=4)).eval()
    c, z = torch.randn(1, 4, 3, 3), torch.randn(1, 8)
    with torch.no_grad():
        zz = g.mlpB(z)
        h = c
        for i, blk in enumerate((g.decB1, g.decB2, g.decB3, g.decB4)):
            h = blk(h, zz[:, 4 * i:4 * (i + 1)])
        assert torch.allclose(g.forward_b(c, z), g.decB5(h), atol=1e-6)


def test_e_attr_concat_returns_mu_logvar_from_separate_heads():
    torch.manual_seed(11)
    e = _randomise(E_attr_concat(nz=4, ndf=2)).eval()
    x = torch.randn(2, 3, 20, 20)
    with torch.no_grad():
        feat = e.conv_A(x).view(2, -1)
        mu, logvar = e.forward_a(x)
        assert torch.allclose(mu, e.fc_A(feat)) and torch.allclose(logvar, e.fcVar_A(feat))
        out = e(x, x)
        assert len(out) == 4 and torch.allclose(out[2], e.fc_B(e.conv_B(x).view(2, -1)))


# ---------------------------------------------------------------------------------------------
# Noise layer (device-agnostic) and train/eval behaviour
# ---------------------------------------------------------------------------------------------

def test_gaussian_noise_layer():
    layer = GaussianNoiseLayer()
    x = torch.zeros(2, 3, 4, 4, dtype=torch.float64)
    layer.eval()
    assert layer(x) is x
    layer.train()
    torch.manual_seed(0)
    y = layer(x)
    assert y.shape == x.shape and y.dtype == x.dtype and y.device == x.device
    assert 0.5 < y.std().item() < 1.5
    if torch.cuda.is_available():
        xc = x.cuda()
        assert layer(xc).device == xc.device


def test_content_encoder_noise_only_in_training():
    torch.manual_seed(12)
    enc = E_content(base=2)
    x = torch.randn(1, 3, 12, 12)
    enc.eval()
    with torch.no_grad():
        a, b = enc.forward_a(x), enc.forward_a(x)
        assert torch.equal(a, b)
        enc.train()
        c = enc.forward_a(x)
    assert not torch.allclose(a, c)
    # forward(xa, xb) == (forward_a(xa), forward_b(xb)) in eval mode
    enc.eval()
    with torch.no_grad():
        ca, cb = enc(x, x.flip(-1))
        assert torch.equal(ca, a) and torch.equal(cb, enc.forward_b(x.flip(-1)))
