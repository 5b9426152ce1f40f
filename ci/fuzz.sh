#!/usr/bin/env bash
# Fuzzes the instance reader (parse_instance, lib/src/instance.cpp) with libFuzzer under ASan +
# UBSan for a bounded time; exits non-zero on a finding.
# usage: ci/fuzz.sh [seconds (default 60)] [work directory (default build-fuzz/)]
#
# The main build uses g++, so the fuzz target is compiled here directly with clang++ (Debian's
# clang 14 + libclang-rt-14-dev, installed by ci/install-deps.sh): fuzz/fuzz_instance.cpp and
# the only library sources it needs (instance, atomic_file, sensing, rng, linalg_double), double
# precision only, -O1, through ccache when available. The seed corpus is fuzz/corpus/ (small valid files
# of every family, written by `flatmin instance`, plus hand-written edge cases); the corpus
# libFuzzer grows is kept in <work>/corpus across runs (delete it to start over).
# A finding (crash, sanitizer report, leak, an exception other than InvalidArgument, a
# round-trip mismatch, a 10 s timeout, 2 GB of memory) leaves its input in <work>/ as
# crash-*, leak-*, timeout-* or oom-*; replay with <work>/fuzz_instance <that file>.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
work=${2:-"$root/build-fuzz"}
mkdir -p "$work/obj" "$work/corpus"
work=$(cd "$work" && pwd)
# compile from the root whoever calls (ctest runs in the build tree): with -g, ccache hashes the
# working directory, so a fixed one lets every caller share the cache
cd "$root"

cxx=${FLATMIN_FUZZ_CXX:-clang++}
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found (ci/install-deps.sh installs clang)" >&2; exit 1; }
launcher=()
command -v ccache >/dev/null && launcher=(ccache)
# scalar.hpp includes Boost's float128, whose <quadmath.h> is GCC's private header
gcc_include=$(gcc -print-file-name=include)
flags=(-std=gnu++17 -O1 -g -fno-omit-frame-pointer -ffp-contract=off
       -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
       -DFLATMIN_DOUBLE_ONLY -DEIGEN_DONT_PARALLELIZE -DEIGEN_MPL2_ONLY
       -I"$root/lib/include" -isystem /usr/include/eigen3 -idirafter "$gcc_include")
sources=(fuzz/fuzz_instance.cpp lib/src/instance.cpp lib/src/atomic_file.cpp lib/src/sensing.cpp
         lib/src/rng.cpp lib/src/linalg_double.cpp)

# compile, two translation units at a time (the machine has 2 cores)
start=$(date +%s)
objs=()
pids=()
for src in "${sources[@]}"; do
  obj="$work/obj/$(basename "$src" .cpp).o"
  objs+=("$obj")
  "${launcher[@]}" "$cxx" "${flags[@]}" -c "$root/$src" -o "$obj" &
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
"$cxx" -fsanitize=fuzzer,address,undefined "${objs[@]}" -lmpfr -lgmp -lquadmath -o "$work/fuzz_instance"
echo "fuzz: built $work/fuzz_instance in $(( $(date +%s) - start )) s"

cp "$root"/fuzz/corpus/* "$work/corpus/"
log="$work/fuzz.log"
status=0
UBSAN_OPTIONS=print_stacktrace=1 "$work/fuzz_instance" "$work/corpus" \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=16384 \
  -dict="$root/fuzz/instance.dict" -artifact_prefix="$work/" -print_final_stats=1 \
  >"$log" 2>&1 || status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
if [ "$status" != 0 ]; then
  tail -n 60 "$log"
  echo "fuzz: FINDING after ${execs:-?} executions (exit $status); reproducer in $work/; log $log" >&2
  exit 1
fi
echo "fuzz: parse_instance: ${execs:-?} executions in $seconds s, corpus $(ls "$work/corpus" | wc -l) files, no finding"
