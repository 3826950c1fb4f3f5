"""`npm run convert -- ... --attr-stats` against an independent reference: the PyTorch E_a of the same
checkpoint on the same photos (PIL decoding with EXIF orientation, test-time pre-processing), and a
numpy PCA (np.cov + np.linalg.eigh). Compares count, mean, std, variance shares and the principal
directions up to sign."""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from training.trainer.checkpoint import attribute, load_inference_nets
from training.trainer.data import eval_tensor, list_images

REPO = Path(__file__).resolve().parents[2]
RESIZE, CROP = 40, 32
MIN_SHARE = 1e-4  # src/attrstats/pca.ts MIN_VARIANCE_SHARE


def smooth_image(rng: np.random.RandomState, size) -> Image.Image:
    """A photo-like smooth colour field (bicubic upsampling of a few random pixels)."""
    small = Image.fromarray(rng.randint(0, 256, (3, 4, 3)).astype(np.uint8))
    return small.resize(size, Image.BICUBIC)


def make_dataset(root: Path, seed: int) -> None:
    rng = np.random.RandomState(seed)
    for sub, n in (("trainA", 13), ("trainB", 11)):
        d = root / sub
        d.mkdir(parents=True)
        for i in range(n):
            im = smooth_image(rng, (50, 38))
            if i % 3 == 0:
                im.save(d / f"{i:02d}.jpg", quality=92)
            else:
                im.save(d / f"{i:02d}.png")
        # stored sideways, shown upright by its EXIF orientation (non-square: the tag changes the input)
        exif = Image.Exif()
        exif[0x0112] = 6
        smooth_image(rng, (38, 50)).save(d / "rotated.jpg", quality=92, exif=exif.tobytes())
    # a truncated JPEG: skipped and reported, as trainB/1352.jpg of cat2dog
    good = (root / "trainB" / "00.jpg").read_bytes()
    (root / "trainB" / "broken.jpg").write_bytes(good[: len(good) // 3])


def reference_stats(enc_a, files, domain, concat, exif=True):
    xs = []
    for f in files:
        try:
            if exif:
                xs.append(eval_tensor(f, RESIZE, CROP))
            else:  # raw pixels, EXIF ignored: must NOT match (the test can tell)
                with Image.open(f) as im:
                    xs.append(eval_tensor(im.convert("RGB"), RESIZE, CROP))
        except Exception:  # noqa: BLE001 - unreadable file, skipped like the CLI does
            continue
    with torch.no_grad():
        z = attribute(enc_a, torch.cat(xs), domain, concat).double().numpy()
    cov = np.cov(z.T)
    w, v = np.linalg.eigh(cov)
    order = np.argsort(w)[::-1]
    return {"count": len(xs), "mean": z.mean(0), "eig": w[order], "vec": v[:, order].T, "scale": np.abs(z).max()}


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm to run the converter")
@pytest.mark.parametrize("fixture", ["c0", "c1"])
def test_attr_stats_match_pytorch_and_numpy(tmp_path, fixture):
    data = tmp_path / "data"
    make_dataset(data, seed=7)
    ckpt = REPO / "fixtures" / fixture / "checkpoint_legacy.pth"
    out = tmp_path / "pack"
    run = subprocess.run(["npm", "run", "-s", "convert", "--", str(ckpt), str(out), "--resize", str(RESIZE),
                          "--crop", str(CROP), "--attr-stats", str(data)], cwd=REPO, check=True,
                         capture_output=True, text=True)
    assert "skipped 1 unreadable" in run.stdout and "broken.jpg" in run.stdout
    stats = json.loads((out / "manifest.json").read_text())["attributeStats"]
    _, enc_a, _, arch = load_inference_nets(str(ckpt))
    for d, sub in (("a", "trainA"), ("b", "trainB")):
        files = list_images(data / sub)
        ref = reference_stats(enc_a, files, d, arch["concat"])
        got = stats[d]
        assert got["count"] == ref["count"] == (13 if d == "a" else 11) + 1
        tol = 2e-5 * ref["scale"]
        np.testing.assert_allclose(got["mean"], ref["mean"], rtol=0, atol=tol)
        total = ref["eig"].sum()
        k_ref = int(np.sum(ref["eig"][: ref["count"] - 1] / total >= MIN_SHARE))
        assert len(got["components"]) == k_ref >= 3
        np.testing.assert_allclose(got["std"], np.sqrt(ref["eig"][:k_ref]), rtol=2e-3, atol=tol)
        np.testing.assert_allclose(got["varianceShare"], ref["eig"][:k_ref] / total, rtol=2e-3, atol=1e-6)
        comps = np.array(got["components"])
        np.testing.assert_allclose(comps @ comps.T, np.eye(k_ref), atol=1e-6)
        for k in range(k_ref):
            # a direction is only defined when its eigenvalue is apart from its neighbours
            gaps = [abs(ref["eig"][k] - ref["eig"][j]) / ref["eig"][0] for j in (k - 1, k + 1) if 0 <= j < len(ref["eig"])]
            if min(gaps) > 1e-3:
                assert abs(comps[k] @ ref["vec"][k]) > 1 - 1e-4, (d, k)
        # the EXIF-rotated photo matters: a reference that ignores the tag differs measurably
        raw = reference_stats(enc_a, files, d, arch["concat"], exif=False)
        assert np.abs(raw["mean"] - ref["mean"]).max() > 10 * tol


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm to run the converter")
def test_direction_figure_and_model_card_section(tmp_path):
    """direction_figure.py on a pack with statistics: its own numpy PCA agrees with the stored one,
    the figures have one row per direction and unit; model_card.py splices the section in once."""
    import sys
    from PIL import Image

    from training.trainer.synthetic import make_dataset

    data = make_dataset(tmp_path / "ds", n_a=14, n_b=12, seed=3, truncated=True)
    pack = tmp_path / "pack"
    subprocess.run(["npm", "run", "-s", "convert", "--", str(REPO / "fixtures" / "c0" / "checkpoint_legacy.pth"),
                    str(pack), "--resize", str(RESIZE), "--crop", str(CROP), "--domains", "cat,dog",
                    "--attr-stats", str(data)], cwd=REPO, check=True, capture_output=True)
    r = subprocess.run([sys.executable, "-m", "training.card.direction_figure", "--pack", str(pack), "--dataroot",
                        str(data), "--holdout", "0.25", "--rows", "3", "--out", str(pack)],
                       cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    summary = json.loads((pack / "directions.json").read_text())
    for tag in ("a2b", "b2a"):
        d = summary["directions"][tag]
        assert d["target_photos"] == (12 if tag == "a2b" else 14)
        assert d["skipped"] == (["9999.jpg"] if tag == "a2b" else [])
        assert abs(sum(d["variance_share"]) - 1) < 1e-9
        vs = d["vs_pack"]
        assert vs["stored_directions"] >= 3
        assert vs["max_abs_mean_diff"] < 1e-4
        assert all(abs(x - 1) < 2e-3 for x in vs["std_ratio"][:3])
        assert all(c > 1 - 1e-3 for c in vs["abs_cos"][:2])
        assert len(d["rows"]) == 6
        im = Image.open(pack / f"directions-{tag}.png")
        assert im.size[1] > 6 * CROP
    (pack / "README.md").write_text("# card\n\n## Samples\n\n## Still owed: the GPU run\n\nx\n")
    for _ in range(2):
        r = subprocess.run([sys.executable, "-m", "training.card.model_card", "--pack", str(pack), "--directions-only"],
                           cwd=REPO, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
    card = (pack / "README.md").read_text()
    assert card.count("## Principal directions of the attribute") == 1
    assert card.index("## Principal directions") < card.index("## Still owed")
    assert "![principal directions a2b](directions-a2b.png)" in card and "| cat → dog" in card
