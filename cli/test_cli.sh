#!/usr/bin/env bash
# Command-line contract of `flatmin check`: exit codes, messages, byte-identical reruns.
# usage: test_cli.sh path/to/flatmin
set -uo pipefail
bin=$1
fail=0
expect() {  # expect <exit-code> <stderr-or-stdout-substring> <args...>
  local want=$1 text=$2
  shift 2
  local out rc
  out=$("$bin" "$@" 2>&1)
  rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL: flatmin $* exited $rc, expected $want. Output:"; echo "$out"; fail=1; return
  fi
  if [ -n "$text" ] && ! grep -qF -- "$text" <<<"$out"; then
    echo "FAIL: flatmin $* did not print '$text'. Output:"; echo "$out"; fail=1; return
  fi
  echo "ok: flatmin $* -> $rc"
}

ids=$("$bin" check --list)
[ -n "$ids" ] || { echo "FAIL: flatmin check --list printed nothing"; fail=1; }
first=A.L3.1

expect 0 "HOLDS" check "$first" --trials 3 --seed 5
expect 2 "unknown catalogue id 'Z.nope'" check Z.nope
expect 2 "--trials must be between 1 and 1000000" check "$first" --trials 0
expect 2 "--trials must be between 1 and 1000000" check "$first" --trials 99999999
expect 2 "" check "$first" --trials -4
expect 2 "" check "$first" --trials many
expect 2 "unknown precision 'float'" check "$first" --precision float
expect 2 "--seed must be an unsigned 64-bit integer" check "$first" --seed -1
expect 2 "--seed must be an unsigned 64-bit integer" check "$first" --seed 12abc
expect 2 "give a catalogue id" check
expect 2 "" frobnicate
expect 1 "VIOLATED" check "$first" --control --trials 5
# a double-only build (FLATMIN_EXTENDED_PRECISION=OFF) refuses extended precision as a usage error
if "$bin" check "$first" --trials 1 --precision quad >/dev/null 2>&1; then
  expect 0 "HOLDS" check "$first" --trials 2 --precision mp50
else
  expect 2 "this build has double precision only" check "$first" --trials 1 --precision quad
fi

# same seed, same bytes (and different seeds differ)
a=$("$bin" check all --trials 2 --seed 77 --precision double)
b=$("$bin" check all --trials 2 --seed 77 --precision double)
c=$("$bin" check all --trials 2 --seed 78 --precision double)
if [ "$a" != "$b" ]; then echo "FAIL: rerun with the same seed printed different bytes"; fail=1; else echo "ok: same seed, same bytes"; fi
if [ "$a" = "$c" ]; then echo "FAIL: different seeds printed identical reports"; fail=1; else echo "ok: different seeds differ"; fi

if [ $fail = 0 ]; then echo "cli: 1 passed, 0 failed"; else echo "cli: 0 passed, 1 failed"; fi
exit $fail
