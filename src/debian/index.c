/* The apt package index: see index.h.
 *
 * A list is decompressed by libarchive in pieces; each piece is cut after
 * its last blank line, the complete paragraphs before the cut are parsed
 * (deb822.h) and the rest is carried to the next piece. Of each paragraph
 * only the kept fields are copied, NUL-terminated, into the arena, so
 * memory is the arena plus one piece (a paragraph at most). */
#include <archive.h>
#include <dirent.h>
#include <errno.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "index.h"
#include "xalloc.h"

/* ---- Arena ------------------------------------------------------------------
 * Bump allocation in chunks that grow with the arena from 16 KiB to 1 MiB
 * (a request above a quarter of that gets a chunk of its own); everything
 * is freed at once. */

#define ARENA_CHUNK_MIN ((size_t) 16 << 10)
#define ARENA_CHUNK_MAX ((size_t) 1 << 20)

typedef struct ArenaChunk {
        struct ArenaChunk *next;
        size_t size;
        size_t used;
        alignas(max_align_t) char data[];
} ArenaChunk;

typedef struct Arena {
        ArenaChunk *head;       /* the chunk being filled */
        size_t allocated;       /* bytes of all chunks */
} Arena;

static void *arena_alloc(Arena *a, size_t n) {
        ArenaChunk *c = a->head;
        n = (n + 7) & ~(size_t) 7;
        if (!c || c->size - c->used < n) {
                size_t chunk = a->allocated < ARENA_CHUNK_MIN ? ARENA_CHUNK_MIN
                               : a->allocated < ARENA_CHUNK_MAX ? a->allocated
                                                                : ARENA_CHUNK_MAX;
                bool own = n > chunk / 4;
                size_t size = own ? n : chunk - sizeof(ArenaChunk);
                ArenaChunk *nc = malloc(sizeof(ArenaChunk) + size);
                if (!nc)
                        return NULL;
                nc->size = size;
                nc->used = 0;
                a->allocated += sizeof(ArenaChunk) + size;
                if (c && own) {
                        /* A big one: keep filling the current chunk. */
                        nc->next = c->next;
                        c->next = nc;
                } else {
                        nc->next = c;
                        a->head = nc;
                }
                c = nc;
        }
        void *p = c->data + c->used;
        c->used += n;
        return p;
}

static char *arena_strndup(Arena *a, const char *s, size_t n) {
        char *p = arena_alloc(a, n + 1);
        if (!p)
                return NULL;
        memcpy(p, s, n);
        p[n] = '\0';
        return p;
}

static void arena_free(Arena *a) {
        ArenaChunk *c = a->head;
        while (c) {
                ArenaChunk *next = c->next;
                free(c);
                c = next;
        }
        a->head = NULL;
        a->allocated = 0;
}

/* ---- Interning --------------------------------------------------------------
 * Open addressing (linear probing, at most half full) over entries that
 * start with an Interned header; the strings live in the arena. */

typedef struct Interned {
        const char *str;
        uint32_t len;
        uint32_t hash;
} Interned;

typedef struct InternTable {
        Interned **slots;
        size_t cap;             /* a power of two, or 0 */
        size_t n;
} InternTable;

static uint32_t hash_bytes(const char *s, size_t n) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char) s[i];
                h *= 16777619u;
        }
        return h;
}

static Interned *intern_find(const InternTable *t, const char *s, size_t n, uint32_t hash) {
        if (t->cap == 0)
                return NULL;
        for (size_t i = hash & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
                Interned *e = t->slots[i];
                if (!e)
                        return NULL;
                if (e->hash == hash && e->len == n && memcmp(e->str, s, n) == 0)
                        return e;
        }
}

static int intern_add(InternTable *t, Interned *e) {
        if ((t->n + 1) * 2 > t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 64;
                Interned **slots = calloc(cap, sizeof(Interned *));
                if (!slots)
                        return -ENOMEM;
                for (size_t k = 0; k < t->cap; k++) {
                        Interned *o = t->slots[k];
                        if (!o)
                                continue;
                        size_t i = o->hash & (cap - 1);
                        while (slots[i])
                                i = (i + 1) & (cap - 1);
                        slots[i] = o;
                }
                free(t->slots);
                t->slots = slots;
                t->cap = cap;
        }
        size_t i = e->hash & (t->cap - 1);
        while (t->slots[i])
                i = (i + 1) & (t->cap - 1);
        t->slots[i] = e;
        t->n++;
        return 0;
}

/* ---- The index --------------------------------------------------------------- */

typedef struct DebName DebName;

typedef struct ProvideRef {
        DebName *target;
        const char *version;    /* NULL: unversioned */
} ProvideRef;

typedef struct PackageRec {
        DebPackage pub;         /* first: a DebPackage* is a PackageRec* */
        ProvideRef *provides;
        size_t n_provides;
} PackageRec;

struct DebName {
        Interned key;           /* first */
        PackageRec *first, *last;
        const PackageRec *candidate;
        DebProvider *providers; /* after seal, sorted */
        size_t n_providers;
};

struct DebIndex {
        Arena arena;
        InternTable names;      /* DebName */
        InternTable atoms;      /* Interned: architectures, sections, … */
        DebName **sorted;       /* after seal: names with paragraphs, by name */
        size_t n_sorted;
        size_t n_packages;
        size_t n_files;
        bool sealed;
};

DebIndex *deb_index_new(void) {
        return calloc(1, sizeof(DebIndex));
}

DebIndex *deb_index_free(DebIndex *idx) {
        if (!idx)
                return NULL;
        arena_free(&idx->arena);
        free(idx->names.slots);
        free(idx->atoms.slots);
        free(idx->sorted);
        free(idx);
        return NULL;
}

static const char *atom(DebIndex *idx, const char *s, size_t n) {
        uint32_t hash = hash_bytes(s, n);
        Interned *e = intern_find(&idx->atoms, s, n, hash);
        if (e)
                return e->str;
        e = arena_alloc(&idx->arena, sizeof(Interned));
        if (!e)
                return NULL;
        *e = (Interned) { .str = arena_strndup(&idx->arena, s, n), .len = (uint32_t) n, .hash = hash };
        if (!e->str || intern_add(&idx->atoms, e) < 0)
                return NULL;
        return e->str;
}

static DebName *name_get(const DebIndex *idx, const char *s, size_t n) {
        return (DebName *) intern_find(&idx->names, s, n, hash_bytes(s, n));
}

static DebName *name_intern(DebIndex *idx, const char *s, size_t n) {
        uint32_t hash = hash_bytes(s, n);
        DebName *d = (DebName *) intern_find(&idx->names, s, n, hash);
        if (d)
                return d;
        d = arena_alloc(&idx->arena, sizeof(DebName));
        if (!d)
                return NULL;
        *d = (DebName) { .key = { .str = arena_strndup(&idx->arena, s, n), .len = (uint32_t) n, .hash = hash } };
        if (!d->key.str || intern_add(&idx->names, &d->key) < 0)
                return NULL;
        return d;
}

/* ---- One paragraph ------------------------------------------------------------ */

typedef enum Field {
        F_PACKAGE,
        F_VERSION,
        F_ARCHITECTURE,
        F_MULTI_ARCH,
        F_ESSENTIAL,
        F_PRIORITY,
        F_SECTION,
        F_INSTALLED_SIZE,
        F_SIZE,
        F_SOURCE,
        F_FILENAME,
        F_SHA256,
        F_DESCRIPTION,
        F_DEPENDS,
        F_PRE_DEPENDS,
        F_RECOMMENDS,
        F_SUGGESTS,
        F_PROVIDES,
        F_CONFLICTS,
        F_BREAKS,
        F_REPLACES,
        _F_MAX,
} Field;

static const struct {
        const char *name;
        size_t len;
} field_names[_F_MAX] = {
#define F(id, s) [id] = { s, sizeof(s) - 1 }
        F(F_PACKAGE, "Package"),
        F(F_VERSION, "Version"),
        F(F_ARCHITECTURE, "Architecture"),
        F(F_MULTI_ARCH, "Multi-Arch"),
        F(F_ESSENTIAL, "Essential"),
        F(F_PRIORITY, "Priority"),
        F(F_SECTION, "Section"),
        F(F_INSTALLED_SIZE, "Installed-Size"),
        F(F_SIZE, "Size"),
        F(F_SOURCE, "Source"),
        F(F_FILENAME, "Filename"),
        F(F_SHA256, "SHA256"),
        F(F_DESCRIPTION, "Description"),
        F(F_DEPENDS, "Depends"),
        F(F_PRE_DEPENDS, "Pre-Depends"),
        F(F_RECOMMENDS, "Recommends"),
        F(F_SUGGESTS, "Suggests"),
        F(F_PROVIDES, "Provides"),
        F(F_CONFLICTS, "Conflicts"),
        F(F_BREAKS, "Breaks"),
        F(F_REPLACES, "Replaces"),
#undef F
};

static int field_lookup(DebSlice name) {
        char c = (char) (name.ptr[0] | 0x20);
        for (int f = 0; f < _F_MAX; f++)
                if (field_names[f].len == name.len && (field_names[f].name[0] | 0x20) == c &&
                    strncasecmp(field_names[f].name, name.ptr, name.len) == 0)
                        return f;
        return -1;
}

#define index_error deb_error_at

/* For messages: at most 80 bytes of a value. */
#define SHOW(s) (int) ((s).len > 80 ? 80 : (s).len), (s).ptr

static bool name_ok(DebSlice s) {
        if (s.len == 0 || !((s.ptr[0] >= 'a' && s.ptr[0] <= 'z') || (s.ptr[0] >= 'A' && s.ptr[0] <= 'Z') ||
                            (s.ptr[0] >= '0' && s.ptr[0] <= '9')))
                return false;
        for (size_t i = 0; i < s.len; i++) {
                char c = s.ptr[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
                      c == '-' || c == '.' || c == '_'))
                        return false;
        }
        return true;
}

static bool arch_ok(DebSlice s) {
        if (s.len == 0)
                return false;
        for (size_t i = 0; i < s.len; i++) {
                char c = s.ptr[i];
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                        return false;
        }
        return true;
}

static bool parse_u64(DebSlice s, uint64_t *ret) {
        uint64_t v = 0;
        if (s.len == 0)
                return false;
        for (size_t i = 0; i < s.len; i++) {
                if (s.ptr[i] < '0' || s.ptr[i] > '9')
                        return false;
                unsigned d = (unsigned) (s.ptr[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = v;
        return true;
}

static bool sha256_ok(DebSlice s) {
        if (s.len != 64)
                return false;
        for (size_t i = 0; i < 64; i++) {
                char c = s.ptr[i];
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
                        return false;
        }
        return true;
}

static bool slice_caseeq(DebSlice s, const char *lit) {
        return s.len == strlen(lit) && strncasecmp(s.ptr, lit, s.len) == 0;
}

/* The kept string fields, in the order they are copied. */
static const Field copied[] = {
        F_VERSION, F_SOURCE, F_FILENAME, F_SHA256, F_DESCRIPTION, F_DEPENDS, F_PRE_DEPENDS,
        F_RECOMMENDS, F_SUGGESTS, F_PROVIDES, F_CONFLICTS, F_BREAKS, F_REPLACES,
};

static DebSlice *copied_slot(DebPackage *p, Field f) {
        switch (f) {
        case F_VERSION: return &p->version;
        case F_SOURCE: return &p->source;
        case F_FILENAME: return &p->filename;
        case F_SHA256: return &p->sha256;
        case F_DESCRIPTION: return &p->description;
        case F_DEPENDS: return &p->depends;
        case F_PRE_DEPENDS: return &p->pre_depends;
        case F_RECOMMENDS: return &p->recommends;
        case F_SUGGESTS: return &p->suggests;
        case F_PROVIDES: return &p->provides;
        case F_CONFLICTS: return &p->conflicts;
        case F_BREAKS: return &p->breaks;
        case F_REPLACES: return &p->replaces;
        default: abort();
        }
}

static int add_paragraph(DebIndex *idx, const Deb822Paragraph *para, const char *file, const char *suite,
                         char **ret_error) {
        DebSlice v[_F_MAX];
        unsigned line[_F_MAX];
        bool have[_F_MAX] = { false };
        DebVersion version;
        PackageRec *rec;
        DebName *dname;
        _cleanup_deb_depends_ DebDepends *provides = NULL;
        size_t bytes = 0;
        char *strings;
        int r;

        for (size_t i = 0; i < para->n_fields; i++) {
                int f = field_lookup(para->fields[i].name);
                if (f < 0)
                        continue;
                v[f] = para->fields[i].value;
                line[f] = para->fields[i].line;
                have[f] = true;
        }
        for (int f = 0; f < _F_MAX; f++)
                if (!have[f]) {
                        v[f] = DEB_SLICE_EMPTY;
                        line[f] = para->line;
                }
        v[F_DESCRIPTION] = deb822_value_first_line(v[F_DESCRIPTION]);

        /* Required fields first: then messages can name the package. */
        if (!have[F_PACKAGE] || v[F_PACKAGE].len == 0)
                return index_error(-EBADMSG, file, para->line, ret_error, "paragraph without a Package field");
        if (!name_ok(v[F_PACKAGE]))
                return index_error(-EBADMSG, file, line[F_PACKAGE], ret_error, "invalid package name '%.*s'",
                                   SHOW(v[F_PACKAGE]));
#define PKG_ERROR(f, ...) \
        index_error(-EBADMSG, file, line[f], ret_error, "package %.*s: " __VA_ARGS__)
#define PKG SHOW(v[F_PACKAGE])
        if (!have[F_VERSION] || v[F_VERSION].len == 0)
                return PKG_ERROR(F_PACKAGE, "no Version field", PKG);
        if (deb_version_parse(v[F_VERSION].ptr, v[F_VERSION].len, &version) < 0)
                return PKG_ERROR(F_VERSION, "invalid Version '%.*s'", PKG, SHOW(v[F_VERSION]));
        if (!have[F_ARCHITECTURE] || v[F_ARCHITECTURE].len == 0)
                return PKG_ERROR(F_PACKAGE, "no Architecture field", PKG);
        if (!arch_ok(v[F_ARCHITECTURE]))
                return PKG_ERROR(F_ARCHITECTURE, "invalid Architecture '%.*s'", PKG, SHOW(v[F_ARCHITECTURE]));

        DebPackage pkg = {
                .multi_arch = DEB_MULTI_ARCH_NO,
                .suite = suite,
                .file = file,
                .line = para->line,
        };
        if (have[F_INSTALLED_SIZE] && !parse_u64(v[F_INSTALLED_SIZE], &pkg.installed_size))
                return PKG_ERROR(F_INSTALLED_SIZE, "Installed-Size '%.*s' is not a number", PKG,
                                 SHOW(v[F_INSTALLED_SIZE]));
        if (have[F_SIZE] && !parse_u64(v[F_SIZE], &pkg.size))
                return PKG_ERROR(F_SIZE, "Size '%.*s' is not a number", PKG, SHOW(v[F_SIZE]));
        if (have[F_ESSENTIAL]) {
                if (slice_caseeq(v[F_ESSENTIAL], "yes"))
                        pkg.essential = true;
                else if (!slice_caseeq(v[F_ESSENTIAL], "no"))
                        return PKG_ERROR(F_ESSENTIAL, "Essential is '%.*s', not yes or no", PKG,
                                         SHOW(v[F_ESSENTIAL]));
        }
        if (have[F_MULTI_ARCH]) {
                if (slice_caseeq(v[F_MULTI_ARCH], "same"))
                        pkg.multi_arch = DEB_MULTI_ARCH_SAME;
                else if (slice_caseeq(v[F_MULTI_ARCH], "foreign"))
                        pkg.multi_arch = DEB_MULTI_ARCH_FOREIGN;
                else if (slice_caseeq(v[F_MULTI_ARCH], "allowed"))
                        pkg.multi_arch = DEB_MULTI_ARCH_ALLOWED;
                else if (!slice_caseeq(v[F_MULTI_ARCH], "no"))
                        return PKG_ERROR(F_MULTI_ARCH, "Multi-Arch is '%.*s', not no, same, foreign or allowed",
                                         PKG, SHOW(v[F_MULTI_ARCH]));
        }
        if (have[F_SHA256] && !sha256_ok(v[F_SHA256]))
                return PKG_ERROR(F_SHA256, "SHA256 '%.*s' is not 64 hex digits", PKG, SHOW(v[F_SHA256]));
        if (v[F_PROVIDES].len > 0) {
                _cleanup_free_ char *msg = NULL;
                r = deb_depends_parse(v[F_PROVIDES].ptr, v[F_PROVIDES].len, &provides, &msg);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return index_error(r, file, line[F_PROVIDES], ret_error, "package %.*s: Provides: %s", PKG,
                                           msg ? msg : "invalid");
                for (size_t g = 0; g < provides->n_groups; g++) {
                        const DebDependAlt *alt = &provides->groups[g].alts[0];
                        if (provides->groups[g].n_alts != 1)
                                return PKG_ERROR(F_PROVIDES, "Provides has alternatives ('|')", PKG);
                        if (alt->relation != DEB_RELATION_NONE && alt->relation != DEB_RELATION_EQ)
                                return PKG_ERROR(F_PROVIDES, "Provides %s with a relation other than '='", PKG,
                                                 alt->name);
                        if (alt->version && deb_version_parse(alt->version, strlen(alt->version), &version) < 0)
                                return PKG_ERROR(F_PROVIDES, "Provides %s with an invalid version '%s'", PKG,
                                                 alt->name, alt->version);
                }
        }
#undef PKG_ERROR
#undef PKG

        /* Valid: copy it into the arena. */
        rec = arena_alloc(&idx->arena, sizeof(PackageRec));
        if (!rec)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(copied); i++)
                bytes += v[copied[i]].len + 1;
        strings = arena_alloc(&idx->arena, bytes);
        if (!strings)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(copied); i++) {
                DebSlice s = v[copied[i]];
                memcpy(strings, s.ptr, s.len);
                strings[s.len] = '\0';
                *copied_slot(&pkg, copied[i]) = deb_slice(strings, s.len);
                strings += s.len + 1;
        }
        pkg.architecture = atom(idx, v[F_ARCHITECTURE].ptr, v[F_ARCHITECTURE].len);
        pkg.priority = atom(idx, v[F_PRIORITY].ptr, v[F_PRIORITY].len);
        pkg.section = atom(idx, v[F_SECTION].ptr, v[F_SECTION].len);
        dname = name_intern(idx, v[F_PACKAGE].ptr, v[F_PACKAGE].len);
        if (!pkg.architecture || !pkg.priority || !pkg.section || !dname)
                return -ENOMEM;
        pkg.name = dname->key.str;
        *rec = (PackageRec) { .pub = pkg };

        if (provides && provides->n_groups > 0) {
                rec->provides = arena_alloc(&idx->arena, provides->n_groups * sizeof(ProvideRef));
                if (!rec->provides)
                        return -ENOMEM;
                for (size_t g = 0; g < provides->n_groups; g++) {
                        const DebDependAlt *alt = &provides->groups[g].alts[0];
                        ProvideRef *ref = &rec->provides[rec->n_provides++];
                        ref->target = name_intern(idx, alt->name, strlen(alt->name));
                        ref->version = alt->version ? arena_strndup(&idx->arena, alt->version, strlen(alt->version))
                                                    : NULL;
                        if (!ref->target || (alt->version && !ref->version))
                                return -ENOMEM;
                }
        }

        if (dname->last)
                dname->last->pub.next = &rec->pub;
        else
                dname->first = rec;
        dname->last = rec;
        idx->n_packages++;
        return 0;
}

/* Parses data[0 .. len), complete paragraphs starting at line first_line,
 * and sets *ret_line to the line after them. */
static int add_paragraphs(DebIndex *idx, const char *data, size_t len, const char *file, const char *suite,
                          unsigned first_line, unsigned *ret_line, char **ret_error) {
        _cleanup_free_ Deb822Parser *p = malloc(sizeof(Deb822Parser));
        const Deb822Paragraph *para;
        int r;

        if (!p)
                return -ENOMEM;
        deb822_parser_init(p, data, len, file, first_line);
        while ((r = deb822_parser_next(p, &para, ret_error)) > 0) {
                r = add_paragraph(idx, para, file, suite, ret_error);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        if (ret_line)
                *ret_line = p->line;
        return 0;
}

/* The file name and suite as the index keeps them. */
static int file_strings(DebIndex *idx, const char *file, const char *suite, const char **ret_file,
                        const char **ret_suite) {
        const char *f = arena_strndup(&idx->arena, file, strlen(file));
        const char *s = atom(idx, suite ? suite : "", strlen(suite ? suite : ""));
        if (!f || !s)
                return -ENOMEM;
        *ret_file = f;
        *ret_suite = s;
        return 0;
}

/* Every failure of the public functions comes with a message: the internal
 * ones leave *error NULL when errno says it all (-ENOMEM), and this gives
 * those one. */
static int hand_over_error(int r, const char *file, char **error, char **ret_error) {
        if (r < 0 && ret_error)
                *ret_error = *error ? TAKE_PTR(*error) : xasprintf("%s: %s", file, strerror(-r));
        return r;
}

static int add_text(DebIndex *idx, const char *data, size_t len, const char *file, const char *suite,
                    char **ret_error) {
        const char *f, *s;
        int r;

        if (!file)
                file = "<input>";
        if (idx->sealed)
                return index_error(-EBUSY, file, 0, ret_error, "the index is sealed: no more lists can be added");
        r = file_strings(idx, file, suite, &f, &s);
        if (r < 0)
                return r;
        r = add_paragraphs(idx, data, len, f, s, 1, NULL, ret_error);
        if (r < 0)
                return r;
        idx->n_files++;
        return 0;
}

int deb_index_add_text(DebIndex *idx, const char *data, size_t len, const char *file, const char *suite,
                       char **ret_error) {
        _cleanup_free_ char *error = NULL;
        int r = add_text(idx, data, len, file, suite, &error);
        return hand_over_error(r, file ? file : "<input>", &error, ret_error);
}

static void archive_freep(struct archive **a) {
        if (*a)
                archive_read_free(*a);
}

static int archive_err(struct archive *a, const char *file, char **ret_error) {
        int e = archive_errno(a);
        const char *msg = archive_error_string(a);
        /* libarchive reports bad data with its own codes (ARCHIVE_ERRNO_MISC,
         * ARCHIVE_ERRNO_FILE_FORMAT) or none. */
        int r = e == ENOENT || e == EACCES || e == EIO || e == ENOMEM || e == EISDIR ? -e : -EBADMSG;
        return index_error(r, file, 0, ret_error, "%s", msg ? msg : strerror(-r));
}

static int add_file(DebIndex *idx, const char *path, const char *suite, char **ret_error) {
        _cleanup_(archive_freep) struct archive *a = NULL;
        _cleanup_free_ char *buf = NULL;
        struct archive_entry *entry;
        size_t cap = (size_t) 1 << 20, len = 0;
        size_t scan = 0;        /* start of the first line not yet looked at */
        size_t cut = 0;         /* end of the last blank line seen */
        uint64_t total = 0;
        unsigned line = 1;
        const char *f, *s;
        int r;

        if (idx->sealed)
                return index_error(-EBUSY, path, 0, ret_error, "the index is sealed: no more lists can be added");
        a = archive_read_new();
        if (!a)
                return -ENOMEM;
        /* "empty" for an empty list (raw does not take empty input). */
        if (archive_read_support_filter_all(a) < ARCHIVE_WARN || archive_read_support_format_raw(a) != ARCHIVE_OK ||
            archive_read_support_format_empty(a) != ARCHIVE_OK)
                return archive_err(a, path, ret_error);
        if (archive_read_open_filename(a, path, 64 * 1024) != ARCHIVE_OK)
                return archive_err(a, path, ret_error);
        r = archive_read_next_header(a, &entry);
        if (r == ARCHIVE_EOF) {
                /* The "empty" format: no entry. */
                idx->n_files++;
                return 0;
        }
        if (r < ARCHIVE_WARN)
                return archive_err(a, path, ret_error);

        r = file_strings(idx, path, suite, &f, &s);
        if (r < 0)
                return r;
        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                la_ssize_t n;
                bool eof;

                if (len > DEB_INDEX_PARAGRAPH_MAX)
                        return index_error(-E2BIG, path, line, ret_error, "paragraph larger than %zu bytes",
                                           DEB_INDEX_PARAGRAPH_MAX);
                if (cap - len < 64 * 1024) {
                        char *nb = realloc(buf, cap * 2);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        cap *= 2;
                }
                n = archive_read_data(a, buf + len, cap - len);
                if (n < 0)
                        return archive_err(a, path, ret_error);
                eof = n == 0;
                total += (uint64_t) n;
                if (total > DEB_INDEX_FILE_MAX)
                        return index_error(-E2BIG, path, 0, ret_error, "more than %llu bytes uncompressed",
                                           (unsigned long long) DEB_INDEX_FILE_MAX);
                len += (size_t) n;

                /* Find the end of the last blank line in the new data. */
                for (;;) {
                        const char *nl = memchr(buf + scan, '\n', len - scan);
                        size_t i;
                        if (!nl)
                                break;
                        for (i = scan; buf + i < nl && (buf[i] == ' ' || buf[i] == '\t'); i++)
                                ;
                        scan = (size_t) (nl - buf) + 1;
                        if (buf + i == nl)
                                cut = scan;
                }
                if (eof)
                        cut = len;
                if (cut > 0) {
                        r = add_paragraphs(idx, buf, cut, f, s, line, &line, ret_error);
                        if (r < 0)
                                return r;
                        memmove(buf, buf + cut, len - cut);
                        len -= cut;
                        scan -= cut;
                        cut = 0;
                }
                if (eof)
                        break;
        }
        idx->n_files++;
        return 0;
}

int deb_index_add_file(DebIndex *idx, const char *path, const char *suite, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        int r = add_file(idx, path, suite, &error);
        return hand_over_error(r, path, &error, ret_error);
}

/* ---- Lists directory ------------------------------------------------------------ */

bool deb_index_list_name(const char *filename, char **ret_suite, bool *ret_foreign) {
        static const char *const exts[] = { "", ".gz", ".xz", ".lz4", ".bz2", ".lzma", ".zst" };
        size_t n = strlen(filename), base = 0;
        bool foreign = false;
        const char *suite = "", *p;
        size_t suite_len = 0;

        bool list = false;

        for (size_t i = 0; i < ELEMENTSOF(exts) && !list; i++) {
                size_t k = strlen("_Packages") + strlen(exts[i]);
                if (n >= k && memcmp(filename + n - k, "_Packages", strlen("_Packages")) == 0 &&
                    strcmp(filename + n - strlen(exts[i]), exts[i]) == 0) {
                        base = n - k;
                        list = true;
                }
        }
        if (!list)
                return false;

        /* "…_dists_SUITE_…": the last "_dists_" before the list's own part. */
        for (p = filename; (p = strstr(p, "_dists_")) && (size_t) (p - filename) < base; p++) {
                const char *start = p + strlen("_dists_");
                const char *end = memchr(start, '_', (size_t) (filename + base - start));
                suite = start;
                suite_len = end ? (size_t) (end - start) : (size_t) (filename + base - start);
        }
        /* "…_binary-ARCH": the last component before "_Packages". */
        for (size_t i = base; i > 0; i--)
                if (filename[i - 1] == '_') {
                        const char *comp = filename + i;
                        size_t clen = base - i;
                        if (clen > 7 && memcmp(comp, "binary-", 7) == 0) {
                                const char *arch = comp + 7;
                                size_t alen = clen - 7;
                                foreign = !((alen == strlen(DEB_INDEX_ARCH) && memcmp(arch, DEB_INDEX_ARCH, alen) == 0) ||
                                            (alen == 3 && memcmp(arch, "all", 3) == 0));
                        }
                        break;
                }
        if (ret_suite)
                *ret_suite = xstrndup(suite, suite_len);
        if (ret_foreign)
                *ret_foreign = foreign;
        return true;
}

static int strcmp_ptr(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

typedef struct NameList {
        char **v;
        size_t n;
} NameList;

static void name_list_free(NameList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
}

int deb_index_load(const char *lists_dir, DebIndex **ret, char **ret_error) {
        _cleanup_deb_index_ DebIndex *idx = NULL;
        _cleanup_(name_list_free) NameList names = { 0 };
        DIR *d;
        struct dirent *de;
        size_t alloc = 0;
        int r;

        if (!lists_dir)
                lists_dir = DEB_INDEX_LISTS_DIR;
        d = opendir(lists_dir);
        if (!d)
                return index_error(-errno, lists_dir, 0, ret_error, "cannot open the directory: %s", strerror(errno));
        while ((errno = 0, de = readdir(d))) {
                if (!deb_index_list_name(de->d_name, NULL, NULL))
                        continue;
                if (names.n == alloc) {
                        alloc = alloc ? alloc * 2 : 16;
                        names.v = xrealloc(names.v, alloc * sizeof(char *));
                }
                names.v[names.n++] = xstrdup(de->d_name);
        }
        r = -errno;
        closedir(d);
        if (r < 0)
                return index_error(r, lists_dir, 0, ret_error, "cannot read the directory: %s", strerror(-r));
        if (names.n > 0)
                qsort(names.v, names.n, sizeof(char *), strcmp_ptr);

        idx = deb_index_new();
        if (!idx)
                return index_error(-ENOMEM, lists_dir, 0, ret_error, "out of memory");
        for (size_t i = 0; i < names.n; i++) {
                _cleanup_free_ char *suite = NULL, *path = NULL;
                bool foreign;
                deb_index_list_name(names.v[i], &suite, &foreign);
                if (foreign)
                        continue;
                path = xasprintf("%s/%s", lists_dir, names.v[i]);
                r = deb_index_add_file(idx, path, suite, ret_error);
                if (r < 0)
                        return r;
        }
        r = deb_index_seal(idx);
        if (r < 0) {
                if (ret_error)
                        *ret_error = xasprintf("%s: out of memory", lists_dir);
                return r;
        }
        *ret = TAKE_PTR(idx);
        return 0;
}

/* ---- Candidates, providers, lookups ------------------------------------------------- */

static int dname_cmp(const void *a, const void *b) {
        const DebName *x = *(DebName *const *) a, *y = *(DebName *const *) b;
        return strcmp(x->key.str, y->key.str);
}

static int provider_cmp(const void *a, const void *b) {
        const DebProvider *x = a, *y = b;
        int c = strcmp(x->package->name, y->package->name);
        if (c != 0)
                return c;
        if (!x->version || !y->version)
                return !!x->version - !!y->version;
        return strcmp(x->version, y->version);
}

int deb_index_seal(DebIndex *idx) {
        size_t n = 0;

        if (idx->sealed)
                return 0;
        idx->sorted = malloc((idx->names.n ? idx->names.n : 1) * sizeof(DebName *));
        if (!idx->sorted)
                return -ENOMEM;

        /* Candidates: the highest version, the first of equal ones. */
        for (size_t i = 0; i < idx->names.cap; i++) {
                DebName *d = (DebName *) idx->names.slots[i];
                if (!d || !d->first)
                        continue;
                d->candidate = d->first;
                for (const PackageRec *p = (const PackageRec *) d->first->pub.next; p;
                     p = (const PackageRec *) p->pub.next) {
                        int cmp;
                        if (deb_version_compare_str(p->pub.version.ptr, d->candidate->pub.version.ptr, &cmp) >= 0 &&
                            cmp > 0)
                                d->candidate = p;
                }
                idx->sorted[n++] = d;
        }
        idx->n_sorted = n;
        qsort(idx->sorted, n, sizeof(DebName *), dname_cmp);

        /* Providers: count, allocate, fill, sort. Provides may intern new
         * names, but only while adding: the table is stable here. */
        for (size_t i = 0; i < n; i++) {
                const PackageRec *c = idx->sorted[i]->candidate;
                for (size_t k = 0; k < c->n_provides; k++)
                        c->provides[k].target->n_providers++;
        }
        for (size_t i = 0; i < idx->names.cap; i++) {
                DebName *d = (DebName *) idx->names.slots[i];
                if (!d || d->n_providers == 0)
                        continue;
                d->providers = arena_alloc(&idx->arena, d->n_providers * sizeof(DebProvider));
                if (!d->providers)
                        return -ENOMEM;
                d->n_providers = 0;
        }
        for (size_t i = 0; i < n; i++) {
                const PackageRec *c = idx->sorted[i]->candidate;
                for (size_t k = 0; k < c->n_provides; k++) {
                        DebName *t = c->provides[k].target;
                        t->providers[t->n_providers++] = (DebProvider) {
                                .package = &c->pub,
                                .version = c->provides[k].version,
                        };
                }
        }
        for (size_t i = 0; i < idx->names.cap; i++) {
                DebName *d = (DebName *) idx->names.slots[i];
                if (d && d->n_providers > 1)
                        qsort(d->providers, d->n_providers, sizeof(DebProvider), provider_cmp);
        }
        idx->sealed = true;
        return 0;
}

const DebPackage *deb_index_lookup(const DebIndex *idx, const char *name) {
        const DebName *d;
        if (!idx->sealed)
                return NULL;
        d = name_get(idx, name, strlen(name));
        return d && d->candidate ? &d->candidate->pub : NULL;
}

const DebPackage *deb_index_first(const DebIndex *idx, const char *name) {
        const DebName *d;
        if (!idx->sealed)
                return NULL;
        d = name_get(idx, name, strlen(name));
        return d && d->first ? &d->first->pub : NULL;
}

size_t deb_index_n_names(const DebIndex *idx) {
        return idx->sealed ? idx->n_sorted : 0;
}

const DebPackage *deb_index_candidate_at(const DebIndex *idx, size_t i) {
        if (!idx->sealed || i >= idx->n_sorted)
                return NULL;
        return &idx->sorted[i]->candidate->pub;
}

size_t deb_index_n_packages(const DebIndex *idx) {
        return idx->n_packages;
}

size_t deb_index_n_files(const DebIndex *idx) {
        return idx->n_files;
}

size_t deb_index_providers(const DebIndex *idx, const char *name, const DebProvider **ret) {
        const DebName *d;
        *ret = NULL;
        if (!idx->sealed)
                return 0;
        d = name_get(idx, name, strlen(name));
        if (!d || d->n_providers == 0)
                return 0;
        *ret = d->providers;
        return d->n_providers;
}
