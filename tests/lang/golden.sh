#!/usr/bin/env bash
# golden.sh FIRN_BINARY [--accept] [PATTERN...]
#
# firn's own language golden tests: the files beside this script named
#   parse-okay-X.nix   `instantiate [FLAGS] --parse X.nix` must succeed
#   parse-fail-X.nix   `instantiate [FLAGS] --parse X.nix` must fail (exit 1)
#                      and its stderr must match X.err (rule below)
#   eval-okay-X.nix    `instantiate [FLAGS] --eval --strict X.nix` must succeed
#                      and print exactly X.exp
#   eval-fail-X.nix    `instantiate [FLAGS] --eval --strict X.nix` must fail
#                      (exit 1) and its stderr must match X.err
# FLAGS are the words of X.flags if it exists (e.g. --json, --xml,
# --arg/--argstr, -A, -I).  Commands run from this directory with NIX_PATH
# unset and a hermetic HOME/XDG/NIX_*/FIRN_STORE in a temp directory.
#
# FIRN_BINARY is called as `FIRN_BINARY instantiate ARGS...`; if its file name
# is nix-instantiate* it is called as `FIRN_BINARY ARGS...`.
#
# Path normalisation: in stdout and stderr, this directory's absolute path is
# replaced by the literal text $TESTDIR before comparing (and when writing
# expected files), so .exp/.err files do not depend on where the checkout is.
#
# .err matching rule: stderr is split into lines, each line trimmed of leading
# and trailing blanks, blank lines dropped.  Every non-blank line of X.err,
# trimmed the same way, must equal one of those lines, in the same order
# (other lines may come between and around them).  A .err line ending in
# "..." matches any line that starts with the text before the "...".  So an
# .err normally holds Nix 2.8's first line and the position line:
#     error: undefined variable 'x'
#     at $TESTDIR/eval-fail-undefined-variable.nix:3:7:
# and the source excerpt, "Did you mean" hints and traces are not compared.
#
# Nix cross-check: unless the golden is listed in nix-differs.txt, the same
# command is also run with Nix 2.8's nix-instantiate ($NIX_INSTANTIATE or from
# PATH; NIX_REMOTE=dummy://) and must meet the same expectation: same .exp,
# same failure with a matching .err, so expected files are Nix's behaviour and
# not merely what firn once printed.  A golden listed in nix-differs.txt
# (firn intentionally differs from Nix 2.8; give the reason after '#') skips
# this; if Nix agrees after all, a NOTE suggests removing the entry.  When
# FIRN_BINARY itself is nix-instantiate, listed goldens count as XFAIL.
# Without nix-instantiate the cross-check is skipped with a warning, or fails
# the run if FIRN_REQUIRE_NIX=1.
#
# --accept: (re)write X.exp / X.err from firn's output for goldens whose check
# fails or whose expected file is missing; .err gets the first line starting
# with "error:" and the first "at FILE:LINE:COL:" line after it.  Review the
# diff, and let the Nix cross-check (which still runs) confirm it.
#
# PATTERNs (globs on the golden's name, e.g. 'eval-fail-*') restrict the run.
# Output: one line per golden, PASS/FAIL/XFAIL, then "N passed, N failed".
# Exit status: 0 if all passed, 1 if any failed, 2 on usage/setup errors.
# FIRN_TEST_TIMEOUT sets the per-command timeout in seconds (default 30).

set -u
set -o pipefail

die() {
    printf 'golden: error: %s\n' "$*" >&2
    exit 2
}

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

firn=
accept=0
patterns=()
for a in "$@"; do
    case $a in
        --accept) accept=1 ;;
        -h|--help) usage ;;
        *) if [ -z "$firn" ]; then firn=$a; else patterns+=("$a"); fi ;;
    esac
done
[ -n "$firn" ] || usage

resolve_exe() {
    case $1 in
        */*) [ -x "$1" ] || return 1
             printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")" ;;
        *)   command -v "$1" ;;
    esac
}
firn=$(resolve_exe "$firn") || die "not an executable: $firn"
firn_is_nix=0
case $(basename "$firn") in
    nix-instantiate*) firn_cmd=("$firn"); firn_is_nix=1 ;;
    *)                firn_cmd=("$firn" instantiate) ;;
esac

nix=${NIX_INSTANTIATE:-nix-instantiate}
if nix=$(resolve_exe "$nix"); then
    nix_cmd=("$nix")
else
    nix_cmd=()
    [ "${FIRN_REQUIRE_NIX:-0}" = 1 ] && die "nix-instantiate not found (FIRN_REQUIRE_NIX=1)"
    echo "warning: nix-instantiate not found: skipping the Nix 2.8 cross-check" >&2
fi

here=$(cd "$(dirname "$0")" && pwd)
here_phys=$(cd "$here" && pwd -P)
timeout_s=${FIRN_TEST_TIMEOUT:-30}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/firn-golden.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/home" "$tmp/xdg/config" "$tmp/xdg/cache" "$tmp/xdg/data" \
    "$tmp/xdg/state" "$tmp/nix/etc" "$tmp/nix/var/log" "$tmp/firn-store" "$tmp/o"
export HOME=$tmp/home
export XDG_CONFIG_HOME=$tmp/xdg/config XDG_CACHE_HOME=$tmp/xdg/cache
export XDG_DATA_HOME=$tmp/xdg/data XDG_STATE_HOME=$tmp/xdg/state
unset XDG_CONFIG_DIRS XDG_DATA_DIRS NIX_PATH NIX_USER_CONF_FILES
export NIX_REMOTE=dummy://
export NIX_CONF_DIR=$tmp/nix/etc
export NIX_STATE_DIR=$tmp/nix/var NIX_LOG_DIR=$tmp/nix/var/log
export FIRN_STORE=$tmp/firn-store
export TERM=dumb NO_COLOR=1 LC_ALL=C.UTF-8 PAGER=cat
o=$tmp/o

cd "$here" || die "cannot cd to $here"

declare -A differs=()
if [ -f "$here/nix-differs.txt" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%%#*}
        line=${line//[[:space:]]/}
        [ -n "$line" ] && differs[$line]=1
    done <"$here/nix-differs.txt"
fi

selected() {
    local p
    [ ${#patterns[@]} -eq 0 ] && return 0
    for p in "${patterns[@]}"; do
        # shellcheck disable=SC2053 # glob match intended
        [[ $1 == $p ]] && return 0
    done
    return 1
}

# Replace this directory's absolute path by $TESTDIR (stdin -> stdout).
normalise() {
    local a=$here_phys b=$here
    # Escape for sed's basic regex; '|' is the delimiter.
    a=$(printf '%s' "$a" | sed 's/[][\.*^$|]/\\&/g')
    b=$(printf '%s' "$b" | sed 's/[][\.*^$|]/\\&/g')
    sed -e "s|$a|\$TESTDIR|g" -e "s|$b|\$TESTDIR|g"
}

# Trim each line, drop blank ones (stdin -> stdout).
trim_lines() {
    sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d'
}

# err_matches EXPECTED ACTUAL_NORMALISED: the .err rule from the header.
err_matches() {
    local want have
    local -a wants=() haves=()
    mapfile -t wants < <(trim_lines <"$1")
    mapfile -t haves < <(trim_lines <"$2")
    local i=0 n=${#haves[@]}
    for want in ${wants[@]+"${wants[@]}"}; do
        while :; do
            [ "$i" -lt "$n" ] || return 1
            have=${haves[$i]}
            i=$((i + 1))
            if [[ $want == *... ]]; then
                [[ $have == "${want%...}"* ]] && break
            else
                [ "$have" = "$want" ] && break
            fi
        done
    done
    return 0
}

# Extract an .err from a normalised stderr (stdin -> stdout).
extract_err() {
    trim_lines | awk '
        !e && /^error:/ { print; e = 1; next }
        e && /^at .*:[0-9]+:[0-9]+:$/ { print; exit }'
}

# run WHO NAME: run firn or nix on golden NAME; sets rc, writes $o/WHO.{out,err}
# (normalised).
run() {
    local who=$1 name=$2 kind
    local -a cmd flags=()
    if [ "$who" = firn ]; then cmd=("${firn_cmd[@]}"); else cmd=("${nix_cmd[@]}"); fi
    if [ -e "$name.flags" ]; then
        read -r -d '' -a flags <"$name.flags"
    fi
    kind=${name%%-*}
    if [ "$kind" = parse ]; then
        set -- ${flags[@]+"${flags[@]}"} --parse "$name.nix"
    else
        set -- ${flags[@]+"${flags[@]}"} --eval --strict "$name.nix"
    fi
    timeout -k 5 "$timeout_s" "${cmd[@]}" "$@" </dev/null >"$o/raw.out" 2>"$o/raw.err"
    rc=$?
    normalise <"$o/raw.out" >"$o/$who.out"
    normalise <"$o/raw.err" >"$o/$who.err"
}

abnormal() {
    if [ "$1" -eq 124 ]; then
        echo "timed out after ${timeout_s}s"
    elif [ "$1" -ge 125 ]; then
        echo "crashed (exit status $1)"
    fi
}

# check WHO NAME: judge the last run against the expected files; prints
# nothing if it meets them, else one line saying why.
check() {
    local who=$1 name=$2 why
    why=$(abnormal "$rc")
    if [ -n "$why" ]; then
        echo "$why"
        return
    fi
    case $name in
        parse-okay-*)
            [ "$rc" -eq 0 ] || echo "should parse, exit status $rc: $(head -n 1 "$o/$who.err")" ;;
        eval-okay-*)
            if [ "$rc" -ne 0 ]; then
                echo "should evaluate, exit status $rc: $(head -n 1 "$o/$who.err")"
            elif [ ! -e "$name.exp" ]; then
                echo "no $name.exp (run with --accept)"
            elif ! cmp -s "$name.exp" "$o/$who.out"; then
                echo "output differs from $name.exp:"
                diff -u "$name.exp" "$o/$who.out" | sed -n '3,20s/^/    | /p'
            fi ;;
        parse-fail-*|eval-fail-*)
            if [ "$rc" -eq 0 ]; then
                echo "succeeded but should fail"
            elif [ "$rc" -ne 1 ]; then
                echo "failed with exit status $rc, expected 1"
            elif [ ! -e "$name.err" ]; then
                echo "no $name.err (run with --accept)"
            elif ! err_matches "$name.err" "$o/$who.err"; then
                echo "stderr does not match $name.err; got:"
                head -n 12 "$o/$who.err" | sed 's/^/    | /'
            fi ;;
    esac
}

# accept NAME: rewrite the expected file from firn's last run, if it is of
# the right kind (success for *-okay, exit 1 for *-fail).
accept_output() {
    local name=$1
    case $name in
        eval-okay-*)
            [ "$rc" -eq 0 ] || return 1
            cp "$o/firn.out" "$name.exp" ;;
        parse-fail-*|eval-fail-*)
            [ "$rc" -eq 1 ] || return 1
            extract_err <"$o/firn.err" >"$o/new.err"
            [ -s "$o/new.err" ] || return 1
            cp "$o/new.err" "$name.err" ;;
        *) return 1 ;;
    esac
    echo "  accepted: wrote $name.$([ "${name#eval-okay-}" != "$name" ] && echo exp || echo err)"
}

n_pass=0 n_fail=0 n_xfail=0 total=0
failed=()
shopt -s nullglob
for f in parse-okay-*.nix parse-fail-*.nix eval-okay-*.nix eval-fail-*.nix; do
    name=${f%.nix}
    selected "$name" || continue
    total=$((total + 1))
    reasons=()

    run firn "$name"
    why=$(check firn "$name")
    if [ -n "$why" ] && [ "$accept" = 1 ] && accept_output "$name"; then
        why=$(check firn "$name")
    fi
    [ -z "$why" ] || reasons+=("firn: $why")

    if [ ${#nix_cmd[@]} -gt 0 ]; then
        run nix "$name"
        nwhy=$(check nix "$name")
        if [ -n "${differs[$name]:-}" ]; then
            [ -z "$nwhy" ] &&
                echo "NOTE $name: Nix 2.8 meets this golden; it may be removed from nix-differs.txt"
        elif [ -n "$nwhy" ]; then
            reasons+=("nix 2.8: $nwhy")
        fi
    fi

    if [ ${#reasons[@]} -eq 0 ]; then
        echo "PASS $name"
        n_pass=$((n_pass + 1))
    elif [ "$firn_is_nix" = 1 ] && [ -n "${differs[$name]:-}" ]; then
        echo "XFAIL $name (in nix-differs.txt)"
        n_xfail=$((n_xfail + 1))
    else
        echo "FAIL $name"
        printf '  %s\n' "${reasons[@]}"
        n_fail=$((n_fail + 1))
        failed+=("$name")
    fi
done

[ "$total" -gt 0 ] || die "no golden tests selected in $here"
if [ ${#patterns[@]} -eq 0 ]; then
    for name in "${!differs[@]}"; do
        [ -e "$name.nix" ] ||
            echo "warning: nix-differs.txt names '$name', which is not a golden" >&2
    done
fi
[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
[ "$n_xfail" -eq 0 ] || echo "$n_xfail expected failures (XFAIL: nix-instantiate on goldens in nix-differs.txt)"
echo "$n_pass passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
