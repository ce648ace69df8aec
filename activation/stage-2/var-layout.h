/* The directories every system has, and /etc/mtab.
 *
 *   /var /var/lib /var/lib/firn /var/log /var/cache   0755
 *   /var/tmp /tmp                                      1777 (fixed if wrong)
 *   /var/empty                                         0555 (home of system users)
 *   /root                                              0700
 *   /etc/mtab -> /proc/self/mounts
 *
 * Missing directories are created; existing ones keep their mode, except
 * the two tmp directories, whose 1777 is a security property. A real
 * /etc/mtab is left alone with a warning. Returns 0 or the first error
 * (after trying everything). */
#pragma once

#include <stddef.h>

#include "fsops.h"

int var_layout_activate(const Root *r, size_t *ret_created);
