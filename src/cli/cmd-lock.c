/* firn lock: write and update firn.lock.
 *
 *   firn lock [--locked] [FILE | -E EXPR] [instantiate flags]
 *       evaluates and instantiates like `firn build` (without building):
 *       every package the expression uses that a lock lacks is resolved,
 *       and each lock that gained packages is rewritten (atomically); with
 *       --locked such a package is an error instead (a check for CI)
 *   firn lock --update [NAMES…] [--lock PATH]
 *       moves the pinned packages (all requested ones, or NAMES and what
 *       they pull in) to the index's current versions, drops what nothing
 *       needs any more, and prints every change: "NAME OLD → NEW",
 *       "+ NAME VERSION", "- NAME VERSION"
 *
 * The lock is ./firn.lock unless --lock names one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli-instantiate.h"
#include "cli-store.h"
#include "commands.h"
#include "index.h"
#include "lock.h"
#include "log.h"
#include "pkgs-eval.h"
#include "resolve.h"
#include "strv.h"
#include "xalloc.h"

static int usage(FILE *f) {
        fputs("Usage: firn lock [--locked] [FILE | -E EXPR] [--arg NAME EXPR]... [-I PATH]...\n"
              "       firn lock --update [NAME...] [--lock PATH]\n",
              f);
        return f == stdout ? 0 : 1;
}

static int ignore_drv(void *userdata, const char *drv_path, const char *output) {
        (void) userdata, (void) drv_path, (void) output;
        return 0;
}

static int lock_from_evaluation(int argc, char **argv) {
        _cleanup_store_free_ Store *store = NULL;
        if (cli_open_store(&store) < 0)
                return 1;
        int rc = cli_instantiate(argc, argv, store, ignore_drv, NULL);
        if (rc != 0)
                return rc;
        _cleanup_strv_free_ char **written = NULL;
        _cleanup_free_ char *error = NULL;
        if (deb_eval_write_locks(&written, &error) < 0) {
                log_error("%s", error);
                return 1;
        }
        for (size_t i = 0; written && written[i]; i++)
                printf("wrote %s\n", written[i]);
        if (!written)
                printf("the lock is up to date\n");
        return 0;
}

/* Keeps only entries reachable from requested ones. */
static void prune(DebLock *lock) {
        _cleanup_strv_free_ char **keep = NULL;
        for (size_t i = 0; i < lock->n_entries; i++)
                if (lock->entries[i]->requested)
                        keep = strv_push(keep, lock->entries[i]->name);
        for (size_t i = 0; keep && keep[i]; i++) {
                const DebLockEntry *e = deb_lock_find(lock, keep[i]);
                for (char **d = e->depends; *d; d++)
                        if (!strv_contains(keep, *d))
                                keep = strv_push(keep, *d);
        }
        for (size_t i = lock->n_entries; i-- > 0;)
                if (!strv_contains(keep, lock->entries[i]->name))
                        deb_lock_remove(lock, lock->entries[i]->name);
}

static void print_changes(const DebLock *old, const DebLock *new) {
        size_t changes = 0;
        for (size_t i = 0; i < new->n_entries; i++) {
                const DebLockEntry *n = new->entries[i], *o = deb_lock_find(old, n->name);
                if (!o)
                        printf("+ %s %s\n", n->name, n->version), changes++;
                else if (strcmp(o->version, n->version) != 0)
                        printf("%s %s → %s\n", n->name, o->version, n->version), changes++;
        }
        for (size_t i = 0; i < old->n_entries; i++)
                if (!deb_lock_find(new, old->entries[i]->name))
                        printf("- %s %s\n", old->entries[i]->name, old->entries[i]->version), changes++;
        if (!changes)
                printf("no changes\n");
}

static int lock_update(const char *path, char **names) {
        _cleanup_free_ char *error = NULL;
        _cleanup_deb_lock_ DebLock *old = NULL;
        int r = deb_lock_read(path, &old, &error);
        if (r < 0) {
                log_error("%s", error);
                return 1;
        }
        _cleanup_deb_index_ DebIndex *idx = NULL;
        const char *lists = getenv("FIRN_APT_LISTS");
        if ((r = deb_index_load(lists && *lists ? lists : NULL, &idx, &error)) < 0) {
                log_error("cannot read apt's package index: %s", error);
                return 1;
        }
        for (char **n = names; n && *n; n++)
                if (!deb_lock_find(old, *n)) {
                        log_error("%s: the lock has no package '%s'", path, *n);
                        return 1;
                }
        /* Roots: the requested packages (with NAMES, those named). Pins:
         * with NAMES, everything else, so only NAMES move; without, nothing. */
        _cleanup_deb_resolver_ DebResolver *res = deb_resolver_new(idx);
        _cleanup_strv_free_ char **roots = NULL;
        for (size_t i = 0; i < old->n_entries; i++) {
                const DebLockEntry *e = old->entries[i];
                bool named = names && strv_contains(names, e->name);
                if (names && !named) {
                        if ((r = deb_resolver_pin(res, e->name, e->version, e->provides, &error)) < 0) {
                                log_error("%s", error);
                                return 1;
                        }
                } else if (e->requested || named)
                        roots = strv_push(roots, e->name);
        }
        size_t from = deb_resolver_n_choices(res);
        if ((r = deb_resolver_add_all(res, roots, strv_length(roots), &error)) < 0) {
                log_error("%s: updating: %s", path, error);
                return 1;
        }
        _cleanup_deb_lock_ DebLock *new = deb_lock_new();
        for (size_t i = 0; names && i < old->n_entries; i++)
                if (!strv_contains(names, old->entries[i]->name)) {
                        deb_lock_put(new, deb_lock_entry_copy(old->entries[i]));
                }
        if ((r = deb_lock_add_choices(new, res, from, &error)) < 0) {
                log_error("%s", error);
                return 1;
        }
        for (char **n = roots; n && *n; n++)
                if (deb_lock_find(old, *n)->requested)
                        deb_lock_request(new, *n);
        prune(new);
        print_changes(old, new);
        if ((r = deb_lock_write(new, path, &error)) < 0) {
                log_error("%s", error);
                return 1;
        }
        return 0;
}

int cmd_lock(int argc, char **argv) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
                return usage(stdout);
        if (argc >= 2 && strcmp(argv[1], "--update") == 0) {
                const char *path = "firn.lock";
                _cleanup_strv_free_ char **names = NULL;
                for (int i = 2; i < argc; i++) {
                        if (strcmp(argv[i], "--lock") == 0 && i + 1 < argc)
                                path = argv[++i];
                        else if (argv[i][0] == '-')
                                return usage(stderr);
                        else
                                names = strv_push(names, argv[i]);
                }
                return lock_update(path, names);
        }
        /* --locked: check only; a package the lock lacks is an error. */
        int w = 0;
        for (int i = 0; i < argc; i++)
                if (strcmp(argv[i], "--locked") == 0)
                        deb_eval_set_locked(true);
                else
                        argv[w++] = argv[i];
        argv[w] = NULL;
        return lock_from_evaluation(w, argv);
}
