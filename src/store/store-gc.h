/* Garbage collection: finding the roots, the live set, and deleting
 * everything else (nix-store --gc, nix-store --delete).
 *
 * Roots are
 *   - symlinks under <state>/gcroots and <state>/profiles (recursively; real
 *     directories only) whose target lies in the store: the store path the
 *     target names (its first component after the store directory);
 *   - symlinks whose target is another symlink that leads into the store
 *     (gcroots/auto/NAME -> /home/u/result -> /nix/store/…, made by
 *     store_add_indirect_root()); an auto/ entry whose link is gone is stale
 *     and removed by a collection;
 *   - the temporary roots of running firn processes (<state>/temproots/PID,
 *     see store_add_temp_root());
 *   - optionally, runtime roots: store paths that running processes have
 *     open, mapped, as executable or as working directory (/proc).
 * Link targets name logical store paths (/nix/store/…); a target under the
 * real store directory (ROOT/nix/store/…) is accepted too.
 *
 * The live set is the closure under references of the valid roots, plus
 * (keep_derivations, Nix's default) the valid deriver of every live path
 * and its closure. Dead: every other valid path, and every entry of the
 * store directory that is not a valid path, not a temporary or runtime
 * root, and not a lock file that someone holds ("HASH-NAME.lock").
 *
 * Concurrency: a collection holds <state>/gc.lock exclusively from before
 * it reads the temporary roots until it is done, so a process that adds a
 * temporary root (under gc.lock shared) either had its root read or waits
 * for the end. A process must add a temporary root for a path before it
 * creates, registers or references it.
 *
 * Crash safety: dead valid paths are removed in batches, referrers before
 * references; each batch is first invalidated in one database transaction
 * and only then are its files removed. A crash leaves at worst invalid
 * files, which the next collection removes; a valid path is never
 * half-deleted.
 *
 * The library prints nothing: progress goes through the callbacks. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef enum GcAction {
        GC_ACTION_DELETE_DEAD,     /* collect: delete every dead path */
        GC_ACTION_RETURN_LIVE,     /* only list the live paths */
        GC_ACTION_RETURN_DEAD,     /* only list the dead paths */
        GC_ACTION_DELETE_SPECIFIC, /* delete paths_to_delete, all or none */
} GcAction;

#define GC_MAX_FREED_UNLIMITED UINT64_MAX

typedef struct GcOptions {
        GcAction action;
        /* GC_ACTION_DELETE_SPECIFIC: the logical store paths to delete. Valid
         * paths that nothing else keeps alive are deleted (paths not listed
         * count as alive, so a path still referenced by an unlisted valid
         * path is alive); invalid ones that exist are removed as leftovers.
         * If one of them is alive, nothing is deleted. */
        char *const *paths_to_delete;
        /* Stop deleting once this many bytes were freed (checked before each
         * path; 0 deletes nothing). GC_MAX_FREED_UNLIMITED: no limit. */
        uint64_t max_freed;
        bool keep_derivations; /* a live path's valid deriver is live */
        bool runtime_roots;    /* scan /proc for paths in use */
        /* Called (may be NULL) just before the files of each deleted path
         * are removed, with the logical path. */
        void (*on_delete)(void *userdata, const char *path);
        /* Called (may be NULL) with informational messages, e.g. "removing
         * stale link from 'L' to 'T'". */
        void (*on_info)(void *userdata, const char *message);
        void *userdata;
} GcOptions;

/* Nix's defaults: collect everything dead, keep derivations, runtime roots. */
#define GC_OPTIONS_INIT                                                                  \
        {                                                                                \
                .action = GC_ACTION_DELETE_DEAD, .max_freed = GC_MAX_FREED_UNLIMITED,   \
                .keep_derivations = true, .runtime_roots = true,                        \
        }

typedef struct GcResults {
        /* The deletion actions: the deleted paths, in deletion order
         * (invalid leftovers included). RETURN_LIVE / RETURN_DEAD: the paths,
         * sorted. Logical paths; NULL when empty. */
        char **paths;
        uint64_t bytes_freed; /* sizes of the files whose last link went (as Nix counts) */
} GcResults;

/* Frees what results holds (not results itself) and zeroes it. */
void gc_results_done(GcResults *results);

/* Runs the action. Returns 0, or a negative errno with a message in
 * *ret_error: -EBUSY "Cannot delete path '…' since it is still alive. …"
 * for GC_ACTION_DELETE_SPECIFIC (nothing deleted then), or the failure
 * that stopped a collection. results is filled in either case with what
 * was done (the caller calls gc_results_done()). Blocks while another
 * collection runs. Must not be called while this process is inside
 * store_add_temp_root() (it waits on gc.lock). */
int store_collect_garbage(Store *store, const GcOptions *options, GcResults *results, char **ret_error);

/* One root: link is what keeps path alive: the real path of a symlink, or
 * "{temp:PID}" for a temporary root, or "{/proc/PID/fd/N}" (…/exe, …/cwd,
 * …/maps) for a runtime root. path is a logical store path. */
typedef struct GcRoot {
        char *link;
        char *path;
} GcRoot;

void gc_roots_free(GcRoot *roots, size_t n);

/* The roots whose store path is valid, sorted by link then path (the order
 * of nix-store --gc --print-roots). Reads the temporary roots under
 * gc.lock; removes nothing. */
int store_find_roots(Store *store, bool runtime_roots, GcRoot **ret_roots, size_t *ret_n, char **ret_error);
