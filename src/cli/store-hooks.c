#include "store-hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "derivation.h"
#include "gc-alloc.h"
#include "nar.h"
#include "store-add.h"
#include "store-db.h"
#include "store-path.h"
#include "strv.h"
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
        /* NULL for a read-only evaluation: paths are computed, not added. */
        Store *store;
        char *store_dir;
        SrcEntry *entries;
        size_t n, cap;
        /* The derivations this evaluation instantiated (and those read from
         * the store directory on demand), with their hashes memoised. */
        DrvTable *drvs;
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

        name = base_name_of(path);
        if (s->store) {
                r = store_add_from_path(s->store, path, name, FILE_INGESTION_RECURSIVE, HASH_SHA256, NULL, NULL,
                                        &dst, &err);
                if (r < 0) {
                        *ret_error = err ? err : message("adding '%s' to the store failed", path);
                        return r;
                }
                src_cache_put(s, path, dst);
                *ret_store_path = gc_strdup(dst);
                return 0;
        }
        r = nar_hash_path(AT_FDCWD, path, HASH_SHA256, &h, NULL, &err);
        if (r < 0) {
                *ret_error = err ? err : message("hashing '%s' failed", path);
                return r;
        }
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

/* ---- builtins.path, filterSource ---- */

typedef struct FilterAdapter {
        EvalPathFilter filter;
        void *userdata;
} FilterAdapter;

static int nar_filter(void *userdata, const char *path, const struct stat *st) {
        FilterAdapter *fa = userdata;
        const char *type = S_ISREG(st->st_mode) ? "regular" :
                           S_ISDIR(st->st_mode) ? "directory" :
                           S_ISLNK(st->st_mode) ? "symlink" : "unknown";

        return fa->filter(fa->userdata, path, type);
}

static int add_path_filtered_read_only(void *userdata, const char *path, const char *name, bool recursive,
                                       EvalPathFilter filter, void *filter_userdata, const char **ret_store_path,
                                       char **ret_error) {
        ReadOnlyStore *s = userdata;
        FilterAdapter fa = { .filter = filter, .userdata = filter_userdata };
        _cleanup_free_ char *dst = NULL;
        char *err = NULL;
        Hash h;
        int r;

        if (s->store) {
                r = store_add_from_path(s->store, path, name,
                                        recursive ? FILE_INGESTION_RECURSIVE : FILE_INGESTION_FLAT, HASH_SHA256,
                                        recursive && filter ? nar_filter : NULL, &fa, &dst, &err);
                if (r < 0) {
                        *ret_error = err ? err : r == -EINVAL || r == -ENOMEM ? message("adding '%s' failed", path)
                                                                              : NULL;
                        return r;
                }
                *ret_store_path = gc_strdup(dst);
                return 0;
        }
        if (recursive)
                r = nar_hash_path_filtered(AT_FDCWD, path, filter ? nar_filter : NULL, &fa, HASH_SHA256, &h, NULL,
                                           &err);
        else {
                r = hash_file(HASH_SHA256, AT_FDCWD, path, &h);
                if (r < 0) {
                        StrBuf sb = STRBUF_INIT;

                        /* Nix's words: a directory opens, and fails to read. */
                        if (r == -EISDIR)
                                strbuf_addf(&sb, "reading from file: %s", strerror(-r));
                        else
                                strbuf_addf(&sb, "opening file '%s': %s", path, strerror(-r));
                        err = strbuf_detach(&sb, NULL);
                }
        }
        if (r < 0) {
                /* A filter's failure (the evaluator's error) has no message. */
                *ret_error = err ? err : r == -EINVAL || r == -ENOMEM ? message("hashing '%s' failed", path) : NULL;
                return r;
        }
        r = store_path_make_fixed_output(recursive ? FILE_INGESTION_RECURSIVE : FILE_INGESTION_FLAT, &h, name,
                                         NULL, 0, false, s->store_dir, &dst, &err);
        if (r < 0) {
                *ret_error = err ? err : message("cannot compute the store path of '%s'", path);
                return r;
        }
        *ret_store_path = gc_strdup(dst);
        return 0;
}

/* ---- builtins.toFile ---- */

static int add_text_read_only(void *userdata, const char *name, const char *contents, const char *const *refs,
                              size_t n_refs, const char **ret_store_path, char **ret_error) {
        ReadOnlyStore *s = userdata;
        _cleanup_free_ char *dst = NULL;
        char *err = NULL;
        Hash h;
        int r;

        if (s->store) {
                _cleanup_strv_free_ char **l = NULL;
                for (size_t i = 0; i < n_refs; i++)
                        l = strv_push(l, refs[i]);
                r = store_add_text(s->store, name, contents, strlen(contents), l, &dst, &err);
                if (r < 0) {
                        *ret_error = err ? err : message("adding '%s' to the store failed", name);
                        return r;
                }
                *ret_store_path = gc_strdup(dst);
                return 0;
        }
        hash_buffer(HASH_SHA256, contents, strlen(contents), &h);
        r = store_path_make_text(name, &h, refs, n_refs, s->store_dir, &dst, &err);
        if (r < 0) {
                *ret_error = err ? err : message("cannot compute the store path of '%s'", name);
                return r;
        }
        *ret_store_path = gc_strdup(dst);
        return 0;
}

/* ---- derivations ---- */

/* A .drv the evaluation did not instantiate: read it from the store
 * directory, if it is there (a read-only evaluation cannot build one). */
static int read_drv(void *userdata, const char *drv_path, Derivation **ret_drv, char **ret_error) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_strbuf_ StrBuf text = STRBUF_INIT;
        _cleanup_free_ char *base = NULL;
        char buf[65536];
        size_t n, len;

        ReadOnlyStore *s = userdata;
        _cleanup_free_ char *real = s->store ? store_real_path(s->store, drv_path) : xstrdup(drv_path);
        f = fopen(real, "re");
        if (!f) {
                *ret_error = message("path '%s' is not valid", drv_path);
                return -ENOENT;
        }
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
                strbuf_add(&text, buf, n);
                if (text.len > DRV_MAX_SIZE)
                        break;
        }
        if (ferror(f)) {
                *ret_error = message("reading file '%s' failed", drv_path);
                return -EIO;
        }
        /* The name: the base name without the hash part and ".drv". */
        base = base_name_of(drv_path);
        len = strlen(base);
        if (len < STORE_PATH_HASH_CHARS + 1 + strlen(DRV_EXTENSION) || !has_suffix(base, DRV_EXTENSION)) {
                *ret_error = message("'%s' is not the path of a derivation", drv_path);
                return -EINVAL;
        }
        base[len - strlen(DRV_EXTENSION)] = '\0';
        return drv_parse(text.buf, text.len, base + STORE_PATH_HASH_CHARS + 1, ret_drv, ret_error);
}

static int write_derivation_read_only(void *userdata, Derivation *drv, const char **ret_drv_path,
                                      const Derivation **ret_drv, char **ret_error) {
        ReadOnlyStore *s = userdata;
        _cleanup_drv_ Derivation *owned = drv;
        _cleanup_free_ char *path = NULL;
        const Derivation *kept;
        int r;

        r = drv_fill_outputs(owned, s->store_dir, drv_table_input_hash, s->drvs, ret_error);
        if (r < 0)
                return r;
        _cleanup_free_ char *text = NULL;
        r = drv_compute_path(owned, s->store_dir, &path, s->store ? &text : NULL, ret_error);
        if (r < 0)
                return r;
        if (s->store) {
                /* A .drv refers to its input derivations and sources. */
                _cleanup_strv_free_ char **refs = NULL;
                _cleanup_free_ char *written = NULL;
                for (size_t i = 0; i < owned->n_inputs; i++)
                        refs = strv_push(refs, owned->inputs[i].path);
                for (size_t i = 0; i < owned->n_srcs; i++)
                        refs = strv_push(refs, owned->srcs[i]);
                strv_sort_unique(refs);
                _cleanup_free_ char *file_name = message("%s" DRV_EXTENSION, owned->name);
                r = store_add_text(s->store, file_name, text, strlen(text), refs, &written, ret_error);
                if (r < 0)
                        return r;
                if (strcmp(written, path) != 0) {
                        *ret_error = message("internal error: derivation written to another path than '%s'", path);
                        return -EIO;
                }
        }
        /* Nothing is written: the table remembers it, for the hashes of the
         * derivations that use it (Nix's drvHashes, "required in read-only
         * mode"). */
        drv_table_put(s->drvs, path, TAKE_PTR(owned));
        r = drv_table_get(s->drvs, path, &kept, ret_error);
        if (r < 0)
                return r;
        /* Hash it now, while its inputs' hashes are at hand, so that a long
         * chain of derivations never recurses deeply later. */
        r = drv_table_input_hash(s->drvs, path, &(DrvHash) {}, ret_error);
        if (r < 0)
                return r;
        *ret_drv_path = gc_strdup(path);
        if (ret_drv)
                *ret_drv = kept;
        return 0;
}

static int derivation_outputs_read_only(void *userdata, const char *drv_path, const char ***ret_outputs,
                                        size_t *ret_n, char **ret_error) {
        ReadOnlyStore *s = userdata;
        const Derivation *drv;
        const char **v;
        int r;

        r = drv_table_get(s->drvs, drv_path, &drv, ret_error);
        if (r < 0)
                return r;
        v = gc_alloc((drv->n_outputs + 1) * sizeof(char *));
        for (size_t i = 0; i < drv->n_outputs; i++)
                v[i] = gc_strdup(drv->outputs[i].name);
        *ret_outputs = v;
        *ret_n = drv->n_outputs;
        return 0;
}

/* Nix's computeFSClosure needs the path's registration in the store
 * database; a read-only evaluation writes none, so (as Nix in read-only
 * mode) no path is valid. */
static int path_closure_read_only(void *userdata, const char *path, const char ***ret_paths, size_t *ret_n,
                                  char **ret_error) {
        ReadOnlyStore *s = userdata;
        if (s->store) {
                char *one[] = { (char *) path, NULL };
                _cleanup_strv_free_ char **closure = NULL;
                int r = store_query_closure(s->store, one, false, &closure, ret_error);
                if (r < 0)
                        return r;
                size_t n = strv_length(closure);
                const char **v = gc_alloc((n + 1) * sizeof(char *));
                for (size_t i = 0; i < n; i++)
                        v[i] = gc_strdup(closure[i]);
                *ret_paths = v;
                *ret_n = n;
                return 0;
        }
        *ret_error = message("path '%s' is not valid", path);
        return -ENOENT;
}

EvalStoreHooks store_hooks_read_only(const char *store_dir) {
        return store_hooks_writable(NULL, store_dir);
}

EvalStoreHooks store_hooks_writable(Store *store, const char *store_dir) {
        ReadOnlyStore *s = xcalloc(1, sizeof(*s));
        s->store = store;

        s->store_dir = xstrdup(store_dir ? store_dir : STORE_DIR_DEFAULT);
        s->drvs = drv_table_new(s->store_dir, read_drv, s);
        return (EvalStoreHooks) {
                .userdata = s,
                .add_path = add_path_read_only,
                .add_path_filtered = add_path_filtered_read_only,
                .add_text = add_text_read_only,
                .write_derivation = write_derivation_read_only,
                .derivation_outputs = derivation_outputs_read_only,
                .path_closure = path_closure_read_only,
        };
}
