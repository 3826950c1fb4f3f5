"""Synthetic two-domain image folders for tests and smoke runs (no dataset needed).

Domain A: a bright disc on a dark background; domain B: a dark square on a bright background.
Positions, sizes and colours vary per image, so a classifier and a translator have something to learn.
"""
from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw


def make_image(domain: str, rng: random.Random, w: int = 89, h: int = 109) -> Image.Image:
    if domain == "a":
        bg = tuple(rng.randint(0, 70) for _ in range(3))
        fg = (rng.randint(180, 255), rng.randint(120, 220), rng.randint(0, 90))
    else:
        bg = tuple(rng.randint(185, 255) for _ in range(3))
        fg = (rng.randint(0, 80), rng.randint(40, 140), rng.randint(120, 255))
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    r = rng.randint(w // 6, w // 3)
    cx, cy = rng.randint(r, w - r), rng.randint(r, h - r)
    if domain == "a":
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fg)
    else:
        d.rectangle([cx - r, cy - r, cx + r, cy + r], fill=fg)
    return im


def make_dataset(root, n_a: int = 12, n_b: int = 8, seed: int = 0, truncated: bool = False, size=(89, 109)) -> Path:
    """Write <root>/trainA, <root>/trainB JPEGs; with truncated=True also a cut-off JPEG in trainB."""
    root = Path(root)
    rng = random.Random(seed)
    for dom, n in (("a", n_a), ("b", n_b)):
        d = root / f"train{dom.upper()}"
        d.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            make_image(dom, rng, *size).save(d / f"{i}.jpg", quality=90)
    if truncated:
        src = root / "trainB" / "0.jpg"
        data = src.read_bytes()
        (root / "trainB" / "9999.jpg").write_bytes(data[: len(data) // 2])
    return root
