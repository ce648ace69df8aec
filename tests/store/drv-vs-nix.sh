#!/usr/bin/env bash
# drv-vs-nix.sh FIRN_BINARY [SEED]
#
# Differential test of derivations: evaluates one Nix file holding about
# 40 derivations with firn and with Nix 2.8's nix-instantiate
# (NIX_REMOTE=dummy://, private HOME, read-only: nothing is written) and
# compares, for each, drvPath and every output's outPath.
#
# The fixed cases cover: several outputs (unsorted, non-default first),
# fixed outputs flat and recursive with md5/sha1/sha256/sha512 hashes given
# as hex, nix32, base64, SRI and "algo:" prefixed (and an empty hash),
# passAsFile, __structuredAttrs (nested values, paths, derivations inside),
# __ignoreNulls, chains of dependencies, dependencies on fixed outputs and
# on non-default outputs, string contexts from paths, builtins.path (name,
# filter, flat), filterSource, toFile with references, storePath,
# builtins.placeholder, unsafeDiscardOutputDependency, env escaping and
# coercions, <nix/fetchurl.nix>. Then SEED (default: random, printed) drives
# bash's $RANDOM to generate a dozen more: random names, output sets, env
# strings with escapes, fixed or not, and random dependencies between them.
#
# On a mismatch (or with DRV_VS_NIX_KEEP set) the Nix files are kept, and
# on a mismatch the differing entries are printed.
# Exit status: 0 same, 1 different, 77 (skip) without nix-instantiate
# (1 instead when FIRN_REQUIRE_NIX=1)
# ($NIX_INSTANTIATE or PATH).

set -euo pipefail

firn=${1:?usage: drv-vs-nix.sh FIRN_BINARY [SEED]}
seed=${2:-$(( $(date +%s%N) % 32768 ))}
nix=${NIX_INSTANTIATE:-$(command -v nix-instantiate || true)}
if [ -z "$nix" ]; then
    # CI sets FIRN_REQUIRE_NIX=1: there a missing oracle is a failure.
    if [ "${FIRN_REQUIRE_NIX:-0}" = 1 ]; then
        echo "drv-vs-nix: FAIL: nix-instantiate not found (FIRN_REQUIRE_NIX=1)"
        exit 1
    fi
    echo "drv-vs-nix: SKIP: nix-instantiate not found"
    exit 77
fi

tmp=$(mktemp -d /tmp/firn-drv-vs-nix.XXXXXX)
keep=0
cleanup() {
    if [ "$keep" = 1 ] || [ -n "${DRV_VS_NIX_KEEP:-}" ]; then
        echo "drv-vs-nix: files kept in $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

RANDOM=$seed
echo "drv-vs-nix: seed $seed, files in $tmp"

# Sources for the path cases.
mkdir -p "$tmp/src/sub" "$tmp/src/.git"
printf 'hello\n' > "$tmp/hello.txt"
printf 'echo building\n' > "$tmp/src/build.sh"
printf 'x' > "$tmp/src/sub/keep.c"
printf 'y' > "$tmp/src/sub/drop.o"
printf 'z' > "$tmp/src/.git/HEAD"
ln -s build.sh "$tmp/src/link"

cat > "$tmp/cases.nix" <<EOF
let
  sys = "x86_64-linux";
  sh = "/bin/sh";
  mk = attrs: derivation ({ system = sys; builder = sh; args = [ "-c" "echo > \$out" ]; } // attrs);
  fod = name: algo: mode: hash: mk { inherit name; outputHashAlgo = algo; outputHashMode = mode; outputHash = hash; };

  simple = mk { name = "simple"; };
  multi = mk { name = "multi"; outputs = [ "out" "dev" "lib" "doc" ]; };
  unsorted = mk { name = "unsorted"; outputs = [ "lib" "bin" "out" ]; };

  src = builtins.path { path = $tmp/src; name = "my-src"; };
  filtered = builtins.path {
    path = $tmp/src;
    filter = p: t: baseNameOf p != ".git" && !(builtins.match ".*\\\\.o" p != null);
  };
  flatFile = builtins.path { path = $tmp/hello.txt; recursive = false; name = "hello-flat"; };
  fsrc = builtins.filterSource (p: t: t != "symlink") $tmp/src;
  script = builtins.toFile "builder.sh" "source \${src}/build.sh\n";
  stored = builtins.storePath "/nix/store/0000000000000000000000000000000a-stored";

  fetchurl = import <nix/fetchurl.nix>;
in {
  inherit simple multi unsorted;
  "multi.dev" = multi.dev;
  "unsorted.bin" = unsorted.bin;

  fod-sha256-hex = fod "fod-sha256-hex" "sha256" "flat" "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
  fod-sha256-nix32 = fod "fod-sha256-nix32" "sha256" "flat" "0wkcqjj7y2zyc8c1rs5c6q8ypvdyd0bvy8h2ryfbzxs3c4dxpl6h";
  fod-sha256-sri = fod "fod-sha256-sri" "sha256" "flat" "sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=";
  fod-sha256-r = fod "fod-sha256-r" "sha256" "recursive" "sha256-HDfQGvQL4ugGkd48w99EN3ppmvuxfGjwgJZLL9Bx/BM=";
  fod-sha256-noalgo = fod "fod-sha256-noalgo" "" "recursive" "sha256-HDfQGvQL4ugGkd48w99EN3ppmvuxfGjwgJZLL9Bx/BM=";
  fod-sha256-prefixed = fod "fod-sha256-prefixed" "sha256" "flat" "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
  fod-sha256-base64 = fod "fod-sha256-base64" "sha256" "flat" "WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=";
  fod-sha1-hex = fod "fod-sha1-hex" "sha1" "flat" "f572d396fae9206628714fb2ce00f72e94f2258f";
  fod-sha1-nix32-r = fod "fod-sha1-nix32-r" "sha1" "recursive" "1xkvgp7v8qnkq1pcvw9ym2l6jyqscqsx";
  fod-sha1-sri = fod "fod-sha1-sri" "sha1" "flat" "sha1-9XLTlvrpIGYocU+yzgD3LpTyJY8=";
  fod-sha512-sri-r = fod "fod-sha512-sri-r" "sha512" "recursive" "sha512-4zp9uJmxtpjHOhqIeo0c8Z1pWwcdm3R7xIBFc5fJUZGXqg1Pd0ngnIf2vpTwNSfrWAlzmeH8EJ9qt3OXTVVdZw==";
  fod-sha512-hex = fod "fod-sha512-hex" "sha512" "flat" "e33a7db899b1b698c73a1a887a8d1cf19d695b071d9b747bc4804573979519919baa0d4f7749e09c87f6be94f03527eb58097399e1fc109f6ab7739774d55d67";
  fod-md5 = fod "fod-md5" "md5" "flat" "b1946ac92492d2347c6235b4d2611184";
  fod-default-mode = mk { name = "fod-default-mode"; outputHashAlgo = "sha256"; outputHash = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; };
  fod-empty-hash = mk { name = "fod-empty-hash"; outputHashAlgo = "sha256"; outputHash = ""; };

  pass-as-file = mk { name = "paf"; passAsFile = [ "big" "other" ]; big = "a big\nvalue\n"; other = 1; };
  structured = mk {
    name = "structured"; __structuredAttrs = true; outputs = [ "out" "dev" ];
    nested = { a = 1; b = [ true null "x" 1.5 ]; c = { d = "\u00e9\"\\\\"; }; };
    inherit src; dep = simple; devdep = multi.dev; p = $tmp/hello.txt;
  };
  structured-nulls = mk { name = "sn"; __structuredAttrs = true; __ignoreNulls = true; gone = null; kept = 0; };
  ignore-nulls = mk { name = "in"; __ignoreNulls = true; gone = null; kept = ""; also = false; };
  nulls-kept = mk { name = "nk"; gone = null; };

  chain = let a = mk { name = "a"; }; b = mk { name = "b"; x = a; }; in mk { name = "c"; y = b; z = "\${a}"; };
  on-fod = mk { name = "on-fod"; f = fod "f" "sha256" "flat" "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; };
  on-fod-variant = mk {
    name = "on-fod";
    f = (fod "f" "sha256" "flat" "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03") // { };
    args = [ "-c" "printf 'hello\\\\n' > \$out" ];
  };
  two-fods-same-output = mk {
    name = "two-fods";
    f1 = fod "same" "sha256" "flat" "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    f2 = (fod "same" "sha256" "flat" "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03") // { };
    f3 = mk { name = "same"; builder = "/bin/bash"; outputHashAlgo = "sha256"; outputHash = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; };
  };
  on-outputs = mk { name = "on-outputs"; d = multi.dev; l = "\${multi.lib}/lib"; b = unsorted.bin; };
  on-all = mk { name = "on-all"; all = map (o: o.outPath) multi.all; };

  paths = mk { name = "paths"; f = $tmp/hello.txt; d = "\${$tmp/src}/sub"; args = [ $tmp/hello.txt "\${$tmp/src}" ]; };
  path-builtins = mk { name = "path-builtins"; inherit src filtered flatFile fsrc; };
  to-file = mk { name = "to-file"; builder = script; args = [ ]; };
  store-path = mk { name = "store-path"; s = stored; t = "\${stored}/bin/x"; };
  discard = mk { name = "discard"; d = builtins.unsafeDiscardOutputDependency simple.drvPath; };
  placeholders = mk {
    name = "placeholders"; outputs = [ "out" "bin" ];
    p = builtins.placeholder "out"; q = "\${builtins.placeholder "bin"}/bin";
    args = [ "-c" "mkdir \${builtins.placeholder "bin"}" ];
  };
  escapes = mk {
    name = "escapes";
    nl = "line1\nline2\n"; tab = "a\tb"; cr = "a\rb"; q = "say \"hi\""; bs = "C:\\\\x\\\\"; dollar = "\\\${HOME}";
    ctl = builtins.fromJSON "\"a\\\\u0001b\\\\u007fc\\\\u00e9\\\\u000bd\""; "odd key" = "v"; "k\"ey\n" = "v";
    builder = "/bin/\"sh\"\n";
  };
  coercions = mk {
    name = "coercions"; i = 42; neg = -7; t = true; f = false; n = null; fl = 1.5; big = 123456789012;
    l = [ "a" 1 true false null [ "b" [ ] "c" ] 2.5 ]; e = [ ];
    args = [ 1 true null [ "x" "y" ] 0.1 ];
  };
  special-name = mk { name = "a+b-1.0_x?y=z"; };

  fetchurl-sha256 = fetchurl { url = "https://example.org/file.tar.gz"; sha256 = "0wkcqjj7y2zyc8c1rs5c6q8ypvdyd0bvy8h2ryfbzxs3c4dxpl6h"; };
  fetchurl-sri = fetchurl { url = "https://example.org/x"; hash = "sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM="; executable = true; };
  fetchurl-sha1 = fetchurl { url = "https://example.org/y.zip"; sha1 = "f572d396fae9206628714fb2ce00f72e94f2258f"; unpack = true; name = "y"; };
}
EOF

# Generated cases: random names, outputs, env strings, fixed or not,
# dependencies on earlier ones.
chars=(a b z A Z 0 9 - _ . + '?' '=')
rand_name() {
    local n="" i len=$(( RANDOM % 12 + 1 ))
    for (( i = 0; i < len; i++ )); do n+=${chars[RANDOM % ${#chars[@]}]}; done
    # Not a leading '.' (newer Nix rejects it; 2.8 accepts it either way).
    printf 'g%s' "$n"
}
values=('""' '"plain"' '"with\nnewline"' '"tab\there"' '"q\"uote"' '"back\\\\slash"' '"\${builtins.placeholder \"out\"}"'
        '42' 'true' 'null' '[ "x" 1 ]' '2.5' '"é ✓"')
outsets=('[ "out" ]' '[ "out" "dev" ]' '[ "bin" "out" ]' '[ "dev" "out" "lib" "doc" ]')
hashes=('"sha256" "flat" "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"'
        '"sha1" "recursive" "1xkvgp7v8qnkq1pcvw9ym2l6jyqscqsx"'
        '"" "recursive" "sha512-4zp9uJmxtpjHOhqIeo0c8Z1pWwcdm3R7xIBFc5fJUZGXqg1Pd0ngnIf2vpTwNSfrWAlzmeH8EJ9qt3OXTVVdZw=="')
{
    echo 'let'
    echo '  sys = "x86_64-linux"; sh = "/bin/sh";'
    echo '  mk = attrs: derivation ({ system = sys; builder = sh; args = [ "-c" "echo > $out" ]; } // attrs);'
    echo '  fod = name: algo: mode: hash: mk { inherit name; outputHashAlgo = algo; outputHashMode = mode; outputHash = hash; };'
    for (( g = 0; g < 14; g++ )); do
        printf '  g%d = ' "$g"
        if (( RANDOM % 4 == 0 )); then
            printf 'fod "%s" %s;\n' "$(rand_name)" "${hashes[RANDOM % ${#hashes[@]}]}"
            continue
        fi
        printf 'mk { name = "%s"; outputs = %s;' "$(rand_name)" "${outsets[RANDOM % ${#outsets[@]}]}"
        for (( k = 0; k < RANDOM % 5; k++ )); do
            printf ' v%d = %s;' "$k" "${values[RANDOM % ${#values[@]}]}"
        done
        if (( g > 0 )); then
            for (( k = 0; k < RANDOM % 3; k++ )); do
                printf ' dep%d = g%d;' "$k" $(( RANDOM % g ))
            done
        fi
        if (( RANDOM % 5 == 0 )); then printf ' __structuredAttrs = true;'; fi
        echo ' };'
    done
    printf 'in {'
    for (( g = 0; g < 14; g++ )); do printf ' inherit g%d;' "$g"; done
    echo ' }'
} > "$tmp/generated.nix"

cat > "$tmp/test.nix" <<EOF
builtins.mapAttrs (n: d: [ d.drvPath ] ++ map (o: "\${o.outputName}=\${o.outPath}") d.all)
  (import $tmp/cases.nix // import $tmp/generated.nix)
EOF

home=$tmp/home
mkdir "$home"
run_nix() {
    NIX_REMOTE=dummy:// HOME=$home XDG_CACHE_HOME=$home/.cache XDG_CONFIG_HOME=$home/.config NIX_PATH= \
        "$nix" --eval --strict --json "$tmp/test.nix"
}
run_firn() {
    HOME=$home NIX_PATH= "$firn" instantiate --eval --strict --json "$tmp/test.nix"
}
want=$(run_nix 2>"$tmp/nix.err") || { keep=1; echo "drv-vs-nix: nix-instantiate failed:"; cat "$tmp/nix.err"; exit 1; }
got=$(run_firn 2>"$tmp/firn.err") || { keep=1; echo "drv-vs-nix: firn failed:"; cat "$tmp/firn.err"; exit 1; }

n=$(printf '%s' "$want" | grep -o '"[^"]*":\[' | wc -l)
if [ "$got" != "$want" ]; then
    keep=1
    echo "drv-vs-nix: MISMATCH (seed $seed)"
    printf '%s\n' "$want" | sed 's/\],"/],\n"/g' > "$tmp/want.txt"
    printf '%s\n' "$got" | sed 's/\],"/],\n"/g' > "$tmp/got.txt"
    diff "$tmp/want.txt" "$tmp/got.txt" | head -40 || true
    exit 1
fi
echo "drv-vs-nix: $n derivations, same drvPath and outPaths"
