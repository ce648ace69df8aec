/* `firn store SUBCOMMAND`: the dispatcher. Each subcommand gets the opened
 * store; the operations live in src/store/, this file only parses
 * arguments and prints. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli-store.h"
#include "cmd-store.h"
#include "commands.h"
#include "fileio.h"
#include "log.h"
#include "nar-restore.h"
#include "nar.h"
#include "store-add.h"
#include "store-db.h"
#include "store-optimise.h"
#include "store-verify.h"
#include "strv.h"
#include "xalloc.h"

/* ---- add ---- */

static int store_cmd_add(Store *store, int argc, char **argv) {
        FileIngestion method = FILE_INGESTION_RECURSIVE;
        HashAlgo algo = HASH_SHA256;
        const char *name = NULL;
        static const struct option opts[] = {
                { "flat", no_argument, NULL, 'f' },
                { "recursive", no_argument, NULL, 'r' },
                { "hash-algo", required_argument, NULL, 'a' },
                { "name", required_argument, NULL, 'n' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                switch (c) {
                case 'f':
                        method = FILE_INGESTION_FLAT;
                        break;
                case 'r':
                        method = FILE_INGESTION_RECURSIVE;
                        break;
                case 'a':
                        if (hash_algo_from_string(optarg, &algo) < 0) {
                                log_error("unknown hash algorithm '%s'", optarg);
                                return 1;
                        }
                        break;
                case 'n':
                        name = optarg;
                        break;
                default:
                        return 1;
                }
        }
        if (optind >= argc) {
                log_error("usage: firn store add [--flat|--recursive] [--hash-algo ALGO] [--name NAME] PATH...");
                return 1;
        }
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *base = NULL;
                const char *n = name;
                if (!n) {
                        const char *s = strrchr(argv[i], '/');
                        base = xstrdup(s && s[1] ? s + 1 : argv[i]);
                        n = base;
                }
                char *path = NULL, *error = NULL;
                int r = store_add_from_path(store, argv[i], n, method, algo, NULL, NULL, &path, &error);
                if (r < 0)
                        return cli_report(r, error, argv[i]);
                printf("%s\n", path);
                free(path);
        }
        return 0;
}

/* ---- hash-path: the NAR hash of any path, like nix-hash ---- */

static int store_cmd_hash_path(Store *store, int argc, char **argv) {
        HashAlgo algo = HASH_SHA256;
        HashFormat fmt = HASH_FORMAT_BASE16;
        static const struct option opts[] = {
                { "type", required_argument, NULL, 't' },
                { "base32", no_argument, NULL, '3' },
                { "base16", no_argument, NULL, '1' },
                { "sri", no_argument, NULL, 's' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                switch (c) {
                case 't':
                        if (hash_algo_from_string(optarg, &algo) < 0) {
                                log_error("unknown hash algorithm '%s'", optarg);
                                return 1;
                        }
                        break;
                case '3':
                        fmt = HASH_FORMAT_BASE32;
                        break;
                case '1':
                        fmt = HASH_FORMAT_BASE16;
                        break;
                case 's':
                        fmt = HASH_FORMAT_SRI;
                        break;
                default:
                        return 1;
                }
        }
        for (int i = optind; i < argc; i++) {
                Hash h;
                char *error = NULL;
                int r = nar_hash_path(AT_FDCWD, argv[i], algo, &h, NULL, &error);
                if (r < 0)
                        return cli_report(r, error, argv[i]);
                _cleanup_free_ char *s = hash_to_string(&h, fmt);
                printf("%s\n", s);
        }
        return 0;
}

/* ---- dump and restore ---- */

static int stdout_sink(void *userdata, const void *data, size_t len) {
        return fd_write_all(STDOUT_FILENO, data, len);
}

static int store_cmd_dump(Store *store, int argc, char **argv) {
        if (argc != 2) {
                log_error("usage: firn store dump PATH > FILE.nar");
                return 1;
        }
        /* A path in the logical store directory is read under --store ROOT;
         * any other path is dumped as it is, like nix-store --dump. */
        _cleanup_free_ char *real = NULL;
        const char *root = store_choose_root(arg_store_root);
        if (strncmp(argv[1], STORE_DIR_DEFAULT "/", strlen(STORE_DIR_DEFAULT) + 1) == 0 && asprintf(&real, "%s%s",
                                                                                                     root, argv[1]) < 0)
                return log_error_errno(-ENOMEM, "%m"), 1;
        char *error = NULL;
        int r = nar_dump_path(AT_FDCWD, real ? real : argv[1], stdout_sink, NULL, &error);
        if (r < 0)
                return cli_report(r, error, argv[1]);
        return 0;
}

static ssize_t stdin_source(void *userdata, void *buf, size_t len) {
        for (;;) {
                ssize_t n = read(STDIN_FILENO, buf, len);
                if (n >= 0 || errno != EINTR)
                        return n < 0 ? -errno : n;
        }
}

static int store_cmd_restore(Store *store, int argc, char **argv) {
        if (argc != 2) {
                log_error("usage: firn store restore DIR < FILE.nar");
                return 1;
        }
        NarRestoreOptions opts = { .sync = true };
        char *error = NULL;
        int r = nar_restore(AT_FDCWD, argv[1], stdin_source, NULL, &opts, NULL, NULL, &error);
        if (r < 0)
                return cli_report(r, error, argv[1]);
        return 0;
}

/* ---- path-info ---- */

static json_t *path_info_json(Store *store, const PathInfo *info, bool closure_size) {
        json_t *o = json_object();
        json_object_set_new(o, "path", json_string(info->path));
        _cleanup_free_ char *sri = hash_to_string(&info->nar_hash, HASH_FORMAT_SRI);
        json_object_set_new(o, "narHash", json_string(sri));
        json_object_set_new(o, "narSize", json_integer((json_int_t) info->nar_size));
        json_t *refs = json_array();
        for (size_t i = 0; info->references && info->references[i]; i++)
                json_array_append_new(refs, json_string(info->references[i]));
        json_object_set_new(o, "references", refs);
        if (info->deriver)
                json_object_set_new(o, "deriver", json_string(info->deriver));
        json_object_set_new(o, "registrationTime", json_integer((json_int_t) info->registration_time));
        if (info->ultimate)
                json_object_set_new(o, "ultimate", json_true());
        if (info->sigs) {
                json_t *sigs = json_array();
                _cleanup_free_ char *copy = xstrdup(info->sigs);
                char *save = NULL;
                for (char *s = strtok_r(copy, " ", &save); s; s = strtok_r(NULL, " ", &save))
                        json_array_append_new(sigs, json_string(s));
                json_object_set_new(o, "signatures", sigs);
        }
        if (info->ca)
                json_object_set_new(o, "ca", json_string(info->ca));
        if (closure_size) {
                char *one[] = { info->path, NULL };
                _cleanup_strv_free_ char **closure = NULL;
                char *error = NULL;
                uint64_t total = 0;
                if (store_query_closure(store, one, false, &closure, &error) >= 0)
                        for (size_t i = 0; closure[i]; i++) {
                                _cleanup_path_info_free_ PathInfo *ci = NULL;
                                if (store_query_path_info(store, closure[i], &ci) >= 0)
                                        total += ci->nar_size;
                        }
                free(error);
                json_object_set_new(o, "closureSize", json_integer((json_int_t) total));
        }
        return o;
}

static int store_cmd_path_info(Store *store, int argc, char **argv) {
        bool json = false, closure_size = false, recursive = false;
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'j' },
                { "closure-size", no_argument, NULL, 'S' },
                { "recursive", no_argument, NULL, 'r' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "Sr", opts, NULL)) >= 0) {
                switch (c) {
                case 'j':
                        json = true;
                        break;
                case 'S':
                        closure_size = true;
                        break;
                case 'r':
                        recursive = true;
                        break;
                default:
                        return 1;
                }
        }
        _cleanup_strv_free_ char **paths = cli_store_paths_from_args(store, argc - optind, argv + optind);
        if (!paths && optind < argc)
                return 1;
        if (recursive) {
                char **closure = NULL, *error = NULL;
                int r = store_query_closure(store, paths, false, &closure, &error);
                if (r < 0)
                        return cli_report(r, error, "closure");
                strv_free(paths);
                paths = closure;
        }
        json_t *arr = json_array();
        int rc = 0;
        for (size_t i = 0; paths && paths[i]; i++) {
                _cleanup_path_info_free_ PathInfo *info = NULL;
                int r = store_query_path_info(store, paths[i], &info);
                if (r == -ENOENT) {
                        log_error("path '%s' is not valid", paths[i]);
                        rc = 1;
                        continue;
                }
                if (r < 0) {
                        log_error_errno(r, "querying '%s': %m", paths[i]);
                        rc = 1;
                        continue;
                }
                json_t *o = path_info_json(store, info, closure_size);
                if (json)
                        json_array_append_new(arr, o);
                else {
                        printf("%s", info->path);
                        if (closure_size)
                                printf("\t%" PRIu64, (uint64_t) json_integer_value(json_object_get(o, "closureSize")));
                        printf("\n");
                        json_decref(o);
                }
        }
        if (json) {
                char *s = json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII);
                printf("%s\n", s);
                free(s);
        }
        json_decref(arr);
        return rc;
}

/* ---- query ---- */

typedef enum QueryKind {
        QUERY_REFERENCES,
        QUERY_REFERRERS,
        QUERY_REQUISITES,
        QUERY_REFERRERS_CLOSURE,
        QUERY_DERIVER,
        QUERY_OUTPUTS,
        QUERY_HASH,
        QUERY_SIZE,
        QUERY_VALID,
} QueryKind;

static int query_one(Store *store, QueryKind kind, const char *path, char ***out) {
        _cleanup_path_info_free_ PathInfo *info = NULL;
        int r = store_query_path_info(store, path, &info);
        if (r == -ENOENT) {
                log_error("path '%s' is not valid", path);
                return 1;
        }
        if (r < 0)
                return log_error_errno(r, "querying '%s': %m", path), 1;
        switch (kind) {
        case QUERY_REFERENCES:
                for (size_t i = 0; info->references && info->references[i]; i++)
                        *out = strv_push(*out, info->references[i]);
                break;
        case QUERY_REFERRERS: {
                _cleanup_strv_free_ char **l = NULL;
                r = store_query_referrers(store, path, &l);
                if (r < 0)
                        return log_error_errno(r, "querying '%s': %m", path), 1;
                for (size_t i = 0; l && l[i]; i++)
                        *out = strv_push(*out, l[i]);
                break;
        }
        case QUERY_DERIVER:
                *out = strv_push(*out, info->deriver ? info->deriver : "unknown-deriver");
                break;
        case QUERY_OUTPUTS: {
                _cleanup_strv_free_ char **names = NULL, **paths = NULL;
                r = store_query_drv_outputs(store, path, &names, &paths);
                if (r < 0)
                        return log_error_errno(r, "querying '%s': %m", path), 1;
                for (size_t i = 0; paths && paths[i]; i++)
                        *out = strv_push(*out, paths[i]);
                break;
        }
        case QUERY_HASH: {
                _cleanup_free_ char *h = hash_to_string(&info->nar_hash, HASH_FORMAT_BASE32);
                char *line = NULL;
                if (asprintf(&line, "sha256:%s", h) < 0)
                        return 1;
                *out = strv_consume(*out, line);
                break;
        }
        case QUERY_SIZE: {
                char *line = NULL;
                if (asprintf(&line, "%" PRIu64, info->nar_size) < 0)
                        return 1;
                *out = strv_consume(*out, line);
                break;
        }
        default:
                break;
        }
        return 0;
}

static int store_cmd_query(Store *store, int argc, char **argv) {
        int kind = -1;
        static const struct option opts[] = {
                { "references", no_argument, NULL, QUERY_REFERENCES },
                { "referrers", no_argument, NULL, QUERY_REFERRERS },
                { "requisites", no_argument, NULL, QUERY_REQUISITES },
                { "referrers-closure", no_argument, NULL, QUERY_REFERRERS_CLOSURE },
                { "deriver", no_argument, NULL, QUERY_DERIVER },
                { "outputs", no_argument, NULL, QUERY_OUTPUTS },
                { "hash", no_argument, NULL, QUERY_HASH },
                { "size", no_argument, NULL, QUERY_SIZE },
                { "valid", no_argument, NULL, QUERY_VALID },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "R", opts, NULL)) >= 0) {
                if (c == '?')
                        return 1;
                if (kind >= 0) {
                        log_error("query takes one query type");
                        return 1;
                }
                kind = c == 'R' ? QUERY_REQUISITES : c;
        }
        if (kind < 0) {
                log_error("usage: firn store query --references|--referrers|--requisites|--referrers-closure|"
                          "--deriver|--outputs|--hash|--size|--valid PATH...");
                return 1;
        }
        _cleanup_strv_free_ char **paths = cli_store_paths_from_args(store, argc - optind, argv + optind);
        if (!paths && optind < argc)
                return 1;
        _cleanup_strv_free_ char **out = NULL;
        if (kind == QUERY_VALID) {
                int rc = 0;
                for (size_t i = 0; paths && paths[i]; i++)
                        if (store_is_valid(store, paths[i]) <= 0) {
                                log_error("path '%s' is not valid", paths[i]);
                                rc = 1;
                        }
                return rc;
        }
        if (kind == QUERY_REQUISITES || kind == QUERY_REFERRERS_CLOSURE) {
                char *error = NULL;
                int r = store_query_closure(store, paths, kind == QUERY_REFERRERS_CLOSURE, &out, &error);
                if (r < 0)
                        return cli_report(r, error, "closure");
        } else {
                for (size_t i = 0; paths && paths[i]; i++)
                        if (query_one(store, (QueryKind) kind, paths[i], &out) != 0)
                                return 1;
                /* Lists of paths come sorted and unique, as Nix prints them. */
                if (kind != QUERY_HASH && kind != QUERY_SIZE && kind != QUERY_DERIVER)
                        strv_sort_unique(out);
        }
        for (size_t i = 0; out && out[i]; i++)
                printf("%s\n", out[i]);
        return 0;
}

/* ---- verify and optimise ---- */

static void print_finding(void *userdata, const char *path, const char *message) {
        fprintf(stderr, "%s\n", message);
}

static int store_cmd_verify(Store *store, int argc, char **argv) {
        VerifyOptions opts = {};
        static const struct option options[] = {
                { "check-contents", no_argument, NULL, 'c' },
                { "repair", no_argument, NULL, 'r' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                if (c == 'c')
                        opts.check_contents = true;
                else if (c == 'r')
                        opts.repair = true;
                else
                        return 1;
        }
        char *error = NULL;
        int r = store_verify(store, &opts, print_finding, NULL, &error);
        if (r < 0)
                return cli_report(r, error, "verify");
        if (r > 0) {
                log_error("%d problem%s found in the store", r, r == 1 ? "" : "s");
                return 1;
        }
        return 0;
}

static int store_cmd_optimise(Store *store, int argc, char **argv) {
        OptimiseStats stats;
        char *error = NULL;
        int r = store_optimise(store, &stats, &error);
        if (r < 0)
                return cli_report(r, error, "optimise");
        printf("%.2f MiB freed by hard-linking %" PRIu64 " files\n", (double) stats.bytes_freed / (1024.0 * 1024.0),
               stats.files_linked);
        return 0;
}

/* realpath: where absolute logical paths (/nix/store/…, a profile,
 * ./result's target) really are on this host: every symlink is followed inside the
 * store root, as the kernel would inside a machine whose / is the root
 * (openat2 RESOLVE_IN_ROOT). Scripts and tests on a private store need it. */
static int store_cmd_realpath(Store *store, int argc, char **argv) {
        if (argc < 2) {
                log_error("usage: firn store realpath PATH...");
                return 1;
        }
        _cleanup_close_ int rootfd = open(*store->root ? store->root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                log_error("cannot open the store root '%s': %s", store->root, strerror(errno));
                return 1;
        }
        int rc = 0;
        for (int i = 1; i < argc; i++) {
                if (argv[i][0] != '/') {
                        log_error("%s: not an absolute path", argv[i]);
                        rc = 1;
                        continue;
                }
                struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
                _cleanup_close_ int fd = (int) syscall(SYS_openat2, rootfd, argv[i], &how, sizeof how);
                _cleanup_free_ char *proc = xasprintf("/proc/self/fd/%d", fd), *real = NULL;
                int r = fd < 0 ? -errno : read_link(AT_FDCWD, proc, &real);
                if (r < 0) {
                        log_error("%s: %s", argv[i], strerror(-r));
                        rc = 1;
                        continue;
                }
                puts(real);
        }
        return rc;
}

/* ---- dispatch ---- */

typedef struct StoreCommand {
        const char *name;
        int (*run)(Store *store, int argc, char **argv);
        const char *help;
        bool no_store; /* works on plain files: run gets store == NULL */
} StoreCommand;

static const StoreCommand store_commands[] = {
        { "add", store_cmd_add, "add files or trees to the store" },
        { "hash-path", store_cmd_hash_path, "print the NAR hash of paths (--type ALGO, --base32, --sri)", true },
        { "dump", store_cmd_dump, "write the NAR of a path to standard output", true },
        { "restore", store_cmd_restore, "unpack a NAR from standard input into a new directory", true },
        { "path-info", store_cmd_path_info, "show the metadata of valid paths (--json, --closure-size)" },
        { "query", store_cmd_query, "references, referrers, requisites, deriver, outputs of paths" },
        { "verify", store_cmd_verify, "check the store against its database (--check-contents, --repair)" },
        { "optimise", store_cmd_optimise, "hard-link identical files" },
        { "realpath", store_cmd_realpath, "where paths really are, symlinks followed inside the store root" },
        { "delete", cmd_store_delete, "delete paths that nothing keeps alive" },
        { "gc", cmd_store_gc, "delete what no root keeps alive" },
};

static void store_usage(FILE *f) {
        fputs("Usage: firn [--store ROOT] store SUBCOMMAND [ARGS...]\n\nSubcommands:\n", f);
        for (size_t i = 0; i < ELEMENTSOF(store_commands); i++)
                fprintf(f, "  %-10s %s\n", store_commands[i].name, store_commands[i].help);
}

int cmd_store(int argc, char **argv) {
        if (argc < 2 || strcmp(argv[1], "--help") == 0) {
                store_usage(argc < 2 ? stderr : stdout);
                return argc < 2;
        }
        const StoreCommand *cmd = NULL;
        for (size_t i = 0; i < ELEMENTSOF(store_commands); i++)
                if (strcmp(argv[1], store_commands[i].name) == 0)
                        cmd = &store_commands[i];
        if (!cmd) {
                log_error("unknown store subcommand '%s'", argv[1]);
                store_usage(stderr);
                return 1;
        }
        _cleanup_store_free_ Store *store = NULL;
        if (!cmd->no_store && cli_open_store(&store) < 0)
                return 1;
        optind = 0; /* each subcommand parses its own argv with getopt */
        return cmd->run(store, argc - 1, argv + 1);
}
