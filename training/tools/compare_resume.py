"""Does resuming from the compact checkpoint set training back? Measure it.

From one run's ``checkpoints/latest.pth`` (+ ``ema.pth``) and the compact checkpoint that
``keep_run`` builds from them (``compact.from_run``), train ``--its`` more iterations three times,
one thread each:

* A: from the full checkpoint, seed 0;
* B: from the compact checkpoint, seed 0 (same data order, z and augmentations as A);
* C: from the full checkpoint, seed 1 (the run's own randomness: the scale to compare with).

Reports the mean losses of each, and the distance between the final weights of B and A relative
to the distance between C and A. B is "not set back" when it stays as close to A as C does.

    scripts/py -m training.tools.compare_resume --run training/runs/cat2dog_cpu --its 15
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from training.trainer import compact
from training.trainer.config import TrainConfig

REPO = Path(__file__).resolve().parents[2]  # the trainer runs as `-m training.train` from here
NETS = ("enc_c", "enc_a", "gen", "disA", "disB", "disContent")


def train(cfg: dict, resume: Path, out: Path, name: str, its: int, seed: int) -> Path:
    start = torch.load(resume, map_location="cpu", weights_only=False)
    total = int(start["total_it"]) if "total_it" in start else int(json.loads(start["counters"])["total_it"])
    cmd = [sys.executable, "-m", "training.train", "--resume", str(resume), "--name", name,
           "--result-dir", str(out), "--max-it", str(total + its), "--seed", str(seed), "--threads", "1",
           "--img-save-freq", "0", "--save-every-min", "0", "--progress", "off", "--init-from", ""]
    skip = {"resume", "name", "result_dir", "max_it", "seed", "threads", "img_save_freq", "save_every_min",
            "progress", "init_from"}
    for k, v in dataclasses.asdict(TrainConfig.from_dict(cfg)).items():  # options since removed are dropped
        if k in skip or v is None:
            continue
        cmd += [f"--{k}", str(v)]
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{name} failed:\n{r.stderr[-3000:]}")
    return out / name


def mean_losses(run: Path) -> dict:
    rows = list(csv.DictReader(open(run / "losses.csv")))
    keys = [k for k in ("loss_EG", "loss_G2", "disA", "disB", "rec_A", "rec_B") if k in rows[0]]
    return {k: sum(float(r[k]) for r in rows) / len(rows) for k in keys}


def distance(a: dict, b: dict) -> float:
    num = sum(float(((a[n][k].float() - b[n][k].float()) ** 2).sum()) for n in NETS for k in a[n] if a[n][k].is_floating_point())
    return num ** 0.5


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", required=True, help="run folder with config.json and checkpoints/")
    p.add_argument("--its", type=int, default=15)
    args = p.parse_args(argv)
    run = Path(args.run)
    cfg = json.loads((run / "config.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        snap = tmp / "snap" / "checkpoints"
        snap.mkdir(parents=True)
        for f in ("latest.pth", "ema.pth"):  # one consistent moment, even while the run goes on
            if (run / "checkpoints" / f).exists():
                shutil.copy(run / "checkpoints" / f, snap / f)
        for f in ("run_info.json", "config.json"):
            shutil.copy(run / f, snap.parent / f)
        compact.write(compact.from_run(snap.parent), snap / "resume.pt")
        a = train(cfg, snap / "latest.pth", tmp, "A", args.its, 0)
        b = train(cfg, snap / "resume.pt", tmp, "B", args.its, 0)
        c = train(cfg, snap / "latest.pth", tmp, "C", args.its, 1)
        w = {n: torch.load(tmp / n / "checkpoints" / "latest.pth", map_location="cpu", weights_only=False) for n in "ABC"}
        w0 = torch.load(snap / "latest.pth", map_location="cpu", weights_only=False)
        res = {"its": args.its, "losses": {n: mean_losses(tmp / n) for n in "ABC"},
               "moved_A_from_start": distance(w["A"], w0), "dist_B_A": distance(w["B"], w["A"]),
               "dist_C_A": distance(w["C"], w["A"])}
    res["ratio_BA_over_CA"] = res["dist_B_A"] / res["dist_C_A"]
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
