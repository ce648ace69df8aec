/* Users and groups: /etc/passwd, /etc/group, /etc/shadow, /etc/gshadow
 * written as real files from activation.json, with stable numbers.
 *
 * Rules (README.md has the user-facing version):
 *   - Declared users and groups are authoritative: their lines are rebuilt
 *     each activation.
 *   - An id is, in order: the declared one; the one the name has in the
 *     current file; the one recorded for the name in /var/lib/firn/uid-map
 *     (gid-map); else a new one: system users and all groups from 999 down
 *     to 400, normal users from 1000 up to 59999.
 *   - The maps remember every name that ever had an id here, including
 *     removed users and groups, and an id in the map is never given to
 *     another name: a removed user's files can't fall to a new user.
 *   - Undeclared entries in the current files are kept when their id is
 *     below 1000 or at least 60000 (systemd-sysusers creates such at boot:
 *     messagebus, systemd-network, …; nobody is 65534), unless the maps
 *     show an earlier generation declared them (then they were ours and
 *     are removed). Undeclared entries in 1000..59999 are removed (and
 *     their ids stay reserved in the maps).
 *   - A declared user whose hashedPassword is null keeps the hash of its
 *     current /etc/shadow line (so `passwd` changes survive); a new one
 *     gets "!" (no password login).
 *   - When no user has uid 0 (or no group gid 0), a default root entry is
 *     added, so a broken activation file can't lock root out.
 *
 * Each file is replaced atomically (fsynced), maps first, then group,
 * gshadow, passwd, shadow; a file whose content is unchanged isn't
 * rewritten. The shadow files are 0640 root:shadow when a "shadow" group
 * exists, else 0600 root:root. /etc/.pwd.lock is held (as lckpwdf() does)
 * so a concurrent passwd(1) can't lose its change. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "activation-file.h"
#include "fsops.h"

/* Names to numbers, for the steps that chown (etc copies, wrappers). */
typedef struct UserDb UserDb;

typedef struct UsersStats {
        size_t users, groups;          /* lines written */
        size_t users_removed, groups_removed;
        size_t homes_created;
        size_t files_written;          /* of passwd, group, shadow, gshadow */
} UsersStats;

/* Applies a's users and groups under root r. *ret_db (caller frees) gets
 * the resulting names and numbers even when some later part (a home
 * directory, say) failed, so callers can go on; it is NULL only when the
 * account files could not be computed. Returns 0, or the first error. */
int users_activate(const Root *r, const Activation *a, UserDb **ret_db, UsersStats *ret_stats);

/* Reads the names and numbers from the current /etc/passwd and /etc/group
 * (missing files are empty), for when users_activate() failed early. */
int userdb_load(const Root *r, UserDb **ret);

/* The uid (gid) of a user (group) name, or of a decimal number given as a
 * string. -ENOENT when unknown. db may be NULL (numbers only, and "root"). */
int userdb_uid(const UserDb *db, const char *name, uid_t *ret);
int userdb_gid(const UserDb *db, const char *name, gid_t *ret);

UserDb *userdb_free(UserDb *db);
