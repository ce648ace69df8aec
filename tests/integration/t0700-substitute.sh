#!/bin/bash
# firn build substitutes from binary caches: outputs a cache has are
# fetched (signatures checked) instead of built, and then their inputs are
# not needed; a cache without them, or with untrusted signatures, means
# building.
. "$(dirname "$0")/test-lib.sh"

cat >chain.nix <<'NIX'
let
  mk = name: script: derivation {
    inherit name; system = "x86_64-linux"; builder = "/bin/sh";
    args = [ "-c" "PATH=/usr/bin:/bin; ${script}" ];
    __sandboxPaths = "/bin /lib /lib64 /usr";
  };
in rec {
  a = mk "a" "echo a > $out";
  b = mk "b" "echo uses ${a} > $out";
}
NIX
firn key generate test-cache-1 --secret key.sec --public key.pub
check "key generate writes a key pair" test -s key.sec -a -s key.pub

# Build in one store, push the closure to a signed file:// cache.
out=$(firn --store "$TEST_ROOT/builder" build chain.nix -A b --no-out-link 2>/dev/null)
check "the builder store builds b" test -n "$out"
firn --store "$TEST_ROOT/builder" copy --to "file://$TEST_ROOT/cache" --sign-key key.sec "$out"
check "the cache holds b's narinfo" test -f "$TEST_ROOT/cache/$(basename "$out" | cut -c1-32).narinfo"

# A fresh store substitutes b (and a, its reference) instead of building.
firn build chain.nix -A b --no-out-link --option substituters "file://$TEST_ROOT/cache" \
        --option trusted-public-keys "$(cat key.pub)" >sub.out 2>sub.err
expect_eq "$(cat sub.out)" "$out" "the substituted output is the built one"
check "nothing was built" bash -c "! grep -q building sub.err"
expect_eq "$(firn store query --requisites "$out" | wc -l)" "2" "its closure came along"
check "and it verifies" firn store verify --check-contents
expect_fail "the substituted b has no log here" firn log "$out"

# Untrusted signature: refused, so it is built instead.
firn key generate other --secret other.sec --public other.pub
firn --store "$TEST_ROOT/fresh2" build chain.nix -A b --no-out-link --option substituters "file://$TEST_ROOT/cache" \
        --option trusted-public-keys "$(cat other.pub)" >unsigned.out 2>unsigned.err
expect_eq "$(cat unsigned.out)" "$out" "an untrusted cache falls back to building"
check "with a warning naming the key problem" grep -qi "signature\|trusted\|key" unsigned.err
check "and the build ran" grep -q "building" unsigned.err

# A cache that lacks a output: built locally.
firn --store "$TEST_ROOT/fresh3" build chain.nix -A a --no-out-link --option substituters "file://$TEST_ROOT/empty-cache" \
        >/dev/null 2>empty.err
check "a missing cache means building" grep -q building empty.err

# Over HTTP from a real server on 127.0.0.1.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$TEST_ROOT/cache" && exec python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1) &
server=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
firn --store "$TEST_ROOT/fresh4" build chain.nix -A b --no-out-link --option substituters "http://127.0.0.1:$port" \
        --option trusted-public-keys "$(cat key.pub)" >http.out 2>http.err
kill "$server" 2>/dev/null
expect_eq "$(cat http.out)" "$out" "substitution over HTTP"
check "without building" bash -c "! grep -q building http.err"

finish
