#!/usr/bin/env bash
# The README's main command. Installs what is missing, builds, and regenerates every figure of
# both papers at paper scale into figures/paper (CSV, caption, PNG, SVG for each), then checks the
# numbers against the committed manifest (reproductions/manifest.sha256): exit 1 naming any file
# that differs.
# usage: ci/reproduce.sh [--scale quick|paper] [--out DIR] [--threads N] [figure ...]
#   (default: all figures, paper scale, figures/<scale>)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash ci/install-deps.sh
bash ci/build.sh build --target flatmin_cli  # only the executable the figures need
scale=paper
args=()
figs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale=$2; shift 2 ;;
    --out|--threads) args+=("$1" "$2"); shift 2 ;;
    -*) args+=("$1"); shift ;;
    *) figs+=("$1"); shift ;;
  esac
done
[ ${#figs[@]} -eq 0 ] && figs=(all)
has_out=0
for a in "${args[@]+"${args[@]}"}"; do [ "$a" = --out ] && has_out=1; done
[ $has_out = 1 ] || args+=(--out "figures/$scale")
exec ./build/flatmin reproduce "${figs[@]}" --scale "$scale" --verify "${args[@]}"
