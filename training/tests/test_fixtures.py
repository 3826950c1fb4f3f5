"""The committed fixtures under fixtures/ must still be reproduced by the networks.

Reloads every checkpoint with torch.load, rebuilds the networks from io.json's config and checks
the stored arrays / images. Regenerate with `npm run fixtures` after an intentional change.
"""

import inspect
import json
import math
import os

import numpy as np
import pytest
import torch
from PIL import Image

from training.drit.networks import build_inference_nets
from fixtures.generate import (
    FIXTURE_SPECS, compute_arrays, config_to_kwargs, preprocess, read_io, tensor2img,
    translate_outputs,
)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, 'fixtures')
MODEL_FIXTURES = list(FIXTURE_SPECS)
LEGACY_MAGIC = bytes.fromhex('80028a0a6cfc9c46f9206aa85019')


def load_checkpoint(path):
    kwargs = {'map_location': 'cpu'}
    if 'weights_only' in inspect.signature(torch.load).parameters:
        kwargs['weights_only'] = False  # trusted local files; torch >= 2.6 defaults to True
    return torch.load(path, **kwargs)


def checkpoint_files(name):
    folder = os.path.join(FIXTURES, name)
    return sorted(f for f in os.listdir(folder) if f.startswith('checkpoint_') and f.endswith('.pth'))


def build_from(config, ckpt):
    nets = build_inference_nets(**config_to_kwargs(config))
    for net, entry in zip(nets, ('enc_c', 'enc_a', 'gen')):
        net.load_state_dict(ckpt[entry], strict=True)
        net.eval()
    return nets


def assert_same(a, b, path='ckpt'):
    """Recursive exact equality of checkpoint objects (tensors by value, dict key order too)."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor), path
        assert a.dtype == b.dtype and a.shape == b.shape, path
        assert torch.equal(a, b), path
    elif isinstance(a, dict):
        assert isinstance(b, dict) and type(a) is type(b), path
        assert list(a) == list(b), path
        for k in a:
            assert_same(a[k], b[k], f'{path}[{k!r}]')
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f'{path}[{i}]')
    else:
        assert a == b and type(a) is type(b), path


def test_total_fixture_size_under_3_5mb():
    # 3 MB until c0_leaky (E_a with LeakyReLU, 0.45 MB) joined the set
    total = 0
    for root, _, files in os.walk(FIXTURES):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    assert total <= 3_500_000, total


@pytest.mark.parametrize('name', MODEL_FIXTURES)
def test_io_json_schema(name):
    folder = os.path.join(FIXTURES, name)
    with open(os.path.join(folder, 'io.json')) as f:
        meta = json.load(f)
    cfg = meta['config']
    spec = FIXTURE_SPECS[name]
    assert set(cfg) == {'concat', 'padding', 'layer_norm', 'nz', 'size', 'widths',
                        'input_dim_a', 'input_dim_b'} | ({'enc_a_activation'} if 'enc_a_activation' in spec else set())
    assert cfg.get('enc_a_activation', 'relu') == spec.get('enc_a_activation', 'relu')
    assert (cfg['concat'], cfg['padding'], cfg['layer_norm'], cfg['size']) == (
        spec['concat'], spec['padding'], spec['layer_norm'], spec['size'])
    assert cfg['widths']['content_ch'] == 4 * cfg['widths']['enc_c_base']
    expected = ['input_a', 'input_b', 'content_a', 'content_b']
    expected += ['attr_a', 'attr_b'] if cfg['concat'] == 0 else ['mu_a', 'logvar_a', 'mu_b',
                                                                   'logvar_b']
    expected += ['z', 'fake_b', 'fake_a', 'fake_b_ref', 'fake_a_ref']
    assert list(meta['arrays']) == expected
    offset = 0
    for info in meta['arrays'].values():
        assert info['offset'] == offset
        offset += 4 * int(np.prod(info['shape']))
    assert os.path.getsize(os.path.join(folder, 'io.bin')) == offset
    s, nz = cfg['size'], cfg['nz']
    s_out = 4 * math.ceil(math.ceil(s / 2) / 2)
    shapes = {k: v['shape'] for k, v in meta['arrays'].items()}
    assert shapes['input_a'] == [1, 3, s, s]
    assert shapes['z'] == [3, nz]
    assert shapes['fake_b'] == shapes['fake_a'] == [3, 3, s_out, s_out]
    assert shapes['fake_b_ref'] == [1, 3, s_out, s_out]


@pytest.mark.parametrize('name', MODEL_FIXTURES)
def test_checkpoint_format(name):
    folder = os.path.join(FIXTURES, name)
    files = checkpoint_files(name)
    assert files == sorted(f'checkpoint_{fmt}.pth' for fmt in FIXTURE_SPECS[name]['formats'])
    for fn in files:
        with open(os.path.join(folder, fn), 'rb') as f:
            head = f.read(14)
        if 'legacy' in fn:
            assert head == LEGACY_MAGIC
        else:
            assert head[:4] == b'PK\x03\x04'
        ckpt = load_checkpoint(os.path.join(folder, fn))
        arch = ['arch'] if 'enc_a_activation' in FIXTURE_SPECS[name] else []
        assert list(ckpt) == ['disContent', 'enc_c', 'enc_a', 'gen', 'enc_c_opt', 'ep', 'total_it'] + arch
        if arch:
            assert ckpt['arch'] == {'enc_a_activation': FIXTURE_SPECS[name]['enc_a_activation']}
        assert isinstance(ckpt['ep'], int) and isinstance(ckpt['total_it'], int)
        for entry in ('disContent', 'enc_c', 'enc_a', 'gen'):
            assert all(v.dtype == torch.float32 for v in ckpt[entry].values())
        opt = ckpt['enc_c_opt']
        assert len(opt['state']) == len(ckpt['enc_c']) == len(opt['param_groups'][0]['params'])
        assert opt['param_groups'][0]['betas'] == (0.5, 0.999)


@pytest.mark.parametrize('name', [n for n in MODEL_FIXTURES if len(FIXTURE_SPECS[n]['formats']) > 1])
def test_legacy_and_zip_hold_identical_objects(name):
    folder = os.path.join(FIXTURES, name)
    legacy = load_checkpoint(os.path.join(folder, 'checkpoint_legacy.pth'))
    zipped = load_checkpoint(os.path.join(folder, 'checkpoint_zip.pth'))
    assert_same(legacy, zipped)


@pytest.mark.parametrize('name', MODEL_FIXTURES)
def test_checkpoint_reproduces_stored_arrays(name):
    folder = os.path.join(FIXTURES, name)
    config, stored = read_io(folder)
    for fn in checkpoint_files(name):
        ckpt = load_checkpoint(os.path.join(folder, fn))
        nets = build_from(config, ckpt)
        inputs = {'input_a': stored['input_a'].copy(), 'input_b': stored['input_b'].copy()}
        got = compute_arrays(nets, config['concat'], inputs, torch.from_numpy(stored['z'].copy()))
        assert list(got) == list(stored)
        for k, ref in stored.items():
            scale = max(1.0, float(np.abs(ref).max()))
            np.testing.assert_allclose(got[k], ref, rtol=1e-4, atol=1e-5 * scale,
                                       err_msg=f'{name}/{fn}: {k}')


def test_fixture_outputs_are_not_flat():
    for name in MODEL_FIXTURES:
        _, a = read_io(os.path.join(FIXTURES, name))
        for k in ('fake_b', 'fake_a', 'fake_b_ref', 'fake_a_ref'):
            assert a[k].std() > 0.2 and a[k].min() < -0.5 and a[k].max() > 0.5, (name, k)
        # different z give different images
        assert np.abs(a['fake_b'][0] - a['fake_b'][1]).mean() > 0.01, name


# ---------------------------------------------------------------------------------------------
# translate fixture
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def translate_meta():
    with open(os.path.join(FIXTURES, 'translate', 'translate.json')) as f:
        return json.load(f)


def test_translate_json(translate_meta):
    assert set(translate_meta) == {'model', 'direction', 'z', 'input', 'reference', 'out_z',
                                   'out_ref', 'preprocessed', 'resize', 'crop'}
    assert translate_meta['model'] == 'c0' and translate_meta['direction'] == 'a2b'
    assert len(translate_meta['z']) == 8
    folder = os.path.join(FIXTURES, 'translate')
    for key in ('input', 'reference'):
        w, h = Image.open(os.path.join(folder, translate_meta[key])).size
        assert w != h
    for key in ('out_z', 'out_ref'):
        im = Image.open(os.path.join(folder, translate_meta[key]))
        assert im.mode == 'RGB' and im.size == (translate_meta['crop'],) * 2


def test_translate_preprocessing(translate_meta):
    folder = os.path.join(FIXTURES, 'translate')
    crop = translate_meta['crop']
    stored = np.fromfile(os.path.join(folder, translate_meta['preprocessed']), dtype='<f4')
    stored = stored.reshape(1, 3, crop, crop)
    x = preprocess(os.path.join(folder, translate_meta['input']), translate_meta['resize'], crop)
    x = x.numpy()
    # values are k/127.5 - 1 (up to float32 rounding of torchvision's (k/255 - 0.5)/0.5)
    k = (stored + 1) * 127.5
    assert np.abs(k - np.round(k)).max() < 1e-3
    # tolerate one grey level (a different Pillow build could round a bicubic sample differently)
    assert np.abs(x - stored).max() <= 1 / 127.5 + 1e-6
    assert (x == stored).mean() > 0.99


def test_translate_outputs(translate_meta):
    folder = os.path.join(FIXTURES, 'translate')
    config, _ = read_io(os.path.join(FIXTURES, translate_meta['model']))
    ckpt = load_checkpoint(os.path.join(FIXTURES, translate_meta['model'], 'checkpoint_legacy.pth'))
    nets = build_from(config, ckpt)
    crop = translate_meta['crop']
    x = torch.from_numpy(np.fromfile(os.path.join(folder, translate_meta['preprocessed']),
                                     dtype='<f4').reshape(1, 3, crop, crop))
    ref = preprocess(os.path.join(folder, translate_meta['reference']), translate_meta['resize'],
                     crop)
    z = torch.tensor([translate_meta['z']], dtype=torch.float32)
    out_z, out_ref = translate_outputs(nets, x, ref, z)
    for key, out in (('out_z', out_z), ('out_ref', out_ref)):
        got = tensor2img(out).astype(np.int32)
        stored = np.asarray(Image.open(os.path.join(folder, translate_meta[key]))).astype(np.int32)
        assert got.shape == stored.shape == (crop, crop, 3)
        # truncation can flip one level where a value sits on an integer boundary
        assert np.abs(got - stored).max() <= 1, key
        assert (got == stored).mean() > 0.999, key
        assert stored.std() > 30, key


def test_tensor2img_truncates():
    x = torch.tensor([-1.0, -0.999, 0.0, 0.5, 0.99999, 1.0]).view(1, 1, 1, 6)
    img = tensor2img(x)
    assert img.shape == (1, 6, 3)
    assert img[0, :, 0].tolist() == [0, 0, 127, 191, 254, 255]
