#!/bin/bash
# firn build: realising derivations in the sandbox, in dependency order and
# in parallel; outputs registered with references, deriver and hashes;
# failures with the log's tail; fixed outputs checked; logs kept.
. "$(dirname "$0")/test-lib.sh"

# The host's merged /usr gives builders a shell (sandbox-paths).
cat >lib.nix <<'NIX'
rec {
  mk = name: script: attrs: derivation ({
    inherit name;
    system = "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" "PATH=/usr/bin:/bin; ${script}" ];
    __sandboxPaths = "/bin /lib /lib64 /usr";
  } // attrs);
}
NIX
cat >chain.nix <<'NIX'
with import ./lib.nix;
rec {
  a = mk "a" "echo a > $out" {};
  b = mk "b" "echo b-uses-${a} > $out" {};
  c = mk "c" "mkdir $out $dev; cat ${b} > $out/b; echo dev > $dev/d" { outputs = [ "out" "dev" ]; };
  broken = mk "broken" "for i in $(seq 1 40); do echo line $i; done; exit 3" {};
  after-broken = mk "after-broken" "echo ${broken} > $out" {};
  independent = mk "independent" "sleep 1; echo ok > $out" {};
  fixed = mk "fixed" "printf hello > $out" {
    outputHashMode = "flat"; outputHashAlgo = "sha256";
    outputHash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  };
  fixed-wrong = mk "fixed-wrong" "printf goodbye > $out" {
    outputHashMode = "flat"; outputHashAlgo = "sha256";
    outputHash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  };
  slow = mk "slow" "sleep 30; echo > $out" {};
  setuid = mk "setuid" "echo x > $out; chmod 4755 $out" {};
  parallel = map (i: mk "p${toString i}" "sleep 1; echo ${toString i} > $out" {}) [ 1 2 3 4 ];
}
NIX

out=$(firn build chain.nix -A b 2>build.err)
check "build prints the output path" test -n "$out"
expect_eq "$(cat "$(real "$out")")" "b-uses-$(firn build chain.nix -A a --no-out-link 2>/dev/null)" "the output has the builder's bytes"
expect_eq "$(readlink result)" "$out" "./result links to the output"
check "./result is a GC root" grep -rq "$TEST_ROOT/result" <(ls -l "$STATE_REAL/gcroots/auto")
info=$(firn store path-info --json "$out")
drv=$(firn instantiate chain.nix -A b 2>/dev/null)
expect_eq "$(jq -r '.[0].deriver' <<<"$info")" "$drv" "the output's deriver is its .drv"
expect_eq "$(jq -r '.[0].ultimate' <<<"$info")" "true" "a built path is ultimate"
expect_eq "$(jq -r '.[0].references | length' <<<"$info")" "1" "references found by scanning"
check "verify passes after builds" firn store verify --check-contents
expect_eq "$(stat -c %a "$(real "$out")")" "444" "outputs are canonicalised"
if have_nix; then
        expect_eq "$(nix_env nix-instantiate --eval -E '(import ./chain.nix).b.outPath' 2>/dev/null)" "\"$out\"" \
                "the output path is Nix's"
fi

# A second build does nothing; a multi-output derivation links result-dev.
firn build chain.nix -A b -L >again.out 2>again.err
check "a valid output is not rebuilt" bash -c "! grep -q building again.err"
c=$(firn build chain.nix -A c.all 2>/dev/null | head -1)
check "result-dev links the second output" test -f "$(real "$(readlink result-dev)")/d"
expect_eq "$(cat "$(real "$c")/b")" "$(cat "$(real "$out")")" "inputs are visible to builders"

# A .drv named directly, with ^out.
cdrv=$(firn instantiate chain.nix -A c 2>/dev/null)
expect_eq "$(firn build "$cdrv^dev" --no-out-link 2>/dev/null)" "$(readlink result-dev)" "DRV^dev realises one output"

# Failures: exit code, the log's last 25 lines, firn log.
expect_fail "a failing builder fails the build" firn build chain.nix -A after-broken --no-out-link
firn build chain.nix -A broken --no-out-link >/dev/null 2>fail.err
check "the error names the builder and exit code" grep -q "failed with exit code 3" fail.err
expect_eq "$(grep -c '> line' fail.err)" "25" "the last 25 log lines are shown"
bdrv=$(firn instantiate chain.nix -A broken 2>/dev/null)
expect_eq "$(firn log "$bdrv" | wc -l)" "40" "firn log prints the whole stored log"
check "logs are kept compressed in Nix's layout" test -f "$FIRN_STORE/nix/var/log/nix/drvs/${bdrv:11:2}/${bdrv:13}.bz2"
firn build chain.nix -A after-broken --no-out-link >/dev/null 2>dep.err
check "a dependent of a failure is reported" grep -q "dependency '.*broken.drv' of" dep.err

# --keep-going builds independent derivations after a failure.
cat >kg.nix <<'NIX'
with import ./chain.nix; [ broken independent ]
NIX
firn build kg.nix --keep-going -j 1 --no-out-link >/dev/null 2>&1
check "--keep-going still builds independent branches" firn store query --valid "$(firn instantiate chain.nix -A independent 2>/dev/null | xargs -I{} "$FIRN" store query --outputs {})"

# Fixed outputs: the right hash registers, a wrong one does not.
f=$(firn build chain.nix -A fixed --no-out-link 2>/dev/null)
expect_eq "$(jq -r '.[0].ca' <<<"$(firn store path-info --json "$f")")" "fixed:sha256:$(nix-hash --type sha256 --to-base32 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 2>/dev/null || echo '?')" "a fixed output gets its ca"
firn build chain.nix -A fixed-wrong --no-out-link >/dev/null 2>hash.err
check "a hash mismatch names both hashes" grep -q "specified: sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=" hash.err
check "... and the one it got" grep -q "got:    sha256-" hash.err
fw=$(firn instantiate chain.nix -A fixed-wrong 2>/dev/null | xargs -I{} "$FIRN" store query --outputs {} 2>/dev/null)
expect_fail "nothing is registered for a wrong hash" firn store query --valid "$fw"

# Timeouts and setuid.
firn build chain.nix -A slow --timeout 1 --no-out-link >/dev/null 2>slow.err
check "--timeout stops a slow builder" grep -q "timed out" slow.err
expect_fail "a builder cannot leave a setuid file" firn build chain.nix -A setuid --no-out-link

# Parallel builds: four 1-second builds with -j 4 take well under 4 s.
start=$(date +%s%N)
firn build chain.nix -A parallel -j 4 --no-out-link >/dev/null 2>&1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "-j 4 runs builds in parallel (${ms} ms)" test "$ms" -lt 3500

# Two firn processes building the same derivation: one builds, both succeed.
cat >same.nix <<'NIX'
with import ./lib.nix; mk "same" "sleep 1; echo $RANDOM > $out" {}
NIX
firn build same.nix --no-out-link >same.1 2>/dev/null & p1=$!
firn build same.nix --no-out-link >same.2 2>/dev/null & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
expect_eq "$r1$r2" "00" "concurrent builds of one derivation both succeed"
expect_eq "$(cat same.1)" "$(cat same.2)" "and agree on the output"

# Machine-readable progress.
firn build chain.nix -A independent --log-format json --no-out-link 2>json.err >/dev/null
firn build chain.nix -A a --log-format json --no-out-link -L 2>json.err >/dev/null
check "--log-format json prints JSON lines" bash -c "[ ! -s json.err ] || jq -e . json.err >/dev/null"

finish
