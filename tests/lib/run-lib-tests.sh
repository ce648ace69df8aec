#!/bin/sh
# Runs the lib helper tests: evaluates every tests/lib/cases/*.nix with the
# given evaluator and reports the failing cases.
#
#   run-lib-tests.sh FIRN SOURCE_ROOT
#
# FIRN is the firn binary. For cross-checking, it may also be Nix's
# nix-instantiate (needs NIX_REMOTE=dummy:// or a private store).
# Prints each failing case, then "N passed, N failed"; exits nonzero if any
# case failed or a case file could not be evaluated.
set -u

if [ $# -ne 2 ]; then
        echo "usage: $0 FIRN SOURCE_ROOT" >&2
        exit 2
fi
evaluator=$1
root=$2
here=$root/tests/lib

case $(basename "$evaluator") in
        nix-instantiate) mode=--eval ;;
        *) mode=eval ;;
esac

if command -v jq >/dev/null 2>&1; then
        decode() { jq -r "$1"; }
elif command -v python3 >/dev/null 2>&1; then
        decode() {
                python3 -c 'import json, sys
r = json.load(sys.stdin)
q = sys.argv[1]
print(r["total"] if q == ".total" else len(r["failures"]) if q == ".failures | length" else "\n".join(r["failures"]))' "$1"
        }
else
        echo "run-lib-tests.sh: needs jq or python3 to read the results" >&2
        exit 2
fi

passed=0
failed=0
out=$(mktemp "${TMPDIR:-/tmp}/firn-lib-tests.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT

for file in "$here"/cases/*.nix; do
        name=$(basename "$file" .nix)
        if ! "$evaluator" $mode --strict --json -I "firn=$root/modules" \
                --arg file "$file" "$here/check.nix" >"$out"; then
                echo "FAIL $name: the case file did not evaluate"
                failed=$((failed + 1))
                continue
        fi
        total=$(decode .total <"$out")
        nfail=$(decode '.failures | length' <"$out")
        decode '.failures[]' <"$out" | sed "s/^/FAIL $name./"
        passed=$((passed + total - nfail))
        failed=$((failed + nfail))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
