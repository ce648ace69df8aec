/* `firn profile SUBCOMMAND [--profile PATH]`: nix-env's profile operations
 * (--set, --list-generations, --rollback, --switch-generation,
 * --delete-generations). The work is in src/store/profile.c; this file
 * parses arguments and prints. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cli-store.h"
#include "commands.h"
#include "log.h"
#include "profile.h"
#include "strbuf.h"
#include "xalloc.h"

static const char usage_text[] =
        "Usage: firn profile COMMAND [--profile PATH] [ARGS...]\n"
        "\n"
        "Commands:\n"
        "  list                          list the generations (nix-env --list-generations)\n"
        "  set STOREPATH                 make STOREPATH a new generation and switch to it (nix-env --set)\n"
        "  rollback                      switch to the generation before the current one\n"
        "  switch-generation N           switch to generation N\n"
        "  delete-generations [--dry-run] N M... | old | +K | Nd\n"
        "                                delete generations (never the current one)\n"
        "\n"
        "--profile PATH (-p PATH) names the profile; the default is the system\n"
        "profile, /nix/var/nix/profiles/system under the store's root.\n";

typedef struct Args {
        const char *profile;
        bool dry_run;
        int n_pos;
        char **pos; /* the positional arguments */
} Args;

/* Parses the options every subcommand takes (--dry-run only where
 * allow_dry_run); argv[0] is the subcommand. */
static int parse_args(int argc, char **argv, bool allow_dry_run, Args *ret) {
        static const struct option opts[] = {
                { "profile", required_argument, NULL, 'p' },
                { "dry-run", no_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        Args a = {};
        int c;
        optind = 0; /* reinitialise getopt */
        while ((c = getopt_long(argc, argv, "+p:h", opts, NULL)) >= 0) {
                switch (c) {
                case 'p':
                        a.profile = optarg;
                        break;
                case 'n':
                        if (!allow_dry_run) {
                                log_error("option '--dry-run' is only for delete-generations");
                                return -EINVAL;
                        }
                        a.dry_run = true;
                        break;
                case 'h':
                        fputs(usage_text, stdout);
                        return 0;
                default:
                        return -EINVAL;
                }
                /* "+": stop at the first positional argument, so "+3" and
                 * numbers stay positional; options may follow them. */
        }
        /* Options after positional arguments: collect the rest. */
        a.pos = xcalloc((size_t) argc + 1, sizeof(char *));
        for (int i = optind; i < argc; i++) {
                if ((strcmp(argv[i], "--profile") == 0 || strcmp(argv[i], "-p") == 0)) {
                        if (i + 1 >= argc) {
                                log_error("option '%s' needs an argument", argv[i]);
                                free(a.pos);
                                return -EINVAL;
                        }
                        a.profile = argv[++i];
                } else if (strncmp(argv[i], "--profile=", 10) == 0)
                        a.profile = argv[i] + 10;
                else if (allow_dry_run && strcmp(argv[i], "--dry-run") == 0)
                        a.dry_run = true;
                else
                        a.pos[a.n_pos++] = argv[i];
        }
        *ret = a;
        return 1;
}

/* The profile to act on: --profile, else the system profile of the chosen
 * store (opening it, which creates the state directories). */
static int resolve_profile(const Args *a, Store **store, char **ret) {
        if (a->profile) {
                *ret = xstrdup(a->profile);
                return 0;
        }
        if (!*store) {
                int r = cli_open_store(store);
                if (r < 0)
                        return r;
        }
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s/profiles/system", (*store)->state_dir);
        *ret = strbuf_detach(&sb, NULL);
        return 0;
}

static int profile_cmd_list(const Args *a) {
        if (a->n_pos != 0) {
                log_error("usage: firn profile list [--profile PATH]");
                return 1;
        }
        _cleanup_store_free_ Store *store = NULL;
        _cleanup_free_ char *profile = NULL;
        if (resolve_profile(a, &store, &profile) < 0)
                return 1;
        _cleanup_generation_list_free_ GenerationList *l = NULL;
        char *error = NULL;
        int r = profile_list(profile, &l, &error);
        if (r < 0)
                return cli_report(r, error, profile);
        for (size_t i = 0; i < l->n; i++) {
                const Generation *g = &l->gens[i];
                struct tm t;
                if (!localtime_r(&g->creation_time, &t)) {
                        log_error("cannot convert the time of generation %u", g->number);
                        return 1;
                }
                /* nix-env's "%|4|   %|4|-%|02|-%|02| %|02|:%|02|:%|02|   %||\n" */
                printf("%4u   %4d-%02d-%02d %02d:%02d:%02d   %s\n", g->number, t.tm_year + 1900, t.tm_mon + 1,
                       t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, g->number == l->current ? "(current)" : "");
        }
        return 0;
}

static int profile_cmd_set(const Args *a) {
        if (a->n_pos != 1) {
                log_error("usage: firn profile set STOREPATH [--profile PATH]");
                return 1;
        }
        _cleanup_store_free_ Store *store = NULL;
        if (cli_open_store(&store) < 0)
                return 1;
        _cleanup_free_ char *profile = NULL;
        if (resolve_profile(a, &store, &profile) < 0)
                return 1;
        _cleanup_free_ char *path = NULL;
        char *error = NULL;
        int r = store_path_from_user(store, a->pos[0], &path, &error);
        if (r < 0)
                return cli_report(r, error, a->pos[0]);
        r = profile_set(store, profile, path, NULL, NULL, &error);
        if (r < 0)
                return cli_report(r, error, profile);
        return 0;
}

static int profile_cmd_switch(const Args *a, bool rollback) {
        unsigned number = 0;
        if (rollback) {
                if (a->n_pos != 0) {
                        log_error("usage: firn profile rollback [--profile PATH]");
                        return 1;
                }
        } else {
                if (a->n_pos != 1) {
                        log_error("usage: firn profile switch-generation N [--profile PATH]");
                        return 1;
                }
                const char *s = a->pos[0];
                char *end;
                errno = 0;
                unsigned long v = strtoul(s, &end, 10);
                if (!*s || *s < '0' || *s > '9' || *end || errno || v > 0xffffffffUL) {
                        log_error("expected a generation number, got '%s'", s);
                        return 1;
                }
                if (v == 0) { /* 0 means "the previous one" to profile_switch */
                        log_error("generation 0 does not exist");
                        return 1;
                }
                number = (unsigned) v;
        }
        _cleanup_store_free_ Store *store = NULL;
        _cleanup_free_ char *profile = NULL;
        if (resolve_profile(a, &store, &profile) < 0)
                return 1;
        unsigned from, to;
        char *error = NULL;
        int r = profile_switch(profile, number, &from, &to, &error);
        if (r < 0)
                return cli_report(r, error, profile);
        fprintf(stderr, "switching from generation %u to %u\n", from, to);
        return 0;
}

static int profile_cmd_delete(const Args *a) {
        if (a->n_pos == 0) {
                log_error("usage: firn profile delete-generations [--dry-run] [--profile PATH] N M... | old | +K | Nd");
                return 1;
        }
        ProfileDeleteSpec spec;
        char *error = NULL;
        int r = profile_delete_spec_parse(a->pos, (size_t) a->n_pos, &spec, &error);
        if (r < 0)
                return cli_report(r, error, "delete-generations");
        _cleanup_store_free_ Store *store = NULL;
        _cleanup_free_ char *profile = NULL;
        if (resolve_profile(a, &store, &profile) < 0) {
                profile_delete_spec_done(&spec);
                return 1;
        }
        _cleanup_free_ unsigned *deleted = NULL;
        size_t n = 0;
        r = profile_delete(profile, &spec, a->dry_run, &deleted, &n, &error);
        profile_delete_spec_done(&spec);
        if (r < 0)
                return cli_report(r, error, profile);
        for (size_t i = 0; i < n; i++)
                fprintf(stderr, "%s generation %u\n", a->dry_run ? "would remove" : "removing", deleted[i]);
        return 0;
}

int cmd_profile(int argc, char **argv) {
        if (argc < 2) {
                fputs(usage_text, stderr);
                return 1;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
                fputs(usage_text, stdout);
                return 0;
        }
        /* Options may come before the subcommand: move it to the front. */
        int k = 1;
        while (k < argc && argv[k][0] == '-')
                k += strcmp(argv[k], "--profile") == 0 || strcmp(argv[k], "-p") == 0 ? 2 : 1;
        if (k >= argc) {
                fputs(usage_text, stderr);
                return 1;
        }
        if (k > 1) {
                char *s = argv[k];
                memmove(&argv[2], &argv[1], (size_t) (k - 1) * sizeof(char *));
                argv[1] = s;
        }
        const char *sub = argv[1];
        bool is_delete = strcmp(sub, "delete-generations") == 0;
        Args a;
        int r = parse_args(argc - 1, argv + 1, is_delete, &a);
        if (r < 0)
                return 1;
        if (r == 0)
                return 0; /* --help */
        _cleanup_free_ char **pos = a.pos;
        if (strcmp(sub, "list") == 0 || strcmp(sub, "list-generations") == 0)
                return profile_cmd_list(&a);
        if (strcmp(sub, "set") == 0)
                return profile_cmd_set(&a);
        if (strcmp(sub, "rollback") == 0)
                return profile_cmd_switch(&a, true);
        if (strcmp(sub, "switch-generation") == 0)
                return profile_cmd_switch(&a, false);
        if (is_delete)
                return profile_cmd_delete(&a);
        log_error("unknown profile command '%s'", sub);
        fputs(usage_text, stderr);
        return 1;
}
