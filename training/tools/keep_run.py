"""Keep a run in the repository so that a later run, on a fresh machine, resumes it.

Writes into ``training/resume/<name>/``: the compact checkpoint (``resume.pt.xz``, built here from
the run's official ``checkpoints/latest.pth`` + ``ema.pth`` and the counters of its
``run_info.json``: ``training/trainer/compact.py``), and copies ``config.json``, ``run_info.json``,
``losses.csv`` and ``loss_curve.png`` (no sample grid: it shows training photos). The files are replaced each time: one checkpoint per
run in the history, not one per save. A run resumed on a fresh machine logs only its own
iterations, so ``losses.csv`` is joined: the kept rows before the run's first iteration, then the
run's rows (and the loss curve is redrawn from the whole).

    scripts/py -m training.tools.keep_run training/runs/cat2dog_cpu
    # later, on any machine with the checkout:
    scripts/py -m training.train --preset cpu-recipe --name cat2dog_cpu \\
        --resume training/resume/cat2dog_cpu/resume.pt.xz
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from training.trainer import compact
from training.trainer.viz import plot_losses

KEEP = ("config.json", "run_info.json")  # losses.csv is joined and its curve redrawn below


def join_losses(kept: Path, run: Path) -> int:
    """Writes ``kept`` = its rows before ``run``'s first total_it, then ``run``'s rows; returns the row count."""
    new = run.read_text().splitlines()
    old = kept.read_text().splitlines() if kept.exists() else []
    if old and new and old[0] == new[0] and len(new) > 1:
        first = int(new[1].split(",")[0])
        rows = [old[0]] + [r for r in old[1:] if int(r.split(",")[0]) < first] + new[1:]
    else:  # nothing kept yet, or another log layout: the run's log as it is
        rows = new
    kept.write_text("\n".join(rows) + "\n")
    return len(rows) - 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", help="run folder (training/runs/<name>)")
    p.add_argument("--dest", default=None, help="default: training/resume/<name>")
    args = p.parse_args(argv)
    run = Path(args.run)
    for f in ("checkpoints/latest.pth", "run_info.json", "config.json"):
        if not (run / f).exists():
            raise SystemExit(f"error: {run / f} not found (the trainer writes it at every save)")
    for attempt in range(10):  # a running trainer writes latest.pth, ema.pth, run_info.json one after the other
        try:
            small = compact.from_run(run)
            break
        except compact.RunNotSettled as e:
            if attempt == 9:
                raise SystemExit(f"error: {e}; is a save under way? try again") from e
            time.sleep(3)
    dest = Path(args.dest) if args.dest else Path(__file__).resolve().parents[1] / "resume" / run.name
    dest.mkdir(parents=True, exist_ok=True)
    size = compact.write(small, dest / "resume.pt.xz")
    for f in KEEP:
        if (run / f).exists():
            shutil.copy(run / f, dest / f)
    if (run / "losses.csv").exists():
        join_losses(dest / "losses.csv", run / "losses.csv")
        plot_losses(dest / "losses.csv", dest / "loss_curve.png")
    # no sample grid: its input column shows training photos, which stay out of the repository
    c = compact.read_resume(dest / "resume.pt.xz")["counters"]
    print(f"kept {run} in {dest}: resume.pt.xz {size / 2 ** 20:.1f} MiB, total_it {c['total_it']}, "
          f"images {c['images']}, CPU {c['cpu_s'] / 3600:.2f} h")
    (dest / "counters.json").write_text(json.dumps(c, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
