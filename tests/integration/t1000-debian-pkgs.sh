#!/bin/bash
# Debian packages as derivations, end to end: resolution, firn.lock,
# builtin:fetch-deb and builtin:unpack-deb, dependency cycles, and every
# error the issue names. First on a small archive made here (packages built
# with dpkg-deb, lists written with their SHA256, a fake apt-get that serves
# them: no network, exact answers), then on the real index: Debian's hello
# builds and runs, and for 30 packages every resolved dependency is in the
# package's store closure.
. "$(dirname "$0")/test-lib.sh"

POOL=$TEST_ROOT/pool
LISTS=$TEST_ROOT/lists
mkdir -p "$POOL" "$LISTS" work
cd work || exit 1

# mkdeb NAME VERSION [FIELD: VALUE]...: a package with one script
# usr/bin/NAME printing "NAME VERSION", and its paragraph in $TEST_ROOT/paragraphs.
mkdeb() {
        local name=$1 version=$2 dir=$TEST_ROOT/src/$1-$2
        shift 2
        mkdir -p "$dir/DEBIAN" "$dir/usr/bin"
        {
                echo "Package: $name"
                echo "Version: $version"
                echo "Architecture: amd64"
                echo "Maintainer: firn tests <tests@example.org>"
                for f in "$@"; do echo "$f"; done
                echo "Description: $name for firn's tests"
        } >"$dir/DEBIAN/control"
        printf '#!/bin/sh\necho %s %s\n' "$name" "$version" >"$dir/usr/bin/$name"
        chmod 755 "$dir/usr/bin/$name"
        dpkg-deb --root-owner-group -Zxz -b "$dir" "$POOL/${name}_${version}_amd64.deb" >/dev/null
        paragraph "$name" "$version" "$@"
}

# paragraph NAME VERSION FIELDS...: the index paragraph of a pool file.
paragraph() {
        local name=$1 version=$2 deb=$POOL/${1}_${2}_amd64.deb
        shift 2
        {
                echo "Package: $name"
                echo "Version: $version"
                echo "Architecture: amd64"
                for f in "$@"; do echo "$f"; done
                echo "Filename: pool/main/${name}_${version}_amd64.deb"
                echo "Size: $(stat -c %s "$deb")"
                echo "SHA256: $(sha256sum "$deb" | cut -d' ' -f1)"
                echo "Description: $name for firn's tests"
                echo
        } >>"$TEST_ROOT/paragraphs"
}

write_lists() {
        cp "$TEST_ROOT/paragraphs" "$LISTS/example.org_debian_dists_bookworm_main_binary-amd64_Packages"
}

mkdeb tool 1.0 "Depends: libfoo (>= 1.0), mail-agent | bar" "Priority: optional"
# a setuid file, recorded in nix-support/deb/tool/permissions
d=$TEST_ROOT/src/tool-1.0
cp "$d/usr/bin/tool" "$d/usr/bin/tool-suid" && chmod 4755 "$d/usr/bin/tool-suid"
dpkg-deb --root-owner-group -Zxz -b "$d" "$POOL/tool_1.0_amd64.deb" >/dev/null
: >"$TEST_ROOT/paragraphs"
paragraph tool 1.0 "Depends: libfoo (>= 1.0), mail-agent | bar" "Priority: optional"
mkdeb libfoo 1.2 "Depends: libbar"
mkdeb libbar 1.0 "Depends: libfoo (>= 1.0)"
mkdeb postfixish 1.0 "Provides: mail-agent" "Conflicts: mail-agent" "Priority: important"
mkdeb eximish 1.0 "Provides: mail-agent" "Conflicts: mail-agent" "Priority: optional"
mkdeb bar 1.0
mkdeb broken 1.0 "Depends: missing-thing | libfoo (>= 5)"
mkdeb hello 2.0
mkdeb mergeuser 1.0 "Depends: usrmerge | usr-is-merged"
mkdeb usrmerge 1.0
mkdeb usr-is-merged 1.0
# corrupt: its SHA256 is right, its contents are not a .deb
head -c 3000 /dev/urandom >"$POOL/corrupt_1.0_amd64.deb"
paragraph corrupt 1.0
write_lists

cat >"$TEST_ROOT/fake-apt-get" <<'EOF'
#!/bin/sh
# apt-get -q download NAME=VERSION, from $POOL; FAKE_APT_MODE=truncate|fail
spec=$3
file=$POOL/$(echo "$spec" | sed 's/=/_/')_amd64.deb
case "${FAKE_APT_MODE:-}" in
fail) echo "E: Can't find a source to download version '${spec#*=}' of '${spec%=*}'" >&2; exit 100 ;;
truncate) head -c 500 "$file" >"$(basename "$file")"; exit 0 ;;
esac
cp "$file" .
EOF
chmod +x "$TEST_ROOT/fake-apt-get"
export POOL FIRN_APT_LISTS=$LISTS FIRN_APT_GET=$TEST_ROOT/fake-apt-get

# --- resolution ------------------------------------------------------------------
firn pkgs resolve tool >resolved.txt 2>&1
expect_eq "$(awk '{ print $1 }' resolved.txt | tr '\n' ' ')" "tool libfoo libbar postfixish " \
        "resolve: depth first; the virtual mail-agent goes to its important provider"
firn pkgs why libbar tool >why.txt 2>&1
check "why: the chain tool → libfoo → libbar" grep -q '^    libbar 1.0  (Depends: "libbar" of libfoo' why.txt
firn pkgs why postfixish tool >why2.txt 2>&1
check "why: the choice of a provider is explained" grep -q 'mail-agent is virtual; provided by postfixish' why2.txt
expect_eq "$(firn pkgs resolve mergeuser 2>&1 | awk '{ print $1 }' | tr '\n' ' ')" "mergeuser usrmerge " \
        "pkgs resolve takes apt's first alternative, usrmerge"
expect_eq "$(firn eval --json -E '(import <firn/pkgs> { }).mergeuser.passthru.debian.depends' 2>&1)" '["usr-is-merged"]' \
        "the package set prefers usr-is-merged (firn's /usr is merged): no usrmerge, no perl"

expect_fail "an unsatisfiable dependency fails" firn eval -E '(import <firn/pkgs> { }).broken.drvPath'
firn eval -E '(import <firn/pkgs> { }).broken.drvPath' >err.txt 2>&1
check "… naming the group, the package and why each alternative fails" \
        grep -q "unsatisfiable dependency of broken 1.0: Depends: missing-thing | libfoo (>= 5) (there is no package missing-thing; libfoo's version is 1.2)" err.txt
firn eval -E '(import <firn/pkgs> { }).tol' >err2.txt 2>&1
check "an unknown name gets a suggestion" grep -q 'Did you mean.*tool' err2.txt

# --- the lock ----------------------------------------------------------------------
firn eval -E '(import <firn/pkgs> { }).tool.drvPath' >/dev/null 2>&1
check "firn eval never writes the lock" test ! -e firn.lock
firn lock -E 'with import <firn/pkgs> { }; [ tool ]' >lock.txt 2>&1
check "firn lock writes ./firn.lock" test -s firn.lock
expect_eq "$(jq -r '.packages | keys | join(" ")' firn.lock)" "libbar libfoo postfixish tool" "the lock holds the closure"
expect_eq "$(jq -r '[.packages | to_entries[] | select(.value.requested) | .key] | join(" ")' firn.lock)" "tool" \
        "only what was asked for by name is requested"
expect_eq "$(jq -r '.packages.tool.depends | join(" ")' firn.lock)" "libfoo postfixish" "depends as resolved"
firn lock -E 'with import <firn/pkgs> { }; [ tool ]' >lock2.txt 2>&1
check "locking again changes nothing" grep -q 'up to date' lock2.txt
firn pkgs why libbar >why3.txt 2>&1
expect_eq "$(awk '{ print $1 }' why3.txt | tr '\n' ' ')" "tool libfoo libbar " "why NAME: the chain in firn.lock from a requested package"
firn pkgs show tool >show.txt 2>&1
expect_eq "$(awk '$1 == "Resolved:" { $1 = ""; print substr($0, 2) }' show.txt)" "libfoo (1.2) postfixish (1.0)" \
        "show: the dependencies as resolved"
expect_eq "$(awk '$1 == "Store" { print $3 }' show.txt)" \
        "$(firn eval -E 'with import <firn/pkgs> { }; tool.outPath' | tr -d '"')" "show: the store path of pkgs.NAME"
cp firn.lock before.lock
expect_fail "--locked: a package the lock lacks is an error" firn lock --locked -E 'with import <firn/pkgs> { }; [ bar ]'
firn lock --locked -E 'with import <firn/pkgs> { }; [ bar ]' >err3.txt 2>&1
check "… naming the package" grep -q "package 'bar' is not in the lock file" err3.txt
expect_fail "locking a broken package fails" firn lock -E 'with import <firn/pkgs> { }; [ broken ]'
check "… and leaves the lock as it was" cmp -s firn.lock before.lock

# --- cycles --------------------------------------------------------------------------
expect_eq "$(firn eval -E 'with import <firn/pkgs> { }; libfoo.outPath == libbar.outPath')" "true" \
        "a dependency cycle is one store path, named by every member"
expect_eq "$(firn eval -E 'with import <firn/pkgs> { }; libfoo.name')" '"libbar-1.0"' \
        "… named after its first member"

# --- building ------------------------------------------------------------------------
firn build -E 'with import <firn/pkgs> { }; tool' >build.txt 2>&1
check "tool builds" test -L result
out=$(readlink result)
expect_eq "$("$(real "$out")/usr/bin/tool")" "tool 1.0" "the unpacked file runs"
expect_eq "$(stat -c %a "$(real "$out")/usr/bin/tool-suid")" "555" "a setuid file is canonicalised in the store"
expect_eq "$(cat "$(real "$out")/nix-support/deb/tool/permissions")" "4755 root root /usr/bin/tool-suid" \
        "… and its mode recorded"
check "the control file is kept" grep -q '^Package: tool' "$(real "$out")/nix-support/deb/tool/control"
foo=$(firn eval -E 'with import <firn/pkgs> { }; libfoo.outPath' | tr -d '"')
mail=$(firn eval -E 'with import <firn/pkgs> { }; postfixish.outPath' | tr -d '"')
expect_eq "$(cat "$(real "$out")/nix-support/depends" | tr '\n' ' ')" "$(printf '%s\n' "$foo" "$mail" | sort | tr '\n' ' ')" \
        "nix-support/depends lists the dependencies' store paths"
firn store query --requisites "$out" >req.txt 2>&1
check "the store closure holds the dependency component" grep -qx "$foo" req.txt
check "… and the chosen provider" grep -qx "$mail" req.txt
check "the component holds both members' files" test -x "$(real "$foo")/usr/bin/libbar" -a -x "$(real "$foo")/usr/bin/libfoo"

# --- conflicts -----------------------------------------------------------------------
expr='let db = builtins.__firnDebian; in db.checkConflicts (db.open null) [ "postfixish" "eximish" ]'
expect_fail "two packages that conflict are refused together" firn eval -E "$expr"
firn eval -E "$expr" >err4.txt 2>&1
check "… naming both and the relation" grep -q 'packages postfixish 1.0 and eximish 1.0 cannot be installed together: postfixish Conflicts: mail-agent' err4.txt
expect_eq "$(firn eval -E 'let db = builtins.__firnDebian; in db.checkConflicts (db.open null) [ "tool" "bar" ]')" "true" \
        "packages without conflicts pass"

# --- fetch and unpack errors: nothing registered ---------------------------------------
valid() { firn store query --hash "$1" >/dev/null 2>&1; }
bar_deb=$(firn eval -E 'with import <firn/pkgs> { }; builtins.head bar.debs' 2>/dev/null | tr -d '"')
bar_out=$(firn eval -E 'with import <firn/pkgs> { }; bar.outPath' | tr -d '"')
FAKE_APT_MODE=truncate firn build -E 'with import <firn/pkgs> { }; bar' --no-out-link >err5.txt 2>&1
check "a truncated download fails on its hash" grep -q 'hash mismatch' err5.txt
expect_fail "… and registers nothing" valid "$bar_deb"
check "… and leaves nothing in the store" test ! -e "$(real "$bar_deb")"
FAKE_APT_MODE=fail firn build -E 'with import <firn/pkgs> { }; bar' --no-out-link >err6.txt 2>&1
check "a version gone from the archive is named" grep -q 'version 1.0 of bar may no longer be in the archive' err6.txt
jq '.packages.tool.sha256 = "0000000000000000000000000000000000000000000000000000000000000000"' before.lock >bad.lock
expect_fail "a sha256 that does not match fails" \
        firn build -E 'with import <firn/pkgs> { lock = ./bad.lock; }; tool' --store "$TEST_ROOT/store2" --no-out-link
corrupt=$(firn eval -E 'with import <firn/pkgs> { }; corrupt.outPath' | tr -d '"')
firn build -E 'with import <firn/pkgs> { }; corrupt' --no-out-link >err7.txt 2>&1
check "a corrupt .deb fails with a message naming it" grep -q 'corrupt_1.0_amd64.deb' err7.txt
expect_fail "… and its unpacked path is not registered" valid "$corrupt"
check "… nor left in the store" test ! -e "$(real "$corrupt")"
check "bar builds once the archive serves it" firn build -E 'with import <firn/pkgs> { }; bar' --no-out-link

# --- firn lock --update -------------------------------------------------------------------
firn lock -E 'with import <firn/pkgs> { }; [ hello ]' >/dev/null 2>&1
mkdeb hello 2.1
write_lists
firn lock --update hello >update.txt 2>&1
check "--update NAME moves it and says how" grep -qx 'hello 2.0 → 2.1' update.txt
expect_eq "$(jq -r .packages.hello.version firn.lock)" "2.1" "… in the lock"
firn lock --update >update2.txt 2>&1
check "--update with nothing new says so" grep -qx 'no changes' update2.txt

# --- the real index -------------------------------------------------------------------------
unset FIRN_APT_LISTS FIRN_APT_GET
cd "$TEST_ROOT" && mkdir real && cd real || exit 1
if ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
        firn build -E 'with import <firn/pkgs> { }; hello' >hello.txt 2>&1
        expect_eq "$("$(real "$(readlink result)")/usr/bin/hello" 2>&1)" "Hello, world!" "Debian's hello builds and runs"
        libc=$(firn eval -E 'with import <firn/pkgs> { }; libc6.outPath' | tr -d '"')
        firn store query --requisites "$(readlink result)" >req2.txt 2>&1
        check "… with libc6 in its closure" grep -qx "$libc" req2.txt
        # Every resolved dependency of each package is in its store closure
        # (through the derivations' depends: evaluation only).
        cat >closure.nix <<'EOF'
let
  pkgs = import <firn/pkgs> { };
  db = builtins.__firnDebian;
  s = db.open null;
  names = [ "systemd" "openssh-server" "nginx" "python3" "linux-image-amd64" "apache2" "postgresql" "bash"
            "coreutils" "util-linux" "udev" "dbus" "network-manager" "sudo" "vim" "curl" "wget" "git" "gcc"
            "make" "perl" "cron" "rsyslog" "iproute2" "ifupdown" "kmod" "procps" "login" "passwd" "emacs-nox" ];
  resolved = n: map (x: x.key) (builtins.genericClosure {
    startSet = [ { key = n; } ];
    operator = x: map (d: { key = d; }) (db.info s x.key).depends;
  });
  stored = p: map (x: x.key) (builtins.genericClosure {
    startSet = [ { key = p.outPath; d = p; } ];
    operator = x: map (d: { key = d.outPath; inherit d; }) x.d.depends;
  });
  missing = n: let have = stored pkgs.${n}; in
    builtins.filter (m: !(builtins.elem pkgs.${m}.outPath have)) (resolved n);
in builtins.filter (x: x.missing != [ ]) (map (n: { name = n; missing = missing n; }) names)
EOF
        expect_eq "$(firn eval --strict --json closure.nix 2>&1)" "[]" \
                "30 packages: every resolved dependency is in the store closure"
else
        fail "apt's lists are missing (run apt-get update)"
fi

finish
