/* Builders implemented inside firn (derivations with builder
 * "builtin:NAME"), run in the build process instead of a sandbox, as Nix
 * runs builtin:fetchurl and builtin:buildenv. Later issues add more
 * (initrds, disk images) by adding rows to the registry in
 * builtin-builders.c; layers above build register theirs
 * (builtin_builder_register(): Debian's fetch-deb and unpack-deb). */
#pragma once

#include "derivation.h"
#include "store.h"

typedef struct BuiltinContext {
        Store *store;
        const Derivation *drv;
        const char *drv_path;
        /* For each output of drv (same order): the host directory entry to
         * create it at (it does not exist yet). */
        char **output_dirs;
        int log_fd;        /* messages for the build log */
        int event_fd;      /* download progress (progress_download_send); <= 0: none */
} BuiltinContext;

typedef int (*BuiltinBuilderFn)(const BuiltinContext *ctx, char **ret_error);

/* Adds a builder for "builtin:NAME" (name is the whole string; it must
 * outlive the process), for layers above build (src/debian). Returns 0,
 * -EEXIST when the name is taken, -ENOSPC when the table is full. Call it
 * at start-up, before builds run in threads. */
int builtin_builder_register(const char *name, BuiltinBuilderFn fn);

/* The builder for "builtin:NAME", or NULL. */
BuiltinBuilderFn builtin_builder_find(const char *builder);

/* The path a builtin writes output `name` to (NULL if drv has no such
 * output). */
const char *builtin_output_dir(const BuiltinContext *ctx, const char *name);
