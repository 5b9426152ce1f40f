#!/usr/bin/env bash
# `flatmin solve`, `solve --certify` and `eval` at any scale of the data, b = 0, and infeasibility
# only with a Farkas certificate (the solver-level properties are in lib/tests/test_solver_scale.cpp
# and test_solver_adversarial.cpp; this is the command's contract on files).
# usage: test_scale.sh path/to/flatmin
set -uo pipefail
bin=$1
fail=0
tried=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

field() {  # field <json> <key>: the value of "key" in a one-line JSON object
  sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" <<<"$1" | head -n 1 | tr -d '"'
}
# scale <in> <out> <factor> <first-line> <last-line>: lines first..last times factor (17 digits)
scale() {
  awk -v f="$3" -v a="$4" -v z="$5" 'NR >= a && NR <= z { for (i = 1; i <= NF; ++i) $i = sprintf("%.17g", $i * f) } { print }' "$1" > "$2"
}
check() {  # check <description> <condition-exit-status>
  tried=$((tried + 1))
  if [ "$2" = 0 ]; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}

"$bin" instance gaussian --d 4 --m 20 --rank 1 --seed 3 --out "$tmp/g.txt" >/dev/null || { echo "FAIL: instance"; exit 1; }
# gaussian d = 4: header, 4 truth rows, 20 records, b (lines 6..26 hold A and b)
for method in nuclear flat; do
  base=$("$bin" solve "$tmp/g.txt" --method "$method" --json --certify)
  e0=$(field "$base" error_rel)
  v0=$(sed -n 's/.*"verdict":"\([a-z_]*\)".*/\1/p' <<<"$base")
  for f in 1e-100 1e-13 1e100 1e160; do
    scale "$tmp/g.txt" "$tmp/g$f.txt" "$f" 6 26
    out=$("$bin" solve "$tmp/g$f.txt" --method "$method" --json --certify 2>&1)
    rc=$?
    e=$(field "$out" error_rel)
    v=$(sed -n 's/.*"verdict":"\([a-z_]*\)".*/\1/p' <<<"$out")
    check "$method, A and b times $f: exit $rc (0), relative error $e (unscaled $e0), verdict $v ($v0)" \
      "$(awk -v rc="$rc" -v e="$e" -v e0="$e0" -v v="$v" -v v0="$v0" 'BEGIN { d = e - e0; if (d < 0) d = -d; exit !(rc == 0 && e != "" && d <= 1e-9 && v == v0) }'; echo $?)"
  done
  # truth and b times 1e-13 (the issue's nuclear example)
  scale "$tmp/g.txt" "$tmp/gm.txt" 1e-13 2 5
  scale "$tmp/gm.txt" "$tmp/gmb.txt" 1e-13 26 26
  out=$("$bin" solve "$tmp/gmb.txt" --method "$method" --json 2>&1)
  e=$(field "$out" error_rel)
  check "$method, M and b times 1e-13: relative error $e (unscaled $e0)" \
    "$(awk -v e="$e" -v e0="$e0" 'BEGIN { d = e - e0; if (d < 0) d = -d; exit !(e != "" && d <= 1e-9) }'; echo $?)"
done

# the noisy program (--noise EPS): A, b and EPS times 1e-100 and 1e100 keep the status and the
# relative error
for method in nuclear flat; do
  base=$("$bin" solve "$tmp/g.txt" --method "$method" --noise 1e-3 --json)
  s0=$(field "$base" status)
  e0=$(field "$base" error_rel)
  for f in 1e-100 1e100; do
    eps=$(awk -v f="$f" 'BEGIN { printf "%.17g", 1e-3 * f }')
    out=$("$bin" solve "$tmp/g$f.txt" --method "$method" --noise "$eps" --json 2>&1)
    rc=$?
    s=$(field "$out" status)
    e=$(field "$out" error_rel)
    check "$method --noise, A, b and eps times $f: exit $rc (0), status $s ($s0), relative error $e (unscaled $e0)" \
      "$(awk -v rc="$rc" -v s="$s" -v s0="$s0" -v e="$e" -v e0="$e0" 'BEGIN { d = e - e0; if (d < 0) d = -d; exit !(rc == 0 && s == s0 && e != "" && d <= 1e-9) }'; echo $?)"
  done
done

# eval at a scale where the loss overflows: a clear error naming the file, exit 2
printf '0.5\n0.5\n0.5\n0.5\n0.5\n0.5\n0.5\n0.5\n' > "$tmp/lr.txt"
out=$("$bin" eval "$tmp/g1e160.txt" --factors "$tmp/lr.txt" --json 2>&1)
rc=$?
check "eval with A entries ~1e160: exit $rc (2), names the file, no internal function ($out)" \
  "$( [ "$rc" = 2 ] && grep -qF "g1e160.txt" <<<"$out" && grep -q "not representable" <<<"$out" && ! grep -q "sym_eig" <<<"$out"; echo $?)"

# b = 0: X = 0 of rank 0
awk 'NR == 26 { for (i = 1; i <= NF; ++i) $i = 0 } NR >= 2 && NR <= 5 { for (i = 1; i <= NF; ++i) $i = 0 } { print }' "$tmp/g.txt" > "$tmp/zero.txt"
for method in nuclear flat; do
  out=$("$bin" solve "$tmp/zero.txt" --method "$method" --json 2>&1)
  check "b = 0 ($method): status $(field "$out" status), rank $(field "$out" rank)" \
    "$( [ "$(field "$out" status)" = solved ] && [ "$(field "$out" rank)" = 0 ]; echo $?)"
done

# more measurements than unknowns (m = 20 > d^2 = 16) and one row (record 4, line 9) times 1e-9
# or 1e9 with b = A(M) exactly: feasible, so never `infeasible`
"$bin" instance gaussian --d 4 --m 20 --rank 1 --seed 5 --out "$tmp/o.txt" >/dev/null
for f in 1e-9 1e9; do
  scale "$tmp/o.txt" "$tmp/o$f.txt" "$f" 9 9
  # b_4 recomputed from the scaled record: b = A(M) in the file's numbers
  awk -v f="$f" 'NR == 9 { n = split($0, a, " ") } NR >= 2 && NR <= 5 { for (i = 1; i <= NF; ++i) m[(NR - 2) * 4 + i] = $i }
                 NR == 26 { s = 0; for (i = 1; i <= 16; ++i) s += a[i] * m[i]; $4 = sprintf("%.17g", s) } { print }' "$tmp/o$f.txt" > "$tmp/ob$f.txt"
  for method in nuclear flat; do
    out=$("$bin" solve "$tmp/ob$f.txt" --method "$method" --json 2>&1)
    check "overdetermined, row 4 times $f ($method): status $(field "$out" status) (solved)" \
      "$( [ "$(field "$out" status)" = solved ]; echo $?)"
  done
done
# an inconsistent system (b_4 moved by 1): `infeasible`, with the Farkas certificate named
awk 'NR == 26 { $4 = $4 + 1 } { print }' "$tmp/o.txt" > "$tmp/inc.txt"
out=$("$bin" solve "$tmp/inc.txt" --json 2>&1)
check "inconsistent overdetermined: status $(field "$out" status) (infeasible), Farkas named" \
  "$( [ "$(field "$out" status)" = infeasible ] && grep -q "Farkas" <<<"$out"; echo $?)"

echo "test_scale: $tried cases tried, $( [ "$fail" = 0 ] && echo all || echo NOT all) handled"
exit $fail
