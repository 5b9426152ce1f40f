#!/usr/bin/env bash
# flatmin's training loop (flatmin/train.hpp) side by side with the same run written in PyTorch
# on the CPU (bench/train_vs_torch.py says how the replay is written and what it compares).
#
# The runs: label-noise SGD on paper B's deep matrix factorization, d = 10 every layer, n = 60
# Gaussian measurements of a rank-1 truth (the CLI's generated instance, seed 1), batch 1,
# delta = 0.1, eta = 0.003, init N(0, 1/d) entries (--init-scale 1), 20000 updates, depth
# L = 2, 3, 4. For each depth:
#   1. `flatmin train ... --log-every 1000 --export DIR` writes the run (map, labels, truth,
#      initial layers, the batch index and sign of every update) and its loss curve (log.csv);
#   2. bench/train_vs_torch.py replays it in PyTorch float64 (torch.set_num_threads(1)) from the
#      same initialisation and noise sequence, and compares its train and test loss with
#      log.csv at every log step (max relative difference over the curve);
# and once, in the same run of this script, build/bench/bench_train (Google Benchmark) times
# flatmin::train on exactly these runs: steps/s of BM_Train/L:<L>/log_every:0/track:0 (no
# logging), against PyTorch's training loop timed without its loss evaluations. The bench's
# final loss is checked against the exported log, so both timings are of the same run.
# Printed: one table (depth, C++ steps/s, PyTorch steps/s, ratio, max rel diff of the curves),
# then the cost of the logged records in flatmin (tracking the Hessian trace and the other
# sharpness columns against logging without them, at every 1000 (the CLI default for runs up to
# 1e5 steps, max(1000, steps / 100)), 200 and 100 updates), medians of --reps repetitions.
# Timings are of whatever else runs on the machine too: on a shared 2-core machine they are noisy.
#
# usage: bash bench/train_vs_torch.sh [--no-build] [--threads N] [--reps R] [build-dir]
#   build-dir   a configured CMake build of flatmin (default: build/ next to bench/); the
#               targets flatmin_cli and bench_train are (re)built there unless --no-build
#   --threads N torch.set_num_threads(N) for the replay (default 1; 0: PyTorch's default)
#   --reps R    bench_train repetitions, the median is used (default 3)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

build=$root/build
do_build=1
threads=1
reps=3
while (($#)); do
  case $1 in
    --no-build) do_build=0; shift ;;
    --threads) threads=${2:?--threads needs a number}; shift 2 ;;
    --reps) reps=${2:?--reps needs a number}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "train_vs_torch.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
build=$(cd "$build" && pwd)
if ((do_build)); then
  cmake --build "$build" --target flatmin_cli bench_train -j2 >&2
fi
flatmin=$build/flatmin
bench=$build/bench/bench_train
for exe in "$flatmin" "$bench"; do
  [[ -x $exe ]] || { echo "train_vs_torch.sh: no $exe (build the targets first)" >&2; exit 1; }
done

# Debian's python, where apt installs python3-torch (a pyenv or venv python3 would not see it).
python=/usr/bin/python3
command -v "$python" >/dev/null || python=python3
if ! "$python" -c "import torch" 2>/dev/null && [[ $(id -u) == 0 ]]; then
  echo "train_vs_torch.sh: installing Debian's python3-torch" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >&2 || true
fi
"$python" -c "import torch" 2>/dev/null ||
  { echo "train_vs_torch.sh: $python cannot import torch (apt-get install python3-torch)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/flatmin-train-vs-torch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The exported runs (the same options as bench_train.cpp's BM_Train).
steps=20000
dirs=()
for L in 2 3 4; do
  "$flatmin" train --d 10 --n 60 --depth "$L" --optimizer lnsgd --step-size 0.003 \
    --label-noise 0.1 --init-scale 1 --steps "$steps" --log-every 1000 \
    --export "$work/L$L" --out "$work/L$L.csv" 2>"$work/L$L.err" ||
    { cat "$work/L$L.err" >&2; exit 1; }
  dirs+=("$work/L$L")
done

# flatmin's timings: every BM_Train case (no logging, and each cadence with and without
# tracking) and the Hessian trace alone (BM_TrackTrace). Each case is warmed up for 0.5 s first:
# on this VM the first second of a run is up to 2x slower (CPU frequency / steal), which made the
# first cases' medians meaningless (negative overheads) without it.
echo "running bench_train ($reps repetitions, ~$((40 * reps)) s) ..." >&2
"$bench" --benchmark_filter='^BM_Train/|^BM_TrackTrace/' --benchmark_format=json \
  --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_min_warmup_time=0.5 >"$work/bench.json" 2>"$work/bench.err" || { cat "$work/bench.err" >&2; exit 1; }

echo "replaying in PyTorch ..." >&2
"$python" "$root/bench/train_vs_torch.py" --threads "$threads" --bench-json "$work/bench.json" \
  "${dirs[@]}"
