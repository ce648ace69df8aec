/* The store database: which store paths are valid, with their metadata and
 * references, in SQLite with Nix 2.8's schema (ValidPaths, Refs,
 * DerivationOutputs), so Nix itself can read a firn store.
 *
 * The database is opened in WAL mode with a busy timeout, so several firn
 * processes can use one store. A path is valid exactly when it has a row in
 * ValidPaths; rows are only added after the path's bytes are on disk and
 * synced, and removed before the bytes go (store-gc.c), so a valid path is
 * always complete. Each registration or invalidation is one transaction.
 *
 * Paths are logical store paths. Lists are strv (strv.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hash.h"
#include "store.h"

typedef struct PathInfo {
        char *path;
        Hash nar_hash;           /* sha256 of the NAR */
        uint64_t nar_size;
        char *deriver;           /* NULL when unknown */
        time_t registration_time;
        bool ultimate;           /* built here (not substituted) */
        char *sigs;              /* space-separated KEY:SIG, or NULL */
        char *ca;                /* "text:sha256:…", "fixed:[r:]ALGO:…", or NULL */
        char **references;       /* sorted; may include path itself */
} PathInfo;

PathInfo *path_info_new(const char *path);
PathInfo *path_info_free(PathInfo *info);
static inline void path_info_freep(PathInfo **p) {
        path_info_free(*p);
}
#define _cleanup_path_info_free_ __attribute__((cleanup(path_info_freep)))

/* Opens or creates the database (store.c calls this from store_open). */
int store_db_open(Store *store, char **ret_error);
void store_db_close(Store *store);

/* 1 if path is valid, 0 if not, or a negative errno. */
int store_is_valid(Store *store, const char *path);

/* The metadata of a valid path; -ENOENT when it is not valid. */
int store_query_path_info(Store *store, const char *path, PathInfo **ret);

/* Registers infos as valid in one transaction. Every reference must be
 * valid already or be one of infos (else -EINVAL with a message naming
 * both paths). A .drv path also gets its DerivationOutputs rows, read from
 * its file. Paths already valid are updated (Nix's registerValidPaths).
 * registration_time 0 means now. */
int store_register_paths(Store *store, PathInfo *const *infos, size_t n, char **ret_error);

/* The valid paths that refer to path (not path itself), sorted. */
int store_query_referrers(Store *store, const char *path, char ***ret);

/* The output paths of a valid .drv: outputs names and paths, both sorted by
 * name, same length. */
int store_query_drv_outputs(Store *store, const char *drv_path, char ***ret_names, char ***ret_paths);

/* The valid derivations (from DerivationOutputs) that have path as an output. */
int store_query_valid_derivers(Store *store, const char *path, char ***ret);

/* Every valid path, sorted. */
int store_query_all_valid(Store *store, char ***ret);

/* Closure of paths under references (forward) or referrers (reverse),
 * sorted; the start paths are included. Fails with -ENOENT and a message
 * when a start path is not valid. */
int store_query_closure(Store *store, char *const *paths, bool reverse, char ***ret, char **ret_error);

/* Removes path from the database (one transaction). Fails with -EBUSY when
 * another valid path still refers to it. The caller removes the bytes
 * afterwards. */
int store_invalidate_path(Store *store, const char *path, char **ret_error);

/* Replaces the NAR hash and size of a valid path (verify --repair of
 * metadata). */
int store_update_path_hash(Store *store, const char *path, const Hash *nar_hash, uint64_t nar_size);

/* "sha256:HEX" as ValidPaths.hash stores it, and back. */
char *store_db_format_hash(const Hash *h);
int store_db_parse_hash(const char *s, Hash *ret);

/* --- bulk operations for garbage collection (store-gc.c) --------------- */

/* The whole reference graph, read in one snapshot (two queries): every
 * valid path with its deriver and NAR size, and every reference as a pair
 * of indexes into paths. */
typedef struct StoreGraph {
        size_t n;
        char **paths;         /* n logical paths, in ValidPaths.id order (a strv) */
        char **derivers;      /* n entries, NULL where unknown (not a strv) */
        uint64_t *nar_sizes;  /* n entries */
        size_t n_refs;
        size_t *ref_from;     /* n_refs referrer indexes */
        size_t *ref_to;       /* n_refs reference indexes; self-references left out */
} StoreGraph;

int store_query_graph(Store *store, StoreGraph *ret);
/* Frees what graph holds and zeroes it. */
void store_graph_done(StoreGraph *graph);

/* Removes paths from the database in one transaction, in the order given
 * (referrers before their references). A path that another valid path
 * (not removed before it in this call) still refers to is kept:
 * ret_invalidated[i] (n entries, may be NULL) says false for it, and true
 * for a path removed or not valid to begin with. On failure nothing is
 * removed. The caller removes the files of the invalidated paths
 * afterwards. */
int store_invalidate_paths(Store *store, char *const *paths, size_t n, bool *ret_invalidated, char **ret_error);
