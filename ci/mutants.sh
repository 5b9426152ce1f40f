#!/usr/bin/env bash
# The seeded wrong formulas (ci/mutants/*.patch, one small unified diff each; docs/mutants.md):
# for each patch, build the `flatmin` executable with the wrong formula and run
# `flatmin check all --seed 1` (row by row, stopping at the first failing row; see run_check).
# CAUGHT: the check fails (exit status != 0, the failing row is listed); MISSED: every row still
# holds. Prints a table; exits 1 if any mutant is missed, 2 if
# a patch does not apply or a mutant does not build, or if the unpatched tree already fails.
#
# usage: ci/mutants.sh [BUILD_DIR]
#   BUILD_DIR          where the copy is built (default: build/ inside the temporary copy)
#   MUTANTS_REF=ref    the commit whose source tree is mutated (default HEAD; the patches are
#                      always this checkout's ci/mutants/*.patch); e.g. MUTANTS_REF=main to see
#                      what the catalogue of main catches
#   MUTANTS_ONLY=glob  only the patches whose file name matches (e.g. '0[3-5]-*')
#   MUTANTS_SEED=S     the seed of `check all` (default 1)
#   MUTANTS_KEEP=1     keep the temporary copy (/work/mutant-tmp-*) afterwards
#   MUTANTS_ALL_ROWS=1 run `check all` to the end and list every violated row (slower)
# The source tree of MUTANTS_REF is copied (git archive) to a temporary folder under /work (so
# that ccache, whose base_dir is /work, hits for every unchanged translation unit); the mutants
# are applied there one at a time, serially, and reverted after their run, so each build
# recompiles the patched translation unit(s) and links. A mutant of lib/src/solver_impl.hpp
# recompiles the three solver translation units (minutes each).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ref=${MUTANTS_REF:-HEAD}
only=${MUTANTS_ONLY:-*}
seed=${MUTANTS_SEED:-1}
jobs=$(( $(nproc) < 2 ? $(nproc) : 2 ))

tmp=$(mktemp -d /work/mutant-tmp-XXXXXX)
cleanup() { [ "${MUTANTS_KEEP:-0}" = 1 ] || rm -rf "$tmp"; }
trap cleanup EXIT
src=$tmp/src
build=${1:-$src/build}
mkdir -p "$src"
git -C "$root" archive "$ref" | tar -x -C "$src"
echo "mutants of $(git -C "$root" rev-parse --short "$ref") ($ref) in $src, built in $build" >&2

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null

# Runs the catalogue; prints "<exit status> <violated rows, comma-separated>". By default the
# rows run one at a time in the catalogue's order (`flatmin check ID`, the same trials as
# `check all`, which has no long rows to leave out) and the run stops at the first row that
# fails: its id and precisions are what is printed. MUTANTS_ALL_ROWS=1: `check all`, every
# violated row listed.
violated_rows() {
  awk '$NF ~ /^seed=/ && / VIOLATED / {print $1 " " $2}' | sort -u | tr '\n' ',' | sed 's/,$//'
}
run_check() {
  local out status=0 rows=""
  if [ "${MUTANTS_ALL_ROWS:-0}" = 1 ]; then
    out=$("$build/flatmin" check all --seed "$seed" 2>&1) || status=$?
    rows=$(printf '%s\n' "$out" | violated_rows)
  else
    for id in $("$build/flatmin" check --list); do
      out=$("$build/flatmin" check "$id" --seed "$seed" 2>&1) || status=$?
      if [ "$status" != 0 ]; then
        rows="$(printf '%s\n' "$out" | violated_rows) (first failing row)"
        break
      fi
    done
  fi
  # a failure without a VIOLATED line (an internal error, exit status 3): its message
  if [ -z "$rows" ] && [ "$status" != 0 ]; then
    rows=$(printf '%s\n' "$out" | grep -m1 -i 'error' | cut -c1-80 || true)
  fi
  echo "$status ${rows:--}"
}

build_flatmin() {
  cmake --build "$build" --target flatmin_cli -j "$jobs" >"$tmp/build.log" 2>&1
}

# The unpatched tree must pass, or every mutant would look caught.
if ! build_flatmin; then
  tail -30 "$tmp/build.log" >&2
  echo "mutants: the unpatched tree does not build" >&2
  exit 2
fi
read -r base_status base_rows < <(run_check)
if [ "$base_status" != 0 ]; then
  echo "mutants: the unpatched tree already fails check all --seed $seed ($base_rows)" >&2
  exit 2
fi

printf '%-40s %-7s %-5s %s\n' "mutant" "result" "exit" "rows violated (seed $seed)"
missed=0 broken=0
for patch in "$root"/ci/mutants/$only.patch; do
  [ -e "$patch" ] || continue
  name=$(basename "$patch" .patch)
  if ! (cd "$src" && git apply "$patch"); then
    printf '%-40s %-7s %-5s %s\n' "$name" "ERROR" "-" "patch does not apply"
    broken=1
    continue
  fi
  if build_flatmin; then
    read -r status rows < <(run_check)
    if [ "$status" != 0 ]; then result=CAUGHT; else result=MISSED; missed=1; fi
    printf '%-40s %-7s %-5s %s\n' "$name" "$result" "$status" "$rows"
  else
    printf '%-40s %-7s %-5s %s\n' "$name" "ERROR" "-" "does not build (see below)"
    tail -15 "$tmp/build.log" >&2
    broken=1
  fi
  (cd "$src" && git apply -R "$patch")
done
[ "$broken" = 0 ] || exit 2
[ "$missed" = 0 ] || exit 1
