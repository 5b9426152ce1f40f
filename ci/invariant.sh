#!/usr/bin/env bash
# The redesign invariant's evidence: every number flatmin prints, from one binary, into OUT_DIR.
# Two runs (old binary, new binary) must give identical directories (diff -r): the catalogue at
# two seeds (every row, double and quad, and every negative control), and solve --json on
# generated instances of every family, both programs, double and quad, with the certificate and
# with noise (the "seconds" field, a timing, and "file", the path, are removed).
# usage: ci/invariant.sh FLATMIN_BINARY OUT_DIR
set -euo pipefail
bin=$(realpath "$1")
out=$2
mkdir -p "$out/instances"
for seed in 1 2; do
  "$bin" check all --seed "$seed" > "$out/check-all-$seed.txt" 2>&1 || echo "exit $?" >> "$out/check-all-$seed.txt"
done
for id in $("$bin" check --list); do
  "$bin" check "$id" --control --seed 1 --trials 40 > "$out/control-$id.txt" 2>&1 || echo "exit $?" >> "$out/control-$id.txt"
done
gen() {  # name family args...
  local name=$1; shift
  "$bin" instance "$@" --out "$out/instances/$name.txt" > /dev/null
}
gen gauss-rec gaussian --d 8 --m 60 --rank 1 --seed 3
gen gauss-hard gaussian --d 10 --m 45 --rank 2 --seed 4
gen bilin-rec bilinear --d 8 --m 70 --rank 1 --seed 5
gen bilin-not bilinear --d 10 --m 40 --rank 2 --seed 6
gen compl-rec completion --d 12 --p 0.6 --rank 1 --seed 7
gen compl-not completion --d 12 --p 0.3 --rank 2 --seed 8
gen quadnn-rec quadnn --d 8 --m 60 --rank 1 --seed 9
gen quadnn-not quadnn --d 10 --m 30 --rank 3 --seed 10
for f in "$out"/instances/*.txt; do
  n=$(basename "$f" .txt)
  for method in nuclear flat; do
    for prec in double quad; do
      { "$bin" solve "$f" --method $method --precision $prec --certify --json || echo "exit $?"; } 2>&1 |
        sed -E 's/"seconds":[^,}]*,?//; s/"file":"[^"]*",?//' > "$out/solve-$n-$method-$prec.json"
    done
    { "$bin" solve "$f" --method $method --noise 1e-3 --json || echo "exit $?"; } 2>&1 |
      sed -E 's/"seconds":[^,}]*,?//; s/"file":"[^"]*",?//' > "$out/solve-$n-$method-noise.json"
  done
done
echo "invariant: $(ls "$out" | wc -l) files in $out"
