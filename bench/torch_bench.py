"""PyTorch side of `npm run bench`: times the same workloads on the same pack and input.

usage: scripts/py -m bench.torch_bench --pack DIR --input FILE.bin --size S --reps R --threads T
       [--device cpu|cuda] [--budget-s B] [--workloads full,gen,enc_a,batch8]
Prints one JSON object: medians in ms of full (E_c + G), gen (G, content cached), enc_a, batch8
(G with 8 z), plus peak memory.
"""
import argparse
import json
import resource
import statistics
import time

import numpy as np
import torch

from training.drit.pack import load_pack


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--pack', required=True)
    p.add_argument('--input', required=True)
    p.add_argument('--size', type=int, required=True)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--device', default='cpu')
    p.add_argument('--budget-s', type=float, default=30.0)
    p.add_argument('--workloads', default='full,gen,enc_a,batch8')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    manifest, enc_c, enc_a, gen = load_pack(a.pack, dev)
    nz = manifest['nz']
    x = torch.from_numpy(np.fromfile(a.input, dtype='<f4').reshape(1, a.size, a.size, 3).copy())
    x = x.permute(0, 3, 1, 2).contiguous().to(dev)
    g = torch.Generator().manual_seed(0)
    z1 = torch.randn(1, nz, generator=g).to(dev)
    z8 = torch.randn(8, nz, generator=g).to(dev)

    def sync(t):
        if dev.type == 'cuda':
            torch.cuda.synchronize()
        return t.cpu()

    with torch.no_grad():
        content = enc_c.forward_a(x)
        work = {
            'full': lambda: sync(gen.forward_b(enc_c.forward_a(x), z1)),
            'gen': lambda: sync(gen.forward_b(content, z1)),
            'enc_a': lambda: sync(enc_a.forward_b(x)[0] if manifest['variant']['concat'] == 1 else enc_a.forward_b(x)),
            'batch8': lambda: sync(gen.forward_b(content.repeat(8, 1, 1, 1), z8)),
        }
        out = {}
        for name, fn in ((n, work[n]) for n in a.workloads.split(',')):
            fn()  # warm-up
            times = []
            start = time.perf_counter()
            while len(times) < a.reps and (not times or time.perf_counter() - start < a.budget_s):
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1000)
            out[name] = {'ms': statistics.median(times), 'reps': len(times)}
    out['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if dev.type == 'cuda':
        out['peak_cuda_mb'] = torch.cuda.max_memory_allocated() / 2**20
        out['device_name'] = torch.cuda.get_device_name()
    out['torch'] = torch.__version__
    out['threads'] = torch.get_num_threads()
    print(json.dumps(out))


if __name__ == '__main__':
    main()
