/* firn system: build a machine from its configuration.
 *
 *   firn system build [-f FILE] [--locked] [--dry-run] [build flags]
 *       evaluates FILE with firn's modules and builds the toplevel,
 *       linking ./result
 *   firn system build-vm [-f FILE] [--locked] [build flags]
 *       the same with the VM profile (modules/virtualisation/vm.nix); the
 *       result holds bin/run-HOSTNAME-vm
 *
 * The configuration is FILE, else $FIRN_CONFIG, else ./configuration.nix
 * when present, else /etc/firn/configuration.nix. Packages the lock beside
 * it (firn.lock) lacks are resolved and the lock rewritten after a
 * successful build, unless --locked (then they are an error). --dry-run
 * prints what would be fetched and built, with the sizes of the .debs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli-instantiate.h"
#include "cli-store.h"
#include "commands.h"
#include "derivation.h"
#include "log.h"
#include "pkgs-eval.h"
#include "store-db.h"
#include "store.h"
#include "strv.h"
#include "xalloc.h"

#define MIB (1024.0 * 1024.0)

/* The expression: modules/eval-config.nix (firn's modules plus the
 * configuration, and the VM profile). */
static const char system_expr[] =
        "{ configuration, vm ? false }:\n"
        "let eval = import <firn/eval-config.nix> { inherit configuration vm; };\n"
        "in if vm then eval.config.system.build.vm else eval.config.system.build.toplevel\n";

static int usage(FILE *f) {
        fputs("Usage: firn system build [-f FILE] [--locked] [--dry-run] [build options]\n"
              "       firn system build-vm [-f FILE] [--locked] [build options]\n"
              "The configuration: FILE, $FIRN_CONFIG, ./configuration.nix or /etc/firn/configuration.nix.\n",
              f);
        return f == stdout ? 0 : 1;
}

static char *find_configuration(const char *file) {
        const char *env = getenv("FIRN_CONFIG");
        const char *pick = file ? file
                           : env && *env ? env
                           : access("configuration.nix", F_OK) == 0 ? "configuration.nix"
                                                                  : "/etc/firn/configuration.nix";
        char buf[PATH_MAX];
        if (!realpath(pick, buf)) {
                log_error("cannot use the configuration %s: %s", pick, strerror(errno));
                return NULL;
        }
        return xstrdup(buf);
}

typedef struct DryRun {
        Store *store;
        char **seen;
        char **build, **fetch;
        double fetch_bytes;
} DryRun;

static int collect_top(void *userdata, const char *drv_path, const char *output) {
        (void) output;
        char ***tops = userdata;
        *tops = strv_push(*tops, drv_path);
        return 0;
}

/* Walks the derivations below drv_path whose outputs are not valid. */
static int walk_missing(DryRun *d, const char *drv_path) {
        if (strv_contains(d->seen, drv_path))
                return 0;
        d->seen = strv_push(d->seen, drv_path);
        _cleanup_(drv_freep) Derivation *drv = NULL;
        _cleanup_free_ char *error = NULL;
        if (store_read_derivation(d->store, drv_path, &drv, &error) < 0) {
                log_error("%s", error);
                return -EIO;
        }
        bool missing = false;
        for (size_t i = 0; i < drv->n_outputs; i++)
                if (store_is_valid(d->store, drv->outputs[i].path) <= 0)
                        missing = true;
        if (!missing)
                return 0;
        const char *deb = drv_get_env(drv, "debName");
        if (deb && strcmp(drv->builder, "builtin:fetch-deb") == 0) {
                const char *size = drv_get_env(drv, "debSize");
                d->fetch = strv_push(d->fetch, drv->outputs[0].path);
                d->fetch_bytes += size ? strtod(size, NULL) : 0;
        } else
                d->build = strv_push(d->build, drv_path);
        for (size_t i = 0; i < drv->n_inputs; i++) {
                int r = walk_missing(d, drv->inputs[i].path);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int dry_run(char **eval_argv, int eval_argc) {
        _cleanup_store_free_ Store *store = NULL;
        if (cli_open_store(&store) < 0)
                return 1;
        _cleanup_strv_free_ char **tops = NULL;
        int rc = cli_instantiate(eval_argc, eval_argv, store, collect_top, &tops);
        if (rc != 0)
                return rc;
        DryRun d = { .store = store };
        for (char **t = tops; t && *t; t++)
                if (walk_missing(&d, *t) < 0)
                        return 1;
        size_t nb = strv_length(d.build), nf = strv_length(d.fetch);
        if (nf) {
                printf("these %zu .debs will be fetched (%.1f MiB):\n", nf, d.fetch_bytes / MIB);
                for (char **p = d.fetch; *p; p++)
                        printf("  %s\n", *p);
        }
        if (nb) {
                printf("these %zu derivations will be built:\n", nb);
                for (char **p = d.build; *p; p++)
                        printf("  %s\n", *p);
        }
        if (!nb && !nf)
                printf("nothing to fetch or build\n");
        strv_free(d.seen);
        strv_free(d.build);
        strv_free(d.fetch);
        return 0;
}

int cmd_system(int argc, char **argv) {
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
                return usage(argc < 2 ? stderr : stdout);
        bool vm;
        if (strcmp(argv[1], "build") == 0)
                vm = false;
        else if (strcmp(argv[1], "build-vm") == 0)
                vm = true;
        else {
                log_error("unknown subcommand 'system %s'", argv[1]);
                return usage(stderr);
        }
        const char *file = NULL;
        bool locked = false, dry = false;
        _cleanup_strv_free_ char **rest = NULL;
        for (int i = 2; i < argc; i++) {
                if ((strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--file") == 0) && i + 1 < argc)
                        file = argv[++i];
                else if (strcmp(argv[i], "--locked") == 0)
                        locked = true;
                else if (strcmp(argv[i], "--dry-run") == 0 && !vm)
                        dry = true;
                else
                        rest = strv_push(rest, argv[i]);
        }
        _cleanup_free_ char *config = find_configuration(file);
        if (!config)
                return 1;
        deb_eval_set_locked(locked);

        _cleanup_strv_free_ char **args = NULL;
        args = strv_push(args, dry ? "instantiate" : "build");
        args = strv_push(args, "-E");
        args = strv_push(args, system_expr);
        args = strv_push(args, "--arg");
        args = strv_push(args, "configuration");
        args = strv_push(args, config);
        args = strv_push(args, "--arg");
        args = strv_push(args, "vm");
        args = strv_push(args, vm ? "true" : "false");
        for (char **r = rest; r && *r; r++)
                args = strv_push(args, *r);
        int n = (int) strv_length(args);

        int rc = dry ? dry_run(args, n) : cmd_build(n, args);
        if (rc != 0 || dry || locked)
                return rc;
        _cleanup_strv_free_ char **written = NULL;
        _cleanup_free_ char *error = NULL;
        if (deb_eval_write_locks(&written, &error) < 0) {
                log_error("%s", error);
                return 1;
        }
        for (char **w = written; w && *w; w++)
                fprintf(stderr, "firn: updated %s\n", *w);
        return 0;
}
