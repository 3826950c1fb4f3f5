"""Export a model pack's networks to ONNX for the ONNX Runtime comparison in `npm run bench`.

usage: scripts/py -m bench.export_onnx --pack DIR --out DIR [--golden INPUT.bin --size S] [--opset 17]

Loads the pack back into the PyTorch networks (training/drit/pack.py: exactly the weights the app
runs) and writes, for the a -> b direction the benchmark times:
  enc_c.onnx  x (N,3,S,S) -> content            (E_c, domain a)
  gen.onnx    content, z (N,nz) -> y (N,3,S,S)  (G, domain b; the batch axis is dynamic)
  enc_a.onnx  x (N,3,S,S) -> mu [, logvar]      (E_a, domain b; logvar for concat 1)
With --golden (an NHWC float32 input file, as the bench writes it), also writes PyTorch's outputs on
that input and on z = randn(8, nz) (seed 0) next to the graphs: golden.json lists the files
(content.bin, y.bin for z[0:1], y2.bin for a batch of two with z[0:2], mu.bin [, logvar.bin]; a batch of
two checks the dynamic batch axis at a quarter of a batch of 8's cost, minutes at the paper's widths), all float32 little-endian
NCHW, so ONNX Runtime's outputs can be checked against PyTorch's (bench/ort.ts, bench/ort.test.ts).
"""
import argparse
import json
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from training.drit.networks import LayerNorm
from training.drit.pack import load_pack


class _ExportLayerNorm(nn.Module):
    """The same arithmetic as networks.LayerNorm (statistics per sample over C*H*W, biased variance, eps
    1e-5 inside the sqrt, per-channel affine) written with reductions over fixed axes: F.layer_norm's
    normalized_shape comes from x.shape, which the ONNX exporter cannot keep static with a dynamic batch."""

    def __init__(self, ln: LayerNorm):
        super().__init__()
        self.ln = ln

    def forward(self, x):
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        var = ((x - mean) ** 2).mean(dim=(1, 2, 3), keepdim=True)
        y = (x - mean) / torch.sqrt(var + self.ln.eps)
        return y * self.ln.weight + self.ln.bias if self.ln.affine else y


def _exportable(net: nn.Module) -> nn.Module:
    """Replace every networks.LayerNorm inside net by _ExportLayerNorm (same weights, same values)."""
    for name, child in net.named_children():
        if isinstance(child, LayerNorm):
            setattr(net, name, _ExportLayerNorm(child))
        else:
            _exportable(child)
    return net


class _Content(nn.Module):
    def __init__(self, enc_c: nn.Module):
        super().__init__()
        self.enc_c = enc_c

    def forward(self, x):
        return self.enc_c.forward_a(x)


class _Gen(nn.Module):
    def __init__(self, gen: nn.Module):
        super().__init__()
        self.gen = gen

    def forward(self, content, z):
        return self.gen.forward_b(content, z)


class _Attr(nn.Module):
    def __init__(self, enc_a: nn.Module):
        super().__init__()
        self.enc_a = enc_a

    def forward(self, x):
        return self.enc_a.forward_b(x)


def _export(module: nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str], opset: int) -> None:
    dynamic = {name: {0: 'n'} for name in inputs + outputs}
    torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
                      opset_version=opset, do_constant_folding=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--pack', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--golden', help='NHWC float32 input file: also write PyTorch outputs on it')
    p.add_argument('--size', type=int, help='input size (default: the pack crop)')
    p.add_argument('--opset', type=int, default=17)
    a = p.parse_args()
    warnings.filterwarnings('ignore', category=UserWarning)  # the exporter's notes on constant folding and IN
    torch.set_num_threads(1)
    manifest, enc_c, enc_a, gen = load_pack(a.pack)
    if manifest['variant']['layerNorm'] != 'new':
        raise ValueError(f"{a.pack}: only packs with the current LayerNorm ('new') are exported")
    size = a.size or manifest['preprocess']['crop']
    nz = manifest['nz']
    concat = manifest['variant']['concat']
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    if a.golden:
        x = torch.from_numpy(np.fromfile(a.golden, dtype='<f4').reshape(1, size, size, 3).copy())
        x = x.permute(0, 3, 1, 2).contiguous()
    else:
        x = torch.zeros(1, 3, size, size)
    z8 = torch.randn(8, nz, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        content = enc_c.forward_a(x)
        attr_out = ['mu', 'logvar'] if concat == 1 else ['mu']
        meta = {'size': size, 'nz': nz, 'concat': concat, 'contentShape': list(content.shape), 'attrOutputs': attr_out,
                'opset': a.opset, 'torch': torch.__version__}
        if a.golden:  # before the export, which swaps the generator's LayerNorm modules
            attr = enc_a.forward_b(x)
            attr = attr if isinstance(attr, tuple) else (attr,)
            files = {'z8': z8, 'content': content, 'y': gen.forward_b(content, z8[:1]),
                     'y2': gen.forward_b(content.repeat(2, 1, 1, 1), z8[:2])}
            files.update(zip(attr_out, attr))
            for name, t in files.items():
                t.contiguous().numpy().astype('<f4').tofile(out / f'{name}.bin')
            meta['golden'] = {name: {'file': f'{name}.bin', 'shape': list(t.shape)} for name, t in files.items()}
        _export(_Content(enc_c).eval(), (x,), out / 'enc_c.onnx', ['x'], ['content'], a.opset)
        _export(_Gen(_exportable(gen)).eval(), (content, z8[:1]), out / 'gen.onnx', ['content', 'z'], ['y'], a.opset)
        _export(_Attr(enc_a).eval(), (x,), out / 'enc_a.onnx', ['x'], attr_out, a.opset)
    (out / 'golden.json').write_text(json.dumps(meta, indent=1))
    print(json.dumps({'out': str(out), 'size': size, 'concat': concat}))


if __name__ == '__main__':
    main()
