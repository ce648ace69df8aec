/* Building one derivation whose inputs are valid: lock the outputs, set up
 * the build directory, run the builder (sandbox or builtin), then check,
 * canonicalise, scan, hash, move and register the outputs. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build-env.h"
#include "build.h"
#include "builtin-builders.h"
#include "cleanup.h"
#include "derivation.h"
#include "fileio.h"
#include "nar.h"
#include "references.h"
#include "sandbox.h"
#include "store-add.h"
#include "store-db.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

/* The host ids the sandbox's build user (1000) maps to. */
#define BUILD_HOST_UID 30001
#define BUILD_HOST_GID 30000

typedef struct Build {
        Store *store;
        const BuildSettings *settings;
        const char *drv_path;
        Derivation *drv;
        bool fixed;
        char **closure;       /* the input closure, sorted */
        char *chroot_dir;     /* host path: outputs appear under it */
        char *build_dir;      /* host path mounted at /build */
        int *locks;           /* one per output */
        int log_fd;
} Build;

static void build_done(Build *b) {
        if (b->locks)
                for (size_t i = 0; i < b->drv->n_outputs; i++)
                        if (b->locks[i] >= 0)
                                store_unlock_path(b->store, b->drv->outputs[i].path, b->locks[i]);
        free(b->locks);
        if (b->chroot_dir)
                rm_rf(AT_FDCWD, b->chroot_dir, NULL);
        if (b->build_dir)
                rm_rf(AT_FDCWD, b->build_dir, NULL);
        free(b->chroot_dir);
        free(b->build_dir);
        strv_free(b->closure);
        drv_free(b->drv);
}

/* 1 when every output is valid. */
static int outputs_valid(Build *b) {
        for (size_t i = 0; i < b->drv->n_outputs; i++) {
                int r = store_is_valid(b->store, b->drv->outputs[i].path);
                if (r <= 0)
                        return r;
        }
        return 1;
}

static int lock_outputs(Build *b, char **ret_error) {
        b->locks = xmalloc(b->drv->n_outputs * sizeof(int));
        for (size_t i = 0; i < b->drv->n_outputs; i++)
                b->locks[i] = -1;
        /* Outputs are sorted by name, so every process locks in one order. */
        for (size_t i = 0; i < b->drv->n_outputs; i++) {
                const char *path = b->drv->outputs[i].path;
                int r = store_add_temp_root(b->store, path);
                if (r >= 0)
                        r = store_lock_path(b->store, path);
                if (r < 0) {
                        *ret_error = xasprintf("locking output '%s': %s", path, strerror(-r));
                        return r;
                }
                b->locks[i] = r;
        }
        return 0;
}

/* The closure of inputSrcs and the used outputs of inputDrvs. */
static int input_closure(Build *b, char **ret_error) {
        _cleanup_strv_free_ char **inputs = NULL;
        for (size_t i = 0; i < b->drv->n_srcs; i++)
                inputs = strv_push(inputs, b->drv->srcs[i]);
        for (size_t i = 0; i < b->drv->n_inputs; i++) {
                const DrvInput *in = &b->drv->inputs[i];
                _cleanup_(drv_freep) Derivation *dep = NULL;
                int r = store_read_derivation(b->store, in->path, &dep, ret_error);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < in->n_outputs; j++) {
                        DrvOutput *o = drv_find_output(dep, in->outputs[j]);
                        if (!o || !*o->path) {
                                *ret_error = xasprintf("derivation '%s' has no output '%s'", in->path,
                                                          in->outputs[j]);
                                return -EINVAL;
                        }
                        inputs = strv_push(inputs, o->path);
                }
        }
        for (size_t i = 0; inputs && inputs[i]; i++) {
                int r = store_add_temp_root(b->store, inputs[i]);
                if (r < 0)
                        return r;
                if (store_is_valid(b->store, inputs[i]) <= 0) {
                        *ret_error = xasprintf("dependency '%s' of '%s' is not valid", inputs[i], b->drv_path);
                        return -ENOENT;
                }
        }
        return store_query_closure(b->store, inputs, false, &b->closure, ret_error);
}

static int prepare_dirs(Build *b, const BuildEnv *env, char **ret_error) {
        const char *base = store_path_base(b->store, b->drv_path);
        b->chroot_dir = xasprintf("%s/%s.chroot", b->store->real_store_dir, base);
        _cleanup_free_ char *logical = xasprintf("%s/%s.chroot", b->store->store_dir, base);
        int r = store_add_temp_root(b->store, logical);
        if (r >= 0)
                r = rm_rf(AT_FDCWD, b->chroot_dir, NULL); /* left by a crashed build */
        if (r < 0) {
                *ret_error = xasprintf("preparing '%s': %s", b->chroot_dir, strerror(-r));
                return r;
        }
        const char *tmp = getenv("TMPDIR");
        b->build_dir = xasprintf("%s/firn-build-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", b->drv->name);
        if (!mkdtemp(b->build_dir)) {
                r = -errno;
                *ret_error = xasprintf("creating the build directory '%s': %s", b->build_dir, strerror(-r));
                free(b->build_dir);
                b->build_dir = NULL;
                return r;
        }
        for (size_t i = 0; i < env->n_files; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", b->build_dir, env->files[i].name);
                r = write_file_atomic(AT_FDCWD, path, env->files[i].contents, strlen(env->files[i].contents), 0644);
                if (r < 0) {
                        *ret_error = xasprintf("writing '%s': %s", path, strerror(-r));
                        return r;
                }
                if (chown(path, BUILD_HOST_UID, BUILD_HOST_GID) < 0)
                        return -errno;
        }
        if (chown(b->build_dir, BUILD_HOST_UID, BUILD_HOST_GID) < 0) {
                r = -errno;
                *ret_error = xasprintf("chown '%s': %s", b->build_dir, strerror(-r));
                return r;
        }
        return 0;
}

/* Where output i appears on the host while it is being built. */
static char *output_build_path(Build *b, size_t i) {
        return xasprintf("%s%s", b->chroot_dir, b->drv->outputs[i].path);
}

static char **split_words(char **l, const char *s) {
        while (s && *s) {
                while (*s == ' ' || *s == '\n' || *s == '\t')
                        s++;
                size_t n = strcspn(s, " \n\t");
                if (n)
                        l = strv_consume(l, xstrndup(s, n));
                s += n;
        }
        return l;
}

static int run_sandboxed(Build *b, const BuildEnv *env, char **ret_error) {
        _cleanup_strv_free_ char **sandbox_paths = NULL;
        if (b->settings->conf)
                sandbox_paths = split_words(sandbox_paths, conf_get(b->settings->conf, "sandbox-paths", NULL));
        /* A derivation may ask for host paths (e.g. /bin/sh) itself. */
        sandbox_paths = split_words(sandbox_paths, drv_get_env(b->drv, "__sandboxPaths"));
        SandboxSpec spec = {
                .store_root = b->store->root,
                .store_dir = b->store->store_dir,
                .inputs = (const char *const *) b->closure,
                .chroot_dir = b->chroot_dir,
                .build_dir = b->build_dir,
                .builder = b->drv->builder,
                .args = (const char *const *) b->drv->args,
                .env = (const char *const *) env->env,
                .sandbox_paths = (const char *const *) sandbox_paths,
                .fhs_root = drv_get_env(b->drv, "__fhsRoot"),
                .network = b->fixed,
                .log_fd = b->log_fd,
                .timeout = b->settings->timeout,
                .max_silent_time = b->settings->max_silent_time,
                .host_uid = BUILD_HOST_UID,
                .host_gid = BUILD_HOST_GID,
        };
        /* args must be NULL-terminated for the sandbox. */
        _cleanup_free_ const char **args = xcalloc(b->drv->n_args + 1, sizeof(char *));
        for (size_t i = 0; i < b->drv->n_args; i++)
                args[i] = b->drv->args[i];
        spec.args = args;
        SandboxResult res = { 0 };
        int r = sandbox_run(&spec, &res, ret_error);
        if (r < 0)
                return r;
        if (res.timed_out) {
                /* Nix's wording for the two limits. */
                if (res.silent)
                        *ret_error = xasprintf("building of '%s' timed out after %u seconds of silence", b->drv_path,
                                               b->settings->max_silent_time);
                else
                        *ret_error = xasprintf("building of '%s' timed out after %u seconds", b->drv_path,
                                               b->settings->timeout);
                return -ETIME;
        }
        if (WIFEXITED(res.exit_status) && WEXITSTATUS(res.exit_status) == 0)
                return 0;
        if (WIFEXITED(res.exit_status))
                *ret_error = xasprintf("builder for '%s' failed with exit code %d", b->drv_path,
                                          WEXITSTATUS(res.exit_status));
        else
                *ret_error = xasprintf("builder for '%s' failed due to signal %d (%s)", b->drv_path,
                                          WTERMSIG(res.exit_status), strsignal(WTERMSIG(res.exit_status)));
        return -EIO;
}

static int run_builtin(Build *b, BuiltinBuilderFn fn, char **ret_error) {
        _cleanup_free_ char *store_in_chroot = xasprintf("%s%s", b->chroot_dir, b->store->store_dir);
        int r = mkdir_p(AT_FDCWD, store_in_chroot, 0755);
        if (r < 0) {
                *ret_error = xasprintf("creating '%s': %s", store_in_chroot, strerror(-r));
                return r;
        }
        _cleanup_strv_free_ char **dirs = NULL;
        for (size_t i = 0; i < b->drv->n_outputs; i++)
                dirs = strv_consume(dirs, output_build_path(b, i));
        BuiltinContext ctx = {
                .store = b->store, .drv = b->drv, .drv_path = b->drv_path, .output_dirs = dirs, .log_fd = b->log_fd,
                .event_fd = b->settings->event_fd,
        };
        char *error = NULL;
        r = fn(&ctx, &error);
        if (r < 0) {
                *ret_error = xasprintf("builder for '%s' failed: %s", b->drv_path, error ? error : strerror(-r));
                free(error);
        }
        return r;
}

/* Hashes (sha256) and scans the NAR of an output in one pass. */
typedef struct OutputScan {
        HashCtx *hash;
        RefScanner *refs;
        uint64_t size;
} OutputScan;

static int scan_sink(void *userdata, const void *data, size_t len) {
        OutputScan *s = userdata;
        hash_ctx_update(s->hash, data, len);
        ref_scanner_feed(s->refs, data, len);
        s->size += len;
        return 0;
}

/* Checks a fixed output's hash; sets info->ca. */
static int check_fixed_output(Build *b, const DrvOutput *o, const char *host, PathInfo *info, char **ret_error) {
        bool recursive = strncmp(o->hash_algo, "r:", 2) == 0;
        HashAlgo algo;
        if (hash_algo_from_string(o->hash_algo + (recursive ? 2 : 0), &algo) < 0) {
                *ret_error = xasprintf("unknown hash algorithm '%s' in '%s'", o->hash_algo, b->drv_path);
                return -EINVAL;
        }
        Hash got, want;
        int r;
        char *error = NULL;
        if (recursive)
                r = nar_hash_path(AT_FDCWD, host, algo, &got, NULL, &error);
        else {
                struct stat st;
                if (lstat(host, &st) < 0 || !S_ISREG(st.st_mode)) {
                        *ret_error = xasprintf("output path '%s' should be a non-executable regular file since "
                                                  "recursive hashing is not enabled (outputHashMode=flat)",
                                                  o->path);
                        return -EINVAL;
                }
                r = hash_file(algo, AT_FDCWD, host, &got);
        }
        free(error);
        if (r < 0) {
                *ret_error = xasprintf("hashing output '%s': %s", o->path, strerror(-r));
                return r;
        }
        if (hash_from_string(o->hash, &algo, &want) < 0 ||
            memcmp(got.bytes, want.bytes, hash_algo_size(algo)) != 0) {
                _cleanup_free_ char *w = hash_to_string(&want, HASH_FORMAT_SRI);
                _cleanup_free_ char *g = hash_to_string(&got, HASH_FORMAT_SRI);
                *ret_error = xasprintf("hash mismatch in fixed-output derivation '%s':\n  specified: %s\n     got:    %s",
                                          b->drv_path, w, g);
                return -EBADMSG;
        }
        info->ca = store_make_fixed_ca(recursive ? FILE_INGESTION_RECURSIVE : FILE_INGESTION_FLAT, &got);
        return 0;
}

/* Canonicalises, scans, hashes and checks output i; fills info. */
static int inspect_output(Build *b, size_t i, PathInfo *info, char **ret_error) {
        const DrvOutput *o = &b->drv->outputs[i];
        _cleanup_free_ char *host = output_build_path(b, i);
        struct stat st;
        if (lstat(host, &st) < 0) {
                *ret_error = xasprintf("builder for '%s' failed to produce output path '%s'", b->drv_path, o->path);
                return -ENOENT;
        }
        int r = store_canonicalise(AT_FDCWD, host);
        if (r < 0) {
                *ret_error = xasprintf("output '%s' holds a file of a type a store cannot hold, or cannot be "
                                          "canonicalised: %s",
                                          o->path, strerror(-r));
                return r;
        }
        /* Candidates: the input closure and this derivation's outputs. */
        _cleanup_strv_free_ char **cands = NULL;
        for (size_t k = 0; b->closure && b->closure[k]; k++)
                cands = strv_push(cands, b->closure[k]);
        for (size_t k = 0; k < b->drv->n_outputs; k++)
                cands = strv_push(cands, b->drv->outputs[k].path);
        size_t n = strv_length(cands);
        _cleanup_free_ const char **parts = xcalloc(n + 1, sizeof(char *));
        for (size_t k = 0; k < n; k++)
                parts[k] = store_path_base(b->store, cands[k]);
        OutputScan scan = { .hash = hash_ctx_new(HASH_SHA256), .refs = ref_scanner_new(parts, n) };
        char *error = NULL;
        r = nar_dump_path(AT_FDCWD, host, scan_sink, &scan, &error);
        hash_ctx_finish(scan.hash, &info->nar_hash);
        if (r < 0) {
                ref_scanner_free(scan.refs);
                *ret_error = error ? error : xasprintf("reading output '%s': %s", o->path, strerror(-r));
                return r;
        }
        info->nar_size = scan.size;
        for (size_t k = 0; k < n; k++)
                if (ref_scanner_found(scan.refs, k))
                        info->references = strv_push(info->references, cands[k]);
        ref_scanner_free(scan.refs);
        strv_sort_unique(info->references);
        info->deriver = xstrdup(b->drv_path);
        info->ultimate = true;
        if (b->fixed) {
                if (info->references) {
                        *ret_error = xasprintf("illegal path references in fixed-output derivation '%s'",
                                                  b->drv_path);
                        return -EINVAL;
                }
                return check_fixed_output(b, o, host, info, ret_error);
        }
        return 0;
}

static int install_outputs(Build *b, char **ret_error) {
        size_t n = b->drv->n_outputs;
        PathInfo **infos = xcalloc(n, sizeof(PathInfo *));
        int r = 0;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                infos[i] = path_info_new(b->drv->outputs[i].path);
                r = inspect_output(b, i, infos[i], ret_error);
        }
        /* Into the store (never over a valid path), then durable: the
         * outputs and their directory entries are synced before anything
         * is registered. An output renamed but not registered is invalid,
         * and removed below on failure (or as a leftover by the next build
         * or GC). Renaming first lets a journaling file system (ext4) commit
         * the renames with the first sync instead of in one more. */
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *host = output_build_path(b, i);
                const char *base = store_path_base(b->store, b->drv->outputs[i].path);
                r = rm_rf(b->store->store_fd, base, NULL);
                if (r >= 0)
                        r = rename_at(AT_FDCWD, host, b->store->store_fd, base, true);
                if (r < 0)
                        *ret_error = xasprintf("moving output '%s' into the store: %s", b->drv->outputs[i].path,
                                                  strerror(-r));
        }
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = sync_tree(b->store->store_fd, store_path_base(b->store, b->drv->outputs[i].path));
                if (r < 0)
                        *ret_error = xasprintf("syncing output '%s': %s", b->drv->outputs[i].path, strerror(-r));
        }
        if (r >= 0)
                r = fd_sync(b->store->store_fd);
        if (r >= 0)
                r = store_register_paths(b->store, infos, n, ret_error);
        if (r < 0)
                /* Nothing registered: remove what was moved already. */
                for (size_t i = 0; i < n; i++)
                        if (store_is_valid(b->store, b->drv->outputs[i].path) == 0)
                                rm_rf(b->store->store_fd, store_path_base(b->store, b->drv->outputs[i].path), NULL);
        for (size_t i = 0; i < n; i++)
                path_info_free(infos[i]);
        free(infos);
        return r;
}

int build_derivation(Store *store, const char *drv_path, const BuildSettings *settings, int log_fd,
                     char **ret_error) {
        _cleanup_(build_done) Build b = { .store = store, .settings = settings, .drv_path = drv_path, .log_fd = log_fd };
        int r = store_add_temp_root(store, drv_path);
        if (r < 0) {
                *ret_error = xasprintf("adding a temporary root: %s", strerror(-r));
                return r;
        }
        r = store_read_derivation(store, drv_path, &b.drv, ret_error);
        if (r < 0)
                return r;
        DrvType type;
        r = drv_type(b.drv, &type, ret_error);
        if (r < 0)
                return r;
        if (type != DRV_TYPE_INPUT_ADDRESSED && type != DRV_TYPE_FIXED) {
                *ret_error = xasprintf("derivation '%s' has outputs without paths, which firn cannot build",
                                          drv_path);
                return -EOPNOTSUPP;
        }
        b.fixed = type == DRV_TYPE_FIXED;
        r = lock_outputs(&b, ret_error);
        if (r < 0)
                return r;
        r = outputs_valid(&b);
        if (r != 0)
                return r < 0 ? r : 0; /* built by someone else meanwhile */
        r = input_closure(&b, ret_error);
        if (r < 0)
                return r;
        _cleanup_(build_env_done) BuildEnv env = { 0 };
        build_env_make(b.drv, store->store_dir, settings->cores, &env);
        r = prepare_dirs(&b, &env, ret_error);
        if (r < 0)
                return r;
        BuiltinBuilderFn builtin = builtin_builder_find(b.drv->builder);
        if (builtin)
                r = run_builtin(&b, builtin, ret_error);
        else if (strncmp(b.drv->builder, "builtin:", 8) == 0) {
                *ret_error = xasprintf("unsupported builtin builder '%s'", b.drv->builder);
                r = -EOPNOTSUPP;
        } else
                r = run_sandboxed(&b, &env, ret_error);
        if (r < 0)
                return r;
        if (settings->event_fd > 0) /* the builder is done: its job slot is free */
                (void) fd_write_all(settings->event_fd, BUILD_EVENT_INSTALLING "\n",
                                    strlen(BUILD_EVENT_INSTALLING "\n"));
        return install_outputs(&b, ret_error);
}
