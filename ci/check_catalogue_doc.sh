#!/usr/bin/env bash
# docs/catalogue.md is `flatmin check --list --markdown`: fails when the file is stale, when a
# catalogue row has no property file (properties/<id>.cpp, one a row), names no library function,
# names a function that lib/include/flatmin/*.hpp does not declare (the name followed by '(' or
# '<'), or names a figure that `flatmin reproduce` does not know; and when `flatmin check --list
# --long` (the same registry as plain text) does not show A.L2.1's property file and functions.
# usage: ci/check_catalogue_doc.sh path/to/flatmin
set -uo pipefail
bin=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fail=0
if ! diff -u "$root/docs/catalogue.md" <("$bin" check --list --markdown); then
  echo "FAIL: docs/catalogue.md is stale: regenerate it with  build/flatmin check --list --markdown > docs/catalogue.md"
  fail=1
fi
n=0
while read -r id; do
  n=$((n + 1))
  [ -f "$root/properties/$id.cpp" ] || { echo "FAIL: row $id has no property file properties/$id.cpp"; fail=1; }
done < <("$bin" check --list)

# The figure ids `flatmin reproduce` knows, from its message for an unknown one.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
known=$("$bin" reproduce no-such-figure --out "$tmp/out" 2>&1 | sed -n 's/.*(known: \(.*\), all).*/\1/p')
[ -n "$known" ] || { echo "FAIL: could not read the figure ids from 'flatmin reproduce'"; fail=1; }

# Rows' functions and figures, from the Markdown table (fields 1, 7 and 8 between " | ";
# '\|' inside statements is not a separator).
"$bin" check --list --markdown | grep '^| [A-Z]' | grep -v '^| id |' | sed 's/\\|/#/g' |
  awk -F' \\| ' '{ gsub(/^\| /, "", $1); print $1 "\t" $7 "\t" $8 }' > "$tmp/rows.tsv"
[ "$(wc -l < "$tmp/rows.tsv")" = "$n" ] || { echo "FAIL: the Markdown table does not have $n rows"; fail=1; }
while IFS=$'\t' read -r id fns figs; do
  fns=$(echo "$fns" | tr -d '`' | tr ',' ' ')
  [ -n "${fns// /}" ] && [ "$fns" != none ] ||
    { echo "FAIL: row $id names no library function"; fail=1; continue; }
  for f in $fns; do
    grep -qE "\\b$f *[(<]" "$root"/lib/include/flatmin/*.hpp ||
      { echo "FAIL: row $id names '$f', not a function of lib/include/flatmin/*.hpp"; fail=1; }
  done
  [ "$figs" = none ] && continue
  for g in ${figs//,/ }; do
    case " $known " in
      *" $g "*) ;;
      *) echo "FAIL: row $id names figure '$g', unknown to flatmin reproduce (known: $known)"; fail=1 ;;
    esac
  done
done < "$tmp/rows.tsv"

# `--list --long`: the plain-text registry; A.L2.1's block names its property file and the
# function its statement is about.
long=$("$bin" check --list --long) || { echo "FAIL: flatmin check --list --long failed"; fail=1; }
block=$(echo "$long" | awk '/^A\.L2\.1 /{on=1; print; next} /^[A-Z]/{on=0} on')
echo "$block" | grep -q 'properties/A\.L2\.1\.cpp' ||
  { echo "FAIL: flatmin check --list --long does not name A.L2.1's property file"; fail=1; }
echo "$block" | grep -q 'functions:.*hessian_form' ||
  { echo "FAIL: flatmin check --list --long does not name A.L2.1's function hessian_form"; fail=1; }
[ "$(echo "$long" | grep -c '^  statement: ')" = "$n" ] ||
  { echo "FAIL: flatmin check --list --long does not show the $n statements"; fail=1; }
long_width=$(echo "$long" | awk '{ if (length > w) w = length } END { print w }')
[ "$long_width" -le 100 ] || { echo "FAIL: flatmin check --list --long is $long_width columns wide (> 100)"; fail=1; }

echo "catalogue: $n rows, docs/catalogue.md $( [ "$fail" = 0 ] && echo "up to date, every row has its property file, declared functions and known figures; --list --long shows them" || echo "NOT consistent")"
exit $fail
