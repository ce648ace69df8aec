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
 *   /run/systemd/system/default.target -> UNIT   (the configuration's
 *                                    default unit, when it names one)
 *
 * default.target is a relative link within /run/systemd/system, so systemd
 * reads it as an alias of UNIT (found in any unit directory). A link in
 * /etc/systemd/system would reach systemd through /etc/static and the
 * store, which leaves its search path: systemd then loads UNIT's file as a
 * separate unit named default.target, without UNIT's .wants.
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

/* unit NULL removes a default.target link made earlier. */
int default_unit_activate(const Root *r, const char *unit, bool *ret_changed);
