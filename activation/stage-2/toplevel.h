/* Which generation to activate, and starting its systemd.
 *
 * The init contract (README.md): a generation's TOPLEVEL/init is a symlink
 * to firn-activate. Stage 1 execs "TOPLEVEL/init" (argv[0] is that path, as
 * execve() passes it); firn-activate sees argv[0]'s base name "init" and
 * behaves as `firn-activate --exec-systemd TOPLEVEL`, finding TOPLEVEL as
 * the first of:
 *   1. dirname(argv[0]), when argv[0] is an absolute path and that
 *      directory has a "sw" entry (so /sbin/init doesn't count);
 *   2. the environment's systemConfig= (the kernel passes unknown
 *      name=value parameters to init as environment);
 *   3. dirname of init= on /proc/cmdline;
 *   4. systemConfig= on /proc/cmdline. */
#pragma once

#include <stdbool.h>

#include "fsops.h"

/* Whether argv0's base name is "init". */
bool toplevel_invoked_as_init(const char *argv0);

/* The TOPLEVEL for an init invocation (rules above), malloc'ed; -ENOENT
 * when none of them gives one. */
int toplevel_from_init(const char *argv0, char **ret);

/* The TOPLEVEL a generation's own TOPLEVEL/activate or
 * TOPLEVEL/bin/switch-to-configuration (links to firn-activate) belongs
 * to, from argv0 (made absolute against the working directory, links not
 * resolved), malloc'ed; -ENOENT when argv0 is neither or the directory has
 * no "sw" entry. */
int toplevel_from_self(const char *argv0, char **ret);

/* Checks that toplevel (a path inside the root) is a directory and returns
 * its canonical path inside the root (a profile link resolves to the store
 * path it names), malloc'ed. */
int toplevel_resolve(const Root *r, const char *toplevel, char **ret);

/* execv()s the generation's systemd (TOPLEVEL/sw/usr/lib/systemd/systemd,
 * else TOPLEVEL/sw/lib/systemd/systemd), argv[0] being that path, the
 * environment passed through. Returns only on failure. */
int toplevel_exec_systemd(const char *toplevel);
