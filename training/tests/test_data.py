"""Data pipeline: official unpaired pipeline, hold-out split, unreadable files skipped with one report."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from training.trainer import data as D
from training.trainer.synthetic import make_dataset

CAT2DOG = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "cat2dog"


@pytest.fixture()
def synth(tmp_path):
    return make_dataset(tmp_path / "ds", n_a=10, n_b=6, seed=3, truncated=True)


def test_truncated_jpeg_skipped_and_reported_once(synth, capsys):
    D._reported.clear()
    messages = []
    ds = D.UnpairedDataset(synth / "trainA", synth / "trainB", resize=40, crop=32, log=messages.append)
    assert ds.b_size == 6 and ds.a_size == 10 and len(ds) == 10
    assert len(messages) == 1 and "9999.jpg" in messages[0] and "skipping 1 unreadable" in messages[0]
    # a second dataset over the same folder does not report the same file again
    D.UnpairedDataset(synth / "trainA", synth / "trainB", resize=40, crop=32, log=messages.append)
    assert len(messages) == 1
    a, b = ds[3]
    assert a.shape == (3, 32, 32) and b.shape == (3, 32, 32)
    assert a.min() >= -1 and a.max() <= 1 and a.dtype == torch.float32


@pytest.mark.skipif(not (CAT2DOG / "trainB" / "1352.jpg").exists(), reason="cat2dog dataset not present")
def test_real_truncated_file_in_cat2dog():
    D._reported.clear()
    messages = []
    files = D.list_images(CAT2DOG / "trainB")
    imgs, kept = D.load_folder([f for f in files if f.name in ("1352.jpg", "1353.jpg", files[0].name)], 32,
                               log=messages.append)
    assert all(k.name != "1352.jpg" for k in kept) and len(imgs) == len(kept) >= 1
    assert len(messages) == 1 and "1352.jpg" in messages[0]


def test_pipeline_square_resize_crop_flip(tmp_path):
    from PIL import Image
    root = make_dataset(tmp_path / "d", n_a=3, n_b=2, seed=0, size=(60, 90))
    ds = D.UnpairedDataset(root / "trainA", root / "trainB", resize=48, crop=40, seed=0)
    assert ds.images_a[0].shape == (48, 48, 3)  # square resize: aspect ratio not kept
    # item pairs the i-th image of the larger domain with a random one of the other
    assert len(ds) == 3
    # centre crop at test time: offset round((48 - 40) / 2) = 4
    arr = ds.images_a[0]
    t = D.to_tensor(D.crop_flip(arr, 40, __import__("random").Random(0), train=False, flip=True))
    assert torch.allclose(t, D.to_tensor(arr[4:44, 4:44]))
    # eval_tensor reproduces resize + centre crop from the file
    e = D.eval_tensor(ds.files_a[0], 48, 40)
    assert e.shape == (1, 3, 40, 40) and torch.allclose(e[0], t)
    # random crops + flips vary
    ds.reseed(1)
    crops = {round(float((ds[0][0] * torch.arange(40.0)).sum()), 3) for _ in range(20)}
    assert len(crops) > 1


def test_holdout_split_is_deterministic_and_disjoint(tmp_path):
    files = [Path(f"{i}.jpg") for i in range(500)]
    tr, held = D.split_files(files, 0.1, seed=0)
    tr2, held2 = D.split_files(list(reversed(files)), 0.1, seed=0)
    assert set(held) == set(held2) and not set(tr) & set(held)
    assert 25 <= len(held) <= 80
    assert D.split_files(files, 0.0)[1] == []
    root = make_dataset(tmp_path / "d", n_a=20, n_b=20, seed=0)
    a = D.UnpairedDataset(root / "trainA", root / "trainB", resize=40, crop=32, holdout=0.3)
    b = D.UnpairedDataset(root / "trainA", root / "trainB", resize=40, crop=32, holdout=0.3, use_holdout=True)
    assert not {p.name for p in a.files_a} & {p.name for p in b.files_a}
    assert len(a.files_a) + len(b.files_a) == 20


def test_load_rgb_honours_exif_orientation(tmp_path):
    from PIL import Image
    from training.trainer.data import load_rgb
    im = Image.new("RGB", (13, 7), (200, 10, 10))
    im.putpixel((0, 0), (0, 255, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: shown rotated 90 degrees clockwise
    im.save(tmp_path / "r.png", exif=exif.tobytes())
    up = load_rgb(tmp_path / "r.png")
    assert up.size == (7, 13)
    assert up.getpixel((6, 0)) == (0, 255, 0)  # the top-left pixel moved to the top-right
