#!/bin/bash
# Download progress, end to end over a real HTTP server on 127.0.0.1:
# substitution (`firn copy --from`, and `firn build` with a substituter) and
# builtin:fetchurl report their downloads' bytes and rate as JSON events
# (--log-format json), as one plain line per finished download with its
# size and rate (stderr not a terminal), and in the live line on a
# terminal (a pty from script(1)).
. "$(dirname "$0")/../integration/test-lib.sh"

command -v jq >/dev/null || { echo "1..0 # SKIP jq is missing"; exit 77; }

# A closure of two paths, one with ~300 KiB that xz cannot squeeze much.
python3 -c 'import os, sys; open(sys.argv[1], "wb").write(os.urandom(300 * 1024))' blob
cat >closure.nix <<NIX
let
  mk = name: script: derivation {
    inherit name; system = "x86_64-linux"; builder = "/bin/sh";
    args = [ "-c" "PATH=/usr/bin:/bin; \${script}" ];
    __sandboxPaths = "/bin /lib /lib64 /usr";
  };
in rec {
  big = mk "big" "cp \${./blob} \$out";
  top = mk "top" "echo uses \${big} > \$out";
}
NIX
firn key generate progress-test-1 --secret key.sec --public key.pub
top=$(firn --store "$TEST_ROOT/builder" build closure.nix -A top --no-out-link 2>/dev/null)
check "the builder store builds the closure" test -n "$top"
big=$(firn --store "$TEST_ROOT/builder" store query --references "$top")
check "top refers to big" test -n "$big"
firn --store "$TEST_ROOT/builder" copy --to "file://$TEST_ROOT/cache" --sign-key key.sec "$top" 2>/dev/null
narinfo() { cat "$TEST_ROOT/cache/$(basename "$1" | cut -c1-32).narinfo"; }
big_file_size=$(narinfo "$big" | sed -n 's/^FileSize: //p')
big_nar_size=$(narinfo "$big" | sed -n 's/^NarSize: //p')
check "the cache says big's sizes" test "${big_file_size:-0}" -gt 100000 -a "${big_nar_size:-0}" -gt 300000

# The cache and a file for fetchurl, over HTTP.
mkdir www
head -c 200000 blob >www/file
port=$(free_port)
(cd "$TEST_ROOT" && exec python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1) &
server=$!
trap 'kill $server 2>/dev/null; chmod -R u+w "$TEST_ROOT" 2>/dev/null; rm -rf "$TEST_ROOT"' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
url=http://127.0.0.1:$port/cache

# ---- firn copy --from, JSON ------------------------------------------------

firn --store "$TEST_ROOT/s1" copy --from "$url" --trusted-public-keys "$(cat key.pub)" --log-format json "$top" \
        2>copy.json
check "copy --from with JSON events succeeds" firn --store "$TEST_ROOT/s1" store query --valid "$top" "$big"
check "every line is a JSON object" jq -e . copy.json
done_big=$(jq -c "select(.action == \"download\" and .state == \"done\" and .path == \"$big\")" copy.json)
check "big's download ends with a done event" test -n "$done_big"
expect_eq "$(jq -r .bytes <<<"$done_big")" "$big_file_size" "  its bytes are the narinfo's FileSize"
expect_eq "$(jq -r .expected <<<"$done_big")" "$big_file_size" "  expected says FileSize too"
expect_eq "$(jq -r .narSize <<<"$done_big")" "$big_nar_size" "  and narSize the NarSize"
expect_eq "$(jq -r .from <<<"$done_big")" "$url" "  from names the cache"
check "  with a rate in bytes per second" jq -e '.rate > 0 and .seconds > 0' <<<"$done_big"
expect_eq "$(jq -r 'select(.action == "download" and .state == "done") | .path' copy.json | sort | tr '\n' ' ')" \
        "$(printf '%s\n' "$big" "$top" | sort | tr '\n' ' ')" "one done event per path copied"
expect_eq "$(jq -r 'select(.action == "download" and .state == "queued") | .path' copy.json | wc -l)" "2" \
        "one queued event per path"
check "progress events are not one per chunk" \
        test "$(jq -r 'select(.state == "progress") | .path' copy.json | wc -l)" -le 4

# ---- firn copy --from, plain lines -----------------------------------------

firn --store "$TEST_ROOT/s2" copy --from "$url" --trusted-public-keys "$(cat key.pub)" "$top" 2>copy.plain
check "plain copy --from succeeds" firn --store "$TEST_ROOT/s2" store query --valid "$top"
expect_eq "$(grep -c . copy.plain)" "2" "one line per path copied"
line=$(grep -F "copied path '$big' from '$url'" copy.plain)
check "big's line names the path and the cache" test -n "$line"
kib=$(awk -v n="$big_file_size" 'BEGIN { printf "%.1f KiB", n / 1024 }')
case $line in *"($kib, "*" unpacked, "*" s, "*"B/s)") pass "  and says its size ($kib) and rate" ;;
*) fail "  and says its size ($kib) and rate"; echo "    $line" ;; esac

# ---- the live line on a terminal --------------------------------------------

script -qec "'$FIRN' --store '$TEST_ROOT/s3' copy --from '$url' --trusted-public-keys '$(cat key.pub)' '$top'" \
        /dev/null >copy.tty 2>&1
check "copy --from on a terminal succeeds" firn --store "$TEST_ROOT/s3" store query --valid "$top" "$big"
tr '\r' '\n' <copy.tty >copy.tty.lines
check "the live line counts paths and bytes, with a rate" \
        grep -aqE '\[2/2 copied, [0-9.]+ KiB, [0-9.]+ [KMG]?i?B/s\]' copy.tty.lines
check "  and is cleared (ANSI erase) before the summary" grep -aq $'\033\\[Kcopied 2 paths' copy.tty.lines
check "no per-path lines on a terminal" bash -c "! grep -aq '^copied path' copy.tty.lines"

# ---- firn build substituting, JSON ------------------------------------------

firn --store "$TEST_ROOT/s4" build closure.nix -A top --no-out-link --log-format json \
        --option substituters "$url" --option trusted-public-keys "$(cat key.pub)" >build.out 2>build.json
expect_eq "$(cat build.out)" "$top" "firn build substitutes over HTTP"
check "its events are JSON" jq -e . build.json
check "  with big's download and its bytes" \
        jq -e "select(.action == \"download\" and .state == \"done\" and .path == \"$big\") | .bytes == $big_file_size" \
        build.json
check "  and nothing was built" bash -c "! jq -e 'select(.action == \"start\")' build.json >/dev/null"

firn --store "$TEST_ROOT/s5" build closure.nix -A top --no-out-link \
        --option substituters "$url" --option trusted-public-keys "$(cat key.pub)" >/dev/null 2>build.plain
check "firn build's plain log says what it copied, with sizes" \
        grep -qE "^copied path '$big' from '$url' \([0-9.]+ KiB, .* B/s\)$|^copied path '$big' from '$url' \([0-9.]+ KiB, .*iB/s\)$" \
        build.plain

# ---- builtin:fetchurl --------------------------------------------------------

hash=$(sha256sum www/file | cut -d' ' -f1)
cat >fetch.nix <<NIX
derivation {
  name = "file"; builder = "builtin:fetchurl"; system = "x86_64-linux";
  url = "http://127.0.0.1:$port/www/file";
  outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "$hash";
}
NIX
firn --store "$TEST_ROOT/s6" build fetch.nix --no-out-link --log-format json >fetch.out 2>fetch.json
check "fetchurl builds" test -n "$(cat fetch.out)"
check "its events are JSON" jq -e . fetch.json
done_url=$(jq -c "select(.action == \"download\" and .state == \"done\" and .url == \"http://127.0.0.1:$port/www/file\")" \
        fetch.json)
check "fetchurl's download ends with a done event for the URL" test -n "$done_url"
expect_eq "$(jq -r .bytes <<<"$done_url")" "200000" "  with the file's size in bytes"
expect_eq "$(jq -r .expected <<<"$done_url")" "200000" "  expected from Content-Length"
check "  and a rate" jq -e '.rate > 0' <<<"$done_url"

firn --store "$TEST_ROOT/s7" build fetch.nix --no-out-link >/dev/null 2>fetch.plain
check "fetchurl's plain log line says the size and rate" \
        grep -qE "^downloaded 'http://127.0.0.1:$port/www/file' \(195.3 KiB, [0-9.]+ s, [0-9.]+ [KMG]?i?B/s\)$" fetch.plain

script -qec "'$FIRN' --store '$TEST_ROOT/s8' build '$TEST_ROOT/fetch.nix' --no-out-link" /dev/null >fetch.tty 2>&1
tr '\r' '\n' <fetch.tty >fetch.tty.lines
check "fetchurl on a terminal shows the download in the live line" \
        grep -aqE '\[[01]/1 built, [01] running\] \[[01]/1 copied, [0-9.]+ (B|KiB)' fetch.tty.lines

kill "$server" 2>/dev/null
finish
