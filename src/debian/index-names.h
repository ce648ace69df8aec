/* The names of every package in apt's index, cached: building `pkgs` (an
 * attribute set over all ~64,000 names) must not parse 50 MB of lists
 * each time when the lock already pins what the configuration uses.
 *
 * The cache is one file, $FIRN_CACHE_DIR (else $XDG_CACHE_HOME/firn, else
 * $HOME/.cache/firn) + "/apt-names", holding a signature of the lists it
 * was made from (each list's name, size and modification time, in the
 * loader's order) and then the names. It is used only when the signature
 * equals the lists' current one; otherwise the index is loaded, the names
 * taken from it and the cache rewritten (atomically; a cache that cannot be
 * written is not an error). */
#pragma once

#include <stddef.h>

#include "index.h"

/* Sets *ret to the sorted names (a NULL-terminated strv) of the index over
 * lists_dir (NULL: apt's). When the cache is stale and idx_io is not NULL,
 * the loaded index is handed over in *idx_io (if *idx_io is already an
 * index, it is used instead of loading). Errors as deb_index_load(). */
int deb_index_names(const char *lists_dir, DebIndex **idx_io, char ***ret, size_t *ret_n, char **ret_error);
