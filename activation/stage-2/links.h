/* The symlinks that make a generation current.
 *
 *   /run/current-system -> TOPLEVEL        (always, replaced atomically)
 *   /run/booted-system  -> TOPLEVEL        (booting only, when absent)
 *   /usr   -> /run/current-system/sw/usr   (merged /usr: switching the
 *   /bin   -> usr/bin                       generation swaps all of /usr
 *   /sbin  -> usr/sbin                      at once)
 *   /lib   -> usr/lib
 *   /lib64 -> usr/lib64
 *
 * A stale symlink is replaced atomically; a real directory or file in the
 * way is left alone with a warning (it counts in *ret_blocked, not as an
 * error). Returns 0 or the first error (after trying every link). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "fsops.h"

int run_links_activate(const Root *r, const char *toplevel, bool booting, size_t *ret_changed);

int usr_links_activate(const Root *r, size_t *ret_changed, size_t *ret_blocked);
