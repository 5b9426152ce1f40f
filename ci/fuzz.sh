#!/usr/bin/env bash
# Fuzzes flatmin's readers with libFuzzer under ASan + UBSan for a bounded time shared by three
# targets (a third each); exits non-zero on a finding:
#   fuzz_instance  the instance reader (parse_instance, lib/src/instance.cpp)
#   fuzz_factors   the factor-file reader (parse_factors, lib/src/factors_io.cpp)
#   fuzz_cli       the command-line parser (run_cli with parse_only, cli/app.cpp): no action runs
# usage: ci/fuzz.sh [seconds (default 60, shared)] [build directory (default build-asan/)]
#
# The targets are CMake targets of a clang++ ASan/UBSan build (fuzz/CMakeLists.txt). If the build
# directory has none, it is configured here (clang++, FLATMIN_SANITIZE, FLATMIN_BUILD_FUZZ, double
# precision only) and the three targets are built; ci/test.sh's sanitizer build has them already.
# The seed corpora are fuzz/corpus/ (instance files of every family, written by `flatmin
# instance`, plus hand-written edge cases), fuzz/corpus-factors/ (first byte: the shape) and
# fuzz/corpus-cli/ (one argument a line); the corpora libFuzzer grows are kept in
# <build>/fuzz-work/corpus-<target> across runs (delete them to start over).
# A finding (crash, sanitizer report, leak, an exception other than InvalidArgument, a
# round-trip mismatch, a 10 s timeout, 2 GB of memory) leaves its input in <build>/fuzz-work/ as
# <target>-crash-*, -leak-*, -timeout-* or -oom-*; replay with <build>/fuzz/<target> <that file>.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
build=${2:-"$root/build-asan"}
targets=(fuzz_instance fuzz_factors fuzz_cli)

if [ ! -x "$build/fuzz/fuzz_cli" ] || [ ! -x "$build/fuzz/fuzz_instance" ] || [ ! -x "$build/fuzz/fuzz_factors" ]; then
  command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (ci/install-deps.sh installs clang)" >&2; exit 1; }
  start=$(date +%s)
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  CXX=clang++ cmake -S "$root" -B "$build" "${launcher[@]}" -DFLATMIN_SANITIZE=ON -DFLATMIN_BUILD_FUZZ=ON \
    -DFLATMIN_EXTENDED_PRECISION=OFF -DFLATMIN_BUILD_BENCH=OFF -DFLATMIN_WERROR=OFF \
    -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS='-O1 -g1' >/dev/null
  cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
  echo "fuzz: built ${targets[*]} in $(( $(date +%s) - start )) s"
fi

work="$build/fuzz-work"
mkdir -p "$work"
declare -A target_corpus=([fuzz_instance]=corpus [fuzz_factors]=corpus-factors [fuzz_cli]=corpus-cli)
declare -A target_dict=([fuzz_instance]="-dict=$root/fuzz/instance.dict")
per=$(( seconds / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1
status_all=0
for t in "${targets[@]}"; do
  corpus="$work/corpus-$t"
  mkdir -p "$corpus"
  cp "$root/fuzz/${target_corpus[$t]}"/* "$corpus/"
  log="$work/$t.log"
  status=0
  # ${target_dict[$t]:-} is one word or none
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions="$root/ci/ubsan.supp" "$build/fuzz/$t" "$corpus" ${target_dict[$t]:-} \
    -max_total_time="$per" -rss_limit_mb=2048 -timeout=10 -max_len=16384 \
    -artifact_prefix="$work/$t-" -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$status" != 0 ]; then
    tail -n 60 "$log"
    echo "fuzz: $t: FINDING after ${execs:-?} executions (exit $status); reproducer in $work/; log $log" >&2
    status_all=1
    continue
  fi
  echo "fuzz: $t: ${execs:-?} executions in $per s, corpus $(ls "$corpus" | wc -l) files, no finding"
done
exit $status_all
