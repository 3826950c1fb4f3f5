"""Write a DRIT checkpoint with random weights (official init) for benchmarking.

usage: scripts/py -m bench.make_checkpoint --concat 0|1 --enc-c-base 64 --enc-a-base 64 --out file.pth
The dict has the official layout's inference entries (enc_c, enc_a, gen), ep and total_it.
"""
import argparse
from pathlib import Path

import torch

from training.drit.networks import build_inference_nets, gaussian_weights_init


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--concat', type=int, choices=(0, 1), required=True)
    p.add_argument('--enc-c-base', type=int, default=64)
    p.add_argument('--enc-a-base', type=int, default=64)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', required=True)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    enc_c, enc_a, gen = build_inference_nets(a.concat, enc_c_base=a.enc_c_base, enc_a_base=a.enc_a_base,
                                             enc_a_ndf=a.enc_a_base)
    for net in (enc_c, enc_a, gen):
        net.apply(gaussian_weights_init)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    torch.save({'enc_c': enc_c.state_dict(), 'enc_a': enc_a.state_dict(), 'gen': gen.state_dict(),
                'ep': 0, 'total_it': 0}, a.out)


if __name__ == '__main__':
    main()
