/* `firn build`: evaluate, instantiate and realise, then link ./result
 * (an indirect GC root) and print the output paths, like nix-build; and
 * `firn log DRV`: print a stored build log. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-log.h"
#include "build.h"
#include "cleanup.h"
#include "cli-instantiate.h"
#include "cli-store.h"
#include "commands.h"
#include "conf.h"
#include "derivation.h"
#include "fileio.h"
#include "log.h"
#include "path-util.h"
#include "store-db.h"
#include "strv.h"
#include "xalloc.h"

typedef struct Target {
        char *drv_path;
        char *output; /* NULL: all outputs */
} Target;

typedef struct BuildArgs {
        Target *targets;
        size_t n_targets;
        const char *out_link;   /* NULL with --no-out-link */
        BuildSettings settings;
        Conf *conf;
        char **eval_argv;       /* what goes to instantiation */
        int eval_argc;
} BuildArgs;

static int collect_drv(void *userdata, const char *drv_path, const char *output) {
        BuildArgs *a = userdata;
        a->targets = xrealloc(a->targets, (a->n_targets + 1) * sizeof(Target));
        a->targets[a->n_targets++] = (Target) { xstrdup(drv_path), output ? xstrdup(output) : NULL };
        return 0;
}

static void push_eval_arg(BuildArgs *a, const char *s) {
        a->eval_argv = xrealloc(a->eval_argv, (a->eval_argc + 2) * sizeof(char *));
        a->eval_argv[a->eval_argc++] = (char *) s;
        a->eval_argv[a->eval_argc] = NULL;
}

static int usage(void) {
        fputs("Usage: firn build [FILE | -E EXPR | /nix/store/…drv^OUT] [-A ATTR] [--out-link PATH | --no-out-link]\n"
              "                  [-j N] [--keep-going] [--max-silent-time S] [--timeout S] [-L]\n"
              "                  [--log-format plain|bar|json] [--option NAME VALUE] [--arg NAME EXPR]...\n",
              stderr);
        return 1;
}

/* Parses build flags; everything else is passed to instantiation. Returns
 * -1 to go on, else an exit code. */
static int parse_build_args(int argc, char **argv, BuildArgs *a) {
        push_eval_arg(a, argv[0]);
        for (int i = 1; i < argc; i++) {
                const char *s = argv[i];
                bool has_next = i + 1 < argc;
                if ((strcmp(s, "--out-link") == 0 || strcmp(s, "-o") == 0) && has_next)
                        a->out_link = argv[++i];
                else if (strcmp(s, "--no-out-link") == 0)
                        a->out_link = NULL;
                else if ((strcmp(s, "-j") == 0 || strcmp(s, "--max-jobs") == 0) && has_next)
                        conf_set(a->conf, "max-jobs", argv[++i]);
                else if (strcmp(s, "--keep-going") == 0 || strcmp(s, "-k") == 0)
                        a->settings.keep_going = true;
                else if (strcmp(s, "--max-silent-time") == 0 && has_next)
                        conf_set(a->conf, "max-silent-time", argv[++i]);
                else if (strcmp(s, "--timeout") == 0 && has_next)
                        conf_set(a->conf, "timeout", argv[++i]);
                else if (strcmp(s, "--substituters") == 0 && has_next)
                        conf_set(a->conf, "substituters", argv[++i]);
                else if (strcmp(s, "--option") == 0 && i + 2 < argc) {
                        conf_set(a->conf, argv[i + 1], argv[i + 2]);
                        i += 2;
                } else if (strcmp(s, "-L") == 0 || strcmp(s, "--print-build-logs") == 0)
                        a->settings.print_build_logs = true;
                else if (strcmp(s, "--log-format") == 0 && has_next) {
                        const char *f = argv[++i];
                        if (strcmp(f, "json") == 0 || strcmp(f, "internal-json") == 0)
                                a->settings.log_format = BUILD_LOG_JSON;
                        else if (strcmp(f, "bar") == 0)
                                a->settings.log_format = BUILD_LOG_BAR;
                        else if (strcmp(f, "plain") == 0 || strcmp(f, "raw") == 0)
                                a->settings.log_format = BUILD_LOG_PLAIN;
                        else {
                                log_error("unknown log format '%s'", f);
                                return 1;
                        }
                } else if (strcmp(s, "--help") == 0)
                        return usage() - 1;
                else if (strchr(s, '^') && strncmp(s, STORE_DIR_DEFAULT "/", strlen(STORE_DIR_DEFAULT) + 1) == 0) {
                        /* /nix/store/…drv^out,dev or ^* */
                        const char *caret = strchr(s, '^');
                        _cleanup_free_ char *drv = xstrndup(s, (size_t) (caret - s));
                        const char *outs = caret + 1;
                        if (strcmp(outs, "*") == 0)
                                collect_drv(a, drv, NULL);
                        else
                                for (const char *p = outs; *p;) {
                                        size_t n = strcspn(p, ",");
                                        _cleanup_free_ char *o = xstrndup(p, n);
                                        collect_drv(a, drv, o);
                                        p += n + (p[n] == ',');
                                }
                } else if (strncmp(s, STORE_DIR_DEFAULT "/", strlen(STORE_DIR_DEFAULT) + 1) == 0 &&
                           strlen(s) > strlen(DRV_EXTENSION) &&
                           strcmp(s + strlen(s) - strlen(DRV_EXTENSION), DRV_EXTENSION) == 0)
                        collect_drv(a, s, NULL);
                else {
                        /* Flags with an argument pass through with it. */
                        push_eval_arg(a, s);
                        if ((strcmp(s, "-A") == 0 || strcmp(s, "--attr") == 0 || strcmp(s, "-I") == 0 ||
                             strcmp(s, "--argstr") == 0 || strcmp(s, "--arg") == 0) && has_next) {
                                push_eval_arg(a, argv[++i]);
                                if ((strcmp(s, "--arg") == 0 || strcmp(s, "--argstr") == 0) && i + 1 < argc)
                                        push_eval_arg(a, argv[++i]);
                        }
                }
        }
        return -1;
}

/* The outputs a target asks for, as (name, path) pairs from its .drv. */
static int target_outputs(Store *store, const Target *t, char ***ret_names, char ***ret_paths) {
        _cleanup_(drv_freep) Derivation *drv = NULL;
        char *error = NULL;
        int r = store_read_derivation(store, t->drv_path, &drv, &error);
        if (r < 0) {
                log_error("%s", error);
                free(error);
                return r;
        }
        char **names = NULL, **paths = NULL;
        for (size_t i = 0; i < drv->n_outputs; i++)
                if (!t->output || strcmp(t->output, drv->outputs[i].name) == 0) {
                        names = strv_push(names, drv->outputs[i].name);
                        paths = strv_push(paths, drv->outputs[i].path);
                }
        if (!names) {
                log_error("derivation '%s' does not have an output named '%s'", t->drv_path, t->output);
                return -EINVAL;
        }
        *ret_names = names;
        *ret_paths = paths;
        return 0;
}

/* ./result, ./result-dev, ./result-2 …: symlinks registered as indirect
 * GC roots, like nix-build's. */
static int make_out_link(Store *store, const char *out_link, unsigned index, const char *output, const char *path) {
        StrBuf name = STRBUF_INIT;
        strbuf_adds(&name, out_link);
        if (index > 0)
                strbuf_addf(&name, "-%u", index + 1);
        if (strcmp(output, "out") != 0)
                strbuf_addf(&name, "-%s", output);
        int r = symlink_atomic(path, AT_FDCWD, name.buf);
        if (r >= 0)
                r = store_add_indirect_root(store, name.buf);
        if (r < 0)
                log_error_errno(r, "cannot create the link '%s': %m", name.buf);
        strbuf_release(&name);
        return r;
}

int cmd_build(int argc, char **argv) {
        BuildArgs a = { .out_link = "result", .conf = conf_new() };
        a.settings.progress = stderr;
        a.settings.event_fd = -1;
        a.settings.log_format = isatty(STDERR_FILENO) ? BUILD_LOG_BAR : BUILD_LOG_PLAIN;
        char *error = NULL;
        if (conf_load_file(a.conf, conf_default_path(), &error) < 0) {
                log_error("%s", error);
                return 1;
        }
        int rc = parse_build_args(argc, argv, &a);
        if (rc >= 0)
                return rc;
        a.settings.conf = a.conf;
        a.settings.max_jobs = conf_get_unsigned(a.conf, "max-jobs", 0, 0);
        a.settings.cores = conf_get_unsigned(a.conf, "cores", 0, 0);
        a.settings.max_silent_time = conf_get_unsigned(a.conf, "max-silent-time", 0, 0);
        a.settings.timeout = conf_get_unsigned(a.conf, "timeout", 0, 0);

        _cleanup_store_free_ Store *store = NULL;
        if (cli_open_store(&store) < 0)
                return 1;
        /* Nothing named on the command line: ./default.nix, as nix-build. */
        if (a.n_targets == 0 || a.eval_argc > 1) {
                rc = cli_instantiate(a.eval_argc, a.eval_argv, store, collect_drv, &a);
                if (rc != 0)
                        return rc;
        }
        DerivedPath *dps = xcalloc(a.n_targets, sizeof(DerivedPath));
        for (size_t i = 0; i < a.n_targets; i++) {
                dps[i].drv_path = a.targets[i].drv_path;
                if (a.targets[i].output)
                        dps[i].outputs = strv_push(NULL, a.targets[i].output);
        }
        BuildResults res;
        int r = build_realise(store, &a.settings, dps, a.n_targets, &res, &error);
        if (r < 0 && !res.n_failures) {
                log_error("%s", error ? error : strerror(-r));
                return 1;
        }
        for (size_t i = 0; i < res.n_failures; i++)
                fprintf(stderr, "error: %s\n", res.failures[i].message);
        if (res.n_failures) {
                if (res.n_failures > 1)
                        fprintf(stderr, "error: %zu dependencies couldn't be built\n", res.n_failures);
                return 1;
        }
        /* All links first, then the paths: a reader that stops early (head
         * -1) must not leave links missing. */
        _cleanup_strv_free_ char **printed = NULL, **seen_drvs = NULL;
        for (size_t i = 0; i < a.n_targets; i++) {
                /* Links are numbered per derivation (result, result-2, …);
                 * its outputs share the number (result, result-dev). */
                unsigned index = 0;
                while (seen_drvs && seen_drvs[index] && strcmp(seen_drvs[index], a.targets[i].drv_path) != 0)
                        index++;
                if (!seen_drvs || !seen_drvs[index])
                        seen_drvs = strv_push(seen_drvs, a.targets[i].drv_path);
                _cleanup_strv_free_ char **names = NULL, **paths = NULL;
                if (target_outputs(store, &a.targets[i], &names, &paths) < 0)
                        return 1;
                for (size_t k = 0; names[k]; k++) {
                        if (a.out_link && make_out_link(store, a.out_link, index, names[k], paths[k]) < 0)
                                return 1;
                        printed = strv_push(printed, paths[k]);
                }
        }
        for (size_t i = 0; printed && printed[i]; i++)
                printf("%s\n", printed[i]);
        build_results_done(&res);
        return 0;
}

int cmd_log(int argc, char **argv) {
        if (argc != 2) {
                fputs("Usage: firn log DRV-OR-OUTPUT-PATH\n", stderr);
                return 1;
        }
        _cleanup_store_free_ Store *store = NULL;
        if (cli_open_store(&store) < 0)
                return 1;
        _cleanup_free_ char *path = NULL;
        char *error = NULL;
        if (store_path_from_user(store, argv[1], &path, &error) < 0) {
                log_error("%s", error);
                return 1;
        }
        /* An output's log is its deriver's. */
        _cleanup_path_info_free_ PathInfo *info = NULL;
        if (store_query_path_info(store, path, &info) >= 0 && info->deriver) {
                free(path);
                path = xstrdup(info->deriver);
        }
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = build_log_read(store, path, &data, &len);
        if (r < 0) {
                log_error("build log of '%s' is not available", path);
                return 1;
        }
        fwrite(data, 1, len, stdout);
        return 0;
}
