#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the default test set
#   1. the release build (clang++ if installed, as ci/build.sh chooses; g++ gives the same
#      bytes): unit tests, every catalogue row's properties (double, quad, mp50, negative
#      controls), the command-line tests, the installed package (install.downstream:
#      ci/downstream.sh, also in the second build) — everything except the label "long";
#   2. an ASan + UBSan build (clang++; double precision only: FLATMIN_EXTENDED_PRECISION=OFF
#      instantiates no quad/mp50, a third of the compile; -O1; warnings not fatal there: the release
#      build enforces them) running the double-precision properties, the negative controls, the
#      unit tests, the CLI tests (repro.contract runs threads and shards on two figures there, on
#      all of them in the release build) and 60 s of libFuzzer on the instance reader, the
#      factor-file reader and the command-line parser (fuzz.inputs: ci/fuzz.sh; the fuzz targets
#      link the same objects). Leak detection is on (the double-only build never touches MPFR).
#      FLATMIN_SKIP_FUZZ=1 skips the fuzzing, FLATMIN_SKIP_SANITIZERS=1 the whole second build.
# Long stat checks: ctest --test-dir build -L long.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
start=$(date +%s)

bash ci/install-deps.sh
bash ci/build.sh build
ctest --test-dir build -LE long -j "$(nproc)" --output-on-failure --timeout 900

if [ "${FLATMIN_SKIP_SANITIZERS:-0}" != 1 ]; then
  skip='long'
  [ "${FLATMIN_SKIP_FUZZ:-0}" = 1 ] && skip='long|fuzz'
  CXX=clang++ bash ci/build.sh build-asan -DFLATMIN_SANITIZE=ON -DFLATMIN_BUILD_FUZZ=ON \
    -DFLATMIN_BUILD_BENCH=OFF -DFLATMIN_WERROR=OFF -DFLATMIN_EXTENDED_PRECISION=OFF \
    -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS='-O1 -g1'
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions="$root/ci/ubsan.supp" \
    ctest --test-dir build-asan -LE "$skip" -j "$(nproc)" --output-on-failure --timeout 900
fi
echo "flatmin: tests finished in $(( $(date +%s) - start )) s"
