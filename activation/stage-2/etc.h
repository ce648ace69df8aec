/* /etc as a link farm into the generation (NixOS's setup-etc, in C).
 *
 *   /etc/static -> /run/current-system/etc          (replaced atomically)
 *   /etc/X      -> /etc/static/X                    for each file of TOPLEVEL/etc
 *   /etc/D/                                         a real directory for each
 *                                                   directory of TOPLEVEL/etc
 *                                                   (also one reached through a
 *                                                   symlink), so others can add
 *                                                   files beside the links
 *   /etc/X (a copy)                                 where activation.json's
 *                                                   "etc" gives a mode
 *
 * Ownership: firn owns every symlink into /etc/static/ and the copies and
 * directories recorded in /etc/.firn-managed ("f PATH" and "d PATH" lines).
 * What it owns it replaces or removes freely; a regular file or directory
 * it doesn't own is left alone, with a warning when it blocks an entry.
 * A symlink that blocks an entry is replaced (it holds no data). Declared
 * copies overwrite whatever regular file is there (the configuration is
 * authoritative for them).
 *
 * Removal: a link into /etc/static/ whose target is no longer an entry of
 * the generation is removed; a copy recorded in the old manifest but not
 * declared any more is removed; a recorded directory the generation no
 * longer has is removed when empty.
 *
 * Crash safety: each entry is replaced by rename(2). The manifest is first
 * rewritten as the union of the old and the new one (fsynced) and only
 * after all changes as the new one, so after a crash at any point the next
 * activation still knows everything it owns.
 *
 * Top-level names owned by other steps are skipped (with a warning when
 * the generation has them): static, passwd, group, shadow, gshadow,
 * machine-id, mtab, .firn-managed, .pwd.lock. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "activation-file.h"
#include "fsops.h"
#include "users.h"

typedef struct EtcStats {
        size_t entries;        /* files and directories in the generation's etc */
        size_t changed;        /* links, copies and directories created or replaced */
        size_t removed;        /* stale links, copies and directories removed */
        size_t blocked;        /* entries left alone because something not ours is there */
} EtcStats;

/* toplevel is the generation's path inside the root. db resolves the
 * "user"/"group" names of copies (may be NULL: numbers and root only).
 * copies_known is false when activation.json could not be read: then
 * the copies firn owns are neither replaced by links nor removed (a broken
 * file must not turn sudoers 0440 into a link).
 * Returns 0 when every entry was applied (blocked ones count as applied:
 * they are warnings), else the first error; it goes on after errors. */
int etc_activate(const Root *r, const char *toplevel, const Activation *a, const UserDb *db, bool copies_known,
                 EtcStats *ret);
