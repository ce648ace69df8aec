#!/bin/bash
# firn profile: set, list, rollback, switch-generation, delete-generations
# (numbers, old, +K, Nd, --dry-run), errors, the same steps run by nix-env
# 2.8 on a private Nix store (generation links, the profile's symlink, exit
# status and the list's format must agree), GC roots, and crash safety: a
# failure (FIRN_FAULT_AT) and a SIGKILL (FIRN_FAULT_KILL) at every step of
# `firn profile set`, then kill -9 at random instants; after each, the
# profile leads to the old or the new store path and the profile still
# works.
. "$(dirname "$0")/test-lib.sh"

# scan PROFILE: reads the links beside PROFILE with one find (the machine
# may be busy: few processes per check) and sets NOW (the store path
# PROFILE leads to, through NAME-N-link; the logical path does not exist
# under a --store root) and NEWEST (the newest generation's target).
scan() {
        local dir=${1%/*} name=${1##*/} f l max=0
        local -A t=()
        while read -r f l; do
                t[$f]=$l
                if [[ $f =~ ^$name-([0-9]+)-link$ ]] && [ "${BASH_REMATCH[1]}" -gt $max ]; then
                        max=${BASH_REMATCH[1]}
                fi
        done < <(find "$dir" -maxdepth 1 -type l -printf '%f %l\n')
        l=${t[$name]:-}
        l=${l##*/}
        NOW=${l:+${t[$l]:-}}
        NEWEST=${t[$name-$max-link]:-}
}

# resolve PROFILE: prints NOW.
resolve() {
        scan "$1"
        echo "$NOW"
}

# gens PROFILE: "N M …|CURRENT" from firn profile list.
gens() {
        firn profile list --profile "$1" |
                awk '{ printf "%s%s", sep, $1; sep = " " } $4 == "(current)" { c = $1 } END { print "|" c }'
}

# snapshot DIR: every NAME -> TARGET symlink in DIR.
snapshot() {
        find "$1" -maxdepth 1 -type l -printf '%f -> %l\n' | sort
}

for i in 1 2 3 4 5; do echo "generation contents $i" >f$i; done
P=("")
for i in 1 2 3 4 5; do P+=("$(firn store add "f$i")"); done
check "store add gave five paths" test -n "${P[5]}"

# ---- the system profile (the default) ------------------------------------

SYS=$STATE_REAL/profiles/system
expect_eq "$(firn profile list)" "" "no generations yet"
check "set the system profile" firn profile set "${P[1]}"
expect_eq "$(readlink "$SYS")" "system-1-link" "system -> system-1-link (relative)"
expect_eq "$(readlink "$SYS-1-link")" "${P[1]}" "system-1-link -> the logical store path"
expect_eq "$(gens "$SYS")" "1|1" "one generation, current"
expect_eq "$(ls -A "$STATE_REAL/gcroots/auto" | wc -l)" "0" "no indirect root inside the profiles directory"
expect_eq "$(firn store realpath /nix/var/nix/profiles/system)" "$(real "${P[1]}")" \
        "store realpath follows the profile's links inside the store root"
expect_fail "store realpath of a missing path fails" firn store realpath /nix/store/missing
check "set through the real path of a store path" firn profile set "$(real "${P[2]}")"
expect_eq "$(resolve "$SYS")" "${P[2]}" "the real path names the same store path"

# ---- the steps, against nix-env -------------------------------------------

mkdir -p fp np
FP=$TEST_ROOT/fp/p
NP=$TEST_ROOT/np/p

firn_op() {
        local prof=$1 op=$2
        shift 2
        case $op in
        set) firn profile set "${P[$1]}" --profile "$prof" ;;
        rollback) firn profile rollback --profile "$prof" ;;
        switch) firn profile switch-generation "$1" --profile "$prof" ;;
        delete) firn profile delete-generations --profile "$prof" "$@" ;;
        esac
}
nix_op() {
        local prof=$1 op=$2
        shift 2
        case $op in
        set) nix_env nix-env -p "$prof" --set "${P[$1]}" ;;
        rollback) nix_env nix-env -p "$prof" --rollback ;;
        switch) nix_env nix-env -p "$prof" --switch-generation "$1" ;;
        delete) nix_env nix-env -p "$prof" --delete-generations "$@" ;;
        esac
}

# age PROFILE: generation N made (10 - N) days and an hour ago.
age() {
        local now f n
        now=$(date +%s)
        for f in "$1"-*-link; do
                n=${f%-link}
                n=${n##*-}
                touch -h -d "@$((now - (10 - n) * 86400 - 3600))" "$f"
        done
}

# fixed_times PROFILE: generation N made at a fixed instant + N minutes.
fixed_times() {
        local f n
        for f in "$1"-*-link; do
                n=${f%-link}
                n=${n##*-}
                touch -h -d "@$((1700000000 + n * 61))" "$f"
        done
}

use_nix=0
if have_nix; then
        use_nix=1
        for i in 1 2 3 4 5; do
                q=$(nix_env nix-store --add "f$i")
                expect_eq "$q" "${P[$i]}" "nix-store --add f$i gives firn's path"
        done
elif [ "${FIRN_REQUIRE_NIX:-0}" = 1 ]; then
        fail "nix-env not found (FIRN_REQUIRE_NIX=1)"
else
        echo "# nix-env not found: the steps run without the comparison"
fi

# Each step: OP ARGS | expected exit status | expected "gens|current".
steps=(
        "set 1|0|1|1"
        "set 2|0|1 2|2"
        "set 3|0|1 2 3|3"
        "set 3|0|1 2 3|3"
        "set 4|0|1 2 3 4|4"
        "rollback|0|1 2 3 4|3"
        "rollback|0|1 2 3 4|2"
        "set 4|0|1 2 3 4|4"
        "rollback|0|1 2 3 4|3"
        "set 2|0|1 2 3 4 5|5"
        "switch 1|0|1 2 3 4 5|1"
        "rollback|1|1 2 3 4 5|1"
        "switch 9|1|1 2 3 4 5|1"
        "switch 1|0|1 2 3 4 5|1"
        "delete 1|1|1 2 3 4 5|1"
        "switch 5|0|1 2 3 4 5|5"
        "delete 1 9|0|2 3 4 5|5"
        "set 5|0|2 3 4 5 6|6"
        "set 1|0|2 3 4 5 6 7|7"
        "set 2|0|2 3 4 5 6 7 8|8"
        "set 3|0|2 3 4 5 6 7 8 9|9"
        "switch 6|0|2 3 4 5 6 7 8 9|6"
        "delete +2|0|5 6 7 8 9|6"
        "switch 8|0|5 6 7 8 9|8"
        "age|0|5 6 7 8 9|8"
        "delete 3d|0|7 8 9|8"
        "delete 30d|0|7 8 9|8"
        "delete x|1|7 8 9|8"
        "delete +0|1|7 8 9|8"
        "delete +|1|7 8 9|8"
        "delete 0d|1|7 8 9|8"
        "delete 1 old|1|7 8 9|8"
        "delete old|0|8|8"
        "set 1|0|8 9|9"
        "set 1|0|8 9|9"
        "delete +1|0|9|9"
)
for s in "${steps[@]}"; do
        IFS='|' read -r op want_rc want_gens want_cur <<<"$s"
        if [ "$op" = age ]; then
                age "$FP"
                [ $use_nix = 1 ] && age "$NP"
                rc=0
        else
                # shellcheck disable=SC2086
                firn_op "$FP" $op >/dev/null 2>"$TEST_ROOT/.err"
                rc=$?
        fi
        expect_eq "$rc" "$( [ "$want_rc" = 0 ] && echo 0 || echo 1)" "firn: $op: exit status"
        expect_eq "$(gens "$FP")" "$want_gens|$want_cur" "firn: $op: generations"
        if [ $use_nix = 1 ] && [ "$op" != age ]; then
                # shellcheck disable=SC2086
                nix_op "$NP" $op >/dev/null 2>&1
                nrc=$?
                expect_eq "$rc" "$nrc" "nix-env: $op: same exit status"
                expect_eq "$(snapshot fp)" "$(snapshot np)" "nix-env: $op: same links"
        fi
done

# The list's format, with the same times on both sides.
check "list has 2 generations" test "$(gens "$FP")" = "9|9"
firn_op "$FP" set 2 >/dev/null 2>&1
fixed_times "$FP"
expected_list=$(TZ=UTC0 date -d @$((1700000000 + 9 * 61)) '+   9   %Y-%m-%d %H:%M:%S   ')
expect_eq "$(TZ=UTC0 firn profile list --profile "$FP" | head -1)" "$expected_list" "list: nix-env's line format"
expect_eq "$(TZ=UTC0 firn profile list --profile "$FP" | sed -n 2p | cut -c1-4,27-)" "  10   (current)" \
        "list: (current) marks the current one"
if [ $use_nix = 1 ]; then
        nix_op "$NP" set 2 >/dev/null 2>&1
        fixed_times "$NP"
        expect_eq "$(snapshot fp)" "$(snapshot np)" "nix-env: same links before listing"
        expect_eq "$(TZ=UTC0 firn profile list --profile "$FP" | od -c)" \
                "$(TZ=UTC0 nix_env nix-env -p "$NP" --list-generations | od -c)" "list: byte for byte as nix-env's"
        expect_eq "$(firn profile list --profile "$FP")" "$(nix_env nix-env -p "$NP" --list-generations)" \
                "list: as nix-env's in the local time zone"
fi

# ---- messages and errors -----------------------------------------------------

firn profile switch-generation 99 --profile "$FP" >/dev/null 2>"$TEST_ROOT/.err"
expect_eq "$(cat "$TEST_ROOT/.err")" "firn: error: generation 99 does not exist" "switch to a missing generation"
firn profile rollback --profile "$FP" >/dev/null 2>"$TEST_ROOT/.err"
expect_eq "$(cat "$TEST_ROOT/.err")" "switching from generation 10 to 9" "rollback says what it did"
firn profile rollback --profile "$FP" >/dev/null 2>"$TEST_ROOT/.err"
expect_eq "$(cat "$TEST_ROOT/.err")" "firn: error: no generation older than the current (9) exists" \
        "rollback past the oldest"
firn profile delete-generations 9 --profile "$FP" >/dev/null 2>"$TEST_ROOT/.err"
expect_eq "$(cat "$TEST_ROOT/.err")" "firn: error: cannot delete the current generation (9) of profile '$FP'" \
        "deleting the current generation"
firn profile delete-generations --dry-run 10 --profile "$FP" >/dev/null 2>"$TEST_ROOT/.err"
expect_eq "$(cat "$TEST_ROOT/.err")" "would remove generation 10" "--dry-run says what it would remove"
expect_eq "$(gens "$FP")" "9 10|9" "--dry-run removes nothing"
firn profile delete-generations 10 --profile "$FP" >/dev/null 2>"$TEST_ROOT/.err"
expect_eq "$(cat "$TEST_ROOT/.err")" "removing generation 10" "delete says what it removed"
firn profile delete-generations x --profile "$FP" >/dev/null 2>"$TEST_ROOT/.err"
expect_eq "$(cat "$TEST_ROOT/.err")" "firn: error: invalid generation number 'x'" "a bad delete spec"
expect_fail "delete-generations needs a spec" firn profile delete-generations --profile "$FP"
expect_fail "switch-generation needs a number" firn profile switch-generation x --profile "$FP"
expect_fail "switch-generation 0" firn profile switch-generation 0 --profile "$FP"
expect_fail "an unknown subcommand" firn profile frobnicate
expect_fail "set needs a store path" firn profile set --profile "$FP"
expect_fail "set an invalid store path" firn profile set /nix/store/00000000000000000000000000000000-nope --profile "$FP"
firn profile set /nix/store/00000000000000000000000000000000-nope --profile "$FP" 2>"$TEST_ROOT/.err"
expect_eq "$(cat "$TEST_ROOT/.err")" \
        "firn: error: path '/nix/store/00000000000000000000000000000000-nope' is not valid" "the invalid path is named"
expect_fail "set a path outside the store" firn profile set "$TEST_ROOT/f1" --profile "$FP"
expect_fail "set in a missing directory" firn profile set "${P[1]}" --profile "$TEST_ROOT/no/such/p"
echo file >"$TEST_ROOT/fp/file"
expect_fail "set a profile that is a regular file" firn profile set "${P[1]}" --profile "$TEST_ROOT/fp/file"
expect_eq "$(cat "$TEST_ROOT/fp/file")" "file" "the regular file is left alone"
expect_eq "$(gens "$FP")" "9|9" "errors changed nothing"
check "options may come first" firn profile --profile "$FP" list
check "-p works as --profile" firn profile list -p "$FP"

# ---- GC roots ------------------------------------------------------------------

# Each generation of a profile outside the profiles directory is an
# indirect root: gcroots/auto/HASH -> its real path.
fp_real=$(cd -P "$TEST_ROOT/fp" && pwd)
roots=$(for f in "$STATE_REAL"/gcroots/auto/*; do readlink "$f"; done | sort)
check "an indirect root for generation 9" grep -qx "$fp_real/p-9-link" <<<"$roots"
check "an indirect root for generation 10" grep -qx "$fp_real/p-10-link" <<<"$roots"
check "no indirect root for the system profile" test -z "$(grep "profiles/system" <<<"$roots")"


# ---- crash safety ----------------------------------------------------------------

# crash_check PROFILE OLD NEW STATUS WHAT: old or new, never a mix, and
# the profile keeps working.
crash_check() {
        local prof=$1 old=$2 new=$3 rc=$4 what=$5 out
        scan "$prof"
        if [ "$rc" = 0 ] && [ "$NOW" != "$new" ]; then
                fail "$what: succeeded but leads to '$NOW'"
                return
        fi
        if [ "$NOW" != "$old" ] && [ "$NOW" != "$new" ]; then
                fail "$what: leads to '$NOW', neither old nor new"
                return
        fi
        out=$(firn profile list --profile "$prof" 2>&1)
        if [[ $out != *"(current)"* ]]; then
                fail "$what: list shows no current generation"
                printf '%s\n' "$out" | sed 's/^/    /'
                return
        fi
        CRASH_OK=$((CRASH_OK + 1))
}

# fault_loop PROFILE [all|profile]: sets with a fault at every step in
# turn, each to a path that is neither the current one nor the newest
# generation's (so each set goes all the way: a new generation, then the
# switch); each starts from whatever the one before left. With "profile",
# the steps of opening the store (its mkdirs, the same for every command)
# are left out.
fault_loop() {
        local prof=$1 which=${2:-all} mode steps n rc old new k from=1
        firn profile set "${P[1]}" --profile "$prof" 2>/dev/null
        FIRN_FAULT_TRACE=1 "$FIRN" profile set "${P[2]}" --profile "$prof" 2>"$TEST_ROOT/.trace"
        steps=$(grep -c '^firn-fault:' "$TEST_ROOT/.trace")
        check "$prof: the set passes failure points ($steps)" test "$steps" -gt 6
        [ "$which" = profile ] && from=$(awk '$3 != "mkdir" { print $2; exit }' "$TEST_ROOT/.trace")
        for mode in AT KILL; do
                CRASH_OK=0
                for n in $(seq "$from" $((steps + 1))); do
                        scan "$prof"
                        old=$NOW
                        for k in 1 2 3; do
                                new=${P[$k]}
                                [ "$new" != "$old" ] && [ "$new" != "$NEWEST" ] && break
                        done
                        { env "FIRN_FAULT_$mode=$n" "$FIRN" profile set "$new" --profile "$prof" >/dev/null 2>&1; } 2>/dev/null
                        rc=$?
                        if [ $n -le "$steps" ] && [ $rc = 0 ]; then
                                fail "FIRN_FAULT_$mode=$n: the set succeeded"
                        fi
                        crash_check "$prof" "$old" "$new" $rc "FIRN_FAULT_$mode=$n"
                done
                expect_eq "$CRASH_OK" "$((steps + 2 - from))" "$prof: FIRN_FAULT_$mode at steps $from to $steps: old or new"
        done
        check "$prof: a set after the faults" firn profile set "${P[4]}" --profile "$prof"
        expect_eq "$(resolve "$prof")" "${P[4]}" "$prof: and it leads to the path set"
}
mkdir crash
fault_loop "$TEST_ROOT/crash/p"
fault_loop "$SYS" profile

# kill -9 at random instants. Most of a set's time is the process starting
# up, and the switch itself is a few steps at the end: the delays are drawn
# around the measured duration of a whole set, to land there often.
KP=$TEST_ROOT/crash/k
firn profile set "${P[1]}" --profile "$KP"
t0=$(date +%s%N)
firn profile set "${P[2]}" --profile "$KP"
firn profile set "${P[1]}" --profile "$KP"
usec=$((($(date +%s%N) - t0) / 2000))
CRASH_OK=0
olds=0
news=0
for i in $(seq 1 40); do
        old=$(resolve "$KP")
        new=${P[$((i % 5 + 1))]}
        [ "$new" = "$old" ] && new=${P[$(((i + 1) % 5 + 1))]}
        "$FIRN" profile set "$new" --profile "$KP" >/dev/null 2>&1 &
        pid=$!
        # from 50% to 120% of a set's duration
        d=$((usec / 2 + (RANDOM * 32768 + RANDOM) % (usec * 7 / 10 + 1)))
        sleep "$(printf '%d.%06d' $((d / 1000000)) $((d % 1000000)))"
        kill -9 $pid 2>/dev/null
        { wait $pid; } 2>/dev/null
        crash_check "$KP" "$old" "$new" 1 "kill -9 #$i"
        if [ "$NOW" = "$new" ]; then news=$((news + 1)); else olds=$((olds + 1)); fi
done
expect_eq "$CRASH_OK" 40 "kill -9 at random instants: old or new ($olds old, $news new; a set takes ${usec}us)"
check "the profile works after the kills" firn profile set "${P[3]}" --profile "$KP"
expect_eq "$(resolve "$KP")" "${P[3]}" "and leads to the last path set"
check "no stray temporary file is taken for a generation" \
        test "$(firn profile list --profile "$KP" | wc -l)" = "$(ls "$TEST_ROOT"/crash | grep -c '^k-[0-9]*-link$')"

# ---- garbage collection ------------------------------------------------------------

# A GC keeps every generation's path, of profiles inside and outside the
# profiles directory (after the crashes too), and collects a path no generation holds.
echo "in no profile" >f6
P6=$(firn store add f6)
check "a garbage collection" firn store gc
check "the path in no profile is collected" test ! -e "$(real "$P6")"
alive=1
for t in $( (snapshot fp; snapshot "$STATE_REAL/profiles"; snapshot crash) | sed -n 's|^.*-link -> ||p' | sort -u); do
        [ -e "$(real "$t")" ] || { alive=0; echo "    collected: $t"; }
done
expect_eq "$alive" 1 "every generation's path survives"

finish
