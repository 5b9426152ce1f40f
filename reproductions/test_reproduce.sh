#!/usr/bin/env bash
# The reproducibility contract of `flatmin reproduce` (ctest repro.contract):
#  * the quick-scale figures match the committed manifest (--verify);
#  * the same bytes with 1 and 2 threads, and from shards 1/3, 2/3, 3/3 merged;
#  * under mpirun -np 2 (when this build has MPI and mpirun exists);
#  * the progress line: cells done, rate and time left on a terminal (a pseudo-terminal from
#    util-linux `script`), nothing when stderr is not a terminal, the same bytes either way;
#  * bad input: unknown figure, bad shard specs, unwritable folder, missing shard, a shard of
#    another build, a malformed record in a shard, a manifest that does not match: a message, a
#    non-zero exit, and no file left looking complete.
# usage: test_reproduce.sh path/to/flatmin
set -uo pipefail
flatmin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() {  # check <description> <expected exit> <command...>
  local what=$1 want=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, expected $want"
    sed 's/^/  | /' "$work/out" "$work/err" | head -20
    fail=1
  else
    echo "ok: $what (exit $got)"
  fi
}
numbers() {  # the hashed files of a folder, with their hashes
  (cd "$1" && ls | grep -v -E '\.(png|svg)$' | grep -v '\.shard-' | sort | xargs sha256sum)
}
same() {  # same <description> <dir1> <dir2>
  if diff <(numbers "$2") <(numbers "$3") >"$work/diff"; then
    echo "ok: $1"
  else
    echo "FAIL: $1"; sed 's/^/  | /' "$work/diff" | head -20; fail=1
  fi
}

# 1. quick scale against the manifest, all figures, 2 threads
check "quick scale matches the manifest" 0 "$flatmin" reproduce all --scale quick --threads 2 --verify --out "$work/t2"
grep -q "verify: all" "$work/out" || { echo "FAIL: no verify line"; fail=1; }
for f in A-fig1 A-fig2 A-fig3 A-fig4 A-rpca A-noise B-fig1 B-fig2 depth B-thm4; do
  for ext in csv caption.txt png svg; do
    [ -s "$work/t2/$f.$ext" ] || { echo "FAIL: $f.$ext missing or empty"; fail=1; }
  done
done
ls -A "$work/t2" | grep -q '\.tmp\.' && { echo "FAIL: temporary files left"; fail=1; }

# Steps 2 and 3 run every figure again, once per thread count and shard. In a sanitizer build
# (FLATMIN_TEST_SANITIZED=1, set by CMake) they run two figures (A-noise's shards are used in
# step 5): the threads, shards and merge are the same code for every figure, and the release
# build checks the bytes of all of them.
if [ "${FLATMIN_TEST_SANITIZED:-0}" = 1 ]; then
  again=(A-fig3 A-noise)
  mkdir -p "$work/t2again" && cp "$work/t2"/A-fig3* "$work/t2"/A-noise* "$work/t2again"/
else
  again=(all)
  ln -s "$work/t2" "$work/t2again"
fi

# 2. one thread, no pictures
check "quick scale, 1 thread" 0 "$flatmin" reproduce "${again[@]}" --scale quick --threads 1 --no-draw --out "$work/t1"
same "1 thread == 2 threads" "$work/t1" "$work/t2again"
# stderr was a file: no progress line
if grep -q 'cells/s' "$work/err"; then
  echo "FAIL: a progress line although stderr is not a terminal"; sed 's/^/  | /' "$work/err" | head -5; fail=1
else
  echo "ok: no progress line when stderr is not a terminal"
fi

# 3. shards 1/3..3/3, then merge
for i in 1 2 3; do
  check "shard $i/3" 0 "$flatmin" reproduce "${again[@]}" --scale quick --shard "$i/3" --out "$work/sh"
done
check "merge of 3 shards" 0 "$flatmin" reproduce "${again[@]}" --scale quick --merge --no-draw --out "$work/sh"
mkdir -p "$work/shn" && cp "$work/sh"/* "$work/shn"/ 2>/dev/null; rm -f "$work/shn"/*.shard-*
same "3 shards merged == one run" "$work/shn" "$work/t2again"

# 4. MPI
# (grep reads all of ldd's output: with grep -q, ldd could die of SIGPIPE and pipefail would
# skip the test at random)
if [ "${FLATMIN_TEST_SKIP_MPI:-0}" != 1 ] && command -v mpirun >/dev/null && ldd "$flatmin" | grep libmpi >/dev/null; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  check "mpirun -np 2" 0 mpirun --oversubscribe -np 2 "$flatmin" reproduce A-fig3 A-fig4 --scale quick --threads 1 --no-draw --out "$work/mpi"
  mkdir -p "$work/t2sub" && cp "$work/t2"/A-fig3* "$work/t2"/A-fig4* "$work/t2sub"/
  same "mpirun -np 2 == one run" "$work/mpi" "$work/t2sub"
else
  echo "skipped: mpirun -np 2 (no MPI in this build, no mpirun, or FLATMIN_TEST_SKIP_MPI=1)"
fi

# 4b. the progress line on a terminal
if command -v script >/dev/null; then
  script -qec "'$flatmin' reproduce A-fig3 --scale quick --threads 1 --no-draw --out '$work/tty'" \
    /dev/null >"$work/tty.log" 2>&1
  got=$?
  # e.g. "A-recovery [#####.....] 12/40 cells  9.71 cells/s  0:03 left", then "A-recovery: 40 cells in 0:04"
  if [ "$got" -eq 0 ] &&
     grep -aqE '\[[#.]{30}\] [0-9]+/[0-9]+ cells +[0-9]+\.[0-9]{2} cells/s +(([0-9]+:)?[0-9]+:[0-9]{2}|--:--) left' "$work/tty.log" &&
     grep -aqE ': [0-9]+ cells in [0-9]+:[0-9]{2}' "$work/tty.log"; then
    echo "ok: progress line on a terminal"
  else
    echo "FAIL: progress line on a terminal (exit $got)"; tr '\r' '\n' <"$work/tty.log" | sed 's/^/  | /' | head -10; fail=1
  fi
  mkdir -p "$work/t2fig3" && cp "$work/t2"/A-fig3* "$work/t2fig3"/
  same "on a terminal == one run" "$work/tty" "$work/t2fig3"
else
  echo "skipped: progress line on a terminal (no util-linux script)"
fi

# 5. bad input
check "unknown figure" 2 "$flatmin" reproduce A-fig9 --out "$work/bad"
grep -q "unknown figure 'A-fig9'" "$work/err" || { echo "FAIL: message does not name the figure"; fail=1; }
check "shard 3/2" 2 "$flatmin" reproduce A-fig1 --shard 3/2 --out "$work/bad"
check "shard 0/0" 2 "$flatmin" reproduce A-fig1 --shard 0/0 --out "$work/bad"
check "shard x" 2 "$flatmin" reproduce A-fig1 --shard 1-2 --out "$work/bad"
check "unknown scale" 2 "$flatmin" reproduce A-fig1 --scale huge --out "$work/bad"
[ -e "$work/bad" ] && [ -n "$(ls -A "$work/bad")" ] && { echo "FAIL: files written on bad input"; fail=1; }
check "unwritable folder" 2 "$flatmin" reproduce A-fig1 --out /proc/flatmin-cannot-write
grep -q "cannot" "$work/err" || { echo "FAIL: no message for the unwritable folder"; fail=1; }
check "merge without shards" 2 "$flatmin" reproduce A-fig3 --merge --out "$work/empty"
rm -f "$work/sh"/A-recovery.quick.shard-2-of-3
check "merge with a shard missing" 2 "$flatmin" reproduce A-fig3 --scale quick --merge --out "$work/sh"
grep -q "shard 2/3" "$work/err" || { echo "FAIL: the missing shard is not named"; fail=1; }
# A shard computed by another build (here: its header says SSE2, or another version) must not be
# merged with this build's: the bytes of the two agree to rounding only (README "Determinism").
mkdir -p "$work/isa" && cp "$work/sh"/A-recovery.quick.shard-*-of-3 "$work/isa"/
sed -i '1s/ (x86-64 [^)]*)$/ (x86-64 other ISA)/' "$work/isa"/A-recovery.quick.shard-1-of-3
head -1 "$work/isa"/A-recovery.quick.shard-1-of-3 | grep -q "other ISA" ||
  { echo "FAIL: the shard header does not end with the ISA"; fail=1; }
"$flatmin" reproduce A-fig3 --scale quick --shard 2/3 --out "$work/isa" >/dev/null 2>&1
check "merge of a shard from another ISA" 2 "$flatmin" reproduce A-fig3 --scale quick --merge --out "$work/isa"
grep -q "shard-1-of-3: header .* does not match" "$work/err" ||
  { echo "FAIL: the foreign shard is not named"; fail=1; }
# A shard file carries each cell's record as exact text (reproductions/record.hpp); a record
# that does not parse (here: a hexadecimal float spoilt, the length unchanged) is refused, naming
# the file and the cell.
mkdir -p "$work/rec" && cp "$work/sh"/A-noise.quick.shard-*-of-3 "$work/rec"/
grep -q '0x' "$work/rec/A-noise.quick.shard-1-of-3" || { echo "FAIL: no hexadecimal float in the shard"; fail=1; }
sed -i '3s/0x/0y/' "$work/rec/A-noise.quick.shard-1-of-3"
check "merge of a shard with a malformed record" 2 "$flatmin" reproduce A-noise --scale quick --merge --no-draw --out "$work/rec"
grep -q "A-noise.quick.shard-1-of-3: cell 0: malformed cell record" "$work/err" ||
  { echo "FAIL: the malformed record is not named"; sed 's/^/  | /' "$work/err"; fail=1; }
[ -e "$work/rec/A-noise.csv" ] && { echo "FAIL: a figure was written from a malformed shard"; fail=1; }
sed 's/^[0-9a-f]\{8\}/00000000/' "$(dirname "$0")/manifest.sha256" >"$work/manifest.bad"
check "manifest mismatch" 1 "$flatmin" reproduce A-fig1 --scale quick --verify --no-draw --manifest "$work/manifest.bad" --out "$work/mm"
grep -q "DIFFERS quick/A-fig1.csv" "$work/out" || { echo "FAIL: the differing file is not named"; fail=1; }
check "missing manifest" 2 "$flatmin" reproduce A-fig1 --verify --manifest "$work/none" --out "$work/mm2"

exit $fail
