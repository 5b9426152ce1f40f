#!/usr/bin/env bash
# The README's main command. Installs what is missing, builds, and runs every catalogue row on
# random instances in double and quad (`flatmin check all`), printing one line per row and
# precision. (Figure regeneration joins this command when the reproductions land.)
# usage: ci/reproduce.sh [--seed S] [--trials N] [--long]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash ci/install-deps.sh
bash ci/build.sh build
exec ./build/flatmin check all "$@"
