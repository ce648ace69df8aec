/* builtin:fetch-deb and builtin:unpack-deb (see builtin-deb.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builtin-builders.h"
#include "builtin-deb.h"
#include "cleanup.h"
#include "derivation.h"
#include "fileio.h"
#include "source.h"
#include "strbuf.h"
#include "strv.h"
#include "unpack.h"
#include "xalloc.h"

static const char *need_env(const BuiltinContext *ctx, const char *name, char **ret_error) {
        const char *v = drv_get_env(ctx->drv, name);
        if (!v || !*v)
                *ret_error = xasprintf("the derivation has no '%s'", name);
        return v && *v ? v : NULL;
}

static int fetch_deb(const BuiltinContext *ctx, char **ret_error) {
        const char *out = builtin_output_dir(ctx, "out");
        if (!out) {
                *ret_error = xstrdup("builtin:fetch-deb needs an output 'out'");
                return -EINVAL;
        }
        DebFetchRequest req = { .dest = out, .log_fd = ctx->log_fd };
        if (!(req.name = need_env(ctx, "debName", ret_error)) ||
            !(req.version = need_env(ctx, "debVersion", ret_error)) ||
            !(req.architecture = need_env(ctx, "debArchitecture", ret_error)) ||
            !(req.filename = need_env(ctx, "debFilename", ret_error)))
                return -EINVAL;
        DebSource src = deb_source_apt(getenv("FIRN_APT_LISTS"));
        return src.fetch(&src, &req, ret_error);
}

/* Splits a whitespace-separated list of store paths. */
static char **split_paths(const char *s) {
        char **l = xcalloc(1, sizeof(char *));
        while (s && *s) {
                s += strspn(s, " \t\n");
                size_t n = strcspn(s, " \t\n");
                if (n)
                        l = strv_consume(l, xstrndup(s, n));
                s += n;
        }
        return l;
}

static int unpack_debs(const BuiltinContext *ctx, const char *out, char **ret_error) {
        _cleanup_strv_free_ char **debs = split_paths(drv_get_env(ctx->drv, "debs"));
        _cleanup_strv_free_ char **deps = split_paths(drv_get_env(ctx->drv, "depends"));
        if (!debs[0]) {
                *ret_error = xstrdup("the derivation lists no 'debs'");
                return -EINVAL;
        }
        int r = mkdir_p(AT_FDCWD, out, 0755);
        if (r < 0) {
                *ret_error = xasprintf("creating %s: %s", out, strerror(-r));
                return r;
        }
        for (char **d = debs; *d; d++) {
                _cleanup_free_ char *real = xasprintf("%s%s", ctx->store->root, *d);
                if ((r = deb_unpack(real, out, ret_error)) < 0)
                        return r;
        }
        StrBuf sb = STRBUF_INIT;
        strv_sort_unique(deps);
        for (char **d = deps; *d; d++)
                strbuf_addf(&sb, "%s\n", *d);
        _cleanup_free_ char *dir = xasprintf("%s/nix-support", out);
        _cleanup_free_ char *file = xasprintf("%s/depends", dir);
        if ((r = mkdir_p(AT_FDCWD, dir, 0755)) >= 0)
                r = write_file_atomic(AT_FDCWD, file, sb.buf, sb.len, 0644);
        strbuf_release(&sb);
        if (r < 0)
                *ret_error = xasprintf("writing %s: %s", file, strerror(-r));
        return r;
}

static int unpack_deb(const BuiltinContext *ctx, char **ret_error) {
        const char *out = builtin_output_dir(ctx, "out");
        if (!out) {
                *ret_error = xstrdup("builtin:unpack-deb needs an output 'out'");
                return -EINVAL;
        }
        int r = unpack_debs(ctx, out, ret_error);
        if (r < 0)
                (void) rm_rf(AT_FDCWD, out, NULL);
        return r;
}

int deb_builtins_register(void) {
        int r = builtin_builder_register("builtin:fetch-deb", fetch_deb);
        if (r < 0 && r != -EEXIST)
                return r;
        r = builtin_builder_register("builtin:unpack-deb", unpack_deb);
        return r == -EEXIST ? 0 : r;
}
