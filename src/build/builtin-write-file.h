/* builtin:write-file and builtin:link-farm: the store objects behind the
 * trivial builders of modules/pkgs/trivial.nix (writeTextFile, linkFarm),
 * made without a shell or a sandbox.
 *
 * builtin:write-file writes one file. The derivation's environment:
 *
 *     text          the file's contents (required). A builtin reads the
 *                   derivation's attributes themselves, so passAsFile
 *                   changes nothing here.
 *     executable    "1": the file is executable (0555 once canonicalised),
 *                   "" or unset: it is not (0444); anything else is an error
 *     destination   "" or unset: the output is the file itself; otherwise an
 *                   absolute path such as "/bin/foo": the output is a
 *                   directory holding the file at that relative path (its
 *                   parent directories created, 0755). A relative path, an
 *                   empty component ("//", a trailing '/') or a "." or ".."
 *                   component is an error.
 *
 * builtin:link-farm makes a directory of symlinks. The environment:
 *
 *     entries       lines "NAME\tPATH" (the last line may lack its '\n';
 *                   empty lines are ignored): a symlink NAME -> PATH in the
 *                   output, PATH taken verbatim (the rest of the line after
 *                   the first tab, not empty). NAME is relative and may hold
 *                   '/': the directories on the way are created. An empty
 *                   or absolute NAME, a "." or ".." component, an empty
 *                   component ("a//b", "a/"), two entries with one NAME, or
 *                   one entry inside another's NAME ("a" and "a/b") is an
 *                   error.
 *
 * Both make the output "out" (the only output they look at), never follow
 * a symlink they meet inside it, and leave modes to the store's
 * canonicalisation. Each returns 0, or a negative errno and a malloc'ed
 * message in *ret_error that names the offending value; on failure nothing
 * is left at the output's path. */
#pragma once

#include "builtin-builders.h"

int builtin_write_file(const BuiltinContext *ctx, char **ret_error);
int builtin_link_farm(const BuiltinContext *ctx, char **ret_error);
