#!/bin/bash
# builtin:initrd on a fake kernel module tree (objects compiled here with a
# .modinfo section, so no kernel package and no VM): modules found by name
# ('-' and '_' alike, .ko/.ko.xz/.ko.zst/.ko.gz, decompressed), dependency
# closure and order, built-in modules skipped, the archive's layout
# (dev/console, init, stage-1.conf, owners and mtimes), the three
# compressions, reproducible bytes, and every error it names.
. "$(dirname "$0")/../integration/test-lib.sh"

command -v cc >/dev/null || { echo "# no C compiler: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "# no python3: skipped"; exit 77; }

V=6.1.0-test
K=$TEST_ROOT/kernel/lib/modules/$V
mkdir -p "$K/kernel/drivers/virtio" "$K/kernel/fs/ext4" "$K/kernel/lib" "$K/kernel/misc"

# mkko FILE NAME DEPENDS: a relocatable object whose .modinfo says so.
mkko() {
        printf 'const char modinfo[] __attribute__((section(".modinfo"), used)) =\n"license=GPL\\0depends=%s\\0name=%s";\n' \
                "$3" "$2" >"$TEST_ROOT/m.c"
        cc -c -o "$1" "$TEST_ROOT/m.c"
}
mkko "$K/kernel/drivers/virtio/virtio.ko" virtio ""
mkko "$K/kernel/drivers/virtio/virtio_ring.ko" virtio_ring ""
mkko "$K/kernel/drivers/virtio/virtio_pci.ko" virtio_pci "virtio_ring,virtio"
mkko "$K/kernel/drivers/virtio/virtio-rng.ko" virtio_rng "virtio"
mkko "$K/kernel/fs/ext4/ext4.ko" ext4 "mbcache,jbd2,crc16"
mkko "$K/kernel/fs/jbd2.ko" jbd2 ""
mkko "$K/kernel/fs/mbcache.ko" mbcache ""
mkko "$K/kernel/lib/crc16.ko" crc16 ""
mkko "$K/kernel/misc/cyc_a.ko" cyc_a "cyc_b"
mkko "$K/kernel/misc/cyc-b.ko" cyc_b "cyc_a"
mkko "$K/kernel/misc/needs_ghost.ko" needs_ghost "virtio,ghost"
printf 'not an ELF object\n' >"$K/kernel/misc/broken.ko"
cp "$K/kernel/fs/jbd2.ko" jbd2.orig
cp "$K/kernel/lib/crc16.ko" crc16.orig
cp "$K/kernel/fs/mbcache.ko" mbcache.orig
xz "$K/kernel/fs/jbd2.ko"
zstd -q --rm "$K/kernel/lib/crc16.ko" 2>/dev/null || { echo "# no zstd: skipped"; exit 77; }
gzip "$K/kernel/fs/mbcache.ko"
printf 'kernel/fs/builtin_fs.ko\nkernel/lib/other-builtin.ko\n' >"$K/modules.builtin"
ln -s /nowhere "$K/build"
printf '#!/bin/sh\necho fake init\n' >init

KERNEL=$(firn store add "$TEST_ROOT/kernel")
INIT=$(firn store add "$TEST_ROOT/init")
check "the fake kernel and init are in the store" test -n "$KERNEL" -a -n "$INIT"

# initrd NAME ATTRS: an expression file for an initrd with extra attributes.
initrd() {
        cat >"$1.nix" <<EOF
derivation ({
  name = "initrd";
  system = "builtin";
  builder = "builtin:initrd";
  init = builtins.storePath "$INIT";
  kernelModules = builtins.storePath "$KERNEL";
  conf = "root LABEL=firn-root ext4 rw\nmount store /nix/store 9p trans=virtio,ro\ntimeout 3\n";
} // $2)
EOF
}
build() { firn build "$1.nix" --no-out-link 2>"$TEST_ROOT/.build-err"; }

# newc FILE: the archive's entries, one per line: name, mode (octal),
# uid:gid, mtime, nlink, rdev major:minor, size, sha256 of the data; then
# CONF: lines with stage-1.conf.
newc() {
        python3 - "$1" <<'EOF'
import hashlib, sys
data = open(sys.argv[1], 'rb').read()
off = 0
conf = None
while True:
    h = data[off:off + 110]
    assert h[:6] == b'070701', 'bad magic at %d' % off
    f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
    ino, mode, uid, gid, nlink, mtime, size, dmaj, dmin, rmaj, rmin, namesize, _ = f
    name = data[off + 110:off + 110 + namesize - 1].decode()
    off = (off + 110 + namesize + 3) & ~3
    body = data[off:off + size]
    off = (off + size + 3) & ~3
    if name == 'TRAILER!!!':
        break
    print(name, oct(mode), '%d:%d' % (uid, gid), mtime, nlink, '%d:%d' % (rmaj, rmin), size,
          hashlib.sha256(body).hexdigest()[:16])
    if name == 'etc/firn/stage-1.conf':
        conf = body.decode()
for line in conf.splitlines():
    print('CONF:' + line)
EOF
}
sha() { sha256sum "$1" | cut -c1-16; }

initrd main '{ modules = "virtio_pci ext4  virtio-rng\nbuiltin-fs virtio"; }'
OUT=$(build main)
check "an initrd builds" test -f "$(real "$OUT")"
zstd -dc "$(real "$OUT")" >main.cpio 2>/dev/null
check "it is zstd by default" test -s main.cpio
newc main.cpio >main.list
cat >main.expected <<EOF
dev 0o40755 0:0 0 2 0:0
proc 0o40755 0:0 0 2 0:0
sys 0o40755 0:0 0 2 0:0
run 0o40755 0:0 0 2 0:0
mnt-root 0o40755 0:0 0 2 0:0
etc 0o40755 0:0 0 2 0:0
etc/firn 0o40755 0:0 0 2 0:0
lib 0o40755 0:0 0 2 0:0
lib/modules 0o40755 0:0 0 2 0:0
dev/console 0o20600 0:0 0 1 5:1
init 0o100755 0:0 0 1 0:0
etc/firn/stage-1.conf 0o100644 0:0 0 1 0:0
lib/modules/virtio_ring.ko 0o100644 0:0 0 1 0:0
lib/modules/virtio.ko 0o100644 0:0 0 1 0:0
lib/modules/virtio_pci.ko 0o100644 0:0 0 1 0:0
lib/modules/mbcache.ko 0o100644 0:0 0 1 0:0
lib/modules/jbd2.ko 0o100644 0:0 0 1 0:0
lib/modules/crc16.ko 0o100644 0:0 0 1 0:0
lib/modules/ext4.ko 0o100644 0:0 0 1 0:0
lib/modules/virtio_rng.ko 0o100644 0:0 0 1 0:0
EOF
expect_eq "$(grep -v ^CONF: main.list | cut -d' ' -f1-6)" "$(cat main.expected)" \
        "the archive's entries in order, their modes, owners, mtimes and devices"
# contents FILE…: "size hash" of each file.
contents() { for f in "$@"; do echo "$(stat -c %s "$f") $(sha "$f")"; done; }
D=$K/kernel/drivers/virtio
expect_eq "$(grep -E '^(init|lib/modules/)' main.list | cut -d' ' -f7-8)" \
        "$(contents init "$D/virtio_ring.ko" "$D/virtio.ko" "$D/virtio_pci.ko" mbcache.orig jbd2.orig crc16.orig \
                "$K/kernel/fs/ext4/ext4.ko" "$D/virtio-rng.ko")" \
        "init and the modules have their bytes (decompressed from .gz, .xz, .zst)"
expect_eq "$(grep ^CONF: main.list)" "CONF:# written by builtin:initrd: modules in load order, then the 'conf' attribute
CONF:module /lib/modules/virtio_ring.ko
CONF:module /lib/modules/virtio.ko
CONF:module /lib/modules/virtio_pci.ko
CONF:module /lib/modules/mbcache.ko
CONF:module /lib/modules/jbd2.ko
CONF:module /lib/modules/crc16.ko
CONF:module /lib/modules/ext4.ko
CONF:module /lib/modules/virtio_rng.ko
CONF:root LABEL=firn-root ext4 rw
CONF:mount store /nix/store 9p trans=virtio,ro
CONF:timeout 3" "stage-1.conf: every module after its dependencies, then conf"
firn log "$OUT" >main.log 2>&1
check "the log says the built-in module was skipped" \
        grep -qF "kernel module 'builtin_fs' is built into the kernel; skipped" main.log
check "the log lists the modules" grep -qF "initrd: 8 modules: virtio_ring virtio virtio_pci mbcache" main.log

# The same inputs give the same bytes; the compressions.
initrd again '{ name = "initrd-again"; modules = "virtio_pci ext4  virtio-rng\nbuiltin-fs virtio"; }'
OUT2=$(build again)
expect_eq "$(sha "$(real "$OUT2")")" "$(sha "$(real "$OUT")")" "a second initrd from the same inputs has the same bytes"
initrd gz '{ modules = "ext4"; compression = "gzip"; }'
initrd gz2 '{ name = "initrd2"; modules = "ext4"; compression = "gzip"; }'
GZ=$(build gz)
GZ2=$(build gz2)
check "gzip: the archive is gzip" sh -c "gzip -dc '$(real "$GZ")' | head -c 6 | grep -q 070701"
expect_eq "$(od -An -tx1 -j4 -N4 "$(real "$GZ")" | tr -d ' ')" "00000000" "gzip: no timestamp in the header"
expect_eq "$(sha "$(real "$GZ2")")" "$(sha "$(real "$GZ")")" "gzip: the same bytes twice"
initrd none '{ modules = "virtio"; compression = "none"; }'
NONE=$(build none)
expect_eq "$(head -c 6 "$(real "$NONE")")" "070701" "none: a bare newc archive"
expect_eq "$(newc "$(real "$NONE")" | grep '^CONF:module')" "CONF:module /lib/modules/virtio.ko" "none: one module"
initrd nomods '{ }'
NOMODS=$(build nomods)
check "no modules: builds without a module list" test -f "$(real "$NOMODS")"

# Errors, each naming what is wrong.
expect_error() { # WHAT NAME ATTRS MESSAGE
        initrd "$2" "$3"
        if build "$2" >/dev/null; then fail "$1 (built)"; return; fi
        if grep -qF -- "$4" "$TEST_ROOT/.build-err"; then pass "$1"; else
                fail "$1"
                echo "    expected: $4"
                sed 's/^/    /' "$TEST_ROOT/.build-err"
        fi
}
expect_error "an unknown module" e1 '{ modules = "virtio nosuch_mod"; }' \
        "kernel module 'nosuch_mod' not found under '$KERNEL/lib/modules/$V'"
expect_error "a missing dependency" e2 '{ modules = "needs-ghost"; }' \
        "kernel module 'ghost' (needed by 'needs_ghost') not found"
expect_error "a dependency cycle" e3 '{ modules = "cyc_a"; }' "cycle through 'cyc_a'"
expect_error "a module that is not ELF" e4 '{ modules = "broken"; }' "kernel/misc/broken.ko' is not a 64-bit little-endian ELF"
expect_error "an unknown compression" e5 '{ modules = "virtio"; compression = "lz4"; }' \
        "attribute 'compression' must be zstd, gzip or none, not 'lz4'"
expect_error "module lines in conf" e6 '{ conf = "root /dev/vda ext4\nmodule /x.ko\n"; }' \
        "conf line 2: 'module' lines come from the 'modules' attribute"
expect_error "an unknown directive in conf" e7 '{ conf = "root /dev/vda ext4\nrooot x\n"; }' \
        "conf line 2: unknown directive 'rooot'"
expect_error "conf without root" e8 '{ conf = "timeout 3\n"; }' "attribute 'conf' has no 'root' line"
expect_error "modules without a kernel" e9 '{ kernelModules = ""; modules = "virtio"; }' \
        "attribute 'modules' names modules but 'kernelModules' is missing"
expect_error "init outside the store" e10 '{ init = "/etc/passwd"; }' "attribute 'init' must be a path in /nix/store"
expect_error "init that is a directory" e11 '{ init = builtins.storePath "'"$KERNEL"'"; }' "is not a regular file"
expect_error "a kernel without lib/modules" e12 '{ kernelModules = builtins.storePath "'"$INIT"'"; modules = "virtio"; }' \
        "has no lib/modules/VERSION directory"
finish
