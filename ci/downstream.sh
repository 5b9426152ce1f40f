#!/usr/bin/env bash
# The installed package works for a consumer (ctest install.downstream):
#   1. cmake --install BUILD_DIR into a temporary prefix;
#   2. configure ci/downstream/ (find_package(flatmin 0.1), target_link_libraries(app PRIVATE
#      flatmin::flatmin)) with CMAKE_PREFIX_PATH = that prefix, with the build's compiler and build
#      type, and build it;
#   3. check the consumer's compile command (its compile_commands.json): flatmin's determinism flags
#      (-ffp-contract=off -fno-fast-math, EIGEN_DONT_PARALLELIZE, EIGEN_MPL2_ONLY), the ISA flags
#      (-mavx2 -mno-fma when FLATMIN_ISA=avx2), FLATMIN_DOUBLE_ONLY exactly when the build is
#      double-only, the sanitizers when it is sanitized, and the installed include directory (not
#      the source tree's);
#   4. run the app (solves a recovery instance; exit 0 only when the truth is recovered).
# Any failure says which step and why, and exits 1. The temporary directory is always removed.
# usage: ci/downstream.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fail() { echo "ci/downstream.sh: FAIL: $*" >&2; exit 1; }
[ $# -eq 1 ] || { echo "usage: ci/downstream.sh BUILD_DIR" >&2; exit 2; }
[ -f "$1/CMakeCache.txt" ] || fail "$1 is not a configured flatmin build (no CMakeCache.txt)"
build=$(cd "$1" && pwd)
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" | head -n 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flatmin-downstream.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

# 1. install
cmake --install "$build" --prefix "$prefix" > "$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "cmake --install $build failed"; }
config=$(find "$prefix" -path '*/cmake/flatmin/flatminConfig.cmake' | head -n 1)
[ -n "$config" ] || fail "no cmake/flatmin/flatminConfig.cmake under the prefix (what was installed: $(cd "$prefix" && find . -type f | sort | tr '\n' ' '))"
[ -f "$prefix/include/flatmin/solver.hpp" ] || fail "headers not installed (no include/flatmin/solver.hpp)"
echo "installed $(cd "$prefix" && find . -type f | wc -l) files; package: ${config#"$prefix"/}"

# 2. configure and build the consumer
cmake -S "$root/ci/downstream" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DCMAKE_CXX_COMPILER="$(cache_value CMAKE_CXX_COMPILER)" \
  -DCMAKE_BUILD_TYPE="$(cache_value CMAKE_BUILD_TYPE)" > "$tmp/configure.log" 2>&1 ||
  { cat "$tmp/configure.log" >&2; fail "configuring ci/downstream against the installed package failed"; }
found_dir=$(sed -n 's/^flatmin_DIR:PATH=//p' "$tmp/build/CMakeCache.txt")
case $found_dir in
  "$prefix"/*) ;;
  *) fail "find_package(flatmin) found '$found_dir', not the package just installed under $prefix" ;;
esac
cmake --build "$tmp/build" > "$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; fail "building ci/downstream against the installed package failed"; }

# 3. the consumer's compile command
command=$(grep '"command"' "$tmp/build/compile_commands.json" | grep 'main\.cpp' | head -n 1)
[ -n "$command" ] || fail "no compile command for main.cpp in the consumer's compile_commands.json"
echo "consumer compile command: $command"
missing=()
has() { case " ${command//\"/ } " in *" $1 "*) return 0 ;; esac; return 1; }
need() { has "$1" || missing+=("$1 (missing)"); }
need_not() { ! has "$1" || missing+=("$1 (present)"); }
need -ffp-contract=off
need -fno-fast-math
need -DEIGEN_DONT_PARALLELIZE
need -DEIGEN_MPL2_ONLY
if [ "$(cache_value FLATMIN_ISA)" = avx2 ]; then need -mavx2; need -mno-fma; else need_not -mavx2; fi
if [ "$(cache_value FLATMIN_EXTENDED_PRECISION)" = OFF ]; then need -DFLATMIN_DOUBLE_ONLY
else need_not -DFLATMIN_DOUBLE_ONLY; fi
if [ "$(cache_value FLATMIN_SANITIZE)" = ON ]; then need -fsanitize=address,undefined; fi
need "$prefix/include"
need_not "$root/lib/include"
need_not "-I$root/lib/include"
[ ${#missing[@]} -eq 0 ] ||
  fail "the consumer's compile command does not carry what flatmin::flatmin must give it: ${missing[*]}"

# 4. run
"$tmp/build/app" || fail "the downstream app exited with status $? (not solved or not recovered)"
echo "ci/downstream.sh: OK: installed package found, consumer built with flatmin's flags, app ran"
