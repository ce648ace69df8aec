/* `firn copy`: copies closures between the store and a binary cache, like
 * `nix copy`.
 *
 *   firn copy --to URL [--sign-key FILE] [--compression xz|zstd|none] PATH...
 *   firn copy --from URL [--trusted-public-keys "K1 K2"] [--no-check-sigs]
 *             [--log-format plain|bar|json] PATH...
 *
 * URL is file:///DIR (both ways) or http(s)://… (--from only); Nix's
 * "?compression=…" and "?secret-key=FILE" parameters work as the flags do.
 * The trusted keys default to `trusted-public-keys` (plus
 * `extra-trusted-public-keys`) in /etc/firn/firn.conf ($FIRN_CONF when
 * set), in nix.conf syntax. The work is binary-cache.c's; the progress of
 * --from (a live line on a terminal, else a line per path copied with its
 * size and rate, or JSON events) is build-log.h's. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "binary-cache.h"
#include "build-log.h"
#include "cleanup.h"
#include "cli-store.h"
#include "commands.h"
#include "conf.h"
#include "fileio.h"
#include "log.h"
#include "signature.h"
#include "strv.h"
#include "xalloc.h"

static void usage(FILE *f) {
        fputs("Usage: firn [--store ROOT] copy --to URL [--sign-key FILE] [--compression xz|zstd|none] PATH...\n"
              "       firn [--store ROOT] copy --from URL [--trusted-public-keys \"K1 K2\"] [--no-check-sigs]\n"
              "                                 [--log-format plain|bar|json] PATH...\n"
              "URL: file:///DIR, http://…, https://… (reading only).\n",
              f);
}

/* Adds the keys of `trusted-public-keys` (with `extra-trusted-public-keys`)
 * in the configuration file (conf.h). A missing file is no error. */
static int keys_from_conf(TrustedKeys *keys, char **ret_error) {
        Conf *conf = conf_new();
        int r = conf_load_file(conf, conf_default_path(), ret_error);
        if (r >= 0) {
                const char *list = conf_get(conf, "trusted-public-keys", NULL);
                if (list) {
                        char *error = NULL;
                        r = trusted_keys_add_list(keys, list, &error);
                        if (r < 0) {
                                if (asprintf(ret_error, "%s: %s", conf_default_path(), error) < 0)
                                        *ret_error = NULL;
                                free(error);
                        }
                }
        }
        conf_free(conf);
        return r;
}

/* Each NAR being restored and each path locked holds a descriptor. */
static void raise_fd_limit(void) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                setrlimit(RLIMIT_NOFILE, &rl);
        }
}

static int copy_to(Store *store, const char *url, char **paths, const char *sign_key_file, const char *compression) {
        _cleanup_binary_cache_free_ BinaryCache *cache = NULL;
        char *error = NULL;
        int r = binary_cache_open(url, &cache, &error);
        if (r < 0)
                return cli_report(r, error, url);
        if (!sign_key_file)
                sign_key_file = binary_cache_param(cache, "secret-key");
        if (!compression)
                compression = binary_cache_param(cache, "compression");
        _cleanup_secret_key_free_ SecretKey *key = NULL;
        if (sign_key_file) {
                _cleanup_free_ char *text = NULL;
                r = read_file(AT_FDCWD, sign_key_file, 64 * 1024, &text, NULL);
                if (r < 0)
                        return log_error_errno(r, "reading the secret key '%s': %m", sign_key_file), 1;
                r = secret_key_parse(text, &key, &error);
                if (r < 0)
                        return cli_report(r, error, sign_key_file);
        }
        CacheWriteOptions opts = { .compression = compression, .sign_key = key };
        _cleanup_strv_free_ char **copied = NULL;
        r = binary_cache_copy_closure_to(cache, store, paths, &opts, &copied, &error);
        if (r < 0)
                return cli_report(r, error, url);
        for (size_t i = 0; copied && copied[i]; i++)
                fprintf(stderr, "copied path '%s' to '%s'\n", copied[i], binary_cache_url(cache));
        return 0;
}

static int copy_from(Store *store, const char *url, char **paths, const char *trusted, bool check_sigs,
                     BuildLogFormat format) {
        _cleanup_binary_cache_free_ BinaryCache *cache = NULL;
        char *error = NULL;
        int r = binary_cache_open(url, &cache, &error);
        if (r < 0)
                return cli_report(r, error, url);
        _cleanup_trusted_keys_free_ TrustedKeys *keys = NULL;
        if (check_sigs) {
                keys = trusted_keys_new();
                if (trusted)
                        r = trusted_keys_add_list(keys, trusted, &error);
                else
                        r = keys_from_conf(keys, &error);
                if (r < 0)
                        return cli_report(r, error, "trusted-public-keys");
        }
        raise_fd_limit();
        Progress *progress = progress_new(stderr, format);
        binary_cache_set_progress(cache, progress_cache_event, progress);
        _cleanup_strv_free_ char **imported = NULL;
        r = store_import_paths_from_cache(store, cache, paths, keys, &imported, &error);
        binary_cache_set_progress(cache, NULL, NULL);
        unsigned done;
        uint64_t bytes, usec;
        progress_download_totals(progress, &done, &bytes, &usec);
        progress_free(progress); /* clears the live line */
        if (r < 0)
                return cli_report(r, error, url);
        /* Plain and JSON said it path by path; the live line is gone. */
        if (format == BUILD_LOG_BAR && imported) {
                bool mib = bytes >= 1024 * 1024;
                fprintf(stderr, "copied %zu paths (%.1f %s) from '%s' in %.2f s\n", strv_length(imported),
                        (double) bytes / (mib ? 1024.0 * 1024.0 : 1024.0), mib ? "MiB" : "KiB",
                        binary_cache_url(cache), (double) usec / 1e6);
        }
        return 0;
}

int cmd_copy(int argc, char **argv) {
        const char *to = NULL, *from = NULL, *sign_key = NULL, *compression = NULL, *trusted = NULL;
        bool check_sigs = true;
        BuildLogFormat format = isatty(STDERR_FILENO) ? BUILD_LOG_BAR : BUILD_LOG_PLAIN;
        enum { ARG_TO = 0x100, ARG_FROM, ARG_SIGN_KEY, ARG_COMPRESSION, ARG_TRUSTED, ARG_NO_CHECK_SIGS, ARG_LOG_FORMAT };
        static const struct option opts[] = {
                { "to", required_argument, NULL, ARG_TO },
                { "from", required_argument, NULL, ARG_FROM },
                { "sign-key", required_argument, NULL, ARG_SIGN_KEY },
                { "compression", required_argument, NULL, ARG_COMPRESSION },
                { "trusted-public-keys", required_argument, NULL, ARG_TRUSTED },
                { "no-check-sigs", no_argument, NULL, ARG_NO_CHECK_SIGS },
                { "log-format", required_argument, NULL, ARG_LOG_FORMAT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        optind = 0;
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                switch (c) {
                case ARG_TO:
                        to = optarg;
                        break;
                case ARG_FROM:
                        from = optarg;
                        break;
                case ARG_SIGN_KEY:
                        sign_key = optarg;
                        break;
                case ARG_COMPRESSION:
                        compression = optarg;
                        break;
                case ARG_TRUSTED:
                        trusted = optarg;
                        break;
                case ARG_NO_CHECK_SIGS:
                        check_sigs = false;
                        break;
                case ARG_LOG_FORMAT:
                        if (strcmp(optarg, "json") == 0 || strcmp(optarg, "internal-json") == 0)
                                format = BUILD_LOG_JSON;
                        else if (strcmp(optarg, "bar") == 0)
                                format = BUILD_LOG_BAR;
                        else if (strcmp(optarg, "plain") == 0 || strcmp(optarg, "raw") == 0)
                                format = BUILD_LOG_PLAIN;
                        else {
                                log_error("unknown log format '%s'", optarg);
                                return 1;
                        }
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 1;
                }
        }
        if (!to == !from || optind >= argc) {
                usage(stderr);
                return 1;
        }
        if (to && (trusted || !check_sigs)) {
                log_error("--trusted-public-keys and --no-check-sigs go with --from");
                return 1;
        }
        if (from && (sign_key || compression)) {
                log_error("--sign-key and --compression go with --to");
                return 1;
        }
        _cleanup_store_free_ Store *store = NULL;
        if (cli_open_store(&store) < 0)
                return 1;
        _cleanup_strv_free_ char **paths = cli_store_paths_from_args(store, argc - optind, argv + optind);
        if (!paths)
                return 1;
        return to ? copy_to(store, to, paths, sign_key, compression)
                  : copy_from(store, from, paths, trusted, check_sigs, format);
}
