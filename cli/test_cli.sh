#!/usr/bin/env bash
# Command-line contract of `flatmin check` and `flatmin instance`: exit codes, messages,
# byte-identical reruns, nothing half-written.
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
expect 2 "--trials must be an integer between 1 and 1000000" check "$first" --trials 0
expect 2 "--trials must be an integer between 1 and 1000000" check "$first" --trials 99999999
expect 2 "" check "$first" --trials -4
expect 2 "" check "$first" --trials many
expect 2 "unknown precision 'float'" check "$first" --precision float
expect 2 "--seed must be an unsigned 64-bit integer" check "$first" --seed -1
expect 2 "--seed must be an unsigned 64-bit integer" check "$first" --seed 12abc
expect 2 "give a catalogue id" check
expect 0 "properties/A.L2.1.cpp" check --list --long
expect 2 "--markdown or --long, not both" check --list --markdown --long
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

# flatmin instance: writes the interchange format (docs/instance-format.md) atomically
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check_file() {  # check_file <path> <expected header prefix>
  if [ ! -s "$1" ] || ! head -n 1 "$1" | grep -q "^$2"; then
    echo "FAIL: $1 missing or its header is not '$2...'"; fail=1
  else
    echo "ok: $1 starts with '$2'"
  fi
}
no_temp_files() {  # nothing half-written may be left in $tmp
  if ls -A "$tmp" | grep -q '\.tmp\.'; then echo "FAIL: temporary file left in $tmp: $(ls -A "$tmp")"; fail=1; fi
}
expect 0 "wrote $tmp/g.txt" instance gaussian --d 4 --m 30 --rank 2 --seed 1 --out "$tmp/g.txt"
check_file "$tmp/g.txt" "gaussian 4 4 30 2 1"
expect 0 "" instance bilinear --d 3 --m 5 --rank 1 --out "$tmp/b.txt"
check_file "$tmp/b.txt" "bilinear 3 3 5 1 1"
expect 0 "" instance completion --d 5 --p 0.5 --rank 2 --seed 3 --out "$tmp/c.txt"
check_file "$tmp/c.txt" "completion 5 5 "
expect 0 "" instance quadnn --d 4 --m 12 --rank 3 --seed 4 --out "$tmp/q.txt"
check_file "$tmp/q.txt" "quadnn 4 4 12 3 4"
# same seed, same bytes; different seed, different bytes; rewriting in place works
expect 0 "" instance gaussian --d 4 --m 30 --rank 2 --seed 1 --out "$tmp/g2.txt"
expect 0 "" instance gaussian --d 4 --m 30 --rank 2 --seed 2 --out "$tmp/g3.txt"
if cmp -s "$tmp/g.txt" "$tmp/g2.txt"; then echo "ok: instance: same seed, same bytes"; else echo "FAIL: instance: same seed, different bytes"; fail=1; fi
if cmp -s "$tmp/g.txt" "$tmp/g3.txt"; then echo "FAIL: instance: different seeds, same bytes"; fail=1; else echo "ok: instance: different seeds differ"; fi
expect 0 "" instance gaussian --d 4 --m 30 --rank 2 --seed 2 --out "$tmp/g2.txt"
if cmp -s "$tmp/g2.txt" "$tmp/g3.txt"; then echo "ok: instance: overwrite in place"; else echo "FAIL: instance: overwrite"; fail=1; fi
# usage errors: exit 2, a message, and no file
expect 2 "unknown family 'frob'" instance frob --d 4 --m 3 --rank 1 --out "$tmp/x.txt"
expect 2 "give the family" instance --d 4 --m 3 --rank 1 --out "$tmp/x.txt"
expect 2 "gaussian needs --m" instance gaussian --d 4 --rank 1 --out "$tmp/x.txt"
expect 2 "--p is for completion only" instance gaussian --d 4 --m 3 --p 0.5 --rank 1 --out "$tmp/x.txt"
expect 2 "completion takes --p" instance completion --d 4 --m 3 --rank 1 --out "$tmp/x.txt"
expect 2 "completion needs --p" instance completion --d 4 --rank 1 --out "$tmp/x.txt"
expect 2 "--d must be an integer in [1, 2000], got 'abc'" instance gaussian --d abc --m 3 --rank 1 --out "$tmp/x.txt"
expect 2 "--d must be an integer in [1, 2000], got '0'" instance gaussian --d 0 --m 3 --rank 1 --out "$tmp/x.txt"
expect 2 "--m must be an integer in [1, 10^7], got '2.5'" instance bilinear --d 4 --m 2.5 --rank 1 --out "$tmp/x.txt"
expect 2 "--rank must be an integer in [1, d] = [1, 4], got '5'" instance quadnn --d 4 --m 3 --rank 5 --out "$tmp/x.txt"
expect 2 "--p must be a real in (0, 1], got '1.5'" instance completion --d 4 --p 1.5 --rank 1 --out "$tmp/x.txt"
expect 2 "--p must be a real in (0, 1], got 'nan'" instance completion --d 4 --p nan --rank 1 --out "$tmp/x.txt"
expect 2 "--seed must be an unsigned 64-bit integer, got '-1'" instance gaussian --d 4 --m 3 --rank 1 --seed -1 --out "$tmp/x.txt"
expect 2 "more than 2e8" instance gaussian --d 2000 --m 100 --rank 1 --out "$tmp/x.txt"
expect 2 "observed no entry" instance completion --d 2 --p 1e-12 --rank 1 --out "$tmp/x.txt"
expect 2 "--out FILE is required" instance gaussian --d 4 --m 3 --rank 1
expect 2 "" instance gaussian --d 4 --m 3 --rank 1 --out "$tmp/x.txt" --bogus
if [ -e "$tmp/x.txt" ]; then echo "FAIL: a usage error wrote $tmp/x.txt"; fail=1; fi
# a failed write leaves nothing behind: into a missing directory, and onto a directory
expect 2 "cannot write $tmp/missing/x.txt: No such file or directory" instance gaussian --d 4 --m 3 --rank 1 --out "$tmp/missing/x.txt"
if [ -e "$tmp/missing" ]; then echo "FAIL: $tmp/missing was created"; fail=1; fi
mkdir "$tmp/adir"
expect 2 "refusing to write $tmp/adir: it is a directory" instance gaussian --d 4 --m 3 --rank 1 --out "$tmp/adir"
no_temp_files

# solve: a recovered Gaussian instance is solved and certified (exit 0, JSON fields present);
# a budget too small is a status, exit 1; bad options and bad files exit 2
expect 0 "" instance gaussian --d 8 --m 120 --rank 2 --seed 4 --out "$tmp/s.txt"
expect 0 '"status":"solved"' solve "$tmp/s.txt" --json --certify
expect 0 '"verdict":"certified"' solve "$tmp/s.txt" --json --certify
expect 0 '"error_fro":' solve "$tmp/s.txt" --json --method flat
expect 1 '"status":"iteration_limit"' solve "$tmp/s.txt" --json --max-iterations 1
expect 2 "unknown method 'sharp'" solve "$tmp/s.txt" --method sharp
expect 2 "unknown precision 'mp50'" solve "$tmp/s.txt" --precision mp50
expect 2 "--max-iterations must be an integer between 1 and 10000000" solve "$tmp/s.txt" --max-iterations 0
expect 2 "cannot open" solve "$tmp/none.txt"
# --noise: the noisy program, in nuclear and flat coordinates; bad noise levels exit 2
expect 0 '"program":"noisy"' solve "$tmp/s.txt" --json --noise 0.01
expect 0 '"status":"solved"' solve "$tmp/s.txt" --json --noise 0.01 --method flat
expect 0 '"program":"exact"' solve "$tmp/s.txt" --json
expect 2 "--noise must be a finite number >= 0" solve "$tmp/s.txt" --noise -1
expect 2 "--noise must be a finite number >= 0" solve "$tmp/s.txt" --noise nan
expect 2 "" solve "$tmp/s.txt" --noise abc
printf 'gaussian 2 2 1 1 0\n1 0 0 1\n1 0 0 nan\n2\n' > "$tmp/bad.txt"
expect 2 "bad.txt:3" solve "$tmp/bad.txt"
# eval: the flatness measures of a factor pair; bad factor files name the line
printf '1 0\n0 1\n0 0\n0 0\n0 0\n0 0\n0 0\n0 0\n1 0\n0 1\n0 0\n0 0\n0 0\n0 0\n0 0\n0 0\n' > "$tmp/f.txt"
expect 0 '"scaled_trace_definition":' eval "$tmp/s.txt" --factors "$tmp/f.txt" --json
expect 0 '"balance_gap":0.0' eval "$tmp/s.txt" --factors "$tmp/f.txt" --json
printf '1 0\n0 x\n' > "$tmp/f2.txt"
expect 2 "f2.txt:2: expected a finite real number, got 'x'" eval "$tmp/s.txt" --factors "$tmp/f2.txt"
printf '1 0\n0 1 2\n' > "$tmp/f3.txt"
expect 2 "f3.txt:2: expected 2 numbers" eval "$tmp/s.txt" --factors "$tmp/f3.txt"
printf '1 0\n' > "$tmp/f4.txt"
expect 2 "unexpected end of file" eval "$tmp/s.txt" --factors "$tmp/f4.txt"

# train: a run completes (CSV on stdout, byte-identical on rerun), an unstable step size is a
# reported divergence naming the update (exit 1), bad options exit 2 naming what is wrong
expect 0 "completed 500 updates" train --d 5 --n 12 --depth 3 --optimizer lnsgd --step-size 0.005 --steps 500
"$bin" train --d 5 --n 12 --depth 3 --optimizer sam --step-size 0.005 --steps 500 --out "$tmp/t1.csv" 2>/dev/null
"$bin" train --d 5 --n 12 --depth 3 --optimizer sam --step-size 0.005 --steps 500 --out "$tmp/t2.csv" 2>/dev/null
check_file "$tmp/t1.csv" "step,train_loss,test_loss,trace,nuclear,R,induced,balance"
cmp -s "$tmp/t1.csv" "$tmp/t2.csv" || { echo "FAIL: two identical train runs differ"; fail=1; }
"$bin" train --d 5 --n 12 --depth 3 --optimizer sam --step-size 0.005 --steps 500 --seed 2 --out "$tmp/t3.csv" 2>/dev/null
cmp -s "$tmp/t1.csv" "$tmp/t3.csv" && { echo "FAIL: another seed gave the same run"; fail=1; }
# any instance family: a completion and a bilinear file
expect 0 "" instance completion --d 6 --p 0.5 --rank 1 --seed 2 --out "$tmp/tc.txt"
expect 0 "completed 2000 updates" train --instance "$tmp/tc.txt" --depth 3 --optimizer sgd --step-size 0.01 --steps 2000
expect 0 "" instance bilinear --d 5 --m 20 --rank 1 --seed 2 --out "$tmp/tb.txt"
expect 0 "completed 2000 updates" train --instance "$tmp/tb.txt" --depth 2 --optimizer gd --step-size 0.01 --steps 2000
expect 2 "cannot open" train --instance "$tmp/none.txt" --optimizer sgd --step-size 0.01
expect 0 "||E(W) - X_flat||_F =" train --d 5 --n 20 --depth 2 --optimizer lnsgd --step-size 0.005 --steps 2000 --flat
expect 1 "diverged: the loss or the layers became non-finite at update" train --d 5 --n 12 --depth 3 --optimizer sgd --step-size 50 --steps 1000
# a diverged run says so once (the summary line carries the message)
n=$("$bin" train --d 5 --n 12 --depth 3 --optimizer sgd --step-size 50 --steps 1000 2>&1 >/dev/null | grep -c "diverged:")
[ "$n" = 1 ] && echo "ok: the divergence is reported once" || { echo "FAIL: the divergence is reported $n times, expected once"; fail=1; }
# the summary names which trace it prints and the scale of the induced value
expect 0 "trace (true, tr Hess L)" train --d 5 --n 12 --depth 3 --optimizer lnsgd --step-size 0.005 --steps 500
expect 0 "induced value (Lemma 4, half-trace scale)" train --d 5 --n 12 --depth 3 --optimizer lnsgd --step-size 0.005 --steps 500
expect 2 "a deep factorization has L >= 2" train --depth 1 --optimizer sgd --step-size 0.01
expect 2 "intermediate width d_1 = 3 is smaller than min(d_0, d_L) = 5" train --d 5 --n 12 --width 3 --optimizer sgd --step-size 0.01
expect 2 "unknown optimizer 'adam'" train --optimizer adam --step-size 0.01
expect 2 "--step-size ETA is required" train --optimizer sgd
expect 2 "step size must be finite and > 0" train --optimizer sgd --step-size -1
expect 2 "batch size 100 not in [1, n = 60]" train --optimizer sgd --step-size 0.01 --batch 100
expect 2 "" train --optimizer sgd --step-size abc
expect 2 "cannot write" train --optimizer sgd --step-size 0.01 --steps 10 --out "$tmp/missing/t.csv"
no_temp_files

if [ $fail = 0 ]; then echo "cli: 1 passed, 0 failed"; else echo "cli: 0 passed, 1 failed"; fi
exit $fail
