#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"
#include "lock.h"
#include "store-db.h"
#include "store-gc.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

/* Bounds on what is read from outside. */
#define TEMPROOTS_MAX_SIZE (256u << 20)
#define PROC_MAPS_MAX_SIZE (64u << 20)
#define ROOTS_MAX_DEPTH 64
/* Paths invalidated per database transaction. */
#define GC_BATCH 1024
/* Threads removing files at once (delete_files). */
#define GC_REMOVAL_THREADS 8

static void gc_info(const GcOptions *o, const char *fmt, ...) _printf_(2, 3);
static void gc_info(const GcOptions *o, const char *fmt, ...) {
        if (!o || !o->on_info)
                return;
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        o->on_info(o->userdata, sb.buf);
        strbuf_release(&sb);
}

/* ---- a set of strings with an index each ------------------------------ */

/* Open addressing over borrowed keys, at most half full. */
typedef struct StrMap {
        const char **keys;
        size_t *vals;
        size_t cap;
        size_t n;
} StrMap;

static uint64_t str_hash(const char *s) {
        uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 0x100000001b3ull;
        return h;
}

static size_t strmap_slot(const StrMap *m, const char *key) {
        size_t i = (size_t) str_hash(key) & (m->cap - 1);
        while (m->keys[i] && strcmp(m->keys[i], key) != 0)
                i = (i + 1) & (m->cap - 1);
        return i;
}

/* Adds key (borrowed: it must outlive the map) unless present. */
static void strmap_put(StrMap *m, const char *key, size_t val) {
        if ((m->n + 1) * 2 > m->cap) {
                StrMap bigger = { .cap = m->cap ? m->cap * 2 : 1024 };
                bigger.keys = xcalloc(bigger.cap, sizeof(char *));
                bigger.vals = xcalloc(bigger.cap, sizeof(size_t));
                for (size_t i = 0; i < m->cap; i++)
                        if (m->keys[i]) {
                                size_t s = strmap_slot(&bigger, m->keys[i]);
                                bigger.keys[s] = m->keys[i];
                                bigger.vals[s] = m->vals[i];
                        }
                bigger.n = m->n;
                free(m->keys);
                free(m->vals);
                *m = bigger;
        }
        size_t s = strmap_slot(m, key);
        if (m->keys[s])
                return;
        m->keys[s] = key;
        m->vals[s] = val;
        m->n++;
}

/* The value of key, or SIZE_MAX. */
static size_t strmap_get(const StrMap *m, const char *key) {
        if (m->n == 0)
                return SIZE_MAX;
        size_t s = strmap_slot(m, key);
        return m->keys[s] ? m->vals[s] : SIZE_MAX;
}

static void strmap_done(StrMap *m) {
        free(m->keys);
        free(m->vals);
        *m = (StrMap) { 0 };
}

/* ---- roots --------------------------------------------------------- */

typedef struct RootList {
        GcRoot *items;
        size_t n, cap;
} RootList;

static void roots_push(RootList *l, char *link, char *path) {
        if (l->n == l->cap) {
                l->cap = l->cap ? l->cap * 2 : 64;
                l->items = xrealloc(l->items, l->cap * sizeof(GcRoot));
        }
        l->items[l->n++] = (GcRoot) { .link = link, .path = path };
}

void gc_roots_free(GcRoot *roots, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(roots[i].link);
                free(roots[i].path);
        }
        free(roots);
}

static void roots_done(RootList *l) {
        gc_roots_free(l->items, l->n);
        *l = (RootList) { 0 };
}

/* The logical store path (STOREDIR/NAME, malloc'ed) of something under
 * prefix (a store directory, logical or real), or NULL. */
static char *store_path_under(const Store *store, const char *prefix, const char *p) {
        size_t pl = strlen(prefix);
        if (strncmp(p, prefix, pl) != 0 || p[pl] != '/')
                return NULL;
        const char *name = p + pl + 1;
        size_t nl = strcspn(name, "/");
        if (nl == 0 || (nl == 1 && name[0] == '.') || (nl == 2 && name[0] == '.' && name[1] == '.'))
                return NULL;
        return xasprintf("%s/%.*s", store->store_dir, (int) nl, name);
}

/* A symlink target that names a store path: logical (/nix/store/…), or
 * under the real store directory. */
static char *store_path_of_target(const Store *store, const char *target) {
        char *p = store_path_under(store, store->store_dir, target);
        if (!p && *store->root)
                p = store_path_under(store, store->real_store_dir, target);
        return p;
}

/* A logical state path (/nix/var/nix/…) in a link's target, under --store
 * ROOT, really lives under ROOT. */
static char *real_target(const Store *store, const char *target) {
        size_t sl = strlen(STORE_STATE_DIR_DEFAULT);
        if (*store->root && strncmp(target, STORE_STATE_DIR_DEFAULT, sl) == 0 &&
            (target[sl] == '/' || target[sl] == 0))
                return store_real_path(store, target);
        return xstrdup(target);
}

static void found_link_root(const Store *store, RootList *roots, const char *link, const char *target) {
        char *p = store_path_of_target(store, target);
        if (p)
                roots_push(roots, xstrdup(link), p);
}

typedef struct Walk {
        Store *store;
        const GcOptions *opts; /* NULL: report nothing */
        bool remove_stale;
        const char *auto_real; /* <state>/gcroots/auto: its stale links go */
        RootList *roots;
} Walk;

/* A symlink at dir_real/name (reached through dfd). */
static void walk_link(Walk *w, int dfd, const char *dir_real, const char *name, bool in_auto) {
        _cleanup_free_ char *target = NULL;
        if (read_link(dfd, name, &target) < 0)
                return;
        _cleanup_free_ char *link = xasprintf("%s/%s", dir_real, name);
        _cleanup_free_ char *direct = store_path_of_target(w->store, target);
        if (direct) {
                roots_push(w->roots, TAKE_PTR(link), TAKE_PTR(direct));
                return;
        }
        /* An indirect root: the link points at a link (e.g. ./result). */
        _cleanup_free_ char *abs = *target == '/' ? real_target(w->store, target)
                                                  : xasprintf("%s/%s", dir_real, target);
        struct stat st;
        if (lstat(abs, &st) < 0) {
                if ((errno == ENOENT || errno == ENOTDIR) && in_auto && w->remove_stale) {
                        gc_info(w->opts, "removing stale link from '%s' to '%s'", link, abs);
                        unlink_at(dfd, name, 0);
                }
                return;
        }
        if (!S_ISLNK(st.st_mode))
                return;
        _cleanup_free_ char *target2 = NULL;
        if (read_link(AT_FDCWD, abs, &target2) < 0)
                return;
        found_link_root(w->store, w->roots, abs, target2);
}

/* Walks the directory dir_real (open as fd, which this takes), recursing
 * into real subdirectories. */
static void walk_dir(Walk *w, int fd, const char *dir_real, bool in_auto, int depth) {
        if (depth > ROOTS_MAX_DEPTH) {
                close(fd);
                return;
        }
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0)
                                continue;
                        _cleanup_free_ char *sub_real = xasprintf("%s/%s", dir_real, e->d_name);
                        walk_dir(w, sub, sub_real, in_auto || strcmp(sub_real, w->auto_real) == 0, depth + 1);
                } else if (S_ISLNK(st.st_mode))
                        walk_link(w, dirfd(d), dir_real, e->d_name, in_auto);
        }
        closedir(d);
}

static void find_link_roots(Walk *w, const char *subdir) {
        int fd = openat(w->store->state_fd, subdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        _cleanup_free_ char *real = xasprintf("%s/%s", w->store->state_dir, subdir);
        walk_dir(w, fd, real, false, 0);
}

static bool pid_alive(const char *name) {
        char *end;
        errno = 0;
        long pid = strtol(name, &end, 10);
        if (errno || *end || end == name || pid <= 0 || pid > INT32_MAX)
                return false;
        return kill((pid_t) pid, 0) == 0 || errno == EPERM;
}

/* The temporary roots of running processes. Called with gc.lock held
 * exclusively, so no process is in the middle of adding one. */
static int find_temp_roots(Walk *w) {
        int fd = openat(w->store->state_fd, "temproots", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        int r = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                /* flock needs no write access: read-only works for files
                 * of other users too. */
                _cleanup_close_ int rfd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (rfd < 0) {
                        if (errno == ENOENT)
                                continue;
                        r = -errno;
                        break;
                }
                int l = lock_fd(rfd, LOCK_MODE_EXCLUSIVE, false);
                if (l >= 0) {
                        /* Nobody holds it. Its owner is dead, unless it is
                         * alive and just created the file and has not locked
                         * it yet: then there are no roots in it, and it
                         * must stay. */
                        if (w->remove_stale && !pid_alive(e->d_name)) {
                                gc_info(w->opts, "removing stale temporary roots file '%s/temproots/%s'",
                                        w->store->state_dir, e->d_name);
                                unlink_at(dirfd(d), e->d_name, 0);
                        }
                        continue;
                }
                if (l != -EWOULDBLOCK) {
                        r = l;
                        break;
                }
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                r = read_file(dirfd(d), e->d_name, TEMPROOTS_MAX_SIZE, &data, &len);
                if (r == -ENOENT) {
                        r = 0;
                        continue;
                }
                if (r < 0)
                        break;
                _cleanup_free_ char *link = xasprintf("{temp:%s}", e->d_name);
                /* NUL-terminated entries; an unterminated tail is ignored. */
                for (size_t pos = 0; pos < len;) {
                        const char *s = data + pos;
                        const char *nul = memchr(s, 0, len - pos);
                        if (!nul)
                                break;
                        char *p = store_path_under(w->store, w->store->store_dir, s);
                        if (p)
                                roots_push(w->roots, xstrdup(link), p);
                        pos = (size_t) (nul - data) + 1;
                }
        }
        closedir(d);
        return r;
}

/* ---- runtime roots ------------------------------------------------- */

static void runtime_root(const Store *store, RootList *roots, const char *target, pid_t pid, const char *what) {
        char *p = store_path_under(store, store->real_store_dir, target);
        if (p)
                roots_push(roots, xasprintf("{/proc/%d/%s}", (int) pid, what), p);
}

static void runtime_link(const Store *store, RootList *roots, int dfd, const char *name, pid_t pid,
                         const char *what) {
        _cleanup_free_ char *target = NULL;
        if (read_link(dfd, name, &target) >= 0)
                runtime_root(store, roots, target, pid, what);
}

static void scan_maps(const Store *store, RootList *roots, int pfd, pid_t pid) {
        _cleanup_free_ char *maps = NULL;
        if (read_file(pfd, "maps", PROC_MAPS_MAX_SIZE, &maps, NULL) < 0)
                return;
        size_t dl = strlen(store->real_store_dir);
        const char *prev = NULL;
        size_t prev_len = 0;
        for (char *line = maps; *line;) {
                char *eol = strchrnul(line, '\n');
                char *slash = memchr(line, '/', (size_t) (eol - line));
                /* The file name is the rest of the line. */
                if (slash && (size_t) (eol - slash) > dl && strncmp(slash, store->real_store_dir, dl) == 0 &&
                    slash[dl] == '/') {
                        size_t nl = strcspn(slash + dl + 1, "/\n");
                        /* Libraries are mapped many times: one root each. */
                        if (!prev || prev_len != nl || strncmp(prev, slash + dl + 1, nl) != 0) {
                                char saved = *eol;
                                *eol = 0;
                                runtime_root(store, roots, slash, pid, "maps");
                                *eol = saved;
                                prev = slash + dl + 1;
                                prev_len = nl;
                        }
                }
                line = *eol ? eol + 1 : eol;
        }
}

/* Store paths that running processes (but this one) use: their
 * executable, working directory, open files and mapped files. */
static void find_runtime_roots(const Store *store, RootList *roots) {
        DIR *proc = opendir("/proc");
        if (!proc)
                return;
        pid_t self = getpid();
        struct dirent *e;
        while ((e = readdir(proc))) {
                if (!isdigit((unsigned char) e->d_name[0]))
                        continue;
                pid_t pid = (pid_t) atoi(e->d_name);
                if (pid == self)
                        continue;
                _cleanup_close_ int pfd = openat(dirfd(proc), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (pfd < 0)
                        continue;
                runtime_link(store, roots, pfd, "exe", pid, "exe");
                runtime_link(store, roots, pfd, "cwd", pid, "cwd");
                int fdd = openat(pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                DIR *fds = fdd >= 0 ? fdopendir(fdd) : NULL;
                if (fds) {
                        struct dirent *f;
                        while ((f = readdir(fds))) {
                                if (!isdigit((unsigned char) f->d_name[0]))
                                        continue;
                                _cleanup_free_ char *what = xasprintf("fd/%s", f->d_name);
                                runtime_link(store, roots, dirfd(fds), f->d_name, pid, what);
                        }
                        closedir(fds);
                } else if (fdd >= 0)
                        close(fdd);
                scan_maps(store, roots, pfd, pid);
        }
        closedir(proc);
}

/* Every root, valid or not (the caller filters): the symlink roots first
 * (*ret_n_links of them, may be NULL), then temporary and runtime roots.
 * With remove_stale, stale auto/ links and temporary-roots files of dead
 * processes are removed. Called with gc.lock held exclusively. */
static int find_roots_locked(Store *store, const GcOptions *opts, bool runtime, bool remove_stale, RootList *roots,
                             size_t *ret_n_links, char **ret_error) {
        _cleanup_free_ char *auto_real = xasprintf("%s/gcroots/auto", store->state_dir);
        Walk w = { .store = store, .opts = opts, .remove_stale = remove_stale, .auto_real = auto_real, .roots = roots };
        find_link_roots(&w, "gcroots");
        find_link_roots(&w, "profiles");
        if (ret_n_links)
                *ret_n_links = roots->n;
        int r = find_temp_roots(&w);
        if (r < 0) {
                *ret_error = xasprintf("reading the temporary roots in '%s/temproots': %s", store->state_dir,
                                          strerror(-r));
                return r;
        }
        if (runtime)
                find_runtime_roots(store, roots);
        return 0;
}

static int lock_gc(Store *store, char **ret_error) {
        int fd = lock_file(store->state_fd, "gc.lock", LOCK_MODE_EXCLUSIVE, true);
        if (fd < 0)
                *ret_error = xasprintf("locking '%s/gc.lock': %s", store->state_dir, strerror(-fd));
        return fd;
}

static int cmp_root(const void *a, const void *b) {
        const GcRoot *x = a, *y = b;
        int c = strcmp(x->link, y->link);
        return c ? c : strcmp(x->path, y->path);
}

int store_find_roots(Store *store, bool runtime_roots, GcRoot **ret_roots, size_t *ret_n, char **ret_error) {
        _cleanup_close_ int gc_fd = lock_gc(store, ret_error);
        if (gc_fd < 0)
                return gc_fd;
        _cleanup_(roots_done) RootList all = { 0 };
        int r = find_roots_locked(store, NULL, runtime_roots, false, &all, NULL, ret_error);
        if (r < 0)
                return r;
        RootList valid = { 0 };
        for (size_t i = 0; i < all.n; i++) {
                r = store_is_valid(store, all.items[i].path);
                if (r < 0) {
                        roots_done(&valid);
                        *ret_error = xasprintf("querying '%s': %s", all.items[i].path, strerror(-r));
                        return r;
                }
                if (r > 0) {
                        roots_push(&valid, all.items[i].link, all.items[i].path);
                        all.items[i] = (GcRoot) { 0 };
                }
        }
        if (valid.n > 1)
                qsort(valid.items, valid.n, sizeof(GcRoot), cmp_root);
        size_t w = 0; /* drop duplicates */
        for (size_t i = 0; i < valid.n; i++) {
                if (w > 0 && cmp_root(&valid.items[w - 1], &valid.items[i]) == 0) {
                        free(valid.items[i].link);
                        free(valid.items[i].path);
                        continue;
                }
                valid.items[w++] = valid.items[i];
        }
        *ret_roots = valid.items;
        *ret_n = w;
        return 0;
}

/* ---- the collection ------------------------------------------------ */

void gc_results_done(GcResults *results) {
        strv_free(results->paths);
        *results = (GcResults) { 0 };
}

/* A growable list of strings (results), appended in O(1). */
typedef struct PathList {
        char **items; /* NULL-terminated when non-NULL */
        size_t n, cap;
} PathList;

static void pathlist_push(PathList *l, const char *s) {
        if (l->n + 1 >= l->cap) {
                l->cap = l->cap ? l->cap * 2 : 64;
                l->items = xrealloc(l->items, l->cap * sizeof(char *));
        }
        l->items[l->n++] = xstrdup(s);
        l->items[l->n] = NULL;
}

typedef struct Gc {
        Store *store;
        const GcOptions *opts;
        GcResults *results;
        PathList done; /* deleted paths, or the listed ones */
        StoreGraph graph;
        StrMap index;      /* logical path -> graph index */
        StrMap protected;  /* temporary and runtime roots, valid or not (keys borrowed from roots) */
        StrMap to_delete;  /* DELETE_SPECIFIC: the listed paths */
        RootList roots;
        size_t *ref_start; /* CSR of references: ref_list[ref_start[i] .. ref_start[i+1]) */
        size_t *ref_list;
        bool *live;
} Gc;

static void gc_done(Gc *gc) {
        gc->results->paths = gc->done.items; /* what was done so far */
        gc->done = (PathList) { 0 };
        store_graph_done(&gc->graph);
        strmap_done(&gc->index);
        strmap_done(&gc->protected);
        strmap_done(&gc->to_delete);
        roots_done(&gc->roots);
        free(gc->ref_start);
        free(gc->ref_list);
        free(gc->live);
}

static void build_references(Gc *gc) {
        const StoreGraph *g = &gc->graph;
        gc->ref_start = xcalloc(g->n + 1, sizeof(size_t));
        gc->ref_list = xmalloc((g->n_refs ? g->n_refs : 1) * sizeof(size_t));
        for (size_t e = 0; e < g->n_refs; e++)
                gc->ref_start[g->ref_from[e] + 1]++;
        for (size_t i = 0; i < g->n; i++)
                gc->ref_start[i + 1] += gc->ref_start[i];
        _cleanup_free_ size_t *fill = xmalloc((g->n + 1) * sizeof(size_t));
        memcpy(fill, gc->ref_start, (g->n + 1) * sizeof(size_t));
        for (size_t e = 0; e < g->n_refs; e++)
                gc->ref_list[fill[g->ref_from[e]]++] = g->ref_to[e];
}

/* Marks the closure of the marked roots (queue[0..n)) live: references,
 * and with keep_derivations each live path's valid deriver. */
static void mark_live(Gc *gc, size_t *queue, size_t n) {
        for (size_t qi = 0; qi < n; qi++) {
                size_t i = queue[qi];
                for (size_t k = gc->ref_start[i]; k < gc->ref_start[i + 1]; k++) {
                        size_t j = gc->ref_list[k];
                        if (!gc->live[j]) {
                                gc->live[j] = true;
                                queue[n++] = j;
                        }
                }
                if (gc->opts->keep_derivations && gc->graph.derivers[i]) {
                        size_t j = strmap_get(&gc->index, gc->graph.derivers[i]);
                        if (j != SIZE_MAX && !gc->live[j]) {
                                gc->live[j] = true;
                                queue[n++] = j;
                        }
                }
        }
}

static void compute_live(Gc *gc) {
        size_t n = gc->graph.n;
        gc->live = xcalloc(n ? n : 1, sizeof(bool));
        _cleanup_free_ size_t *queue = xmalloc((n ? n : 1) * sizeof(size_t));
        size_t qn = 0;
        for (size_t r = 0; r < gc->roots.n; r++) {
                size_t i = strmap_get(&gc->index, gc->roots.items[r].path);
                if (i != SIZE_MAX && !gc->live[i]) {
                        gc->live[i] = true;
                        queue[qn++] = i;
                }
        }
        /* Deleting specific paths: every path not listed counts as alive. */
        if (gc->opts->action == GC_ACTION_DELETE_SPECIFIC)
                for (size_t i = 0; i < n; i++)
                        if (!gc->live[i] && strmap_get(&gc->to_delete, gc->graph.paths[i]) == SIZE_MAX) {
                                gc->live[i] = true;
                                queue[qn++] = i;
                        }
        mark_live(gc, queue, qn);
}

/* The dead valid paths, referrers before their references (Kahn's
 * algorithm over the references among them). */
static size_t *dead_in_order(Gc *gc, size_t *ret_n) {
        size_t n = gc->graph.n;
        _cleanup_free_ size_t *pending = xcalloc(n ? n : 1, sizeof(size_t)); /* referrers not yet deleted */
        for (size_t i = 0; i < n; i++)
                if (!gc->live[i])
                        for (size_t k = gc->ref_start[i]; k < gc->ref_start[i + 1]; k++)
                                pending[gc->ref_list[k]]++;
        size_t *order = xmalloc((n ? n : 1) * sizeof(size_t));
        _cleanup_free_ bool *placed = xcalloc(n ? n : 1, sizeof(bool));
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
                if (!gc->live[i] && pending[i] == 0) {
                        order[m++] = i;
                        placed[i] = true;
                }
        for (size_t qi = 0; qi < m; qi++) {
                size_t i = order[qi];
                for (size_t k = gc->ref_start[i]; k < gc->ref_start[i + 1]; k++) {
                        size_t j = gc->ref_list[k];
                        if (!gc->live[j] && --pending[j] == 0 && !placed[j]) {
                                order[m++] = j;
                                placed[j] = true;
                        }
                }
        }
        /* A cycle (impossible with content-addressed paths, possible in a
         * hand-edited database): the database refuses those; try them
         * last. */
        for (size_t i = 0; i < n; i++)
                if (!gc->live[i] && !placed[i])
                        order[m++] = i;
        *ret_n = m;
        return order;
}

static bool limit_reached(const Gc *gc) {
        return gc->results->bytes_freed >= gc->opts->max_freed;
}

/* Removes name (relative to dirfd) and everything under it, as rm_rf()
 * does, but counts freed bytes as Nix does: the sizes of the files whose
 * last link goes (Nix's "X MiB freed" is that sum, not disk blocks). */
static int remove_tree(int dfd, const char *name, int depth, uint64_t *freed) {
        struct stat st;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode)) {
                int r = unlink_at(dfd, name, 0);
                if (r < 0)
                        return r == -ENOENT ? 0 : r;
                if (st.st_nlink == 1)
                        *freed += (uint64_t) st.st_size;
                return 0;
        }
        if (depth > 4096)
                return -ELOOP;
        if ((st.st_mode & 0700) != 0700 && fchmodat(dfd, name, st.st_mode | 0700, 0) < 0)
                return -errno;
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        int r = 0;
        struct dirent *e;
        while (r >= 0 && (e = readdir(d)))
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        r = remove_tree(dirfd(d), e->d_name, depth + 1, freed);
        closedir(d);
        if (r < 0)
                return r;
        r = unlink_at(dfd, name, AT_REMOVEDIR);
        return r == -ENOENT ? 0 : r;
}

/* Removing the files of many paths: most of an unlink's time goes to
 * freeing the file's blocks, after the directory's lock is dropped, so
 * several threads remove paths side by side. */
typedef struct Remover {
        int store_fd;
        char *const *paths; /* logical */
        size_t n;
        size_t name_offset; /* strlen(store_dir) + 1 */
        size_t next;        /* the next index to take (atomic) */
        uint64_t freed;     /* atomic */
        int *results;       /* per path: 0 or a negative errno */
} Remover;

static void *remover_thread(void *userdata) {
        Remover *rm = userdata;
        for (;;) {
                size_t i = __atomic_fetch_add(&rm->next, 1, __ATOMIC_RELAXED);
                if (i >= rm->n)
                        return NULL;
                uint64_t freed = 0;
                rm->results[i] = remove_tree(rm->store_fd, rm->paths[i] + rm->name_offset, 0, &freed);
                __atomic_fetch_add(&rm->freed, freed, __ATOMIC_RELAXED);
        }
}

/* With a failure point armed (fault.h), steps are numbered in the order a
 * process reaches them: one thread keeps that order reproducible. */
static unsigned removal_threads(size_t n) {
        if (getenv("FIRN_FAULT_AT") || getenv("FIRN_FAULT_KILL") || getenv("FIRN_FAULT_TRACE"))
                return 1;
        unsigned t = (unsigned) (n / 32);
        return t < 1 ? 1 : t > GC_REMOVAL_THREADS ? GC_REMOVAL_THREADS : t;
}

/* Removes the files of paths (not valid any more), reporting each first.
 * Every path is attempted; the first failure is returned. */
static int delete_files(Gc *gc, char *const *paths, size_t n, char **ret_error) {
        if (n == 0)
                return 0;
        for (size_t i = 0; i < n && gc->opts->on_delete; i++)
                gc->opts->on_delete(gc->opts->userdata, paths[i]);
        _cleanup_free_ int *results = xcalloc(n, sizeof(int));
        Remover rm = {
                .store_fd = gc->store->store_fd,
                .paths = paths,
                .n = n,
                .name_offset = strlen(gc->store->store_dir) + 1,
                .results = results,
        };
        pthread_t threads[GC_REMOVAL_THREADS];
        unsigned started = 0, wanted = removal_threads(n);
        for (unsigned t = 1; t < wanted; t++) {
                if (pthread_create(&threads[started], NULL, remover_thread, &rm) != 0)
                        break;
                started++;
        }
        remover_thread(&rm);
        for (unsigned t = 0; t < started; t++)
                pthread_join(threads[t], NULL);
        gc->results->bytes_freed += rm.freed;
        int r = 0;
        for (size_t i = 0; i < n; i++) {
                if (results[i] >= 0) {
                        pathlist_push(&gc->done, paths[i]);
                        continue;
                }
                if (r == 0) {
                        r = results[i];
                        *ret_error = xasprintf("deleting '%s': %s", paths[i], strerror(-r));
                }
        }
        return r;
}

/* Invalidates, then removes, the dead valid paths in batches. */
static int delete_dead_valid(Gc *gc, char **ret_error) {
        size_t n_dead;
        _cleanup_free_ size_t *order = dead_in_order(gc, &n_dead);
        _cleanup_free_ char **batch = xmalloc(GC_BATCH * sizeof(char *));
        _cleanup_free_ char **gone = xmalloc(GC_BATCH * sizeof(char *));
        _cleanup_free_ bool *invalidated = xmalloc(GC_BATCH * sizeof(bool));
        for (size_t pos = 0; pos < n_dead;) {
                if (limit_reached(gc)) {
                        gc_info(gc->opts, "deleted more than %llu bytes; stopping",
                                (unsigned long long) gc->opts->max_freed);
                        return 0;
                }
                /* With a limit, a batch holds about what is left to free
                 * (by NAR size), so the collection stops near it. */
                uint64_t left = gc->opts->max_freed - gc->results->bytes_freed, planned = 0;
                size_t m = 0;
                while (pos < n_dead && m < GC_BATCH && planned < left) {
                        size_t i = order[pos++];
                        batch[m++] = gc->graph.paths[i];
                        planned += gc->graph.nar_sizes[i] ? gc->graph.nar_sizes[i] : 1;
                }
                int r = store_invalidate_paths(gc->store, batch, m, invalidated, ret_error);
                if (r < 0)
                        return r;
                /* A path referred to since we looked is alive after all. */
                size_t g = 0;
                for (size_t k = 0; k < m; k++)
                        if (invalidated[k])
                                gone[g++] = batch[k];
                r = delete_files(gc, gone, g, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Whether the store directory entry name (not a valid path) is garbage:
 * not a root, not a lock someone holds or that guards a root. */
static bool leftover_is_dead(Gc *gc, const char *name, const char *logical) {
        if (strcmp(name, ".links") == 0)
                return false;
        if (strmap_get(&gc->protected, logical) != SIZE_MAX)
                return false;
        size_t nl = strlen(name);
        if (nl > 5 && strcmp(name + nl - 5, ".lock") == 0) {
                _cleanup_free_ char *guarded = xasprintf("%s/%.*s", gc->store->store_dir, (int) (nl - 5), name);
                if (strmap_get(&gc->protected, guarded) != SIZE_MAX)
                        return false;
                _cleanup_close_ int fd = openat(gc->store->store_fd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0 && lock_fd(fd, LOCK_MODE_EXCLUSIVE, false) < 0)
                        return false; /* someone holds it */
        }
        return true;
}

/* Entries of the store directory that are not valid paths: leftovers of
 * interrupted adds and collections. In DELETE_SPECIFIC only listed ones. */
static int find_leftovers(Gc *gc, char ***ret, char **ret_error) {
        PathList l = { 0 };
        if (gc->opts->action == GC_ACTION_DELETE_SPECIFIC) {
                for (size_t i = 0; gc->opts->paths_to_delete && gc->opts->paths_to_delete[i]; i++) {
                        const char *p = gc->opts->paths_to_delete[i];
                        const char *name = p + strlen(gc->store->store_dir) + 1;
                        struct stat st;
                        if (strmap_get(&gc->index, p) == SIZE_MAX &&
                            fstatat(gc->store->store_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                            !strv_contains(l.items, p) && leftover_is_dead(gc, name, p))
                                pathlist_push(&l, p);
                }
                *ret = l.items;
                return 0;
        }
        int fd = dup(gc->store->store_fd);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                int r = -errno;
                if (fd >= 0)
                        close(fd);
                *ret_error = xasprintf("reading '%s': %s", gc->store->real_store_dir, strerror(-r));
                return r;
        }
        rewinddir(d);
        struct dirent *e;
        while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *logical = xasprintf("%s/%s", gc->store->store_dir, e->d_name);
                if (strmap_get(&gc->index, logical) != SIZE_MAX)
                        continue;
                if (leftover_is_dead(gc, e->d_name, logical))
                        pathlist_push(&l, logical);
        }
        closedir(d);
        *ret = l.items;
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int collect_locked(Gc *gc, char **ret_error) {
        Store *store = gc->store;
        const GcOptions *o = gc->opts;
        bool deleting = o->action == GC_ACTION_DELETE_DEAD || o->action == GC_ACTION_DELETE_SPECIFIC;

        size_t n_links;
        int r = find_roots_locked(store, o, o->runtime_roots, deleting, &gc->roots, &n_links, ret_error);
        if (r < 0)
                return r;
        /* A path being added or used is protected before it is valid; a
         * symlink to a path that is not valid is no root (as in Nix). */
        for (size_t i = n_links; i < gc->roots.n; i++)
                strmap_put(&gc->protected, gc->roots.items[i].path, i);
        for (size_t i = 0; o->action == GC_ACTION_DELETE_SPECIFIC && o->paths_to_delete && o->paths_to_delete[i]; i++)
                strmap_put(&gc->to_delete, o->paths_to_delete[i], i);

        r = store_query_graph(store, &gc->graph);
        if (r < 0) {
                *ret_error = xasprintf("reading the store database: %s", strerror(-r));
                return r;
        }
        for (size_t i = 0; i < gc->graph.n; i++)
                strmap_put(&gc->index, gc->graph.paths[i], i);
        build_references(gc);
        compute_live(gc);

        if (o->action == GC_ACTION_DELETE_SPECIFIC)
                for (size_t i = 0; o->paths_to_delete && o->paths_to_delete[i]; i++) {
                        const char *p = o->paths_to_delete[i];
                        size_t k = strmap_get(&gc->index, p);
                        if ((k != SIZE_MAX && gc->live[k]) || (k == SIZE_MAX && strmap_get(&gc->protected, p) != SIZE_MAX)) {
                                *ret_error = xasprintf("Cannot delete path '%s' since it is still alive. "
                                                          "To find out why, use: nix-store --query --roots",
                                                          p);
                                return -EBUSY;
                        }
                }

        if (o->action == GC_ACTION_RETURN_LIVE) {
                for (size_t i = 0; i < gc->graph.n; i++)
                        if (gc->live[i])
                                pathlist_push(&gc->done, gc->graph.paths[i]);
                if (gc->done.n > 1)
                        qsort(gc->done.items, gc->done.n, sizeof(char *), cmp_str);
                return 0;
        }

        _cleanup_strv_free_ char **leftovers = NULL;
        r = find_leftovers(gc, &leftovers, ret_error);
        if (r < 0)
                return r;

        if (o->action == GC_ACTION_RETURN_DEAD) {
                for (size_t i = 0; i < gc->graph.n; i++)
                        if (!gc->live[i])
                                pathlist_push(&gc->done, gc->graph.paths[i]);
                for (size_t i = 0; leftovers && leftovers[i]; i++)
                        pathlist_push(&gc->done, leftovers[i]);
                if (gc->done.n > 1)
                        qsort(gc->done.items, gc->done.n, sizeof(char *), cmp_str);
                return 0;
        }

        /* Leftovers first: they are garbage for sure and need no
         * transaction. With a limit, one at a time. */
        size_t n_left = strv_length(leftovers);
        for (size_t i = 0; i < n_left;) {
                if (limit_reached(gc)) {
                        gc_info(o, "deleted more than %llu bytes; stopping", (unsigned long long) o->max_freed);
                        return 0;
                }
                size_t m = o->max_freed == GC_MAX_FREED_UNLIMITED ? n_left - i : 1;
                r = delete_files(gc, leftovers + i, m, ret_error);
                if (r < 0)
                        return r;
                i += m;
        }
        return delete_dead_valid(gc, ret_error);
}

/* Files in .links (store-optimise.h) that no store object shares any
 * more: their link count dropped to one. */
static int delete_unused_links(Gc *gc, char **ret_error) {
        int fd = openat(gc->store->store_fd, ".links", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return 0;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return 0;
        }
        int r = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                struct stat st;
                if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
                        continue;
                r = unlink_at(dirfd(d), e->d_name, 0);
                if (r == -ENOENT)
                        r = 0;
                if (r < 0) {
                        *ret_error = xasprintf("deleting '%s/.links/%s': %s", gc->store->real_store_dir,
                                                  e->d_name, strerror(-r));
                        break;
                }
                gc->results->bytes_freed += (uint64_t) st.st_size;
        }
        closedir(d);
        return r;
}

int store_collect_garbage(Store *store, const GcOptions *options, GcResults *results, char **ret_error) {
        *results = (GcResults) { 0 };
        /* Listed paths must be store paths: their names are removed from
         * the store directory. */
        for (size_t i = 0; options->action == GC_ACTION_DELETE_SPECIFIC && options->paths_to_delete &&
                           options->paths_to_delete[i];
             i++)
                if (!store_path_base(store, options->paths_to_delete[i])) {
                        *ret_error = xasprintf("path '%s' is not in the Nix store", options->paths_to_delete[i]);
                        return -EINVAL;
                }
        _cleanup_close_ int gc_fd = lock_gc(store, ret_error);
        if (gc_fd < 0)
                return gc_fd;
        Gc gc = { .store = store, .opts = options, .results = results };
        int r = collect_locked(&gc, ret_error);
        if (r >= 0 && (options->action == GC_ACTION_DELETE_DEAD || options->action == GC_ACTION_DELETE_SPECIFIC))
                r = delete_unused_links(&gc, ret_error);
        gc_done(&gc);
        return r;
}
