"""Photos unlike the training set: how a model translates coats it has not seen.

The training cats are mostly light, long-haired Birman-like cats and the dogs huskies and Samoyeds,
so the held-out split shares their look. Visitors bring tabbies, black cats and labradors. This
measures the same realism (the judge of ``training.eval.realism``) on held-out photos recoloured in ways
the training set rarely shows, and on the app's own example photo (Chelsea, a short-haired brown
tabby, ``public/examples/chelsea.png``):

* ``as is``: the held-out photos themselves (the reference row, same z as the others);
* ``greyscale``: chroma removed, luminance kept;
* ``hue +120`` / ``hue -120``: the colour wheel turned (a light cream coat becomes greenish or
  bluish: not a real coat, but the content code must not care);
* ``darker``: gamma 2.2 on every channel, a light coat made dark brown/black.

Each variant is translated with the same z as the row "as is" (paired), so a drop in realism is
the variant's doing. Recolouring reuses the training augmentation's ``recolour`` (luminance kept).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Callable, Dict

import numpy as np
import torch

from training.trainer.augment import recolour
from training.trainer.data import load_rgb

EXAMPLE = Path(__file__).resolve().parents[2] / "public" / "examples" / "chelsea.png"


def variants(x: torch.Tensor) -> Dict[str, torch.Tensor]:
    """The recoloured copies of a batch of [-1, 1] images."""
    n = x.shape[0]
    zeros, ones = torch.zeros(n), torch.ones(n)
    return {
        "as is": x,
        "greyscale": recolour(x, zeros, zeros),
        "hue +120": recolour(x, ones * (2 * math.pi / 3), ones),
        "hue -120": recolour(x, ones * (-2 * math.pi / 3), ones),
        "darker": (((x + 1) / 2).clamp(0, 1) ** 2.2) * 2 - 1,
    }


def example_image(resize: int, crop: int) -> torch.Tensor:
    """Chelsea with the packs' pre-processing (square resize, centre crop), [-1, 1], 1 x 3 x crop x crop."""
    im = load_rgb(EXAMPLE).resize((resize, resize), resample=3)  # PIL.Image.BICUBIC
    arr = np.asarray(im, dtype=np.float32)
    top = (resize - crop) // 2
    arr = arr[top:top + crop, top:top + crop]
    return torch.from_numpy(arr).permute(2, 0, 1).unsqueeze(0) / 127.5 - 1.0


@torch.no_grad()
def unlike_report(x_src: torch.Tensor, encode: Callable, generate: Callable, judge_pred: Callable,
                  target: int, z: torch.Tensor, real_rate: float) -> Dict[str, dict]:
    """Realism of each variant's translations. ``z``: (inputs, samples, nz), shared by the variants."""
    out = {}
    per = z.shape[1]
    for name, xv in variants(x_src).items():
        hits = []
        for i in range(xv.shape[0]):
            c = encode(xv[i:i + 1])
            pred = judge_pred(generate(c.expand(per, *c.shape[1:]), z[i]))
            hits.append((pred == target).float().mean().item())
        share = float(np.mean(hits))
        out[name] = {"inputs": int(xv.shape[0]), "samples": per, "realism": round(share, 4),
                     "ratio": round(share / real_rate, 4) if real_rate > 0 else float("nan")}
    return out


@torch.no_grad()
def example_report(resize: int, crop: int, encode: Callable, generate: Callable, judge_pred: Callable,
                   target: int, z: torch.Tensor, real_rate: float) -> dict:
    """Realism of Chelsea's translations over ``z`` (samples, nz)."""
    c = encode(example_image(resize, crop))
    pred = judge_pred(generate(c.expand(z.shape[0], *c.shape[1:]), z))
    share = (pred == target).float().mean().item()
    return {"samples": int(z.shape[0]), "realism": round(share, 4),
            "ratio": round(share / real_rate, 4) if real_rate > 0 else float("nan")}
