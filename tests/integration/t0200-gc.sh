#!/bin/bash
# firn store gc / firn store delete: roots (direct, indirect ./result
# links, stale auto/ entries), --print-roots/--print-live/--print-dead,
# --max-freed, delete refusing live paths, a failure and a kill -9 at every
# step of a collection (and at random instants), and collections running
# beside adds.
. "$(dirname "$0")/test-lib.sh"

export LC_ALL=C # bytewise sort and globs

DB=$STATE_REAL/db/db.sqlite
# Switches to the store under ROOT (the loops work on fresh copies).
use_store() {
        export FIRN_STORE=$1
        STORE_REAL=$FIRN_STORE/nix/store
        STATE_REAL=$FIRN_STORE/nix/var/nix
        DB=$STATE_REAL/db/db.sqlite
}
sql() { sqlite3 -cmd '.timeout 60000' "$DB" "$@"; }

# add_ref REFERRER REFERENCE: a reference the adds cannot make (they make
# no references), straight into the database.
add_ref() {
        sql "insert into Refs (referrer, reference) select a.id, b.id from ValidPaths a, ValidPaths b
             where a.path = '$1' and b.path = '$2'"
}

# Every path the database says is valid is on disk with its NAR hash
# (firn store dump | sha256sum against the database's "sha256:HEX").
consistent_by_dump() {
        local p h got
        while IFS='|' read -r p h; do
                got=sha256:$(firn store dump "$p" | sha256sum | cut -d' ' -f1)
                if [ "$got" != "$h" ]; then
                        echo "valid but damaged or missing: $p ($got, database says $h)"
                        return 1
                fi
        done < <(sql 'select path, hash from ValidPaths')
}

# The same in two processes, for the loops: every valid path exists, and
# firn store verify --check-contents re-hashes them all.
consistent() {
        local p
        while read -r p; do
                if [ ! -e "$FIRN_STORE$p" ] && [ ! -L "$FIRN_STORE$p" ]; then
                        echo "valid but missing: $p"
                        return 1
                fi
        done < <(sql 'select path from ValidPaths')
        firn store verify --check-contents
}

# The store directory holds exactly the given paths, and they are exactly
# the valid ones.
store_is() {
        local want got valid_now entries
        want=$(printf '%s\n' "${@##*/}" | sort)
        shopt -s dotglob nullglob
        entries=("$STORE_REAL"/*)
        shopt -u dotglob nullglob
        got=$(printf '%s\n' "${entries[@]##*/}")
        valid_now=$(sql "select substr(path, length('/nix/store/') + 1) from ValidPaths order by path")
        if [ "$want" != "$got" ] || [ "$want" != "$valid_now" ]; then
                printf 'store holds:\n%s\nvalid:\n%s\nexpected:\n%s\n' "$got" "$valid_now" "$want"
                return 1
        fi
}

valid() { [ -n "$(sql "select 1 from ValidPaths where path = '$1'")" ]; }
# Both live paths of the crash tests are valid.
live_valid() { [ "$(sql "select count(*) from ValidPaths where path in ('$pa', '$pb')")" = 2 ]; }

# ---- roots, liveness, printing ----

mkdir src
for n in a b d e f g; do echo "contents of $n" > "src/$n"; done
mkdir src/tree src/tree/sub
echo one > src/tree/sub/one
echo two > src/tree/two
chmod +x src/tree/two
pa=$(firn store add src/a)
pb=$(firn store add src/b)
pd=$(firn store add src/tree)
pe=$(firn store add src/e)
pf=$(firn store add src/f)
add_ref "$pa" "$pb"   # a -> b
add_ref "$pf" "$pe"   # f -> e
ln -s "$pa" "$STATE_REAL/gcroots/ra"
# ./result: an indirect root, registered through a gcroots/auto link.
ln -s "$pd" result
ln -s "$TEST_ROOT/result" "$STATE_REAL/gcroots/auto/result-link"

expect_eq "$(firn store gc --print-roots)" \
        "$TEST_ROOT/result -> $pd
$STATE_REAL/gcroots/ra -> $pa" "--print-roots shows LINK -> PATH, sorted"
expect_eq "$(firn store gc --print-live)" "$(printf '%s\n' "$pa" "$pb" "$pd" | sort)" "--print-live"
expect_eq "$(firn store gc --print-dead)" "$(printf '%s\n' "$pe" "$pf" | sort)" "--print-dead"
check "printing deleted nothing" store_is "$pa" "$pb" "$pd" "$pe" "$pf"

expect_fail "delete refuses a path a valid path refers to" firn store delete "$pe"
cp "$TEST_ROOT/.out" "$TEST_ROOT/delete.out"
check "... with Nix's message" grep -q "Cannot delete path '$pe' since it is still alive" "$TEST_ROOT/delete.out"
expect_fail "delete refuses a path a root keeps" firn store delete "$pb"
expect_fail "delete refuses a root" firn store delete "$pa"
expect_fail "delete refuses all when one is alive" firn store delete "$pf" "$pa"
check "... and deleted nothing" valid "$pf"
out=$(firn store delete "$pf" "$pe" 2>"$TEST_ROOT/err")
expect_eq "$out" "2 store paths deleted, 0.00 MiB freed" "delete of a dead referrer and its reference"
check "... says what it deletes" grep -qx "deleting '$pf'" "$TEST_ROOT/err"
check "... both gone" store_is "$pa" "$pb" "$pd"
expect_fail "delete of a non-store path" firn store delete /etc/passwd

pg=$(firn store add src/g)
out=$(firn store gc 2>"$TEST_ROOT/err")
expect_eq "$out" "1 store paths deleted, 0.00 MiB freed" "gc prints Nix's summary"
expect_eq "$(cat "$TEST_ROOT/err")" "deleting '$pg'" "gc says what it deletes"
check "gc keeps the live paths" store_is "$pa" "$pb" "$pd"
expect_eq "$(firn store gc)" "0 store paths deleted, 0.00 MiB freed" "a second gc finds nothing"

# The ./result link goes: its auto/ entry is stale, the tree is garbage.
rm result
firn store gc >/dev/null 2>"$TEST_ROOT/err"
check "gc removes a stale auto/ link" test ! -L "$STATE_REAL/gcroots/auto/result-link"
check "... and says so" grep -q "removing stale link from '$STATE_REAL/gcroots/auto/result-link'" "$TEST_ROOT/err"
check "... and deletes what it kept" store_is "$pa" "$pb"

# Roots in subdirectories and profiles; relative links.
mkdir -p "$STATE_REAL/gcroots/per-user/me"
pd=$(firn store add src/tree)
pg=$(firn store add src/g)
ln -s "$pd/sub/one" "$STATE_REAL/gcroots/per-user/me/deep"
ln -s "$pg" "$STATE_REAL/profiles/p-1-link"
ln -s p-1-link "$STATE_REAL/profiles/p"
firn store gc >/dev/null 2>&1
check "roots in subdirectories, into a path, and profiles" store_is "$pa" "$pb" "$pd" "$pg"

# --max-freed
for i in 1 2 3 4; do head -c 100000 /dev/urandom > "src/big$i"; done
firn store add src/big1 src/big2 src/big3 src/big4 >/dev/null
expect_eq "$(firn store gc --max-freed 0 2>/dev/null)" "0 store paths deleted, 0.00 MiB freed" "--max-freed 0"
expect_eq "$(firn store gc --max-freed 1 2>/dev/null)" "1 store paths deleted, 0.10 MiB freed" "--max-freed 1 deletes one path"
expect_eq "$(firn store gc --max-freed 150K 2>/dev/null)" "2 store paths deleted, 0.19 MiB freed" "--max-freed 150K deletes two"
expect_fail "--max-freed needs a number" firn store gc --max-freed lots
expect_eq "$(firn store gc 2>/dev/null)" "1 store paths deleted, 0.10 MiB freed" "the rest"
check "--max-freed left the live paths" store_is "$pa" "$pb" "$pd" "$pg"
check "the store is consistent (dump)" consistent_by_dump
rm -r "$STATE_REAL/gcroots/ra" "$STATE_REAL/gcroots/per-user" "$STATE_REAL/profiles/p-1-link" "$STATE_REAL/profiles/p"
firn store gc >/dev/null 2>&1
check "no roots, no paths" store_is

# ---- a failure and a crash at every step ----

# A store with live paths, dead paths (trees, a chain of references) and
# leftovers of an interrupted add.
ln -s "$TEST_ROOT/result" "$STATE_REAL/gcroots/auto/gone" # stale
pa=$(firn store add src/a)
pb=$(firn store add src/b)
ln -s "$pa" "$STATE_REAL/gcroots/live"
add_ref "$pa" "$pb"
mkdir -p src/dead
for i in 1 2 3; do
        mkdir -p "src/dead/t$i/sub"
        echo "tree $i" > "src/dead/t$i/file"
        echo "sub $i" > "src/dead/t$i/sub/x"
done
echo "a file" > src/dead/f
dead=$(firn store add src/dead/t1 src/dead/t2 src/dead/t3 src/dead/f)
set -- $dead
add_ref "$1" "$2"; add_ref "$2" "$3"; add_ref "$1" "$4"
mkdir -p "$STORE_REAL/.tmp-firn-999999-0"
echo half > "$STORE_REAL/.tmp-firn-999999-0/y"
mkdir "$STORE_REAL/00000000000000000000000000000000-unregistered"
cp -a "$FIRN_STORE" "$TEST_ROOT/template"

# A fresh copy of a template (default: the one above) as the store.
copies=0
restore() {
        copies=$((copies + 1))
        use_store "$TEST_ROOT/copy$copies"
        cp -a "${1:-$TEST_ROOT/template}" "$FIRN_STORE"
}

# The collection's own steps (opening the store, which every command does,
# makes its directories first: those steps are tested elsewhere).
steps=$(FIRN_FAULT_TRACE=1 firn store gc 2>&1 >/dev/null | awk '$1 == "firn-fault:" && $3 != "mkdir" { print $2 }')
check "a collection passes failure points ($(echo $steps | wc -w))" test "$(echo $steps | wc -w)" -gt 15
check "... and leaves only the live paths" store_is "$pa" "$pb"

bad_at=""
bad_kill=""
for n in $steps; do
        restore
        FIRN_FAULT_AT=$n firn store gc >/dev/null 2>&1
        if ! consistent >"$TEST_ROOT/why" 2>&1 || ! live_valid; then
                bad_at="$bad_at $n"; cat "$TEST_ROOT/why"
        fi
        if ! firn store gc >/dev/null 2>&1 || ! store_is "$pa" "$pb" >"$TEST_ROOT/why"; then
                bad_at="$bad_at $n(then)"; cat "$TEST_ROOT/why"
        fi

        restore
        FIRN_FAULT_KILL=$n firn store gc >/dev/null 2>&1
        if ! consistent >"$TEST_ROOT/why" 2>&1 || ! live_valid; then
                bad_kill="$bad_kill $n"; cat "$TEST_ROOT/why"
        fi
        if ! firn store gc >/dev/null 2>&1 || ! store_is "$pa" "$pb" >"$TEST_ROOT/why"; then
                bad_kill="$bad_kill $n(then)"; cat "$TEST_ROOT/why"
        fi
done
expect_eq "$bad_at" "" "a failure at any step of gc leaves a consistent store, and the next gc finishes"
expect_eq "$bad_kill" "" "a kill -9 at any step of gc leaves a consistent store, and the next gc finishes"

# kill -9 at random instants of a bigger collection.
restore
mkdir -p src/many
for i in $(seq 1 300); do echo "file $i" > "src/many/f$i"; done
firn store add src/many/* >/dev/null
cp -a "$FIRN_STORE" "$TEST_ROOT/template-big"
bad=""
for i in $(seq 1 8); do
        restore "$TEST_ROOT/template-big"
        "$FIRN" store gc >/dev/null 2>&1 &
        pid=$!
        sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        consistent >"$TEST_ROOT/why" 2>&1 && live_valid || { bad="$bad $i"; cat "$TEST_ROOT/why"; }
        firn store gc >/dev/null 2>&1 && store_is "$pa" "$pb" >"$TEST_ROOT/why" || { bad="$bad $i(then)"; cat "$TEST_ROOT/why"; }
done
expect_eq "$bad" "" "kill -9 at random instants of gc"

# ---- gc beside adds ----

# Rounds of adds of new files (and of one that is valid already) while
# collections run in a loop. The paths the adds will make are computed in a
# scratch store first and rooted in advance (a root to a path that is not
# valid yet protects nothing), so whatever an add registers stays, and must
# be there, intact, at the end.
restore
firn store gc >/dev/null 2>&1
mkdir -p "$STATE_REAL/gcroots/coming"
rounds=15
for i in $(seq 1 $rounds); do
        mkdir -p "src/c$i/tree"
        for j in 1 2 3 4 5; do echo "round $i file $j" > "src/c$i/f$j"; done
        echo "tree $i" > "src/c$i/tree/x"
done
FIRN_STORE=$TEST_ROOT/scratch "$FIRN" store add src/c*/* src/a | sort -u >"$TEST_ROOT/expected"
ln -s -t "$STATE_REAL/gcroots/coming" $(cat "$TEST_ROOT/expected")
(
        while [ ! -e "$TEST_ROOT/stop" ]; do
                "$FIRN" store gc >/dev/null 2>>"$TEST_ROOT/gc.log" || echo "gc failed" >>"$TEST_ROOT/gc.log"
                echo >>"$TEST_ROOT/gc.runs"
        done
) &
gc_loop=$!
add_failed=0
for i in $(seq 1 $rounds); do
        "$FIRN" store add src/c$i/* src/a >>"$TEST_ROOT/added" 2>>"$TEST_ROOT/add.log" || add_failed=$((add_failed + 1))
        # And garbage for the collections to delete meanwhile.
        echo "junk $i" > "src/junk$i"
        "$FIRN" store add "src/junk$i" >/dev/null 2>>"$TEST_ROOT/add.log" || add_failed=$((add_failed + 1))
done
touch "$TEST_ROOT/stop"
wait "$gc_loop"
expect_eq "$add_failed" 0 "every add beside a running gc succeeded"
check "no gc failed" sh -c "! grep -q 'gc failed' '$TEST_ROOT/gc.log'"
check "the collections ran ($(wc -l < "$TEST_ROOT/gc.runs") times) and deleted ($(grep -c '^deleting' "$TEST_ROOT/gc.log") paths)" grep -q '^deleting' "$TEST_ROOT/gc.log"
expect_eq "$(sort -u "$TEST_ROOT/added")" "$(cat "$TEST_ROOT/expected")" "the adds made the expected paths"
missing=""
while read -r p; do valid "$p" || missing="$missing $p"; done < "$TEST_ROOT/added"
expect_eq "$missing" "" "every path an add printed is valid"
check "the store is consistent after gc beside adds" consistent

finish
