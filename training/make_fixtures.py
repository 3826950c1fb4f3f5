"""Regenerate the small DRIT test fixtures under ``fixtures/`` (``npm run fixtures``).

Deterministic: every random number comes from a seeded ``numpy.random.RandomState`` (stream frozen
across NumPy versions), so weights, inputs and outputs are reproducible. File bytes: the zip
checkpoints, io.bin and PNGs are byte-reproducible with the same PyTorch/Pillow versions; the
legacy checkpoints are not, because the legacy writer names storages after their memory addresses
(as in real official checkpoints). The tensors they hold are identical on every run, and when an
existing legacy file holds exactly the same object its previous bytes are kept (no git churn).

See fixtures/README.md for what each fixture contains.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import shutil
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

if not __package__:  # started as a file: Python would not find the `training` package
    sys.exit("run from the repository root as a module: scripts/py -m training.make_fixtures")

from training.drit.networks import (  # noqa: E402
    LayerNorm, LayerNormOld, LeakyReLUConv2d, build_inference_nets,
)
from training.trainer.checkpoint import arch_entry  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

REPO = os.path.dirname(HERE)
FIXTURES = os.path.join(REPO, 'fixtures')

NZ = 8
# Small widths so that all fixtures together stay under 3 MB (content channels C = 4 * enc_c_base):
# concat=0 needs C/4 >= 2 channels in its last up-sampling layer, so it gets C = 8; concat=1
# (whose widths are dominated by C + nz) gets C = 4, giving odd widths 9 and 17 in its up path.
WIDTHS_C0 = {'enc_c_base': 2, 'enc_a_base': 2}   # C = 8
WIDTHS_C1 = {'enc_c_base': 1, 'enc_a_ndf': 2}    # C = 4

# name -> (seed, concat, padding, layer_norm, size, formats, optimiser style, storage location)
FIXTURE_SPECS = OrderedDict([
    ('c0', dict(seed=1000, concat=0, padding='reflect', layer_norm='new', size=36,
                formats=('legacy', 'zip'), opt_style='official', location=None)),
    ('c1', dict(seed=1001, concat=1, padding='reflect', layer_norm='new', size=40,
                formats=('legacy', 'zip'), opt_style='native', location=None)),
    ('c1_oldln', dict(seed=1002, concat=1, padding='reflect', layer_norm='old', size=27,
                      formats=('legacy',), opt_style='official', location='cuda:0')),
    ('c0_zeropad', dict(seed=1003, concat=0, padding='zero', layer_norm='old', size=32,
                        formats=('legacy',), opt_style='official', location='cuda:0')),
    # ours: E_attr with LeakyReLU(0.2) (--ea-activation leakyrelu), said by the checkpoint's 'arch'
    ('c0_leaky', dict(seed=1004, concat=0, padding='reflect', layer_norm='new', size=30,
                      formats=('zip',), opt_style='native', location=None, enc_a_activation='leakyrelu')),
])

TRANSLATE = dict(seed=2000, model='c0', resize=256, crop=216,
                 input_size=(300, 240), reference_size=(230, 260))  # PIL (width, height)


# ---------------------------------------------------------------------------------------------
# Weights and inputs
# ---------------------------------------------------------------------------------------------

def _set(param: torch.Tensor, values: np.ndarray) -> None:
    with torch.no_grad():
        param.copy_(torch.from_numpy(np.asarray(values, dtype=np.float32).reshape(param.shape)))


def init_nontrivial(net: nn.Module, rng: np.random.RandomState) -> None:
    """Weights ~ N(0, (1.4/sqrt(fan_in))^2), biases ~ U(-0.3, 0.3), LN weight/gamma ~ U(0.5, 1.5),
    LN bias/beta ~ U(-0.3, 0.3). For transposed convs fan_in = in * k*k / stride^2 (the number of
    taps reaching one output pixel)."""
    for _, m in net.named_modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            if isinstance(m, nn.Linear):
                fan_in = m.in_features
            else:
                kh, kw = m.kernel_size
                fan_in = m.in_channels * kh * kw
                if isinstance(m, nn.ConvTranspose2d):
                    fan_in = fan_in / (m.stride[0] * m.stride[1])
            _set(m.weight, rng.standard_normal(m.weight.shape) * (1.4 / math.sqrt(fan_in)))
            if m.bias is not None:
                _set(m.bias, rng.uniform(-0.3, 0.3, m.bias.shape))
        elif isinstance(m, LayerNorm):
            _set(m.weight, rng.uniform(0.5, 1.5, m.weight.shape))
            _set(m.bias, rng.uniform(-0.3, 0.3, m.bias.shape))
        elif isinstance(m, LayerNormOld):
            _set(m.gamma, rng.uniform(0.5, 1.5, m.gamma.shape))
            _set(m.beta, rng.uniform(-0.3, 0.3, m.beta.shape))


def smooth_image(rng: np.random.RandomState, channels: int, h: int, w: int) -> np.ndarray:
    """(1, C, H, W) float32 in (-1, 1): tanh of a sum of random 2-D sinusoids plus a little noise."""
    yy, xx = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing='ij')
    out = np.zeros((1, channels, h, w), dtype=np.float64)
    for c in range(channels):
        acc = np.zeros((h, w))
        for _ in range(4):
            fy, fx = rng.uniform(-4, 4, 2)
            phase = rng.uniform(0, 2 * np.pi)
            acc += rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * (fy * yy + fx * xx) + phase)
        acc += 0.15 * rng.standard_normal((h, w))
        out[0, c] = np.tanh(1.2 * acc + rng.uniform(-0.3, 0.3))
    return out.astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Checkpoint extras (to look like a real training checkpoint)
# ---------------------------------------------------------------------------------------------

class TinyDisContent(nn.Module):
    """Dis_content's structure (docs/drit-reference.md §5) with 2 channels: keys model.{0,1,2}.model.1.*,
    model.3.model.1.*, model.4.* (model.{i}.model.0.* in the zero-padding era)."""

    def __init__(self, in_ch: int, ch: int = 2, padding: str = 'reflect'):
        super().__init__()
        self.model = nn.Sequential(
            LeakyReLUConv2d(in_ch, ch, 7, 2, 1, padding_mode=padding),
            LeakyReLUConv2d(ch, ch, 7, 2, 1, padding_mode=padding),
            LeakyReLUConv2d(ch, ch, 7, 2, 1, padding_mode=padding),
            LeakyReLUConv2d(ch, ch, 4, 1, 0, padding_mode=padding),
            nn.Conv2d(ch, 1, 1, 1, 0))


def adam_state_after_one_step(net: nn.Module, rng: np.random.RandomState, style: str) -> dict:
    """One Adam step (official hyper-parameters) on ``net``'s parameters with pseudo-random
    gradients; returns the optimiser state_dict. Updates ``net`` in place (as training would).

    style 'native': the state_dict exactly as this PyTorch version writes it (0-dim tensor 'step',
    param ids 0..n-1). style 'official': shaped like a PyTorch 0.4 file: int 'step', param ids that
    look like Python id() values, param_groups with only the 0.4-era keys + 'initial_lr'."""
    params = list(net.parameters())
    opt = torch.optim.Adam(params, lr=1e-4, betas=(0.5, 0.999), weight_decay=1e-4)
    for p in params:
        p.grad = torch.from_numpy((0.01 * rng.standard_normal(p.shape)).astype(np.float32))
    opt.step()
    for p in params:
        p.grad = None
    sd = opt.state_dict()
    for g in sd['param_groups']:
        g['initial_lr'] = 1e-4  # added by the lr scheduler in the official trainer
    if style == 'native':
        return sd
    base = 140213456789504
    ids = {i: base + 96 * i for i in range(len(params))}
    state = {}
    for i in sorted(sd['state']):
        st = sd['state'][i]
        state[ids[i]] = {'step': int(st['step']), 'exp_avg': st['exp_avg'],
                         'exp_avg_sq': st['exp_avg_sq']}
    groups = []
    for g in sd['param_groups']:
        groups.append({'lr': g['lr'], 'betas': tuple(g['betas']), 'eps': g['eps'],
                       'weight_decay': g['weight_decay'], 'amsgrad': g['amsgrad'],
                       'initial_lr': g['initial_lr'], 'params': [ids[i] for i in g['params']]})
    return {'state': state, 'param_groups': groups}


def save_checkpoint(obj: dict, path: str, legacy: bool, location: str | None = None) -> None:
    if not legacy:
        torch.save(obj, path)
        return
    if location is None:
        torch.save(obj, path, _use_new_zipfile_serialization=False)
        return
    # Tag every storage with a fake device location (official files say 'cuda:0'); the tensors
    # stay on the CPU. torch.load(..., map_location='cpu') reads such files on CPU-only machines.
    import torch.serialization as ser
    orig = ser.location_tag
    ser.location_tag = lambda storage: location
    try:
        torch.save(obj, path, _use_new_zipfile_serialization=False)
    finally:
        ser.location_tag = orig


# ---------------------------------------------------------------------------------------------
# io.json / io.bin
# ---------------------------------------------------------------------------------------------

def write_io(folder: str, config: dict, arrays: 'OrderedDict[str, np.ndarray]') -> None:
    meta = OrderedDict()
    offset = 0
    with open(os.path.join(folder, 'io.bin'), 'wb') as f:
        for name, arr in arrays.items():
            data = np.ascontiguousarray(arr, dtype='<f4')
            f.write(data.tobytes())
            meta[name] = {'shape': list(data.shape), 'offset': offset}
            offset += data.nbytes
    with open(os.path.join(folder, 'io.json'), 'w') as f:
        json.dump({'config': config, 'arrays': meta}, f, indent=1)
        f.write('\n')


def read_io(folder: str):
    """Inverse of write_io: (config, {name: float32 array})."""
    with open(os.path.join(folder, 'io.json')) as f:
        meta = json.load(f)
    with open(os.path.join(folder, 'io.bin'), 'rb') as f:
        blob = f.read()
    arrays = {}
    for name, info in meta['arrays'].items():
        n = int(np.prod(info['shape']))
        arrays[name] = np.frombuffer(blob, dtype='<f4', count=n,
                                     offset=info['offset']).reshape(info['shape'])
    return meta['config'], arrays


def config_to_kwargs(config: dict) -> dict:
    """io.json config -> build_inference_nets keyword arguments."""
    kw = dict(concat=config['concat'], input_dim_a=config['input_dim_a'],
              input_dim_b=config['input_dim_b'], nz=config['nz'], padding=config['padding'],
              layer_norm=config['layer_norm'], enc_a_activation=config.get('enc_a_activation', 'relu'))
    kw.update({k: v for k, v in config['widths'].items() if k != 'content_ch'})
    return kw


def widths_for(concat: int) -> 'OrderedDict':
    """io.json 'widths': enc_c_base, content_ch (= 4 * enc_c_base, informative) and enc_a_base
    (concat=0) or enc_a_ndf (concat=1)."""
    w = WIDTHS_C0 if concat == 0 else WIDTHS_C1
    out = OrderedDict([('enc_c_base', w['enc_c_base']), ('content_ch', 4 * w['enc_c_base'])])
    for k in ('enc_a_base', 'enc_a_ndf'):
        if k in w:
            out[k] = w[k]
    return out


@torch.no_grad()
def compute_arrays(nets, concat: int, inputs: dict, z: torch.Tensor) -> 'OrderedDict':
    enc_c, enc_a, gen = nets
    xa = torch.from_numpy(inputs['input_a'])
    xb = torch.from_numpy(inputs['input_b'])
    out = OrderedDict()
    out['input_a'] = xa
    out['input_b'] = xb
    content_a = enc_c.forward_a(xa)
    content_b = enc_c.forward_b(xb)
    out['content_a'] = content_a
    out['content_b'] = content_b
    if concat == 0:
        out['attr_a'] = attr_a = enc_a.forward_a(xa)
        out['attr_b'] = attr_b = enc_a.forward_b(xb)
    else:
        out['mu_a'], out['logvar_a'] = enc_a.forward_a(xa)
        out['mu_b'], out['logvar_b'] = enc_a.forward_b(xb)
        attr_a, attr_b = out['mu_a'], out['mu_b']
    out['z'] = z
    n = z.shape[0]
    out['fake_b'] = gen.forward_b(content_a.repeat(n, 1, 1, 1), z)
    out['fake_a'] = gen.forward_a(content_b.repeat(n, 1, 1, 1), z)
    out['fake_b_ref'] = gen.forward_b(content_a, attr_b)
    out['fake_a_ref'] = gen.forward_a(content_b, attr_a)
    return OrderedDict((k, v.detach().cpu().numpy().astype(np.float32)) for k, v in out.items())


def build_model(spec: dict):
    """Build the fixture networks with deterministic non-trivial weights; returns (nets, ckpt, rng)."""
    rng = np.random.RandomState(spec['seed'])
    kw = dict(concat=spec['concat'], input_dim_a=3, input_dim_b=3, nz=NZ,
              padding=spec['padding'], layer_norm=spec['layer_norm'],
              enc_a_activation=spec.get('enc_a_activation', 'relu'),
              **(WIDTHS_C0 if spec['concat'] == 0 else WIDTHS_C1))
    nets = build_inference_nets(**kw)
    for net in nets:
        init_nontrivial(net, rng)
    enc_c, enc_a, gen = nets
    dis = TinyDisContent(enc_c.out_channels, padding=spec['padding'])
    init_nontrivial(dis, rng)
    enc_c_opt = adam_state_after_one_step(enc_c, rng, spec['opt_style'])  # updates enc_c
    for net in nets:
        net.eval()
    ckpt = OrderedDict()
    ckpt['disContent'] = dis.state_dict()
    ckpt['enc_c'] = enc_c.state_dict()
    ckpt['enc_a'] = enc_a.state_dict()
    ckpt['gen'] = gen.state_dict()
    ckpt['enc_c_opt'] = enc_c_opt
    ckpt['ep'] = 9
    ckpt['total_it'] = 1234
    ckpt.update(arch_entry(spec.get('enc_a_activation', 'relu')))  # as the trainer writes it
    return nets, dict(ckpt), rng


def make_model_fixture(name: str, spec: dict) -> dict:
    folder = os.path.join(FIXTURES, name)
    os.makedirs(folder)
    nets, ckpt, rng = build_model(spec)
    for fmt in spec['formats']:
        save_checkpoint(ckpt, os.path.join(folder, f'checkpoint_{fmt}.pth'), legacy=(fmt == 'legacy'),
                        location=spec['location'])
    s = spec['size']
    inputs = {'input_a': smooth_image(rng, 3, s, s), 'input_b': smooth_image(rng, 3, s, s)}
    z = torch.from_numpy(rng.standard_normal((3, NZ)).astype(np.float32))
    arrays = compute_arrays(nets, spec['concat'], inputs, z)
    config = OrderedDict([
        ('concat', spec['concat']), ('padding', spec['padding']),
        ('layer_norm', spec['layer_norm']), ('nz', NZ), ('size', s),
        ('widths', widths_for(spec['concat'])), ('input_dim_a', 3), ('input_dim_b', 3)])
    if spec.get('enc_a_activation', 'relu') != 'relu':
        config['enc_a_activation'] = spec['enc_a_activation']
    write_io(folder, config, arrays)
    print(f'{name}: concat={spec["concat"]} padding={spec["padding"]} ln={spec["layer_norm"]} '
          f'size={s} -> output {arrays["fake_b"].shape[-1]}')
    for k in ('fake_b', 'fake_a', 'fake_b_ref', 'fake_a_ref'):
        a = arrays[k]
        print(f'  {k:10s} min {a.min():+.3f} max {a.max():+.3f} std {a.std():.3f}')
    fb = arrays['fake_b']
    print(f'  mean |fake_b[0]-fake_b[1]| = {np.abs(fb[0] - fb[1]).mean():.3f} (z sensitivity)')
    return {'nets': nets, 'spec': spec}


# ---------------------------------------------------------------------------------------------
# End-to-end translate fixture (official pre/post-processing)
# ---------------------------------------------------------------------------------------------

def procedural_rgb(rng: np.random.RandomState, width: int, height: int) -> Image.Image:
    """Colourful gradients, discs and stripes (not a dataset image)."""
    yy, xx = np.meshgrid(np.arange(height) / height, np.arange(width) / width, indexing='ij')
    img = np.zeros((height, width, 3))
    for c in range(3):
        a, b, ph = rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(0, 2 * np.pi)
        img[..., c] = 0.5 + 0.35 * np.sin(2 * np.pi * (a * xx + b * yy) + ph)
    for _ in range(6):
        cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.06, 0.25)
        colour = rng.uniform(0, 1, 3)
        mask = ((xx - cx) * width / height) ** 2 + (yy - cy) ** 2 < r ** 2
        img[mask] = 0.25 * img[mask] + 0.75 * colour
    stripes = (np.sin(2 * np.pi * 9 * (xx + 0.5 * yy)) > 0.6)[..., None]
    img = np.where(stripes & (yy[..., None] > 0.7), 1.0 - img, img)
    return Image.fromarray((np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8), 'RGB')


def _bicubic():
    return getattr(Image, 'Resampling', Image).BICUBIC


def preprocess(path: str, resize: int = 256, crop: int = 216) -> torch.Tensor:
    """Official test-time preprocessing (docs/drit-reference.md §1.3) without torchvision: PIL open -> RGB ->
    resize((resize, resize), BICUBIC) -> CenterCrop(crop) -> ToTensor -> Normalize(0.5, 0.5).
    Returns (1, 3, crop, crop) float32."""
    img = Image.open(path).convert('RGB')
    img = img.resize((resize, resize), _bicubic())
    w, h = img.size
    top = int(round((h - crop) / 2.0))   # torchvision CenterCrop rounding (Python round)
    left = int(round((w - crop) / 2.0))
    img = img.crop((left, top, left + crop, top + crop))
    arr = np.array(img, dtype=np.uint8)                       # H, W, 3
    t = torch.from_numpy(arr).permute(2, 0, 1).contiguous()  # ToTensor: CHW,
    t = t.to(dtype=torch.float32).div(255)                   # float32 / 255
    mean = torch.tensor([0.5, 0.5, 0.5], dtype=torch.float32).view(-1, 1, 1)
    std = torch.tensor([0.5, 0.5, 0.5], dtype=torch.float32).view(-1, 1, 1)
    t = t.sub(mean).div(std)                                  # Normalize: sub_(mean).div_(std)
    return t.unsqueeze(0)


def tensor2img(x: torch.Tensor) -> np.ndarray:
    """Official saver.tensor2img: sample 0, HWC, (x + 1) / 2 * 255 in float32, astype(uint8)
    (truncation, no rounding or clipping)."""
    img = x[0].detach().cpu().float().numpy()
    if img.shape[0] == 1:
        img = np.tile(img, (3, 1, 1))
    img = (np.transpose(img, (1, 2, 0)) + 1) / 2.0 * 255.0
    return img.astype(np.uint8)


@torch.no_grad()
def translate_outputs(nets, x: torch.Tensor, ref: torch.Tensor, z: torch.Tensor):
    enc_c, enc_a, gen = nets
    content = enc_c.forward_a(x)
    out_z = gen.forward_b(content, z)
    out_ref = gen.forward_b(content, enc_a.forward_b(ref))
    return out_z, out_ref


def make_translate_fixture(model_nets) -> None:
    folder = os.path.join(FIXTURES, 'translate')
    os.makedirs(folder)
    rng = np.random.RandomState(TRANSLATE['seed'])
    procedural_rgb(rng, *TRANSLATE['input_size']).save(os.path.join(folder, 'input.png'),
                                                           optimize=True)
    procedural_rgb(rng, *TRANSLATE['reference_size']).save(os.path.join(folder, 'reference.png'),
                                                               optimize=True)
    z = torch.from_numpy(rng.standard_normal((1, NZ)).astype(np.float32))
    x = preprocess(os.path.join(folder, 'input.png'), TRANSLATE['resize'], TRANSLATE['crop'])
    ref = preprocess(os.path.join(folder, 'reference.png'), TRANSLATE['resize'], TRANSLATE['crop'])
    with open(os.path.join(folder, 'preprocessed.bin'), 'wb') as f:
        f.write(np.ascontiguousarray(x.numpy(), dtype='<f4').tobytes())
    out_z, out_ref = translate_outputs(model_nets, x, ref, z)
    Image.fromarray(tensor2img(out_z), 'RGB').save(os.path.join(folder, 'out_z.png'), optimize=True)
    Image.fromarray(tensor2img(out_ref), 'RGB').save(os.path.join(folder, 'out_ref.png'), optimize=True)
    meta = OrderedDict([
        ('model', TRANSLATE['model']), ('direction', 'a2b'),
        ('z', [float(v) for v in z[0].numpy()]),
        ('input', 'input.png'), ('reference', 'reference.png'),
        ('out_z', 'out_z.png'), ('out_ref', 'out_ref.png'),
        ('preprocessed', 'preprocessed.bin'),
        ('resize', TRANSLATE['resize']), ('crop', TRANSLATE['crop'])])
    with open(os.path.join(folder, 'translate.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    print(f'translate: input {TRANSLATE["input_size"]} reference {TRANSLATE["reference_size"]} '
          f'-> {tuple(out_z.shape)}')
    for k, v in (('out_z', out_z), ('out_ref', out_ref)):
        print(f'  {k:10s} min {v.min():+.3f} max {v.max():+.3f} std {v.std():.3f}')


def same_object(a, b) -> bool:
    """Exact equality of two loaded checkpoint objects (tensors by value, dict order included)."""
    if isinstance(a, torch.Tensor):
        return (isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape
                and torch.equal(a, b))
    if isinstance(a, dict):
        return (type(a) is type(b) and list(a) == list(b)
                and all(same_object(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(same_object(x, y) for x, y in zip(a, b)))
    return type(a) is type(b) and a == b


def _load(path: str):
    kwargs = {'map_location': 'cpu'}
    if 'weights_only' in inspect.signature(torch.load).parameters:
        kwargs['weights_only'] = False  # our own files; torch >= 2.6 defaults to True
    return torch.load(path, **kwargs)


def main() -> None:
    torch.set_num_threads(1)
    os.makedirs(FIXTURES, exist_ok=True)
    # Legacy files embed memory addresses; keep the previous bytes when the content is unchanged
    # so that regenerating does not churn the repository.
    previous = {}
    for name in FIXTURE_SPECS:
        path = os.path.join(FIXTURES, name, 'checkpoint_legacy.pth')
        if os.path.exists(path):
            with open(path, 'rb') as f:
                previous[path] = f.read()
    for name in list(FIXTURE_SPECS) + ['translate']:
        shutil.rmtree(os.path.join(FIXTURES, name), ignore_errors=True)
    built = {}
    for name, spec in FIXTURE_SPECS.items():
        built[name] = make_model_fixture(name, spec)
    make_translate_fixture(built[TRANSLATE['model']]['nets'])
    kept = 0
    for path, old_bytes in previous.items():
        if not os.path.exists(path):
            continue
        tmp = path + '.previous'
        with open(tmp, 'wb') as f:
            f.write(old_bytes)
        try:
            if same_object(_load(path), _load(tmp)):
                os.replace(tmp, path)
                kept += 1
        except Exception:  # unreadable old file: keep the new one
            pass
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    if kept:
        print(f'kept the previous bytes of {kept} unchanged legacy checkpoint(s)')


if __name__ == '__main__':
    main()
