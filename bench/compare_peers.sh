#!/usr/bin/env bash
# flatmin side by side with the SDP solvers researchers use: CVXOPT, SDPA, CSDP, DSDP
# (bench/compare_peers.py says what is compared and how). Installs the peers with apt-get when
# they are missing, builds flatmin with ci/build.sh into build/ unless --flatmin PATH is given,
# then runs the comparison; every other argument goes to bench/compare_peers.py.
# --openblas: run CVXOPT, CSDP and DSDP with OpenBLAS (one thread) instead of the system's
# libblas.so.3 (Debian's reference BLAS here): libopenblas0-pthread is fetched with
# `apt-get download` and unpacked under /tmp/flatmin-openblas, nothing is installed.
# usage: bench/compare_peers.sh [--flatmin PATH] [--openblas] [--set issue|quick|growth|sweep]
#                               [--family F,..] [--peers LIST] [--timeout S] [--csv FILE] [--seed S]
#                               [--self-test]
# examples: bench/compare_peers.sh --set quick
#           bench/compare_peers.sh --self-test
#           bench/compare_peers.sh --flatmin /tmp/build/flatmin --set issue --csv peers.csv
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

flatmin=""
openblas=0
args=()
while (($#)); do
  case $1 in
    --flatmin) flatmin=${2:?--flatmin needs a path}; shift 2 ;;
    --flatmin=*) flatmin=${1#--flatmin=}; shift ;;
    --openblas) openblas=1; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

# Debian packages: the peers, numpy, and GNU time (peak memory of each run).
packages=(python3-numpy python3-cvxopt sdpa coinor-csdp dsdp time)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing: ${missing[*]}" >&2
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
  else
    echo "not root: cannot install ${missing[*]}; missing peers are skipped" >&2
  fi
fi

if ((openblas)); then
  dir=/tmp/flatmin-openblas
  if ! find "$dir" -name libblas.so.3 2>/dev/null | grep -q .; then
    mkdir -p "$dir"
    (cd "$dir" && apt-get download libopenblas0-pthread >&2 && dpkg-deb -x libopenblas0-pthread_*.deb .)
  fi
  args+=(--peer-blas "$(dirname "$(find "$dir" -name libblas.so.3 | head -1)")")
fi

if [[ -z $flatmin ]]; then
  bash "$root/ci/build.sh" "$root/build" >&2
  flatmin=$root/build/flatmin
fi

# Debian's python, where apt installs numpy and cvxopt (a pyenv or venv python3 would not see them).
python=/usr/bin/python3
command -v "$python" >/dev/null || python=python3
exec "$python" "$root/bench/compare_peers.py" --flatmin "$flatmin" "${args[@]}"
