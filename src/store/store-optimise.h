/* Deduplication (nix-store --optimise): identical regular files in store
 * objects become hard links to one inode, kept in STORE/.links/HASH where
 * HASH is the Nix base32 sha256 of the file's NAR serialisation (contents
 * and executable bit), as Nix names them. GC removes .links entries that no
 * store object uses any more (link count 1). */
#pragma once

#include <stdint.h>

#include "store.h"

typedef struct OptimiseStats {
        uint64_t files_linked;  /* files replaced by a hard link */
        uint64_t bytes_freed;
} OptimiseStats;

/* Optimises every valid path. Each replacement is atomic (link to a
 * temporary name, then rename over the file), so a crash leaves every file
 * with its contents. Returns 0 or a negative errno (with *ret_error). */
int store_optimise(Store *store, OptimiseStats *ret_stats, char **ret_error);
