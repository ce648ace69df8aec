/* Profiles and their generations, as Nix 2.8 keeps them (nix-env -p P
 * --set / --list-generations / --rollback / --switch-generation /
 * --delete-generations).
 *
 * A profile is a symlink DIR/NAME. Its generations are the symlinks
 * DIR/NAME-N-link (N = 1, 2, …, decimal without leading zeros) beside it,
 * each pointing at a logical store path ("/nix/store/…"); NAME points at
 * one of them with the relative target "NAME-N-link": that generation is
 * the current one. The system profile is /nix/var/nix/profiles/system
 * (under a --store ROOT: Store.state_dir + "/profiles/system").
 *
 * Atomicity: every link is made under a temporary name (".#…") and renamed
 * into place (fileio.h's symlink_atomic), and the directory is fsynced. A
 * crash (or an I/O error) at any instant leaves NAME pointing at the old
 * generation or at the new one, and every NAME-N-link complete; at worst a
 * new generation exists that is not current yet, or a stray ".#…" file that
 * nothing reads.
 *
 * Locking: every operation holds an flock (lock.h) on DIR/NAME.lock, the
 * lock file nix-env uses too: exclusive while changing the profile, shared
 * while listing, so concurrent operations on one profile serialise.
 *
 * Profile paths are real filesystem paths (relative ones to the working
 * directory); nothing here prints. Functions return >= 0 or a negative
 * errno; those that can fail for a reason errno cannot say also set a
 * malloc'ed message in *ret_error (only on failure, and only when ret_error
 * is not NULL). Outputs are set only on success. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "store.h"

/* Generation numbers are >= 1; 0 stands for "none". */
typedef struct Generation {
        unsigned number;
        char *link;          /* the real path DIR/NAME-N-link */
        char *target;        /* what the link points at (a logical store path) */
        time_t creation_time; /* the link's lstat mtime, as nix-env shows it */
} Generation;

typedef struct GenerationList {
        Generation *gens;    /* sorted by number, ascending */
        size_t n;
        /* The number NAME's target names (NAME-N-link, relative or in DIR),
         * or 0 when NAME is missing or points elsewhere. It may name a
         * generation that does not exist (a dangling NAME). */
        unsigned current;
} GenerationList;

GenerationList *generation_list_free(GenerationList *l);
static inline void generation_list_freep(GenerationList **l) {
        generation_list_free(*l);
}
#define _cleanup_generation_list_free_ __attribute__((cleanup(generation_list_freep)))

/* The generation with this number, or NULL. */
const Generation *generation_list_find(const GenerationList *l, unsigned number);

/* The generations of profile (under a shared lock when the lock file can be
 * made; a read-only directory is listed without it). A missing NAME or no
 * generations at all is an empty list, not an error; a missing DIR is
 * -ENOENT. ret is owned by the caller. */
int profile_list(const char *profile, GenerationList **ret, char **ret_error);

/* Makes target the current generation of profile (nix-env --set): when the
 * newest generation already points at target, it is reused (no new
 * generation, as nix-env does); otherwise NAME-(max+1)-link -> target is
 * created. Then NAME is switched to it. DIR must exist (nix-env does not
 * create it either); NAME, when it exists, must be a symlink.
 *
 * store may be NULL (target is then taken as it is). When it is not,
 * target must be a logical store path valid in store (it is made a
 * temporary root first, so a concurrent GC keeps it), and when DIR lies
 * outside store's profiles directory (state_dir/profiles, which the GC
 * reads itself) the new generation link is registered as an indirect GC
 * root (store_add_indirect_root) before it is created, while holding
 * gc.lock shared so no GC runs in between.
 *
 * ret_number (may be NULL): the generation now current; ret_created (may be
 * NULL): whether it is new. */
int profile_set(Store *store, const char *profile, const char *target, unsigned *ret_number, bool *ret_created,
                char **ret_error);

/* Switches profile to generation number (nix-env --switch-generation N),
 * or with number 0 to the highest one below the current (nix-env
 * --rollback). Fails with -ENOENT and "generation N does not exist" or
 * "no generation older than the current (N) exists". ret_from (may be
 * NULL) gets the previous current number (0 when none), ret_to the new. */
int profile_switch(const char *profile, unsigned number, unsigned *ret_from, unsigned *ret_to, char **ret_error);

static inline int profile_rollback(const char *profile, unsigned *ret_from, unsigned *ret_to, char **ret_error) {
        return profile_switch(profile, 0, ret_from, ret_to, ret_error);
}

/* What nix-env --delete-generations takes. */
typedef enum ProfileDeleteKind {
        PROFILE_DELETE_NUMBERS, /* "N M …": those that exist; never the current */
        PROFILE_DELETE_OLD,     /* "old": every one but the current */
        PROFILE_DELETE_KEEP,    /* "+K": the current and K-1 older ones stay, and every newer one */
        PROFILE_DELETE_DAYS,    /* "Nd": older than N days, but the current and the newest
                                 * one created before the cutoff (it was active then) stay */
} ProfileDeleteKind;

typedef struct ProfileDeleteSpec {
        ProfileDeleteKind kind;
        unsigned *numbers; /* PROFILE_DELETE_NUMBERS: sorted, unique, malloc'ed */
        size_t n_numbers;
        unsigned keep;     /* PROFILE_DELETE_KEEP: >= 1 */
        unsigned days;     /* PROFILE_DELETE_DAYS: >= 1 */
} ProfileDeleteSpec;

void profile_delete_spec_done(ProfileDeleteSpec *spec);

/* Parses nix-env's arguments: one "old", "+K" or "Nd", or any number of
 * generation numbers (also none). Fails with -EINVAL and nix-env's message
 * ("invalid generation number 'x'", "invalid number of generations to
 * keep '+0'", "invalid number of days specifier '0d'", …). */
int profile_delete_spec_parse(char *const *args, size_t n, ProfileDeleteSpec *ret, char **ret_error);

/* The numbers spec deletes from l, in the order nix-env removes them
 * (ascending for numbers and "old", descending for "+K" and "Nd"); now is
 * the time "Nd" counts back from. Fails with -EBUSY ("cannot delete the
 * current generation") when numbers name the current one; the other kinds
 * never select it. *ret is malloc'ed (NULL when *ret_n is 0). A pure
 * function: profile_delete applies it under the lock. */
int profile_plan_deletions(const GenerationList *l, const ProfileDeleteSpec *spec, time_t now, unsigned **ret,
                           size_t *ret_n, char **ret_error);

/* Deletes the generations spec selects (profile_plan_deletions with the
 * current time), then fsyncs the directory; with dry_run, only reports
 * them. ret_deleted/ret_n (may be NULL) get the numbers removed (or that
 * would be). On a failure midway the links removed so far stay removed. */
int profile_delete(const char *profile, const ProfileDeleteSpec *spec, bool dry_run, unsigned **ret_deleted,
                   size_t *ret_n, char **ret_error);
