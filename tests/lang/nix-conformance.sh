#!/usr/bin/env bash
# nix-conformance.sh FIRN_BINARY [PATTERN...]
#
# Runs Nix 2.8's own language test suite (nix-2.8.0/tests/lang/) against
# FIRN_BINARY, the way Nix's tests/lang.sh runs it, and compares the outcome
# with the known-failures list beside this script.
#
# FIRN_BINARY is the firn executable; it is called as `FIRN_BINARY instantiate
# ARGS...`.  If its file name is nix-instantiate* it is called as
# `FIRN_BINARY ARGS...` instead, so the harness can be checked against the
# oracle itself:   tests/lang/nix-conformance.sh "$(command -v nix-instantiate)"
# PATTERNs (shell globs such as 'eval-okay-attrs*') restrict the run to the
# tests whose names match.
#
# Where the tests come from (they are never copied into this repository):
#   1. $FIRN_NIX_SRC, if it is an unpacked Nix source tree (has tests/lang/);
#   2. otherwise a cache directory: $FIRN_NIX_SRC if set, else
#      ${XDG_CACHE_HOME:-$HOME/.cache}/firn/nix-src.  If it already holds an
#      unpacked nix-*/tests/lang (or a downloaded nix_*.orig.tar.* to unpack),
#      nothing is fetched, so the script works offline once cached.  Else the
#      Debian source package is fetched with `apt-get source --download-only
#      nix` (needs deb-src enabled in apt; the script says how if it is not).
#
# What is run (as lang.sh does, from a copy of the tests/ directory, because
# the tests and .exp files use paths relative to it):
#   parse-fail-*   `instantiate --parse - < lang/X.nix` must fail (exit 1)
#   parse-okay-*   `instantiate --parse - < lang/X.nix` must succeed
#   eval-fail-*    `instantiate --eval lang/X.nix` must fail (exit 1)
#   eval-okay-*    with X.exp: `NIX_PATH=lang/dir3:lang/dir4 instantiate
#                  $(cat X.flags) --eval --strict lang/X.nix` must print X.exp;
#                  with X.exp.xml (reported as X.xml): `instantiate --eval
#                  --xml --no-location --strict lang/X.nix` must print it.
#   plus the three trace / addErrorContext checks at the top of lang.sh.
# Failures must be clean error exits: a crash (signal) or a timeout is a
# failure even for *-fail tests.  The environment is hermetic: TEST_VAR=foo,
# NIX_REMOTE=dummy://, HOME, XDG_* dirs, NIX_*_DIR and FIRN_STORE in a temp
# directory, NIX_PATH unset except where lang.sh sets it.
#
# known-failures.txt (or $FIRN_KNOWN_FAILURES): one test name per line,
# '#' starts a comment (give the reason).  Output is one line per test:
#   PASS name | FAIL name: why | XFAIL name | XPASS name
# and a final "N passed, N failed" line.  Exit status is 1 if any test not in
# the list fails (a regression), 2 on a usage or setup error, else 0.  XPASS
# lines are a hint to shrink the list, not a failure.
#
# Environment: FIRN_TEST_TIMEOUT (seconds per command, default 30),
# FIRN_LANG_VERBOSE=1 (also show details of expected failures).

set -u
set -o pipefail

die() {
    printf 'nix-conformance: error: %s\n' "$*" >&2
    exit 2
}

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi

firn=$1
shift
patterns=("$@")

case $firn in
    */*) [ -x "$firn" ] || die "not an executable: $firn"
         firn=$(cd "$(dirname "$firn")" && pwd)/$(basename "$firn") ;;
    *)   firn=$(command -v "$firn") || die "not found in PATH: $1" ;;
esac
case $(basename "$firn") in
    nix-instantiate*) inst=("$firn") ;;
    *)                inst=("$firn" instantiate) ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
known_file=${FIRN_KNOWN_FAILURES:-$here/known-failures.txt}
timeout_s=${FIRN_TEST_TIMEOUT:-30}
verbose=${FIRN_LANG_VERBOSE:-0}

# ---------------------------------------------------------------------------
# Locate or fetch Nix's sources.

deb_src_help() {
    cat >&2 <<'EOF'
nix-conformance: Nix's language tests come from Debian's source package 'nix',
which needs deb-src entries in apt.  Enable them (as root) with:

  cat > /etc/apt/sources.list.d/firn-deb-src.sources <<'SRC'
  Types: deb-src
  URIs: http://deb.debian.org/debian
  Suites: bookworm bookworm-updates
  Components: main
  Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
  SRC
  apt-get update

or point FIRN_NIX_SRC at an unpacked nix-2.8.0 source tree.
EOF
}

find_cached_tree() {    # $1 = cache dir; prints the newest nix-*/ with tests/lang
    local d best=''
    for d in "$1"/nix-*/; do
        [ -d "$d/tests/lang" ] && best=${d%/}
    done
    [ -n "$best" ] && printf '%s\n' "$best"
}

unpack_orig() {         # $1 = cache dir; unpacks tests/ of nix_*.orig.tar.*
    local cache=$1 tarball='' f ver stage
    for f in "$cache"/nix_*.orig.tar.*; do
        [ -f "$f" ] && tarball=$f
    done
    [ -n "$tarball" ] || return 1
    ver=$(basename "$tarball")
    ver=${ver#nix_}
    ver=${ver%.orig.tar.*}
    stage=$(mktemp -d "$cache/.unpack.XXXXXX") || return 1
    # Debian's patches for nix 2.8 do not touch tests/, so the upstream
    # tarball is enough (and needs no dpkg-dev).
    if ! tar -xf "$tarball" -C "$stage" --wildcards "*/tests"; then
        rm -rf "$stage"
        return 1
    fi
    if [ ! -d "$stage/nix-$ver/tests/lang" ]; then
        rm -rf "$stage"
        return 1
    fi
    rm -rf "${cache:?}/nix-$ver"
    mv "$stage/nix-$ver" "$cache/nix-$ver" && rm -rf "$stage"
}

fetch_source() {        # $1 = cache dir
    local cache=$1
    command -v apt-get >/dev/null 2>&1 ||
        die "apt-get not found: cannot fetch Nix's sources (set FIRN_NIX_SRC)"
    # shellcheck disable=SC2016 # $(IDENTIFIER) is apt's template, not shell
    if ! apt-get indextargets --format '$(IDENTIFIER)' 2>/dev/null | grep -qx Sources; then
        local SL=/etc/apt/sources.list SP=/etc/apt/sources.list.d/
        eval "$(apt-config shell SL Dir::Etc::sourcelist/f SP Dir::Etc::sourceparts/d 2>/dev/null)"
        if grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' "$SL" "$SP"; then
            printf 'nix-conformance: deb-src is configured but its index is not downloaded: run "apt-get update" as root.\n' >&2
        else
            deb_src_help
        fi
        die "cannot fetch Nix's sources: no deb-src index in apt"
    fi
    printf 'nix-conformance: fetching Debian source package nix into %s\n' "$cache" >&2
    if ! (cd "$cache" && apt-get source --download-only nix >&2); then
        deb_src_help
        die "apt-get source --download-only nix failed"
    fi
}

locate_tests() {
    local cache tree
    if [ -n "${FIRN_NIX_SRC:-}" ] && [ -d "$FIRN_NIX_SRC/tests/lang" ]; then
        printf '%s\n' "$FIRN_NIX_SRC/tests"
        return 0
    fi
    cache=${FIRN_NIX_SRC:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/firn/nix-src}
    mkdir -p "$cache" || die "cannot create cache dir $cache"
    # Serialise concurrent runs on the same cache.
    exec 9>"$cache/.lock"
    if command -v flock >/dev/null 2>&1; then flock 9; fi
    if ! tree=$(find_cached_tree "$cache"); then
        unpack_orig "$cache" 2>/dev/null ||
            { fetch_source "$cache" && unpack_orig "$cache"; } ||
            die "could not unpack Nix's sources in $cache"
        tree=$(find_cached_tree "$cache") || die "no nix-*/tests/lang in $cache"
    fi
    exec 9>&-
    printf '%s\n' "$tree/tests"
}

src_tests=$(locate_tests) || exit 2
case $src_tests in
    */nix-2.8*) ;;
    *) printf 'nix-conformance: warning: %s is not Nix 2.8; expect differences\n' "$src_tests" >&2 ;;
esac

# ---------------------------------------------------------------------------
# Hermetic environment and a private copy of the tests.

tmp=$(mktemp -d "${TMPDIR:-/tmp}/firn-conformance.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

mkdir -p "$tmp/home" "$tmp/xdg/config" "$tmp/xdg/cache" "$tmp/xdg/data" \
    "$tmp/xdg/state" "$tmp/nix/etc" "$tmp/nix/var/log" "$tmp/firn-store" \
    "$tmp/tests" "$tmp/out"
cp -R "$src_tests/lang" "$tmp/tests/lang" || die "cannot copy $src_tests/lang"

export HOME=$tmp/home
export XDG_CONFIG_HOME=$tmp/xdg/config XDG_CACHE_HOME=$tmp/xdg/cache
export XDG_DATA_HOME=$tmp/xdg/data XDG_STATE_HOME=$tmp/xdg/state
unset XDG_CONFIG_DIRS XDG_DATA_DIRS NIX_PATH NIX_USER_CONF_FILES
export NIX_REMOTE=dummy://
export NIX_CONF_DIR=$tmp/nix/etc
export NIX_STATE_DIR=$tmp/nix/var NIX_LOG_DIR=$tmp/nix/var/log
export FIRN_STORE=$tmp/firn-store
export TEST_VAR=foo           # for eval-okay-getenv.nix
export TERM=dumb NO_COLOR=1 LC_ALL=C.UTF-8 PAGER=cat

cd "$tmp/tests" || die "cannot cd to $tmp/tests"

# ---------------------------------------------------------------------------
# Known failures and reporting.

declare -A known=() seen=()
if [ -f "$known_file" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%%#*}
        line=${line//[[:space:]]/}
        [ -n "$line" ] && known[$line]=1
    done <"$known_file"
fi

n_pass=0 n_fail=0 n_xfail=0 n_xpass=0
regressions=()

selected() {
    local p
    [ ${#patterns[@]} -eq 0 ] && return 0
    for p in "${patterns[@]}"; do
        # shellcheck disable=SC2053 # glob match intended
        [[ $1 == $p ]] && return 0
    done
    return 1
}

show_details() {         # indent the first lines of a file
    [ -s "$1" ] || return 0
    head -n 15 "$1" | sed 's/^/    | /'
}

# report NAME ok|fail [WHY [DETAILS_FILE]]
report() {
    local name=$1 status=$2 why=${3:-} details=${4:-}
    seen[$name]=1
    if [ "$status" = ok ]; then
        if [ -n "${known[$name]:-}" ]; then
            echo "XPASS $name (remove it from known-failures.txt)"
            n_xpass=$((n_xpass + 1))
        else
            echo "PASS $name"
            n_pass=$((n_pass + 1))
        fi
    else
        if [ -n "${known[$name]:-}" ]; then
            echo "XFAIL $name"
            n_xfail=$((n_xfail + 1))
            [ "$verbose" = 1 ] && echo "    $why" && show_details "$details"
        else
            echo "FAIL $name: $why"
            show_details "$details"
            n_fail=$((n_fail + 1))
            regressions+=("$name")
        fi
    fi
    return 0
}

# run OUT ERR [VAR=VALUE...] -- ARGS...  (stdin from the caller)
# Runs the binary under a timeout; sets $rc.
run() {
    local out=$1 err=$2
    shift 2
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    env ${envs[@]+"${envs[@]}"} timeout -k 5 "$timeout_s" "${inst[@]}" "$@" >"$out" 2>"$err"
    rc=$?
}

# Describe an abnormal exit status, or nothing if it is an ordinary one.
abnormal() {
    if [ "$1" -eq 124 ]; then
        echo "timed out after ${timeout_s}s"
    elif [ "$1" -ge 125 ]; then
        echo "crashed (exit status $1)"
    fi
}

# expect_error NAME: judge $rc for a command that must fail cleanly.
expect_error() {
    local name=$1 err=$2 why
    why=$(abnormal "$rc")
    if [ -n "$why" ]; then
        report "$name" fail "$why" "$err"
    elif [ "$rc" -eq 0 ]; then
        report "$name" fail "succeeded but should fail"
    elif [ "$rc" -ne 1 ]; then
        report "$name" fail "failed with exit status $rc, expected 1" "$err"
    else
        report "$name" ok
    fi
}

o=$tmp/out

# ---------------------------------------------------------------------------
# The three checks at the top of lang.sh.

if selected trace-builtin; then
    run "$o/t.out" "$o/t.err" -- --eval -E 'builtins.trace "Hello" 123' </dev/null
    if [ -n "$(abnormal "$rc")" ] || [ "$rc" -ne 0 ]; then
        report trace-builtin fail "exit status $rc" "$o/t.err"
    elif ! grep -q Hello "$o/t.err"; then
        report trace-builtin fail "trace message 'Hello' not printed on stderr" "$o/t.err"
    elif [ "$(cat "$o/t.out")" != 123 ]; then
        report trace-builtin fail "printed '$(head -c 200 "$o/t.out")', expected 123"
    else
        report trace-builtin ok
    fi
fi

if selected addErrorContext-unused; then
    run "$o/t.out" "$o/t.err" -- --show-trace --eval -E 'builtins.addErrorContext "Hello" 123' </dev/null
    if [ -n "$(abnormal "$rc")" ] || [ "$rc" -ne 0 ]; then
        report addErrorContext-unused fail "exit status $rc" "$o/t.err"
    elif grep -q Hello "$o/t.out" "$o/t.err"; then
        report addErrorContext-unused fail "context 'Hello' printed although nothing failed" "$o/t.err"
    else
        report addErrorContext-unused ok
    fi
fi

if selected addErrorContext-show-trace; then
    run "$o/t.out" "$o/t.err" -- --show-trace --eval -E 'builtins.addErrorContext "Hello" (throw "Foo")' </dev/null
    if [ -n "$(abnormal "$rc")" ] || [ "$rc" -ne 1 ]; then
        report addErrorContext-show-trace fail "exit status $rc, expected 1" "$o/t.err"
    elif ! grep -q Hello "$o/t.err"; then
        report addErrorContext-show-trace fail "context 'Hello' missing from --show-trace output" "$o/t.err"
    else
        report addErrorContext-show-trace ok
    fi
fi

# ---------------------------------------------------------------------------
# The lang/ tests, in lang.sh's order.

for f in lang/parse-fail-*.nix; do
    i=$(basename "$f" .nix)
    selected "$i" || continue
    run "$o/$i.out" "$o/$i.err" -- --parse - <"$f"
    expect_error "$i" "$o/$i.err"
done

for f in lang/parse-okay-*.nix; do
    i=$(basename "$f" .nix)
    selected "$i" || continue
    run "$o/$i.out" "$o/$i.err" -- --parse - <"$f"
    why=$(abnormal "$rc")
    if [ -z "$why" ] && [ "$rc" -eq 0 ]; then
        report "$i" ok
    else
        report "$i" fail "${why:-should parse, exit status $rc}" "$o/$i.err"
    fi
done

for f in lang/eval-fail-*.nix; do
    i=$(basename "$f" .nix)
    selected "$i" || continue
    run "$o/$i.out" "$o/$i.err" -- --eval "lang/$i.nix" </dev/null
    expect_error "$i" "$o/$i.err"
done

for f in lang/eval-okay-*.nix; do
    i=$(basename "$f" .nix)

    if [ -e "lang/$i.exp" ] && selected "$i"; then
        flags=()
        if [ -e "lang/$i.flags" ]; then
            # Word-split like lang.sh's unquoted $(cat ...), without globbing.
            read -r -d '' -a flags <"lang/$i.flags"
        fi
        run "$o/$i.out" "$o/$i.err" NIX_PATH=lang/dir3:lang/dir4 -- \
            ${flags[@]+"${flags[@]}"} --eval --strict "lang/$i.nix" </dev/null
        why=$(abnormal "$rc")
        if [ -n "$why" ] || [ "$rc" -ne 0 ]; then
            report "$i" fail "${why:-should evaluate, exit status $rc}" "$o/$i.err"
        elif ! diff -u "lang/$i.exp" "$o/$i.out" >"$o/$i.diff" 2>&1; then
            report "$i" fail "evaluation result not as expected" "$o/$i.diff"
        else
            report "$i" ok
        fi
    fi

    if [ -e "lang/$i.exp.xml" ] && selected "$i.xml"; then
        run "$o/$i.out.xml" "$o/$i.err.xml" -- \
            --eval --xml --no-location --strict "lang/$i.nix" </dev/null
        why=$(abnormal "$rc")
        if [ -n "$why" ] || [ "$rc" -ne 0 ]; then
            report "$i.xml" fail "${why:-should evaluate, exit status $rc}" "$o/$i.err.xml"
        elif ! cmp -s "lang/$i.exp.xml" "$o/$i.out.xml"; then
            diff -u "lang/$i.exp.xml" "$o/$i.out.xml" >"$o/$i.diff.xml" 2>&1
            report "$i.xml" fail "XML evaluation result not as expected" "$o/$i.diff.xml"
        else
            report "$i.xml" ok
        fi
    fi
done

# ---------------------------------------------------------------------------
# Summary.

if [ ${#patterns[@]} -eq 0 ]; then
    for name in "${!known[@]}"; do
        [ -n "${seen[$name]:-}" ] ||
            echo "warning: known-failures.txt names '$name', which is not a test" >&2
    done
fi

echo "nix-conformance ($src_tests): $n_xfail known failures (XFAIL), $n_xpass unexpected passes (XPASS)"
if [ ${#regressions[@]} -gt 0 ]; then
    echo "regressions (not in known-failures.txt): ${regressions[*]}"
fi
echo "$((n_pass + n_xpass)) passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
