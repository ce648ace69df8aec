/* Dependency resolution: the set of packages a list of roots needs, as
 * `apt-get install --no-install-recommends ROOTS` picks it on a machine
 * with nothing installed.
 *
 * What counts: Pre-Depends and Depends (not Recommends or Suggests). The
 * Essential set is not added: Debian packages do not declare dependencies
 * on it, and firn's base system supplies it; a package that does name an
 * Essential package gets it like any other dependency.
 *
 * The rule, deterministic and the same for every run over the same index:
 *  - Depth first, as apt's MarkInstall: when a package is chosen, the
 *    groups of its Pre-Depends and then Depends that are not satisfied at
 *    that moment are taken in order; each (unless satisfied meanwhile)
 *    chooses a package, which is resolved in turn before the next group.
 *  - A group ("a | b (>= 2) | c") already satisfied by a chosen package
 *    (itself, or through its Provides) takes that one: the first
 *    alternative so satisfied, the first satisfying provider by name.
 *  - Otherwise the first alternative that can be satisfied wins: a real
 *    package whose candidate (deb_index_lookup()) meets the relation; else
 *    the providers of the name whose Provides meets it (an unversioned
 *    Provides meets only an unversioned dependency), of which the one with
 *    the most important Priority (required, important, standard,
 *    optional, extra, none), then the smallest name.
 *  - Architecture qualifiers: ":any", ":native" and ":amd64" name the
 *    package itself (firn builds single-architecture amd64 systems); any
 *    other architecture cannot be satisfied.
 * Each choice records its reason (which field of which package, which
 * alternative, why the earlier ones were passed over), so `firn pkgs why`
 * can explain it.
 *
 * Packages chosen before (a lock file's) are pinned: they satisfy
 * dependencies with their pinned version and Provides, are not resolved
 * again, and their own dependencies are the pinner's business. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "index.h"

typedef struct DebChoice {
        const char *name;               /* Package */
        const char *version;
        const DebPackage *package;      /* the index's paragraph; NULL for a pin */
        /* The names its Pre-Depends and Depends resolved to: sorted, no
         * duplicates, never itself (NULL-terminated). Empty for a pin. */
        char **depends;
        size_t n_depends;
        /* The choice that pulled it in (NULL for a root or a pin), and how:
         * e.g. "Depends: \"default-mta | mail-transport-agent\" of bsd-mailx:
         * first alternative, default-mta". */
        const struct DebChoice *parent;
        char *reason;
        char *provides;                 /* a pin's Provides field text; NULL otherwise */
} DebChoice;

typedef struct DebResolver DebResolver;

/* A resolver over idx (which must outlive it and be sealed). NULL only
 * when out of memory. */
DebResolver *deb_resolver_new(const DebIndex *idx);
DebResolver *deb_resolver_free(DebResolver *r);
static inline void deb_resolver_freep(DebResolver **p) {
        deb_resolver_free(*p);
}
#define _cleanup_deb_resolver_ _cleanup_(deb_resolver_freep)

/* Pins name at version, providing what the Provides field text provides
 * (NULL or "" for nothing). Returns 0; -EEXIST if name is chosen already;
 * -EINVAL (with *ret_error) for a version or Provides that does not parse. */
int deb_resolver_pin(DebResolver *r, const char *name, const char *version, const char *provides,
                     char **ret_error);

/* Makes name the choice for any dependency group that lists it as an
 * alternative (when its version fits), ahead of apt's first-that-works
 * rule: a distribution's policy where apt would ask the installed state
 * (firn's trees are merged-/usr, so "usrmerge | usr-is-merged" takes
 * usr-is-merged). */
void deb_resolver_prefer(DebResolver *r, const char *name);

/* Chooses name (a real package of the index, unless pinned or chosen
 * already, which is a no-op) and, breadth first, everything it needs that
 * is not chosen yet. Returns 0, or a negative errno with a malloc'ed
 * message in *ret_error; the resolver is then as before the call:
 *   -ENOENT   name is in neither the index nor the pins (the message
 *             suggests close names), or it is a purely virtual name (the
 *             message lists its providers)
 *   -ENOEXEC  a dependency cannot be satisfied: the message quotes the
 *             group, names the package that has it and the chain from name
 *             to that package, and says why each alternative fails
 *   -ELOOP    a chain deeper than resolve.c's bound */
int deb_resolver_add(DebResolver *r, const char *name, char **ret_error);

/* Like deb_resolver_add() for several names at once, as apt takes the
 * packages of one command line: every name is chosen first, then each is
 * resolved in turn (so one root can satisfy another's dependency). On
 * error the resolver is as before the call. */
int deb_resolver_add_all(DebResolver *r, char *const *names, size_t n, char **ret_error);

/* The choices made so far, pins first (in pin order), then the chosen
 * packages in the order they were chosen (depth first). Valid until the resolver is
 * freed. */
size_t deb_resolver_n_choices(const DebResolver *r);
const DebChoice *deb_resolver_choice(const DebResolver *r, size_t i);
/* The choice of name, or NULL. */
const DebChoice *deb_resolver_find(const DebResolver *r, const char *name);

/* "did you mean a, b?" for a name absent from idx: up to five names of the
 * index within edit distance 2, closest first (ties by name); NULL when
 * there are none. Malloc'ed. */
char *deb_index_suggest(const DebIndex *idx, const char *name);
