/* Debian packages in the language: builtins.__firnDebian, the native half
 * of <firn/pkgs> (modules/pkgs/default.nix builds the derivations).
 *
 * A session is one lock file in use: open LOCK reads it (LOCK null means
 * ./firn.lock of the working directory when there is one, else an empty
 * lock); every package the configuration touches that the lock lacks is
 * resolved against apt's index (loaded once per process, on first need)
 * and added to the session's copy of the lock, which the program may then
 * write (deb_eval_write_locks()). Sessions are per lock path: importing
 * <firn/pkgs> twice shares one.
 *
 *   open LOCK                 the session (an opaque value)
 *   names SESSION             every package name: the index's and the lock's,
 *                             sorted
 *   packages SESSION F        { NAME = F NAME; … } over those names, lazily
 *   info SESSION NAME         { name, version, architecture, filename, size,
 *                               sha256, depends, storeName, debStoreName,
 *                               sccRoot, sccMembers, sccDepends }
 *   request SESSION NAME      marks NAME requested in the lock; returns true
 *   checkConflicts SESSION NAMES   true, or an error naming two packages of
 *                             NAMES (with their lock closures) and the
 *                             Conflicts or Breaks relation between them
 *
 * Store paths and cycles: Debian's dependency graph has cycles (libc6 ↔
 * libgcc-s1) that input-addressed paths cannot hold, so the unit of a store
 * path is a strongly connected component of the lock's dependency graph:
 * sccMembers (sorted) are unpacked into one path, named after sccRoot (its
 * first member by name), and sccDepends are the packages outside the
 * component that its members depend on. Every member's pkgs.NAME is that
 * path, so a package's store closure holds its whole resolved dependency
 * set. */
#pragma once

#include <stdbool.h>

#include "eval.h"
#include "index.h"

/* The primop table for EvalOptions.extra_primops. */
extern const PrimOp debian_primops[];

/* Where apt's lists are (NULL: index.h's default); from $FIRN_APT_LISTS. */
void deb_eval_set_lists_dir(const char *dir);

/* Uses idx (borrowed: it must outlive every evaluation, and is not freed
 * here) instead of loading apt's index again. */
void deb_eval_share_index(DebIndex *idx);

/* With locked set, a package the lock lacks is an error naming it
 * (--locked). */
void deb_eval_set_locked(bool locked);

/* Writes the lock of every session whose lock changed (atomically); paths
 * written go to *ret_written (NULL-terminated, malloc'ed; may be NULL).
 * Returns 0 or a negative errno with *ret_error. */
int deb_eval_write_locks(char ***ret_written, char **ret_error);
