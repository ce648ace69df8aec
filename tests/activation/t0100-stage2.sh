#!/bin/bash
# Stage 2 (firn-activate) on fake generations under --root:
#   1. gen1 on an empty root: every step's result;
#   2. runtime changes (passwd, sysusers, a foreign user, admin files), then
#      gen2: stale links removed, numbers stable and never reused, hashes
#      kept, machine-id kept; then back to gen1;
#   3. crash safety: gen1 -> gen2 killed (SIGKILL) and failed (EIO) at every
#      failure point in turn: /etc/passwd is always the old or the new file,
#      and a rerun always reaches the clean result;
#   4. confinement: symlinks planted in the root never lead writes out of it;
#   5. an invalid activation.json leaves the accounts alone;
#   6. the boot path: TOPLEVEL/init in a chroot with a private mount
#      namespace mounts the API file systems and execs (a fake) systemd.
# Needs root (chown, chroot, mounts).
if [ "$(id -u)" != 0 ]; then
        echo "skipped: needs root"
        exit 77
fi
# Everything runs in a private mount namespace on a tmpfs: the fsyncs of the
# account files cost nothing there (the crash loop runs hundreds of
# activations), and no mount can leak to the host.
if [ -z "${FIRN_TEST_PRIVATE:-}" ] && command -v unshare >/dev/null; then
        exec unshare -m --propagation private env FIRN_TEST_PRIVATE=1 "$0" "$@"
fi
. "$(dirname "$0")/../integration/test-lib.sh"
if [ -n "${FIRN_TEST_PRIVATE:-}" ] && mount -t tmpfs -o mode=0755 tmpfs "$TEST_ROOT"; then
        cd "$TEST_ROOT"
        trap 'cd /; umount -l "$TEST_ROOT"; rmdir "$TEST_ROOT"' EXIT
fi

FA=${FIRN_ACTIVATE:-$(cd "$(dirname "$0")/../.." && pwd)/build/activation/stage-2/firn-activate}

ROOT=$TEST_ROOT/root
STORE=$ROOT/nix/store
activate() { "$FA" --root "$ROOT" "$@" >"$TEST_ROOT/log" 2>&1; }

# ---------------------------------------------------------------------------
# A fake store: a system path with a working cat (for chroot checks), a
# program for the wrappers, and two generations.

SW=$STORE/sw-base
mkdir -p "$SW/usr/bin" "$SW/usr/sbin" "$SW/usr/lib/x86_64-linux-gnu" "$SW/usr/lib64" "$SW/usr/lib/systemd"
cp -L /bin/cat /bin/true "$SW/usr/bin/"
cp -L /lib/x86_64-linux-gnu/libc.so.6 "$SW/usr/lib/x86_64-linux-gnu/"
cp -L /lib64/ld-linux-x86-64.so.2 "$SW/usr/lib64/"
cp -L /bin/cat "$SW/usr/lib/systemd/systemd" # the fake systemd echoes its stdin
echo 'PRETTY_NAME="firn test"' >"$SW/usr/lib/os-release"
mkdir -p "$STORE/fa/bin" && cp "$FA" "$STORE/fa/bin/firn-activate"
ln -s /nix/store/fa/bin/firn-activate "$SW/usr/sbin/init"
mkdir -p "$STORE/pam/etc/pam.d"
echo "auth gen1" >"$STORE/pam/etc/pam.d/login"
echo "auth sshd" >"$STORE/pam/etc/pam.d/sshd"

# gen NAME: an empty generation NAME with sw, init and etc/.
gen() {
        mkdir -p "$STORE/$1/etc"
        ln -s /nix/store/sw-base "$STORE/$1/sw"
        ln -s /nix/store/fa/bin/firn-activate "$STORE/$1/init"
}

G1=$STORE/gen1
gen gen1
E=$G1/etc
mkdir -p "$E/ssh" "$E/systemd/system/multi-user.target.wants" "$E/oldstuff" "$E/many"
echo "127.0.0.1 gen1" >"$E/hosts"
echo "gen1 issue" >"$E/issue"
echo "root ALL=(ALL) ALL # gen1" >"$E/sudoers"
echo "Port 22" >"$E/ssh/sshd_config"
echo "moduli" >"$E/ssh/moduli"
echo "hostkey" >"$E/ssh/ssh_host_key"
printf '[Service]\nExecStart=/bin/true\n' >"$E/systemd/system/foo.service"
ln -s /etc/systemd/system/foo.service "$E/systemd/system/multi-user.target.wants/foo.service"
echo a >"$E/oldstuff/a"
ln -s /nix/store/pam/etc/pam.d "$E/pam.d"
ln -s /nix/store/sw-base/usr/lib/os-release "$E/os-release"
ln -s /usr/share/zoneinfo/Europe/Berlin "$E/localtime" # mode direct-symlink
echo "bogus" >"$E/passwd" # reserved: must be ignored
for i in $(seq -w 1 90); do echo "file $i" >"$E/many/f$i"; done
cat >"$G1/activation.json" <<'EOF'
{
  "version": 1,
  "defaultUnit": "multi-user.target",
  "etc": {
    "sudoers": { "mode": "0440" },
    "localtime": { "mode": "direct-symlink" },
    "ssh/ssh_host_key": { "mode": "0600", "user": "sshd", "group": "root" }
  },
  "groups": [
    { "name": "root", "gid": 0 }, { "name": "tty", "gid": 5 }, { "name": "shadow", "gid": 42 },
    { "name": "users", "gid": 100 }, { "name": "wheel", "gid": null, "members": ["alice"] },
    { "name": "nogroup", "gid": 65534 }
  ],
  "users": [
    { "name": "root", "uid": 0, "group": "root", "description": "System administrator",
      "home": "/root", "shell": "/bin/sh", "isSystemUser": true, "hashedPassword": null, "createHome": false },
    { "name": "alice", "uid": null, "group": "users", "description": "Alice", "home": "/home/alice",
      "shell": "/bin/sh", "isSystemUser": false, "hashedPassword": "$6$alice$hash", "createHome": true },
    { "name": "bob", "uid": null, "group": "users", "home": "/home/bob", "shell": "/bin/sh",
      "hashedPassword": null, "createHome": true },
    { "name": "sshd", "uid": null, "group": "nogroup", "isSystemUser": true }
  ],
  "wrappers": [
    { "name": "ping", "source": "/nix/store/sw-base/usr/bin/true", "owner": "root", "group": "wheel",
      "setuid": true, "setgid": false, "permissions": "u+rwx,g+rx,o+rx" },
    { "name": "locate", "source": "/nix/store/sw-base/usr/bin/true", "owner": "root", "group": "wheel",
      "setgid": true, "permissions": "0711" }
  ]
}
EOF

G2=$STORE/gen2
gen gen2
cp -a "$E/." "$G2/etc/"
E2=$G2/etc
rm -r "$E2/issue" "$E2/ssh/moduli" "$E2/oldstuff" "$E2/localtime"
echo "127.0.0.1 gen2" >"$E2/hosts"
echo "root ALL=(ALL) ALL # gen2" >"$E2/sudoers"
echo "welcome" >"$E2/motd"
mkdir -p "$E2/newdir" && echo x >"$E2/newdir/x"
sed -e '/"name": "bob"/,+1d' -e '/"localtime"/d' \
    -e 's/{ "name": "sshd"/{ "name": "carol", "uid": null, "group": "users", "home": "\/home\/carol", "createHome": true, "initialHashedPassword": "$6$carolinit" },\n    &/' \
    -e 's/"hashedPassword": "\$6\$alice\$hash"/&, "hashedPasswordFile": "\/var\/secret\/alice"/' \
    -e 's/"defaultUnit": "multi-user.target"/"defaultUnit": "rescue.target"/' \
    -e '/"name": "locate"/,+1d' -e 's/"permissions": "u+rwx,g+rx,o+rx" },/"permissions": "u+rwx,g+rx,o+rx" }/' \
    "$G1/activation.json" >"$G2/activation.json"

check "gen2's activation.json drops bob and adds carol" \
        sh -c "grep -q carol '$G2/activation.json' && ! grep -q bob '$G2/activation.json'"

# Helpers.
mode() { stat -c '%a %U:%G' "$1"; }
line() { grep "^$2:" "$ROOT/etc/$1"; }
field() { line "$1" "$2" | cut -d: -f"$3"; }
in_root() { chroot "$ROOT" "$@"; }
contains() { printf '%s\n' "$1" | grep -q "$2"; }

# ---------------------------------------------------------------------------
echo "# 1. gen1 on an empty root"
mkdir -p "$ROOT"
check "activate gen1" activate /nix/store/gen1
sed 's/^/    /' "$TEST_ROOT/log"

expect_eq "$(readlink "$ROOT/run/current-system")" /nix/store/gen1 "/run/current-system -> gen1"
expect_eq "$(readlink "$ROOT/run/systemd/system/default.target")" multi-user.target \
        "default.target -> multi-user.target, relative, in /run/systemd/system"
check "no /run/booted-system without --exec-systemd" test ! -e "$ROOT/run/booted-system" -a ! -L "$ROOT/run/booted-system"
expect_eq "$(readlink "$ROOT/usr")" /run/current-system/sw/usr "/usr link"
expect_eq "$(readlink "$ROOT/bin") $(readlink "$ROOT/sbin") $(readlink "$ROOT/lib") $(readlink "$ROOT/lib64")" \
        "usr/bin usr/sbin usr/lib usr/lib64" "/bin /sbin /lib /lib64 links"
expect_eq "$(readlink "$ROOT/etc/static")" /run/current-system/etc "/etc/static link"
expect_eq "$(readlink "$ROOT/etc/hosts")" /etc/static/hosts "/etc/hosts -> /etc/static/hosts"
expect_eq "$(readlink "$ROOT/etc/localtime")" /usr/share/zoneinfo/Europe/Berlin "mode direct-symlink: /etc/localtime is the generation's link itself"
check "/etc/ssh is a real directory" test -d "$ROOT/etc/ssh" -a ! -L "$ROOT/etc/ssh"
expect_eq "$(readlink "$ROOT/etc/ssh/sshd_config")" /etc/static/ssh/sshd_config "nested link"
check "/etc/pam.d (a linked directory in the generation) is a real directory" test -d "$ROOT/etc/pam.d" -a ! -L "$ROOT/etc/pam.d"
expect_eq "$(readlink "$ROOT/etc/pam.d/login")" /etc/static/pam.d/login "link inside a linked directory"
expect_eq "$(readlink "$ROOT/etc/systemd/system/multi-user.target.wants/foo.service")" \
        /etc/static/systemd/system/multi-user.target.wants/foo.service "link for a symlink entry"
expect_eq "$(find "$ROOT/etc/many" -type l | wc -l)" 90 "90 links in /etc/many"
check "step lines with elapsed times" grep -q '^firn stage 2 \[[0-9.]*s\]: /etc linked ([0-9]* entries' "$TEST_ROOT/log"
check "a reserved name in the generation's etc is reported" grep -q 'etc has "passwd"' "$TEST_ROOT/log"
# The whole chain, as a process in the new root sees it.
expect_eq "$(in_root /bin/cat /etc/hosts)" "127.0.0.1 gen1" "chroot: /etc/hosts resolves through /etc/static and /run/current-system"
expect_eq "$(in_root /bin/cat /etc/pam.d/login)" "auth gen1" "chroot: /etc/pam.d/login resolves"
expect_eq "$(in_root /bin/cat /etc/os-release)" 'PRETTY_NAME="firn test"' "chroot: /etc/os-release resolves"
expect_eq "$(in_root /bin/cat /etc/systemd/system/multi-user.target.wants/foo.service | head -1)" "[Service]" \
        "chroot: an enablement link resolves"

check "/etc/sudoers is a real file" test -f "$ROOT/etc/sudoers" -a ! -L "$ROOT/etc/sudoers"
expect_eq "$(mode "$ROOT/etc/sudoers")" "440 root:root" "sudoers mode 0440 root:root"
expect_eq "$(cat "$ROOT/etc/sudoers")" "root ALL=(ALL) ALL # gen1" "sudoers content"
SSHD_UID=$(field passwd sshd 3)
expect_eq "$(stat -c '%a %u:%g' "$ROOT/etc/ssh/ssh_host_key")" "600 $SSHD_UID:0" "a copy owned by a user named in activation.json"
check "the manifest records copies and directories" \
        sh -c "grep -qx 'f sudoers' '$ROOT/etc/.firn-managed' && grep -qx 'd ssh' '$ROOT/etc/.firn-managed'"

check "/etc/passwd is a real file" test -f "$ROOT/etc/passwd" -a ! -L "$ROOT/etc/passwd"
expect_eq "$(line passwd root)" "root:x:0:0:System administrator:/root:/bin/sh" "root's passwd line"
expect_eq "$(line passwd alice)" "alice:x:1000:100:Alice:/home/alice:/bin/sh" "alice gets 1000"
expect_eq "$(field passwd bob 3)" 1001 "bob gets 1001"
expect_eq "$(line passwd sshd)" "sshd:x:999:65534::/var/empty:/usr/sbin/nologin" "a system user gets 999 and defaults"
expect_eq "$(line group wheel)" "wheel:x:999:alice" "wheel gets 999 with its member"
expect_eq "$(line group tty)" "tty:x:5:" "declared gid kept"
expect_eq "$(head -1 "$ROOT/etc/passwd" | cut -d: -f1)" root "passwd sorted by uid"
expect_eq "$(field shadow alice 2)" '$6$alice$hash' "alice's hash in shadow"
expect_eq "$(field shadow bob 2)" '!' "bob without a hash is locked"
expect_eq "$(mode "$ROOT/etc/shadow")" "640 root:shadow" "shadow 0640 root:shadow"
expect_eq "$(mode "$ROOT/etc/gshadow")" "640 root:shadow" "gshadow 0640 root:shadow"
expect_eq "$(line gshadow wheel)" "wheel:!::alice" "gshadow line"
expect_eq "$(mode "$ROOT/etc/passwd")" "644 root:root" "passwd 0644"
expect_eq "$(stat -c '%a %u:%g' "$ROOT/home/alice")" "700 1000:100" "alice's home 0700 alice:users"
check "uid-map records alice" grep -qx 'alice 1000' "$ROOT/var/lib/firn/uid-map"
check "gid-map records wheel" grep -qx 'wheel 999' "$ROOT/var/lib/firn/gid-map"

MID=$(cat "$ROOT/etc/machine-id")
check "machine-id is 32 hex digits" sh -c "printf '%s' '$MID' | grep -Eqx '[0-9a-f]{32}'"
expect_eq "$(stat -c '%a %F' "$ROOT/etc/machine-id")" "444 regular file" "machine-id is a real file, 0444"

expect_eq "$(stat -c '%a %U %g' "$ROOT/run/wrappers/bin/ping")" "4755 root 999" "ping wrapper 4755 root:wheel"
expect_eq "$(stat -c '%a %g' "$ROOT/run/wrappers/bin/locate")" "2711 999" "setgid wrapper 2711 :wheel"
check "a wrapper is a copy of its source" cmp "$ROOT/run/wrappers/bin/ping" "$SW/usr/bin/true"
check "/run/wrappers/bin is a link to a wrappers.* directory" sh -c "readlink '$ROOT/run/wrappers/bin' | grep -q '^wrappers\.'"

expect_eq "$(stat -c %a "$ROOT/tmp") $(stat -c %a "$ROOT/var/tmp") $(stat -c %a "$ROOT/root")" "1777 1777 700" \
        "/tmp /var/tmp /root modes"
check "/var/lib /var/log /var/cache exist" test -d "$ROOT/var/lib" -a -d "$ROOT/var/log" -a -d "$ROOT/var/cache"
expect_eq "$(readlink "$ROOT/etc/mtab")" /proc/self/mounts "/etc/mtab link"

check "activating gen1 again" activate /nix/store/gen1
check "... changes nothing in /etc" grep -q '/etc linked ([0-9]* entries; 0 changed, 0 removed' "$TEST_ROOT/log"
check "... writes no account file" grep -q '0 files written' "$TEST_ROOT/log"

# ---------------------------------------------------------------------------
echo "# 2. runtime changes, then gen2"
sed -i 's/^root:[^:]*:/root:$6$rootchanged:/' "$ROOT/etc/shadow"     # passwd(1)
echo "messagebus:x:990:990::/nonexistent:/usr/sbin/nologin" >>"$ROOT/etc/passwd" # systemd-sysusers
echo "messagebus:x:990:" >>"$ROOT/etc/group"
echo "messagebus:!*:19000::::::" >>"$ROOT/etc/shadow"
echo "mallory:x:1500:100::/home/mallory:/bin/sh" >>"$ROOT/etc/passwd" # useradd
echo "motd by the admin" >"$ROOT/etc/motd"
echo "local" >"$ROOT/etc/ssh/extra_local"
SNAP1=$TEST_ROOT/snap1
cp -a "$ROOT" "$SNAP1"

mkdir -p "$ROOT/var/secret" && printf '$6$fromfile\nignored\n' >"$ROOT/var/secret/alice"
check "activate gen2" activate /nix/store/gen2
sed 's/^/    /' "$TEST_ROOT/log"
expect_eq "$(readlink "$ROOT/run/current-system")" /nix/store/gen2 "/run/current-system -> gen2"
expect_eq "$(readlink "$ROOT/run/systemd/system/default.target")" rescue.target "default.target follows gen2's defaultUnit"
check "removed entry's link is gone" test ! -e "$ROOT/etc/issue" -a ! -L "$ROOT/etc/issue"
check "removed nested entry's link is gone" test ! -L "$ROOT/etc/ssh/moduli"
check "removed directory is gone" test ! -e "$ROOT/etc/oldstuff"
check "a dropped direct link is gone" test ! -L "$ROOT/etc/localtime"
check "a file the admin added beside the links stays" test -f "$ROOT/etc/ssh/extra_local"
expect_eq "$(cat "$ROOT/etc/motd")" "motd by the admin" "a real file that is not ours is left alone"
check "... and reported" grep -q '/etc/motd is a file that is not firn' "$TEST_ROOT/log"
expect_eq "$(readlink "$ROOT/etc/newdir/x")" /etc/static/newdir/x "new directory and link"
expect_eq "$(in_root /bin/cat /etc/hosts)" "127.0.0.1 gen2" "chroot: /etc/hosts is gen2's"
expect_eq "$(cat "$ROOT/etc/sudoers")" "root ALL=(ALL) ALL # gen2" "the changed copy is rewritten"
expect_eq "$(mode "$ROOT/etc/sudoers")" "440 root:root" "... with its mode"
expect_eq "$(field passwd alice 3)" 1000 "alice keeps uid 1000"
check "bob is removed" sh -c "! grep -q '^bob:' '$ROOT/etc/passwd' && ! grep -q '^bob:' '$ROOT/etc/shadow'"
CAROL=$(field passwd carol 3)
check "carol gets a new uid ($CAROL), not bob's 1001 nor mallory's 1500" \
        sh -c "[ '$CAROL' -ge 1000 ] && [ '$CAROL' != 1001 ] && [ '$CAROL' != 1500 ]"
expect_eq "$(field shadow root 2)" '$6$rootchanged' "root's changed hash (hashedPassword null) is kept"
expect_eq "$(field shadow alice 2)" '$6$fromfile' "alice's hash from hashedPasswordFile (its first line) wins"
expect_eq "$(field shadow carol 2)" '$6$carolinit' "a new user gets initialHashedPassword"
expect_eq "$(line passwd messagebus)" "messagebus:x:990:990::/nonexistent:/usr/sbin/nologin" "a sysusers user (< 1000) is kept"
expect_eq "$(line shadow messagebus)" "messagebus:!*:19000::::::" "... with its shadow line"
expect_eq "$(line group messagebus)" "messagebus:x:990:" "a sysusers group is kept"
check "an undeclared normal user is removed" sh -c "! grep -q '^mallory:' '$ROOT/etc/passwd'"
check "removed users stay reserved in uid-map" \
        sh -c "grep -qx 'bob 1001' '$ROOT/var/lib/firn/uid-map' && grep -qx 'mallory 1500' '$ROOT/var/lib/firn/uid-map'"
expect_eq "$(cat "$ROOT/etc/machine-id")" "$MID" "machine-id unchanged"
check "the dropped wrapper is gone" test ! -e "$ROOT/run/wrappers/bin/locate"
expect_eq "$(ls -d "$ROOT"/run/wrappers/wrappers.* | wc -l)" 1 "old wrappers directories are removed"
expect_eq "$(find "$ROOT" -path "$STORE" -prune -o -name '.firn-new.*' -print | wc -l)" 0 "no temporary files left"
cp -a "$ROOT/etc/passwd" "$TEST_ROOT/passwd2"

check "back to gen1" activate /nix/store/gen1
expect_eq "$(field passwd bob 3)" 1001 "bob comes back with his old uid"
check "carol is removed" sh -c "! grep -q '^carol:' '$ROOT/etc/passwd'"
expect_eq "$(readlink "$ROOT/etc/issue")" /etc/static/issue "issue is linked again"
check "newdir (ours, now empty) is removed" test ! -e "$ROOT/etc/newdir"
expect_eq "$(cat "$ROOT/etc/sudoers")" "root ALL=(ALL) ALL # gen1" "sudoers is gen1's again"

# ---------------------------------------------------------------------------
echo "# 3. crash safety: gen1 -> gen2 interrupted at every failure point"
# The state of a root, for comparing runs: every entry's type, mode, owner,
# link target and content, but the store and the random name of the
# wrappers directory.
state() {
        (cd "$1" && {
                find . -path ./nix -prune -o -printf '%p %y %m %U:%G %l\n'
                find . -path ./nix -prune -o -type f -exec md5sum {} +
        } | sed 's/wrappers\.[0-9a-f]\{8\}/wrappers.X/g' | sort)
}
restore() { rm -rf "$ROOT" && cp -a "$SNAP1" "$ROOT"; }
restore
activate /nix/store/gen2
REF=$(state "$ROOT")
restore
FIRN_FAULT_TRACE=1 "$FA" --root "$ROOT" /nix/store/gen2 >/dev/null 2>"$TEST_ROOT/trace"
POINTS=$(grep -c '^firn-fault:' "$TEST_ROOT/trace")
check "gen1 -> gen2 passes failure points ($POINTS)" test "$POINTS" -gt 10
OLD_PASSWD=$SNAP1/etc/passwd
bad_kill=0 bad_eio=0 bad_rerun=0 killed=0 failed=0
for n in $(seq 1 "$POINTS"); do
        for mode in KILL AT; do
                restore
                (env "FIRN_FAULT_$mode=$n" "$FA" --root "$ROOT" /nix/store/gen2) >/dev/null 2>&1
                rc=$?
                if [ $mode = KILL ]; then
                        [ $rc = 137 ] && killed=$((killed + 1))
                elif [ $rc != 0 ]; then
                        failed=$((failed + 1))
                fi
                if ! cmp -s "$ROOT/etc/passwd" "$OLD_PASSWD" && ! cmp -s "$ROOT/etc/passwd" "$TEST_ROOT/passwd2"; then
                        echo "    $mode at $n: /etc/passwd is neither old nor new"
                        [ $mode = KILL ] && bad_kill=$((bad_kill + 1)) || bad_eio=$((bad_eio + 1))
                fi
                activate /nix/store/gen2
                if [ "$(state "$ROOT")" != "$REF" ]; then
                        echo "    $mode at $n: the rerun did not reach the clean result:"
                        diff <(echo "$REF") <(state "$ROOT") | head -5 | sed 's/^/      /'
                        bad_rerun=$((bad_rerun + 1))
                fi
        done
done
expect_eq "$killed" "$POINTS" "killed at each of the $POINTS points"
expect_eq "$failed" "$POINTS" "an injected EIO at each point gives a nonzero exit"
expect_eq "$bad_kill" 0 "/etc/passwd is old or new after every SIGKILL"
expect_eq "$bad_eio" 0 "/etc/passwd is old or new after every EIO"
expect_eq "$bad_rerun" 0 "a rerun after every crash reaches the clean state"

# The same for a first activation (empty root -> gen1), kill only, every
# 7th point (it has over a hundred).
rm -rf "$ROOT" && mkdir "$ROOT" && cp -a "$SNAP1/nix" "$ROOT/"
FIRN_FAULT_TRACE=1 "$FA" --root "$ROOT" /nix/store/gen1 >/dev/null 2>"$TEST_ROOT/trace"
POINTS1=$(grep -c '^firn-fault:' "$TEST_ROOT/trace")
bad=0
for n in $(seq 1 7 "$POINTS1"); do
        rm -rf "$ROOT" && mkdir "$ROOT" && cp -a "$SNAP1/nix" "$ROOT/"
        (FIRN_FAULT_KILL=$n "$FA" --root "$ROOT" /nix/store/gen1) >/dev/null 2>&1
        if [ -e "$ROOT/etc/passwd" ] && ! grep -q '^sshd:x:999:' "$ROOT/etc/passwd"; then
                echo "    KILL at $n: a partial /etc/passwd"
                bad=$((bad + 1))
        fi
        activate /nix/store/gen1 || bad=$((bad + 1))
        if ! grep -q '^bob:x:1001:' "$ROOT/etc/passwd" || [ "$(readlink "$ROOT/etc/many/f90")" != /etc/static/many/f90 ] ||
                [ -n "$(find "$ROOT" -path "$ROOT/nix" -prune -o -name '.firn-new.*' -print)" ]; then
                echo "    KILL at $n: the rerun is incomplete"
                bad=$((bad + 1))
        fi
done
expect_eq "$bad" 0 "first activation killed at every 7th of $POINTS1 points: passwd absent or complete, rerun complete"

# ---------------------------------------------------------------------------
echo "# 4. confinement"
restore
OUT=$TEST_ROOT/outside
mkdir -p "$OUT"
echo victim >"$TEST_ROOT/victim"
rm -rf "$ROOT/etc/newdir" "$ROOT/etc/group"
ln -s "$OUT" "$ROOT/etc/newdir"              # a link where gen2 has a directory
ln -s "$TEST_ROOT/victim" "$ROOT/etc/group"  # a link where an account file goes
ln -s "$OUT" "$ROOT/run/wrappers/bin"        # a link where the wrappers link goes
check "activate gen2 over planted links" activate /nix/store/gen2
check "the planted /etc/group link is replaced by a real file" test -f "$ROOT/etc/group" -a ! -L "$ROOT/etc/group"
check "the planted /etc/newdir link is replaced by a real directory" test -d "$ROOT/etc/newdir" -a ! -L "$ROOT/etc/newdir"
check "the planted /run/wrappers/bin link is replaced" sh -c "readlink '$ROOT/run/wrappers/bin' | grep -q '^wrappers\.'"
rm -rf "$ROOT/var/lib/firn" "$ROOT/home"
ln -s "$OUT" "$ROOT/var/lib/firn"            # a link where the state directory goes
ln -s "$OUT" "$ROOT/home"                    # a link above the home directories
activate /nix/store/gen2
expect_eq "$(ls -A "$OUT" | wc -l)" 0 "nothing is written through links that lead out of the root"
expect_eq "$(cat "$TEST_ROOT/victim")" victim "a host file behind a planted link is untouched"

# ---------------------------------------------------------------------------
echo "# 5. an invalid activation.json"
restore
activate /nix/store/gen2
cp -a "$ROOT/etc/passwd" "$TEST_ROOT/passwd-before"
G3=$STORE/gen3
gen gen3
cp -a "$E2/." "$G3/etc/"
echo '{"users": [{"name": "x", "uid": "nope"}]}' >"$G3/activation.json"
expect_fail "activating a generation with an invalid activation.json fails" activate /nix/store/gen3
check "... names the field" grep -q 'users\[0\]: "uid": expected an integer or null' "$TEST_ROOT/log"
check "... leaves /etc/passwd alone" cmp "$ROOT/etc/passwd" "$TEST_ROOT/passwd-before"
check "... keeps the sudoers copy a real file" test -f "$ROOT/etc/sudoers" -a ! -L "$ROOT/etc/sudoers"
expect_eq "$(readlink "$ROOT/run/current-system")" /nix/store/gen3 "... still switches the links"

# ---------------------------------------------------------------------------
echo "# 6. the boot path: TOPLEVEL/init in a chroot, private mount namespace"
if command -v unshare >/dev/null; then
        restore
        rm -f "$ROOT/run/current-system"
        out=$(echo FAKE-SYSTEMD-RAN | unshare -m --propagation private sh -c \
                "mount --bind '$ROOT/run' '$ROOT/run' && chroot '$ROOT' /nix/store/gen2/init" 2>&1)
        echo "$out" | sed 's/^/    /'
        check "init mounted the API file systems" contains "$out" 'mounted [0-9] API file systems'
        check "init exec'ed the generation's systemd" contains "$out" '^FAKE-SYSTEMD-RAN$'
        check "init found TOPLEVEL from argv[0]" contains "$out" 'starting systemd of /nix/store/gen2$'
        expect_fail "no error on the way" contains "$out" 'FAILED\|error'
        expect_eq "$(readlink "$ROOT/run/booted-system")" /nix/store/gen2 "booting sets /run/booted-system"
        expect_eq "$(readlink "$ROOT/run/current-system")" /nix/store/gen2 "booting sets /run/current-system"
        out=$(echo FAKE-SYSTEMD-RAN | env systemConfig=/nix/store/gen1 unshare -m --propagation private sh -c \
                "mount --bind '$ROOT/run' '$ROOT/run' && chroot '$ROOT' /sbin/init" 2>&1)
        check "as /sbin/init, TOPLEVEL comes from systemConfig=" contains "$out" 'starting systemd of /nix/store/gen1$'
        check "... and boots it" contains "$out" '^FAKE-SYSTEMD-RAN$'
        expect_eq "$(readlink "$ROOT/run/booted-system")" /nix/store/gen2 "/run/booted-system is not replaced"
        expect_eq "$(readlink "$ROOT/run/current-system")" /nix/store/gen1 "/run/current-system is"
        check "no mount leaked out of the namespace" sh -c "! grep -q ' $ROOT' /proc/self/mounts"
else
        echo "    (no unshare: skipped)"
fi

finish
