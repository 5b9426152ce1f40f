#!/usr/bin/env bash
# Times `flatmin check` for every catalogue row (default trials) in double and in quad, and the
# whole default catalogue (`flatmin check all`), printing a table.
# usage: bench/catalogue_time.sh [build-dir]
set -euo pipefail
build=${1:-build}
bin="$build/flatmin"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
sec() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }
printf '%-8s %10s %10s\n' row double_s quad_s
for id in $("$bin" check --list); do
  out=()
  for p in double quad; do
    s=$(ms)
    "$bin" check "$id" --precision "$p" >/dev/null || true
    out+=("$(sec $(( $(ms) - s )))")
  done
  printf '%-8s %10s %10s\n' "$id" "${out[0]}" "${out[1]}"
done
s=$(ms)
"$bin" check all >/dev/null || true
echo "flatmin check all (double + quad, default trials, long rows excluded): $(sec $(( $(ms) - s ))) s"
