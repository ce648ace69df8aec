#!/usr/bin/env bash
# Data-driven tests of firn's module system (lib.evalModules, NixOS semantics).
#
#   run-module-tests.sh FIRN SOURCE_ROOT [CASE...]
#
# Every directory under cases/ is one case:
#   case.nix        { lib }: { modules = [ ... ]; specialArgs = { ... }; check = r: ...; }
#                   (specialArgs and check are optional; check defaults to r: r.config)
#   expected.json   the JSON of `check (lib.evalModules { ... })`, compared as
#                   parsed JSON (key order and formatting do not matter), or
#   expected-error  the evaluation must fail; every non-empty line is a
#                   substring that must occur in stderr.
# Each case is evaluated from its own directory with
#   firn eval --strict --json -I firn=SOURCE_ROOT/modules -E '<see EXPR below>'
#
# Without CASE arguments all cases run (in parallel, $JOBS at a time, default
# the number of CPUs); CASE arguments are case names or shell globs
# (e.g. 'prio-*').  Prints PASS/FAIL per case (with a diff or the missing
# substrings), then "N passed, N failed"; exits 1 if any case failed.
# CASE_TIMEOUT (seconds, default 60) bounds each evaluation.
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 FIRN SOURCE_ROOT [CASE...]" >&2
    exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
firn=$1
case $firn in /*) ;; *) firn=$PWD/$firn ;; esac
root=$(cd "$2" && pwd)
shift 2
cases_dir=$here/cases

EXPR='let
  lib = import <firn/lib>;
  c = import ./case.nix { inherit lib; };
  r = lib.evalModules { inherit (c) modules; specialArgs = c.specialArgs or { }; };
in (c.check or (r: r.config)) r'

if [ ! -x "$firn" ]; then
    echo "error: $firn is not an executable" >&2
    exit 2
fi

# JSON comparison: jq if available (fast), else python3.
if command -v jq >/dev/null 2>&1; then
    json_tool=jq
elif command -v python3 >/dev/null 2>&1; then
    json_tool=python3
else
    echo "error: need jq or python3 to compare JSON" >&2
    exit 2
fi

# normalize FILE: print the parsed JSON canonically (sorted keys, indented);
# fails if FILE is not valid JSON.
normalize() {
    if [ "$json_tool" = jq ]; then
        jq -S . "$1"
    else
        python3 -c 'import json, sys
print(json.dumps(json.load(open(sys.argv[1])), indent=2, sort_keys=True, ensure_ascii=False))' "$1"
    fi
}

# equal_json A B: the two files hold the same JSON value.
equal_json() {
    if [ "$json_tool" = jq ]; then
        local a b
        a=$(jq -S -c . "$1") && b=$(jq -S -c . "$2") && [ "$a" = "$b" ]
    else
        python3 -c 'import json, sys
sys.exit(0 if json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else 1)' "$1" "$2"
    fi
}

if command -v timeout >/dev/null 2>&1; then
    with_timeout=(timeout "${CASE_TIMEOUT:-60}")
else
    with_timeout=()
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/firn-module-tests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run_case NAME: writes $tmp/NAME.result (first line PASS or FAIL, then details).
run_case() {
    local name=$1 dir=$cases_dir/$1 out=$tmp/$1.out err=$tmp/$1.err res=$tmp/$1.result
    local rc
    {
        if [ ! -f "$dir/case.nix" ]; then
            echo FAIL; echo "  no case.nix"; return
        fi
        if [ -f "$dir/expected.json" ] && [ -f "$dir/expected-error" ]; then
            echo FAIL; echo "  both expected.json and expected-error exist"; return
        fi
        if [ ! -f "$dir/expected.json" ] && [ ! -f "$dir/expected-error" ]; then
            echo FAIL; echo "  neither expected.json nor expected-error exists"; return
        fi
        (cd "$dir" && "${with_timeout[@]}" "$firn" eval --strict --json \
            -I "firn=$root/modules" -E "$EXPR") >"$out" 2>"$err" </dev/null
        rc=$?
        if [ $rc -eq 124 ] && [ ${#with_timeout[@]} -gt 0 ]; then
            echo FAIL; echo "  timed out after ${CASE_TIMEOUT:-60}s"; return
        fi
        if [ -f "$dir/expected.json" ]; then
            if [ $rc -ne 0 ]; then
                echo FAIL; echo "  evaluation failed (exit $rc):"
                sed 's/^/    /' "$err" | head -n 40
                return
            fi
            if ! normalize "$out" >"$out.norm" 2>/dev/null; then
                echo FAIL; echo "  output is not valid JSON:"
                sed 's/^/    /' "$out" | head -n 20
                return
            fi
            if equal_json "$dir/expected.json" "$out" 2>/dev/null; then
                echo PASS
            else
                echo FAIL; echo "  output differs from expected.json (- expected, + actual):"
                normalize "$dir/expected.json" >"$out.exp"
                diff -u "$out.exp" "$out.norm" | tail -n +3 | sed 's/^/    /' | head -n 60
            fi
        else
            if [ $rc -eq 0 ]; then
                echo FAIL; echo "  evaluation succeeded but an error was expected; output:"
                sed 's/^/    /' "$out" | head -c 2000; echo
                return
            fi
            local missing=() line
            while IFS= read -r line || [ -n "$line" ]; do
                [ -z "$line" ] && continue
                grep -qF -e "$line" "$err" || missing+=("$line")
            done <"$dir/expected-error"
            if [ ${#missing[@]} -eq 0 ]; then
                echo PASS
            else
                echo FAIL; echo "  missing from stderr:"
                printf '    %s\n' "${missing[@]}"
                echo "  stderr was:"
                sed 's/^/    /' "$err" | head -n 40
            fi
        fi
    } >"$res"
}

# Select the cases.
names=()
if [ $# -eq 0 ]; then
    for d in "$cases_dir"/*/; do
        names+=("$(basename "$d")")
    done
else
    for pat in "$@"; do
        matched=0
        for d in "$cases_dir"/$pat/; do
            [ -d "$d" ] || continue
            names+=("$(basename "$d")")
            matched=1
        done
        if [ $matched -eq 0 ]; then
            echo "error: no case matches '$pat'" >&2
            exit 2
        fi
    done
fi

# Run them in parallel; every worker is a fresh bash that gets the functions
# and settings through the environment (arrays do not export, hence the
# timeout prefix is rebuilt there).
export -f run_case normalize equal_json
export firn root cases_dir tmp EXPR json_tool
export CASE_TIMEOUT="${CASE_TIMEOUT:-60}"
printf '%s\n' "${names[@]}" | sort -u | \
    xargs -P "${JOBS:-$(nproc 2>/dev/null || echo 4)}" -I{} bash -c '
        if command -v timeout >/dev/null 2>&1; then
            with_timeout=(timeout "$CASE_TIMEOUT")
        else
            with_timeout=()
        fi
        run_case "$1"' _ {}

passed=0 failed=0
for name in $(printf '%s\n' "${names[@]}" | sort -u); do
    res=$tmp/$name.result
    if [ -f "$res" ] && [ "$(head -n 1 "$res")" = PASS ]; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        if [ -f "$res" ]; then tail -n +2 "$res"; else echo "  (no result)"; fi
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
