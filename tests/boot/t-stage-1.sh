#!/bin/bash
# Boots Debian 12's kernel under QEMU (TCG) with an initrd made by
# builtin:initrd around firn-stage-1, on a private store:
#
#  1. a good boot: root LABEL=firn-root on an ext4 virtio disk, the store
#     over 9p; stage 1 execs a fake stage 2 (fake-stage-2.c, static) that
#     checks what stage 1 promised (root ext4, /run a tmpfs, /nix/store 9p,
#     /proc /sys /dev moved, the initrd's files gone), prints its marker and
#     powers off;
#  2. a failing boot: firn.root= names a label no disk has, the conf says
#     timeout 3, firn.shell asks for a shell the initrd does not have: the
#     console names the device and the disks there are, and the machine
#     reboots (QEMU's -no-reboot makes that an exit);
#  3. a tmpfs root and no disk: the fake stage 2 checks that / is a tmpfs;
#  4. the emergency shell: an initrd with busybox-static as /bin/sh
#     (builtin:initrd's `shell`), the same failing boot: the shell runs
#     commands typed on the serial console, and leaving it reboots. A
#     dynamically linked `shell` is refused at build time.
#
# The kernel package comes from apt through `import <firn/pkgs>`, which
# takes a few minutes on a fresh store; FIRN_BOOT_TEST_STORE=DIR keeps and
# reuses a store root of its own between runs. Skips (77) without
# qemu-system-x86_64 or mkfs.ext4.
. "$(dirname "$0")/../integration/test-lib.sh"

for tool in qemu-system-x86_64 mkfs.ext4; do
        command -v "$tool" >/dev/null || { echo "# $tool not installed: skipped"; exit 77; }
done
BUILD=$(cd "$(dirname "$0")/../.." && pwd)/build
FIRN_STAGE1=${FIRN_STAGE1:-$BUILD/activation/stage-1/firn-stage-1}
FAKE_STAGE2=${FAKE_STAGE2:-$BUILD/tests/boot/fake-stage-2}
if [ -n "${FIRN_BOOT_TEST_STORE:-}" ]; then
        export FIRN_STORE=$FIRN_BOOT_TEST_STORE
        STORE_REAL=$FIRN_STORE/nix/store
fi
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
MODULES="virtio_pci virtio_blk 9p 9pnet_virtio ext4 crc32c_generic virtio_rng"

# The kernel: the metapackage's nix-support/depends names the image package.
META=$(firn build -E '(import <firn/pkgs> { }).linux-image-amd64' --no-out-link 2>build-kernel.log)
KPKG=$(tr -s ' \n' '\n\n' <"$(real "$META")/nix-support/depends" 2>/dev/null | grep -- '-linux-image-[0-9]' | head -1)
if [ -z "$KPKG" ]; then
        fail "building Debian's kernel package"
        tail -20 build-kernel.log | sed 's/^/    /'
        finish
        exit 1
fi
VMLINUZ=$(ls "$(real "$KPKG")"/boot/vmlinuz-* | head -1)
check "the kernel package has a vmlinuz" test -f "$VMLINUZ"
echo "# kernel: $KPKG"

mkdir fake-system
cp "$FAKE_STAGE2" fake-system/init
SYSTEM=$(firn store add "$TEST_ROOT/fake-system")
cat >boot.nix <<EOF
let
  stage1 = builtins.path { path = $FIRN_STAGE1; name = "firn-stage-1"; };
  initrdWith = extra: conf: derivation ({
    name = "initrd";
    system = "builtin";
    builder = "builtin:initrd";
    init = stage1;
    kernelModules = builtins.storePath "$KPKG";
    modules = "$MODULES";
    inherit conf;
  } // extra);
  initrd = initrdWith { };
  store = "mount store /nix/store 9p trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro\n";
in {
  good = initrd "root LABEL=firn-root ext4 rw\n\${store}timeout 30\nemergency-shell 0\n";
  bad = initrd "root LABEL=firn-root ext4 rw\n\${store}timeout 3\n";
  tmpfs = initrd "root none tmpfs mode=755\n\${store}";
  shell = initrdWith { shell = "\${(import <firn/pkgs> { }).busybox-static}/bin/busybox"; }
    "root LABEL=firn-root ext4 rw\n\${store}timeout 2\nemergency-shell 1\n";
  dynamicShell = initrdWith { shell = builtins.path { path = /bin/true; name = "true"; }; }
    "root LABEL=firn-root ext4 rw\n";
}
EOF
build() { firn build boot.nix -A "$1" --no-out-link 2>"$TEST_ROOT/.build-err"; }
GOOD=$(build good) || sed 's/^/    /' "$TEST_ROOT/.build-err"
BAD=$(build bad) || sed 's/^/    /' "$TEST_ROOT/.build-err"
TMPFS=$(build tmpfs) || sed 's/^/    /' "$TEST_ROOT/.build-err"
SHELL_INITRD=$(build shell) || sed 's/^/    /' "$TEST_ROOT/.build-err"
check "the initrd with a shell builds" test -f "$(real "$SHELL_INITRD")"
expect_eq "$(zstd -dc "$(real "$SHELL_INITRD")" | cpio_names | grep -x 'bin/sh')" bin/sh "the shell initrd holds bin/sh"
expect_eq "$(zstd -dc "$(real "$GOOD")" | cpio_names | grep -c -x 'bin/sh')" 0 "... and one without a shell does not"
expect_fail "a dynamically linked shell is refused" build dynamicShell
check "... saying why" grep -q "is not a statically linked x86-64 program" "$TEST_ROOT/.build-err"
check "the initrds build" test -f "$(real "$GOOD")" -a -f "$(real "$BAD")" -a -f "$(real "$TMPFS")"
check "the fake system is in the store" test -x "$(real "$SYSTEM")/init"
echo "# initrd: $(stat -c %s "$(real "$GOOD")") bytes zstd; modules in load order:" \
        "$(zstd -dc "$(real "$GOOD")" 2>/dev/null | grep -a -o 'module /lib/modules/[a-z0-9_]*' | sed 's|.*/||' | tr '\n' ' ')"

mkfs.ext4 -q -L firn-root root.img 64M
DISK=root.img

# stamp: each line of stdin prefixed with the seconds since it started.
stamp() {
        python3 -c '
import sys, time
t0 = time.monotonic()
for line in iter(sys.stdin.buffer.readline, b""):
    sys.stdout.buffer.write(b"%7.2f " % (time.monotonic() - t0) + line)
    sys.stdout.flush()'
}

# boot LOG INITRD APPEND: runs QEMU (with the disk image $DISK when set),
# the console in LOG, each line with the host's seconds since QEMU started;
# returns QEMU's status (124 on timeout).
boot() {
        timeout "$BOOT_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -nographic -no-reboot \
                -nic none -device virtio-rng-pci \
                -kernel "$VMLINUZ" -initrd "$(real "$2")" -append "console=ttyS0 panic=-1 $3" \
                -virtfs "local,path=$STORE_REAL,mount_tag=store,security_model=none,readonly=on" \
                ${DISK:+-drive file=$DISK,if=virtio,format=raw} </dev/null 2>&1 | stamp >"$1"
        local rc=${PIPESTATUS[0]}
        echo "# $1: QEMU ran $(tail -1 "$1" | awk '{ print $1 }') s, status $rc"
        return "$rc"
}
has() { grep -qF -- "$2" "$1"; }
console_has() { # WHAT LOG TEXT
        if has "$2" "$3"; then pass "$1"; else
                fail "$1"
                echo "    missing: $3"
                tail -40 "$2" | sed 's/^/    | /'
        fi
}

# 1. The good boot.
boot good.log "$GOOD" "init=$SYSTEM/init"
expect_eq "$?" 0 "good boot: QEMU exits by itself (the fake stage 2 powers off)"
console_has "good boot: stage 1 mounted /proc first" good.log "firn stage 1 ["
console_has "good boot: modules loaded" good.log "]: loaded module ext4"
console_has "good boot: the root found by label" good.log "mounted root device LABEL=firn-root (/dev/vda) on /mnt-root (ext4)"
console_has "good boot: the store over 9p" good.log "mounted file system store on /mnt-root/nix/store (9p)"
console_has "good boot: the initrd's files removed" good.log "removed the initrd's files"
console_has "good boot: init executed" good.log "executing $SYSTEM/init"
console_has "good boot: stage 2 reached" good.log "FIRN-STAGE-2-REACHED as $SYSTEM/init (pid 1)"
for c in pid-1 root-is-ext4 run-is-tmpfs store-is-9p proc-mounted sys-mounted dev-mounted run-statfs-tmpfs \
        init-in-store initrd-gone; do
        console_has "good boot: stage 2 check $c" good.log "FIRN-CHECK $c ok"
done
console_has "good boot: no check failed" good.log "FIRN-STAGE-2-DONE 0 failed"
grep -aE 'firn stage 1 \[|FIRN-STAGE-2-REACHED|FIRN-UPTIME|Run /init|Linux version' good.log | tr -d '\r' | sed 's/^/# /'

# 2. The failing boot.
boot bad.log "$BAD" "init=$SYSTEM/init firn.root=LABEL=no-such-root firn.shell"
expect_eq "$?" 0 "failing boot: the machine reboots (QEMU exits) rather than hang"
console_has "failing boot: firn.root= overrides the conf" bad.log \
        "root device LABEL=no-such-root from firn.root= (the configuration says LABEL=firn-root)"
console_has "failing boot: it waits, once a second" bad.log "waiting for root device LABEL=no-such-root (2s of 3s)"
console_has "failing boot: the message names the device and the disks" bad.log \
        "error: root device LABEL=no-such-root did not appear within 3 s; block devices present: vda (64 MiB, ext2/3/4 label \"firn-root\""
console_has "failing boot: no shell in the initrd, said so" bad.log "an emergency shell was asked for, but the initrd has no /bin/sh"
console_has "failing boot: reboots after 10 s" bad.log "rebooting in 10 seconds"
if has bad.log "FIRN-STAGE-2-REACHED"; then fail "failing boot: stage 2 not reached"; else pass "failing boot: stage 2 not reached"; fi
grep -aE 'firn stage 1 \[' bad.log | tr -d '\r' | sed 's/^/# /'

# 4. The emergency shell. The console is driven from a pipe: once stage 1
# says it starts the shell, a command goes in whose output only a shell
# that ran it prints (42), then `exit`.
shell_boot() {
        python3 - "$BOOT_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -nographic -no-reboot \
                -nic none -device virtio-rng-pci \
                -kernel "$VMLINUZ" -initrd "$(real "$SHELL_INITRD")" -append "console=ttyS0 panic=-1 init=$SYSTEM/init" \
                -virtfs "local,path=$STORE_REAL,mount_tag=store,security_model=none,readonly=on" \
                -drive "file=$DISK,if=virtio,format=raw" <<'PY' >shell.log 2>&1
import subprocess, sys, threading, time
timeout, argv = float(sys.argv[1]), sys.argv[2:]
p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
threading.Timer(timeout, p.kill).start()
sent = False
for line in iter(p.stdout.readline, b""):
    sys.stdout.buffer.write(line)
    sys.stdout.flush()
    if not sent and b"starting the emergency shell" in line:
        time.sleep(2)
        p.stdin.write(b"echo FIRN-SHELL-$((6*7)) $(cat /proc/1/comm)\n")
        p.stdin.flush()
        time.sleep(2)
        p.stdin.write(b"exit\n")
        p.stdin.flush()
        sent = True
sys.exit(p.wait())
PY
}
DISK=$TEST_ROOT/other.img
mkfs.ext4 -q -L other-label "$DISK" 16M
shell_boot
expect_eq "$?" 0 "shell boot: QEMU exits by itself (leaving the shell reboots)"
console_has "shell boot: stage 1 starts the shell" shell.log "starting the emergency shell /bin/sh; the machine reboots when it exits"
console_has "shell boot: the shell ran a command typed on the console" shell.log "FIRN-SHELL-42 init"
console_has "shell boot: leaving it reboots" shell.log "rebooting"
DISK=root.img

# 3. A tmpfs root, no disk.
DISK= boot tmpfs.log "$TMPFS" "init=$SYSTEM/init fake.root=tmpfs"
expect_eq "$?" 0 "tmpfs root: QEMU exits by itself"
console_has "tmpfs root: mounted" tmpfs.log "mounted root device tmpfs on /mnt-root (tmpfs)"
console_has "tmpfs root: stage 2 sees a tmpfs root" tmpfs.log "FIRN-CHECK root-is-tmpfs ok"
console_has "tmpfs root: no check failed" tmpfs.log "FIRN-STAGE-2-DONE 0 failed"

finish
