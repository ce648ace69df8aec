# Shared setup for the integration tests (tests/integration/tNNNN-*.sh).
#
# Each test gets a private store root in a fresh temporary directory
# ($TEST_ROOT/store, exported as FIRN_STORE so every firn command uses it)
# and never touches the host's /nix. Checks count passes and failures; the
# test ends with `finish`, which prints "N passed, N failed" and sets the
# exit status.
#
#   . "$(dirname "$0")/test-lib.sh"
#   check "add prints a store path" test -n "$out"
#   expect_eq "$(cat "$real")" "hello" "contents survive"
#   expect_fail "deleting a live path fails" firn store delete "$p"
#   finish
set -u

FIRN=${FIRN:-$(cd "$(dirname "$0")/../.." && pwd)/build/src/cli/firn}
firn() { "$FIRN" "$@"; }

TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/firn-test.XXXXXX")
export FIRN_STORE=$TEST_ROOT/store
STORE_REAL=$FIRN_STORE/nix/store
STATE_REAL=$FIRN_STORE/nix/var/nix
trap 'chmod -R u+w "$TEST_ROOT" 2>/dev/null; rm -rf "$TEST_ROOT"' EXIT
cd "$TEST_ROOT"

PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $1"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
        local what=$1; shift
        if "$@" >"$TEST_ROOT/.out" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/    /' "$TEST_ROOT/.out"; fi
}

# expect_fail DESCRIPTION COMMAND...: passes when the command fails.
expect_fail() {
        local what=$1; shift
        if "$@" >"$TEST_ROOT/.out" 2>&1; then fail "$what (succeeded)"; sed 's/^/    /' "$TEST_ROOT/.out"; else pass "$what"; fi
}

# expect_eq ACTUAL EXPECTED DESCRIPTION
expect_eq() {
        if [ "$1" = "$2" ]; then pass "$3"; else
                fail "$3"
                printf '    expected: %s\n    actual:   %s\n' "$2" "$1"
        fi
}

# A free TCP port on the host's loopback (bound and released), for a VM's
# forwarded ports.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# build_vm FILE WHAT: `firn system build-vm -f FILE` into ./result, one
# check named WHAT, the time taken on stdout, the log's tail on failure.
build_vm() {
        local start rc
        start=$(date +%s)
        firn system build-vm -f "$1" -j 2 >build.log 2>&1
        rc=$?
        expect_eq "$rc" 0 "$2"
        [ "$rc" = 0 ] || tail -30 build.log
        echo "# build: $(( $(date +%s) - start )) s"
        return "$rc"
}

# Where a logical path (symlinks included) really is in the private store.
resolve() { firn store realpath "$1"; }

# cpio_names: the names in a newc archive on stdin, one per line.
cpio_names() {
        python3 -c '
import sys
d = sys.stdin.buffer.read(); o = 0
while o + 110 <= len(d) and d[o:o + 6] == b"070701":
    size, nlen = int(d[o + 54:o + 62], 16), int(d[o + 94:o + 102], 16)
    name = d[o + 110:o + 110 + nlen - 1].decode()
    if name == "TRAILER!!!": break
    print(name)
    o = (o + 110 + nlen + 3) & ~3
    o = (o + size + 3) & ~3'
}

# The real location of a logical store path.
real() { printf '%s%s' "$FIRN_STORE" "$1"; }

# Nix 2.8 as an oracle, on its own private store root (never the host's).
have_nix() { command -v nix-store >/dev/null 2>&1; }
nix_env() {
        env HOME="$TEST_ROOT/nixhome" XDG_CACHE_HOME="$TEST_ROOT/nixhome/.cache" \
                NIX_REMOTE="local?root=$TEST_ROOT/nixref" \
                NIX_CONFIG=$'substituters =\nbuild-users-group =\nsandbox = false\nexperimental-features = nix-command\nfsync-metadata = false' \
                "$@"
}

finish() {
        echo "$PASSED passed, $FAILED failed"
        [ "$FAILED" -eq 0 ]
}
