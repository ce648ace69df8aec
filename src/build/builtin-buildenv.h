/* builtin:buildenv: a user environment (a profile's contents) as a symlink
 * farm, as Nix 2.8's buildenv builtin makes it for nix-env.
 *
 * The derivation's environment:
 *
 *     derivations   groups "ACTIVE PRIORITY N PATH1 … PATHN", separated by
 *                   whitespace: ACTIVE is "false" to leave the N paths out
 *                   (anything else keeps them), PRIORITY an integer (a
 *                   lower number wins a collision), N how many paths
 *                   follow (a package's outputs)
 *     manifest      (optional) written as the symlink out/manifest.nix
 *
 * The output "out" becomes a directory. Packages are merged into it in
 * priority order (ties by path): each entry of a package (names starting
 * with '.' aside, and nix-support, propagated-build-inputs, perllocal.pod,
 * info/dir, log, manifest.nix, manifest.json, which Nix leaves out too)
 * becomes a symlink to the package's entry. A directory is linked as a
 * whole while one package has it; when a second package has it too, the
 * link is replaced by a real directory and both packages' entries are
 * merged inside it, recursively. Two non-directories at one place: the
 * smaller priority number wins silently; equal priorities fail with
 * "collision between 'EXISTING' and 'NEW': …". A package's
 * nix-support/propagated-user-env-packages (paths separated by whitespace)
 * adds those packages afterwards, in rounds, each with the next priority
 * from 1000 on, as Nix does.
 *
 * Link targets are logical paths ("/nix/store/…"); the packages are read
 * under the store's root (ctx->store->root), resolving symlinks as if the
 * root were "/". Symlinks in packages that lead nowhere are skipped with a
 * warning on ctx->log_fd.
 *
 * Returns 0, or a negative errno and a malloc'ed message in *ret_error; on
 * failure nothing is left at the output's path. */
#pragma once

#include "builtin-builders.h"

int builtin_buildenv(const BuiltinContext *ctx, char **ret_error);
