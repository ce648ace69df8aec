/* A local store: the directory of store objects, the SQLite database that
 * says which of them are valid, and the state beside it (GC roots, profiles,
 * temporary roots, locks).
 *
 * Layout under ROOT ("" for the real one, or a directory given with
 * --store ROOT / FIRN_STORE, like Nix's chroot stores):
 *
 *     ROOT/nix/store/HASH-NAME          store objects (logical /nix/store/…)
 *     ROOT/nix/var/nix/db/db.sqlite     Nix 2.8's schema (store-db.c)
 *     ROOT/nix/var/nix/gcroots/         roots; auto/ holds indirect roots
 *     ROOT/nix/var/nix/profiles/        profiles and their generations
 *     ROOT/nix/var/nix/temproots/PID    temporary roots of running processes
 *     ROOT/nix/var/nix/gc.lock          held exclusively while GC runs
 *
 * Paths handed to and returned by this API are logical store paths
 * ("/nix/store/…"); the files are reached through the store directory's fd,
 * so nothing outside ROOT is touched.
 *
 * Errors: functions return >= 0 or a negative errno; those that can fail for
 * a reason errno cannot say also set a malloc'ed message in *ret_error (only
 * on failure), which names the path and the reason. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hash.h"
#include "store-path.h"

typedef struct sqlite3 sqlite3;

#define STORE_STATE_DIR_DEFAULT "/nix/var/nix"

typedef struct Store {
        char *root;           /* "" or an absolute directory without trailing '/' */
        char *store_dir;      /* logical, "/nix/store" */
        char *real_store_dir; /* ROOT + store_dir */
        char *state_dir;      /* real: ROOT + "/nix/var/nix" */
        int store_fd;         /* the real store directory */
        int state_fd;         /* the real state directory */
        sqlite3 *db;
        int temproots_fd;     /* this process's temporary-roots file, -1 until the first root */
        unsigned tmp_counter; /* for names of objects being added */
} Store;

/* The root a command uses: root_arg (the --store flag) when non-NULL, else
 * $FIRN_STORE when set and non-empty, else "" (the real /nix). */
const char *store_choose_root(const char *root_arg);

/* Opens (creating what is missing: directories, database, schema) the store
 * under root ("" or NULL for the real one). Fails with a message when root
 * is not absolute or the database cannot be opened. */
int store_open(const char *root, Store **ret, char **ret_error);
Store *store_free(Store *store);
static inline void store_freep(Store **s) {
        store_free(*s);
}
#define _cleanup_store_free_ __attribute__((cleanup(store_freep)))

/* ROOT + path, malloc'ed: where a logical path's bytes really are. */
char *store_real_path(const Store *store, const char *path);

/* The file name (HASH-NAME) of a logical store path, or NULL when path is not
 * directly inside the store directory or has no valid hash part and name. */
const char *store_path_base(const Store *store, const char *path);

/* Turns what a user typed into a store path: a logical store path (trailing
 * components are dropped: /nix/store/x-y/bin/sh → /nix/store/x-y), the same
 * under the real directory ROOT/nix/store/…, or a symlink (chain) such as
 * ./result that leads there. Returns a malloc'ed logical path, or -EINVAL
 * with "path '…' is not in the Nix store". */
int store_path_from_user(const Store *store, const char *arg, char **ret_path, char **ret_error);

/* Nix's "hash part": the 32 characters after the store directory. */
static inline const char *store_path_hash_part(const Store *store, const char *path, size_t *ret_len) {
        const char *base = store_path_base(store, path);
        if (ret_len)
                *ret_len = base ? STORE_PATH_HASH_CHARS : 0;
        return base;
}

/* --- temporary roots ---------------------------------------------------
 * A path this process is about to add, build or reference is protected from
 * a concurrent GC for as long as the process lives: it is appended to
 * temproots/PID while holding gc.lock shared, so a running GC (which holds
 * gc.lock exclusively from the moment it reads the roots until it is done)
 * either saw the root or has finished. */
int store_add_temp_root(Store *store, const char *path);

/* --- permanent roots ---------------------------------------------------
 * Makes the symlink link (a real path anywhere, e.g. ./result or a profile
 * outside the state directory) an indirect GC root: gcroots/auto/NAME ->
 * link, NAME = the Nix base32 sha1 of link's absolute path, as Nix names
 * them. While link exists and leads into the store, its target stays
 * alive; when it disappears, GC drops the auto/ entry. */
int store_add_indirect_root(Store *store, const char *link);

/* Reads and parses the .drv at the logical path drv_path. Returns 0 and a
 * new Derivation (named after the file, without ".drv"), or a negative
 * errno with a message. */
typedef struct Derivation Derivation;
int store_read_derivation(Store *store, const char *drv_path, Derivation **ret, char **ret_error);

/* The real directory of build logs: ROOT/nix/var/log/nix. Malloc'ed. */
char *store_log_dir(const Store *store);

/* Locks the store path path (HASH-NAME.lock in the store directory),
 * waiting for another holder. Whoever holds it may create the path; after
 * getting it, check whether the path became valid meanwhile. Returns the
 * lock's fd. */
int store_lock_path(Store *store, const char *path);
/* Releases it (removing the lock file). */
void store_unlock_path(Store *store, const char *path, int fd);
