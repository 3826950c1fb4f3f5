#!/usr/bin/env bash
# The prepared GPU run (docs/training.md, "The GPU run"), a plain script for any machine with CUDA
# and PyTorch: resume the committed CPU run on CUDA with the same recipe for a fixed number of
# minutes, then copy into the folder $OUT what evaluation and shipping need (4 files, the largest
# ~13 MB):
#   resume.pt.xz        compact resumable checkpoint (keep_run's format; replaces training/resume/<run>)
#   ema.pth             the EMA weights, what evaluate/convert read
#   samples_latest.png  the newest training sample grid
#   meta.tar.gz         config.json, run_info.json, counters.json, losses.csv, train.log, env.txt
#
# The training images must be inside the checkout (.carry/ is git-ignored):
#   mkdir -p .carry && cp -r <folder with trainA/ and trainB/> .carry/cat2dog
# Then, on the CUDA machine, from a copy of the checkout that includes .carry/, with a time limit
# that leaves room for a rerun:
#   OUT=<results folder> bash training/tools/device_run.sh 5
# Afterwards: unpack into training/runs/<name>/ and evaluate as in docs/training.md, "Converting
# and shipping".
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

[ -d "$DATA/trainA" ] || { echo "no training images under $DATA (copy the folder with trainA/ and trainB/ to .carry/cat2dog, or set DATA)" >&2; exit 2; }
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
scripts/py -m training.tools.keep_run "training/runs/$NAME" --dest "$keep"
cp "training/runs/$NAME/checkpoints/ema.pth" "$keep/resume.pt.xz" "$OUT/"
if [ -f "$keep/samples_latest.png" ]; then cp "$keep/samples_latest.png" "$OUT/"; fi
mv "$meta/env.txt" "$meta/train.log" "$keep/"
tar -czf "$OUT/meta.tar.gz" -C "$keep" --exclude resume.pt.xz --exclude '*.png' .
ls -la "$OUT"
