#!/bin/bash
# Binary caches, both ways with Nix 2.8: firn writes a signed file:// cache
# that Nix copies from (checking firn's signatures); Nix writes signed caches
# that firn copies from, over file:// and over HTTP; unsigned, wrongly signed
# and tampered paths are refused; a faulty HTTP server (dropped connection,
# 404, 500, a NAR that does not match its narinfo) gives a clear error and
# leaves nothing valid.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/test-lib.sh"
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

SERVER_PIDS=""
cleanup() {
        for pid in $SERVER_PIDS; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
        chmod -R u+w "$TEST_ROOT" 2>/dev/null
        rm -rf "$TEST_ROOT"
}
trap cleanup EXIT

# wait_port PORT: until something accepts connections there (10 s at most).
wait_port() {
        for _ in $(seq 100); do
                (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
                sleep 0.1
        done
        return 1
}

# serve_plain DIR: python3 -m http.server on a free port; sets PORT and PID.
serve_plain() {
        PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        python3 -m http.server --bind 127.0.0.1 --directory "$1" "$PORT" >"$TEST_ROOT/http-$PORT.log" 2>&1 &
        PID=$!
        SERVER_PIDS="$SERVER_PIDS $PID"
        wait_port "$PORT"
}

# serve_faulty DIR MODE: faulty-cache-server.py; sets PORT and PID.
serve_faulty() {
        rm -f "$TEST_ROOT/port"
        python3 "$HERE/faulty-cache-server.py" "$1" "$TEST_ROOT/port" "$2" >"$TEST_ROOT/faulty.log" 2>&1 &
        PID=$!
        SERVER_PIDS="$SERVER_PIDS $PID"
        for _ in $(seq 100); do [ -s "$TEST_ROOT/port" ] && break; sleep 0.1; done
        PORT=$(cat "$TEST_ROOT/port")
        wait_port "$PORT"
}

# expect_msg DESCRIPTION PATTERN: the output of the last check or
# expect_fail matches PATTERN (grep BRE).
expect_msg() {
        cp "$TEST_ROOT/.out" "$TEST_ROOT/.msg"
        check "$1" grep -q -- "$2" "$TEST_ROOT/.msg"
}

stop_server() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# in_store ROOT CMD...: runs firn on another store root.
in_store() { local root=$1; shift; FIRN_STORE=$root "$FIRN" "$@"; }

# nothing_valid ROOT WHAT: no path of $closure is valid in ROOT, the store
# verifies, and no temporary object or lock file is left.
nothing_valid() {
        local root=$1 what=$2 p bad=0
        for p in $closure; do
                in_store "$root" store query --valid "$p" 2>/dev/null && bad=1
        done
        expect_eq "$bad" 0 "$what: no path of the closure is valid"
        check "$what: the store verifies" in_store "$root" store verify
        expect_eq "$(ls -A "$root/nix/store" 2>/dev/null | grep -c -e '^\.tmp' -e '\.lock$')" 0 \
                "$what: no temporary objects or locks are left"
}

# ---- keys -------------------------------------------------------------
firn key generate firn-test-1 --secret k.sec --public k.pub
firn key generate other-1 --secret o.sec --public o.pub
check "the public key is NAME:BASE64" grep -qx 'firn-test-1:[A-Za-z0-9+/]\{43\}=' k.pub
check "the secret key is NAME:BASE64" grep -qx 'firn-test-1:[A-Za-z0-9+/]\{86\}==' k.sec
expect_eq "$(stat -c %a k.sec)" "600" "the secret key file is private"
expect_eq "$(firn key public <k.sec)" "$(cat k.pub)" "key public derives the public key"
check "key files end without a newline, as Nix's" test "$(tail -c1 k.pub | od -An -tx1 | tr -d ' ')" != 0a
expect_fail "a corrupt secret key is refused" sh -c "echo 'x:AAAA' | '$FIRN' key public"
firn key generate stdout-1 >both.txt
expect_eq "$(wc -l <both.txt)" "2" "generate without files prints the secret and public key"

# ---- a closure: texts referring to each other, a tree, a .drv ---------
mkdir -p tree/sub
printf 'hello\n' >tree/a.txt
printf '#!/bin/sh\necho hi\n' >tree/run.sh; chmod 755 tree/run.sh
ln -s a.txt tree/link
head -c 300000 /dev/urandom >tree/sub/blob
tree=$(firn store add tree)
cat >c.nix <<'NIX'
let
  a = builtins.toFile "a.txt" "hello";
  b = builtins.toFile "b.txt" "b uses ${a}";
  c = builtins.toFile "c.txt" "c uses ${b} and ${a} and ${./tree}";
in {
  top = derivation {
    name = "top"; system = "x86_64-linux"; builder = "/bin/sh";
    args = [ "-c" "echo ${c} $out > $out" ]; # built by Nix: refers to c.txt and itself
  };
}
NIX
drv=$(firn instantiate c.nix -A top 2>/dev/null)
closure=$(firn store query --requisites "$drv")
expect_eq "$(wc -l <<<"$closure")" "5" "the closure has the .drv, three texts and the tree"
ctxt=$(grep -- '-c.txt$' <<<"$closure")
atxt=$(grep -- '-a.txt$' <<<"$closure")
hashpart() { basename "$1" | cut -c1-32; }

# ---- firn writes a signed cache ----------------------------------------
check "copy --to a file:// cache" firn copy --to "file://$TEST_ROOT/cache" --sign-key k.sec "$drv"
n=0; for p in $closure; do [ -f "cache/$(hashpart "$p").narinfo" ] && n=$((n + 1)); done
expect_eq "$n" "5" "a narinfo for every path of the closure"
check "nix-cache-info names the store" grep -qx 'StoreDir: /nix/store' cache/nix-cache-info
check "nix-cache-info has WantMassQuery and Priority" grep -q '^Priority: ' cache/nix-cache-info
expect_eq "$(grep -l '^Sig: firn-test-1:' cache/*.narinfo | wc -l)" "5" "every narinfo is signed by the key"
expect_eq "$(grep -h '^Compression: ' cache/*.narinfo | sort -u)" "Compression: xz" "xz by default"
expect_eq "$(ls cache/nar | grep -c '\.nar\.xz$')" "5" "the NARs are in nar/ as .nar.xz"
check "the file name is the FileHash" bash -c 'for f in cache/*.narinfo; do
        u=$(sed -n "s/^URL: //p" "$f"); h=$(sed -n "s/^FileHash: sha256://p" "$f")
        [ "$u" = "nar/$h.nar.xz" ] || exit 1; done'
expect_eq "$(firn copy --to "file://$TEST_ROOT/cache" --sign-key k.sec "$drv" 2>&1)" "" \
        "copying again writes nothing"
check "copy --to with ?compression=none" firn copy --to "file://$TEST_ROOT/cache-none?compression=none" "$drv"
expect_eq "$(grep -h '^Compression: ' cache-none/*.narinfo | sort -u)" "Compression: none" "compression none"
check "NarHash = FileHash without compression" bash -c 'for f in cache-none/*.narinfo; do
        [ "$(sed -n "s/^NarHash: //p" "$f")" = "$(sed -n "s/^FileHash: //p" "$f")" ] || exit 1; done'
expect_eq "$(grep -c '^Sig:' cache-none/*.narinfo | grep -vc ':0$')" "0" "no key, no signature"
check "copy --to with zstd" firn copy --to "file://$TEST_ROOT/cache-zstd" --compression zstd --sign-key k.sec "$drv"
expect_fail "an unknown compression is refused" firn copy --to "file://$TEST_ROOT/cache-bad" --compression lz77 "$drv"
expect_fail "copy --to an http cache is refused" firn copy --to "http://127.0.0.1:1/x" "$drv"

# ---- firn reads caches back --------------------------------------------
S2=$TEST_ROOT/s2
check "copy --from the signed cache" in_store "$S2" copy --from "file://$TEST_ROOT/cache" \
        --trusted-public-keys "$(cat k.pub)" "$drv"
n=0; for p in $closure; do in_store "$S2" store query --valid "$p" && n=$((n + 1)); done
expect_eq "$n" "5" "the whole closure is valid"
check "the copy verifies with --check-contents" in_store "$S2" store verify --check-contents
expect_eq "$(for p in $closure; do in_store "$S2" store query --hash "$p"; done)" \
        "$(for p in $closure; do firn store query --hash "$p"; done)" "NAR hashes as in the source store"
expect_eq "$(in_store "$S2" store query --references "$drv")" "$(firn store query --references "$drv")" \
        "references as in the source store"
expect_eq "$(diff -r "$(real "$tree")" "$S2$tree" && echo same)" "same" "the tree arrived intact"
check "the signature is kept" bash -c "'$FIRN' --store '$S2' store path-info --json '$drv' | grep -q firn-test-1:"
for c in none zstd; do
        check "copy --from the $c cache" in_store "$TEST_ROOT/s-$c" copy --from "file://$TEST_ROOT/cache-$c" \
                --no-check-sigs "$drv"
        check "... verifies" in_store "$TEST_ROOT/s-$c" store verify --check-contents
done

# Unsigned, wrongly signed and tampered paths are refused.
S3=$TEST_ROOT/s3
expect_fail "unsigned paths are refused" in_store "$S3" copy --from "file://$TEST_ROOT/cache-none" \
        --trusted-public-keys "$(cat k.pub)" "$drv"
expect_msg "... naming the path" "path '/nix/store/.*' is not signed; trusted keys: 'firn-test-1'"
nothing_valid "$S3" "unsigned"
expect_fail "a wrong key is refused" in_store "$S3" copy --from "file://$TEST_ROOT/cache" \
        --trusted-public-keys "$(cat o.pub)" "$drv"
expect_msg "... naming the path and the keys" "path '$drv' is signed only by keys that are not trusted ('firn-test-1'); trusted keys: 'other-1'"
nothing_valid "$S3" "wrong key"
expect_fail "no trusted keys at all: refused" env FIRN_CONF=/nonexistent "$FIRN" --store "$S3" copy \
        --from "file://$TEST_ROOT/cache" "$drv"
cp -r cache cache-tampered
chmod -R u+w cache-tampered
sed -i 's/^NarSize: \([0-9]*\)$/NarSize: 9\1/' "cache-tampered/$(hashpart "$ctxt").narinfo"
expect_fail "a tampered narinfo is refused" in_store "$S3" copy --from "file://$TEST_ROOT/cache-tampered" \
        --trusted-public-keys "$(cat k.pub)" "$drv"
expect_msg "... as an invalid signature by the trusted key" "path '$ctxt' has an invalid signature by trusted key 'firn-test-1'"
nothing_valid "$S3" "tampered narinfo"
check "--no-check-sigs takes unsigned paths" in_store "$S3" copy --from "file://$TEST_ROOT/cache-none" \
        --no-check-sigs "$atxt"
printf '# firn.conf\ntrusted-public-keys = %s  # comment\n' "$(cat o.pub)" >firn.conf
expect_fail "trusted keys from FIRN_CONF: the wrong one refuses" env FIRN_CONF="$TEST_ROOT/firn.conf" \
        "$FIRN" --store "$S3" copy --from "file://$TEST_ROOT/cache" "$drv"
printf 'extra-trusted-public-keys = %s\n' "$(cat k.pub)" >>firn.conf
check "extra-trusted-public-keys adds the right one" env FIRN_CONF="$TEST_ROOT/firn.conf" \
        "$FIRN" --store "$S3" copy --from "file://$TEST_ROOT/cache" "$drv"
check "... and the store verifies" in_store "$S3" store verify --check-contents

# ---- a failure or a crash at any step: all or nothing ------------------------
# state ROOT: "all" when every path of the closure is valid, "none" when no
# path is, "mix" otherwise.
state() {
        local invalid
        invalid=$(in_store "$1" store query --valid $closure 2>&1 | grep -c 'is not valid')
        if [ "$invalid" = 0 ]; then echo all; elif [ "$invalid" = 5 ]; then echo none; else echo mix; fi
}
import_k() { in_store "$1" copy --from "file://$TEST_ROOT/cache" --trusted-public-keys "$(cat k.pub)" "$drv"; }
in_store "$TEST_ROOT/ft" store verify
cp -a "$TEST_ROOT/ft" "$TEST_ROOT/empty-store" # a fresh store to start each run from
steps=$(FIRN_FAULT_TRACE=1 import_k "$TEST_ROOT/ft" 2>&1 | grep -c '^firn-fault:')
check "the import passes failure points ($steps)" test "$steps" -gt 10
bad=""
for n in $(seq 1 "$steps"); do
        R=$TEST_ROOT/fault-$n
        cp -a "$TEST_ROOT/empty-store" "$R"
        FIRN_FAULT_AT=$n import_k "$R" >/dev/null 2>&1
        st=$(state "$R")
        left=$(ls -A "$R/nix/store" | grep -c -e '^\.tmp' -e '\.lock$')
        if [ "$st" = mix ] || [ "$left" != 0 ]; then bad="$bad $n"; fi
        if [ "$st" = all ]; then opt=--check-contents; else opt=; fi
        in_store "$R" store verify $opt 2>/dev/null || bad="$bad $n(verify)"
        chmod -R u+w "$R"; rm -rf "$R"
done
expect_eq "$bad" "" "a failure at any step leaves all or nothing, no leftovers, a consistent store"
bad=""
for n in $(seq 1 "$steps"); do
        R=$TEST_ROOT/kill-$n
        cp -a "$TEST_ROOT/empty-store" "$R"
        FIRN_FAULT_KILL=$n import_k "$R" >/dev/null 2>&1
        [ "$(state "$R")" = mix ] && bad="$bad $n"
        if ! import_k "$R" >/dev/null 2>&1 || [ "$(state "$R")" != all ] ||
                ! in_store "$R" store verify --check-contents 2>/dev/null; then bad="$bad $n(retry)"; fi
        chmod -R u+w "$R"; rm -rf "$R"
done
expect_eq "$bad" "" "a kill at any step leaves all or nothing, and a retry completes"

# ---- with Nix 2.8 ----------------------------------------------------------
# Builds need the sandbox's view of the host (test-lib's nix_env has none).
nix_build_env() {
        env HOME="$TEST_ROOT/nixhome" XDG_CACHE_HOME="$TEST_ROOT/nixhome/.cache" \
                NIX_REMOTE="local?root=$TEST_ROOT/nixref" \
                NIX_CONFIG=$'substituters =\nbuild-users-group =\nsandbox = false\nexperimental-features = nix-command\nfsync-metadata = false\nsandbox-paths = /bin /lib /lib64 /usr' \
                "$@"
}
# A second, fresh Nix store.
nix_env2() {
        env HOME="$TEST_ROOT/nixhome" XDG_CACHE_HOME="$TEST_ROOT/nixhome/.cache" \
                NIX_REMOTE="local?root=$TEST_ROOT/nixref2" \
                NIX_CONFIG=$'substituters =\nbuild-users-group =\nsandbox = false\nexperimental-features = nix-command\nfsync-metadata = false' \
                "$@"
}
nix_hash() { "$@" | python3 -c 'import json, sys; print(" ".join(sorted(p["path"] + "=" + p["narHash"] for p in json.load(sys.stdin))))'; }
firn_hash() { # ROOT PATH...: the same line from firn's path-info
        local root=$1; shift
        in_store "$root" store path-info --json "$@" | python3 -c 'import json, sys; print(" ".join(sorted(p["path"] + "=" + p["narHash"] for p in json.load(sys.stdin))))'
}

NIXCACHE=
if have_nix; then
        # Nix copies firn's signed cache, checking the signatures.
        check "Nix copies firn's cache" nix_env nix copy --derivation --from "file://$TEST_ROOT/cache" \
                --trusted-public-keys "$(cat k.pub)" "$drv"
        expect_eq "$(nix_hash nix_env nix path-info --json --derivation -r "$drv")" \
                "$(firn_hash "$FIRN_STORE" $closure)" "Nix has the same NAR hashes as firn"
        check "Nix's store verifies with --check-contents" nix_env nix-store --verify --check-contents
        expect_eq "$(nix_env nix-store -q --references "$drv" | sort)" "$(firn store query --references "$drv")" \
                "Nix registered the same references"
        sigs=$(nix_env nix path-info --json --derivation "$drv")
        check "Nix sees firn's signature" grep -q firn-test-1: <<<"$sigs"

        # Nix builds an input-addressed output (which, unlike the
        # content-addressed paths above, Nix accepts only with a good
        # signature) and writes a signed cache of it.
        out=$(nix_build_env nix-store --realise "$drv" 2>/dev/null)
        check "Nix builds the derivation" test -n "$out"
        nix_env nix-store --generate-binary-cache-key nix-test-1 "$TEST_ROOT/n.sec" "$TEST_ROOT/n.pub"
        check "Nix writes a signed cache" nix_env nix copy --to "file://$TEST_ROOT/ncache?secret-key=$TEST_ROOT/n.sec" "$out"
        check "... and one of the .drv closure" nix_env nix copy --derivation \
                --to "file://$TEST_ROOT/ncache?secret-key=$TEST_ROOT/n.sec" "$drv"
        NIXCACHE=$TEST_ROOT/ncache

        S5=$TEST_ROOT/s5
        expect_fail "firn refuses Nix's cache with only its own key" in_store "$S5" copy --from "file://$NIXCACHE" \
                --trusted-public-keys "$(cat k.pub)" "$out"
        expect_msg "... naming the path and the key" "path '$out' is signed only by keys that are not trusted ('nix-test-1')"
        nothing_valid "$S5" "Nix's cache, wrong key"
        check "firn copies from Nix's cache with Nix's key" in_store "$S5" copy --from "file://$NIXCACHE" \
                --trusted-public-keys "$(cat "$TEST_ROOT/n.pub")" "$out" "$drv"
        check "... and the store verifies with --check-contents" in_store "$S5" store verify --check-contents
        expect_eq "$(firn_hash "$S5" "$out")" "$(nix_hash nix_env nix path-info --json "$out")" \
                "the built output's NAR hash as Nix's"
        expect_eq "$(firn_hash "$S5" $closure)" "$(nix_hash nix_env nix path-info --json --derivation -r "$drv")" \
                "the .drv closure's NAR hashes as Nix's"
        expect_eq "$(in_store "$S5" store query --references "$out")" "$(nix_env nix-store -q --references "$out" | sort)" \
                "the built output's references as Nix's"
        expect_eq "$(in_store "$S5" store query --deriver "$out")" "$drv" "the deriver is kept"
        check "the output refers to itself" grep -qx -- "$out" <(in_store "$S5" store query --references "$out")

        # firn writes the built output (now with two signatures) to a cache
        # signed with its key; a fresh Nix takes it only with that key.
        check "firn writes the input-addressed path" in_store "$S5" copy --to "file://$TEST_ROOT/cache-ia" \
                --sign-key k.sec "$out"
        check "... keeping Nix's signature beside its own" bash -c \
                "grep -q '^Sig: nix-test-1:' '$TEST_ROOT/cache-ia/$(hashpart "$out").narinfo' &&
                 grep -q '^Sig: firn-test-1:' '$TEST_ROOT/cache-ia/$(hashpart "$out").narinfo'"
        expect_fail "Nix refuses it with another key" nix_env2 nix copy --from "file://$TEST_ROOT/cache-ia" \
                --trusted-public-keys "$(cat o.pub)" "$out"
        expect_msg "... because of the signature" "lacks a valid signature"
        check "Nix takes it with firn's key" nix_env2 nix copy --from "file://$TEST_ROOT/cache-ia" \
                --trusted-public-keys "$(cat k.pub)" "$out"
        expect_eq "$(nix_hash nix_env2 nix path-info --json "$out")" "$(firn_hash "$S5" "$out")" \
                "Nix's copy has firn's NAR hash"
        check "Nix's second store verifies" nix_env2 nix-store --verify --check-contents
        expect_eq "$(nix_env nix key convert-secret-to-public <k.sec)" "$(cat k.pub)" \
                "Nix derives the same public key from firn's secret key"
elif [ "${FIRN_REQUIRE_NIX:-0}" = 1 ]; then
        fail "nix not found (FIRN_REQUIRE_NIX=1)"
fi

# ---- over HTTP ---------------------------------------------------------------
HTTPCACHE=${NIXCACHE:-$TEST_ROOT/cache}
HTTPKEY=$([ -n "$NIXCACHE" ] && cat "$TEST_ROOT/n.pub" || cat k.pub)
serve_plain "$HTTPCACHE"
check "an HTTP server is up" wait_port "$PORT"
S6=$TEST_ROOT/s6
check "copy --from an HTTP cache" in_store "$S6" copy --from "http://127.0.0.1:$PORT/" \
        --trusted-public-keys "$HTTPKEY" "$drv"
n=0; for p in $closure; do in_store "$S6" store query --valid "$p" && n=$((n + 1)); done
expect_eq "$n" "5" "the whole closure came over HTTP"
check "... and verifies with --check-contents" in_store "$S6" store verify --check-contents
expect_eq "$(firn_hash "$S6" $closure)" "$(firn_hash "$FIRN_STORE" $closure)" "NAR hashes as in the source"
expect_fail "a missing path over HTTP" in_store "$S6" copy --from "http://127.0.0.1:$PORT" --no-check-sigs \
        /nix/store/00000000000000000000000000000000-missing
expect_msg "... says it is not in the cache" "is not available in binary cache"
expect_fail "a server that is not a cache" in_store "$S6" copy --from "http://127.0.0.1:$PORT/nar" \
        --no-check-sigs "$drv"
expect_msg "... says so" "does not appear to be a binary cache"
stop_server "$PID"
expect_fail "a server that is gone" in_store "$S6" copy --from "http://127.0.0.1:$PORT" --no-check-sigs "$drv"

# ---- a faulty server: a clear error, nothing valid ----------------------------
i=0
for mode in drop-nar "404-narinfo:$(hashpart "$atxt")" 500-nar wrong-nar; do
        case $mode in
        drop-nar) want="unable to download 'http://127.0.0.1:[0-9]*/nar/.*': .*curl error 18" ;;
        404-*) want="path '$atxt' is not available in binary cache 'http://127.0.0.1:[0-9]*' (it is a reference of" ;;
        500-nar) want="unable to download 'http://127.0.0.1:[0-9]*/nar/.*': HTTP error 500" ;;
        wrong-nar) want="NAR hash mismatch importing path '/nix/store/" ;;
        esac
        i=$((i + 1))
        serve_faulty "$TEST_ROOT/cache" "$mode"
        SF=$TEST_ROOT/sf$i
        expect_fail "$mode: the copy fails" in_store "$SF" copy --from "http://127.0.0.1:$PORT" \
                --trusted-public-keys "$(cat k.pub)" "$drv"
        expect_msg "$mode: with a clear error" "$want"
        nothing_valid "$SF" "$mode"
        stop_server "$PID"
done
# The same cache served properly works, into a store that saw a failure.
serve_faulty "$TEST_ROOT/cache" ok
check "after the failures, a good server works" in_store "$TEST_ROOT/sf1" copy --from "http://127.0.0.1:$PORT" \
        --trusted-public-keys "$(cat k.pub)" "$drv"
check "... and the store verifies with --check-contents" in_store "$TEST_ROOT/sf1" store verify --check-contents
stop_server "$PID"

finish
