#!/usr/bin/env bash
# docs/catalogue.md is `flatmin check --list --markdown`: fails when the file is stale, or when a
# catalogue row has no property file (properties/<id>.cpp, one a row).
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
echo "catalogue: $n rows, docs/catalogue.md $( [ "$fail" = 0 ] && echo "up to date, every row has its property file" || echo "NOT consistent")"
exit $fail
