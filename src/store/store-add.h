/* Adding objects to the store: files and trees from outside (nix-store
 * --add, builtins.path, "${./src}"), text files (builtins.toFile, .drv).
 *
 * Every add is all-or-nothing. The object is written under a temporary name
 * in the store directory (protected by a temporary root), canonicalised,
 * synced, renamed to its final name, and only then registered in one
 * transaction. A crash at any instant leaves either no valid path (and at
 * most an invalid leftover that the next add or GC removes) or the complete,
 * registered object. Concurrent adds of the same path serialise on the
 * lock file HASH-NAME.lock in the store directory; the loser finds the path
 * valid and reuses it. */
#pragma once

#include <stddef.h>

#include "nar.h"
#include "store-path.h"
#include "store.h"

/* Makes the tree at path (relative to dirfd) look like every store object:
 * owned by root (when running as root), regular files 0444 or 0555 (when
 * any execute bit was set), directories 0555, setuid/setgid/sticky bits
 * cleared, modification time 1 (the epoch + 1 s). Symlinks are not
 * followed. Fails with -EBADFD on a file type a store cannot hold. */
int store_canonicalise(int dirfd, const char *path);

/* Adds the file or tree at src (a real path, relative to the working
 * directory) under name. With FILE_INGESTION_RECURSIVE the path is the
 * fixed-output path of the NAR hashed with algo ("source" path for
 * sha256); with FILE_INGESTION_FLAT src must be a regular file and the path
 * is that of its contents hashed with algo. filter (may be NULL) leaves
 * entries out, as builtins.filterSource does. Returns the logical store
 * path in *ret_path (malloc'ed), also when it was valid already. */
int store_add_from_path(Store *store, const char *src, const char *name, FileIngestion method, HashAlgo algo,
                        NarFilter filter, void *filter_userdata, char **ret_path, char **ret_error);

/* Adds a text file (builtins.toFile, a .drv): its path is the text path of
 * (name, sha256(data), refs). refs (sorted, may be NULL) must be valid. A
 * .drv's outputs are recorded in DerivationOutputs. */
int store_add_text(Store *store, const char *name, const void *data, size_t len, char *const *refs,
                   char **ret_path, char **ret_error);

/* The ca field for a fixed-output path: "fixed:[r:]ALGO:NIX32". */
char *store_make_fixed_ca(FileIngestion method, const Hash *hash);

typedef struct PathInfo PathInfo; /* store-db.h */

/* Installs n objects that were written (e.g. by nar_restore) under the
 * temporary names tmp_names (in the store directory, protected by temporary
 * roots) as the paths infos[i]->path (n distinct paths), all or nothing:
 * locks every path
 * (in path order), then for each one not valid yet canonicalises, syncs and
 * renames it into place, and registers them all in one transaction (so
 * their references must be valid or among infos). A path that is valid
 * already keeps its object. On failure nothing of the batch becomes valid
 * and the objects renamed are removed again. Success or failure, no
 * temporary name remains afterwards. The caller has checked the contents
 * against infos (NAR hash and size). */
int store_install_restored(Store *store, char *const *tmp_names, PathInfo *const *infos, size_t n,
                           char **ret_error);
