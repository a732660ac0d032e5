#!/usr/bin/env bash
# The two ViT rows of the published table under the reference protocol, on a GPU: one command for
# a lent accelerator machine (or any CUDA box with torch in its python3). On one CPU thread a
# ViT epoch takes about 1.5 h, so these rows are run only where a GPU is.
#
#   ORBITLEARN_DATA=DIR scripts/device/ks_reference_vit.sh [SEED ...]      (default seed: 0)
#
# DIR holds ks/v26.gz. Environment: LIMIT_S (default 540: the bench is stopped then, the cells
# that landed are kept; an unfinished cell is lost, its training state is too large to bring
# back), DEVICE (default cuda), THREADS (CPU threads, default 8), OUT (where the landed cells are
# copied, default ./device-out). The cells land in benchmarks/results/ks/cells/ as from any run;
# copy them there on your machine, then `python benchmarks/ks.py --report-only`.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
: "${ORBITLEARN_DATA:?set ORBITLEARN_DATA to the folder holding ks/v26.gz}"
export ORBITLEARN_DATA PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
OUT="${OUT:-$PWD/device-out}"
mkdir -p "$OUT"
PY="${PYTHON:-python3}"
"$PY" - <<'PYCODE' || exit 1
import torch
print("torch", torch.__version__, "cuda" if torch.cuda.is_available() else "no cuda",
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
PYCODE
stamp=$(mktemp)
seeds=("$@")
[ ${#seeds[@]} -eq 0 ] && seeds=(0)
timeout "${LIMIT_S:-540}" "$PY" benchmarks/ks.py --profile full --protocol reference \
    --rows "ViT [reference]" "ViT + π Dirichlet [reference]" --seeds "${seeds[@]}" \
    --device "${DEVICE:-cuda}" --threads "${THREADS:-8}" 2>&1 | tee "$OUT/ks_reference_vit.log"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 124 ] && echo "stopped at LIMIT_S=${LIMIT_S:-540} s; the cells that landed are kept"
landed=$(find benchmarks/results/ks/cells -name 'vit*.json' -newer "$stamp")
for cell in $landed; do cp "$cell" "$OUT/"; done
echo "cells landed: $(echo "$landed" | grep -c . || true) (copied to $OUT)"
rm -f "$stamp"
exit "$rc"
