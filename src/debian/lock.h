/* firn.lock: the Debian packages a configuration uses, pinned.
 *
 * JSON, written with sorted keys and two-space indentation so diffs stay
 * small:
 *
 *   {
 *     "version": 1,
 *     "packages": {
 *       "hello": {
 *         "architecture": "amd64",
 *         "depends": ["libc6"],
 *         "filename": "pool/main/h/hello/hello_2.10-3_amd64.deb",
 *         "requested": true,
 *         "sha256": "…64 hex digits…",
 *         "size": 53080,
 *         "version": "2.10-3"
 *       },
 *       …
 *     }
 *   }
 *
 * Per package: its version, architecture, the .deb's filename (relative
 * to the archive root), size and sha256, and the names its Pre-Depends
 * and Depends resolved to (resolve.h), every one of which is itself in the
 * lock: the lock is closed under "depends". Optional: "requested" (asked
 * for by name, not only pulled in: `firn lock --update` resolves these
 * again), "essential", and the Provides, Conflicts and Breaks field texts
 * ("provides", "conflicts", "breaks") that resolution against pins and the
 * conflict check of a composed system need without the index. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "index.h"
#include "resolve.h"

#define DEB_LOCK_VERSION 1
/* Bounds on what a lock may hold. */
#define DEB_LOCK_PACKAGES_MAX 200000
#define DEB_LOCK_FILE_MAX ((size_t) 256 << 20)

typedef struct DebLockEntry {
        char *name;
        char *version;
        char *architecture;
        char *filename;
        uint64_t size;
        char *sha256;           /* 64 lowercase hex digits */
        char **depends;         /* sorted, unique, NULL-terminated (never NULL) */
        bool requested;
        bool essential;
        char *provides, *conflicts, *breaks;    /* field text; NULL when absent */
} DebLockEntry;

typedef struct DebLock {
        DebLockEntry **entries; /* sorted by name */
        size_t n_entries;
        bool changed;           /* set by deb_lock_put() and _remove() */
} DebLock;

DebLock *deb_lock_new(void);
DebLock *deb_lock_free(DebLock *lock);
static inline void deb_lock_freep(DebLock **p) {
        deb_lock_free(*p);
}
#define _cleanup_deb_lock_ _cleanup_(deb_lock_freep)

/* Reads a lock file. Returns 0, or a negative errno with a message that
 * names path in *ret_error: -ENOENT and other errnos of reading it,
 * -EBADMSG when it is not a valid lock (the message says which package
 * and field, or the JSON error's line and column; a dependency missing
 * from the lock is an error too), -E2BIG above the bounds. */
int deb_lock_read(const char *path, DebLock **ret, char **ret_error);

/* Writes lock to path atomically (a temporary file in the same directory,
 * fsync, rename): a crash leaves the old file or the new one. Returns 0 or
 * a negative errno with *ret_error. */
int deb_lock_write(const DebLock *lock, const char *path, char **ret_error);

/* The entry for name, or NULL. */
const DebLockEntry *deb_lock_find(const DebLock *lock, const char *name);

/* An entry for index package p with the resolved depends (copied); p's
 * other fields are copied from the index. */
DebLockEntry *deb_lock_entry_from_index(const DebPackage *p, char *const *depends);
DebLockEntry *deb_lock_entry_copy(const DebLockEntry *e);
DebLockEntry *deb_lock_entry_free(DebLockEntry *e);

/* Adds e (taking ownership), replacing an entry of the same name. Sets
 * lock->changed unless an equal entry was there. */
void deb_lock_put(DebLock *lock, DebLockEntry *e);
/* Removes name's entry; returns whether there was one. */
bool deb_lock_remove(DebLock *lock, const char *name);

/* Pins every entry of lock in r (deb_resolver_pin()). */
int deb_lock_pin_all(const DebLock *lock, DebResolver *r, char **ret_error);

/* Adds to lock the packages r chose from the index (not pins) among its
 * choices from index `from` on, keeping "requested" of entries replaced.
 * A package the index gives no SHA256 or Filename (so it cannot be
 * fetched) is -EBADMSG with a message, and nothing is added. */
int deb_lock_add_choices(DebLock *lock, const DebResolver *r, size_t from, char **ret_error);

/* Marks name requested (no-op when it is, or is not in the lock). */
void deb_lock_request(DebLock *lock, const char *name);
