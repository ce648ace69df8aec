/* /etc/machine-id: a real file holding 32 hex digits and a newline before
 * systemd starts. Missing, empty or "uninitialized" makes systemd believe
 * this is the first boot (preset-all, and systemd-firstboot waiting on the
 * console); so:
 *   - a valid id (32 hex digits, either case, optional newline) in a
 *     regular file is kept as it is;
 *   - a symlink that leads (within the root) to a valid id is replaced by a
 *     real file holding that id;
 *   - anything else is replaced by a random id (getrandom, never blocking,
 *     formatted as a v4 UUID like systemd's), mode 0444, fsynced.
 * /etc/machine-id is never part of the generation's etc. */
#pragma once

#include <stdbool.h>

#include "fsops.h"

/* *ret_created tells whether a new id was written. Returns 0 or an error. */
int machine_id_activate(const Root *r, bool *ret_created);

/* Whether data (len bytes) is a valid machine id file's content. */
bool machine_id_valid(const char *data, size_t len);
