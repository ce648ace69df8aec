#!/usr/bin/env bash
# nar-vs-nix.sh FIRN_BINARY [SEED]
#
# Differential test of NAR hashing and source store paths: builds a random
# tree in a temporary directory (files of many sizes around the 8-byte
# padding and firn's 256 KiB buffer, executables and other modes, symlinks
# (relative, absolute, dangling, to directories), nested and empty
# directories, hard links, odd names: spaces, newlines, UTF-8, leading '.'
# and '-') and compares what
#     firn instantiate --eval --strict -E '[ "${/tmp/…/tree}" … ]'
# prints with Nix 2.8's nix-instantiate (NIX_REMOTE=dummy://, private
# HOME), for the tree and for a few single files and symlinks.
#
# SEED (default: random, printed) seeds bash's $RANDOM, which decides the
# shape; file contents come from /dev/urandom. On a mismatch the tree is
# kept for inspection. Exit status: 0 same, 1 different, 77 (skip) without
# nix-instantiate ($NIX_INSTANTIATE or PATH).

set -euo pipefail

firn=${1:?usage: nar-vs-nix.sh FIRN_BINARY [SEED]}
seed=${2:-$(( $(date +%s%N) % 32768 ))}
nix=${NIX_INSTANTIATE:-$(command -v nix-instantiate || true)}
if [ -z "$nix" ]; then
    # CI sets FIRN_REQUIRE_NIX=1: there a missing oracle is a failure.
    if [ "${FIRN_REQUIRE_NIX:-0}" = 1 ]; then
        echo "nar-vs-nix: FAIL: nix-instantiate not found (FIRN_REQUIRE_NIX=1)"
        exit 1
    fi
    echo "nar-vs-nix: SKIP: nix-instantiate not found"
    exit 77
fi

tmp=$(mktemp -d /tmp/firn-nar-vs-nix.XXXXXX)
keep=0
cleanup() {
    if [ "$keep" = 1 ]; then
        echo "nar-vs-nix: tree kept in $tmp"
    else
        chmod -R u+rwx "$tmp" 2>/dev/null || true
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

RANDOM=$seed
echo "nar-vs-nix: seed $seed, tree in $tmp"

names=(plain README Z a A a-b a.b a_b ab '-dash' '.hidden' '..dots' 'with space' $'new\nline'
       $'tab\there' 'été' '日本' 'q?x=1' 'star*' 'back\slash' "quo'te" 'x+y' '~tilde' '#hash'
       "$(printf 'l%.0s' {1..200})")
sizes=(0 1 7 8 9 15 16 17 4095 4096 4097 65536 262143 262144 262145 524288 1048579 3145733)
modes=(644 755 700 600 654 744 100 444 711)

rand_name() {
    local n=${names[RANDOM % ${#names[@]}]}
    if (( RANDOM % 3 == 0 )); then n="$n$RANDOM"; fi
    printf '%s' "$n"
}

make_file() { # path
    local size=${sizes[RANDOM % ${#sizes[@]}]}
    # Mostly small files; a few big ones.
    if (( size > 65536 && RANDOM % 4 != 0 )); then size=$(( RANDOM % 300 )); fi
    head -c "$size" /dev/urandom > "$1"
    chmod "${modes[RANDOM % ${#modes[@]}]}" "$1"
}

make_link() { # path
    local targets=('../README' 'plain' '/etc/hostname' '/nonexistent/dangling' '.' '..' 'a dir/with space'
                   "$(printf 't%.0s' {1..300})" 'été/x' 'sub/')
    ln -s "${targets[RANDOM % ${#targets[@]}]}" "$1"
}

make_dir() { # path depth
    local dir=$1 depth=$2 n i name
    mkdir -p "$dir"
    n=$(( RANDOM % 9 + (depth < 2 ? 12 : 0) ))
    for (( i = 0; i < n; i++ )); do
        name=$(rand_name)
        [ -e "$dir/$name" ] || [ -L "$dir/$name" ] && continue
        case $(( RANDOM % 10 )) in
            0|1|2|3|4) make_file "$dir/$name" ;;
            5|6) make_link "$dir/$name" ;;
            7) mkdir "$dir/$name" ;;  # empty directory
            *) if (( depth < 6 )); then make_dir "$dir/$name" $(( depth + 1 )); else make_file "$dir/$name"; fi ;;
        esac
    done
}

make_dir "$tmp/tree" 0
# Always present: a big file, an executable, a hard link, a deep chain.
head -c 5000003 /dev/urandom > "$tmp/tree/big.bin"
printf '#!/bin/sh\necho hi\n' > "$tmp/tree/run.sh"; chmod 755 "$tmp/tree/run.sh"
ln "$tmp/tree/run.sh" "$tmp/tree/hardlink"
mkdir -p "$tmp/tree/d1/d2/d3/d4/d5/d6/d7/d8"; printf deep > "$tmp/tree/d1/d2/d3/d4/d5/d6/d7/d8/f"
mkdir "$tmp/tree/empty"
# Single objects at the root of an archive.
printf 'hello\n' > "$tmp/file"
printf 'x' > "$tmp/exe"; chmod 700 "$tmp/exe"
: > "$tmp/empty-file"
ln -s 'some/target' "$tmp/link"
ln -s "$tmp/tree" "$tmp/link-to-dir"
mkdir "$tmp/empty-dir"

echo "nar-vs-nix: $(find "$tmp/tree" -type f | wc -l) files, $(find "$tmp/tree" -type d | wc -l) dirs," \
     "$(find "$tmp/tree" -type l | wc -l) symlinks, $(du -sb "$tmp/tree" | cut -f1) bytes"

expr="[ \"\${$tmp/tree}\" \"\${$tmp/tree/d1}\" \"\${$tmp/file}\" \"\${$tmp/exe}\" \"\${$tmp/empty-file}\""
expr+=" \"\${$tmp/link}\" \"\${$tmp/link-to-dir}\" \"\${$tmp/empty-dir}\" ]"

home=$tmp/home
mkdir "$home"
want=$(NIX_REMOTE=dummy:// HOME=$home XDG_CACHE_HOME=$home/.cache XDG_CONFIG_HOME=$home/.config \
       "$nix" --eval --strict -E "$expr" 2>&1) || { keep=1; echo "nix-instantiate failed: $want"; exit 1; }
got=$(HOME=$home "$firn" instantiate --eval --strict -E "$expr" 2>&1) || { keep=1; echo "firn failed: $got"; exit 1; }

if [ "$got" != "$want" ]; then
    keep=1
    echo "nar-vs-nix: MISMATCH (seed $seed)"
    echo "  nix:  $want"
    echo "  firn: $got"
    exit 1
fi
echo "nar-vs-nix: same store paths: $got"
