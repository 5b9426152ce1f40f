#!/usr/bin/env bash
# Hostile inputs, arguments and memory (issue 29): every bad argument, every special file for
# every reader, absurd sizes, number syntax in factor files, memory refusals, and check's "no
# applicable trial" status. Each case must end in its documented exit status with a message
# (never a hang, an abort, exit 3 or "internal error"); at the end the counts per class.
# usage: test_inputs.sh path/to/flatmin
#
# Every command runs under `timeout` (a FIFO without a writer would block a reader that opens it)
# and `ulimit -v` (reading /dev/zero without a bound would otherwise eat the machine's memory).
set -uo pipefail
bin=$1
fail=0
declare -A tried=() handled=()
classes=()
out=""

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# An AddressSanitizer build (the ASan/UBSan run of ci/test.sh) reserves terabytes of address space
# for its shadow memory at start: under `ulimit -v` it cannot start. There the time limit alone
# bounds each run, and the address-space cap case below is skipped (with the reason printed).
asan=0
# g++ links the ASan runtime as libasan.so, clang++ statically: both leave __asan_init in the binary
if grep -qa __asan_init "$bin"; then asan=1; echo "note: AddressSanitizer build: no ulimit -v"; fi

# run <vm-limit-kB> <args...>: flatmin under the limits; sets $out (stdout + stderr) and $rc
run() {
  local vm=$1
  shift
  if [ "$asan" = 1 ]; then
    out=$(timeout 60 "$bin" "$@" 2>&1)
  else
    out=$( (ulimit -v "$vm"; timeout 60 "$bin" "$@") 2>&1)
  fi
  rc=$?
}

# expect <class> <exit-code> <substring> <args...>
expect() {
  local class=$1 want=$2 text=$3
  shift 3
  [ -n "${tried[$class]+x}" ] || { classes+=("$class"); tried[$class]=0; handled[$class]=0; }
  tried[$class]=$((tried[$class] + 1))
  run 3000000 "$@"
  local why=""
  if [ "$rc" != "$want" ]; then why="exited $rc, expected $want"
  elif [ -n "$text" ] && ! grep -qF -- "$text" <<<"$out"; then why="did not print '$text'"
  elif grep -qF "internal error" <<<"$out"; then why="printed 'internal error'"
  elif [ "${#out}" -gt 4000 ]; then why="printed ${#out} bytes (a message must be bounded)"
  fi
  if [ -n "$why" ]; then
    echo "FAIL [$class]: flatmin $* $why. Output (first 600 bytes):"; echo "${out:0:600}"
    fail=1
    return
  fi
  handled[$class]=$((handled[$class] + 1))
  echo "ok [$class]: flatmin $* -> $rc"
}

row=A.L3.1

# ---- arguments: seeds and counts by one parser (decimal digits, in range), exit 2 naming them
for s in -1 18446744073709551616 0x10 1e3 +1 ' 1' ''; do
  expect arguments 2 "--seed must be an unsigned 64-bit integer, got '$s'" check "$row" --trials 1 --seed "$s"
  expect arguments 2 "--seed must be an unsigned 64-bit integer" train --optimizer sgd --step-size 0.01 --steps 1 --seed "$s"
  expect arguments 2 "--instance-seed must be an unsigned 64-bit integer" train --optimizer sgd --step-size 0.01 --steps 1 --instance-seed "$s"
  expect arguments 2 "--seed must be an unsigned 64-bit integer" instance gaussian --d 3 --m 3 --rank 1 --seed "$s" --out "$tmp/x.txt"
done
for n in -1 0 1000001 18446744073709551617 0x10 010x 2.0 1e3; do
  expect arguments 2 "check: --trials must be an integer between 1 and 1000000, got '$n'" check "$row" --trials "$n"
done
for n in -1 0x10 99999999999999999999 1e9 10000001; do
  expect arguments 2 "--max-iterations must be an integer between 1 and 10000000" solve "$tmp/none.txt" --max-iterations "$n"
done
expect arguments 2 "--threads must be an integer between 0 and 1024" reproduce A-fig1 --threads -1
expect arguments 2 "--threads must be an integer between 0 and 1024" reproduce A-fig1 --threads 0x2
expect arguments 2 "--d must be an integer between 1 and 200, got '1e9'" train --optimizer sgd --step-size 0.01 --d 1e9
expect arguments 2 "--d must be an integer between 1 and 200" train --optimizer sgd --step-size 0.01 --d 1000000000
expect arguments 2 "--steps must be an integer between 0 and 1000000000, got '1e30'" train --optimizer sgd --step-size 0.01 --steps 1e30
expect arguments 2 "--steps must be an integer between 0 and 1000000000" train --optimizer sgd --step-size 0.01 --steps -5
expect arguments 2 "--log-every must be an integer between 0 and 1000000000" train --optimizer sgd --step-size 0.01 --log-every -1
expect arguments 2 "--width must be an integer between 0 and 1000000" train --optimizer sgd --step-size 0.01 --width -3
expect arguments 2 "--depth must be an integer between 1 and 64" train --optimizer sgd --step-size 0.01 --depth 0x3
for x in inf -inf nan 1e999 0x1p-3; do
  expect arguments 2 "--step-size must be a finite number, got '$x'" train --optimizer sgd --steps 1 --step-size "$x"
  expect arguments 2 "--init-scale must be a finite number >= 0, got '$x'" train --optimizer sgd --step-size 0.01 --steps 1 --init-scale "$x"
  expect arguments 2 "--noise must be a finite number >= 0, got '$x'" solve "$tmp/none.txt" --noise "$x"
done
# --flat needs depth 2: refused before training (a run of 10^8 updates would time out)
expect arguments 2 "depth 2 only, got --depth 3" train --optimizer gd --step-size 0.001 --depth 3 --steps 100000000 --flat
# --cell-times where it cannot be written: refused before the run
expect arguments 2 "cannot write $tmp/no-such-dir/t.tsv: No such file or directory" reproduce A-fig1 --scale quick --no-draw --out "$tmp/r" --cell-times "$tmp/no-such-dir/t.tsv"
mkdir -p "$tmp/ctdir"
expect arguments 2 "refusing to write $tmp/ctdir: it is a directory" reproduce A-fig1 --scale quick --no-draw --out "$tmp/r" --cell-times "$tmp/ctdir"
expect arguments 2 "refusing to write /dev/full: it is a character device" reproduce A-fig1 --scale quick --no-draw --out "$tmp/r" --cell-times /dev/full
for v in 0 -5 1Q abc 99999999999999999999T; do
  expect arguments 2 "--memory-limit must be 'auto' or a positive number of bytes" solve "$tmp/none.txt" --memory-limit "$v"
done
# unknown commands and misspelt options name what was meant; --version; numeric types in --help
expect arguments 2 "unknown command 'frobnicate'. The commands are check, instance, solve, eval, reproduce, train" frobnicate
expect arguments 2 "unknown command 'chekc'; did you mean 'check'?" chekc "$row"
expect arguments 2 "did you mean --trials (not --tirals)?" check "$row" --tirals 3
expect arguments 2 "did you mean --method (not --metod)?" solve "$tmp/none.txt" --metod flat
expect arguments 2 "check: --trials must be an integer between 1 and 1000000, got 'abc'" check "$row" --trials abc
expect arguments 0 "flatmin 0.1.0 (x86-64" --version
for c in check instance solve eval reproduce train; do
  run 3000000 "$c" --help
  tried[arguments]=$((tried[arguments] + 1))
  if [ "$rc" = 0 ] && ! grep -E -- '--(trials|seed|d|m|p|rank|max-iterations|noise|threads|steps|step-size|depth|width|batch|log-every|init-scale|label-noise|sam-radius) TEXT' <<<"$out"; then
    handled[arguments]=$((handled[arguments] + 1)); echo "ok [arguments]: $c --help: numeric options typed (no TEXT)"
  else
    echo "FAIL [arguments]: $c --help exited $rc or shows a numeric option as TEXT"; fail=1
  fi
done

# ---- special files: each reader refuses what is not a regular file, before opening it
"$bin" instance gaussian --d 3 --m 12 --rank 1 --seed 2 --out "$tmp/inst.txt" >/dev/null
mkfifo "$tmp/fifo"
mkdir -p "$tmp/dir"
specials=("/dev/zero:a character device" "/dev/urandom:a character device"
          "$tmp/fifo:a FIFO" "$tmp/dir:a directory")
for entry in "${specials[@]}"; do
  f=${entry%%:*} kind=${entry#*:}
  expect special-files 2 "cannot read '$f': it is $kind" solve "$f"
  expect special-files 2 "cannot read '$f': it is $kind" train --instance "$f" --optimizer sgd --step-size 0.01
  expect special-files 2 "cannot read '$f': it is $kind" eval "$tmp/inst.txt" --factors "$f"
  expect special-files 2 "cannot read '$f': it is $kind" reproduce A-fig1 --scale quick --no-draw --out "$tmp/r" --verify --manifest "$f"
  # a shard file of A-fig3's sweep that is a symbolic link to a special file (refused as a link,
  # before it is opened; a FIFO itself in place of a shard: ci/test_reliability.sh)
  rm -rf "$tmp/sh" && mkdir -p "$tmp/sh"
  ln -s "$f" "$tmp/sh/A-recovery.quick.shard-1-of-1"
  expect special-files 2 "A-recovery.quick.shard-1-of-1 is a symbolic link, not a shard file" reproduce A-fig3 --scale quick --merge --no-draw --out "$tmp/sh"
done

# ---- sizes: a 100 MB line without a newline, a file beyond the 2 GiB limit (sparse)
head -c 100000000 /dev/zero | tr '\0' '7' > "$tmp/long.txt"
expect long-lines 2 "long.txt:1: expected family" solve "$tmp/long.txt"
expect long-lines 2 "long.txt:1: expected a finite real number, got '77777777" eval "$tmp/inst.txt" --factors "$tmp/long.txt"
expect long-lines 2 "is larger than 16777216 bytes" reproduce A-fig1 --scale quick --no-draw --out "$tmp/r" --verify --manifest "$tmp/long.txt"
truncate -s 3G "$tmp/huge.txt"
expect long-lines 2 "is larger than 2147483648 bytes" solve "$tmp/huge.txt"
expect long-lines 2 "is larger than 2147483648 bytes" eval "$tmp/inst.txt" --factors "$tmp/huge.txt"
expect long-lines 2 "is larger than 16777216 bytes" reproduce A-fig1 --scale quick --no-draw --out "$tmp/r" --verify --manifest "$tmp/huge.txt"
rm -f "$tmp/huge.txt" "$tmp/long.txt"

# ---- number syntax: factor files read numbers exactly as instance files do
# (d1 = d2 = 3, k = 1: six rows)
factors() { printf '%s\n' "$@" > "$tmp/f.txt"; }
factors 1 0 0 1 0 4.9e-324
expect number-syntax 0 '"k":1' eval "$tmp/inst.txt" --factors "$tmp/f.txt" --json
sed '2s/^[^ ]*/4.9e-324/' "$tmp/inst.txt" > "$tmp/inst-sub.txt"
expect number-syntax 0 '"k":1' eval "$tmp/inst-sub.txt" --factors "$tmp/f.txt" --json
for bad in 0x1p0 0X10 nan inf -infinity 1e999 1,5 1_0 ++1; do
  factors 1 0 0 1 0 "$bad"
  expect number-syntax 2 "f.txt:6: expected a finite real number, got '$bad'" eval "$tmp/inst.txt" --factors "$tmp/f.txt"
  sed "2s/^[^ ]*/$bad/" "$tmp/inst.txt" > "$tmp/inst-bad.txt"
  expect number-syntax 2 "inst-bad.txt:2: expected M[0][0] (a finite real number), got '$bad'" solve "$tmp/inst-bad.txt"
done
printf '1\n0\n0\n1\n0\n\001\002\377\n' > "$tmp/f.txt"
expect number-syntax 2 "f.txt:6: expected a finite real number, got '\\x01\\x02\\xff'" eval "$tmp/inst.txt" --factors "$tmp/f.txt"
head -c 3000 /dev/urandom | tr -d ' \n\t\r\v\f' > "$tmp/f.txt"
expect number-syntax 2 "f.txt:1: expected a finite real number" eval "$tmp/inst.txt" --factors "$tmp/f.txt"

# ---- scale: finite numbers whose products overflow double name the option or the file (a
# training run diverges at a named update), never an internal function
for e in 1e100 1e150 1e155 1e200 1e300; do
  expect scale 1 "diverged" train --optimizer sgd --step-size 0.01 --steps 10 --init-scale "$e"
  expect scale 1 "diverged" train --optimizer sam --depth 3 --step-size 0.01 --steps 10 --init-scale "$e"
done
for e in 1e160 1e200 1e300; do
  factors "$e" 0 0 "$e" 1 1
  expect scale 2 "f.txt: the factors' products overflow double" eval "$tmp/inst.txt" --factors "$tmp/f.txt"
done
expect scale 1 "diverged: the end-to-end matrix E(W) overflows" train --optimizer gd --step-size 0.01 --steps 10 --init-scale 1e200

# ---- memory: estimated before allocating, refused with the need and the limit (exit 2)
# completion with d2 = 100000 and three entries: 3.3 MB of text, D2 alone would be 80 GB
{ echo "completion 4 100000 3 1 0"
  for i in 1 2 3 4; do printf '0 %.0s' $(seq 100000); echo; done
  printf '0 0\n0 1\n0 2\n1 1 1\n'; } > "$tmp/wide.txt"
expect memory 2 "more than the limit" solve "$tmp/wide.txt" --method flat
yes 1 | head -n 100004 > "$tmp/wide-factors.txt"
expect memory 2 "more than the limit" eval "$tmp/wide.txt" --factors "$tmp/wide-factors.txt"
# the nuclear method forms no d2 x d2 matrix: the same file is solved, not refused
expect memory 0 "status: solved" solve "$tmp/wide.txt"
factors 1 0 0 1 0 1
expect memory 2 "more than the limit 100 bytes (--memory-limit)" solve "$tmp/inst.txt" --memory-limit 100
expect memory 2 "more than the limit 100 bytes (--memory-limit)" eval "$tmp/inst.txt" --factors "$tmp/f.txt" --memory-limit 100
expect memory 2 "instance: gaussian with d = 2000, m = 50 needs about" instance gaussian --d 2000 --m 50 --rank 1 --memory-limit 1G --out "$tmp/big.txt"
FLATMIN_MEMORY_LIMIT=1G expect memory 2 "instance: gaussian with d = 2000, m = 50 needs about" instance gaussian --d 2000 --m 50 --rank 1 --out "$tmp/big.txt"
expect memory 2 "1000000002 log records needs about" train --optimizer sgd --step-size 0.01 --steps 1000000000 --log-every 1
expect memory 2 "training depth 3, width 100000" train --optimizer sgd --step-size 0.01 --depth 3 --width 100000
# the last resort: an allocation that fails anyway (address space capped below the estimate's
# limit) is "out of memory", exit 2, never an abort or "internal error"
if [ "$asan" = 1 ]; then
  echo "skipped [memory]: the address-space cap needs ulimit -v, which an AddressSanitizer build cannot run under"
else
tried[memory]=$((tried[memory] + 1))
out=$( (ulimit -v 1500000; FLATMIN_MEMORY_LIMIT=1T timeout 60 "$bin" instance gaussian --d 2000 --m 50 --rank 1 --out "$tmp/big.txt") 2>&1)
rc=$?
if [ "$rc" = 2 ] && grep -qF "out of memory" <<<"$out" && ! grep -qF "internal error" <<<"$out"; then
  handled[memory]=$((handled[memory] + 1)); echo "ok [memory]: std::bad_alloc -> out of memory, exit 2"
else
  echo "FAIL [memory]: a failing allocation exited $rc: ${out:0:400}"; fail=1
fi
[ -e "$tmp/big.txt" ] && { echo "FAIL [memory]: a refused instance was written"; fail=1; }
fi

# ---- check: no applicable trial is its own status (4), neither HOLDS nor VIOLATED
expect no-applicable 4 "NO APPLICABLE TRIAL" check B.T1 --trials 1 --seed 3 --precision double
run 3000000 check B.T1 --trials 1 --seed 3 --precision double
grep -q "VIOLATED" <<<"$out" && { echo "FAIL [no-applicable]: printed VIOLATED"; fail=1; }
expect no-applicable 0 "HOLDS" check "$row" --trials 3 --seed 5 --precision double

echo
echo "inputs: bad inputs tried per class (all handled when equal):"
total=0 ok=0
for c in "${classes[@]}"; do
  printf '  %-16s %3d tried, %3d handled\n' "$c" "${tried[$c]}" "${handled[$c]}"
  total=$((total + tried[$c])) ok=$((ok + handled[$c]))
done
echo "  total            $total tried, $ok handled"
exit $fail
