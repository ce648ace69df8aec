/* Finding the root device for firn's stage-1 init without libblkid: block
 * devices are listed from /sys/class/block, their nodes are the ones
 * devtmpfs makes under /dev, and LABEL=/UUID= are read from ext2/3/4
 * superblocks (the only file systems whose labels stage 1 knows). */
#pragma once

#include <stddef.h>

/* How many bytes from the start of a device hold an ext2/3/4 superblock. */
#define STAGE1_EXT_PROBE_SIZE 2048

/* Reads the label (up to 16 bytes, NUL-terminated) and the UUID (the
 * 36-character lowercase text form) of an ext2/3/4 superblock, given the
 * device's first `len` bytes. Returns 0, or -EINVAL when len is short or
 * the magic 0xEF53 (at byte 1080) is not there. */
int stage1_ext_probe(const unsigned char *buf, size_t len, char ret_label[17], char ret_uuid[37]);

/* Resolves DEVSPEC (/dev/…, LABEL=… or UUID=…, UUIDs compared without
 * regard to case) to the node of a block device that is present now.
 * Returns 0 and the node's path (malloc'ed) in *ret_path; -ENOENT while
 * no such device exists; -EINVAL for another form of DEVSPEC. */
int stage1_blkdev_find(const char *spec, char **ret_path);

/* Describes the block devices present now, for an error message:
 * "vda (64 MiB, ext4 label \"firn-root\" uuid …), sr0 (no medium)" or
 * "none". Always NUL-terminates buf. */
void stage1_blkdev_describe(char *buf, size_t len);
