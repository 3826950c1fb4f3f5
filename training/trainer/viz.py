"""PIL-only figures (CI has no matplotlib): image grids and loss curves; plus a CSV logger and a
dependency-free progress bar."""
from __future__ import annotations

import csv
import math
import os
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .data import tensor_to_uint8

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]


def _font():
    return ImageFont.load_default()


def image_grid(rows: Sequence[Sequence], cell: Optional[int] = None, pad: int = 2,
               row_labels: Optional[Sequence[str]] = None, col_labels: Optional[Sequence[str]] = None,
               label_w: int = 0, bg=(255, 255, 255)) -> Image.Image:
    """rows of images (torch (3,H,W) in [-1,1], uint8 HWC arrays, PIL images or None) -> one PIL image."""
    def to_pil(x):
        if x is None:
            return None
        if isinstance(x, Image.Image):
            return x.convert("RGB")
        if isinstance(x, np.ndarray):
            return Image.fromarray(x)
        return Image.fromarray(tensor_to_uint8(x))

    pil_rows = [[to_pil(x) for x in r] for r in rows]
    if cell is None:
        cell = max(im.size[0] for r in pil_rows for im in r if im is not None)
    ncol = max(len(r) for r in pil_rows)
    top = 14 if col_labels else 0
    if row_labels and not label_w:
        label_w = 6 * max(len(s) for s in row_labels) + 6
    W = label_w + ncol * (cell + pad) + pad
    H = top + len(pil_rows) * (cell + pad) + pad
    canvas = Image.new("RGB", (W, H), bg)
    draw = ImageDraw.Draw(canvas)
    font = _font()
    if col_labels:
        for j, s in enumerate(col_labels):
            draw.text((label_w + pad + j * (cell + pad) + 2, 1), s, fill=(0, 0, 0), font=font)
    for i, r in enumerate(pil_rows):
        y = top + pad + i * (cell + pad)
        if row_labels:
            draw.text((3, y + cell // 2 - 5), row_labels[i], fill=(0, 0, 0), font=font)
        for j, im in enumerate(r):
            if im is None:
                continue
            if im.size != (cell, cell):
                im = im.resize((cell, cell), Image.BICUBIC)
            canvas.paste(im, (label_w + pad + j * (cell + pad), y))
    return canvas


class CsvLog:
    """Append-only CSV; the header is fixed by the first row (later keys are ignored)."""

    def __init__(self, path: os.PathLike):
        self.path = Path(path)
        self.fields: Optional[List[str]] = None
        if self.path.exists() and self.path.stat().st_size > 0:
            with open(self.path, newline="") as f:
                self.fields = next(csv.reader(f), None)

    def write(self, row: Dict[str, object]) -> None:
        new = self.fields is None
        if new:
            self.fields = list(row.keys())
        with open(self.path, "a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=self.fields, extrasaction="ignore")
            if new:
                w.writeheader()
            w.writerow(row)


def read_csv(path: os.PathLike) -> Dict[str, np.ndarray]:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    out: Dict[str, np.ndarray] = {}
    if not rows:
        return out
    for k in rows[0]:
        vals = []
        for r in rows:
            try:
                vals.append(float(r[k]))
            except (TypeError, ValueError):
                vals.append(float("nan"))
        out[k] = np.asarray(vals)
    return out


def _smooth(y: np.ndarray, n: int) -> np.ndarray:
    if n <= 1 or len(y) < 3:
        return y
    n = min(n, len(y))
    k = np.ones(n) / n
    ypad = np.concatenate([np.full(n - 1, y[0]), y])
    return np.convolve(ypad, k, mode="valid")


LOSS_PANELS = [
    ("discriminators", ["disA", "disA2", "disB", "disB2", "disContent"]),
    ("generator adversarial", ["gan_A", "gan_B", "gan2_A", "gan2_B", "gan_content_A", "gan_content_B"]),
    ("reconstruction (x10)", ["rec_A", "rec_B", "cc_A", "cc_B"]),
    ("latent reg. / mode seeking", ["latent_A", "latent_B", "ms_AB", "ms_BA"]),
]


def plot_losses(csv_path: os.PathLike, out_path: os.PathLike, x_key: str = "total_it",
                panels=LOSS_PANELS, size=(1100, 760), smooth: Optional[int] = None) -> None:
    data = read_csv(csv_path)
    if not data or x_key not in data or len(data[x_key]) < 2:
        return
    x = data[x_key]
    if smooth is None:
        smooth = max(1, len(x) // 60)
    W, H = size
    img = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(img)
    font = _font()
    cols = 2
    nrow = math.ceil(len(panels) / cols)
    pw, ph = W // cols, H // nrow
    for pi, (title, keys) in enumerate(panels):
        keys = [k for k in keys if k in data and np.isfinite(data[k]).any()]
        ox, oy = (pi % cols) * pw, (pi // cols) * ph
        l, t, r, b = ox + 55, oy + 22, ox + pw - 12, oy + ph - 28
        d.text((ox + 55, oy + 5), f"{title} (moving avg {smooth})", fill=(0, 0, 0), font=font)
        d.rectangle([l, t, r, b], outline=(0, 0, 0))
        if not keys:
            continue
        ys = {k: _smooth(np.nan_to_num(data[k], nan=0.0), smooth) for k in keys}
        lo = min(float(np.min(v)) for v in ys.values())
        hi = max(float(np.max(v)) for v in ys.values())
        if hi - lo < 1e-9:
            hi = lo + 1.0
        lo, hi = lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)
        x0, x1 = float(x[0]), float(x[-1]) if x[-1] > x[0] else float(x[0]) + 1
        for gi in range(5):  # y ticks
            v = lo + (hi - lo) * gi / 4
            yy = b - (b - t) * gi / 4
            d.line([l, yy, r, yy], fill=(225, 225, 225))
            d.text((ox + 2, yy - 5), f"{v:.3g}", fill=(60, 60, 60), font=font)
        for gi in range(5):  # x ticks
            v = x0 + (x1 - x0) * gi / 4
            xx = l + (r - l) * gi / 4
            d.text((xx - 12, b + 4), f"{int(v)}", fill=(60, 60, 60), font=font)
        d.text((r - 60, b + 15), x_key, fill=(60, 60, 60), font=font)
        step = max(1, len(x) // (r - l))
        for ki, k in enumerate(keys):
            col = PALETTE[ki % len(PALETTE)]
            pts = [(l + (r - l) * (float(xv) - x0) / (x1 - x0), b - (b - t) * (float(yv) - lo) / (hi - lo))
                   for xv, yv in zip(x[::step], ys[k][::step])]
            if len(pts) > 1:
                d.line(pts, fill=col, width=2)
            d.rectangle([r - 110, t + 6 + 12 * ki, r - 100, t + 14 + 12 * ki], fill=col)
            d.text((r - 96, t + 4 + 12 * ki), k, fill=(0, 0, 0), font=font)
    img.save(out_path)


class Progress:
    """tqdm-like progress: a redrawn bar on a tty, plain lines otherwise (logs)."""

    def __init__(self, total: int, start: int = 0, mode: str = "auto", every: int = 10, stream=None):
        self.total, self.n, self.start_n = total, start, start
        self.stream = stream or sys.stdout
        if mode == "auto":
            mode = "bar" if hasattr(self.stream, "isatty") and self.stream.isatty() else "lines"
        self.mode, self.every = mode, max(1, every)
        self.t0 = time.time()

    def rate(self) -> float:
        dt = time.time() - self.t0
        return (self.n - self.start_n) / dt if dt > 0 else 0.0

    def update(self, n: int, msg: str = "") -> None:
        self.n = n
        if self.mode == "off":
            return
        r = self.rate()
        eta = (self.total - n) / r if r > 0 and self.total else float("nan")
        el = time.time() - self.t0
        head = f"{n}/{self.total} it" if self.total else f"{n} it"
        tail = f"{r:.2f} it/s, {el / 60:.1f} min elapsed, eta {eta / 60:.1f} min" if r > 0 else ""
        if self.mode == "bar":
            frac = min(1.0, n / self.total) if self.total else 0.0
            bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
            self.stream.write(f"\r[{bar}] {head} {tail} {msg}"[:200])
            self.stream.flush()
        elif n % self.every == 0:
            self.stream.write(f"{head} | {tail} | {msg}\n")
            self.stream.flush()

    def close(self) -> None:
        if self.mode == "bar":
            self.stream.write("\n")
            self.stream.flush()
