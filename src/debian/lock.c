/* firn.lock reading and writing (see lock.h), with jansson. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "lock.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

DebLock *deb_lock_new(void) {
        return xcalloc(1, sizeof(DebLock));
}

DebLockEntry *deb_lock_entry_free(DebLockEntry *e) {
        if (!e)
                return NULL;
        free(e->name);
        free(e->version);
        free(e->architecture);
        free(e->filename);
        free(e->sha256);
        strv_free(e->depends);
        free(e->provides);
        free(e->conflicts);
        free(e->breaks);
        free(e);
        return NULL;
}

static void entry_freep(DebLockEntry **e) {
        deb_lock_entry_free(*e);
}

DebLock *deb_lock_free(DebLock *lock) {
        if (!lock)
                return NULL;
        for (size_t i = 0; i < lock->n_entries; i++)
                deb_lock_entry_free(lock->entries[i]);
        free(lock->entries);
        free(lock);
        return NULL;
}

/* The position of name in the sorted entries, or where it would go. */
static size_t lock_position(const DebLock *lock, const char *name, bool *ret_found) {
        size_t lo = 0, hi = lock->n_entries;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(lock->entries[mid]->name, name);
                if (c == 0) {
                        *ret_found = true;
                        return mid;
                }
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        *ret_found = false;
        return lo;
}

const DebLockEntry *deb_lock_find(const DebLock *lock, const char *name) {
        bool found;
        size_t i = lock_position(lock, name, &found);
        return found ? lock->entries[i] : NULL;
}

static bool str_eq(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool entry_eq(const DebLockEntry *a, const DebLockEntry *b) {
        if (!str_eq(a->version, b->version) || !str_eq(a->architecture, b->architecture) ||
            !str_eq(a->filename, b->filename) || a->size != b->size || !str_eq(a->sha256, b->sha256) ||
            a->requested != b->requested || a->essential != b->essential || !str_eq(a->provides, b->provides) ||
            !str_eq(a->conflicts, b->conflicts) || !str_eq(a->breaks, b->breaks))
                return false;
        size_t i;
        for (i = 0; a->depends[i] && b->depends[i]; i++)
                if (strcmp(a->depends[i], b->depends[i]) != 0)
                        return false;
        return !a->depends[i] && !b->depends[i];
}

void deb_lock_put(DebLock *lock, DebLockEntry *e) {
        bool found;
        size_t i = lock_position(lock, e->name, &found);
        if (found) {
                if (!entry_eq(lock->entries[i], e))
                        lock->changed = true;
                deb_lock_entry_free(lock->entries[i]);
                lock->entries[i] = e;
                return;
        }
        lock->entries = xrealloc(lock->entries, (lock->n_entries + 1) * sizeof(DebLockEntry *));
        memmove(&lock->entries[i + 1], &lock->entries[i], (lock->n_entries - i) * sizeof(DebLockEntry *));
        lock->entries[i] = e;
        lock->n_entries++;
        lock->changed = true;
}

bool deb_lock_remove(DebLock *lock, const char *name) {
        bool found;
        size_t i = lock_position(lock, name, &found);
        if (!found)
                return false;
        deb_lock_entry_free(lock->entries[i]);
        memmove(&lock->entries[i], &lock->entries[i + 1], (lock->n_entries - i - 1) * sizeof(DebLockEntry *));
        lock->n_entries--;
        lock->changed = true;
        return true;
}

static char *slice_dup_or_null(DebSlice s) {
        return s.len ? xstrndup(s.ptr, s.len) : NULL;
}

DebLockEntry *deb_lock_entry_from_index(const DebPackage *p, char *const *depends) {
        DebLockEntry *e = xcalloc(1, sizeof(*e));
        e->name = xstrdup(p->name);
        e->version = xstrndup(p->version.ptr, p->version.len);
        e->architecture = xstrdup(p->architecture);
        e->filename = xstrndup(p->filename.ptr, p->filename.len);
        e->size = p->size;
        e->sha256 = xstrndup(p->sha256.ptr, p->sha256.len);
        for (char *c = e->sha256; *c; c++)
                if (*c >= 'A' && *c <= 'F')
                        *c = (char) (*c - 'A' + 'a');
        e->depends = xcalloc(1, sizeof(char *));
        for (size_t i = 0; depends && depends[i]; i++)
                e->depends = strv_push(e->depends, depends[i]);
        strv_sort_unique(e->depends);
        e->essential = p->essential;
        e->provides = slice_dup_or_null(p->provides);
        e->conflicts = slice_dup_or_null(p->conflicts);
        e->breaks = slice_dup_or_null(p->breaks);
        return e;
}

static char *dup_or_null(const char *s) {
        return s ? xstrdup(s) : NULL;
}

DebLockEntry *deb_lock_entry_copy(const DebLockEntry *e) {
        DebLockEntry *c = xcalloc(1, sizeof(*c));
        *c = (DebLockEntry) {
                .name = xstrdup(e->name), .version = xstrdup(e->version), .architecture = xstrdup(e->architecture),
                .filename = xstrdup(e->filename), .size = e->size, .sha256 = xstrdup(e->sha256),
                .requested = e->requested, .essential = e->essential, .provides = dup_or_null(e->provides),
                .conflicts = dup_or_null(e->conflicts), .breaks = dup_or_null(e->breaks),
        };
        c->depends = xcalloc(1, sizeof(char *));
        for (char **d = e->depends; *d; d++)
                c->depends = strv_push(c->depends, *d);
        return c;
}

/* ---- reading ----------------------------------------------------------------- */

static int bad(char **ret_error, const char *path, const char *fmt, const char *name, const char *field) {
        if (ret_error) {
                StrBuf sb = STRBUF_INIT;
                strbuf_addf(&sb, "%s: ", path);
                strbuf_addf(&sb, fmt, name, field);
                *ret_error = strbuf_detach(&sb, NULL);
        }
        return -EBADMSG;
}

static bool is_sha256_hex(const char *s) {
        size_t n = 0;
        for (; s[n]; n++)
                if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
                        return false;
        return n == 64;
}

/* A string field: required ones must be non-empty strings. */
static int get_string(json_t *obj, const char *field, bool required, char **ret) {
        json_t *v = json_object_get(obj, field);
        if (!v) {
                *ret = NULL;
                return required ? -EBADMSG : 0;
        }
        if (!json_is_string(v) || (required && json_string_length(v) == 0) ||
            strlen(json_string_value(v)) != json_string_length(v))
                return -EBADMSG;
        *ret = xstrdup(json_string_value(v));
        return 0;
}

static int get_bool(json_t *obj, const char *field, bool *ret) {
        json_t *v = json_object_get(obj, field);
        if (!v) {
                *ret = false;
                return 0;
        }
        if (!json_is_boolean(v))
                return -EBADMSG;
        *ret = json_is_true(v);
        return 0;
}

static int parse_entry(const char *path, const char *name, json_t *obj, DebLockEntry **ret, char **ret_error) {
        if (!json_is_object(obj))
                return bad(ret_error, path, "package %s%s: not an object", name, "");
        _cleanup_(entry_freep) DebLockEntry *e = xcalloc(1, sizeof(*e));
        e->name = xstrdup(name);
        static const struct {
                const char *field;
                size_t offset;
                bool required;
        } strings[] = {
                { "version", offsetof(DebLockEntry, version), true },
                { "architecture", offsetof(DebLockEntry, architecture), true },
                { "filename", offsetof(DebLockEntry, filename), true },
                { "sha256", offsetof(DebLockEntry, sha256), true },
                { "provides", offsetof(DebLockEntry, provides), false },
                { "conflicts", offsetof(DebLockEntry, conflicts), false },
                { "breaks", offsetof(DebLockEntry, breaks), false },
        };
        for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
                if (get_string(obj, strings[i].field, strings[i].required,
                               (char **) ((char *) e + strings[i].offset)) < 0)
                        return bad(ret_error, path, "package %s: field \"%s\" is missing or not a string", name,
                                   strings[i].field);
        DebVersion v;
        if (deb_version_parse(e->version, strlen(e->version), &v) < 0)
                return bad(ret_error, path, "package %s: invalid %s", name, "version");
        if (!is_sha256_hex(e->sha256))
                return bad(ret_error, path, "package %s: %s is not 64 lowercase hex digits", name, "sha256");
        json_t *size = json_object_get(obj, "size");
        if (!json_is_integer(size) || json_integer_value(size) < 0)
                return bad(ret_error, path, "package %s: field \"%s\" is missing or not a non-negative integer", name,
                           "size");
        e->size = (uint64_t) json_integer_value(size);
        if (get_bool(obj, "requested", &e->requested) < 0 || get_bool(obj, "essential", &e->essential) < 0)
                return bad(ret_error, path, "package %s: %s must be true or false", name, "requested/essential");
        json_t *deps = json_object_get(obj, "depends");
        if (!json_is_array(deps))
                return bad(ret_error, path, "package %s: field \"%s\" is missing or not a list", name, "depends");
        e->depends = xcalloc(1, sizeof(char *));
        size_t i;
        json_t *d;
        json_array_foreach(deps, i, d) {
                if (!json_is_string(d) || json_string_length(d) == 0)
                        return bad(ret_error, path, "package %s: %s holds a non-name", name, "depends");
                e->depends = strv_push(e->depends, json_string_value(d));
        }
        strv_sort_unique(e->depends);
        *ret = TAKE_PTR(e);
        return 0;
}

static int cmp_entries(const void *a, const void *b) {
        return strcmp((*(DebLockEntry *const *) a)->name, (*(DebLockEntry *const *) b)->name);
}

int deb_lock_read(const char *path, DebLock **ret, char **ret_error) {
        _cleanup_(deb_lock_freep) DebLock *lock = deb_lock_new();
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
                int r = -errno;
                if (ret_error)
                        *ret_error = xasprintf("%s: %s", path, strerror(errno));
                return r;
        }
        if ((size_t) st.st_size > DEB_LOCK_FILE_MAX) {
                if (ret_error)
                        *ret_error = xasprintf("%s: larger than %zu bytes", path, DEB_LOCK_FILE_MAX);
                return -E2BIG;
        }
        size_t len = (size_t) st.st_size;
        _cleanup_free_ char *text = xmalloc(len + 1);
        ssize_t got = fd_read_full(fd, text, len);
        if (got < 0 || (size_t) got != len) {
                if (ret_error)
                        *ret_error = xasprintf("%s: %s", path, got < 0 ? strerror((int) -got) : "changed while read");
                return got < 0 ? (int) got : -EIO;
        }
        json_error_t jerr;
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                if (ret_error)
                        *ret_error = xasprintf("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
                return -EBADMSG;
        }
        int r = 0;
        json_t *version = json_object_get(root, "version");
        json_t *packages = json_object_get(root, "packages");
        if (!json_is_object(root) || !json_is_integer(version) || json_integer_value(version) != DEB_LOCK_VERSION ||
            !json_is_object(packages)) {
                if (ret_error)
                        *ret_error = xasprintf("%s: not a firn lock file (want an object with \"version\": %d and "
                                               "\"packages\")",
                                               path, DEB_LOCK_VERSION);
                json_decref(root);
                return -EBADMSG;
        }
        size_t n = json_object_size(packages);
        if (n > DEB_LOCK_PACKAGES_MAX) {
                json_decref(root);
                if (ret_error)
                        *ret_error = xasprintf("%s: more than %d packages", path, DEB_LOCK_PACKAGES_MAX);
                return -E2BIG;
        }
        /* Entries in object order, then sorted once (JSON_REJECT_DUPLICATES
         * keeps names unique). */
        lock->entries = xcalloc(n ? n : 1, sizeof(DebLockEntry *));
        const char *name;
        json_t *obj;
        json_object_foreach(packages, name, obj) {
                if ((r = parse_entry(path, name, obj, &lock->entries[lock->n_entries], ret_error)) < 0)
                        break;
                lock->n_entries++;
        }
        json_decref(root);
        if (r < 0)
                return r;
        if (lock->n_entries)
                qsort(lock->entries, lock->n_entries, sizeof(DebLockEntry *), cmp_entries);
        for (size_t i = 0; i < lock->n_entries; i++)
                for (char **d = lock->entries[i]->depends; *d; d++)
                        if (!deb_lock_find(lock, *d))
                                return bad(ret_error, path, "package %s depends on %s, which the lock lacks",
                                           lock->entries[i]->name, *d);
        lock->changed = false;
        *ret = TAKE_PTR(lock);
        return 0;
}

/* ---- writing ----------------------------------------------------------------- */

static void set_string(json_t *obj, const char *field, const char *value) {
        if (value)
                json_object_set_new(obj, field, json_string(value));
}

int deb_lock_write(const DebLock *lock, const char *path, char **ret_error) {
        json_t *packages = json_object();
        for (size_t i = 0; i < lock->n_entries; i++) {
                const DebLockEntry *e = lock->entries[i];
                json_t *obj = json_object();
                set_string(obj, "version", e->version);
                set_string(obj, "architecture", e->architecture);
                set_string(obj, "filename", e->filename);
                json_object_set_new(obj, "size", json_integer((json_int_t) e->size));
                set_string(obj, "sha256", e->sha256);
                json_t *deps = json_array();
                for (char **d = e->depends; *d; d++)
                        json_array_append_new(deps, json_string(*d));
                json_object_set_new(obj, "depends", deps);
                if (e->requested)
                        json_object_set_new(obj, "requested", json_true());
                if (e->essential)
                        json_object_set_new(obj, "essential", json_true());
                set_string(obj, "provides", e->provides);
                set_string(obj, "conflicts", e->conflicts);
                set_string(obj, "breaks", e->breaks);
                json_object_set_new(packages, e->name, obj);
        }
        json_t *root = json_object();
        json_object_set_new(root, "version", json_integer(DEB_LOCK_VERSION));
        json_object_set_new(root, "packages", packages);
        char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
        json_decref(root);
        if (!text)
                return -ENOMEM;
        StrBuf sb = STRBUF_INIT;
        strbuf_adds(&sb, text);
        strbuf_addc(&sb, '\n');
        free(text);
        int r = write_file_atomic(AT_FDCWD, path, sb.buf, sb.len, 0644);
        strbuf_release(&sb);
        if (r < 0 && ret_error)
                *ret_error = xasprintf("writing %s: %s", path, strerror(-r));
        return r;
}

/* ---- with the resolver ------------------------------------------------------ */

int deb_lock_pin_all(const DebLock *lock, DebResolver *r, char **ret_error) {
        for (size_t i = 0; i < lock->n_entries; i++) {
                const DebLockEntry *e = lock->entries[i];
                int k = deb_resolver_pin(r, e->name, e->version, e->provides, ret_error);
                if (k < 0 && k != -EEXIST)
                        return k;
        }
        return 0;
}

int deb_lock_add_choices(DebLock *lock, const DebResolver *r, size_t from, char **ret_error) {
        size_t n = deb_resolver_n_choices(r);
        for (size_t i = from; i < n; i++) {
                const DebChoice *c = deb_resolver_choice(r, i);
                if (c->package && (c->package->sha256.len != 64 || !c->package->filename.len)) {
                        if (ret_error)
                                *ret_error = xasprintf("package %s %s has no Filename or SHA256 in the index (%s:%u): "
                                                       "firn cannot fetch it",
                                                       c->name, c->version, c->package->file, c->package->line);
                        return -EBADMSG;
                }
        }
        for (size_t i = from; i < n; i++) {
                const DebChoice *c = deb_resolver_choice(r, i);
                if (!c->package)
                        continue;
                const DebLockEntry *old = deb_lock_find(lock, c->name);
                DebLockEntry *e = deb_lock_entry_from_index(c->package, c->depends);
                e->requested = old && old->requested;
                deb_lock_put(lock, e);
        }
        return 0;
}

void deb_lock_request(DebLock *lock, const char *name) {
        bool found;
        size_t i = lock_position(lock, name, &found);
        if (found && !lock->entries[i]->requested) {
                lock->entries[i]->requested = true;
                lock->changed = true;
        }
}
