/* The API file systems, mounted when missing (stage 1 normally did them;
 * this makes stage 2 work after any stage 1, or none):
 *
 *   /proc (proc)  /sys (sysfs)  /dev (devtmpfs)  /dev/pts (devpts, gid 5)
 *   /dev/shm (tmpfs 1777)  /run (tmpfs 0755, nosuid)
 *   /run/wrappers (tmpfs 0755, nodev but NOT nosuid: setuid wrappers live
 *   there, and systemd will not remount an existing /run)
 *
 * "Missing" means the directory is on the same device as its parent. Only
 * for the real root: never with --root. Missing mount points are created.
 * Returns 0 or the first error (after trying all); *ret_mounted counts the
 * file systems mounted now. */
#pragma once

#include <stddef.h>

int early_mounts(size_t *ret_mounted);

/* When fds 0, 1 or 2 are closed (a stage 1 without a console), opens
 * /dev/console on them, so messages reach the console. */
void ensure_console(void);
