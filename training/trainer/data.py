"""Unpaired training data (docs/drit-reference.md §1.3, ``dataset_unpair``), with a deterministic hold-out split.

Pipeline per image: PIL open -> RGB -> resize to exactly ``resize`` x ``resize`` (bicubic, aspect not
kept) -> random crop ``crop`` (centre crop when ``train=False``) -> random horizontal flip (p=0.5,
independently for A and B, unless ``no_flip``) -> [-1, 1] CHW float tensor.

The resize is deterministic, so the resized uint8 images are decoded once and kept in memory
(1010 cat2dog images at 144 px are ~60 MB); crops and flips are drawn per item as in the original.

Unreadable files (cat2dog's trainB/1352.jpg is a truncated JPEG) are found when the folder is
scanned, reported once (one warning line listing them) and skipped.

Epoch length = max(|A|, |B|); item i pairs the i-th image of the larger domain with a uniformly
random image of the other domain (as the original).

Hold-out split: ``split_files(files, holdout, seed)`` puts a file in the held-out set when a hash of
``seed:name`` falls below ``holdout``; it depends only on the file name, so train.py and
evaluate.py agree without sharing state.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
from pathlib import Path
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image, ImageOps

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}

_reported: set = set()


def list_images(folder: os.PathLike) -> List[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"image folder not found: {folder}")
    files = [p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTS and p.is_file()]
    # numeric names sort numerically (0.jpg, 1.jpg, 10.jpg ...), others alphabetically
    return sorted(files, key=lambda p: (0, int(p.stem), "") if p.stem.isdigit() else (1, 0, p.name))


def in_holdout(name: str, holdout: float, seed: int = 0) -> bool:
    if holdout <= 0:
        return False
    h = hashlib.sha1(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2.0 ** 64 < holdout


def split_files(files: Sequence[Path], holdout: float, seed: int = 0) -> Tuple[List[Path], List[Path]]:
    """(train, held_out) by file name hash."""
    train, held = [], []
    for f in files:
        (held if in_holdout(Path(f).name, holdout, seed) else train).append(Path(f))
    return train, held


@dataclass(frozen=True)
class RunSplit:
    """The data of a trained run as evaluation and sampling see it."""

    holdout: float
    split_seed: int
    resize: int
    crop: int
    #: domain ("A", "B") -> (training files, held-out files)
    files: Dict[str, Tuple[List[Path], List[Path]]]


def add_split_flags(p: argparse.ArgumentParser) -> None:
    """The flags that pick a run's images and resolution (None = from the run's config.json), for
    ``run_split``; spelt like the trainer's (which also accepts ``--split_seed``)."""
    p.add_argument("--dataroot", default=None, help="default: from the run's config.json")
    p.add_argument("--holdout", type=float, default=None)
    p.add_argument("--split-seed", "--split_seed", dest="split_seed", type=int, default=None)
    p.add_argument("--resize", type=int, default=None)
    p.add_argument("--crop", type=int, default=None)


def run_split(cfg: dict, default_holdout: float, dataroot: Optional[str] = None, holdout: Optional[float] = None,
              split_seed: Optional[int] = None, resize: Optional[int] = None, crop: Optional[int] = None) -> RunSplit:
    """The given values (None = unset) over the run's config.json ``cfg``: same images, same split."""
    holdout = holdout if holdout is not None else cfg.get("holdout", default_holdout)
    split_seed = split_seed if split_seed is not None else cfg.get("split_seed", 0)
    root = Path(dataroot or cfg.get("dataroot", "../shared/datasets/cat2dog"))
    phase = cfg.get("phase", "train")
    files = {d: split_files(list_images(root / f"{phase}{d}"), holdout, split_seed) for d in ("A", "B")}
    return RunSplit(holdout, split_seed, resize or cfg.get("resize_size", 256), crop or cfg.get("crop_size", 216), files)


def load_rgb(path: os.PathLike) -> Image.Image:
    """Open and fully decode an image as RGB, upright by its EXIF orientation (the policy of the
    browsers and of `npm run translate`, src/image/orientation.ts; cat2dog has no such tags).
    Raises on truncated/corrupt files."""
    with Image.open(path) as im:
        im.load()
        return ImageOps.exif_transpose(im).convert("RGB")


def report_unreadable(bad: List[Tuple[Path, str]], log=None) -> None:
    """Report unreadable files once per process (one line per file, each file only once)."""
    new = [(p, e) for p, e in bad if str(p) not in _reported]
    if not new:
        return
    for p, _ in new:
        _reported.add(str(p))
    msg = f"warning: skipping {len(new)} unreadable image(s): " + "; ".join(f"{p} ({e})" for p, e in new)
    (log or (lambda m: print(m, file=sys.stderr, flush=True)))(msg)


def load_folder(files: Sequence[Path], resize: int, log=None, quiet: bool = False) -> Tuple[List[np.ndarray], List[Path]]:
    """Decode + square-resize every readable file -> (uint8 HWC arrays, their paths)."""
    images, kept, bad = [], [], []
    for p in files:
        try:
            im = load_rgb(p)
        except Exception as e:  # noqa: BLE001 - PIL raises OSError, SyntaxError, ValueError...
            bad.append((p, f"{type(e).__name__}: {e}"))
            continue
        im = im.resize((resize, resize), Image.BICUBIC)
        images.append(np.asarray(im, dtype=np.uint8).copy())
        kept.append(Path(p))
    if bad and not quiet:
        report_unreadable(bad, log)
    return images, kept


def to_tensor(arr: np.ndarray) -> torch.Tensor:
    """uint8 HWC -> float CHW in [-1, 1] (ToTensor + Normalize(0.5, 0.5))."""
    t = torch.from_numpy(np.ascontiguousarray(arr)).permute(2, 0, 1).float()
    return t / 127.5 - 1.0


def crop_flip(arr: np.ndarray, crop: int, rng: random.Random, train: bool, flip: bool) -> np.ndarray:
    h, w = arr.shape[:2]
    if crop > h or crop > w:
        raise ValueError(f"crop {crop} larger than the resized image {h}x{w}")
    if train:
        top, left = rng.randint(0, h - crop), rng.randint(0, w - crop)
    else:
        top, left = int(round((h - crop) / 2.0)), int(round((w - crop) / 2.0))
    out = arr[top:top + crop, left:left + crop]
    if train and flip and rng.random() < 0.5:
        out = out[:, ::-1]
    return out


class UnpairedDataset(torch.utils.data.Dataset):
    """Official ``dataset_unpair`` on in-memory resized images."""

    def __init__(self, dir_a, dir_b, resize: int = 256, crop: int = 216, train: bool = True,
                 no_flip: bool = False, holdout: float = 0.0, split_seed: int = 0,
                 use_holdout: bool = False, log=None, quiet: bool = False, seed: Optional[int] = None):
        self.resize, self.crop, self.train, self.flip = resize, crop, train, not no_flip
        domains = []
        for d in (dir_a, dir_b):
            tr, held = split_files(list_images(d), holdout, split_seed)
            domains.append(held if use_holdout else tr)
        self.images_a, self.files_a = load_folder(domains[0], resize, log, quiet)
        self.images_b, self.files_b = load_folder(domains[1], resize, log, quiet)
        if not self.images_a or not self.images_b:
            raise RuntimeError(f"no readable images in {dir_a} ({len(self.images_a)}) or {dir_b} ({len(self.images_b)})")
        self.a_size, self.b_size = len(self.images_a), len(self.images_b)
        self.dataset_size = max(self.a_size, self.b_size)
        self.rng = random.Random(seed)

    def reseed(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def __len__(self) -> int:
        return self.dataset_size

    def _item(self, arr):
        return to_tensor(crop_flip(arr, self.crop, self.rng, self.train, self.flip))

    def __getitem__(self, index: int):
        if self.dataset_size == self.a_size:
            a = self.images_a[index]
            b = self.images_b[self.rng.randint(0, self.b_size - 1)]
        else:
            a = self.images_a[self.rng.randint(0, self.a_size - 1)]
            b = self.images_b[index]
        return self._item(a), self._item(b)


def eval_tensor(path_or_img, resize: int, crop: int) -> torch.Tensor:
    """Test-time pre-processing of one image (square resize, centre crop) -> (1, 3, crop, crop)."""
    im = path_or_img if isinstance(path_or_img, Image.Image) else load_rgb(path_or_img)
    arr = np.asarray(im.convert("RGB").resize((resize, resize), Image.BICUBIC), dtype=np.uint8)
    return to_tensor(crop_flip(arr, crop, random.Random(0), train=False, flip=False)).unsqueeze(0)


def tensor_to_uint8(x: torch.Tensor) -> np.ndarray:
    """(3, H, W) in [-1, 1] -> HWC uint8, official mapping (truncation, clipped for safety)."""
    x = x.detach().float().cpu().clamp(-1, 1)
    return ((x + 1) / 2 * 255).permute(1, 2, 0).numpy().astype(np.uint8)
