/* Checking a store against its database (nix-store --verify): every valid
 * path is on disk, its references are valid, and (with check_contents) its
 * NAR hash and size are what was registered.
 *
 * Findings are reported through a callback, one per problem, as Nix words
 * them; the library prints nothing. */
#pragma once

#include <stdbool.h>

#include "store.h"

typedef struct VerifyOptions {
        bool check_contents; /* re-hash every valid path */
        bool repair;         /* drop missing paths nothing refers to; fix wrong sizes */
} VerifyOptions;

/* Receives each problem found: the path concerned and a message. */
typedef void (*VerifyReport)(void *userdata, const char *path, const char *message);

/* Verifies the whole store. Returns the number of problems left (0 when
 * the store is consistent, after repairs), or a negative errno when the
 * check itself could not run (then *ret_error says why). */
int store_verify(Store *store, const VerifyOptions *opts, VerifyReport report, void *userdata, char **ret_error);
