/* builtin:initrd: a newc cpio of firn's stage-1 init, its configuration and
 * the kernel modules it loads (see the header).
 *
 * Modules are indexed by name from a walk of the kernel's module tree (no
 * modules.dep: Debian's package has none, depmod runs in its postinst);
 * only the modules the closure needs are read, decompressed when they are
 * .ko.xz/.ko.zst/.ko.gz, and their `depends=` read from the ELF .modinfo
 * section. Everything lives in memory until the archive is written. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin-initrd.h"
#include "cleanup.h"
#include "derivation.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"

/* Bounds on what is read. */
#define INIT_MAX_SIZE (64 * 1024 * 1024)
#define MODULE_MAX_SIZE (256 * 1024 * 1024)
#define MODULE_TREE_MAX_FILES 200000
#define MODULE_TREE_MAX_DEPTH 16
#define MODULE_DEP_MAX_DEPTH 64
#define BUILTIN_LIST_MAX_SIZE (4 * 1024 * 1024)
#define CONF_MAX_SIZE (256 * 1024)

#define CONF_PATH "etc/firn/stage-1.conf"

static const char *const module_suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

typedef struct Blob {
        const char *data;
        size_t size;
} Blob;

typedef struct KoFile {
        char *name; /* '-' made '_' */
        char *rel;  /* relative to the VERSION directory */
} KoFile;

typedef struct Module {
        int state; /* 0 not seen, 1 being visited, 2 placed */
        unsigned char *data;
        size_t size;
} Module;

typedef struct Initrd {
        const BuiltinContext *ctx;
        char *moddir;         /* host path of lib/modules/VERSION */
        char *moddir_logical; /* its logical path, for messages */
        KoFile *files;        /* sorted by name, then rel */
        size_t n_files, cap_files;
        Module *mods;         /* parallel to files */
        char **builtin;       /* sorted normalised names from modules.builtin */
        size_t n_builtin;
        size_t *order;        /* indexes into files, load order */
        size_t n_order;
        char *error;
} Initrd;

static void initrd_done(Initrd *t) {
        for (size_t i = 0; i < t->n_files; i++) {
                free(t->files[i].name);
                free(t->files[i].rel);
                if (t->mods)
                        free(t->mods[i].data);
        }
        free(t->files);
        free(t->mods);
        for (size_t i = 0; i < t->n_builtin; i++)
                free(t->builtin[i]);
        free(t->builtin);
        free(t->order);
        free(t->moddir);
        free(t->moddir_logical);
        free(t->error);
}

static int set_error(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int set_error(char **ret_error, int r, const char *fmt, ...) {
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        free(*ret_error);
        *ret_error = strbuf_detach(&sb, NULL);
        return r;
}

static void log_line(const BuiltinContext *ctx, const char *fmt, ...) _printf_(2, 3);
static void log_line(const BuiltinContext *ctx, const char *fmt, ...) {
        if (ctx->log_fd < 0)
                return;
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        strbuf_addc(&sb, '\n');
        (void) fd_write_all(ctx->log_fd, sb.buf, sb.len);
        strbuf_release(&sb);
}

static char *normalise_name(const char *s, size_t n) {
        char *name = xstrndup(s, n);
        for (char *c = name; *c; c++)
                if (*c == '-')
                        *c = '_';
        return name;
}

/* The length of name without its module suffix, or 0 when it has none. */
static size_t module_stem_len(const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; i < ELEMENTSOF(module_suffixes); i++) {
                size_t k = strlen(module_suffixes[i]);
                if (n > k && strcmp(name + n - k, module_suffixes[i]) == 0)
                        return n - k;
        }
        return 0;
}

static bool has_dotdot(const char *p) {
        for (const char *c = p; *c;) {
                size_t n = strcspn(c, "/");
                if (n == 2 && c[0] == '.' && c[1] == '.')
                        return true;
                c += n;
                if (*c)
                        c++;
        }
        return false;
}

/* The host path of the store path `value` of attribute attr (an absolute
 * path inside the store directory, no ".."). */
static int input_path(const BuiltinContext *ctx, const char *attr, const char *value, char **ret, char **ret_error) {
        const char *dir = ctx->store->store_dir;
        size_t k = strlen(dir);
        if (strncmp(value, dir, k) != 0 || value[k] != '/' || has_dotdot(value))
                return set_error(ret_error, -EINVAL, "attribute '%s' must be a path in %s, not '%s'", attr, dir,
                                 value);
        *ret = xasprintf("%s%s", ctx->store->root, value);
        return 0;
}

/* ---- the module tree ----------------------------------------------------- */

static int walk(Initrd *t, int dirfd, const char *rel, unsigned depth) {
        DIR *d = fdopendir(dirfd);
        if (!d) {
                int r = -errno;
                close(dirfd);
                return set_error(&t->error, r, "reading '%s/%s': %s", t->moddir_logical, rel, strerror(-r));
        }
        int r = 0;
        struct dirent *de;
        while (r == 0 && (errno = 0, de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = set_error(&t->error, -errno, "reading '%s/%s%s': %s", t->moddir_logical, rel,
                                      de->d_name, strerror(errno));
                        break;
                }
                _cleanup_free_ char *sub = xasprintf("%s%s", rel, de->d_name);
                if (S_ISDIR(st.st_mode)) {
                        if (depth >= MODULE_TREE_MAX_DEPTH)
                                continue;
                        int fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd < 0) {
                                r = set_error(&t->error, -errno, "opening '%s/%s': %s", t->moddir_logical, sub,
                                              strerror(errno));
                                break;
                        }
                        _cleanup_free_ char *subdir = xasprintf("%s/", sub);
                        r = walk(t, fd, subdir, depth + 1);
                        continue;
                }
                size_t stem = module_stem_len(de->d_name);
                if (!S_ISREG(st.st_mode) || stem == 0)
                        continue;
                if (t->n_files == MODULE_TREE_MAX_FILES) {
                        r = set_error(&t->error, -E2BIG, "more than %d modules under '%s'", MODULE_TREE_MAX_FILES,
                                      t->moddir_logical);
                        break;
                }
                if (t->n_files == t->cap_files) {
                        t->cap_files = t->cap_files ? t->cap_files * 2 : 1024;
                        t->files = xrealloc(t->files, t->cap_files * sizeof(KoFile));
                }
                t->files[t->n_files++] = (KoFile) { normalise_name(de->d_name, stem), TAKE_PTR(sub) };
        }
        if (r == 0 && errno != 0)
                r = set_error(&t->error, -errno, "reading '%s/%s': %s", t->moddir_logical, rel, strerror(errno));
        closedir(d);
        return r;
}

static int cmp_files(const void *a, const void *b) {
        const KoFile *x = a, *y = b;
        int c = strcmp(x->name, y->name);
        return c ? c : strcmp(x->rel, y->rel);
}

static int cmp_strp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Finds lib/modules/VERSION (or usr/lib/modules/VERSION) in the kernel
 * package at host path `kernel` (logical `logical`). */
static int find_moddir(Initrd *t, const char *kernel, const char *logical) {
        static const char *const bases[] = { "lib/modules", "usr/lib/modules" };
        for (size_t b = 0; b < ELEMENTSOF(bases); b++) {
                _cleanup_free_ char *base = xasprintf("%s/%s", kernel, bases[b]);
                DIR *d = opendir(base);
                if (!d)
                        continue;
                _cleanup_free_ char *version = NULL;
                struct dirent *de;
                int r = 0;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        struct stat st;
                        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                                continue;
                        if (version) {
                                r = set_error(&t->error, -EINVAL,
                                              "'%s/%s' holds several kernel versions ('%s' and '%s')", logical,
                                              bases[b], version, de->d_name);
                                break;
                        }
                        version = xstrdup(de->d_name);
                }
                closedir(d);
                if (r < 0)
                        return r;
                if (!version)
                        continue;
                t->moddir = xasprintf("%s/%s", base, version);
                t->moddir_logical = xasprintf("%s/%s/%s", logical, bases[b], version);
                return 0;
        }
        return set_error(&t->error, -ENOENT, "'%s' has no lib/modules/VERSION directory (is it a kernel package?)",
                         logical);
}

static void read_builtin_list(Initrd *t) {
        _cleanup_free_ char *path = xasprintf("%s/modules.builtin", t->moddir);
        _cleanup_free_ char *text = NULL;
        if (read_file(AT_FDCWD, path, BUILTIN_LIST_MAX_SIZE, &text, NULL) < 0)
                return;
        size_t cap = 0;
        for (const char *p = text; *p;) {
                size_t n = strcspn(p, "\n");
                const char *base = memrchr(p, '/', n);
                base = base ? base + 1 : p;
                size_t blen = (size_t) (p + n - base);
                if (blen > 3 && memcmp(base + blen - 3, ".ko", 3) == 0) {
                        if (t->n_builtin == cap) {
                                cap = cap ? cap * 2 : 256;
                                t->builtin = xrealloc(t->builtin, cap * sizeof(char *));
                        }
                        t->builtin[t->n_builtin++] = normalise_name(base, blen - 3);
                }
                p += n;
                if (*p)
                        p++;
        }
        if (t->n_builtin)
                qsort(t->builtin, t->n_builtin, sizeof(char *), cmp_strp);
}

static int index_modules(Initrd *t, const char *kernel, const char *logical) {
        int r = find_moddir(t, kernel, logical);
        if (r < 0)
                return r;
        int fd = open(t->moddir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return set_error(&t->error, -errno, "opening '%s': %s", t->moddir_logical, strerror(errno));
        r = walk(t, fd, "", 0);
        if (r < 0)
                return r;
        if (t->n_files)
                qsort(t->files, t->n_files, sizeof(KoFile), cmp_files);
        t->mods = xcalloc(t->n_files ? t->n_files : 1, sizeof(Module));
        read_builtin_list(t);
        return 0;
}

/* The index of the first file named `name` (normalised), or -1. */
static ssize_t find_module(const Initrd *t, const char *name) {
        size_t lo = 0, hi = t->n_files;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(t->files[mid].name, name) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < t->n_files && strcmp(t->files[lo].name, name) == 0 ? (ssize_t) lo : -1;
}

static bool is_builtin(const Initrd *t, const char *name) {
        return t->n_builtin && bsearch(&name, t->builtin, t->n_builtin, sizeof(char *), cmp_strp);
}

/* ---- reading one module -------------------------------------------------- */

/* Decompresses data (any format libarchive's raw reader knows) into a new
 * buffer. */
static int decompress(const unsigned char *data, size_t size, unsigned char **ret, size_t *ret_size, char **ret_msg) {
        struct archive *a = archive_read_new();
        struct archive_entry *entry;
        if (!a)
                return -ENOMEM;
        int r = 0;
        unsigned char *out = NULL;
        size_t len = 0, cap = 0;
        if (archive_read_support_filter_all(a) < ARCHIVE_WARN || archive_read_support_format_raw(a) != ARCHIVE_OK ||
            archive_read_open_memory(a, data, size) != ARCHIVE_OK ||
            archive_read_next_header(a, &entry) != ARCHIVE_OK) {
                *ret_msg = xstrdup(archive_error_string(a) ? archive_error_string(a) : "cannot decompress");
                r = -EBADMSG;
                goto out;
        }
        for (;;) {
                if (cap - len < 64 * 1024) {
                        cap = cap ? cap * 2 : 1024 * 1024;
                        out = xrealloc(out, cap);
                }
                la_ssize_t n = archive_read_data(a, out + len, cap - len);
                if (n < 0) {
                        *ret_msg = xstrdup(archive_error_string(a) ? archive_error_string(a) : "cannot decompress");
                        r = -EBADMSG;
                        goto out;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > MODULE_MAX_SIZE) {
                        *ret_msg = xasprintf("larger than %d bytes decompressed", MODULE_MAX_SIZE);
                        r = -EFBIG;
                        goto out;
                }
        }
        *ret = TAKE_PTR(out);
        *ret_size = len;
out:
        free(out);
        archive_read_free(a);
        return r;
}

/* The contents of the .modinfo section of the ELF64 little-endian object
 * data (a pointer into it), or a message why not. */
static const char *modinfo_section(const unsigned char *data, size_t size, size_t *ret_len) {
        Elf64_Ehdr eh;
        if (size < sizeof(eh) || memcmp(data, ELFMAG, SELFMAG) != 0)
                return NULL;
        memcpy(&eh, data, sizeof(eh));
        if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
            eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum || eh.e_shoff > size ||
            (size - eh.e_shoff) / sizeof(Elf64_Shdr) < eh.e_shnum)
                return NULL;
        Elf64_Shdr strtab;
        memcpy(&strtab, data + eh.e_shoff + (size_t) eh.e_shstrndx * sizeof(Elf64_Shdr), sizeof(strtab));
        if (strtab.sh_offset > size || strtab.sh_size > size - strtab.sh_offset)
                return NULL;
        for (size_t i = 0; i < eh.e_shnum; i++) {
                Elf64_Shdr sh;
                memcpy(&sh, data + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof(sh));
                if (sh.sh_name >= strtab.sh_size)
                        continue;
                const char *name = (const char *) data + strtab.sh_offset + sh.sh_name;
                size_t room = strtab.sh_size - sh.sh_name;
                if (strnlen(name, room) == room || strcmp(name, ".modinfo") != 0)
                        continue;
                if (sh.sh_type == SHT_NOBITS || sh.sh_offset > size || sh.sh_size > size - sh.sh_offset)
                        return NULL;
                *ret_len = sh.sh_size;
                return (const char *) data + sh.sh_offset;
        }
        *ret_len = 0;
        return ""; /* no .modinfo: no dependencies */
}

/* Reads module i (decompressing it) into t->mods[i]. */
static int load_module(Initrd *t, size_t i) {
        Module *m = &t->mods[i];
        if (m->data)
                return 0;
        const KoFile *f = &t->files[i];
        _cleanup_free_ char *path = xasprintf("%s/%s", t->moddir, f->rel);
        char *data = NULL;
        size_t size = 0;
        int r = read_file(AT_FDCWD, path, MODULE_MAX_SIZE, &data, &size);
        if (r < 0)
                return set_error(&t->error, r, "reading '%s/%s': %s", t->moddir_logical, f->rel, strerror(-r));
        size_t n = strlen(f->rel);
        if (n > 3 && strcmp(f->rel + n - 3, ".ko") == 0) {
                m->data = (unsigned char *) data;
                m->size = size;
                return 0;
        }
        _cleanup_free_ char *msg = NULL;
        r = decompress((unsigned char *) data, size, &m->data, &m->size, &msg);
        free(data);
        if (r < 0)
                return set_error(&t->error, r, "decompressing '%s/%s': %s", t->moddir_logical, f->rel,
                                 msg ? msg : strerror(-r));
        return 0;
}

static int visit_named(Initrd *t, const char *name, const char *needed_by, unsigned depth);

/* Places the modules named in module i's .modinfo `depends=`. */
static int visit_depends(Initrd *t, size_t i, unsigned depth) {
        const KoFile *f = &t->files[i];
        const Module *m = &t->mods[i];
        size_t len;
        const char *info = modinfo_section(m->data, m->size, &len);
        if (!info)
                return set_error(&t->error, -EBADMSG, "'%s/%s' is not a 64-bit little-endian ELF kernel module",
                                 t->moddir_logical, f->rel);
        for (size_t off = 0; off < len;) {
                const char *s = info + off;
                size_t n = strnlen(s, len - off);
                off += n + 1;
                if (n < 8 || memcmp(s, "depends=", 8) != 0)
                        continue;
                const char *end = s + n;
                for (const char *p = s + 8; p < end;) {
                        const char *comma = memchr(p, ',', (size_t) (end - p));
                        size_t k = comma ? (size_t) (comma - p) : (size_t) (end - p);
                        if (k > 0) {
                                _cleanup_free_ char *dep = normalise_name(p, k);
                                int r = visit_named(t, dep, f->name, depth + 1);
                                if (r < 0)
                                        return r;
                        }
                        p += k + 1;
                }
        }
        return 0;
}

/* Places module i after its dependencies (a depth-first walk). */
static int visit(Initrd *t, size_t i, unsigned depth) {
        const KoFile *f = &t->files[i];
        Module *m = &t->mods[i];
        if (m->state == 2)
                return 0;
        if (m->state == 1)
                return set_error(&t->error, -ELOOP, "kernel modules depend on each other in a cycle through '%s'",
                                 f->name);
        if (depth > MODULE_DEP_MAX_DEPTH)
                return set_error(&t->error, -ELOOP, "kernel module dependencies nest deeper than %d at '%s'",
                                 MODULE_DEP_MAX_DEPTH, f->name);
        m->state = 1;
        int r = load_module(t, i);
        if (r < 0)
                return r;
        r = visit_depends(t, i, depth);
        if (r < 0)
                return r;
        m->state = 2;
        t->order[t->n_order++] = i;
        return 0;
}

/* Places the module called name (normalised); needed_by names the module
 * that depends on it, NULL for one the derivation asked for. */
static int visit_named(Initrd *t, const char *name, const char *needed_by, unsigned depth) {
        ssize_t i = find_module(t, name);
        if (i < 0) {
                if (needed_by)
                        return set_error(&t->error, -ENOENT,
                                         "kernel module '%s' (needed by '%s') not found under '%s'", name, needed_by,
                                         t->moddir_logical);
                return set_error(&t->error, -ENOENT, "kernel module '%s' not found under '%s'", name,
                                 t->moddir_logical);
        }
        if ((size_t) i + 1 < t->n_files && strcmp(t->files[i + 1].name, name) == 0 && t->mods[i].state == 0)
                log_line(t->ctx, "warning: several files for kernel module '%s'; using '%s'", name, t->files[i].rel);
        return visit(t, (size_t) i, depth);
}

/* Resolves the whitespace-separated names in `modules` into t->order. */
static int resolve_modules(Initrd *t, const char *modules) {
        t->order = xcalloc(t->n_files ? t->n_files : 1, sizeof(size_t));
        for (const char *p = modules;;) {
                p += strspn(p, " \t\n\r");
                if (!*p)
                        return 0;
                size_t n = strcspn(p, " \t\n\r");
                _cleanup_free_ char *name = normalise_name(p, n);
                p += n;
                if (find_module(t, name) < 0 && is_builtin(t, name)) {
                        log_line(t->ctx, "kernel module '%s' is built into the kernel; skipped", name);
                        continue;
                }
                int r = visit_named(t, name, NULL, 0);
                if (r < 0)
                        return r;
        }
}

/* ---- the configuration --------------------------------------------------- */

/* Checks the directives of conf: root, mount, timeout, emergency-shell;
 * a root line must be there. */
static int check_conf(const char *conf, char **ret_error) {
        static const char *const allowed[] = { "root", "mount", "timeout", "emergency-shell" };
        bool root = false;
        unsigned line = 0;
        for (const char *p = conf; *p;) {
                size_t n = strcspn(p, "\n");
                const char *end = p + n;
                line++;
                const char *w = p + strspn(p, " \t\r");
                p = *end ? end + 1 : end;
                if (w >= end || *w == '#')
                        continue;
                size_t k = strcspn(w, " \t\r\n");
                if (k == 6 && memcmp(w, "module", 6) == 0)
                        return set_error(ret_error, -EINVAL,
                                         "conf line %u: 'module' lines come from the 'modules' attribute", line);
                bool ok = false;
                for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                        if (strlen(allowed[i]) == k && memcmp(w, allowed[i], k) == 0)
                                ok = true;
                if (!ok)
                        return set_error(ret_error, -EINVAL,
                                         "conf line %u: unknown directive '%.*s' (expected root, mount, timeout or "
                                         "emergency-shell)",
                                         line, (int) k, w);
                if (k == 4 && memcmp(w, "root", 4) == 0)
                        root = true;
        }
        if (!root)
                return set_error(ret_error, -EINVAL, "attribute 'conf' has no 'root' line");
        return 0;
}

/* ---- writing the archive ------------------------------------------------- */

typedef struct Writer {
        struct archive *a;
        struct archive_entry *entry;
        unsigned ino;
} Writer;

static int write_entry(Writer *w, const char *path, mode_t mode, const void *data, size_t size, unsigned rmajor,
                       unsigned rminor) {
        struct archive_entry *e = w->entry;
        archive_entry_clear(e);
        archive_entry_set_pathname(e, path);
        archive_entry_set_mode(e, mode);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        archive_entry_set_mtime(e, 0, 0);
        archive_entry_set_ino(e, ++w->ino);
        archive_entry_set_nlink(e, S_ISDIR(mode) ? 2 : 1);
        archive_entry_set_size(e, S_ISREG(mode) ? (la_int64_t) size : 0);
        if (S_ISCHR(mode) || S_ISBLK(mode)) {
                archive_entry_set_rdevmajor(e, rmajor);
                archive_entry_set_rdevminor(e, rminor);
        }
        if (archive_write_header(w->a, e) != ARCHIVE_OK)
                return -EIO;
        if (S_ISREG(mode) && size > 0) {
                const unsigned char *p = data;
                while (size > 0) {
                        la_ssize_t n = archive_write_data(w->a, p, size);
                        if (n <= 0)
                                return -EIO;
                        p += n;
                        size -= (size_t) n;
                }
        }
        return 0;
}

static int set_compression(struct archive *a, const char *compression) {
        if (strcmp(compression, "zstd") == 0)
                return archive_write_add_filter_zstd(a) == ARCHIVE_OK &&
                                       archive_write_set_filter_option(a, "zstd", "compression-level", "19") ==
                                               ARCHIVE_OK
                               ? 0
                               : -EIO;
        if (strcmp(compression, "gzip") == 0)
                return archive_write_add_filter_gzip(a) == ARCHIVE_OK &&
                                       archive_write_set_filter_option(a, "gzip", "compression-level", "9") ==
                                               ARCHIVE_OK &&
                                       archive_write_set_filter_option(a, "gzip", "timestamp", NULL) == ARCHIVE_OK
                               ? 0
                               : -EIO;
        if (strcmp(compression, "none") == 0)
                return archive_write_add_filter_none(a) == ARCHIVE_OK ? 0 : -EIO;
        return -EINVAL;
}

static int write_archive(Initrd *t, const char *out, const char *compression, const Blob *init, const Blob *shell,
                         const char *conf_text, char **ret_error) {
        static const char *const dirs[] = { "dev", "proc", "sys", "run", "mnt-root", "etc", "etc/firn", "lib",
                                            "lib/modules" };
        Writer w = { .a = archive_write_new(), .entry = archive_entry_new() };
        int r = 0;
        if (!w.a || !w.entry) {
                r = set_error(ret_error, -ENOMEM, "out of memory");
                goto out;
        }
        if (archive_write_set_format_cpio_newc(w.a) != ARCHIVE_OK) {
                r = set_error(ret_error, -EIO, "newc cpio: %s", archive_error_string(w.a));
                goto out;
        }
        r = set_compression(w.a, compression);
        if (r == -EINVAL) {
                r = set_error(ret_error, r, "attribute 'compression' must be zstd, gzip or none, not '%s'",
                              compression);
                goto out;
        }
        if (r < 0) {
                r = set_error(ret_error, r, "%s compression: %s", compression, archive_error_string(w.a));
                goto out;
        }
        /* The archive is written in one piece: no padding to 10 KiB blocks. */
        archive_write_set_bytes_in_last_block(w.a, 1);
        if (archive_write_open_filename(w.a, out) != ARCHIVE_OK) {
                r = set_error(ret_error, -EIO, "creating '%s': %s", out, archive_error_string(w.a));
                goto out;
        }
        for (size_t i = 0; i < ELEMENTSOF(dirs) && r == 0; i++)
                r = write_entry(&w, dirs[i], S_IFDIR | 0755, NULL, 0, 0, 0);
        if (r == 0)
                r = write_entry(&w, "dev/console", S_IFCHR | 0600, NULL, 0, 5, 1);
        if (r == 0)
                r = write_entry(&w, "init", S_IFREG | 0755, init->data, init->size, 0, 0);
        if (r == 0 && shell->data)
                r = write_entry(&w, "bin", S_IFDIR | 0755, NULL, 0, 0, 0);
        if (r == 0 && shell->data)
                r = write_entry(&w, "bin/sh", S_IFREG | 0755, shell->data, shell->size, 0, 0);
        if (r == 0)
                r = write_entry(&w, CONF_PATH, S_IFREG | 0644, conf_text, strlen(conf_text), 0, 0);
        for (size_t k = 0; k < t->n_order && r == 0; k++) {
                size_t i = t->order[k];
                _cleanup_free_ char *path = xasprintf("lib/modules/%s.ko", t->files[i].name);
                r = write_entry(&w, path, S_IFREG | 0644, t->mods[i].data, t->mods[i].size, 0, 0);
        }
        if (r == 0 && archive_write_close(w.a) != ARCHIVE_OK)
                r = -EIO;
        if (r < 0)
                r = set_error(ret_error, r, "writing the initrd: %s",
                              archive_error_string(w.a) ? archive_error_string(w.a) : strerror(-r));
out:
        if (w.entry)
                archive_entry_free(w.entry);
        if (w.a)
                archive_write_free(w.a);
        return r;
}

/* ---- the builder --------------------------------------------------------- */

/* Reads the program an attribute names (`init`, `shell`) into memory. */
static int read_program(const BuiltinContext *ctx, const char *attr, const char *value, char **ret, size_t *ret_size,
                        char **ret_error) {
        _cleanup_free_ char *path = NULL;
        int r = input_path(ctx, attr, value, &path, ret_error);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return set_error(ret_error, -errno, "opening %s '%s': %s", attr, value, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return set_error(ret_error, -EINVAL, "%s '%s' is not a regular file", attr, value);
        if (st.st_size > INIT_MAX_SIZE)
                return set_error(ret_error, -EFBIG, "%s '%s' is larger than %d bytes", attr, value, INIT_MAX_SIZE);
        _cleanup_free_ char *data = xmalloc((size_t) st.st_size + 1);
        ssize_t n = fd_read_full(fd, data, (size_t) st.st_size);
        if (n < 0)
                return set_error(ret_error, (int) n, "reading %s '%s': %s", attr, value, strerror((int) -n));
        if (n != st.st_size)
                return set_error(ret_error, -EIO, "reading %s '%s': it changed size", attr, value);
        *ret = TAKE_PTR(data);
        *ret_size = (size_t) n;
        return 0;
}

/* Whether data is an x86-64 ELF executable that needs no dynamic loader:
 * the initrd carries no libraries. */
static bool elf_is_static(const char *data, size_t size) {
        if (size < sizeof(Elf64_Ehdr) || memcmp(data, ELFMAG, SELFMAG) != 0 || data[EI_CLASS] != ELFCLASS64)
                return false;
        Elf64_Ehdr eh;
        memcpy(&eh, data, sizeof(eh));
        if ((eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || eh.e_phentsize != sizeof(Elf64_Phdr) ||
            eh.e_phoff > size || eh.e_phnum > (size - eh.e_phoff) / sizeof(Elf64_Phdr))
                return false;
        for (size_t i = 0; i < eh.e_phnum; i++) {
                Elf64_Phdr ph;
                memcpy(&ph, data + eh.e_phoff + i * sizeof(Elf64_Phdr), sizeof(ph));
                if (ph.p_type == PT_INTERP)
                        return false;
        }
        return true;
}

/* Resolves the modules (when any) and writes the archive to out. */
static int make_initrd(Initrd *t, const char *out, const char *kernel, const char *modules, const char *conf,
                       const char *compression, const Blob *init, const Blob *shell, char **ret_error) {
        const BuiltinContext *ctx = t->ctx;
        int r;
        if (modules[strspn(modules, " \t\n\r")]) {
                _cleanup_free_ char *kernel_path = NULL;
                r = input_path(ctx, "kernelModules", kernel, &kernel_path, ret_error);
                if (r < 0)
                        return r;
                r = index_modules(t, kernel_path, kernel);
                if (r == 0)
                        r = resolve_modules(t, modules);
                if (r < 0 || t->error) {
                        *ret_error = t->error ? TAKE_PTR(t->error) : xstrdup(strerror(-r));
                        return r < 0 ? r : -EINVAL;
                }
        }

        _cleanup_strbuf_ StrBuf text = STRBUF_INIT;
        strbuf_adds(&text, "# written by builtin:initrd: modules in load order, then the 'conf' attribute\n");
        for (size_t k = 0; k < t->n_order; k++)
                strbuf_addf(&text, "module /lib/modules/%s.ko\n", t->files[t->order[k]].name);
        strbuf_adds(&text, conf);
        if (text.len && text.buf[text.len - 1] != '\n')
                strbuf_addc(&text, '\n');

        r = write_archive(t, out, compression, init, shell, text.buf, ret_error);
        if (r < 0) {
                (void) unlink(out);
                return r;
        }
        _cleanup_strbuf_ StrBuf names = STRBUF_INIT;
        for (size_t k = 0; k < t->n_order; k++)
                strbuf_addf(&names, " %s", t->files[t->order[k]].name);
        log_line(ctx, "initrd: %zu modules:%s", t->n_order, names.buf);
        struct stat st;
        if (stat(out, &st) == 0)
                log_line(ctx, "initrd: %lld bytes (%s)", (long long) st.st_size, compression);
        return 0;
}

int builtin_initrd(const BuiltinContext *ctx, char **ret_error) {
        const char *out = builtin_output_dir(ctx, "out");
        if (!out || !drv_find_output(ctx->drv, "out"))
                return set_error(ret_error, -EINVAL, "builtin:initrd needs an output named 'out'");
        const char *init = drv_get_env(ctx->drv, "init");
        const char *kernel = drv_get_env(ctx->drv, "kernelModules");
        const char *modules = drv_get_env(ctx->drv, "modules");
        const char *conf = drv_get_env(ctx->drv, "conf");
        const char *compression = drv_get_env(ctx->drv, "compression");
        const char *shell = drv_get_env(ctx->drv, "shell");
        if (!init || !*init)
                return set_error(ret_error, -EINVAL, "attribute 'init' missing");
        if (!conf)
                return set_error(ret_error, -EINVAL, "attribute 'conf' missing");
        if (!modules)
                modules = "";
        if (!compression || !*compression)
                compression = "zstd";
        if (modules[strspn(modules, " \t\n\r")] && (!kernel || !*kernel))
                return set_error(ret_error, -EINVAL,
                                 "attribute 'modules' names modules but 'kernelModules' is missing");
        if (strlen(conf) > CONF_MAX_SIZE)
                return set_error(ret_error, -EFBIG, "attribute 'conf' is larger than %d bytes", CONF_MAX_SIZE);
        int r = check_conf(conf, ret_error);
        if (r < 0)
                return r;

        _cleanup_free_ char *init_data = NULL, *shell_data = NULL;
        Blob init_blob = { 0 }, shell_blob = { 0 };
        r = read_program(ctx, "init", init, &init_data, &init_blob.size, ret_error);
        if (r < 0)
                return r;
        init_blob.data = init_data;
        if (shell && *shell) {
                r = read_program(ctx, "shell", shell, &shell_data, &shell_blob.size, ret_error);
                if (r < 0)
                        return r;
                if (!elf_is_static(shell_data, shell_blob.size))
                        return set_error(ret_error, -EINVAL,
                                         "shell '%s' is not a statically linked x86-64 program (the initrd has no "
                                         "libraries; busybox-static's bin/busybox is one)",
                                         shell);
                shell_blob.data = shell_data;
        }

        Initrd t = { .ctx = ctx };
        r = make_initrd(&t, out, kernel, modules, conf, compression, &init_blob, &shell_blob, ret_error);
        initrd_done(&t);
        return r;
}
