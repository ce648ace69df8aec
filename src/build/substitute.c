#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary-cache.h"
#include "cleanup.h"
#include "narinfo.h"
#include "signature.h"
#include "strbuf.h"
#include "strv.h"
#include "substitute.h"
#include "xalloc.h"

struct Substituter {
        BinaryCache **caches;
        size_t n_caches;
        TrustedKeys *keys;   /* NULL: signatures are not required */
};

int substituter_new(const Conf *conf, Substituter **ret, char **ret_error) {
        Substituter *s = xcalloc(1, sizeof(*s));
        const char *urls = conf ? conf_get(conf, "substituters", "") : "";
        for (const char *p = urls; *p;) {
                while (*p == ' ')
                        p++;
                size_t n = strcspn(p, " ");
                if (n == 0)
                        break;
                _cleanup_free_ char *url = xstrndup(p, n);
                p += n;
                BinaryCache *cache = NULL;
                int r = binary_cache_open(url, &cache, ret_error);
                if (r < 0) {
                        substituter_free(s);
                        return r;
                }
                s->caches = xrealloc(s->caches, (s->n_caches + 1) * sizeof(BinaryCache *));
                s->caches[s->n_caches++] = cache;
        }
        if (!conf || conf_get_bool(conf, "require-sigs", true)) {
                s->keys = trusted_keys_new();
                const char *list = conf ? conf_get(conf, "trusted-public-keys", NULL) : NULL;
                if (list && trusted_keys_add_list(s->keys, list, ret_error) < 0) {
                        substituter_free(s);
                        return -EINVAL;
                }
        }
        *ret = s;
        return 0;
}

Substituter *substituter_free(Substituter *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_caches; i++)
                binary_cache_free(s->caches[i]);
        free(s->caches);
        trusted_keys_free(s->keys);
        free(s);
        return NULL;
}

void substituter_set_progress(Substituter *s, BinaryCacheProgressFn fn, void *userdata) {
        for (size_t i = 0; s && i < s->n_caches; i++)
                binary_cache_set_progress(s->caches[i], fn, userdata);
}

bool substituter_enabled(const Substituter *s) {
        return s && s->n_caches > 0;
}

/* 1 when cache has a narinfo for each path. */
static int cache_has_all(BinaryCache *cache, Store *store, char *const *paths, char **ret_error) {
        size_t n = strv_length(paths);
        NarInfo **infos = xcalloc(n ? n : 1, sizeof(NarInfo *));
        int r = binary_cache_get_narinfos(cache, store->store_dir, paths, n, infos, ret_error);
        int all = r >= 0;
        for (size_t i = 0; i < n; i++) {
                if (!infos[i])
                        all = 0;
                narinfo_free(infos[i]);
        }
        free(infos);
        return r < 0 ? r : all;
}

int substituter_fetch(Substituter *s, Store *store, char *const *paths, char **ret_warning) {
        StrBuf warnings = STRBUF_INIT;
        for (size_t i = 0; s && i < s->n_caches; i++) {
                char *error = NULL;
                int r = cache_has_all(s->caches[i], store, paths, &error);
                if (r > 0) {
                        _cleanup_strv_free_ char **imported = NULL;
                        r = store_import_paths_from_cache(store, s->caches[i], paths, s->keys, &imported, &error);
                        if (r >= 0) {
                                strbuf_release(&warnings);
                                return 1;
                        }
                }
                if (r < 0 && error)
                        strbuf_addf(&warnings, "%s%s", warnings.len ? "\n" : "", error);
                free(error);
        }
        *ret_warning = warnings.len ? strbuf_detach(&warnings, NULL) : NULL;
        strbuf_release(&warnings);
        return 0;
}
