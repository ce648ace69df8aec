/* Substitution: making store paths valid by fetching them (with their
 * closure) from the binary caches the settings name, instead of building.
 *
 * Settings (conf.h, Nix's names): `substituters` (space-separated cache
 * URLs, tried in order), `trusted-public-keys` (with extra-…), and
 * `require-sigs` (default true: unsigned or wrongly signed paths are
 * refused). */
#pragma once

#include <stdbool.h>

#include "binary-cache.h"
#include "conf.h"
#include "store.h"

typedef struct Substituter Substituter;

/* The caches the settings name (none is fine: nothing substitutes).
 * Fails only on malformed settings (a bad URL or key), with a message. */
int substituter_new(const Conf *conf, Substituter **ret, char **ret_error);
Substituter *substituter_free(Substituter *s);

/* Shows the caches' transfers through fn (binary_cache_set_progress). */
void substituter_set_progress(Substituter *s, BinaryCacheProgressFn fn, void *userdata);

/* True when some cache is configured. */
bool substituter_enabled(const Substituter *s);

/* Makes all of paths valid from the first cache that has every one of
 * them. Returns 1 when it did, 0 when no cache has them all (or all that
 * tried failed; *ret_warning then says why, malloc'ed, may be NULL), or a
 * negative errno for a local failure. */
int substituter_fetch(Substituter *s, Store *store, char *const *paths, char **ret_warning);
