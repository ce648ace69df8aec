#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "etc.h"
#include "fault.h"
#include "fileio.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"

#define STATIC_LINK_TARGET "/run/current-system/etc"
#define STATIC_PREFIX "/etc/static/"
#define MANIFEST ".firn-managed"
#define MAX_DEPTH 32
#define MAX_ENTRIES 100000
#define COPY_MAX (64u << 20)

typedef enum Kind { KIND_DIR, KIND_LINK, KIND_COPY } Kind;

typedef struct EtcEntry {
        char *path;              /* relative to /etc */
        Kind kind;
        const EtcCopy *copy;     /* KIND_COPY */
} EtcEntry;

typedef struct EntryList {
        EtcEntry *v;
        size_t n, alloc;
} EntryList;

static void list_add(EntryList *l, char *path, Kind kind, const EtcCopy *copy) {
        if (l->n == l->alloc) {
                l->alloc = l->alloc ? l->alloc * 2 : 64;
                l->v = xrealloc(l->v, l->alloc * sizeof(EtcEntry));
        }
        l->v[l->n++] = (EtcEntry) { path, kind, copy };
}

static void list_release(EntryList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i].path);
        free(l->v);
        *l = (EntryList) { 0 };
}

static int entry_path_cmp(const void *a, const void *b) {
        return strcmp(((const EtcEntry *) a)->path, ((const EtcEntry *) b)->path);
}

/* A sorted copy for lookups (the paths are shared, not owned). */
typedef struct Index {
        EtcEntry *v;
        size_t n;
} Index;

static Index index_build(const EntryList *l) {
        Index ix = { xmalloc((l->n + 1) * sizeof(EtcEntry)), l->n };
        if (l->n)
                memcpy(ix.v, l->v, l->n * sizeof(EtcEntry));
        qsort(ix.v, ix.n, sizeof(EtcEntry), entry_path_cmp);
        return ix;
}

static const EtcEntry *index_find(const Index *ix, const char *path) {
        EtcEntry key = { .path = (char *) path };
        return bsearch(&key, ix->v, ix->n, sizeof(EtcEntry), entry_path_cmp);
}

static bool reserved_name(const char *name) {
        static const char *const names[] = { "static", "passwd", "group", "shadow", "gshadow", "machine-id",
                                             "mtab", MANIFEST, ".pwd.lock" };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(name, names[i]) == 0)
                        return true;
        return false;
}

static const EtcCopy *find_copy(const Activation *a, const char *path) {
        for (size_t i = 0; i < a->n_etc; i++)
                if (strcmp(a->etc[i].target, path) == 0)
                        return &a->etc[i];
        return NULL;
}

/* A directory entry: its name and readdir's type (DT_UNKNOWN when the file
 * system doesn't say). */
typedef struct Name {
        char *name;
        unsigned char type;
} Name;

/* Orders strings, and Names (whose first member is the name). */
static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The entries of directory fd, sorted by name, without "." and "..". */
static int list_dir(int fd, Name **ret, size_t *ret_n) {
        int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        Name *names = NULL;
        size_t n = 0, alloc = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 32;
                        names = xrealloc(names, alloc * sizeof(Name));
                }
                names[n++] = (Name) { xstrdup(e->d_name), e->d_type };
        }
        closedir(d);
        if (n)
                qsort(names, n, sizeof(Name), name_cmp);
        *ret = names;
        *ret_n = n;
        return 0;
}

static void free_names(Name *names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i].name);
        free(names);
}

/* The type of fd/name (S_IFMT bits) without following a link: readdir's
 * type when known, else fstatat. 0 when it can't be told. */
static mode_t entry_type(int fd, const Name *n) {
        switch (n->type) {
        case DT_DIR:
                return S_IFDIR;
        case DT_REG:
                return S_IFREG;
        case DT_LNK:
                return S_IFLNK;
        case DT_UNKNOWN:
                break;
        default:
                return S_IFIFO; /* something else: a special file */
        }
        struct stat st;
        return fstatat(fd, n->name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? 0 : st.st_mode & S_IFMT;
}

typedef struct Walk {
        const Root *r;
        const Activation *a;
        EntryList *out;
        int error;
} Walk;

/* Adds the entries under gen_dir (the generation's etc/REL, a path inside
 * the root) in pre-order. */
static void walk_generation(Walk *w, const char *gen_dir, const char *rel, int depth) {
        _cleanup_close_ int fd = root_open(w->r, gen_dir, O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0) {
                log_error_errno(fd, "Failed to open %s: %m", gen_dir);
                w->error = w->error ? w->error : fd;
                return;
        }
        Name *names;
        size_t n;
        int q = list_dir(fd, &names, &n);
        if (q < 0) {
                log_error_errno(q, "Failed to read %s: %m", gen_dir);
                w->error = w->error ? w->error : q;
                return;
        }
        for (size_t i = 0; i < n; i++) {
                const char *name = names[i].name;
                _cleanup_free_ char *path = rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
                _cleanup_free_ char *child = xasprintf("%s/%s", gen_dir, name);
                if (!rel && reserved_name(name)) {
                        log_warning("the generation's etc has \"%s\", which activation writes itself; ignoring it",
                                    name);
                        continue;
                }
                if (strchr(name, '\n') || strncmp(name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0) {
                        log_warning("ignoring etc entry with an unusable name: %s", path);
                        continue;
                }
                if (w->out->n >= MAX_ENTRIES) {
                        log_error("more than %d etc entries; ignoring the rest", MAX_ENTRIES);
                        w->error = w->error ? w->error : -E2BIG;
                        break;
                }
                /* Follow links within the root to tell directories apart. */
                mode_t type = entry_type(fd, &names[i]);
                bool is_dir = S_ISDIR(type);
                if (S_ISLNK(type)) {
                        struct stat st;
                        _cleanup_close_ int cfd = root_open(w->r, child, O_PATH, 0);
                        is_dir = cfd >= 0 && fstat(cfd, &st) >= 0 && S_ISDIR(st.st_mode);
                }
                if (is_dir) {
                        if (depth >= MAX_DEPTH) {
                                log_error("%s: nested deeper than %d levels; ignoring it", path, MAX_DEPTH);
                                continue;
                        }
                        list_add(w->out, xstrdup(path), KIND_DIR, NULL);
                        walk_generation(w, child, path, depth + 1);
                        continue;
                }
                const EtcCopy *copy = find_copy(w->a, path);
                list_add(w->out, xstrdup(path), copy ? KIND_COPY : KIND_LINK, copy);
        }
        free_names(names, n);
}

/* The manifest: sorted "f PATH" / "d PATH" lines. */
typedef struct Manifest {
        char **lines;
        size_t n, alloc;
} Manifest;

static void manifest_add(Manifest *m, char *line) {
        if (m->n == m->alloc) {
                m->alloc = m->alloc ? m->alloc * 2 : 32;
                m->lines = xrealloc(m->lines, m->alloc * sizeof(char *));
        }
        m->lines[m->n++] = line;
}

static void manifest_sort(Manifest *m) {
        if (m->n)
                qsort(m->lines, m->n, sizeof(char *), name_cmp);
        size_t k = 0;
        for (size_t i = 0; i < m->n; i++) {
                if (k > 0 && strcmp(m->lines[k - 1], m->lines[i]) == 0) {
                        free(m->lines[i]);
                        continue;
                }
                m->lines[k++] = m->lines[i];
        }
        m->n = k;
}

static bool manifest_has(const Manifest *m, char type, const char *path) {
        _cleanup_free_ char *key = xasprintf("%c %s", type, path);
        return m->n && bsearch(&key, m->lines, m->n, sizeof(char *), name_cmp);
}

static void manifest_release(Manifest *m) {
        for (size_t i = 0; i < m->n; i++)
                free(m->lines[i]);
        free(m->lines);
        *m = (Manifest) { 0 };
}

static void manifest_parse(const char *data, Manifest *m) {
        for (const char *p = data; *p;) {
                const char *nl = strchrnul(p, '\n');
                if (nl - p > 2 && (p[0] == 'f' || p[0] == 'd') && p[1] == ' ')
                        manifest_add(m, xstrndup(p, (size_t) (nl - p)));
                p = *nl ? nl + 1 : nl;
        }
        manifest_sort(m);
}

static char *manifest_render(const Manifest *m) {
        StrBuf sb = STRBUF_INIT;
        strbuf_adds(&sb, "# Written by firn-activate: the copies (f) and directories (d) in /etc that firn owns.\n");
        for (size_t i = 0; i < m->n; i++)
                strbuf_addf(&sb, "%s\n", m->lines[i]);
        return strbuf_detach(&sb, NULL);
}

static int manifest_write(int etcfd, const Manifest *m) {
        _cleanup_free_ char *s = manifest_render(m);
        int q = file_replace_at(etcfd, MANIFEST, s, strlen(s), 0644, 0, 0, true);
        return q < 0 ? q : 0;
}

/* The parent directory of path (relative to /etc), opened without
 * following links; the last one is cached, since entries come in
 * pre-order. */
typedef struct ParentCache {
        char *path;
        int fd;
} ParentCache;

static int open_parent(int etcfd, const char *path, ParentCache *c, const char **ret_base) {
        const char *slash = strrchr(path, '/');
        *ret_base = slash ? slash + 1 : path;
        if (!slash)
                return etcfd;
        size_t len = (size_t) (slash - path);
        if (c->path && strlen(c->path) == len && strncmp(c->path, path, len) == 0)
                return c->fd;
        if (c->fd >= 0)
                close(c->fd);
        free(c->path);
        c->path = NULL;
        c->fd = -EBADF;
        _cleanup_free_ char *dir = xstrndup(path, len);
        int fd = openat(etcfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        char *save = NULL;
        for (char *comp = strtok_r(dir, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
                int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int q = -errno;
                close(fd);
                if (next < 0)
                        return q;
                fd = next;
        }
        c->path = xstrndup(path, len);
        c->fd = fd;
        return fd;
}

static void parent_cache_release(ParentCache *c) {
        if (c->fd >= 0)
                close(c->fd);
        free(c->path);
        c->path = NULL;
        c->fd = -EBADF;
}

typedef struct Apply {
        const Root *r;
        const char *gen_etc;
        const UserDb *db;
        int etcfd;
        const Manifest *old;
        Manifest *now;           /* what we own after this activation */
        bool copies_known;
        char **blocked;          /* directories we couldn't make: skip below */
        size_t n_blocked;
        EtcStats *st;
        int error;
} Apply;

static void note_error(Apply *ap, int q) {
        if (!ap->error)
                ap->error = q;
}

static bool under_blocked(const Apply *ap, const char *path) {
        for (size_t i = 0; i < ap->n_blocked; i++) {
                size_t n = strlen(ap->blocked[i]);
                if (strncmp(path, ap->blocked[i], n) == 0 && path[n] == '/')
                        return true;
        }
        return false;
}

static void block(Apply *ap, const char *path, const char *why) {
        log_warning("/etc/%s %s; leaving it alone", path, why);
        ap->st->blocked++;
        ap->blocked = xrealloc(ap->blocked, (ap->n_blocked + 1) * sizeof(char *));
        ap->blocked[ap->n_blocked++] = xstrdup(path);
}

static void apply_dir(Apply *ap, int pfd, const char *base, const char *path) {
        struct stat st;
        int q;
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                if (S_ISDIR(st.st_mode))
                        goto own;
                if (!S_ISLNK(st.st_mode) && !(S_ISREG(st.st_mode) && manifest_has(ap->old, 'f', path))) {
                        block(ap, path, "is a file where the generation has a directory");
                        return;
                }
                /* A link (or our old copy) where a directory belongs. */
                q = unlink_at(pfd, base, 0);
                if (q < 0) {
                        log_error_errno(q, "Failed to remove /etc/%s: %m", path);
                        note_error(ap, q);
                        block(ap, path, "could not be replaced by a directory");
                        return;
                }
        } else if (errno != ENOENT) {
                q = log_error_errno(-errno, "Failed to stat /etc/%s: %m", path);
                note_error(ap, q);
                block(ap, path, "cannot be inspected");
                return;
        }
        q = mkdir_at(pfd, base, 0755);
        if (q < 0 && q != -EEXIST) {
                log_error_errno(q, "Failed to create /etc/%s: %m", path);
                note_error(ap, q);
                block(ap, path, "could not be created");
                return;
        }
        ap->st->changed++;
own:
        manifest_add(ap->now, xasprintf("d %s", path));
}

static void apply_link(Apply *ap, int pfd, const char *base, const char *path) {
        _cleanup_free_ char *target = xasprintf(STATIC_PREFIX "%s", path);
        _cleanup_free_ char *old = NULL;
        /* The common case, the right link already there, costs one call. */
        int q = read_link(pfd, base, &old);
        if (q >= 0 && strcmp(old, target) == 0)
                return;
        struct stat st;
        if (q == -EINVAL && fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                /* Not a link. */
                if (S_ISREG(st.st_mode) && manifest_has(ap->old, 'f', path) && !ap->copies_known) {
                        /* Without a valid activation.json we can't tell whether
                         * it should still be a copy: keep it. */
                        manifest_add(ap->now, xasprintf("f %s", path));
                        return;
                } else if (S_ISREG(st.st_mode) && manifest_has(ap->old, 'f', path))
                        ; /* our old copy: the link replaces it */
                else if (S_ISDIR(st.st_mode) && manifest_has(ap->old, 'd', path) && unlinkat(pfd, base, AT_REMOVEDIR) >= 0)
                        ; /* our old, empty directory */
                else {
                        block(ap, path, S_ISDIR(st.st_mode) ? "is a directory that is not firn's"
                                                            : "is a file that is not firn's");
                        return;
                }
        }
        q = symlink_swap_at(pfd, base, target);
        if (q < 0) {
                log_error_errno(q, "Failed to link /etc/%s: %m", path);
                note_error(ap, q);
        } else
                ap->st->changed++;
}

/* mode "direct-symlink": /etc/PATH gets the generation's link itself (its
 * target), not a link through /etc/static, for programs that read the
 * link (timedated takes the zone's name from /etc/localtime's target). */
static void apply_direct_link(Apply *ap, int pfd, const char *base, const EtcEntry *e) {
        _cleanup_free_ char *src = xasprintf("%s/%s", ap->gen_etc, e->path);
        _cleanup_free_ char *target = NULL, *old = NULL;
        _cleanup_close_ int fd = root_open(ap->r, src, O_PATH | O_NOFOLLOW, 0);
        int q = fd < 0 ? fd : read_link(fd, "", &target);
        if (q < 0) {
                log_error_errno(q, "Failed to read the link %s: %m", src);
                note_error(ap, q);
                return;
        }
        struct stat st;
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) >= 0 && !S_ISLNK(st.st_mode) &&
            !(S_ISREG(st.st_mode) && manifest_has(ap->old, 'f', e->path))) {
                block(ap, e->path, S_ISDIR(st.st_mode) ? "is a directory that is not firn's" : "is a file that is not firn's");
                return;
        }
        if (read_link(pfd, base, &old) < 0 || strcmp(old, target) != 0) {
                q = symlink_swap_at(pfd, base, target);
                if (q < 0) {
                        log_error_errno(q, "Failed to link /etc/%s: %m", e->path);
                        note_error(ap, q);
                        return;
                }
                ap->st->changed++;
        }
        manifest_add(ap->now, xasprintf("f %s", e->path));
}

static void apply_copy(Apply *ap, int pfd, const char *base, const EtcEntry *e) {
        const EtcCopy *c = e->copy;
        if (c->direct_link) {
                apply_direct_link(ap, pfd, base, e);
                return;
        }
        uid_t uid = 0;
        gid_t gid = 0;
        int q;
        if (c->uid >= 0)
                uid = (uid_t) c->uid;
        else if (c->user && (q = userdb_uid(ap->db, c->user, &uid)) < 0) {
                log_warning("/etc/%s: unknown user \"%s\"; using root", e->path, c->user);
                uid = 0;
        }
        if (c->gid >= 0)
                gid = (gid_t) c->gid;
        else if (c->group && (q = userdb_gid(ap->db, c->group, &gid)) < 0) {
                log_warning("/etc/%s: unknown group \"%s\"; using root", e->path, c->group);
                gid = 0;
        }
        struct stat st;
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISDIR(st.st_mode)) {
                block(ap, e->path, "is a directory where the generation has a file");
                return;
        }
        _cleanup_free_ char *src = xasprintf("%s/%s", ap->gen_etc, e->path);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        q = root_read_file(ap->r, src, COPY_MAX, &data, &len);
        if (q < 0) {
                log_error_errno(q, "Failed to read %s: %m", src);
                note_error(ap, q);
                return;
        }
        q = file_replace_at(pfd, base, data, len, c->mode, uid, gid, true);
        if (q < 0) {
                log_error_errno(q, "Failed to write /etc/%s: %m", e->path);
                note_error(ap, q);
                return;
        }
        if (q > 0)
                ap->st->changed++;
        manifest_add(ap->now, xasprintf("f %s", e->path));
}

/* Removes stale links into /etc/static and stray temporaries under the
 * real directory fd (/etc/REL). */
static void sweep(Apply *ap, const Index *gen, int fd, const char *rel, int depth) {
        Name *names;
        size_t n;
        int q = list_dir(fd, &names, &n);
        if (q < 0) {
                log_error_errno(q, "Failed to read /etc/%s: %m", rel ? rel : "");
                note_error(ap, q);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                const char *name = names[i].name;
                if (!rel && (strcmp(name, "static") == 0))
                        continue;
                _cleanup_free_ char *path = rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
                mode_t type = entry_type(fd, &names[i]);
                if (strncmp(name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0 && !S_ISDIR(type)) {
                        q = unlink_at(fd, name, 0);
                        if (q < 0 && q != -ENOENT) {
                                log_error_errno(q, "Failed to remove /etc/%s: %m", path);
                                note_error(ap, q);
                        }
                        continue;
                }
                if (S_ISLNK(type)) {
                        /* A path of the generation is already what it should
                         * be (or blocked, or reported): only others can be stale. */
                        if (index_find(gen, path))
                                continue;
                        _cleanup_free_ char *target = NULL;
                        if (read_link(fd, name, &target) < 0 ||
                            strncmp(target, STATIC_PREFIX, strlen(STATIC_PREFIX)) != 0)
                                continue;
                        if (index_find(gen, target + strlen(STATIC_PREFIX)))
                                continue;
                        q = unlink_at(fd, name, 0);
                        if (q < 0) {
                                log_error_errno(q, "Failed to remove stale /etc/%s: %m", path);
                                note_error(ap, q);
                        } else
                                ap->st->removed++;
                } else if (S_ISDIR(type) && depth < MAX_DEPTH) {
                        _cleanup_close_ int cfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (cfd >= 0)
                                sweep(ap, gen, cfd, path, depth + 1);
                }
        }
        free_names(names, n);
}

/* Removes what the old manifest records and the generation dropped:
 * copies (when still regular files) and directories (when empty). */
static void remove_dropped(Apply *ap, const Index *gen) {
        ParentCache pc = { .fd = -EBADF };
        Manifest keep = { 0 }; /* what could not be removed stays ours */
        /* Deepest first, so directories are empty before their parents. */
        for (size_t i = ap->old->n; i-- > 0;) {
                const char *line = ap->old->lines[i];
                const char *path = line + 2;
                if (manifest_has(ap->now, line[0], path))
                        continue;
                const EtcEntry *e = index_find(gen, path);
                const char *base;
                int pfd = open_parent(ap->etcfd, path, &pc, &base);
                if (pfd < 0)
                        continue;
                struct stat st;
                if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                int q;
                /* Ours: a copy, or a direct link no entry has any more. */
                bool ours = S_ISREG(st.st_mode) ? !(e && e->kind == KIND_COPY) : S_ISLNK(st.st_mode) && !e;
                if (line[0] == 'f' && ours && ap->copies_known) {
                        q = unlink_at(pfd, base, 0);
                        if (q < 0) {
                                log_error_errno(q, "Failed to remove /etc/%s: %m", path);
                                note_error(ap, q);
                                manifest_add(&keep, xstrdup(line)); /* still ours: retry next time */
                        } else
                                ap->st->removed++;
                } else if (line[0] == 'd' && S_ISDIR(st.st_mode) && !(e && e->kind == KIND_DIR)) {
                        /* Only when empty: what others put there stays, and
                         * the directory stays ours until it can go. */
                        q = unlink_at(pfd, base, AT_REMOVEDIR);
                        if (q >= 0)
                                ap->st->removed++;
                        else {
                                if (q != -ENOTEMPTY && q != -EEXIST) {
                                        log_error_errno(q, "Failed to remove /etc/%s: %m", path);
                                        note_error(ap, q);
                                }
                                manifest_add(&keep, xstrdup(line));
                        }
                }
        }
        parent_cache_release(&pc);
        for (size_t i = 0; i < keep.n; i++)
                manifest_add(ap->now, keep.lines[i]);
        free(keep.lines);
        manifest_sort(ap->now);
}

int etc_activate(const Root *r, const char *toplevel, const Activation *a, const UserDb *db, bool copies_known,
                 EtcStats *ret) {
        EtcStats st = { 0 };
        EntryList gen = { 0 };
        Manifest old = { 0 }, now = { 0 }, both = { 0 };
        Index ix = { 0 };
        ParentCache pc = { .fd = -EBADF };
        _cleanup_close_ int etcfd = -EBADF;
        _cleanup_free_ char *gen_etc = xasprintf("%s/etc", toplevel);
        _cleanup_free_ char *old_data = NULL;
        char **blocked = NULL;
        size_t n_blocked = 0;
        int q;

        etcfd = root_open(r, "/etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
        if (etcfd == -ENOENT)
                etcfd = root_mkdir_p(r, "/etc", 0755);
        if (etcfd < 0) {
                q = log_error_errno(etcfd, "Failed to open /etc (it must be a real directory): %m");
                goto out;
        }
        q = symlink_replace_at(etcfd, "static", STATIC_LINK_TARGET);
        if (q < 0) {
                log_error_errno(q, "Failed to link /etc/static: %m");
                goto out;
        }

        Walk w = { .r = r, .a = a, .out = &gen };
        walk_generation(&w, gen_etc, NULL, 0);
        if (w.error && gen.n == 0) {
                /* Nothing to link: don't sweep /etc against an empty set. */
                q = w.error;
                goto out;
        }
        st.entries = gen.n;
        ix = index_build(&gen);
        for (size_t i = 0; i < a->n_etc; i++) {
                const EtcEntry *e = index_find(&ix, a->etc[i].target);
                if (!e || e->kind != KIND_COPY)
                        log_warning("activation.json declares /etc/%s as a copy, but the generation's etc has %s",
                                    a->etc[i].target, e ? "a directory there" : "no such file");
        }

        q = read_file_at(etcfd, MANIFEST, 16u << 20, &old_data, NULL);
        if (q < 0 && q != -ENOENT) {
                log_error_errno(q, "Failed to read /etc/" MANIFEST ": %m");
                goto out;
        }
        if (old_data)
                manifest_parse(old_data, &old);

        /* Record everything we may own before touching anything. */
        for (size_t i = 0; i < old.n; i++)
                manifest_add(&both, xstrdup(old.lines[i]));
        for (size_t i = 0; i < gen.n; i++)
                if (gen.v[i].kind != KIND_LINK)
                        manifest_add(&both, xasprintf("%c %s", gen.v[i].kind == KIND_DIR ? 'd' : 'f', gen.v[i].path));
        manifest_sort(&both);
        if (both.n != old.n) {
                q = manifest_write(etcfd, &both);
                if (q < 0) {
                        log_error_errno(q, "Failed to write /etc/" MANIFEST ": %m");
                        goto out;
                }
        }

        Apply ap = { .r = r, .gen_etc = gen_etc, .db = db, .etcfd = etcfd, .old = &both, .now = &now,
                    .copies_known = copies_known, .st = &st };
        for (size_t i = 0; i < gen.n; i++) {
                const EtcEntry *e = &gen.v[i];
                if (under_blocked(&ap, e->path))
                        continue;
                const char *base;
                int pfd = open_parent(etcfd, e->path, &pc, &base);
                if (pfd < 0) {
                        log_error_errno(pfd, "Failed to open the directory of /etc/%s: %m", e->path);
                        note_error(&ap, pfd);
                        continue;
                }
                switch (e->kind) {
                case KIND_DIR:
                        apply_dir(&ap, pfd, base, e->path);
                        break;
                case KIND_LINK:
                        apply_link(&ap, pfd, base, e->path);
                        break;
                case KIND_COPY:
                        apply_copy(&ap, pfd, base, e);
                        break;
                }
        }
        parent_cache_release(&pc);
        manifest_sort(&now);
        /* With part of the generation unreadable, its entries would look
         * stale: remove nothing this time. */
        if (!w.error) {
                sweep(&ap, &ix, etcfd, NULL, 0);
                remove_dropped(&ap, &ix);
        }

        /* A copy we failed to write this time is still ours (all of them
         * when we couldn't tell). */
        for (size_t i = 0; i < both.n; i++) {
                const char *path = both.lines[i] + 2;
                const EtcEntry *e = index_find(&ix, path);
                if (both.lines[i][0] == 'f' && ((e && e->kind == KIND_COPY) || !copies_known) &&
                    !manifest_has(&now, 'f', path))
                        manifest_add(&now, xstrdup(both.lines[i]));
        }
        manifest_sort(&now);
        q = manifest_write(etcfd, &now);
        if (q < 0) {
                log_error_errno(q, "Failed to write /etc/" MANIFEST ": %m");
                note_error(&ap, q);
        }
        q = ap.error ? ap.error : w.error;
        blocked = ap.blocked;
        n_blocked = ap.n_blocked;
out:
        for (size_t i = 0; i < n_blocked; i++)
                free(blocked[i]);
        free(blocked);
        parent_cache_release(&pc);
        free(ix.v);
        list_release(&gen);
        manifest_release(&old);
        manifest_release(&now);
        manifest_release(&both);
        *ret = st;
        return q;
}
