#!/usr/bin/env bash
# The one prepared GPU run for a session that is lent a device machine (docs/training.md "The GPU
# run still owed"): resume the committed CPU run on CUDA with the same recipe for a fixed number of
# minutes, then bring back through $OUT what the next steps here need (4 files, well under the
# 8-file / 16 MiB-each limits):
#   resume.pt.xz        compact resumable checkpoint (keep_run's format; replaces training/resume/<run>)
#   ema.pth             the EMA weights, what evaluate/convert read
#   samples_latest.png  the newest training sample grid
#   meta.tar.gz         config.json, run_info.json, counters.json, losses.csv, train.log, env.txt
#
# Before the call, here (../shared does not travel; .carry/ is git-ignored):
#   mkdir -p .carry && cp -r ../shared/datasets/cat2dog .carry/
# The call (device tool), with a limit that leaves room for a rerun:
#   run(command="bash training/device_run.sh 5", carry=[".carry"], timeout_s=480)
# Afterwards, here: unpack into training/runs/<name>/ and evaluate as in "Converting and shipping".
#
# Arguments / environment: $1 = training minutes (default 5); DATA (default .carry/cat2dog);
# NAME (default cat2dog_gpu); DEVICE (default cuda; "cpu" for the dry run that tests this script).
set -euo pipefail
: "${OUT:?OUT must name the folder whose files come back}"
export PYTHONUNBUFFERED=1
MIN=${1:-5}
DATA=${DATA:-.carry/cat2dog}
NAME=${NAME:-cat2dog_gpu}
DEVICE=${DEVICE:-cuda}
RESUME=training/resume/cat2dog_cpu/resume.pt.xz
WORKERS=$(( $(nproc) > 8 ? 6 : 0 ))

[ -d "$DATA/trainA" ] || { echo "no training images under $DATA (copy ../shared/datasets/cat2dog to .carry/ and carry it)" >&2; exit 2; }
meta=$(mktemp -d)
{
  date -u +%FT%TZ
  nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"
  scripts/py -c 'import torch, sys; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available())'
  echo "minutes $MIN, device $DEVICE, workers $WORKERS, resume $RESUME"
} > "$meta/env.txt" 2>&1
cat "$meta/env.txt"

# Same recipe and counters as the CPU run; the run's folder gets its own name so that the CPU line
# and this one can be compared before either becomes the committed run.
scripts/py -m training.train --preset cpu-recipe --name "$NAME" --resume "$RESUME" --dataroot "$DATA" \
    --device "$DEVICE" --num_workers "$WORKERS" --time_budget_min "$MIN" --save_every_min 2 \
    2>&1 | tee "$meta/train.log"

keep=$meta/keep
scripts/py -m training.keep_run "training/runs/$NAME" --dest "$keep"
cp "training/runs/$NAME/checkpoints/ema.pth" "$keep/resume.pt.xz" "$OUT/"
if [ -f "$keep/samples_latest.png" ]; then cp "$keep/samples_latest.png" "$OUT/"; fi
mv "$meta/env.txt" "$meta/train.log" "$keep/"
tar -czf "$OUT/meta.tar.gz" -C "$keep" --exclude resume.pt.xz --exclude '*.png' .
ls -la "$OUT"
