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
 *     debianLayout  (optional) "1" (anything but "" and "0") merges
 *                   Debian packages into a merged-/usr system tree, with
 *                   the rules below; without it the output is what Nix's
 *                   buildenv makes, to the byte
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
 * debianLayout: the system's `sw` tree, what /usr points into at run time
 * (Debian 12's packages are not merged-/usr inside: they ship bin, sbin,
 * lib, lib64 beside usr). Packages are taken in the same order (priority,
 * then path; propagated ones after), and:
 *
 *  - Of a package's top level only directories are taken: usr is merged
 *    into the output's usr (always a real directory); bin, sbin, lib,
 *    lib32, lib64, libx32 are merged as usr/bin, usr/sbin, … (a package's
 *    usr before its bin…, bin… before its etc); etc as etc. Everything
 *    else at the top is left out: nix-support, var, dev, run, boot, home,
 *    tmp…, and top-level symlinks or files (a "bin -> usr/bin").
 *  - Below that, every entry is taken, names starting with '.' included
 *    (etc/skel/.bashrc), and none of the names Nix leaves out is skipped.
 *  - A package's symlink is never followed, merged into or linked to: it is
 *    copied into the output as a symlink. An absolute target is kept as it
 *    is; a relative one is made absolute against the link's FHS location,
 *    i.e. resolved lexically from the link's directory as if the package
 *    were unpacked at "/" ('..' stops at "/"), then a leading bin, sbin,
 *    lib… is put under /usr: etc/os-release -> ../usr/lib/os-release
 *    becomes /usr/lib/os-release, etc/sysctl.d/99-sysctl.conf ->
 *    ../sysctl.conf becomes /etc/sysctl.conf, bin/sh -> dash becomes
 *    /usr/bin/dash. So every copied link resolves through the system's /
 *    (/usr, /etc), as it would have on Debian, whichever package provides
 *    its target.
 *  - A regular file becomes a symlink to the package's file.
 *  - A directory only one package has (so far) becomes one symlink to it,
 *    unless a symlink at any depth inside it has a relative target that
 *    leaves it (lexically, counting from the link's directory): then it is
 *    a real directory and its entries are merged one by one (so the rule
 *    above fixes the link). A symlink inside a linked directory thus
 *    resolves within it, the same way through the store as through the
 *    tree. When a second package has the directory too, the link is
 *    replaced by a real directory merging both, recursively.
 *  - Two entries at one place: two symlinks with the same (absolutised)
 *    target, or two regular files with the same bytes and executable bit,
 *    are one entry: the first one stays, silently. Otherwise (different
 *    contents, or a directory against a non-directory) the smaller
 *    priority number wins silently; equal priorities fail with
 *    "collision between 'EXISTING' and 'NEW' at '/PATH': …", naming both
 *    packages' entries (store paths) and the place in the tree.
 *  - Finally the output gets top-level bin, sbin, lib, lib32, lib64,
 *    libx32 -> usr/NAME (relative symlinks), for each usr/NAME it has.
 *
 * The result depends only on the packages' contents, their priorities and
 * their paths: directories are read in sorted order. Package paths must lie
 * under the store directory (ctx->store->store_dir).
 *
 * Returns 0, or a negative errno and a malloc'ed message in *ret_error; on
 * failure nothing is left at the output's path. */
#pragma once

#include "builtin-builders.h"

int builtin_buildenv(const BuiltinContext *ctx, char **ret_error);
