/* `firn store gc` and `firn store delete`: nix-store --gc and --delete.
 * The collection is store_collect_garbage() (src/store/store-gc.c); this
 * file parses arguments and prints as Nix does: "deleting '…'" per path on
 * stderr, "N store paths deleted, X.XX MiB freed" on stdout. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd-store.h"
#include "log.h"
#include "store-gc.h"
#include "strv.h"

static void print_deleting(void *userdata, const char *path) {
        fprintf(stderr, "deleting '%s'\n", path);
}

static void print_info(void *userdata, const char *message) {
        fprintf(stderr, "%s\n", message);
}

static void print_freed(const GcResults *res) {
        printf("%zu store paths deleted, %.2f MiB freed\n", strv_length(res->paths),
               (double) res->bytes_freed / (1024.0 * 1024.0));
}

/* BYTES with an optional K, M, G or T suffix (powers of 1024), as Nix's
 * --max-freed takes it. */
static int parse_bytes(const char *s, uint64_t *ret) {
        char *end;
        errno = 0;
        if (*s == '-')
                return -EINVAL;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s)
                return -EINVAL;
        unsigned shift = 0;
        if (*end) {
                const char *units = "KMGT";
                const char *u = strchr(units, *end);
                if (!u || end[1])
                        return -EINVAL;
                shift = 10 * (unsigned) (u - units + 1);
        }
        if (shift && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret = (uint64_t) v << shift;
        return 0;
}

static int run(Store *store, const GcOptions *opts, bool print_summary) {
        GcResults res = { 0 };
        char *error = NULL;
        int r = store_collect_garbage(store, opts, &res, &error);
        if (opts->action == GC_ACTION_RETURN_LIVE || opts->action == GC_ACTION_RETURN_DEAD) {
                if (r >= 0)
                        for (size_t i = 0; res.paths && res.paths[i]; i++)
                                printf("%s\n", res.paths[i]);
        } else if (print_summary && (r >= 0 || res.paths))
                print_freed(&res);
        gc_results_done(&res);
        if (r < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(r, "collecting garbage: %m");
                free(error);
                return 1;
        }
        return 0;
}

enum {
        ARG_MAX_FREED = 0x100,
        ARG_PRINT_ROOTS,
        ARG_PRINT_LIVE,
        ARG_PRINT_DEAD,
        ARG_NO_RUNTIME_ROOTS,
};

int cmd_store_gc(Store *store, int argc, char **argv) {
        static const struct option opts[] = {
                { "max-freed", required_argument, NULL, ARG_MAX_FREED },
                { "print-roots", no_argument, NULL, ARG_PRINT_ROOTS },
                { "print-live", no_argument, NULL, ARG_PRINT_LIVE },
                { "print-dead", no_argument, NULL, ARG_PRINT_DEAD },
                { "no-runtime-roots", no_argument, NULL, ARG_NO_RUNTIME_ROOTS },
                {},
        };
        GcOptions o = GC_OPTIONS_INIT;
        o.on_delete = print_deleting;
        o.on_info = print_info;
        bool print_roots = false;
        int modes = 0, c;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                switch (c) {
                case ARG_MAX_FREED:
                        if (parse_bytes(optarg, &o.max_freed) < 0) {
                                log_error("--max-freed takes a number of bytes (with K, M, G or T), not '%s'", optarg);
                                return 1;
                        }
                        break;
                case ARG_PRINT_ROOTS:
                        print_roots = true;
                        modes++;
                        break;
                case ARG_PRINT_LIVE:
                        o.action = GC_ACTION_RETURN_LIVE;
                        modes++;
                        break;
                case ARG_PRINT_DEAD:
                        o.action = GC_ACTION_RETURN_DEAD;
                        modes++;
                        break;
                case ARG_NO_RUNTIME_ROOTS:
                        o.runtime_roots = false;
                        break;
                default:
                        return 1;
                }
        }
        if (optind < argc || modes > 1) {
                log_error("usage: firn store gc [--max-freed BYTES] [--print-roots|--print-live|--print-dead] "
                          "[--no-runtime-roots]");
                return 1;
        }
        if (print_roots) {
                GcRoot *roots = NULL;
                size_t n = 0;
                char *error = NULL;
                int r = store_find_roots(store, o.runtime_roots, &roots, &n, &error);
                if (r < 0) {
                        log_error("%s", error ? error : strerror(-r));
                        free(error);
                        return 1;
                }
                for (size_t i = 0; i < n; i++)
                        printf("%s -> %s\n", roots[i].link, roots[i].path);
                gc_roots_free(roots, n);
                return 0;
        }
        return run(store, &o, true);
}

int cmd_store_delete(Store *store, int argc, char **argv) {
        static const struct option opts[] = {
                { "no-runtime-roots", no_argument, NULL, ARG_NO_RUNTIME_ROOTS },
                {},
        };
        GcOptions o = GC_OPTIONS_INIT;
        o.action = GC_ACTION_DELETE_SPECIFIC;
        o.on_delete = print_deleting;
        o.on_info = print_info;
        int c;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                if (c != ARG_NO_RUNTIME_ROOTS)
                        return 1;
                o.runtime_roots = false;
        }
        if (optind >= argc) {
                log_error("usage: firn store delete [--no-runtime-roots] PATH...");
                return 1;
        }
        _cleanup_strv_free_ char **paths = NULL;
        for (int i = optind; i < argc; i++) {
                char *p = NULL, *error = NULL;
                int r = store_path_from_user(store, argv[i], &p, &error);
                if (r < 0) {
                        log_error("%s", error ? error : strerror(-r));
                        free(error);
                        return 1;
                }
                paths = strv_consume(paths, p);
        }
        o.paths_to_delete = paths;
        return run(store, &o, true);
}
