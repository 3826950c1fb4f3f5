"""Time full training iterations (D update + two-phase E/G update) of a preset on random images.

    OMP_WAIT_POLICY=PASSIVE scripts/py -m training.tools.bench_step --preset cpu-recipe --threads 2 --its 3
    scripts/py -m training.tools.bench_step --preset cpu-recipe --batch-size 16 --threads 1

Prints seconds per iteration and the images per second per domain that reach the generator (the
"encoded" half of each batch). Any train.py flag is accepted after the preset. The OpenMP wait
policy (OMP_WAIT_POLICY, GOMP_SPINCOUNT) is read from the environment when torch loads; the
``training`` package defaults GOMP_SPINCOUNT to 3000 unless the environment sets it (set it, e.g.
GOMP_SPINCOUNT=300000 for libgomp's own default, to compare policies). Figures: docs/experiments.md,
"CPU throughput".
"""
from __future__ import annotations

import os
import sys
import time

import torch

from training.trainer.config import parse_config
from training.trainer.model import DRIT


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    its = 3
    if "--its" in argv:
        i = argv.index("--its")
        its = int(argv[i + 1])
        del argv[i:i + 2]
    cfg = parse_config(argv)
    torch.set_num_threads(cfg.threads if cfg.threads > 0 else (os.cpu_count() or 1))
    torch.manual_seed(0)
    m = DRIT(cfg, torch.device("cpu"))
    m.initialize()
    shape = (cfg.batch_size, 3, cfg.crop_size, cfg.crop_size)
    xa, xb = torch.rand(shape) * 2 - 1, torch.rand(shape) * 2 - 1
    m.update_D(xa, xb)
    m.update_EG()  # warm-up: oneDNN primitive creation, allocator
    t = time.perf_counter()
    for _ in range(its):
        m.update_D(xa, xb)
        m.update_EG()
    s = (time.perf_counter() - t) / its
    print(f"batch {cfg.batch_size} threads {torch.get_num_threads()} wait {os.environ.get('OMP_WAIT_POLICY', 'default')} spin {os.environ.get('GOMP_SPINCOUNT', 'default')} "
          f"ms {'off' if cfg.no_ms else 'on'}: {s:.2f} s/it, {cfg.batch_size // 2 / s:.2f} generator images/s per domain")
    return 0


if __name__ == "__main__":
    sys.exit(main())
