/* Setuid/setgid programs: /run/wrappers/bin/NAME.
 *
 * A setuid bit cannot live in the store (read-only, and shared between
 * generations), so each declared program is COPIED to /run/wrappers and
 * given its owner, group and mode there. A copy, not a NixOS-style wrapper
 * binary: it runs exactly the program the generation names, with nothing
 * in between. The cost: a program that finds its data relative to its own
 * path (/proc/self/exe) sees /run/wrappers/... (none of the usual ones, su,
 * sudo, ping, passwd, mount, do).
 *
 * Layout: /run/wrappers/wrappers.XXXXXXXX/NAME (a fresh directory each
 * activation) and /run/wrappers/bin -> wrappers.XXXXXXXX (replaced
 * atomically, so PATH users see the old set or the new one). Older
 * wrappers.* directories are then removed. /run/wrappers should be its own
 * mount without nosuid (stage 2 mounts one at boot: systemd mounts /run
 * nosuid); a warning says when it is not.
 *
 * A wrapper whose source is missing or whose owner/group is unknown is
 * skipped with an error; the others are installed. */
#pragma once

#include <stddef.h>

#include "activation-file.h"
#include "fsops.h"
#include "users.h"

int wrappers_activate(const Root *r, const Activation *a, const UserDb *db, size_t *ret_installed);
