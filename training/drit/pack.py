"""Load a model pack (docs/model-pack.md) back into the PyTorch networks.

The inverse of the TypeScript converter: reads manifest.json and the weight shards (float32 or
float16, each checked against its sha256), undoes the tfjs layouts and returns (enc_c, enc_a, gen)
in eval mode. Used by the benchmark (PyTorch on exactly the weights the app runs) and by the
evaluation of shipped packs. Supports reflection-padding packs (all our own and HEAD-era ones).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from .networks import build_inference_nets


def read_pack_arrays(pack_dir: str | Path) -> tuple[dict, dict[str, np.ndarray]]:
    """Return (manifest, {name: float32 array in the pack's tfjs layout})."""
    pack_dir = Path(pack_dir)
    manifest = json.loads((pack_dir / 'manifest.json').read_text())
    if manifest.get('format') != 'drit-model-pack':
        raise ValueError(f"{pack_dir}: not a DRIT model pack (format {manifest.get('format')!r})")
    dtype = {'float32': np.float32, 'float16': np.float16}[manifest['dtype']]
    shards = []
    for s in manifest['shards']:
        data = (pack_dir / s['path']).read_bytes()
        if len(data) != s['byteLength'] or hashlib.sha256(data).hexdigest() != s['sha256']:
            raise ValueError(f"{pack_dir}: shard {s['path']} does not match its manifest entry")
        shards.append(data)
    arrays = {}
    for w in manifest['weights']:
        count = int(np.prod(w['shape'])) if w['shape'] else 1
        buf = np.frombuffer(shards[w['shard']], dtype=dtype, count=count, offset=w['byteOffset'])
        arrays[w['name']] = buf.astype(np.float32).reshape(w['shape'])
    return manifest, arrays


def _widths(arrays: dict[str, np.ndarray], concat: int) -> dict:
    def out_ch(name: str) -> int:
        return int(arrays[name].shape[-1])
    widths = {'enc_c_base': out_ch('enc_c.convA.0.model.1.weight'),
              'input_dim_a': int(arrays['enc_c.convA.0.model.1.weight'].shape[2]),
              'input_dim_b': int(arrays['enc_c.convB.0.model.1.weight'].shape[2])}
    if concat == 0:
        widths['enc_a_base'] = out_ch('enc_a.model_a.1.weight')
        widths['nz'] = out_ch('enc_a.model_a.16.weight')
        widths['gen_up2'] = int(arrays['gen.decA5.1.model.0.weight'].shape[2])  # transposed conv [kh, kw, out, in]
    else:
        widths['enc_a_ndf'] = out_ch('enc_a.conv_A.1.weight')
        widths['nz'] = out_ch('enc_a.fc_A.0.weight')
    return widths


def _to_torch(module: nn.Module, prefix: str, arrays: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    transposed_1x1 = {f'{name}.weight' for name, m in module.named_modules()
                      if isinstance(m, nn.ConvTranspose2d) and m.kernel_size == (1, 1)}
    state = {}
    for key, ref in module.state_dict().items():
        pack_key = key.replace('.gamma', '.weight').replace('.beta', '.bias')
        a = torch.from_numpy(arrays[f'{prefix}.{pack_key}'].copy())
        if a.dim() == 4:
            # conv [kh,kw,in,out] -> (out,in,kh,kw); transposed conv [kh,kw,out,in] -> (in,out,kh,kw);
            # the final 1x1 transposed conv is stored as a conv filter [1,1,in,out] -> (in,out,1,1).
            a = a.permute(2, 3, 0, 1) if key in transposed_1x1 else a.permute(3, 2, 0, 1)
        elif a.dim() == 2:
            a = a.t()  # Linear [in, out] -> (out, in)
        state[key] = a.reshape(ref.shape).contiguous()
    return state


def load_pack(pack_dir: str | Path, device: str | torch.device = 'cpu'):
    """Return (manifest, enc_c, enc_a, gen) with the pack's weights, in eval mode."""
    manifest, arrays = read_pack_arrays(pack_dir)
    variant = manifest['variant']
    if variant['padding'] != 'reflect':
        raise ValueError('load_pack supports reflection-padding packs only')
    w = _widths(arrays, variant['concat'])
    nets = build_inference_nets(variant['concat'], input_dim_a=w['input_dim_a'], input_dim_b=w['input_dim_b'],
                                nz=w['nz'], enc_c_base=w['enc_c_base'], enc_a_base=w.get('enc_a_base', 64),
                                enc_a_ndf=w.get('enc_a_ndf', 64), layer_norm=variant['layerNorm'],
                                enc_a_activation=variant.get('encAActivation', 'relu'),
                                gen_up2=w.get('gen_up2', 0))
    for prefix, net in zip(('enc_c', 'enc_a', 'gen'), nets):
        net.load_state_dict(_to_torch(net, prefix, arrays))
        net.to(device).eval()
    return (manifest, *nets)
