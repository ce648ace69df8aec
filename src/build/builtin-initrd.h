/* builtin:initrd: the initial RAM disk for firn's stage-1 init, a
 * compressed newc cpio archive.
 *
 * The derivation's environment:
 *
 *     init           store path of the stage-1 program (a regular file,
 *                    firn-stage-1): /init in the archive, mode 0755
 *                    (required)
 *     kernelModules  store path of an unpacked kernel package (Debian's
 *                    linux-image-VERSION: lib/modules/VERSION/kernel/…/NAME.ko,
 *                    or under usr/lib/modules); exactly one VERSION
 *                    directory. Required when `modules` names any.
 *     modules        whitespace-separated names of the modules to load
 *                    ("virtio_pci virtio_blk 9p 9pnet_virtio ext4"); '-'
 *                    and '_' are the same, as for modprobe. Each module's
 *                    .ko, .ko.xz, .ko.zst or .ko.gz file is found by name
 *                    anywhere under the VERSION directory; its dependencies
 *                    (the `depends=` field of its ELF .modinfo section) are
 *                    added, transitively. Soft dependencies (`softdep=`) are
 *                    not: name them (ext4 wants crc32c_generic, say). A name
 *                    listed in VERSION/modules.builtin is skipped with a
 *                    note in the log; an unknown name is an error naming it.
 *     conf           the rest of stage-1.conf: root, mount, timeout and
 *                    emergency-shell lines (activation/stage-1/README.md).
 *                    Checked lightly: every directive must be one of those
 *                    four, and a root line must be there.
 *     shell          optional: store path of a statically linked x86-64
 *                    program (no PT_INTERP; busybox-static's bin/busybox)
 *                    placed at /bin/sh, mode 0755, for stage 1's emergency
 *                    shell; a dynamically linked one is refused.
 *     compression    "zstd" (the default, level 19), "gzip" (level 9, no
 *                    timestamp) or "none"; Debian's 6.1 kernel reads all
 *                    three (CONFIG_RD_ZSTD, CONFIG_RD_GZIP).
 *
 * The output "out" is one file, the compressed archive. It holds the
 * directories dev, proc, sys, run, mnt-root, etc, etc/firn, lib and
 * lib/modules; dev/console (character device 5,1, so the kernel can give
 * init a console before devtmpfs is mounted); init; bin and bin/sh
 * (with `shell`); lib/modules/NAME.ko
 * for each module (decompressed, NAME with '_'); and
 * etc/firn/stage-1.conf: one "module /lib/modules/NAME.ko" line per
 * module, every module after its dependencies (a depth-first walk of the
 * names in the order given, each module's dependencies in the order its
 * .modinfo lists them), followed by `conf`. Entries are in that fixed
 * order, owned by 0:0, with mtime 0 and inode numbers counted from 1, so
 * the same inputs give the same bytes.
 *
 * Returns 0, or a negative errno and a malloc'ed message in *ret_error;
 * on failure nothing is left at the output's path. */
#pragma once

#include "builtin-builders.h"

int builtin_initrd(const BuiltinContext *ctx, char **ret_error);
