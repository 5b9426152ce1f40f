#!/usr/bin/env bash
# Fuzzes flatmin's readers with libFuzzer under ASan + UBSan for a bounded time shared by three
# targets (a third each); exits non-zero on a finding:
#   fuzz_instance  the instance reader (parse_instance, lib/src/instance.cpp)
#   fuzz_factors   the factor-file reader (parse_factors, lib/src/factors_io.cpp)
#   fuzz_cli       the command-line parser (run_cli with parse_only, cli/app.cpp): no action runs
# usage: ci/fuzz.sh [seconds (default 60, shared)] [work directory (default build-fuzz/)]
#
# The main build uses g++, so the fuzz targets are compiled here directly with clang++ (Debian's
# clang 14 + libclang-rt-14-dev, installed by ci/install-deps.sh): each target and the library
# sources it needs, double precision only, -O1, through ccache when available (fuzz_cli links the
# whole library, the figures and the CLI: its first build takes minutes, later ones hit ccache).
# The seed corpora are fuzz/corpus/ (instance files of every family, written by `flatmin
# instance`, plus hand-written edge cases), fuzz/corpus-factors/ (first byte: the shape) and
# fuzz/corpus-cli/ (one argument a line); the corpora libFuzzer grows are kept in
# <work>/corpus-<target> across runs (delete them to start over).
# A finding (crash, sanitizer report, leak, an exception other than InvalidArgument, a
# round-trip mismatch, a 10 s timeout, 2 GB of memory) leaves its input in <work>/ as
# <target>-crash-*, -leak-*, -timeout-* or -oom-*; replay with <work>/<target> <that file>.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
work=${2:-"$root/build-fuzz"}
mkdir -p "$work/obj"
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
       -I"$root/lib/include" -I"$root/cli" -I"$root/reproductions" -isystem /usr/include/eigen3
       -idirafter "$gcc_include" -DFLATMIN_SOURCE_DIR=\"$root\" -DFLATMIN_VERSION=\"fuzz\")
# the library sources (lib/CMakeLists.txt), the figures' (reproductions/CMakeLists.txt), the CLI's
lib_sources=($(sed -n 's|^  \(src/.*\.cpp\)$|lib/\1|p' lib/CMakeLists.txt))
repro_sources=($(sed -n 's|^add_library(flatmin_repro STATIC \(.*\))$|\1|p' reproductions/CMakeLists.txt))
repro_sources=("${repro_sources[@]/#/reproductions/}")
cli_sources=(cli/app.cpp cli/cmd_check.cpp cli/cmd_instance.cpp cli/cmd_solve.cpp
             cli/cmd_reproduce.cpp cli/cmd_train.cpp)
reader_sources=(lib/src/instance.cpp lib/src/atomic_file.cpp lib/src/text_file.cpp lib/src/sensing.cpp lib/src/rng.cpp
                lib/src/linalg_double.cpp)
declare -A target_sources=(
  [fuzz_instance]="fuzz/fuzz_instance.cpp ${reader_sources[*]}"
  [fuzz_factors]="fuzz/fuzz_factors.cpp lib/src/factors_io.cpp ${reader_sources[*]}"
  [fuzz_cli]="fuzz/fuzz_cli.cpp ${cli_sources[*]} ${lib_sources[*]} ${repro_sources[*]}"
)
declare -A target_corpus=([fuzz_instance]=corpus [fuzz_factors]=corpus-factors [fuzz_cli]=corpus-cli)
declare -A target_dict=([fuzz_instance]="-dict=$root/fuzz/instance.dict")
targets=(fuzz_instance fuzz_factors fuzz_cli)

# compile every source once (objects are shared between targets), two at a time (2 cores)
start=$(date +%s)
declare -A seen=()
pids=()
for t in "${targets[@]}"; do
  for src in ${target_sources[$t]}; do
    [ -n "${seen[$src]+x}" ] && continue
    seen[$src]=1
    obj="$work/obj/$(echo "$src" | tr / _ | sed 's/\.cpp$/.o/')"
    "${launcher[@]}" "$cxx" "${flags[@]}" -c "$root/$src" -o "$obj" &
    pids+=($!)
    if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  done
done
for p in "${pids[@]}"; do wait "$p"; done
for t in "${targets[@]}"; do
  objs=()
  for src in ${target_sources[$t]}; do objs+=("$work/obj/$(echo "$src" | tr / _ | sed 's/\.cpp$/.o/')"); done
  "$cxx" -fsanitize=fuzzer,address,undefined "${objs[@]}" -lmpfr -lgmp -lquadmath -lcrypto \
    -o "$work/$t"
done
echo "fuzz: built ${targets[*]} in $(( $(date +%s) - start )) s"

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
  UBSAN_OPTIONS=print_stacktrace=1 "$work/$t" "$corpus" ${target_dict[$t]:-} \
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
