#!/bin/bash
# The system's sw tree: builtin:buildenv with debianLayout = "1" (merged
# /usr, copied symlinks with absolute FHS targets, whole-directory links
# only for directories without escaping relative links, identical files
# that do not collide, collisions naming both packages), first on small
# packages made here, then modules/pkgs/sw.nix on Debian's systemd, bash,
# coreutils, util-linux, mawk, dash, libc-bin and base-files with their
# closure: the tree viewed as "/" (every relative link resolves inside it,
# /etc/os-release, /usr/lib/systemd/systemd), its ld.so.cache and its
# alternatives, and programs run from it in a chroot (as root, or in a user
# namespace; skipped when neither works). Needs apt's index and the .debs
# (apt's cache or `apt-get download`), as t1100 does.
. "$(dirname "$0")/test-lib.sh"

# build FILE [ATTR]: the output path on stdout, the log in .build-err.
build() { firn build --no-out-link ${2:+-A "$2"} "$1" 2>"$TEST_ROOT/.build-err"; }
ev() { firn eval -E "$1" | sed 's/^"//; s/"$//'; }
now() { date +%s.%N; }

# ---- debianLayout on small packages ------------------------------------------

mkdir -p pk/a/bin pk/a/lib pk/a/etc/foo.d pk/a/etc/skel pk/a/usr/lib pk/a/usr/share/a pk/a/usr/share/b \
        pk/a/var/lib/a pk/a/nix-support pk/b/usr/bin pk/b/usr/share/doc/b pk/b/sbin pk/b/etc/skel pk/c/usr/bin
echo a-x >pk/a/bin/x
echo same >pk/a/bin/same
echo dash >pk/a/bin/dash
ln -s dash pk/a/bin/sh                               # lands in the merged usr/bin
echo liba >pk/a/lib/liba.so
echo release >pk/a/usr/lib/os-release
ln -s ../usr/lib/os-release pk/a/etc/os-release      # leaves etc
echo conf >pk/a/etc/foo.conf
ln -s ../foo.conf pk/a/etc/foo.d/link                # leaves etc/foo.d
echo profile >pk/a/etc/skel/.profile
echo data >pk/a/usr/share/a/data
ln -s data pk/a/usr/share/a/inner                    # stays inside usr/share/a
ln -s ../a/data pk/a/usr/share/b/esc                 # leaves usr/share/b
ln -s /usr/lib/os-release pk/a/usr/share/b/abs       # absolute: kept
echo state >pk/a/var/lib/a/state
echo x >pk/a/nix-support/depends
echo b-y >pk/b/usr/bin/y
echo readme >pk/b/usr/share/doc/b/README              # so usr/share is merged
echo same >pk/b/usr/bin/same                         # identical to a's bin/same
echo tool >pk/b/sbin/tool
echo bashrc >pk/b/etc/skel/.bashrc
echo c-x >pk/c/usr/bin/x                             # differs from a's bin/x

denv() { # FILE DERIVATIONS
        cat >"$1" <<EOF
derivation {
  name = "$(basename "$1" .nix)"; builder = "builtin:buildenv"; system = "builtin";
  derivations = "$2"; debianLayout = "1";
}
EOF
}

denv env-ab.nix 'true 5 1 ${./pk/a} true 5 1 ${./pk/b}'
out=$(build env-ab.nix)
check "debianLayout builds" test -n "$out"
R=$(real "$out")
pa=$(firn store add pk/a)
pb=$(firn store add pk/b)
pc=$(firn store add pk/c)
expect_eq "$(readlink "$R/bin")" "usr/bin" "  bin -> usr/bin"
expect_eq "$(readlink "$R/sbin")" "usr/sbin" "  sbin -> usr/sbin"
expect_eq "$(readlink "$R/lib")" "usr/lib" "  lib -> usr/lib"
check "  no lib64 link without usr/lib64" test ! -e "$R/lib64" -a ! -L "$R/lib64"
check "  usr/bin merges a's bin and b's usr/bin" test -d "$R/usr/bin" -a ! -L "$R/usr/bin"
expect_eq "$(readlink "$R/usr/bin/x")" "$pa/bin/x" "  usr/bin/x is a's bin/x"
expect_eq "$(readlink "$R/usr/bin/y")" "$pb/usr/bin/y" "  usr/bin/y is b's"
check "  identical files do not collide (usr/bin/same is one of them)" \
        grep -qxE "($pa/bin|$pb/usr/bin)/same" <<<"$(readlink "$R/usr/bin/same")"
expect_eq "$(readlink "$R/usr/bin/sh")" "/usr/bin/dash" "  bin/sh -> dash is copied as /usr/bin/dash"
expect_eq "$(readlink "$R/usr/sbin")" "$pb/sbin" "  usr/sbin, only b's sbin, is one link"
check "  usr/lib merges a's lib and usr/lib" test -d "$R/usr/lib" -a ! -L "$R/usr/lib"
expect_eq "$(readlink "$R/usr/lib/liba.so")" "$pa/lib/liba.so" "  usr/lib/liba.so is a's lib/liba.so"
expect_eq "$(readlink "$R/etc/os-release")" "/usr/lib/os-release" \
        "  etc/os-release -> ../usr/lib/os-release becomes /usr/lib/os-release"
check "  etc/foo.d, holding an escaping link, is a real directory" test -d "$R/etc/foo.d" -a ! -L "$R/etc/foo.d"
expect_eq "$(readlink "$R/etc/foo.d/link")" "/etc/foo.conf" "  etc/foo.d/link -> ../foo.conf becomes /etc/foo.conf"
expect_eq "$(readlink "$R/usr/share/a")" "$pa/usr/share/a" "  usr/share/a, whose link stays inside, is one link"
expect_eq "$(readlink "$R/usr/share/b/esc")" "/usr/share/a/data" "  usr/share/b/esc -> ../a/data becomes /usr/share/a/data"
expect_eq "$(readlink "$R/usr/share/b/abs")" "/usr/lib/os-release" "  an absolute link is copied as it is"
expect_eq "$(readlink "$R/etc/skel/.profile")" "$pa/etc/skel/.profile" "  dotfiles are kept (etc/skel/.profile)"
expect_eq "$(readlink "$R/etc/skel/.bashrc")" "$pb/etc/skel/.bashrc" "  … and etc/skel/.bashrc"
expect_eq "$(ls "$R" | tr '\n' ' ')" "bin etc lib sbin usr " "  only usr and etc are taken (no var, no nix-support)"
expect_eq "$(firn store query --references "$out" | sort | tr '\n' ' ')" \
        "$(printf '%s\n' "$pa" "$pb" | sort | tr '\n' ' ')" "  the packages are its references"

denv env-ac.nix 'true 5 1 ${./pk/a} true 5 1 ${./pk/c}'
collide_out=$(ev "(import ./env-ac.nix).outPath")
expect_fail "different files at one place with equal priorities collide" build env-ac.nix
check "  naming both packages' files and the place" \
        grep -qF "collision between '$pa/bin/x' and '$pc/usr/bin/x' at '/usr/bin/x'" .build-err
expect_fail "  nothing is valid" firn store query --valid "$collide_out"
denv env-ac3.nix 'true 5 1 ${./pk/a} true 3 1 ${./pk/c}'
out=$(build env-ac3.nix)
expect_eq "$(readlink "$(real "$out")/usr/bin/x")" "$pc/usr/bin/x" "  a smaller priority number wins"

# A tree that linked a package's directory whole (etc/only) meeting a real
# directory of the same name: both sides' files are kept (the generation's
# etc is the generated files over sw's etc).
mkdir -p pk/d/etc/only pk/e/etc/only pk/f/etc
echo new >pk/d/etc/only/new
echo x >pk/e/etc/only/x
echo e >pk/e/etc/e.conf
echo f >pk/f/etc/f.conf
denv env-ef.nix 'true 5 1 ${./pk/e} true 5 1 ${./pk/f}'
cat >env-d-ef.nix <<'EOF'
derivation {
  name = "env-d-ef"; builder = "builtin:buildenv"; system = "builtin"; debianLayout = "1";
  derivations = "true 0 1 ${./pk/d} true 10 1 ${import ./env-ef.nix}";
}
EOF
out=$(build env-d-ef.nix)
R=$(real "$out")
check "a directory linked whole meets a real one: both merge" test -d "$R/etc/only" -a ! -L "$R/etc/only"
expect_eq "$(ls "$R/etc/only" | tr '\n' ' ')" "new x " "  the files of both are there"
expect_eq "$(cat "$(real "$(readlink "$R/etc/only/new")")")" "new" "  etc/only/new is d's"

# ---- the sw of a systemd system ------------------------------------------------

cat >sw.nix <<'EOF'
let pkgs = import <firn/pkgs> { }; in
import <firn/pkgs/sw.nix> { inherit pkgs; } {
  packages = with pkgs; [ systemd bash coreutils util-linux mawk dash libc-bin base-files ];
}
EOF
t0=$(now)
sw=$(build sw.nix)
t1=$(now)
check "the sw builds" test -n "$sw"
[ -n "$sw" ] || sed 's/^/    /' .build-err
S=$(real "$sw")
expect_eq "$(ev '(import ./sw.nix).name')" "system-path" "  named system-path"
echo "# sw: $(echo "$t1 - $t0" | bc) s with fetching and unpacking; $(ev 'toString (builtins.length (import ./sw.nix).closure)') packages"

# view PATH: the host path of PATH in the tree seen as "/" (the store at
# /nix/store), resolving symlinks as the kernel would; fails when a
# component is missing.
view() {
        local rest=$1 done= comp t links=0 h
        while :; do
                rest=${rest#"${rest%%[!/]*}"}
                [ -n "$rest" ] || break
                comp=${rest%%/*}
                if [ "$comp" = "$rest" ]; then rest=; else rest=${rest#*/}; fi
                case $comp in
                .) continue ;;
                ..) done=${done%/*}; continue ;;
                esac
                case $done/$comp in /nix | /nix/store | /nix/store/*) h=$FIRN_STORE$done/$comp ;; *) h=$S$done/$comp ;; esac
                if [ -L "$h" ]; then
                        links=$((links + 1))
                        [ "$links" -le 40 ] || return 1
                        t=$(readlink "$h")
                        case $t in /*) done= ;; esac
                        rest=$t/$rest
                elif [ -e "$h" ]; then
                        done=$done/$comp
                else
                        return 1
                fi
        done
        case $done in /nix | /nix/store | /nix/store/*) echo "$FIRN_STORE$done" ;; *) echo "$S$done" ;; esac
}

expect_eq "$(readlink "$S/bin")" "usr/bin" "  bin -> usr/bin"
expect_eq "$(readlink "$S/lib64")" "usr/lib64" "  lib64 -> usr/lib64"
f=$(view /usr/lib/systemd/systemd)
check "  /usr/lib/systemd/systemd (lib/systemd/systemd in the package) is an executable" test -x "$f" -a -f "$f"
check "  /bin/bash resolves" test -f "$(view /bin/bash)"
check "  /lib64/ld-linux-x86-64.so.2 resolves" test -f "$(view /lib64/ld-linux-x86-64.so.2)"
expect_eq "$(readlink "$S/etc/os-release")" "/usr/lib/os-release" "  etc/os-release -> /usr/lib/os-release"
check "  /etc/os-release resolves in the tree" grep -q bookworm "$(view /etc/os-release)"
expect_eq "$(readlink "$S/usr/bin/sh")" "/usr/bin/dash" "  usr/bin/sh -> /usr/bin/dash"
expect_eq "$(readlink "$S/usr/bin/awk")" "/usr/bin/mawk" "  usr/bin/awk -> /usr/bin/mawk (the alternative)"
check "  /usr/bin/awk resolves to mawk's program" \
        test "$(view /usr/bin/awk)" = "$(real "$(ev '(import <firn/pkgs> { }).mawk.outPath')")/usr/bin/mawk"

# Every symlink of the tree, with those inside directories it links whole:
# "PATH-IN-TREE<TAB>TARGET".
{
        (cd "$S" && find . -type l -printf '/%P\t%l\n')
        (cd "$S" && find . -type l -lname '/nix/store/*' -printf '/%P\t%l\n') | while IFS=$'\t' read -r p t; do
                [ -d "$FIRN_STORE$t" ] || continue
                (cd "$FIRN_STORE$t" && find . -type l -printf '%P\t%l\n') | while IFS= read -r l; do
                        printf '%s/%s\n' "$p" "$l"
                done
        done
} >links
bad=$(grep -v $'\t/' links | while IFS=$'\t' read -r p t; do
        view "$p" >/dev/null || echo "$p -> $t"
done)
expect_eq "$bad" "" "  every relative symlink resolves inside the tree ($(grep -vc $'\t/' links) of $(wc -l <links))"
check "  (the walk saw relative links inside directories linked whole)" \
        grep -qvE $'^/(bin|sbin|lib|lib64)\t' <(grep -v $'\t/' links)

# ld.so.cache
ldconfig=$(real "$(ev '(import <firn/pkgs> { }).libc-bin.outPath')")/sbin/ldconfig
cache=$(view /etc/ld.so.cache)
check "  /etc/ld.so.cache resolves" test -f "$cache"
"$ldconfig" -p -C "$cache" >cache.txt 2>&1
check "  the cache maps libc.so.6 to a store path" grep -qE '^[[:space:]]*libc\.so\.6 .*=> /nix/store/[^/]*-libc6-' cache.txt
check "  … and libsystemd.so.0" grep -qE '^[[:space:]]*libsystemd\.so\.0 .*=> /nix/store/' cache.txt
check "  the store entry of libc.so.6 comes first" \
        sh -c "grep -E '^[[:space:]]*libc\.so\.6 ' cache.txt | head -1 | grep -q '=> /nix/store/'"

# alternatives
alts=$(real "$(ev '(import ./sw.nix).alternatives.outPath')")/nix-support/alternatives
check "  the alternatives report lists awk" grep -qx '/usr/bin/awk /usr/bin/mawk awk 5' "$alts"
check "  … nawk (a slave)" grep -qx '/usr/bin/nawk /usr/bin/mawk awk -' "$alts"
check "  … pager -> more (util-linux's /bin/more)" grep -qx '/usr/bin/pager /usr/bin/more pager 50' "$alts"
check "  … which -> which.debianutils" grep -qx '/usr/bin/which /usr/bin/which.debianutils which 0' "$alts"
alts_resolve() {
        local l
        while read -r l _; do view "$l" >/dev/null || { echo "$l does not resolve"; return 1; }; done <"$alts"
}
check "  … and every alternative resolves in the tree ($(wc -l <"$alts") links)" alts_resolve

# The same derivation built again gives the same tree.
find "$S" -printf '%P %y %l\n' | LC_ALL=C sort >tree1
firn store delete "$sw" >/dev/null 2>&1
t2=$(now)
sw2=$(build sw.nix)
t3=$(now)
find "$S" -printf '%P %y %l\n' | LC_ALL=C sort >tree2
check "  rebuilt, it is the same tree" cmp -s tree1 tree2
echo "# sw: rebuilt in $(echo "$t3 - $t2" | bc) s (the packages, ld.so.cache and alternatives were built); $(wc -l <tree1) entries"

# Programs run from the tree, in a chroot whose / is the tree: the store's
# root gets /usr, /etc, /bin… links (so /nix/store is the store).
if [ "$(id -u)" = 0 ]; then inview() { chroot "$FIRN_STORE" "$@"; }
elif unshare -r true 2>/dev/null; then inview() { unshare -r chroot "$FIRN_STORE" "$@"; }
else inview() { return 77; }
fi
ln -s "$sw/usr" "$FIRN_STORE/usr"
ln -s "$sw/etc" "$FIRN_STORE/etc"
for d in bin sbin lib lib64; do ln -s "usr/$d" "$FIRN_STORE/$d"; done
o=$(inview /usr/bin/env -i /usr/bin/bash -c 'echo ok' 2>&1)
if [ $? = 77 ]; then
        echo "# no chroot (not root, no user namespaces): skipping the programs run in the tree"
else
        expect_eq "$o" "ok" "in the tree: env -i /usr/bin/bash -c 'echo ok'"
        uses_cache() {
                inview /usr/bin/env -i LD_DEBUG=libs /bin/bash -c true 2>&1 |
                        grep -A1 'find library=libtinfo.so.6' | grep -q 'search cache=/etc/ld.so.cache' &&
                inview /usr/bin/env -i LD_DEBUG=libs /bin/bash -c true 2>&1 |
                        grep -q 'trying file=/nix/store/[^/]*-libtinfo6-.*/libtinfo.so.6'
        }
        check "  bash finds its libraries through /etc/ld.so.cache, as store paths" uses_cache
        expect_eq "$(inview /usr/bin/env -i /usr/bin/awk 'BEGIN { print 6 * 7 }' 2>&1)" "42" "  awk runs (mawk)"
        expect_eq "$(inview /usr/bin/env -i /bin/sh -c 'echo from sh' 2>&1)" "from sh" "  /bin/sh runs (dash)"
        expect_eq "$(inview /usr/bin/env -i /usr/lib/systemd/systemd --version 2>&1 | head -1 | cut -d' ' -f1,2)" \
                "systemd 252" "  systemd runs (libsystemd-shared by its RUNPATH)"
fi
rm -f "$FIRN_STORE/usr" "$FIRN_STORE/etc" "$FIRN_STORE/bin" "$FIRN_STORE/sbin" "$FIRN_STORE/lib" "$FIRN_STORE/lib64"

finish
