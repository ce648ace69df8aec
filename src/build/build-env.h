/* The environment a builder starts with, as Nix 2.8 sets it up (its
 * initEnv), and the files it finds in its build directory. A pure function
 * of the derivation, so it is tested without building anything.
 *
 *   PATH=/path-not-set  HOME=/homeless-shelter  NIX_STORE=STOREDIR
 *   NIX_BUILD_CORES=N   NIX_BUILD_TOP TMPDIR TEMPDIR TMP TEMP PWD = /build
 *   NIX_LOG_FD=2        TERM=xterm-256color
 *   every variable of the derivation's env, except that a name listed in
 *   passAsFile becomes NAMEPath=/build/.attr-HASH (HASH: Nix base32 sha256
 *   of NAME) with the value written to that file; with __structuredAttrs
 *   the __json value goes to /build/.attrs.json instead. */
#pragma once

#include <stddef.h>

#include "derivation.h"

#define BUILD_TOP "/build"

typedef struct BuildFile {
        char *name;     /* relative to /build */
        char *contents;
} BuildFile;

typedef struct BuildEnv {
        char **env;      /* "NAME=VALUE", NULL-terminated, sorted by name */
        BuildFile *files;
        size_t n_files;
} BuildEnv;

/* Fills ret; never fails. */
void build_env_make(const Derivation *drv, const char *store_dir, unsigned cores, BuildEnv *ret);
void build_env_done(BuildEnv *env);
