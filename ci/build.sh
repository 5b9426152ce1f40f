#!/usr/bin/env bash
# Configures and builds flatmin into a build directory (default: build/ in the checkout).
# usage: ci/build.sh [build-dir] [--target TARGET] [extra cmake arguments...]
#   --target flatmin_cli builds only the `flatmin` executable (what the figures need: the main
#   command, ci/reproduce.sh); without it, everything (tests, benchmarks, properties).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-"$root/build"}
shift || true
target=()
if [ "${1:-}" = --target ]; then
  target=(--target "$2")
  shift 2
fi
# The compiler: clang++ when it is installed and CXX is not set. It builds flatmin in about 60% of
# GCC's time, with at most 1.7 GB a compile, to the same bytes (docs/performance.md "Build");
# CXX=g++ ci/build.sh ... builds with GCC. (A build directory keeps the compiler it was
# configured with.)
if [ -z "${CXX:-}" ] && command -v clang++ >/dev/null; then
  export CXX=clang++
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Ninja for a new build directory when it is installed (an existing one keeps its generator):
# unlike make, it compiles a target's sources as soon as the precompiled header they reuse is
# built, alongside the library's, instead of after the library is linked.
generator=()
if [ ! -f "$build/CMakeCache.txt" ] && [ -z "${CMAKE_GENERATOR:-}" ] && command -v ninja >/dev/null; then
  generator=(-G Ninja)
fi
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)" "${target[@]}"
