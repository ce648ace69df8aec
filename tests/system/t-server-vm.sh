#!/bin/bash
# examples/server.nix as the README's main job runs it: examples/server/check-vm
# builds it with `firn system build-vm`, boots it under TCG and checks every
# service from inside (over SSH as alice) and from the host, then powers it
# off. Each of its OK/FAIL lines is one check here. Private store and lock.
. "$(dirname "$0")/../integration/test-lib.sh"
examples=${FIRN_EXAMPLES:-$(cd "$(dirname "$0")/../../examples" && pwd)}

# The configuration beside a copy of the lock, so the test never writes
# into the source tree's examples/firn.lock.
echo "{ imports = [ $examples/server.nix ]; }" >server.nix
cp "$examples/firn.lock" firn.lock

FIRN_CHECK_CONFIG=$TEST_ROOT/server.nix FIRN_CHECK_DIR=$TEST_ROOT/check FIRN=$FIRN \
        timeout 1200 "$examples/server/check-vm" >check.log 2>&1
rc=$?
cat check.log
while read -r verdict what; do
        case $verdict in
        OK) pass "$what" ;;
        FAIL) fail "$what" ;;
        esac
done <check.log
grep -q '^OK   the VM powered off' check.log || tail -60 "$TEST_ROOT/check/console.log" 2>/dev/null | sed 's/^/    /'
expect_eq "$rc" 0 "examples/server/check-vm exits 0"
finish
