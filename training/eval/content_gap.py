"""Where does a translation direction fail: in the generator, or in the content codes it is given?

For each target domain X (held-out photos, random z ~ N(0, I), the realism judge that
``training.eval.evaluate`` uses, from the same cache), the share of outputs judged a real animal of X when G_X paints

* ``own``: content codes of held-out photos of X itself (no domain change: what G_X can do at all);
* ``translated``: content codes of held-out photos of the other domain (the translation);
* ``reconstruction``: X's own content *and* attribute (E_a of the same photo);
* ``real_photos`` and ``real_photos_half_resolution``: the held-out photos themselves, and the same
  down- and up-sampled 2x (how much of the judge's verdict is sharpness, per domain);

the share of spectral power above half the Nyquist frequency (``fine_detail_percent``: fur-scale
texture, checkerboard bins excluded) of those outputs and of the real photos; and how separable
the two domains' content codes are: a logistic-regression probe on the codes'
spatial means (256 numbers), trained on training-split photos, tested on held-out ones (0.5 = the
content discriminator's goal, the codes carry no domain; 1.0 = the domain is plain to see).

If ``own`` is high and ``translated`` low, the generator is fine and the other domain's content
codes are what it cannot paint; if ``own`` is low too, the generator itself is the limit.

    scripts/py -m training.eval.content_gap --checkpoint <copy of ema.pth, config.json beside or above>
"""
from __future__ import annotations

import argparse
import json
import sys

import torch
import torch.nn.functional as F

from training.eval.core import JUDGE_CACHE, centre, get_judge, load_model, power_spectrum
from training.eval.realism import judge_outputs
from training.trainer import checkpoint as ckpt_io
from training.trainer.data import load_folder, run_split


def fine_detail(x: torch.Tensor) -> float:
    """Mean share (%) of an NCHW batch's grey-level spectral power above half the Nyquist frequency
    (radial frequency > 0.25 cycles/pixel), the period-2 grid bins left out: how much fine texture
    (fur) an image has, blind to a transposed convolution's checkerboard."""
    p = power_spectrum(x)
    h, w = p.shape[1:]
    fy, fx = torch.fft.fftfreq(h).abs()[:, None], torch.fft.fftfreq(w).abs()[None, :]
    fine = (fy ** 2 + fx ** 2).sqrt() > 0.25
    p[:, h // 2, 0] = p[:, 0, w // 2] = p[:, h // 2, w // 2] = 0.0  # the grid bins count nowhere
    return float(((p * fine).sum((1, 2)) / p.sum((1, 2)).clamp(min=1e-12)).mean()) * 100


def probe_accuracy(tr_a, tr_b, te_a, te_b, steps: int = 300) -> float:
    """Held-out accuracy of a logistic regression (standardised features, light L2) telling A from B."""
    x = torch.cat([tr_a, tr_b]).double()
    y = torch.cat([torch.zeros(len(tr_a)), torch.ones(len(tr_b))]).double()
    mu, sd = x.mean(0), x.std(0) + 1e-6
    w = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=steps)
    # balance the classes: the cat2dog split has ~3x more cats than dogs
    wt = torch.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))

    def closure():
        opt.zero_grad()
        logit = ((x - mu) / sd) @ w + b
        loss = (wt * torch.nn.functional.binary_cross_entropy_with_logits(logit, y, reduction="none")).mean() + 1e-3 * w.pow(2).sum()
        loss.backward()
        return loss
    with torch.enable_grad():
        opt.step(closure)
    with torch.no_grad():
        acc = [(((t.double() - mu) / sd @ w + b > 0).double() == lab).double().mean().item() for t, lab in ((te_a, 0), (te_b, 1))]
    return (acc[0] + acc[1]) / 2  # balanced accuracy


@torch.no_grad()
def content_gap(checkpoint: str, samples: int = 4, seed: int = 0, judge_cache: str = JUDGE_CACHE,
                judge_epochs: int = 10, log=print) -> dict:
    enc_c, enc_a, gen, arch, cfg = load_model(checkpoint)
    split = run_split(cfg, default_holdout=0.1)
    imgs = {}
    for d in "AB":
        tr, _ = load_folder(split.files[d][0], split.resize)
        he, he_files = load_folder(split.files[d][1], split.resize)
        imgs[d] = (tr, he, he_files)
    judge = get_judge(imgs, split, judge_epochs, seed, judge_cache, log)
    held = {d: centre(imgs[d][1], split.crop) for d in "AB"}
    train = {d: centre(imgs[d][0], split.crop) for d in "AB"}
    enc = {"A": enc_c.forward_a, "B": enc_c.forward_b}
    paint = {"A": gen.forward_a, "B": gen.forward_b}
    g = torch.Generator().manual_seed(seed)

    def codes(d, x):
        return torch.cat([enc[d](x[s:s + 32]) for s in range(0, x.shape[0], 32)])

    out = {"checkpoint": str(checkpoint), "total_it": arch.get("total_it"), "samples_per_input": samples, "domains": {}}
    for tgt, label in (("A", 0), ("B", 1)):
        other = "B" if tgt == "A" else "A"
        shares, detail = {}, {"real_photos": round(fine_detail(held[tgt]), 3)}
        for kind, src in (("own", tgt), ("translated", other)):
            c = codes(src, held[src])
            z = torch.randn(c.shape[0] * samples, arch["nz"], generator=g)
            outs = paint[tgt](c.repeat_interleave(samples, 0), z)
            pred, _ = judge_outputs(judge, outs)
            shares[kind] = round((pred == label).double().mean().item(), 4)
            detail[kind] = round(fine_detail(outs), 3)
        c = codes(tgt, held[tgt])
        za = ckpt_io.attribute(enc_a, held[tgt], tgt.lower(), arch["concat"])
        outs = paint[tgt](c, za)
        pred, _ = judge_outputs(judge, outs)
        shares["reconstruction"] = round((pred == label).double().mean().item(), 4)
        detail["reconstruction"] = round(fine_detail(outs), 3)
        real, _ = judge_outputs(judge, held[tgt])
        shares["real_photos"] = round((real == label).double().mean().item(), 4)
        # how much sharpness the judge asks of this domain: the same photos at half resolution
        soft = F.interpolate(F.interpolate(held[tgt], scale_factor=0.5, mode="area"), scale_factor=2,
                             mode="bilinear", align_corners=False)
        real, _ = judge_outputs(judge, soft)
        shares["real_photos_half_resolution"] = round((real == label).double().mean().item(), 4)
        out["domains"][{"A": "cat", "B": "dog"}[tgt]] = shares
        out.setdefault("fine_detail_percent", {})[{"A": "cat", "B": "dog"}[tgt]] = detail
        log(f"G_{tgt}: {shares}; fine detail % {detail}")
    pooled = {d: (codes(d, train[d]).mean((2, 3)), codes(d, held[d]).mean((2, 3))) for d in "AB"}
    out["content_probe_balanced_accuracy"] = round(probe_accuracy(pooled["A"][0], pooled["B"][0], pooled["A"][1], pooled["B"][1]), 4)
    log(f"content codes: a linear probe tells cats from dogs with balanced accuracy {out['content_probe_balanced_accuracy']}")
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", required=True, help="training checkpoint (config.json beside or above) or model pack folder")
    p.add_argument("--samples", type=int, default=4, help="random z per held-out photo")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--judge-cache", default=JUDGE_CACHE)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    r = content_gap(args.checkpoint, args.samples, args.seed, args.judge_cache, log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
