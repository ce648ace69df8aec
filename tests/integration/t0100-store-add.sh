#!/bin/bash
# Adding to the store, dumping, restoring, querying and verifying, checked
# against Nix 2.8 on a private store; crash safety of `store add` under
# injected faults and kill -9.
. "$(dirname "$0")/test-lib.sh"

mktree() { # DIR: files, an executable, a symlink, an empty and a nested dir
        mkdir -p "$1/sub/deep" "$1/empty"
        printf 'hello\n' >"$1/a.txt"
        printf '#!/bin/sh\necho hi\n' >"$1/run.sh"; chmod 755 "$1/run.sh"
        : >"$1/sub/empty-file"
        head -c 200000 /dev/urandom >"$1/sub/deep/blob"
        ln -s ../a.txt "$1/sub/link"
        chmod 4755 "$1/sub/deep/blob" # setuid must not survive
}
mktree tree

# ---- add --------------------------------------------------------------
p=$(firn store add tree)
check "add prints a store path" test -n "$p"
check "the path is valid" firn store query --valid "$p"
expect_eq "$(firn store add tree)" "$p" "adding again gives the same path"
expect_eq "$(stat -c %a "$(real "$p")/a.txt")" "444" "files are read-only"
expect_eq "$(stat -c %a "$(real "$p")/run.sh")" "555" "executables are 0555"
expect_eq "$(stat -c %a "$(real "$p")/sub/deep/blob")" "555" "setuid is cleared"
expect_eq "$(stat -c %a "$(real "$p")/sub")" "555" "directories are 0555"
expect_eq "$(stat -c %Y "$(real "$p")/a.txt")" "1" "mtime is 1"
expect_eq "$(readlink "$(real "$p")/sub/link")" "../a.txt" "symlinks are kept"
pf=$(firn store add --flat --hash-algo sha1 tree/a.txt)
pr=$(firn store add --recursive --hash-algo sha512 tree)
expect_fail "flat needs a regular file" firn store add --flat tree
expect_fail "a missing path is an error" firn store add no-such-dir

# ---- dump, restore, hash-path ------------------------------------------
firn store dump "$p" >tree.nar
check "restore unpacks a NAR" firn store restore restored <tree.nar
check "the restored tree equals the original" diff -r tree restored
expect_eq "$(firn store hash-path restored)" "$(firn store hash-path tree)" "restored tree hashes the same"
expect_fail "restore refuses an existing target" firn store restore restored <tree.nar
head -c 1000 tree.nar >trunc.nar
expect_fail "restore refuses a truncated NAR" firn store restore cut <trunc.nar
check "and leaves nothing behind" test ! -e cut

# ---- path-info and queries ----------------------------------------------
info=$(firn store path-info --json "$p")
expect_eq "$(jq -r '.[0].path' <<<"$info")" "$p" "path-info --json names the path"
expect_eq "$(jq -r '.[0].ca' <<<"$info")" "fixed:r:sha256:$(firn store hash-path --base32 tree)" "ca is fixed:r:sha256"
expect_eq "$(jq -r '.[0].narSize' <<<"$info")" "$(wc -c <tree.nar)" "narSize is the NAR's size"
expect_fail "path-info of a non-store path fails" firn store path-info /etc/passwd

cat >drv.nix <<'NIX'
let
  src = ./tree;
  dep = derivation { name = "dep"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; };
  txt = builtins.toFile "note.txt" "uses ${src}";
in {
  top = derivation {
    name = "top"; system = "x86_64-linux"; builder = "/bin/sh"; inherit dep txt;
    args = [ "-c" "echo ${dep} > $out" ]; outputs = [ "out" "doc" ];
  };
}
NIX
drv=$(firn instantiate drv.nix -A top 2>err)
check "instantiate prints the .drv path" test -f "$(real "$drv")"
check "instantiate warns about --add-root" grep -q "did not specify '--add-root'" err
firn instantiate drv.nix -A top --add-root ./result >/dev/null
expect_eq "$(readlink result)" "$drv" "--add-root makes a link to the .drv"
check "and an indirect GC root" bash -c "ls -l '$STATE_REAL/gcroots/auto' | grep -q '$TEST_ROOT/result'"
expect_eq "$(firn store query --outputs "$drv" | wc -l)" "2" "query --outputs lists both outputs"
check "the .drv refers to its sources" grep -q -- '-note.txt$' <(firn store query --references "$drv")
check "query --requisites includes the tree" grep -q -- '-tree$' <(firn store query --requisites "$drv")
expect_eq "$(firn store query --referrers "$(firn store query --requisites "$drv" | grep -- '-dep.drv$')")" "$drv" \
        "query --referrers finds the .drv"
expect_eq "$(firn store query --deriver "$p")" "unknown-deriver" "an added path has no deriver"

# ---- Nix 2.8 as the oracle ----------------------------------------------
if have_nix; then
        expect_eq "$(nix_env nix-store --add tree)" "$p" "Nix adds the tree at the same path"
        expect_eq "$(nix_env nix-store --add-fixed sha1 tree/a.txt)" "$pf" "flat sha1 path as Nix's"
        expect_eq "$(nix_env nix-store --add-fixed --recursive sha512 tree)" "$pr" "recursive sha512 path as Nix's"
        nix_env nix-store --dump tree >nix.nar
        check "dump writes Nix's NAR bytes" cmp tree.nar nix.nar
        ninfo=$(nix_env nix path-info --json "$p")
        for f in narHash narSize ca references; do
                expect_eq "$(jq -c ".[0].$f" <<<"$info")" "$(jq -c ".[0].$f" <<<"$ninfo")" "path-info $f as Nix's"
        done
        ndrv=$(nix_env nix-instantiate drv.nix -A top 2>/dev/null)
        expect_eq "$ndrv" "$drv" "the .drv path is Nix's"
        check "the .drv bytes are Nix's" cmp "$(real "$drv")" "$TEST_ROOT/nixref$ndrv"
        for q in --references --requisites --outputs; do
                expect_eq "$(firn store query $q "$drv")" "$(nix_env nix-store -q $q "$ndrv" | sort)" "query $q as Nix's"
        done
        # Nix reads firn's database and store.
        firn_as_nix() { env HOME="$TEST_ROOT/nixhome" NIX_REMOTE="local?root=$FIRN_STORE" \
                NIX_CONFIG=$'substituters =\nexperimental-features = nix-command' "$@"; }
        expect_eq "$(firn_as_nix nix-store -q --requisites "$drv" | sort)" "$(firn store query --requisites "$drv")" \
                "Nix reads firn's references"
        check "Nix verifies firn's store" firn_as_nix nix-store --verify --check-contents
        expect_eq "$(firn_as_nix nix path-info --json "$p" | jq -c '.[0].narHash')" "$(jq -c '.[0].narHash' <<<"$info")" \
                "Nix reads firn's path info"
else
        fail "nix-store is needed for the differential checks"
fi

# ---- verify ---------------------------------------------------------------
check "verify --check-contents passes" firn store verify --check-contents
cp -a "$FIRN_STORE" "$TEST_ROOT/broken"
bp=$TEST_ROOT/broken$p
chmod u+w "$bp/a.txt"; echo tampered >>"$bp/a.txt"
expect_fail "verify notices a modified file" firn --store "$TEST_ROOT/broken" store verify --check-contents
chmod -R u+w "$TEST_ROOT/broken$pf"; rm -rf "$TEST_ROOT/broken$pf"
firn --store "$TEST_ROOT/broken" store verify >verify.out 2>&1
check "verify names a disappeared path" grep -q "disappeared" verify.out
firn --store "$TEST_ROOT/broken" store verify --repair >/dev/null 2>&1
expect_fail "--repair drops the missing path" firn --store "$TEST_ROOT/broken" store query --valid "$pf"
head -c 4096 /dev/urandom >"$TEST_ROOT/broken/nix/var/nix/db/db.sqlite"
rm -f "$TEST_ROOT/broken/nix/var/nix/db/db.sqlite-wal" "$TEST_ROOT/broken/nix/var/nix/db/db.sqlite-shm"
firn --store "$TEST_ROOT/broken" store path-info "$p" >corrupt.out 2>&1
rc=$?
check "a corrupt database is an error, not a crash" test "$rc" = 1
check "which names the database" grep -q "db.sqlite" corrupt.out

# ---- crash safety: injected faults at every step ----------------------------
mkdir -p big; mktree big/t1; mktree big/t2
steps=$(FIRN_FAULT_TRACE=1 firn --store "$TEST_ROOT/count" store add big 2>&1 >/dev/null | grep -c '^firn-fault:')
check "add passes failure points ($steps)" test "$steps" -gt 5
want=$(firn --store "$TEST_ROOT/count" store add big)
bad=0
for mode in AT KILL; do
        for n in $(seq 1 "$steps"); do
                root=$TEST_ROOT/fault-$mode-$n
                env FIRN_FAULT_$mode=$n "$FIRN" --store "$root" store add big >/dev/null 2>&1
                if "$FIRN" --store "$root" store query --valid "$want" 2>/dev/null; then
                        # New state: complete and intact.
                        "$FIRN" --store "$root" store verify --check-contents >/dev/null 2>&1 || { bad=1; echo "  $mode=$n: valid but corrupt"; }
                else
                        # Old state: nothing valid, and the add works on retry.
                        "$FIRN" --store "$root" store verify >/dev/null 2>&1 || { bad=1; echo "  $mode=$n: verify fails"; }
                        [ "$("$FIRN" --store "$root" store add big 2>/dev/null)" = "$want" ] || { bad=1; echo "  $mode=$n: retry fails"; }
                fi
                chmod -R u+w "$root"; rm -rf "$root"
        done 2>/dev/null # the shell's "Killed" notes
done
expect_eq "$bad" 0 "a fault or kill at any step leaves the old state or the new one"
out=$(FIRN_FAULT_AT=$((steps / 2)) FIRN_FAULT_ERRNO=28 firn --store "$TEST_ROOT/enospc" store add big 2>&1)
check "a full disk (ENOSPC) is reported" grep -q "No space left on device" <<<"$out"
check "and leaves a consistent store" firn --store "$TEST_ROOT/enospc" store verify

# ---- crash safety: kill -9 at random instants -------------------------------
head -c 30000000 /dev/urandom >big/t1/large
want=$(firn --store "$TEST_ROOT/count2" store add big)
bad=0
for i in $(seq 1 15); do
        root=$TEST_ROOT/kill-$i
        "$FIRN" --store "$root" store add big >/dev/null 2>&1 &
        pid=$!
        sleep "0.0$((RANDOM % 9))$((RANDOM % 10))"
        { kill -9 "$pid"; wait "$pid"; } 2>/dev/null
        "$FIRN" --store "$root" store verify --check-contents >/dev/null 2>&1 || { bad=1; echo "  kill $i: verify fails"; }
        [ "$("$FIRN" --store "$root" store add big 2>/dev/null)" = "$want" ] || { bad=1; echo "  kill $i: retry fails"; }
        chmod -R u+w "$root"; rm -rf "$root"
done
expect_eq "$bad" 0 "kill -9 at random instants leaves a consistent store"

# ---- concurrent adds of the same tree ---------------------------------------
for i in 1 2 3 4; do firn store add big >"conc.$i" & done
wait
expect_eq "$(sort -u conc.* | wc -l)" "1" "concurrent adds agree on the path"
check "and the store stays consistent" firn store verify --check-contents

finish
