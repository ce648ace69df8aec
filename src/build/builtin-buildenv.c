/* builtin:buildenv: merges packages into a symlink farm (see the header).
 *
 * Packages live under the store root, so every package path is read as
 * ROOT + a logical path whose symlinks were resolved inside ROOT (chase());
 * what the output's links say is always the logical path. While merging,
 * each directory being read is known by two names: the logical one its
 * entries are linked by (what Nix would link to) and the resolved one its
 * bytes are read through. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin-buildenv.h"
#include "cleanup.h"
#include "derivation.h"
#include "fileio.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

/* Symlinks followed while resolving one path (the kernel's limit). */
#define CHASE_MAX_LINKS 40
/* Deepest directory nesting merged. */
#define BUILDENV_MAX_DEPTH 256
/* Largest propagated-user-env-packages read. */
#define PROPAGATED_MAX_SIZE (1024 * 1024)
/* Where propagated packages' priorities start (Nix's priorityCounter). */
#define PROPAGATED_PRIORITY_BASE 1000

/* ---- resolving logical paths under the root ----------------------------- */

/* Resolves every symlink in the absolute logical path `path` as the kernel
 * would if root were "/": absolute targets start again at root, ".." never
 * leaves it. Returns 0 and the resolved logical path (malloc'ed; "/" for
 * the root itself), or -ENOENT / -ENOTDIR / -ELOOP / another lstat errno. */
static int chase(const char *root, const char *path, char **ret) {
        _cleanup_strbuf_ StrBuf done = STRBUF_INIT; /* resolved so far; "" is "/" */
        _cleanup_free_ char *todo = xstrdup(path);
        const char *p = todo;
        unsigned links = 0;

        for (;;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                size_t n = strcspn(p, "/");
                if (n == 1 && p[0] == '.') {
                        p += n;
                        continue;
                }
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        char *slash = strrchr(done.buf, '/');
                        done.len = slash ? (size_t) (slash - done.buf) : 0;
                        done.buf[done.len] = 0;
                        p += n;
                        continue;
                }
                size_t parent_len = done.len;
                strbuf_addc(&done, '/');
                strbuf_add(&done, p, n);
                p += n;

                _cleanup_free_ char *real = xasprintf("%s%s", root, done.buf);
                struct stat st;
                if (lstat(real, &st) < 0)
                        return -errno;
                if (!S_ISLNK(st.st_mode))
                        continue;
                if (++links > CHASE_MAX_LINKS)
                        return -ELOOP;
                _cleanup_free_ char *target = NULL;
                int r = read_link(AT_FDCWD, real, &target);
                if (r < 0)
                        return r;
                /* Continue with the target, then the rest. */
                char *next = xasprintf("%s/%s", target, p);
                free(todo);
                todo = next;
                p = todo;
                done.len = target[0] == '/' ? 0 : parent_len;
                done.buf[done.len] = 0;
        }
        *ret = done.len ? strbuf_detach(&done, NULL) : xstrdup("/");
        return 0;
}

/* ---- priorities of the output's entries --------------------------------- */

/* What an output entry is. Nix's merge makes only ENTRY_LINK (and real
 * directories it does not record); debianLayout records every entry. */
typedef enum EntryKind {
        ENTRY_LINK,     /* a symlink to a package's entry (debianLayout: a non-directory) */
        ENTRY_DIR_LINK, /* debianLayout: a symlink to a package's directory, linked whole */
        ENTRY_DIR,      /* debianLayout: a real directory merging several packages' */
        ENTRY_COPY,     /* debianLayout: a package's symlink, copied (target made absolute) */
} EntryKind;

/* Output entry (relative path) -> the priority of the package it came from,
 * what the entry is and (debianLayout) the logical path of the package entry
 * it came from: an open-addressing hash table. */
typedef struct PrioEntry {
        char *key;
        int priority;
        EntryKind kind;
        char *source; /* NULL, or malloc'ed */
} PrioEntry;

typedef struct PrioMap {
        PrioEntry *entries;
        size_t cap; /* a power of two, or 0 */
        size_t n;
} PrioMap;

static uint64_t str_hash(const char *s) {
        uint64_t h = UINT64_C(14695981039346656037);
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * UINT64_C(1099511628211);
        return h;
}

static PrioEntry *prio_find_slot(PrioEntry *entries, size_t cap, const char *key) {
        for (size_t i = str_hash(key) & (cap - 1);; i = (i + 1) & (cap - 1))
                if (!entries[i].key || strcmp(entries[i].key, key) == 0)
                        return &entries[i];
}

static void prio_set(PrioMap *m, const char *key, int priority, EntryKind kind, const char *source) {
        if ((m->n + 1) * 2 > m->cap) {
                size_t cap = m->cap ? m->cap * 2 : 256;
                PrioEntry *entries = xcalloc(cap, sizeof(PrioEntry));
                for (size_t i = 0; i < m->cap; i++)
                        if (m->entries[i].key)
                                *prio_find_slot(entries, cap, m->entries[i].key) = m->entries[i];
                free(m->entries);
                m->entries = entries;
                m->cap = cap;
        }
        PrioEntry *e = prio_find_slot(m->entries, m->cap, key);
        if (!e->key) {
                e->key = xstrdup(key);
                m->n++;
        }
        e->priority = priority;
        e->kind = kind;
        free(e->source);
        e->source = source ? xstrdup(source) : NULL;
}

/* The priority recorded for key; 0 when none (as Nix's map gives). */
static int prio_get(const PrioMap *m, const char *key) {
        if (!m->cap)
                return 0;
        PrioEntry *e = prio_find_slot(m->entries, m->cap, key);
        return e->key ? e->priority : 0;
}

/* The entry recorded for key, or NULL. The pointer lives until the next
 * prio_set(). */
static PrioEntry *prio_lookup(const PrioMap *m, const char *key) {
        if (!m->cap)
                return NULL;
        PrioEntry *e = prio_find_slot(m->entries, m->cap, key);
        return e->key ? e : NULL;
}

static void prio_map_done(PrioMap *m) {
        for (size_t i = 0; i < m->cap; i++) {
                free(m->entries[i].key);
                free(m->entries[i].source);
        }
        free(m->entries);
}

/* ---- merging ------------------------------------------------------------ */

typedef struct Merge {
        const char *root;        /* the store root: "" or a directory */
        const char *out;         /* host path of the output */
        const char *out_logical; /* its logical path, for messages */
        const char *store_dir;   /* logical, "/nix/store" */
        bool debian;             /* debianLayout */
        int log_fd;
        PrioMap priorities;
        unsigned long symlinks;
        char *error;
} Merge;

static void merge_warn(Merge *m, const char *fmt, ...) _printf_(2, 3);
static void merge_warn(Merge *m, const char *fmt, ...) {
        if (m->log_fd < 0)
                return;
        StrBuf sb = STRBUF_INIT;
        strbuf_adds(&sb, "warning: ");
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        strbuf_addc(&sb, '\n');
        (void) fd_write_all(m->log_fd, sb.buf, sb.len);
        strbuf_release(&sb);
}

static int merge_fail(Merge *m, int r, const char *fmt, ...) _printf_(3, 4);
static int merge_fail(Merge *m, int r, const char *fmt, ...) {
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        free(m->error);
        m->error = strbuf_detach(&sb, NULL);
        return r;
}

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names in the directory at host path dir, sorted, without "." and
 * "..", and unless dotfiles without any name starting with '.' (not matched
 * by a glob, as Nix says). */
static int list_dir(const char *dir, bool dotfiles, char ***ret) {
        DIR *d = opendir(dir);
        if (!d)
                return -errno;
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        errno = 0;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.' &&
                    (!dotfiles || !de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
                        continue;
                names = strv_push(names, de->d_name);
                n++;
        }
        int r = errno ? -errno : 0;
        closedir(d);
        if (r < 0) {
                strv_free(names);
                return r;
        }
        if (n)
                qsort(names, n, sizeof(char *), cmp_strp);
        *ret = names;
        return 0;
}

/* Entries Nix leaves out of user environments: useless there, or sure to
 * collide (every Python package's easy-install.pth, …). dir is the logical
 * directory that holds name. */
static bool skipped_entry(const char *dir, const char *name) {
        static const char *const names[] = {
                "propagated-build-inputs", "nix-support", "perllocal.pod", "log", "manifest.nix", "manifest.json",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(name, names[i]) == 0)
                        return true;
        if (strcmp(name, "dir") == 0) {
                const char *slash = strrchr(dir, '/');
                return slash && strcmp(slash + 1, "info") == 0;
        }
        return false;
}

/* dir "/" name, for a logical directory dir ("/" or no trailing '/'). */
static char *path_join(const char *dir, const char *name) {
        return xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, name);
}

/* The host path of output entry rel ("" is the output itself). */
static char *out_path(const Merge *m, const char *rel) {
        return *rel ? xasprintf("%s/%s", m->out, rel) : xstrdup(m->out);
}

static int merge_dir(Merge *m, const char *src, const char *src_resolved, const char *dst_rel, int priority,
                     unsigned depth);

/* A directory src (resolved: src_resolved) meets output entry dst_rel. */
static int merge_subdir(Merge *m, const char *src, const char *src_resolved, const char *dst_rel, int priority,
                        unsigned depth, bool *ret_linked) {
        _cleanup_free_ char *dst = out_path(m, dst_rel);
        struct stat st;
        *ret_linked = false;
        if (lstat(dst, &st) < 0) {
                if (errno != ENOENT)
                        return merge_fail(m, -errno, "getting status of '%s/%s': %s", m->out_logical, dst_rel,
                                          strerror(errno));
                return 0; /* new: link the whole directory */
        }
        *ret_linked = true;
        if (S_ISDIR(st.st_mode))
                return merge_dir(m, src, src_resolved, dst_rel, priority, depth + 1);
        if (!S_ISLNK(st.st_mode))
                return merge_fail(m, -EEXIST, "collision between '%s' and non-directory '%s/%s'", src,
                                  m->out_logical, dst_rel);

        /* A directory linked as a whole so far: make it real and merge both. */
        _cleanup_free_ char *target = NULL, *old = NULL;
        int r = read_link(AT_FDCWD, dst, &target);
        if (r < 0)
                return merge_fail(m, r, "reading the symlink '%s/%s': %s", m->out_logical, dst_rel, strerror(-r));
        r = chase(m->root, target, &old);
        struct stat old_st;
        _cleanup_free_ char *old_real = r >= 0 ? xasprintf("%s%s", m->root, old) : NULL;
        if (r < 0 || lstat(old_real, &old_st) < 0 || !S_ISDIR(old_st.st_mode))
                return merge_fail(m, -EEXIST, "collision between '%s' and non-directory '%s'", src,
                                  old ? old : target);
        int old_priority = prio_get(&m->priorities, dst_rel);
        r = unlink_at(AT_FDCWD, dst, 0);
        if (r >= 0 && mkdir(dst, 0755) < 0)
                r = -errno;
        if (r < 0)
                return merge_fail(m, r, "replacing the symlink '%s/%s' by a directory: %s", m->out_logical,
                                  dst_rel, strerror(-r));
        r = merge_dir(m, old, old, dst_rel, old_priority, depth + 1);
        if (r < 0)
                return r;
        return merge_dir(m, src, src_resolved, dst_rel, priority, depth + 1);
}

/* A non-directory src meets output entry dst_rel. Returns 1 to link src
 * there (anything in the way was removed), 0 to leave it out. */
static int merge_file(Merge *m, const char *src, const char *dst_rel, int priority) {
        _cleanup_free_ char *dst = out_path(m, dst_rel);
        struct stat st;
        if (lstat(dst, &st) < 0) {
                if (errno != ENOENT)
                        return merge_fail(m, -errno, "getting status of '%s/%s': %s", m->out_logical, dst_rel,
                                          strerror(errno));
                return 1;
        }
        if (S_ISDIR(st.st_mode))
                return merge_fail(m, -EEXIST, "collision between non-directory '%s' and directory '%s/%s'", src,
                                  m->out_logical, dst_rel);
        _cleanup_free_ char *existing = NULL;
        int r = read_link(AT_FDCWD, dst, &existing);
        if (r < 0)
                return merge_fail(m, r, "reading the symlink '%s/%s': %s", m->out_logical, dst_rel, strerror(-r));
        if (strcmp(existing, src) == 0)
                return 0;
        int prev = prio_get(&m->priorities, dst_rel);
        if (prev == priority)
                return merge_fail(m, -EEXIST,
                                  "collision between '%s' and '%s': both packages have priority %d; give one of "
                                  "them another priority (the lower number wins)",
                                  existing, src, priority);
        if (prev < priority)
                return 0;
        r = unlink_at(AT_FDCWD, dst, 0);
        if (r < 0)
                return merge_fail(m, r, "removing '%s/%s': %s", m->out_logical, dst_rel, strerror(-r));
        return 1;
}

/* ---- debianLayout ------------------------------------------------------- */

/* A package's top-level directories that debianLayout merges under usr/. */
static const char *const usr_merged_dirs[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };

static bool is_usr_merged(const char *s, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(usr_merged_dirs); i++)
                if (strlen(usr_merged_dirs[i]) == n && memcmp(usr_merged_dirs[i], s, n) == 0)
                        return true;
        return false;
}

/* Where the logical path `path` lies inside its package: "bin/sh" for
 * "/nix/store/…-dash/bin/sh" ("" for the package itself), or NULL when path
 * is not under the store directory. */
static const char *package_relative(const Merge *m, const char *path) {
        size_t n = strlen(m->store_dir);
        if (strncmp(path, m->store_dir, n) != 0 || path[n] != '/')
                return NULL;
        const char *p = path + n + 1;
        p += strcspn(p, "/");
        return p + strspn(p, "/");
}

/* The absolute FHS path that the relative symlink target `target` of a
 * package's entry `location` ("etc/sysctl.d/99-sysctl.conf") means:
 * target resolved lexically against location's directory, as if the
 * package were unpacked at "/" ('..' never goes above it), then a leading
 * bin, sbin, lib, lib32, lib64 or libx32 moved under /usr. Returns a
 * malloc'ed path ("/etc/sysctl.conf"). */
static char *fhs_target(const char *location, const char *target) {
        StrBuf done = STRBUF_INIT; /* "" is "/" */
        const char *slash = strrchr(location, '/');
        if (slash) {
                strbuf_addc(&done, '/');
                strbuf_add(&done, location, (size_t) (slash - location));
        }
        for (const char *p = target;;) {
                p += strspn(p, "/");
                if (!*p)
                        break;
                size_t n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        char *last = strrchr(done.buf, '/');
                        done.len = last ? (size_t) (last - done.buf) : 0;
                        done.buf[done.len] = 0;
                } else if (!(n == 1 && p[0] == '.')) {
                        strbuf_addc(&done, '/');
                        strbuf_add(&done, p, n);
                }
                p += n;
        }
        if (!done.len) {
                strbuf_release(&done);
                return xstrdup("/");
        }
        const char *first = done.buf + 1;
        if (is_usr_merged(first, strcspn(first, "/"))) {
                char *r = xasprintf("/usr%s", done.buf);
                strbuf_release(&done);
                return r;
        }
        return strbuf_detach(&done, NULL);
}

/* Whether a symlink at or below the directory open as dir_fd (`level`
 * directories below the one asked about) has a relative target that,
 * lexically, leaves the directory asked about. Returns 1 (it does), 0 (no
 * such link), or a negative errno. */
static int dir_escapes(int dir_fd, unsigned level) {
        if (level > BUILDENV_MAX_DEPTH)
                return -ELOOP;
        int fd = dup(dir_fd);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        int r = 0;
        struct dirent *de;
        while (r == 0 && (errno = 0, de = readdir(d))) {
                const char *name = de->d_name;
                if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
                        continue;
                struct stat st;
                if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                        break;
                }
                if (S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *target = NULL;
                        r = read_link(dir_fd, name, &target);
                        if (r < 0 || target[0] == '/')
                                continue;
                        long pos = level; /* directories below the one asked about */
                        for (const char *p = target; *p && r == 0;) {
                                p += strspn(p, "/");
                                size_t n = strcspn(p, "/");
                                if (n == 2 && p[0] == '.' && p[1] == '.') {
                                        if (--pos < 0)
                                                r = 1;
                                } else if (n && !(n == 1 && p[0] == '.'))
                                        pos++;
                                p += n;
                        }
                } else if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int sub = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        r = sub < 0 ? -errno : dir_escapes(sub, level + 1);
                }
        }
        if (r == 0 && errno)
                r = -errno;
        closedir(d);
        return r;
}

/* Whether the regular files at host paths a and b have the same bytes and
 * the same executable bit (the same NAR). Returns 1, 0 or a negative errno. */
static int files_identical(const char *a, const char *b) {
        _cleanup_close_ int fa = open(a, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int fb = open(b, O_RDONLY | O_CLOEXEC);
        if (fa < 0 || fb < 0)
                return -errno;
        struct stat sa, sb;
        if (fstat(fa, &sa) < 0 || fstat(fb, &sb) < 0)
                return -errno;
        if (!S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode) || sa.st_size != sb.st_size ||
            !(sa.st_mode & S_IXUSR) != !(sb.st_mode & S_IXUSR))
                return 0;
        if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
                return 1;
        enum { CHUNK = 65536 };
        _cleanup_free_ char *ba = xmalloc(CHUNK), *bb = xmalloc(CHUNK);
        for (;;) {
                ssize_t na = fd_read_full(fa, ba, CHUNK);
                ssize_t nb = fd_read_full(fb, bb, CHUNK);
                if (na < 0 || nb < 0)
                        return na < 0 ? (int) na : (int) nb;
                if (na != nb || memcmp(ba, bb, (size_t) na) != 0)
                        return 0;
                if (na == 0)
                        return 1;
        }
}

/* Two different entries meet at output entry dst_rel: the one there (from
 * the package entry e->source) and src's. Returns 0 to leave src out (the
 * one there has a smaller priority number), 1 when the one there was
 * removed for src (src's number is smaller), or fails (equal numbers). */
static int debian_collision(Merge *m, const char *dst_rel, const char *src, int priority) {
        const PrioEntry *e = prio_lookup(&m->priorities, dst_rel);
        int prev = e ? e->priority : 0;
        if (prev < priority)
                return 0;
        if (prev == priority)
                return merge_fail(m, -EEXIST,
                                  "collision between '%s' and '%s' at '/%s': both packages have priority %d; give "
                                  "one of them another priority (the lower number wins)",
                                  e && e->source ? e->source : m->out_logical, src, dst_rel, priority);
        _cleanup_free_ char *dst = out_path(m, dst_rel);
        int r = rm_rf(AT_FDCWD, dst, NULL);
        if (r < 0)
                return merge_fail(m, r, "removing '%s/%s': %s", m->out_logical, dst_rel, strerror(-r));
        return 1;
}

/* A non-directory of a package (src, at host path src_real) meets output
 * entry dst_rel: kind ENTRY_LINK (a file, linked as src) or ENTRY_COPY (a
 * symlink, copied with target `target`). Same bytes or same target as the
 * entry there: nothing to do. */
static int debian_merge_leaf(Merge *m, const char *src, const char *src_real, EntryKind kind, const char *target,
                             const char *dst_rel, int priority) {
        _cleanup_free_ char *dst = out_path(m, dst_rel);
        struct stat st;
        if (lstat(dst, &st) >= 0) {
                const PrioEntry *e = prio_lookup(&m->priorities, dst_rel);
                int same = 0;
                if (e && e->kind == kind && S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *existing = NULL, *resolved = NULL, *existing_real = NULL;
                        int r = read_link(AT_FDCWD, dst, &existing);
                        if (r < 0)
                                return merge_fail(m, r, "reading the symlink '%s/%s': %s", m->out_logical,
                                                  dst_rel, strerror(-r));
                        if (kind == ENTRY_COPY)
                                same = strcmp(existing, target) == 0;
                        else {
                                r = chase(m->root, existing, &resolved);
                                if (r >= 0) {
                                        existing_real = xasprintf("%s%s", m->root, resolved);
                                        r = files_identical(existing_real, src_real);
                                }
                                if (r < 0)
                                        return merge_fail(m, r, "comparing '%s' with '%s': %s", existing, src,
                                                          strerror(-r));
                                same = r;
                        }
                }
                if (same)
                        return 0;
                int r = debian_collision(m, dst_rel, src, priority);
                if (r <= 0)
                        return r;
        } else if (errno != ENOENT)
                return merge_fail(m, -errno, "getting status of '%s/%s': %s", m->out_logical, dst_rel,
                                  strerror(errno));
        if (symlink(target, dst) < 0)
                return merge_fail(m, -errno, "creating the symlink '%s/%s': %s", m->out_logical, dst_rel,
                                  strerror(errno));
        prio_set(&m->priorities, dst_rel, priority, kind, src);
        m->symlinks++;
        return 0;
}

/* A package's directory src (read through src_resolved) goes to output
 * entry dst_rel, where nothing is: one link to it, or a real directory
 * when a symlink inside it leads out of it. */
static int debian_new_dir(Merge *m, const char *src, const char *src_resolved, const char *dst_rel, int priority,
                          unsigned depth) {
        _cleanup_free_ char *dst = out_path(m, dst_rel);
        _cleanup_free_ char *real = xasprintf("%s%s", m->root, src_resolved);
        _cleanup_close_ int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = fd < 0 ? -errno : dir_escapes(fd, 0);
        if (r < 0)
                return merge_fail(m, r, "reading the directory '%s': %s", src, strerror(-r));
        if (r == 0) {
                if (symlink(src, dst) < 0)
                        return merge_fail(m, -errno, "creating the symlink '%s/%s': %s", m->out_logical,
                                          dst_rel, strerror(errno));
                prio_set(&m->priorities, dst_rel, priority, ENTRY_DIR_LINK, src);
                m->symlinks++;
                return 0;
        }
        if (mkdir(dst, 0755) < 0)
                return merge_fail(m, -errno, "creating the directory '%s/%s': %s", m->out_logical, dst_rel,
                                  strerror(errno));
        prio_set(&m->priorities, dst_rel, priority, ENTRY_DIR, src);
        return merge_dir(m, src, src_resolved, dst_rel, priority, depth + 1);
}

/* A package's directory src meets output entry dst_rel. */
static int debian_merge_subdir(Merge *m, const char *src, const char *src_resolved, const char *dst_rel,
                               int priority, unsigned depth) {
        _cleanup_free_ char *dst = out_path(m, dst_rel);
        struct stat st;
        if (lstat(dst, &st) < 0) {
                if (errno != ENOENT)
                        return merge_fail(m, -errno, "getting status of '%s/%s': %s", m->out_logical, dst_rel,
                                          strerror(errno));
                return debian_new_dir(m, src, src_resolved, dst_rel, priority, depth);
        }
        if (S_ISDIR(st.st_mode))
                return merge_dir(m, src, src_resolved, dst_rel, priority, depth + 1);
        PrioEntry *e = prio_lookup(&m->priorities, dst_rel);
        if (e && e->kind == ENTRY_DIR_LINK) {
                /* Linked whole so far: make it real and merge both. */
                int old_priority = e->priority;
                _cleanup_free_ char *old = NULL, *old_resolved = NULL;
                int r = read_link(AT_FDCWD, dst, &old);
                if (r >= 0)
                        r = chase(m->root, old, &old_resolved);
                if (r >= 0)
                        r = unlink_at(AT_FDCWD, dst, 0);
                if (r >= 0 && mkdir(dst, 0755) < 0)
                        r = -errno;
                if (r < 0)
                        return merge_fail(m, r, "replacing the symlink '%s/%s' by a directory: %s",
                                          m->out_logical, dst_rel, strerror(-r));
                e->kind = ENTRY_DIR;
                r = merge_dir(m, old, old_resolved, dst_rel, old_priority, depth + 1);
                if (r < 0)
                        return r;
                return merge_dir(m, src, src_resolved, dst_rel, priority, depth + 1);
        }
        /* A file or a copied symlink is there. */
        int r = debian_collision(m, dst_rel, src, priority);
        if (r <= 0)
                return r;
        return debian_new_dir(m, src, src_resolved, dst_rel, priority, depth);
}

/* A package's entry src (read through src_resolved, whose last component
 * is not followed) meets output entry dst_rel. */
static int debian_merge_entry(Merge *m, const char *src, const char *src_resolved, const char *dst_rel, int priority,
                              unsigned depth) {
        _cleanup_free_ char *real = xasprintf("%s%s", m->root, src_resolved);
        struct stat st;
        if (lstat(real, &st) < 0)
                return merge_fail(m, -errno, "getting status of '%s': %s", src, strerror(errno));
        if (S_ISDIR(st.st_mode))
                return debian_merge_subdir(m, src, src_resolved, dst_rel, priority, depth);
        if (!S_ISLNK(st.st_mode))
                return debian_merge_leaf(m, src, real, ENTRY_LINK, src, dst_rel, priority);

        /* A link to a directory (a tree that linked a package's directory
         * whole) meeting a real directory: merge what it links to, so
         * neither side's files are lost. */
        _cleanup_free_ char *dst = out_path(m, dst_rel), *linked = NULL;
        const PrioEntry *e = prio_lookup(&m->priorities, dst_rel);
        struct stat dst_st, linked_st;
        bool dst_dir = lstat(dst, &dst_st) >= 0 && (S_ISDIR(dst_st.st_mode) || (e && e->kind == ENTRY_DIR_LINK));
        if (dst_dir && chase(m->root, src, &linked) >= 0) {
                _cleanup_free_ char *linked_real = xasprintf("%s%s", m->root, linked);
                if (stat(linked_real, &linked_st) >= 0 && S_ISDIR(linked_st.st_mode))
                        return debian_merge_subdir(m, src, linked, dst_rel, priority, depth);
        }

        _cleanup_free_ char *target = NULL, *fhs = NULL;
        int r = read_link(AT_FDCWD, real, &target);
        if (r < 0)
                return merge_fail(m, r, "reading the symlink '%s': %s", src, strerror(-r));
        if (target[0] != '/') {
                const char *location = package_relative(m, src);
                if (!location)
                        return merge_fail(m, -EINVAL, "'%s' is not in the store '%s'", src, m->store_dir);
                fhs = fhs_target(location, target);
        }
        return debian_merge_leaf(m, src, real, ENTRY_COPY, fhs ? fhs : target, dst_rel, priority);
}

/* Merges the package pkg (read through resolved) in debianLayout: its usr,
 * its bin, sbin, lib, lib32, lib64, libx32 as usr/NAME, its etc. */
static int debian_merge_package(Merge *m, const char *pkg, const char *resolved, int priority) {
        static const char *const order[] = { "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc" };
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                const char *name = order[i];
                _cleanup_free_ char *src = path_join(pkg, name);
                _cleanup_free_ char *src_resolved = path_join(resolved, name);
                _cleanup_free_ char *real = xasprintf("%s%s", m->root, src_resolved);
                struct stat st;
                if (lstat(real, &st) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return merge_fail(m, -errno, "getting status of '%s': %s", src, strerror(errno));
                }
                if (!S_ISDIR(st.st_mode))
                        continue; /* a top-level symlink (bin -> usr/bin) or file */
                int r;
                if (strcmp(name, "usr") == 0)
                        r = merge_dir(m, src, src_resolved, "usr", priority, 1);
                else if (strcmp(name, "etc") == 0)
                        r = debian_merge_subdir(m, src, src_resolved, "etc", priority, 0);
                else {
                        _cleanup_free_ char *dst = xasprintf("usr/%s", name);
                        r = debian_merge_subdir(m, src, src_resolved, dst, priority, 1);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The output's bin, sbin, lib… -> usr/NAME, for each usr/NAME there is. */
static int debian_top_links(Merge *m) {
        for (size_t i = 0; i < ELEMENTSOF(usr_merged_dirs); i++) {
                _cleanup_free_ char *rel = xasprintf("usr/%s", usr_merged_dirs[i]);
                _cleanup_free_ char *target = out_path(m, rel);
                _cleanup_free_ char *link = out_path(m, usr_merged_dirs[i]);
                struct stat st;
                if (lstat(target, &st) < 0)
                        continue;
                if (symlink(rel, link) < 0)
                        return merge_fail(m, -errno, "creating the symlink '%s/%s': %s", m->out_logical,
                                          usr_merged_dirs[i], strerror(errno));
                m->symlinks++;
        }
        return 0;
}

/* Merges the entries of the directory src (logical; read through
 * src_resolved) into output directory dst_rel ("" for the top). */
static int merge_dir(Merge *m, const char *src, const char *src_resolved, const char *dst_rel, int priority,
                     unsigned depth) {
        if (depth > BUILDENV_MAX_DEPTH)
                return merge_fail(m, -ELOOP, "directories nested deeper than %d levels in '%s'", BUILDENV_MAX_DEPTH,
                                  src);
        _cleanup_free_ char *src_real = xasprintf("%s%s", m->root, src_resolved);
        _cleanup_strv_free_ char **names = NULL;
        int r = list_dir(src_real, m->debian, &names);
        if (r == -ENOTDIR) {
                merge_warn(m, "not including '%s' in the user environment because it's not a directory", src);
                return 0;
        }
        if (r < 0)
                return merge_fail(m, r, "reading the directory '%s': %s", src, strerror(-r));

        for (size_t i = 0; names && names[i]; i++) {
                const char *name = names[i];
                _cleanup_free_ char *src_file = path_join(src, name);
                _cleanup_free_ char *src_file_resolved = path_join(src_resolved, name);
                _cleanup_free_ char *dst_file = *dst_rel ? xasprintf("%s/%s", dst_rel, name) : xstrdup(name);

                if (m->debian) {
                        r = debian_merge_entry(m, src_file, src_file_resolved, dst_file, priority, depth);
                        if (r < 0)
                                return r;
                        continue;
                }

                /* stat(), following symlinks inside the root. */
                _cleanup_free_ char *real = xasprintf("%s%s", m->root, src_file_resolved);
                struct stat st;
                if (lstat(real, &st) < 0)
                        return merge_fail(m, -errno, "getting status of '%s': %s", src_file, strerror(errno));
                if (S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *resolved = NULL;
                        r = chase(m->root, src_file_resolved, &resolved);
                        if (r >= 0) {
                                free(real);
                                real = xasprintf("%s%s", m->root, resolved);
                                if (stat(real, &st) < 0)
                                        r = -errno;
                        }
                        if (r == -ENOENT || r == -ENOTDIR) {
                                merge_warn(m, "skipping dangling symlink '%s/%s'", m->out_logical, dst_file);
                                continue;
                        }
                        if (r < 0)
                                return merge_fail(m, r, "getting status of '%s': %s", src_file, strerror(-r));
                        if (S_ISDIR(st.st_mode)) {
                                free(src_file_resolved);
                                src_file_resolved = TAKE_PTR(resolved);
                        }
                }

                if (skipped_entry(src, name))
                        continue;

                if (S_ISDIR(st.st_mode)) {
                        bool linked;
                        r = merge_subdir(m, src_file, src_file_resolved, dst_file, priority, depth, &linked);
                        if (r < 0)
                                return r;
                        if (linked)
                                continue;
                } else {
                        r = merge_file(m, src_file, dst_file, priority);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                continue;
                }

                _cleanup_free_ char *dst = out_path(m, dst_file);
                if (symlink(src_file, dst) < 0)
                        return merge_fail(m, -errno, "creating the symlink '%s/%s': %s", m->out_logical, dst_file,
                                          strerror(errno));
                prio_set(&m->priorities, dst_file, priority, ENTRY_LINK, NULL);
                m->symlinks++;
        }
        return 0;
}

/* ---- packages ----------------------------------------------------------- */

typedef struct Package {
        char *path;
        bool active;
        int priority;
} Package;

static int cmp_package(const void *a, const void *b) {
        const Package *x = a, *y = b;
        if (x->priority != y->priority)
                return x->priority < y->priority ? -1 : 1;
        return strcmp(x->path, y->path);
}

static char **split_ws(const char *s) {
        char **l = NULL;
        while (s && *s) {
                s += strspn(s, " \t\r\n");
                size_t n = strcspn(s, " \t\r\n");
                if (n)
                        l = strv_consume(l, xstrndup(s, n));
                s += n;
        }
        return l;
}

static bool parse_int(const char *s, long min, long max, long *ret) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < min || v > max)
                return false;
        *ret = v;
        return true;
}

/* Parses the `derivations` attribute into *ret (n in *ret_n). */
static int parse_packages(const char *s, Package **ret, size_t *ret_n, char **ret_error) {
        _cleanup_strv_free_ char **w = split_ws(s);
        size_t n_words = strv_length(w);
        Package *pkgs = NULL;
        size_t n = 0;
        for (size_t i = 0; i < n_words;) {
                long priority, count;
                if (i + 3 > n_words || !parse_int(w[i + 1], INT_MIN, INT_MAX, &priority) ||
                    !parse_int(w[i + 2], 0, (long) (n_words - i - 3), &count)) {
                        *ret_error = xasprintf("malformed 'derivations' attribute: expected 'ACTIVE PRIORITY N "
                                                  "PATH…' at word %zu",
                                                  i + 1);
                        goto fail;
                }
                bool active = strcmp(w[i], "false") != 0;
                for (long k = 0; k < count; k++) {
                        const char *path = w[i + 3 + k];
                        if (path[0] != '/') {
                                *ret_error = xasprintf("malformed 'derivations' attribute: '%s' is not an "
                                                          "absolute path",
                                                          path);
                                goto fail;
                        }
                        pkgs = xrealloc(pkgs, (n + 1) * sizeof(Package));
                        pkgs[n++] = (Package) { xstrdup(path), active, (int) priority };
                }
                i += 3 + (size_t) count;
        }
        *ret = pkgs;
        *ret_n = n;
        return 0;
fail:
        for (size_t k = 0; k < n; k++)
                free(pkgs[k].path);
        free(pkgs);
        return -EINVAL;
}

/* Adds the propagated-user-env-packages of pkg that are not done to
 * *postponed. */
static int read_propagated(Merge *m, const char *pkg, char **done, char ***postponed) {
        _cleanup_free_ char *logical = xasprintf("%s/nix-support/propagated-user-env-packages", pkg);
        _cleanup_free_ char *resolved = NULL;
        int r = chase(m->root, logical, &resolved);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0)
                return merge_fail(m, r, "reading '%s': %s", logical, strerror(-r));
        _cleanup_free_ char *real = xasprintf("%s%s", m->root, resolved);
        _cleanup_free_ char *data = NULL;
        r = read_file(AT_FDCWD, real, PROPAGATED_MAX_SIZE, &data, NULL);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0)
                return merge_fail(m, r, "reading '%s': %s", logical, strerror(-r));
        _cleanup_strv_free_ char **paths = split_ws(data);
        for (size_t i = 0; paths && paths[i]; i++) {
                if (paths[i][0] != '/')
                        return merge_fail(m, -EINVAL, "'%s' names '%s', which is not an absolute path", logical,
                                          paths[i]);
                if (!strv_contains(done, paths[i]) && !strv_contains(*postponed, paths[i]))
                        *postponed = strv_push(*postponed, paths[i]);
        }
        return 0;
}

static int add_package(Merge *m, const char *pkg, int priority, char ***done, char ***postponed) {
        if (strv_contains(*done, pkg))
                return 0;
        *done = strv_push(*done, pkg);
        _cleanup_free_ char *resolved = NULL;
        int r = chase(m->root, pkg, &resolved);
        if (r < 0)
                return merge_fail(m, r, "reading the package '%s': %s", pkg, strerror(-r));
        r = m->debian ? debian_merge_package(m, pkg, resolved, priority) : merge_dir(m, pkg, resolved, "", priority, 0);
        if (r < 0)
                return r;
        return read_propagated(m, pkg, *done, postponed);
}

static int build_profile(Merge *m, Package *pkgs, size_t n) {
        _cleanup_strv_free_ char **done = NULL;
        _cleanup_strv_free_ char **postponed = NULL;
        if (n)
                qsort(pkgs, n, sizeof(Package), cmp_package);
        for (size_t i = 0; i < n; i++)
                if (pkgs[i].active) {
                        int r = add_package(m, pkgs[i].path, pkgs[i].priority, &done, &postponed);
                        if (r < 0)
                                return r;
                }
        /* Propagated packages come later, so they lose collisions. */
        int priority = PROPAGATED_PRIORITY_BASE;
        while (postponed) {
                char **batch = TAKE_PTR(postponed);
                strv_sort_unique(batch);
                int r = 0;
                for (size_t i = 0; r >= 0 && batch[i]; i++)
                        r = add_package(m, batch[i], priority++, &done, &postponed);
                strv_free(batch);
                if (r < 0)
                        return r;
        }
        return 0;
}

int builtin_buildenv(const BuiltinContext *ctx, char **ret_error) {
        const char *out = builtin_output_dir(ctx, "out");
        const DrvOutput *o = drv_find_output(ctx->drv, "out");
        if (!out || !o) {
                *ret_error = xstrdup("builtin:buildenv needs an output named 'out'");
                return -EINVAL;
        }
        const char *derivations = drv_get_env(ctx->drv, "derivations");
        if (!derivations) {
                *ret_error = xstrdup("attribute 'derivations' missing");
                return -EINVAL;
        }
        const char *manifest = drv_get_env(ctx->drv, "manifest");
        const char *debian_layout = drv_get_env(ctx->drv, "debianLayout");
        bool debian = debian_layout && *debian_layout && strcmp(debian_layout, "0") != 0;

        Package *pkgs = NULL;
        size_t n = 0;
        int r = parse_packages(derivations, &pkgs, &n, ret_error);
        if (r < 0)
                return r;

        Merge m = {
                .root = ctx->store->root,
                .out = out,
                .out_logical = o->path,
                .store_dir = ctx->store->store_dir,
                .debian = debian,
                .log_fd = ctx->log_fd,
        };
        _cleanup_free_ char *usr = xasprintf("%s/usr", out);
        r = mkdir_p(AT_FDCWD, debian ? usr : out, 0755);
        if (r < 0)
                m.error = xasprintf("creating '%s': %s", debian ? usr : out, strerror(-r));
        if (r >= 0)
                r = build_profile(&m, pkgs, n);
        if (r >= 0 && debian)
                r = debian_top_links(&m);
        if (r >= 0 && manifest) {
                _cleanup_free_ char *link = xasprintf("%s/manifest.nix", out);
                if (symlink(manifest, link) < 0) {
                        r = -errno;
                        m.error = xasprintf("creating '%s/manifest.nix': %s", o->path, strerror(-r));
                }
        }
        if (r >= 0 && ctx->log_fd >= 0)
                dprintf(ctx->log_fd, "created %lu symlinks in user environment\n", m.symlinks);

        for (size_t i = 0; i < n; i++)
                free(pkgs[i].path);
        free(pkgs);
        prio_map_done(&m.priorities);
        if (r < 0) {
                rm_rf(AT_FDCWD, out, NULL);
                *ret_error = m.error ? m.error : xstrdup(strerror(-r));
                return r;
        }
        free(m.error);
        return 0;
}
