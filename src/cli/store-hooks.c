#include "store-hooks.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "cleanup.h"
#include "gc-alloc.h"
#include "nar.h"
#include "store-path.h"
#include "strbuf.h"
#include "xalloc.h"

/* Source path → store path, both malloc'ed (Nix's srcToStore). Open
 * addressing, capacity a power of two, at most half full. */
typedef struct SrcEntry {
        char *src;
        char *dst;
        uint64_t hash;
} SrcEntry;

typedef struct ReadOnlyStore {
        char *store_dir;
        SrcEntry *entries;
        size_t n, cap;
} ReadOnlyStore;

static uint64_t fnv1a(const char *s) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * UINT64_C(0x100000001b3);
        return h;
}

static SrcEntry *src_cache_slot(SrcEntry *entries, size_t cap, const char *src, uint64_t h) {
        for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1))
                if (!entries[i].src || (entries[i].hash == h && strcmp(entries[i].src, src) == 0))
                        return &entries[i];
}

static const char *src_cache_get(ReadOnlyStore *s, const char *src) {
        SrcEntry *e;

        if (s->cap == 0)
                return NULL;
        e = src_cache_slot(s->entries, s->cap, src, fnv1a(src));
        return e->src ? e->dst : NULL;
}

static void src_cache_put(ReadOnlyStore *s, const char *src, char *dst) {
        uint64_t h = fnv1a(src);
        SrcEntry *e;

        if ((s->n + 1) * 2 > s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 64;
                SrcEntry *entries = xcalloc(cap, sizeof(*entries));

                for (size_t i = 0; i < s->cap; i++)
                        if (s->entries[i].src)
                                *src_cache_slot(entries, cap, s->entries[i].src, s->entries[i].hash) = s->entries[i];
                free(s->entries);
                s->entries = entries;
                s->cap = cap;
        }
        e = src_cache_slot(s->entries, s->cap, src, h);
        if (e->src) {
                free(e->dst);
                e->dst = dst;
                return;
        }
        *e = (SrcEntry) { .src = xstrdup(src), .dst = dst, .hash = h };
        s->n++;
}

/* Nix's baseNameOf: the last component, ignoring one trailing slash. */
static char *base_name_of(const char *path) {
        size_t len = strlen(path), last, start;

        if (len == 0)
                return xstrdup("");
        last = len - 1;
        if (path[last] == '/' && last > 0)
                last--;
        start = last + 1;
        while (start > 0 && path[start - 1] != '/')
                start--;
        return xstrndup(path + start, last + 1 - start);
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static char *message(const char *fmt, const char *arg) {
        StrBuf sb = STRBUF_INIT;

        strbuf_addf(&sb, fmt, arg);
        return strbuf_detach(&sb, NULL);
}

static int add_path_read_only(void *userdata, const char *path, const char **ret_store_path, char **ret_error) {
        ReadOnlyStore *s = userdata;
        _cleanup_free_ char *name = NULL;
        char *dst = NULL, *err = NULL;
        const char *cached;
        Hash h;
        int r;

        if (has_suffix(path, ".drv")) {
                *ret_error = message("file names are not allowed to end in '%s'", ".drv");
                return -EINVAL;
        }

        cached = src_cache_get(s, path);
        if (cached) {
                *ret_store_path = gc_strdup(cached);
                return 0;
        }

        r = nar_hash_path(AT_FDCWD, path, HASH_SHA256, &h, NULL, &err);
        if (r < 0) {
                *ret_error = err ? err : message("hashing '%s' failed", path);
                return r;
        }
        name = base_name_of(path);
        r = store_path_make_fixed_output(FILE_INGESTION_RECURSIVE, &h, name, NULL, 0, false, s->store_dir, &dst,
                                         &err);
        if (r < 0) {
                *ret_error = err ? err : message("cannot compute the store path of '%s'", path);
                return r;
        }

        src_cache_put(s, path, dst);
        *ret_store_path = gc_strdup(dst);
        return 0;
}

EvalStoreHooks store_hooks_read_only(const char *store_dir) {
        ReadOnlyStore *s = xcalloc(1, sizeof(*s));

        s->store_dir = xstrdup(store_dir ? store_dir : STORE_DIR_DEFAULT);
        return (EvalStoreHooks) { .userdata = s, .add_path = add_path_read_only };
}
