#!/bin/bash
# The builtin builders through `firn build`: builtin:fetchurl from file://
# and from a local HTTP server (tests/build/builtins/http-server.py:
# redirects, a 404, a 500 twice then success), executable and unpack, a
# wrong declared hash (both hashes shown, nothing valid, nothing left);
# builtin:buildenv merging packages (directory granularity, nested merges,
# priorities, propagated packages, a symlinked directory, the manifest), a
# collision. Where Nix 2.8 is installed, the same expressions are built by
# nix-build on a private store and the outputs must agree: same store
# path, same NAR hash, same tree of links.
. "$(dirname "$0")/test-lib.sh"

SERVER_SCRIPT=$(cd "$(dirname "$0")/../build/builtins" && pwd)/http-server.py
SERVER_PID=
trap 'if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
      chmod -R u+w "$TEST_ROOT" 2>/dev/null; rm -rf "$TEST_ROOT"' EXIT
export FIRN_FETCH_BACKOFF_MS=10
export no_proxy=127.0.0.1

# build FILE: firn build, the output path on stdout, the log in .build-err.
build() { firn build "$1" --no-out-link 2>"$TEST_ROOT/.build-err"; }
# nixbuild FILE: the same with nix-build 2.8 on its own store.
nixbuild() { nix_env nix-build "$1" --no-out-link 2>"$TEST_ROOT/.nix-err"; }
# listing ROOT PATH: every entry of a store object, its type and link target.
listing() { find "$1$2" -printf '%P %y %m %l\n' | LC_ALL=C sort; }
outpath() { firn eval -E "(import ./$1).outPath" | tr -d '"'; }

# same_as_nix WHAT FILE OUT: nix-build FILE gives OUT with the same NAR
# hash and the same tree (when Nix is installed).
same_as_nix() {
        have_nix || return 0
        local n
        n=$(nixbuild "$2")
        if [ -z "$n" ]; then fail "$1: nix-build failed"; sed 's/^/    /' "$TEST_ROOT/.nix-err"; return; fi
        expect_eq "$n" "$3" "$1: the store path is Nix's"
        expect_eq "$(firn store query --hash "$3")" "$(nix_env nix-store -q --hash "$n")" "$1: the NAR hash is Nix's"
        expect_eq "$(listing "$FIRN_STORE" "$3")" "$(listing "$TEST_ROOT/nixref" "$n")" "$1: the tree is Nix's"
}

mkdir www
printf 'hello, builtin fetchurl\n' >www/data
H=$(sha256sum www/data | cut -d' ' -f1)

# The HTTP server (needs python3); Nix's builds cannot see file:// paths
# (its builtins run in a sandbox on a private store), so the comparisons
# with Nix download over HTTP.
if command -v python3 >/dev/null; then
        python3 "$SERVER_SCRIPT" "$TEST_ROOT/www" >port &
        SERVER_PID=$!
        for _ in $(seq 100); do [ -s port ] && break; sleep 0.1; done
fi
PORT=$(head -1 port 2>/dev/null)
if [ -n "$PORT" ]; then
        U=http://127.0.0.1:$PORT
        BASE=$U
else
        echo "# python3 http-server.py did not start: HTTP cases skipped"
        BASE=file://$TEST_ROOT/www
fi
# same_as_nix over HTTP only.
same_as_nix_http() { if [ -n "$PORT" ]; then same_as_nix "$@"; fi; }

fetchurl_nix() { # FILE URL HASH [EXTRA ATTRS]
        cat >"$1" <<EOF
derivation {
  name = "$(basename "$1" .nix)"; builder = "builtin:fetchurl"; system = "x86_64-linux";
  url = "$2"; outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "$3"; ${4:-}
}
EOF
}

# ---- builtin:fetchurl, file:// -------------------------------------------

fetchurl_nix file.nix "file://$TEST_ROOT/www/data" "$H"
out=$(build file.nix)
check "fetchurl from file:// builds" test -n "$out"
check "the output is valid" firn store query --valid "$out"
expect_eq "$(cat "$(real "$out")")" "hello, builtin fetchurl" "the output holds the file"
expect_eq "$(stat -c %a "$(real "$out")")" "444" "a plain download is read-only, not executable"
log=$(firn log "$out" 2>&1)
case $log in *"downloading 'file://$TEST_ROOT/www/data'..."*) pass "the log says what was downloaded" ;;
*) fail "the log says what was downloaded"; echo "$log" | sed 's/^/    /' ;; esac

fetchurl_nix missing.nix "file://$TEST_ROOT/www/no-such-file" "$H"
expect_fail "a missing file:// fails" build missing.nix
check "  naming the URL" grep -q "unable to download 'file://$TEST_ROOT/www/no-such-file'" .build-err

# ---- a wrong declared hash -----------------------------------------------

fetchurl_nix wrong.nix "file://$TEST_ROOT/www/data" "0000000000000000000000000000000000000000000000000000000000000000"
wrong_out=$(outpath wrong.nix)
check "the wrong-hash output path is known" test -n "$wrong_out"
expect_fail "a wrong hash fails the build" build wrong.nix
got_sri=$(python3 -c 'import base64, hashlib, sys; print("sha256-" + base64.b64encode(hashlib.sha256(open(sys.argv[1], "rb").read()).digest()).decode())' www/data)
check "  the error names the specified hash" grep -q "specified: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" .build-err
check "  and the one we got" grep -qF "got:    $got_sri" .build-err
expect_fail "  the output is not valid" firn store query --valid "$wrong_out"
check "  and not in the store" test ! -e "$(real "$wrong_out")"

# ---- executable and unpack (recursive hashes) -----------------------------

cp www/data www/tool
chmod 755 www/tool
HX=$(firn store hash-path --type sha256 www/tool)
cat >exe.nix <<EOF
derivation {
  name = "tool"; builder = "builtin:fetchurl"; system = "x86_64-linux";
  url = "$BASE/data"; executable = "1";
  outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputHash = "$HX";
}
EOF
out=$(build exe.nix)
check "executable = \"1\" builds" test -n "$out"
expect_eq "$(stat -c %a "$(real "$out")")" "555" "  the file is executable"
same_as_nix_http "fetchurl executable" exe.nix "$out"

mkdir -p tree/bin
printf '#!/bin/sh\necho hi\n' >tree/bin/hi
chmod 755 tree/bin/hi
ln -s bin/hi tree/link
p=$(firn store add tree)
firn store dump "$p" >www/tree.nar
HN=$(firn store hash-path --type sha256 tree)
cat >unpack.nix <<EOF
derivation {
  name = "tree"; builder = "builtin:fetchurl"; system = "x86_64-linux";
  url = "$BASE/tree.nar"; unpack = "1";
  outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputHash = "$HN";
}
EOF
out=$(build unpack.nix)
check "unpack = \"1\" restores the NAR" test -n "$out"
expect_eq "$(readlink "$(real "$out")/link")" "bin/hi" "  with its symlink"
expect_eq "$(cat "$(real "$out")/bin/hi" 2>/dev/null | tail -1)" "echo hi" "  and its file"
same_as_nix_http "fetchurl unpack" unpack.nix "$out"

# ---- builtin:fetchurl over HTTP -------------------------------------------

if [ -n "$PORT" ]; then
        fetchurl_nix http.nix "$U/data" "$H"
        out=$(build http.nix)
        check "fetchurl over HTTP builds" test -n "$out"
        expect_eq "$(cat "$(real "$out")")" "hello, builtin fetchurl" "  the output holds the file"
        same_as_nix "fetchurl over HTTP" http.nix "$out"

        fetchurl_nix redirect.nix "$U/redirect/redirect/data" "$H"
        out=$(build redirect.nix)
        check "redirects are followed" test -n "$out"
        expect_eq "$(cat "$(real "$out")" 2>/dev/null)" "hello, builtin fetchurl" "  to the file"

        fetchurl_nix notfound.nix "$U/nothing-here" "$H"
        expect_fail "a 404 fails" build notfound.nix
        check "  with the URL and the status" grep -q "unable to download '$U/nothing-here': HTTP error 404" .build-err

        fetchurl_nix flaky.nix "$U/fail/2/500/data" "$H"
        out=$(build flaky.nix)
        check "500 twice, then the file: retried and built" test -n "$out"
        expect_eq "$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode().strip())' "$U/count/fail/2/500/data")" "3" "  three requests"

        fetchurl_nix down.nix "$U/fail/100/503/data" "$H"
        FIRN_FETCH_RETRIES=1 expect_fail "a server that never recovers fails" build down.nix
        check "  after the retries" grep -q "HTTP error 503 (after 2 attempts)" .build-err
fi

# ---- builtin:buildenv ------------------------------------------------------

mkdir -p pk/a/bin pk/a/share/man/man1 pk/a/lib pk/b/bin pk/b/share/man/man1 pk/b/share/doc/b pk/c/bin pk/d/bin
echo a >pk/a/bin/a
echo a-x >pk/a/bin/x
echo a.1 >pk/a/share/man/man1/a.1
echo liba >pk/a/lib/liba.so
echo b >pk/b/bin/b
echo b-x >pk/b/bin/x
echo b.1 >pk/b/share/man/man1/b.1
echo doc >pk/b/share/doc/b/README
echo c >pk/c/bin/c
echo c-x >pk/c/bin/x
echo d >pk/d/bin/d
echo '[ ]' >manifest.nix

env_nix() { # FILE DERIVATIONS (a Nix string body)
        cat >"$1" <<EOF
derivation {
  name = "$(basename "$1" .nix)"; builder = "builtin:buildenv"; system = "x86_64-linux";
  derivations = "$2"; manifest = "\${./manifest.nix}";
}
EOF
}

env_nix env-prio.nix 'true 5 1 ${./pk/a} true 3 1 ${./pk/b}'
out=$(build env-prio.nix)
check "buildenv builds" test -n "$out"
R=$(real "$out")
pa=$(firn store add pk/a)
pb=$(firn store add pk/b)
check "  bin, in both packages, is a real directory" test -d "$R/bin" -a ! -L "$R/bin"
expect_eq "$(readlink "$R/bin/a")" "$pa/bin/a" "  bin/a links to a's file (a logical path)"
expect_eq "$(readlink "$R/bin/x")" "$pb/bin/x" "  bin/x: priority 3 beats 5"
expect_eq "$(readlink "$R/lib")" "$pa/lib" "  lib, only in a, is one link"
expect_eq "$(readlink "$R/share/doc")" "$pb/share/doc" "  share/doc, only in b, is one link"
check "  share/man/man1 is merged" test -L "$R/share/man/man1/a.1" -a -L "$R/share/man/man1/b.1"
check "  manifest.nix links to the manifest" test -L "$R/manifest.nix"
expect_eq "$(firn store query --references "$out" | sort | tr '\n' ' ')" \
        "$(printf '%s\n' "$pa" "$pb" "$(firn store add manifest.nix)" | sort | tr '\n' ' ')" \
        "  the packages are its references"
same_as_nix "buildenv with priorities" env-prio.nix "$out"

env_nix env-collide.nix 'true 5 1 ${./pk/a} true 5 1 ${./pk/b}'
collide_out=$(outpath env-collide.nix)
expect_fail "equal priorities collide" build env-collide.nix
check "  naming both files" grep -q "collision between '$pa/bin/x' and '$pb/bin/x'" .build-err
expect_fail "  nothing is valid" firn store query --valid "$collide_out"

# (Nix is not asked to fail a build here: a failing build in a chroot store
# moves its partial output into the host's /nix/store.)

# Propagation: c names d; d comes in at priority 1000 (c's x wins over
# nothing, a's x beats c's since c was propagated by a).
pd=$(firn store add pk/d)
mkdir -p pk/c/nix-support
echo "$pd" >pk/c/nix-support/propagated-user-env-packages
pc=$(firn store add pk/c)
mkdir -p pk/a2/nix-support
cp -r pk/a/bin pk/a2/
echo "$pc" >pk/a2/nix-support/propagated-user-env-packages
env_nix env-prop.nix 'true 5 1 ${./pk/a2} false 0 2 ${./pk/c} ${./pk/d}'
out=$(build env-prop.nix)
check "propagated packages build" test -n "$out"
R=$(real "$out")
pa2=$(firn store add pk/a2)
expect_eq "$(readlink "$R/bin/c")" "$pc/bin/c" "  c (propagated by a2) is in"
expect_eq "$(readlink "$R/bin/d")" "$pd/bin/d" "  d (propagated by c) is in"
expect_eq "$(readlink "$R/bin/x")" "$pa2/bin/x" "  a2's x beats the propagated c's"
check "  nix-support is left out" test ! -e "$R/nix-support"
same_as_nix "buildenv with propagation" env-prop.nix "$out"

# A package whose lib is a link into another package: merged through it.
mkdir -p pk/e pk/f/lib
echo libf >pk/f/lib/libf.so
pf=$(firn store add pk/f)
ln -s "$pf/lib" pk/e/lib
env_nix env-link.nix 'true 5 1 ${./pk/a} true 5 1 ${./pk/e} false 5 1 ${./pk/f}'
out=$(build env-link.nix)
check "a symlinked directory merges" test -n "$out"
R=$(real "$out")
# Nix links the first package's entries by the path it names, and those of
# a link found in the output by the link's resolved target.
pe=$(firn store add pk/e)
if [[ $pe < $pa ]]; then want=$pf/lib/libf.so; else want=$pe/lib/libf.so; fi
expect_eq "$(readlink "$R/lib/libf.so")" "$want" "  through the link, inside the store root"
expect_eq "$(readlink "$R/lib/liba.so")" "$pa/lib/liba.so" "  beside a's"
same_as_nix "buildenv through a symlinked directory" env-link.nix "$out"

finish
