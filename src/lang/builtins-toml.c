/* builtins.fromTOML: a TOML 1.0 parser that accepts, rejects and reports
 * exactly as the toml11 library bundled with Nix 2.8 does.
 *
 * The structure follows toml11's parser.hpp function by function, because
 * its quirks are what Nix users see: the order in which value types are
 * guessed, which duplicate-table definitions it lets through (it re-parses
 * the source text of the existing definition to decide), the clamping of
 * out-of-range numbers, and its error messages, which Nix passes on
 * verbatim after "while parsing a TOML string: ". Dates and times parse but
 * are then rejected, since Nix has no value for them.
 *
 * Parse functions return T_OK, T_ERR (toml11's result::err: a recoverable
 * failure, message in Toml.err) or T_THROW (toml11's syntax_error: fatal,
 * message in Toml.err). */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "gc-alloc.h"

#define T_OK 0
#define T_ERR (-1)
#define T_THROW (-2)

/* toml11 recurses without bound; we stop here instead of on the C stack. */
#define TOML_MAX_DEPTH 2048

/* ------------------------------------------------------------ locations */

/* toml11's location: a cursor over a source buffer with its line number. */
typedef struct Loc {
        const char *src;
        size_t len;
        size_t pos;
        size_t line; /* 1-based line of pos */
        const char *name;
} Loc;

/* toml11's region: [first, last) of a source buffer. */
typedef struct Region {
        const char *src;
        size_t len;
        size_t first, last;
} Region;

static Loc loc_new(const char *name, const char *src, size_t len) {
        return (Loc) { .src = src, .len = len, .pos = 0, .line = 1, .name = name };
}

static size_t count_newlines(const char *s, size_t from, size_t to) {
        size_t n = 0;
        for (size_t i = from; i < to; i++)
                n += s[i] == '\n';
        return n;
}

static void loc_advance(Loc *l, size_t n) {
        l->line += count_newlines(l->src, l->pos, l->pos + n);
        l->pos += n;
}

static void loc_reset(Loc *l, size_t pos) {
        if (pos <= l->pos)
                l->line -= count_newlines(l->src, pos, l->pos);
        else
                l->line += count_newlines(l->src, l->pos, pos);
        l->pos = pos;
}

static bool loc_end(const Loc *l) {
        return l->pos >= l->len;
}

/* The byte at the cursor (plus off), or -1 past the end. */
static int loc_peek(const Loc *l, size_t off) {
        return l->pos + off < l->len ? (unsigned char) l->src[l->pos + off] : -1;
}

static Region region_of(const Loc *l, size_t first, size_t last) {
        return (Region) { .src = l->src, .len = l->len, .first = first, .last = last };
}

static char *region_str(const Region *r, size_t *ret_len) {
        *ret_len = r->last - r->first;
        return gc_strndup(r->src + r->first, r->last - r->first);
}

/* toml11's source_location. */
typedef struct SrcLoc {
        size_t line, column, region;
        const char *name;
        const char *line_str;
        size_t line_len;
} SrcLoc;

static size_t line_begin_of(const char *s, size_t pos) {
        while (pos > 0 && s[pos - 1] != '\n')
                pos--;
        return pos;
}

static size_t line_end_of(const char *s, size_t len, size_t pos) {
        while (pos < len && s[pos] != '\n')
                pos++;
        return pos;
}

static SrcLoc srcloc_of_loc(const Loc *l) {
        size_t b = line_begin_of(l->src, l->pos), e = line_end_of(l->src, l->len, l->pos);
        return (SrcLoc) {
                .line = l->line,
                .column = l->pos - b + 1,
                .region = 1,
                .name = l->name,
                .line_str = l->src + b,
                .line_len = e - b,
        };
}

static SrcLoc srcloc_of_region(const Region *r, const char *name) {
        size_t b = line_begin_of(r->src, r->first), e;
        const char *nl = memchr(r->src + r->first, '\n', r->last - r->first);
        if (nl)
                e = (size_t) (nl - r->src);
        else
                e = line_end_of(r->src, r->len, r->last);
        return (SrcLoc) {
                .line = 1 + count_newlines(r->src, 0, r->first),
                .column = r->first - b + 1,
                .region = r->last - r->first,
                .name = name,
                .line_str = r->src + b,
                .line_len = e - b,
        };
}

/* --------------------------------------------------------------- values */

typedef enum TomlType {
        TT_EMPTY,
        TT_BOOLEAN,
        TT_INTEGER,
        TT_FLOATING,
        TT_STRING,
        TT_OFFSET_DATETIME,
        TT_LOCAL_DATETIME,
        TT_LOCAL_DATE,
        TT_LOCAL_TIME,
        TT_ARRAY,
        TT_TABLE,
} TomlType;

static const char *toml_type_name(TomlType t) {
        static const char *const names[] = {
                [TT_EMPTY] = "empty",
                [TT_BOOLEAN] = "boolean",
                [TT_INTEGER] = "integer",
                [TT_FLOATING] = "floating",
                [TT_STRING] = "string",
                [TT_OFFSET_DATETIME] = "offset_datetime",
                [TT_LOCAL_DATETIME] = "local_datetime",
                [TT_LOCAL_DATE] = "local_date",
                [TT_LOCAL_TIME] = "local_time",
                [TT_ARRAY] = "array",
                [TT_TABLE] = "table",
        };
        return names[t];
}

typedef struct TomlValue TomlValue;

typedef struct TomlKey {
        const char *s;
        size_t len;
} TomlKey;

/* Keys in insertion order, with a hash index once the table grows. */
typedef struct TomlTable {
        size_t n, cap;
        TomlKey *keys;
        TomlValue **values;
        size_t index_cap; /* 0 or a power of two > 2n */
        uint32_t *index;  /* slot -> entry + 1, 0 when free */
} TomlTable;

typedef struct TomlArray {
        size_t n, cap;
        TomlValue **elems;
} TomlArray;

struct TomlValue {
        TomlType type;
        Region reg;
        union {
                bool b;
                int64_t i;
                double f;
                TomlKey str;
                TomlArray arr;
                TomlTable tab;
        };
};

static TomlValue *tv_new(TomlType type, Region reg) {
        TomlValue *v = gc_alloc(sizeof(TomlValue));
        v->type = type;
        v->reg = reg;
        return v;
}

static bool key_eq(TomlKey a, TomlKey b) {
        return a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
}

static size_t key_hash(TomlKey k) {
        size_t h = 14695981039346656037u;
        for (size_t i = 0; i < k.len; i++)
                h = (h ^ (unsigned char) k.s[i]) * 1099511628211u;
        return h;
}

static void index_put(TomlTable *t, size_t entry) {
        size_t mask = t->index_cap - 1, j = key_hash(t->keys[entry]) & mask;
        while (t->index[j])
                j = (j + 1) & mask;
        t->index[j] = (uint32_t) entry + 1;
}

static TomlValue **table_find(TomlTable *t, TomlKey k) {
        if (t->index_cap) {
                size_t mask = t->index_cap - 1;
                for (size_t j = key_hash(k) & mask; t->index[j]; j = (j + 1) & mask)
                        if (key_eq(t->keys[t->index[j] - 1], k))
                                return &t->values[t->index[j] - 1];
                return NULL;
        }
        for (size_t i = 0; i < t->n; i++)
                if (key_eq(t->keys[i], k))
                        return &t->values[i];
        return NULL;
}

static void table_insert(TomlTable *t, TomlKey k, TomlValue *v) {
        TomlValue **slot = table_find(t, k);
        if (slot) {
                *slot = v;
                return;
        }
        if (t->n == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 8;
                TomlKey *keys = gc_alloc(cap * sizeof(TomlKey));
                TomlValue **values = gc_alloc(cap * sizeof(TomlValue *));
                if (t->n) {
                        memcpy(keys, t->keys, t->n * sizeof(TomlKey));
                        memcpy(values, t->values, t->n * sizeof(TomlValue *));
                }
                t->keys = keys;
                t->values = values;
                t->cap = cap;
        }
        t->keys[t->n] = k;
        t->values[t->n] = v;
        t->n++;
        if (t->n > 8 && 2 * t->n >= t->index_cap) {
                t->index_cap = t->index_cap ? t->index_cap * 2 : 64;
                t->index = gc_alloc_atomic(t->index_cap * sizeof(uint32_t));
                memset(t->index, 0, t->index_cap * sizeof(uint32_t));
                for (size_t i = 0; i < t->n; i++)
                        index_put(t, i);
        } else if (t->index_cap)
                index_put(t, t->n - 1);
}

static void array_push(TomlArray *a, TomlValue *v) {
        if (a->n == a->cap) {
                size_t cap = a->cap ? a->cap * 2 : 8;
                TomlValue **elems = gc_alloc(cap * sizeof(TomlValue *));
                if (a->n)
                        memcpy(elems, a->elems, a->n * sizeof(TomlValue *));
                a->elems = elems;
                a->cap = cap;
        }
        a->elems[a->n++] = v;
}

typedef struct KeyList {
        size_t n, cap;
        TomlKey *keys;
} KeyList;

static void keys_push(KeyList *kl, TomlKey k) {
        if (kl->n == kl->cap) {
                size_t cap = kl->cap ? kl->cap * 2 : 4;
                TomlKey *keys = gc_alloc(cap * sizeof(TomlKey));
                if (kl->n)
                        memcpy(keys, kl->keys, kl->n * sizeof(TomlKey));
                kl->keys = keys;
                kl->cap = cap;
        }
        kl->keys[kl->n++] = k;
}

/* ------------------------------------------------------------- messages */

typedef struct Toml {
        StrBuf err;
        unsigned depth;
} Toml;

typedef struct Note {
        SrcLoc loc;
        const char *comment;
} Note;

/* toml11's format_underline, uncoloured. */
static void format_underline(StrBuf *out, const char *message, const Note *notes, size_t n,
                             const char *const *helps, size_t n_helps) {
        size_t width = 1;
        for (size_t i = 0; i < n; i++) {
                size_t digits = 0;
                for (size_t line = notes[i].loc.line; line; line /= 10)
                        digits++;
                if (digits > width)
                        width = digits;
        }

        strbuf_reset(out);
        if (strlen(message) > 7 && strncmp(message, "[error]", 7) == 0)
                strbuf_adds(out, message);
        else {
                strbuf_adds(out, "[error] ");
                strbuf_adds(out, message);
        }
        strbuf_addc(out, '\n');

        for (size_t i = 0; i < n; i++) {
                const SrcLoc *sl = &notes[i].loc;
                if (i == 0 || strcmp(notes[i - 1].loc.name, sl->name) != 0) {
                        if (i > 0)
                                strbuf_addc(out, '\n');
                        strbuf_addf(out, " --> %s\n%*s |\n", sl->name, (int) width + 1, "");
                } else
                        strbuf_adds(out, "\n ...\n");
                strbuf_addf(out, " %*zu | ", (int) width, sl->line);
                strbuf_add(out, sl->line_str, sl->line_len);
                strbuf_addf(out, "\n%*s | %*s", (int) width + 1, "", (int) (sl->column - 1), "");
                if (sl->region == 1)
                        strbuf_adds(out, "^---");
                else {
                        size_t k = sl->region < sl->line_len ? sl->region : sl->line_len;
                        for (size_t j = 0; j < k; j++)
                                strbuf_addc(out, '~');
                }
                strbuf_addc(out, ' ');
                strbuf_adds(out, notes[i].comment);
        }

        if (n_helps > 0) {
                strbuf_addf(out, "\n%*s |", (int) width + 1, "");
                for (size_t i = 0; i < n_helps; i++) {
                        strbuf_adds(out, "\nHint: ");
                        strbuf_adds(out, helps[i]);
                }
        }
}

static int fail_at(Toml *t, int kind, const Loc *l, const char *message, const char *comment) {
        Note n = { srcloc_of_loc(l), comment };
        format_underline(&t->err, message, &n, 1, NULL, 0);
        return kind;
}

static int fail_hints(Toml *t, const Loc *l, const char *message, const char *comment,
                      const char *hint1, const char *hint2) {
        Note n = { srcloc_of_loc(l), comment };
        const char *hints[] = { hint1, hint2 };
        format_underline(&t->err, message, &n, 1, hints, hint2 ? 2 : 1);
        return T_ERR;
}

static int fail_regions(Toml *t, const char *message, const Region *r1, const char *c1,
                        const Region *r2, const char *c2) {
        Note n[2] = {
                { srcloc_of_region(r1, "fromTOML"), c1 },
                { srcloc_of_region(r2, "fromTOML"), c2 },
        };
        format_underline(&t->err, message, n, 2, NULL, 0);
        return T_THROW;
}

/* --------------------------------------------------------------- lexers
 *
 * Each lex_* matches at the cursor and advances past the match, or leaves
 * the cursor where it was and returns false (toml11's combinators). */

static bool lex_char(Loc *l, int c) {
        if (loc_peek(l, 0) != c)
                return false;
        loc_advance(l, 1);
        return true;
}

static bool lex_range(Loc *l, int lo, int hi) {
        int c = loc_peek(l, 0);
        if (c < lo || c > hi)
                return false;
        loc_advance(l, 1);
        return true;
}

static bool lex_str(Loc *l, const char *s) {
        size_t n = strlen(s);
        if (l->pos + n > l->len || memcmp(l->src + l->pos, s, n) != 0)
                return false;
        loc_advance(l, n);
        return true;
}

static bool lex_wschar(Loc *l) {
        return lex_char(l, ' ') || lex_char(l, '\t');
}

static bool lex_ws(Loc *l) {
        if (!lex_wschar(l))
                return false;
        while (lex_wschar(l))
                ;
        return true;
}

static bool lex_newline(Loc *l) {
        return lex_char(l, '\n') || lex_str(l, "\r\n");
}

static bool lex_digit(Loc *l) {
        return lex_range(l, '0', '9');
}

static bool lex_hex_dig(Loc *l) {
        return lex_range(l, '0', '9') || lex_range(l, 'A', 'F') || lex_range(l, 'a', 'f');
}

static bool lex_oct_dig(Loc *l) {
        return lex_range(l, '0', '7');
}

static bool lex_bin_dig(Loc *l) {
        return lex_range(l, '0', '1');
}

/* *(dig | _ dig) */
static void lex_digits_tail(Loc *l, bool (*dig)(Loc *)) {
        for (;;) {
                if (dig(l))
                        continue;
                size_t save = l->pos;
                if (lex_char(l, '_')) {
                        if (dig(l))
                                continue;
                        loc_reset(l, save);
                }
                return;
        }
}

/* dig *(dig | _ dig) */
static bool lex_digits_with_underscores(Loc *l, bool (*dig)(Loc *)) {
        if (!dig(l))
                return false;
        lex_digits_tail(l, dig);
        return true;
}

/* digit | nonzero 1*(digit | _ digit) */
static bool lex_unsigned_dec_int(Loc *l) {
        size_t start = l->pos;
        if (lex_range(l, '1', '9')) {
                size_t after_first = l->pos;
                lex_digits_tail(l, lex_digit);
                if (l->pos > after_first)
                        return true;
                loc_reset(l, start);
        }
        return lex_digit(l);
}

static bool lex_sign(Loc *l) {
        return lex_char(l, '+') || lex_char(l, '-');
}

static bool lex_dec_int(Loc *l) {
        size_t start = l->pos;
        lex_sign(l);
        if (lex_unsigned_dec_int(l))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_prefixed_int(Loc *l, const char *prefix, bool (*dig)(Loc *)) {
        size_t start = l->pos;
        if (lex_str(l, prefix) && lex_digits_with_underscores(l, dig))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_bin_int(Loc *l) {
        return lex_prefixed_int(l, "0b", lex_bin_dig);
}
static bool lex_oct_int(Loc *l) {
        return lex_prefixed_int(l, "0o", lex_oct_dig);
}
static bool lex_hex_int(Loc *l) {
        return lex_prefixed_int(l, "0x", lex_hex_dig);
}

static bool lex_integer(Loc *l) {
        return lex_bin_int(l) || lex_oct_int(l) || lex_hex_int(l) || lex_dec_int(l);
}

static bool lex_zero_prefixable_int(Loc *l) {
        return lex_digits_with_underscores(l, lex_digit);
}

static bool lex_exponent_part(Loc *l) {
        size_t start = l->pos;
        if (!(lex_char(l, 'e') || lex_char(l, 'E')))
                return false;
        lex_sign(l);
        if (lex_zero_prefixable_int(l))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_fractional_part(Loc *l) {
        size_t start = l->pos;
        if (lex_char(l, '.') && lex_zero_prefixable_int(l))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_float(Loc *l) {
        size_t start = l->pos;

        /* special: (+|-)? (inf | nan) */
        lex_sign(l);
        if (lex_str(l, "inf") || lex_str(l, "nan"))
                return true;
        loc_reset(l, start);

        if (!lex_dec_int(l))
                return false;
        if (lex_exponent_part(l))
                return true;
        if (lex_fractional_part(l)) {
                lex_exponent_part(l);
                return true;
        }
        loc_reset(l, start);
        return false;
}

static bool lex_boolean(Loc *l) {
        return lex_str(l, "true") || lex_str(l, "false");
}

static bool lex_n_digits(Loc *l, size_t n) {
        size_t start = l->pos;
        for (size_t i = 0; i < n; i++)
                if (!lex_digit(l)) {
                        loc_reset(l, start);
                        return false;
                }
        return true;
}

static bool lex_full_date(Loc *l) {
        size_t start = l->pos;
        if (lex_n_digits(l, 4) && lex_char(l, '-') && lex_n_digits(l, 2) && lex_char(l, '-') &&
            lex_n_digits(l, 2))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_time_secfrac(Loc *l) {
        size_t start = l->pos;
        if (lex_char(l, '.') && lex_digit(l)) {
                while (lex_digit(l))
                        ;
                return true;
        }
        loc_reset(l, start);
        return false;
}

static bool lex_partial_time(Loc *l) {
        size_t start = l->pos;
        if (lex_n_digits(l, 2) && lex_char(l, ':') && lex_n_digits(l, 2) && lex_char(l, ':') &&
            lex_n_digits(l, 2)) {
                lex_time_secfrac(l);
                return true;
        }
        loc_reset(l, start);
        return false;
}

static bool lex_time_numoffset(Loc *l) {
        size_t start = l->pos;
        if ((lex_char(l, '+') || lex_char(l, '-')) && lex_n_digits(l, 2) && lex_char(l, ':') &&
            lex_n_digits(l, 2))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_time_offset(Loc *l) {
        return lex_char(l, 'Z') || lex_char(l, 'z') || lex_time_numoffset(l);
}

static bool lex_time_delim(Loc *l) {
        return lex_char(l, 'T') || lex_char(l, 't') || lex_char(l, ' ');
}

static bool lex_local_date_time(Loc *l) {
        size_t start = l->pos;
        if (lex_full_date(l) && lex_time_delim(l) && lex_partial_time(l))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_offset_date_time(Loc *l) {
        size_t start = l->pos;
        if (lex_local_date_time(l) && lex_time_offset(l))
                return true;
        loc_reset(l, start);
        return false;
}

/* Bytes toml11 excludes from strings: 00-08, 0A-1F, 7F (tab is allowed;
 * bytes >= 0x80 pass, as toml11 compares signed chars). */
static bool is_control(int c) {
        return (c >= 0x00 && c <= 0x08) || (c >= 0x0a && c <= 0x1f) || c == 0x7f;
}

static bool lex_escape_unicode(Loc *l, int u, size_t n) {
        size_t start = l->pos;
        if (lex_char(l, u)) {
                size_t i;
                for (i = 0; i < n; i++)
                        if (!lex_hex_dig(l))
                                break;
                if (i == n)
                        return true;
        }
        loc_reset(l, start);
        return false;
}

static bool lex_escaped(Loc *l) {
        size_t start = l->pos;
        if (!lex_char(l, '\\'))
                return false;
        int c = loc_peek(l, 0);
        if (c == '"' || c == '\\' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't') {
                loc_advance(l, 1);
                return true;
        }
        if (lex_escape_unicode(l, 'u', 4) || lex_escape_unicode(l, 'U', 8))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_basic_unescaped(Loc *l) {
        int c = loc_peek(l, 0);
        if (c < 0 || is_control(c) || c == '"' || c == '\\')
                return false;
        loc_advance(l, 1);
        return true;
}

static bool lex_basic_string(Loc *l) {
        size_t start = l->pos;
        if (!lex_char(l, '"'))
                return false;
        while (lex_basic_unescaped(l) || lex_escaped(l))
                ;
        if (lex_char(l, '"'))
                return true;
        loc_reset(l, start);
        return false;
}

static bool at_str(const Loc *l, const char *s) {
        size_t n = strlen(s);
        return l->pos + n <= l->len && memcmp(l->src + l->pos, s, n) == 0;
}

static bool lex_ml_basic_unescaped(Loc *l) {
        int c = loc_peek(l, 0);
        if (c < 0 || is_control(c) || c == '\\' || at_str(l, "\"\"\""))
                return false;
        loc_advance(l, 1);
        return true;
}

static bool lex_ml_basic_escaped_newline(Loc *l) {
        size_t start = l->pos;
        if (!lex_char(l, '\\'))
                return false;
        lex_ws(l);
        if (!lex_newline(l)) {
                loc_reset(l, start);
                return false;
        }
        while (lex_ws(l) || lex_newline(l))
                ;
        return true;
}

/* """ then, to let one or two quotes end the body, up to two more. */
static bool lex_ml_close(Loc *l, const char *delim, int q) {
        if (!lex_str(l, delim))
                return false;
        lex_char(l, q);
        lex_char(l, q);
        return true;
}

static bool lex_ml_basic_string(Loc *l) {
        size_t start = l->pos;
        if (!lex_str(l, "\"\"\""))
                return false;
        while (lex_ml_basic_unescaped(l) || lex_escaped(l) || lex_newline(l) ||
               lex_ml_basic_escaped_newline(l))
                ;
        if (lex_ml_close(l, "\"\"\"", '"'))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_literal_char(Loc *l) {
        int c = loc_peek(l, 0);
        if (c < 0 || is_control(c) || c == '\'')
                return false;
        loc_advance(l, 1);
        return true;
}

static bool lex_literal_string(Loc *l) {
        size_t start = l->pos;
        if (!lex_char(l, '\''))
                return false;
        while (lex_literal_char(l))
                ;
        if (lex_char(l, '\''))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_ml_literal_char(Loc *l) {
        int c = loc_peek(l, 0);
        if (c < 0 || is_control(c) || at_str(l, "'''"))
                return false;
        loc_advance(l, 1);
        return true;
}

static void lex_ml_literal_body(Loc *l) {
        while (lex_ml_literal_char(l) || lex_newline(l))
                ;
}

static bool lex_ml_literal_string(Loc *l) {
        size_t start = l->pos;
        if (!lex_str(l, "'''"))
                return false;
        lex_ml_literal_body(l);
        if (lex_ml_close(l, "'''", '\''))
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_unquoted_key(Loc *l) {
        size_t start = l->pos;
        for (;;) {
                int c = loc_peek(l, 0);
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_')
                        loc_advance(l, 1);
                else
                        break;
        }
        return l->pos > start;
}

static bool lex_simple_key(Loc *l) {
        return lex_unquoted_key(l) || lex_basic_string(l) || lex_literal_string(l);
}

static bool lex_dot_sep(Loc *l) {
        size_t start = l->pos;
        lex_ws(l);
        if (lex_char(l, '.')) {
                lex_ws(l);
                return true;
        }
        loc_reset(l, start);
        return false;
}

static bool lex_dotted_key(Loc *l) {
        size_t start = l->pos;
        if (!lex_simple_key(l))
                return false;
        size_t n = 0;
        for (;;) {
                size_t save = l->pos;
                if (lex_dot_sep(l) && lex_simple_key(l)) {
                        n++;
                        continue;
                }
                loc_reset(l, save);
                break;
        }
        if (n > 0)
                return true;
        loc_reset(l, start);
        return false;
}

static bool lex_key(Loc *l) {
        return lex_dotted_key(l) || lex_simple_key(l);
}

static bool lex_keyval_sep(Loc *l) {
        size_t start = l->pos;
        lex_ws(l);
        if (lex_char(l, '=')) {
                lex_ws(l);
                return true;
        }
        loc_reset(l, start);
        return false;
}

static bool lex_std_table(Loc *l) {
        size_t start = l->pos;
        if (lex_char(l, '[')) {
                lex_ws(l);
                if (lex_key(l)) {
                        lex_ws(l);
                        if (lex_char(l, ']'))
                                return true;
                }
        }
        loc_reset(l, start);
        return false;
}

static bool lex_array_table(Loc *l) {
        size_t start = l->pos;
        if (lex_str(l, "[[")) {
                lex_ws(l);
                if (lex_key(l)) {
                        lex_ws(l);
                        if (lex_str(l, "]]"))
                                return true;
                }
        }
        loc_reset(l, start);
        return false;
}

/* UTF-8 sequences of 2, 3 or 4 bytes (toml11's lex_utf8_*byte). */
static bool lex_utf8_multi(Loc *l) {
        int c0 = loc_peek(l, 0), c1 = loc_peek(l, 1), c2 = loc_peek(l, 2), c3 = loc_peek(l, 3);
        bool cont1 = c1 >= 0x80 && c1 <= 0xbf, cont2 = c2 >= 0x80 && c2 <= 0xbf,
             cont3 = c3 >= 0x80 && c3 <= 0xbf;

        if (c0 >= 0xc2 && c0 <= 0xdf && cont1) {
                loc_advance(l, 2);
                return true;
        }
        if (((c0 == 0xe0 && c1 >= 0xa0 && c1 <= 0xbf) || (c0 >= 0xe1 && c0 <= 0xec && cont1) ||
             (c0 == 0xed && c1 >= 0x80 && c1 <= 0x9f) || (c0 >= 0xee && c0 <= 0xef && cont1)) &&
            cont2) {
                loc_advance(l, 3);
                return true;
        }
        if (((c0 == 0xf0 && c1 >= 0x90 && c1 <= 0xbf) || (c0 >= 0xf1 && c0 <= 0xf3 && cont1) ||
             (c0 == 0xf4 && c1 >= 0x80 && c1 <= 0x8f)) &&
            cont2 && cont3) {
                loc_advance(l, 4);
                return true;
        }
        return false;
}

static bool lex_comment(Loc *l) {
        if (!lex_char(l, '#'))
                return false;
        for (;;) {
                int c = loc_peek(l, 0);
                if (c == 0x09 || (c >= 0x20 && c <= 0x7e))
                        loc_advance(l, 1);
                else if (!lex_utf8_multi(l))
                        return true;
        }
}

/* (ws? comment? newline) */
static bool lex_line_end(Loc *l) {
        size_t start = l->pos;
        lex_ws(l);
        lex_comment(l);
        if (lex_newline(l))
                return true;
        loc_reset(l, start);
        return false;
}

/* (ws? comment? newline)+ */
static bool lex_skip_lines(Loc *l) {
        if (!lex_line_end(l))
                return false;
        while (lex_line_end(l))
                ;
        return true;
}

/* (wschar | newline | comment)* */
static void lex_ws_comment_newline(Loc *l) {
        while (lex_wschar(l) || lex_newline(l) || lex_comment(l))
                ;
}

/* Offset of the first byte that is not valid UTF-8, or -1. */
static ssize_t check_utf8_validity(const char *s, size_t len) {
        Loc l = loc_new("tmp", s, len);
        while (!loc_end(&l)) {
                int c = loc_peek(&l, 0);
                if (c <= 0x7f)
                        loc_advance(&l, 1);
                else if (!lex_utf8_multi(&l))
                        return (ssize_t) l.pos;
        }
        return -1;
}

/* ------------------------------------------------------------- scalars */

static TomlValue *scalar(const Loc *l, TomlType type, size_t first) {
        return tv_new(type, region_of(l, first, l->pos));
}

/* The token text without underscores, NUL-terminated. */
static char *strip_underscores(const char *s, size_t len) {
        char *out = gc_alloc_atomic(len + 1);
        size_t o = 0;
        for (size_t i = 0; i < len; i++)
                if (s[i] != '_')
                        out[o++] = s[i];
        out[o] = 0;
        return out;
}

static int parse_boolean(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;
        if (lex_boolean(l)) {
                TomlValue *v = scalar(l, TT_BOOLEAN, first);
                v->b = l->src[first] == 't';
                *ret = v;
                return T_OK;
        }
        return fail_at(t, T_ERR, l, "toml::parse_boolean: ", "the next token is not a boolean");
}

static int parse_binary_integer(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;
        if (lex_bin_int(l)) {
                /* Accumulated by hand; wraps like toml11 does. */
                uint64_t x = 0;
                for (size_t i = first + 2; i < l->pos; i++)
                        if (l->src[i] != '_')
                                x = x * 2 + (uint64_t) (l->src[i] - '0');
                TomlValue *v = scalar(l, TT_INTEGER, first);
                v->i = (int64_t) x;
                *ret = v;
                return T_OK;
        }
        return fail_at(t, T_ERR, l, "toml::parse_binary_integer:", "the next token is not an integer");
}

/* istringstream >> int64_t: out-of-range values clamp. */
static int64_t parse_clamped(const char *digits, int base) {
        errno = 0;
        long long x = strtoll(digits, NULL, base);
        return (int64_t) x; /* strtoll already clamps to LLONG_MIN/MAX */
}

static int parse_based_integer(Toml *t, Loc *l, TomlValue **ret, bool (*lex)(Loc *), int base,
                               const char *message) {
        size_t first = l->pos;
        if (lex(l)) {
                char *s = strip_underscores(l->src + first + 2, l->pos - first - 2);
                TomlValue *v = scalar(l, TT_INTEGER, first);
                v->i = parse_clamped(s, base);
                *ret = v;
                return T_OK;
        }
        return fail_at(t, T_ERR, l, message, "the next token is not an integer");
}

static int parse_integer(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;

        if (loc_peek(l, 0) == '0') {
                int second = loc_peek(l, 1);
                if (second < 0) {
                        loc_advance(l, 1);
                        TomlValue *v = scalar(l, TT_INTEGER, first);
                        v->i = 0;
                        *ret = v;
                        return T_OK;
                }
                if (second == 'b')
                        return parse_binary_integer(t, l, ret);
                if (second == 'o')
                        return parse_based_integer(t, l, ret, lex_oct_int, 8, "toml::parse_octal_integer:");
                if (second == 'x')
                        return parse_based_integer(t, l, ret, lex_hex_int, 16, "toml::parse_hexadecimal_integer");
                if (second >= '0' && second <= '9')
                        return fail_at(t, T_ERR, l, "toml::parse_integer: leading zero in an Integer is not allowed.",
                                       "leading zero");
                if ((second >= 'a' && second <= 'z') || (second >= 'A' && second <= 'Z'))
                        return fail_at(t, T_ERR, l, "toml::parse_integer: unknown integer prefix appeared.",
                                       "none of 0x, 0o, 0b");
        }

        if (lex_dec_int(l)) {
                char *s = strip_underscores(l->src + first, l->pos - first);
                TomlValue *v = scalar(l, TT_INTEGER, first);
                v->i = parse_clamped(s, 10);
                *ret = v;
                return T_OK;
        }
        return fail_at(t, T_ERR, l, "toml::parse_integer: ", "the next token is not an integer");
}

static int parse_floating(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;
        if (!lex_float(l))
                return fail_at(t, T_ERR, l, "toml::parse_floating: ", "the next token is not a float");

        const char *s = l->src + first;
        size_t n = l->pos - first;
        double d;
        if ((n == 3 && memcmp(s, "inf", 3) == 0) || (n == 4 && memcmp(s, "+inf", 4) == 0))
                d = INFINITY;
        else if (n == 4 && memcmp(s, "-inf", 4) == 0)
                d = -INFINITY;
        else if ((n == 3 && memcmp(s, "nan", 3) == 0) || (n == 4 && memcmp(s, "+nan", 4) == 0))
                d = NAN;
        else if (n == 4 && memcmp(s, "-nan", 4) == 0)
                d = -NAN;
        else {
                /* istringstream >> double: overflow gives the largest finite
                 * value (libstdc++), underflow whatever strtod gives. */
                d = strtod(strip_underscores(s, n), NULL);
                if (isinf(d))
                        d = d > 0 ? DBL_MAX : -DBL_MAX;
        }
        TomlValue *v = scalar(l, TT_FLOATING, first);
        v->f = d;
        *ret = v;
        return T_OK;
}

static void add_utf8(StrBuf *out, uint32_t cp) {
        if (cp < 0x80)
                strbuf_addc(out, (char) cp);
        else if (cp < 0x800) {
                strbuf_addc(out, (char) (0xc0 | cp >> 6));
                strbuf_addc(out, (char) (0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
                strbuf_addc(out, (char) (0xe0 | cp >> 12));
                strbuf_addc(out, (char) (0x80 | (cp >> 6 & 0x3f)));
                strbuf_addc(out, (char) (0x80 | (cp & 0x3f)));
        } else {
                strbuf_addc(out, (char) (0xf0 | cp >> 18));
                strbuf_addc(out, (char) (0x80 | (cp >> 12 & 0x3f)));
                strbuf_addc(out, (char) (0x80 | (cp >> 6 & 0x3f)));
                strbuf_addc(out, (char) (0x80 | (cp & 0x3f)));
        }
}

/* The \uXXXX or \UXXXXXXXX token [first, l->pos) (starting at u/U). */
static int read_utf8_codepoint(Toml *t, Loc *l, size_t first, StrBuf *out) {
        uint32_t cp = 0;
        for (size_t i = first + 1; i < l->pos; i++) {
                int c = (unsigned char) l->src[i];
                cp = cp * 16 + (uint32_t) (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        if (cp >= 0xd800 && cp <= 0xdfff)
                return fail_at(t, T_THROW, l,
                               "toml::read_utf8_codepoint: codepoints in the range [0xD800, 0xDFFF] are not valid UTF-8.",
                               "not a valid UTF-8 codepoint");
        if (cp >= 0x110000)
                return fail_at(t, T_THROW, l, "toml::read_utf8_codepoint: input codepoint is too large.",
                               "should be in [0x00..0x10FFFF]");
        add_utf8(out, cp);
        return T_OK;
}

static int parse_escape_sequence(Toml *t, Loc *l, StrBuf *out) {
        size_t first = l->pos;
        if (loc_peek(l, 0) != '\\')
                return fail_at(t, T_ERR, l, "toml::parse_escape_sequence: ",
                               "the next token is not a backslash \"\\\"");
        loc_advance(l, 1);
        int c = loc_peek(l, 0);
        const char *simple = NULL;
        switch (c) {
        case '\\': simple = "\\"; break;
        case '"': simple = "\""; break;
        case 'b': simple = "\b"; break;
        case 't': simple = "\t"; break;
        case 'n': simple = "\n"; break;
        case 'f': simple = "\f"; break;
        case 'r': simple = "\r"; break;
        case 'u':
        case 'U': {
                size_t start = l->pos;
                if (lex_escape_unicode(l, c, c == 'u' ? 4 : 8))
                        return read_utf8_codepoint(t, l, start, out);
                return fail_at(t, T_ERR, l,
                               c == 'u' ? "parse_escape_sequence: invalid token found in UTF-8 codepoint uXXXX."
                                        : "parse_escape_sequence: invalid token found in UTF-8 codepoint Uxxxxxxxx",
                               "here");
        }
        }
        if (simple) {
                loc_advance(l, 1);
                strbuf_adds(out, simple);
                return T_OK;
        }

        Note n = { srcloc_of_loc(l),
                   "escape sequence is one of \\, \", b, t, n, f, r, uxxxx, Uxxxxxxxx" };
        const char *hint = "if you want to write backslash as just one backslash, "
                           "use literal string like: regex    = '<\\i\\c*\\s*>'";
        format_underline(&t->err, "parse_escape_sequence: unknown escape sequence appeared.", &n, 1, &hint, 1);
        loc_reset(l, first);
        return T_ERR;
}

/* Throws when the token has bytes that are not UTF-8. For literal strings
 * toml11 positions the message with an iterator from the wrong buffer, and
 * what Nix 2.8 reports is the std::length_error that follows. */
static int check_token_utf8(Toml *t, Loc *l, size_t first, bool literal) {
        ssize_t bad = check_utf8_validity(l->src + first, l->pos - first);
        if (bad < 0)
                return T_OK;
        if (literal) {
                strbuf_reset(&t->err);
                strbuf_adds(&t->err, "basic_string::_M_create");
                return T_THROW;
        }
        Loc at = *l;
        loc_reset(&at, first + (size_t) bad);
        return fail_at(t, T_THROW, &at, "parse_ml_basic_string: invalid utf8 sequence found", "here");
}

static TomlValue *string_value(const Loc *l, size_t first, StrBuf *sb) {
        TomlValue *v = scalar(l, TT_STRING, first);
        v->str.s = gc_strndup(sb->buf, sb->len);
        v->str.len = sb->len;
        return v;
}

static int parse_ml_basic_string(Toml *t, Loc *l, TomlValue **ret) {
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        size_t first = l->pos;
        int r;

        if (!lex_ml_basic_string(l))
                return fail_at(t, T_ERR, l, "toml::parse_ml_basic_string: the next token is not a valid multiline string",
                               "here");

        size_t end = l->pos;
        Loc in = *l;
        loc_reset(&in, first);
        loc_advance(&in, 3);
        lex_newline(&in); /* a newline right after the delimiter is dropped */

        for (;;) {
                size_t s = in.pos;
                while (lex_ml_basic_unescaped(&in) || lex_newline(&in))
                        ;
                strbuf_add(&sb, in.src + s, in.pos - s);
                r = parse_escape_sequence(t, &in, &sb);
                if (r == T_THROW)
                        return r;
                lex_ml_basic_escaped_newline(&in);
                if (in.pos >= end)
                        return fail_at(t, T_THROW, &in, "parse_ml_basic_string: unexpected end of region",
                                       "not sufficient token");
                s = in.pos;
                if (lex_ml_close(&in, "\"\"\"", '"')) {
                        /* 4 or 5 quotes: the extra ones end the body. */
                        strbuf_add(&sb, "\"\"", in.pos - s - 3);
                        break;
                }
        }

        r = check_token_utf8(t, l, first, false);
        if (r < 0)
                return r;
        *ret = string_value(l, first, &sb);
        return T_OK;
}

static int parse_basic_string(Toml *t, Loc *l, TomlValue **ret) {
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        size_t first = l->pos;
        int r;

        if (!lex_basic_string(l))
                return fail_at(t, T_ERR, l, "toml::parse_basic_string: the next token is not a valid string", "here");

        size_t end = l->pos;
        Loc in = *l;
        loc_reset(&in, first + 1);
        for (;;) {
                size_t s = in.pos;
                while (lex_basic_unescaped(&in))
                        ;
                strbuf_add(&sb, in.src + s, in.pos - s);
                r = parse_escape_sequence(t, &in, &sb);
                if (r == T_THROW)
                        return r;
                if (in.pos >= end)
                        return fail_at(t, T_THROW, &in, "parse_basic_string: unexpected end of region",
                                       "not sufficient token");
                if (lex_char(&in, '"'))
                        break;
        }

        r = check_token_utf8(t, l, first, false);
        if (r < 0)
                return r;
        *ret = string_value(l, first, &sb);
        return T_OK;
}

static int parse_ml_literal_string(Toml *t, Loc *l, TomlValue **ret) {
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        size_t first = l->pos;
        int r;

        if (!lex_ml_literal_string(l))
                return fail_at(t, T_ERR, l,
                               "toml::parse_ml_literal_string: the next token is not a valid multiline literal string",
                               "here");

        Loc in = loc_new(l->name, l->src + first, l->pos - first);
        loc_advance(&in, 3);
        lex_newline(&in);
        size_t s = in.pos;
        lex_ml_literal_body(&in);
        strbuf_add(&sb, in.src + s, in.pos - s);
        s = in.pos;
        lex_ml_close(&in, "'''", '\'');
        strbuf_add(&sb, "''", in.pos - s - 3);

        r = check_token_utf8(t, l, first, true);
        if (r < 0)
                return r;
        *ret = string_value(l, first, &sb);
        return T_OK;
}

static int parse_literal_string(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;
        int r;

        if (!lex_literal_string(l))
                return fail_at(t, T_ERR, l, "toml::parse_literal_string: the next token is not a valid literal string",
                               "here");
        r = check_token_utf8(t, l, first, true);
        if (r < 0)
                return r;
        TomlValue *v = scalar(l, TT_STRING, first);
        v->str.len = l->pos - first - 2;
        v->str.s = gc_strndup(l->src + first + 1, v->str.len);
        *ret = v;
        return T_OK;
}

static int parse_string(Toml *t, Loc *l, TomlValue **ret) {
        if (loc_peek(l, 0) == '"')
                return at_str(l, "\"\"\"") ? parse_ml_basic_string(t, l, ret) : parse_basic_string(t, l, ret);
        if (loc_peek(l, 0) == '\'')
                return at_str(l, "'''") ? parse_ml_literal_string(t, l, ret) : parse_literal_string(t, l, ret);
        return fail_at(t, T_ERR, l, "toml::parse_string: ", "the next token is not a string");
}

/* ---------------------------------------------------------- date, time */

static int digits_value(const char *s, size_t n) {
        int x = 0;
        for (size_t i = 0; i < n; i++)
                x = x * 10 + (s[i] - '0');
        return x;
}

/* Checks a date token [first, l->pos): YYYY-MM-DD. */
static int check_date(Toml *t, Loc *l, size_t first) {
        const char *s = l->src + first;
        int year = digits_value(s, 4), month = digits_value(s + 5, 2), day = digits_value(s + 8, 2);
        bool leap = (year % 4 == 0) && ((year % 100 != 0) || (year % 400 == 0));
        int max_day = month == 2 ? (leap ? 29 : 28)
                                 : ((month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31);
        if (month < 1 || month > 12 || day < 1 || day > max_day)
                return fail_at(t, T_THROW, l, "toml::parse_date: invalid date: it does not conform RFC3339.",
                               "month should be 01-12, day should be 01-28,29,30,31, depending on month/year.");
        return T_OK;
}

static int parse_local_date(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;
        if (!lex_full_date(l))
                return fail_at(t, T_ERR, l, "toml::parse_local_date: ", "the next token is not a local_date");
        int r = check_date(t, l, first);
        if (r < 0)
                return r;
        if (ret)
                *ret = scalar(l, TT_LOCAL_DATE, first);
        return T_OK;
}

static int parse_local_time(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;
        if (!lex_partial_time(l))
                return fail_at(t, T_ERR, l, "toml::parse_local_time: ", "the next token is not a local_time");
        const char *s = l->src + first;
        int hour = digits_value(s, 2), minute = digits_value(s + 3, 2), second = digits_value(s + 6, 2);
        if (hour > 23 || minute > 59 || second > 60)
                return fail_at(t, T_THROW, l, "toml::parse_time: invalid time: it does not conform RFC3339.",
                               "hour should be 00-23, minute should be 00-59, second should be 00-60 "
                               "(depending on the leap second rules.)");
        if (ret)
                *ret = scalar(l, TT_LOCAL_TIME, first);
        return T_OK;
}

/* Date, delimiter and time of a datetime token, checked inside an inner
 * location over the token as toml11 does (its messages show the token). */
static int check_local_datetime(Toml *t, Loc *in) {
        int r = parse_local_date(t, in, NULL);
        if (r < 0)
                return r;
        loc_advance(in, 1); /* T, t or space */
        return parse_local_time(t, in, NULL);
}

static int parse_local_datetime(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;
        if (!lex_local_date_time(l))
                return fail_at(t, T_ERR, l, "toml::parse_local_datetime: ", "the next token is not a local_datetime");
        Loc in = loc_new(l->name, l->src + first, l->pos - first);
        int r = check_local_datetime(t, &in);
        if (r < 0)
                return r;
        *ret = scalar(l, TT_LOCAL_DATETIME, first);
        return T_OK;
}

static int parse_offset_datetime(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;
        if (!lex_offset_date_time(l))
                return fail_at(t, T_ERR, l, "toml::parse_offset_datetime: ",
                               "the next token is not a offset_datetime");

        /* The local datetime part, in an inner location over the token. */
        Loc in = loc_new(l->name, l->src + first, l->pos - first);
        size_t dt_start = in.pos;
        lex_local_date_time(&in);
        Loc in2 = loc_new(l->name, in.src + dt_start, in.pos - dt_start);
        int r = check_local_datetime(t, &in2);
        if (r < 0)
                return r;

        int c = loc_peek(&in, 0);
        if (c == '+' || c == '-') {
                const char *s = in.src + in.pos;
                int hour = digits_value(s + 1, 2), minute = digits_value(s + 4, 2);
                if (hour > 23 || minute > 59)
                        return fail_at(t, T_THROW, l,
                                       "toml::parse_offset_datetime: invalid offset: it does not conform RFC3339.",
                                       "month should be 01-12, day should be 01-28,29,30,31, depending on month/year.");
        }
        *ret = scalar(l, TT_OFFSET_DATETIME, first);
        return T_OK;
}

/* ----------------------------------------------------------------- keys */

static int parse_simple_key(Toml *t, Loc *l, TomlKey *ret) {
        TomlValue *s;
        int r;

        r = parse_basic_string(t, l, &s);
        if (r == T_THROW)
                return r;
        if (r == T_OK) {
                *ret = s->str;
                return T_OK;
        }
        r = parse_literal_string(t, l, &s);
        if (r == T_THROW)
                return r;
        if (r == T_OK) {
                *ret = s->str;
                return T_OK;
        }
        size_t first = l->pos;
        if (lex_unquoted_key(l)) {
                *ret = (TomlKey) { gc_strndup(l->src + first, l->pos - first), l->pos - first };
                return T_OK;
        }
        return fail_at(t, T_ERR, l, "toml::parse_simple_key: ", "the next token is not a simple key");
}

static int parse_key(Toml *t, Loc *l, KeyList *ret, Region *ret_reg) {
        size_t first = l->pos;
        TomlKey k;
        int r;

        *ret = (KeyList) {};
        if (lex_dotted_key(l)) {
                Loc in = loc_new(l->name, l->src + first, l->pos - first);
                while (!loc_end(&in)) {
                        lex_ws(&in);
                        r = parse_simple_key(t, &in, &k);
                        if (r == T_THROW)
                                return r;
                        if (r == T_ERR)
                                return fail_at(t, T_THROW, &in, "toml::detail::parse_key: dotted key contains invalid key",
                                               "invalid key");
                        keys_push(ret, k);
                        lex_ws(&in);
                        if (loc_end(&in))
                                break;
                        if (loc_peek(&in, 0) != '.')
                                return fail_at(t, T_THROW, &in, "toml::parse_key: dotted key contains invalid key ",
                                               "should be `.`");
                        loc_advance(&in, 1);
                }
                *ret_reg = region_of(l, first, l->pos);
                return T_OK;
        }

        r = parse_simple_key(t, l, &k);
        if (r == T_THROW)
                return r;
        if (r == T_OK) {
                keys_push(ret, k);
                *ret_reg = region_of(l, first, l->pos);
                return T_OK;
        }

        Note n = { srcloc_of_loc(l), "is not a valid key" };
        const char *hints[] = {
                "bare keys  : non-empty strings composed only of [A-Za-z0-9_-].",
                "quoted keys: same as \"basic strings\" or 'literal strings'.",
                "dotted keys: sequence of bare or quoted keys joined with a dot.",
        };
        format_underline(&t->err, "toml::parse_key: an invalid key appeared.", &n, 1, hints, 3);
        return T_ERR;
}

/* --------------------------------------------------------------- values */

static int parse_value(Toml *t, Loc *l, TomlValue **ret);
static int parse_inline_table(Toml *t, Loc *l, TomlValue **ret);
static int parse_table_key(Toml *t, Loc *l, KeyList *ret, Region *ret_reg);

static int parse_array(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;
        int r;

        if (loc_end(l)) {
                strbuf_reset(&t->err);
                strbuf_adds(&t->err, "toml::parse_array: input is empty");
                return T_ERR;
        }
        if (loc_peek(l, 0) != '[') {
                strbuf_reset(&t->err);
                strbuf_adds(&t->err, "toml::parse_array: token is not an array");
                return T_ERR;
        }
        loc_advance(l, 1);

        TomlValue *arr = tv_new(TT_ARRAY, region_of(l, first, first));
        while (!loc_end(l)) {
                lex_ws_comment_newline(l);
                if (loc_peek(l, 0) == ']') {
                        loc_advance(l, 1);
                        arr->reg.last = l->pos;
                        *ret = arr;
                        return T_OK;
                }

                TomlValue *v;
                r = parse_value(t, l, &v);
                if (r == T_THROW)
                        return r;
                if (r == T_ERR) {
                        Loc start = *l;
                        loc_reset(&start, first);
                        Note n[2] = {
                                { srcloc_of_loc(&start), "array starts here" },
                                { srcloc_of_loc(l), "it is not a valid value." },
                        };
                        format_underline(&t->err, "toml::parse_array: value having invalid format appeared in an array",
                                         n, 2, NULL, 0);
                        return T_THROW;
                }
                array_push(&arr->arr, v);

                /* separator: (ws | newline | comment)* ',' */
                size_t save = l->pos;
                lex_ws_comment_newline(l);
                if (!lex_char(l, ',')) {
                        loc_reset(l, save);
                        lex_ws_comment_newline(l);
                        if (loc_peek(l, 0) == ']') {
                                loc_advance(l, 1);
                                arr->reg.last = l->pos;
                                *ret = arr;
                                return T_OK;
                        }
                        Loc start = *l;
                        loc_reset(&start, first);
                        Note n[2] = {
                                { srcloc_of_loc(&start), "array starts here" },
                                { srcloc_of_loc(l), "should be `,`" },
                        };
                        format_underline(&t->err, "toml::parse_array: missing array separator `,` after a value",
                                         n, 2, NULL, 0);
                        return T_THROW;
                }
        }
        loc_reset(l, first);
        return fail_at(t, T_THROW, l, "toml::parse_array: array did not closed by `]`", "should be closed");
}

typedef struct KeyValue {
        KeyList keys;
        Region key_reg;
        TomlValue *value;
} KeyValue;

static int parse_key_value_pair(Toml *t, Loc *l, KeyValue *ret) {
        size_t first = l->pos;
        int r;

        r = parse_key(t, l, &ret->keys, &ret->key_reg);
        if (r == T_THROW)
                return r;
        if (r == T_ERR) {
                /* A '=' right here: the key is missing, not malformed. */
                if (lex_keyval_sep(l)) {
                        loc_reset(l, first);
                        return fail_at(t, T_ERR, l, "toml::parse_key_value_pair: empty key is not allowed.",
                                       "key expected before '='");
                }
                return T_ERR;
        }

        if (!lex_keyval_sep(l)) {
                size_t line_end = line_end_of(l->src, l->len, l->pos);
                if (memchr(l->src + l->pos, '=', line_end - l->pos)) {
                        Note n = { srcloc_of_loc(l), "invalid character in key" };
                        const char *hints[] = {
                                "Did you forget '.' to separate dotted-key?",
                                "Allowed characters for bare key are [0-9a-zA-Z_-].",
                        };
                        format_underline(&t->err, "toml::parse_key_value_pair: invalid format for key", &n, 1, hints, 2);
                } else
                        fail_at(t, T_ERR, l, "toml::parse_key_value_pair: missing key-value separator `=`",
                                "should be `=`");
                loc_reset(l, first);
                return T_ERR;
        }

        size_t after_sep = l->pos;
        r = parse_value(t, l, &ret->value);
        if (r == T_THROW)
                return r;
        if (r == T_ERR) {
                loc_reset(l, after_sep);
                if (lex_line_end(l)) {
                        loc_reset(l, after_sep);
                        fail_at(t, T_ERR, l, "toml::parse_key_value_pair: missing value after key-value separator '='",
                                "expected value, but got nothing");
                }
                loc_reset(l, first);
                return T_ERR;
        }
        return T_OK;
}

static char *format_dotted_keys(const KeyList *kl, size_t n) {
        StrBuf sb = STRBUF_INIT;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strbuf_addc(&sb, '.');
                strbuf_add(&sb, kl->keys[i].s, kl->keys[i].len);
        }
        char *s = gc_strndup(sb.buf, sb.len);
        strbuf_release(&sb);
        return s;
}

static bool keys_equal(const KeyList *a, const TomlKey *b, size_t n) {
        if (a->n != n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!key_eq(a->keys[i], b[i]))
                        return false;
        return true;
}

/* toml11 decides whether a table may be (re)defined by parsing the source
 * text of the existing definition again. */
static int is_valid_forward_table_definition(Toml *t, const TomlValue *fwd, const TomlValue *inserting,
                                             const KeyList *keys, size_t curr, bool *ret) {
        size_t len;
        TomlValue *ignored;
        KeyList kl;
        Region reg;
        int r;

        char *ins = region_str(&inserting->reg, &len);
        Loc def = loc_new("internal", ins, len);
        r = parse_inline_table(t, &def, &ignored);
        if (r == T_THROW)
                return r;
        if (r == T_OK) {
                *ret = false;
                return T_OK;
        }

        char *existing = region_str(&fwd->reg, &len);
        def = loc_new("internal", existing, len);
        r = parse_table_key(t, &def, &kl, &reg);
        if (r == T_THROW)
                return r;
        if (r == T_OK) {
                *ret = !keys_equal(&kl, keys->keys, keys->n);
                return T_OK;
        }
        r = parse_key(t, &def, &kl, &reg);
        if (r == T_THROW)
                return r;
        if (r == T_OK) {
                *ret = !keys_equal(&kl, keys->keys + curr, keys->n - curr);
                return T_OK;
        }
        *ret = false;
        return T_OK;
}

static int insert_nested_key(Toml *t, TomlTable *root, TomlValue *v, const KeyList *keys, Region key_reg,
                             bool is_array_of_table) {
        _cleanup_strbuf_ StrBuf msg = STRBUF_INIT;
        TomlTable *tab = root;
        int r;

        for (size_t i = 0; i < keys->n; i++) {
                TomlKey k = keys->keys[i];
                TomlValue **slot = table_find(tab, k);

                if (i + 1 == keys->n) {
                        if (is_array_of_table) {
                                if (!slot) {
                                        TomlValue *aot = tv_new(TT_ARRAY, key_reg);
                                        array_push(&aot->arr, v);
                                        table_insert(tab, k, aot);
                                        return T_OK;
                                }
                                TomlValue *e = *slot;
                                const char *path = format_dotted_keys(keys, keys->n);
                                if (e->type == TT_TABLE) {
                                        strbuf_addf(&msg, "toml::insert_value: array of table (\"%s\") cannot be defined", path);
                                        return fail_regions(t, msg.buf, &e->reg, "table already defined", &v->reg,
                                                            "this conflicts with the previous table");
                                }
                                if (e->type != TT_ARRAY || e->arr.n == 0 || e->arr.elems[0]->type != TT_TABLE) {
                                        char comment[64];
                                        snprintf(comment, sizeof comment, "this %s value already exists",
                                                 toml_type_name(e->type));
                                        strbuf_addf(&msg, "toml::insert_value: array of table (\"%s\") collides with existing value", path);
                                        return fail_regions(t, msg.buf, &e->reg, comment, &v->reg,
                                                            "while inserting this array-of-tables");
                                }
                                /* An array of inline tables has a fixed size. */
                                const Region *fr = &e->arr.elems[0]->reg;
                                if (!(fr->last - fr->first >= 2 && memcmp(fr->src + fr->first, "[[", 2) == 0)) {
                                        char comment[64];
                                        snprintf(comment, sizeof comment, "this %s value has static size",
                                                 toml_type_name(e->type));
                                        strbuf_addf(&msg, "toml::insert_value: array of table (\"%s\") collides with existing array-of-tables", path);
                                        return fail_regions(t, msg.buf, &e->reg, comment, &v->reg,
                                                            "appending it to the statically sized array");
                                }
                                array_push(&e->arr, v);
                                return T_OK;
                        }

                        if (!slot) {
                                table_insert(tab, k, v);
                                return T_OK;
                        }
                        TomlValue *e = *slot;
                        const char *path = format_dotted_keys(keys, keys->n);
                        if (e->type == TT_TABLE && v->type == TT_TABLE) {
                                bool ok;
                                r = is_valid_forward_table_definition(t, e, v, keys, i, &ok);
                                if (r < 0)
                                        return r;
                                if (!ok) {
                                        strbuf_addf(&msg, "toml::insert_value: table (\"%s\") already exists.", path);
                                        return fail_regions(t, msg.buf, &e->reg, "table already exists here", &v->reg,
                                                            "table defined twice");
                                }
                                for (size_t j = 0; j < v->tab.n; j++) {
                                        TomlValue **old = table_find(&e->tab, v->tab.keys[j]);
                                        if (old) {
                                                strbuf_addf(&msg, "toml::insert_value: value (\"%s\") already exists.", path);
                                                return fail_regions(t, msg.buf, &(*old)->reg, "already exists here",
                                                                    &v->reg, "this defined twice");
                                        }
                                        table_insert(&e->tab, v->tab.keys[j], v->tab.values[j]);
                                }
                                e->reg = key_reg;
                                return T_OK;
                        }
                        if (v->type == TT_TABLE && e->type == TT_ARRAY && e->arr.n > 0 &&
                            e->arr.elems[0]->type == TT_TABLE) {
                                strbuf_addf(&msg, "toml::insert_value: array of tables (\"%s\") already exists.", path);
                                return fail_regions(t, msg.buf, &e->reg, "array of tables defined here", &v->reg,
                                                    "table conflicts with the previous array of table");
                        }
                        strbuf_addf(&msg, "toml::insert_value: value (\"%s\") already exists.", path);
                        return fail_regions(t, msg.buf, &e->reg, "value already exists here", &v->reg,
                                            "value defined twice");
                }

                /* Not the last key: descend, creating tables as needed. */
                if (!slot) {
                        table_insert(tab, k, tv_new(TT_TABLE, key_reg));
                        slot = table_find(tab, k);
                }
                TomlValue *e = *slot;
                const char *path = NULL;
                if (e->type == TT_TABLE) {
                        if (e->reg.last > e->reg.first && e->reg.src[e->reg.first] == '{') {
                                path = format_dotted_keys(keys, i + 1);
                                strbuf_addf(&msg, "toml::insert_value: inserting to an inline table (%s) but inline tables are immutable", path);
                                return fail_regions(t, msg.buf, &e->reg, "inline tables are immutable", &v->reg,
                                                    "inserting this");
                        }
                        tab = &e->tab;
                } else if (e->type == TT_ARRAY) {
                        TomlValue *back = e->arr.n ? e->arr.elems[e->arr.n - 1] : NULL;
                        if (!back || back->type != TT_TABLE) {
                                /* toml11 reads back() of an empty array here
                                 * (undefined); we report it as not a table. */
                                char comment[64];
                                snprintf(comment, sizeof comment, "actual type is %s",
                                         toml_type_name(back ? back->type : TT_EMPTY));
                                path = format_dotted_keys(keys, i + 1);
                                strbuf_addf(&msg, "toml::insert_value: target (%s) is neither table nor an array of tables", path);
                                return fail_regions(t, msg.buf, back ? &back->reg : &e->reg, comment, &v->reg,
                                                    "inserting this");
                        }
                        tab = &back->tab;
                } else {
                        char comment[64];
                        snprintf(comment, sizeof comment, "actual type is %s", toml_type_name(e->type));
                        path = format_dotted_keys(keys, i + 1);
                        strbuf_addf(&msg, "toml::insert_value: target (%s) is neither table nor an array of tables", path);
                        return fail_regions(t, msg.buf, &e->reg, comment, &v->reg, "inserting this");
                }
        }
        return T_OK;
}

static int parse_inline_table(Toml *t, Loc *l, TomlValue **ret) {
        size_t first = l->pos;
        int r;

        if (loc_peek(l, 0) != '{')
                return fail_at(t, T_ERR, l, "toml::parse_inline_table: ", "the next token is not an inline table");
        loc_advance(l, 1);

        TomlValue *tab = tv_new(TT_TABLE, region_of(l, first, first));
        lex_ws(l);
        if (loc_peek(l, 0) == '}') {
                loc_advance(l, 1);
                tab->reg.last = l->pos;
                *ret = tab;
                return T_OK;
        }

        while (!loc_end(l)) {
                KeyValue kv;
                r = parse_key_value_pair(t, l, &kv);
                if (r < 0)
                        return r;
                r = insert_nested_key(t, &tab->tab, kv.value, &kv.keys, kv.key_reg, false);
                if (r < 0)
                        return r;

                size_t save = l->pos;
                lex_ws(l);
                if (!lex_char(l, ',')) {
                        loc_reset(l, save);
                        lex_ws(l);
                        int c = loc_peek(l, 0);
                        if (c < 0)
                                return fail_at(t, T_THROW, l, "toml::parse_inline_table: missing table separator `}` ",
                                               "should be `}`");
                        if (c == '}') {
                                loc_advance(l, 1);
                                tab->reg.last = l->pos;
                                *ret = tab;
                                return T_OK;
                        }
                        if (c == '#' || c == '\r' || c == '\n')
                                return fail_at(t, T_THROW, l, "toml::parse_inline_table: missing curly brace `}`",
                                               "should be `}`");
                        return fail_at(t, T_THROW, l, "toml::parse_inline_table: missing table separator `,` ",
                                       "should be `,`");
                }
                lex_ws(l);
                if (loc_peek(l, 0) == '}')
                        return fail_at(t, T_THROW, l,
                                       "toml::parse_inline_table: trailing comma is not allowed in an inline table",
                                       "should be `}`");
        }
        loc_reset(l, first);
        return fail_at(t, T_THROW, l, "toml::parse_inline_table: inline table did not closed by `}`",
                       "should be closed");
}

static const char *const hints_float[] = {
        "pass: +1.0, -2e-2, 3.141_592_653_589, inf, nan",
        "fail: .0, 1., _1.0, 1.0_, 1_.0, 1.0__0",
};
static const char *const hints_int[] = {
        "pass: -42, 1_000, 1_2_3_4_5, 0xC0FFEE, 0b0010, 0o755",
        "fail: 1__000, 0123",
};

/* toml11's guess_number_type: which kind of value starts here, with its
 * diagnostics for common mistakes. */
static int guess_number_type(Toml *t, const Loc *at, TomlType *ret) {
        Loc l = *at;

        if (lex_offset_date_time(&l)) {
                *ret = TT_OFFSET_DATETIME;
                return T_OK;
        }
        if (lex_local_date_time(&l)) {
                int c = loc_peek(&l, 0);
                if (c == '+' || c == '-' || c == 'Z' || c == 'z')
                        return fail_hints(t, &l, "bad offset: should be [+-]HH:MM or Z", "[+-]HH:MM or Z",
                                          "pass: +09:00, -05:30", "fail: +9:00, -5:30");
                *ret = TT_LOCAL_DATETIME;
                return T_OK;
        }
        if (lex_full_date(&l)) {
                int c = loc_peek(&l, 0);
                if (c == 'T' || c == 't')
                        return fail_hints(t, &l, "bad time: should be HH:MM:SS.subsec", "HH:MM:SS.subsec",
                                          "pass: 1979-05-27T07:32:00, 1979-05-27 07:32:00.999999",
                                          "fail: 1979-05-27T7:32:00, 1979-05-27 17:32");
                if (c >= '0' && c <= '9')
                        return fail_hints(t, &l, "bad time: missing T", "T or space required here",
                                          "pass: 1979-05-27T07:32:00, 1979-05-27 07:32:00.999999",
                                          "fail: 1979-05-27T7:32:00, 1979-05-27 7:32");
                int c1 = loc_peek(&l, 1);
                if (c == ' ' && c1 >= '0' && c1 <= '9') {
                        loc_advance(&l, 1);
                        return fail_hints(t, &l, "bad time: should be HH:MM:SS.subsec", "HH:MM:SS.subsec",
                                          "pass: 1979-05-27T07:32:00, 1979-05-27 07:32:00.999999",
                                          "fail: 1979-05-27T7:32:00, 1979-05-27 7:32");
                }
                *ret = TT_LOCAL_DATE;
                return T_OK;
        }
        if (lex_partial_time(&l)) {
                *ret = TT_LOCAL_TIME;
                return T_OK;
        }
        if (lex_float(&l)) {
                if (loc_peek(&l, 0) == '_')
                        return fail_hints(t, &l, "bad float: `_` should be surrounded by digits", "here",
                                          hints_float[0], hints_float[1]);
                *ret = TT_FLOATING;
                return T_OK;
        }
        if (lex_integer(&l)) {
                int c = loc_peek(&l, 0);
                if (c == '_')
                        return fail_hints(t, &l, "bad integer: `_` should be surrounded by digits", "here",
                                          hints_int[0], hints_int[1]);
                if (c >= '0' && c <= '9') {
                        loc_reset(&l, l.pos - 1);
                        return fail_hints(t, &l, "bad integer: leading zero", "here", hints_int[0], hints_int[1]);
                }
                if (c == ':' || c == '-')
                        return fail_hints(t, &l, "bad datetime: invalid format", "here",
                                          "pass: 1979-05-27T07:32:00-07:00, 1979-05-27 07:32:00.999999Z",
                                          "fail: 1979-05-27T7:32:00-7:00, 1979-05-27 7:32-00:30");
                if (c == '.' || c == 'e' || c == 'E')
                        return fail_hints(t, &l, "bad float: invalid format", "here", hints_float[0], hints_float[1]);
                *ret = TT_INTEGER;
                return T_OK;
        }
        if (loc_peek(&l, 0) == '.')
                return fail_hints(t, &l, "bad float: invalid format", "integer part required before this",
                                  hints_float[0], hints_float[1]);
        if (loc_peek(&l, 0) == '_')
                return fail_hints(t, &l, "bad number: `_` should be surrounded by digits",
                                  "`_` is not surrounded by digits", hints_int[0], hints_int[1]);
        return fail_at(t, T_ERR, &l, "bad format: unknown value appeared", "here");
}

static int parse_value(Toml *t, Loc *l, TomlValue **ret) {
        TomlType type = TT_EMPTY;
        int r;

        if (loc_end(l))
                return fail_at(t, T_ERR, l, "toml::parse_value: input is empty", "");

        switch (loc_peek(l, 0)) {
        case '"':
        case '\'':
                return parse_string(t, l, ret);
        case 't':
        case 'f':
                return parse_boolean(t, l, ret);
        case '[':
        case '{':
                if (++t->depth > TOML_MAX_DEPTH) {
                        t->depth--;
                        return fail_at(t, T_THROW, l, "toml::parse_value: too deeply nested", "here");
                }
                r = loc_peek(l, 0) == '[' ? parse_array(t, l, ret) : parse_inline_table(t, l, ret);
                t->depth--;
                return r;
        case 'i':
        case 'n':
                return parse_floating(t, l, ret);
        }

        r = guess_number_type(t, l, &type);
        if (r < 0)
                return r;
        switch (type) {
        case TT_INTEGER: return parse_integer(t, l, ret);
        case TT_FLOATING: return parse_floating(t, l, ret);
        case TT_OFFSET_DATETIME: return parse_offset_datetime(t, l, ret);
        case TT_LOCAL_DATETIME: return parse_local_datetime(t, l, ret);
        case TT_LOCAL_DATE: return parse_local_date(t, l, ret);
        case TT_LOCAL_TIME: return parse_local_time(t, l, ret);
        default:
                return fail_at(t, T_ERR, l, "toml::parse_value: unknown token appeared", "unknown");
        }
}

/* [key] or [[key]], with the keys parsed in an inner location; then a
 * newline (or the end) must follow. */
static int parse_any_table_key(Toml *t, Loc *l, KeyList *ret, Region *ret_reg, bool array) {
        size_t first = l->pos;
        Region reg;
        int r;

        if (!(array ? lex_array_table(l) : lex_std_table(l)))
                return fail_at(t, T_ERR, l,
                               array ? "toml::parse_array_table_key: not a valid table key"
                                     : "toml::parse_table_key: not a valid table key",
                               "here");

        Loc in = loc_new(l->name, l->src + first, l->pos - first);
        loc_advance(&in, array ? 2 : 1);
        lex_ws(&in);
        r = parse_key(t, &in, ret, &reg);
        if (r < 0)
                return T_THROW;

        if (!loc_end(l) && !lex_line_end(l))
                return fail_at(t, T_THROW, l,
                               array ? "toml::parse_array_table_key: newline required after [[table.key]]"
                                     : "toml::parse_table_key: newline required after [table.key]",
                               "expected newline");
        *ret_reg = region_of(l, first, first + in.len);
        return T_OK;
}

static int parse_table_key(Toml *t, Loc *l, KeyList *ret, Region *ret_reg) {
        return parse_any_table_key(t, l, ret, ret_reg, false);
}

static int parse_array_table_key(Toml *t, Loc *l, KeyList *ret, Region *ret_reg) {
        return parse_any_table_key(t, l, ret, ret_reg, true);
}

/* Key-value lines until the next [table] header or the end. */
static int parse_ml_table(Toml *t, Loc *l, TomlTable *ret) {
        KeyList kl;
        Region reg;
        int r;

        *ret = (TomlTable) {};
        if (loc_end(l))
                return T_OK;

        lex_skip_lines(l);
        lex_ws(l);
        while (!loc_end(l)) {
                lex_ws(l);
                size_t before = l->pos;
                r = parse_array_table_key(t, l, &kl, &reg);
                if (r == T_THROW)
                        return r;
                if (r == T_OK) {
                        loc_reset(l, before);
                        return T_OK;
                }
                r = parse_table_key(t, l, &kl, &reg);
                if (r == T_THROW)
                        return r;
                if (r == T_OK) {
                        loc_reset(l, before);
                        return T_OK;
                }

                KeyValue kv;
                r = parse_key_value_pair(t, l, &kv);
                if (r < 0)
                        return r;
                r = insert_nested_key(t, ret, kv.value, &kv.keys, kv.key_reg, false);
                if (r < 0)
                        return r;

                lex_ws(l);
                lex_comment(l);
                if (!lex_skip_lines(l) && !loc_end(l)) {
                        size_t before2 = l->pos;
                        lex_ws(l);
                        unsigned char c = (unsigned char) l->src[l->pos];
                        char comment[64];
                        if (c > 0x20 && c < 0x7f)
                                snprintf(comment, sizeof comment, "expected newline, but got '%c'.", c);
                        else
                                snprintf(comment, sizeof comment, "expected newline, but got '0x%02x'.", c);
                        fail_at(t, T_ERR, l, "toml::parse_table: invalid line format", comment);
                        loc_reset(l, before2);
                        return T_ERR;
                }
                lex_ws(l);
                lex_comment(l);
        }
        return T_OK;
}

static int parse_toml_file(Toml *t, Loc *l, TomlValue **ret) {
        TomlValue *root = tv_new(TT_TABLE, region_of(l, l->pos, l->pos));
        KeyList kl;
        Region reg;
        int r;

        *ret = root;
        if (loc_end(l))
                return T_OK;

        /* A leading block of comments ended by an empty line (the file's
         * own comments for toml11) is skipped. */
        size_t start = l->pos;
        size_t n_comment_lines = 0;
        for (;;) {
                size_t save = l->pos;
                lex_ws(l);
                if (lex_comment(l) && lex_newline(l)) {
                        n_comment_lines++;
                        continue;
                }
                loc_reset(l, save);
                break;
        }
        if (n_comment_lines > 0) {
                size_t save = l->pos;
                lex_ws(l);
                if (!lex_newline(l)) {
                        loc_reset(l, save);
                        loc_reset(l, start);
                }
        }

        r = parse_ml_table(t, l, &root->tab);
        if (r < 0)
                return r;

        while (!loc_end(l)) {
                bool array = true;
                r = parse_array_table_key(t, l, &kl, &reg);
                if (r == T_THROW)
                        return r;
                if (r == T_ERR) {
                        array = false;
                        r = parse_table_key(t, l, &kl, &reg);
                        if (r == T_THROW)
                                return r;
                        if (r == T_ERR)
                                return fail_at(t, T_ERR, l, "toml::parse_toml_file: unknown line appeared",
                                               "unknown format");
                }
                TomlValue *tab = tv_new(TT_TABLE, reg);
                r = parse_ml_table(t, l, &tab->tab);
                if (r < 0)
                        return r;
                r = insert_nested_key(t, &root->tab, tab, &kl, reg, array);
                if (r < 0)
                        return r;
        }
        return T_OK;
}

/* ------------------------------------------------------------- to Nix */

static int toml_to_value(EvalState *st, const Pos *pos, TomlValue *tv, Value *v) {
        switch (tv->type) {
        case TT_TABLE: {
                Bindings *b = bindings_new(tv->tab.n);
                int r = eval_depth_enter(st, pos);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < tv->tab.n; i++) {
                        Value *e = value_new();
                        r = toml_to_value(st, pos, tv->tab.values[i], e);
                        if (r < 0)
                                break;
                        bindings_push(b, symbol_intern(tv->tab.keys[i].s, tv->tab.keys[i].len), e, NULL);
                }
                eval_depth_leave(st);
                if (r < 0)
                        return r;
                bindings_sort(b);
                value_set_attrs(v, b);
                return 0;
        }
        case TT_ARRAY: {
                int r = eval_depth_enter(st, pos);
                if (r < 0)
                        return r;
                value_set_list(v, tv->arr.n);
                for (size_t i = 0; i < tv->arr.n; i++) {
                        Value *e = value_new();
                        r = toml_to_value(st, pos, tv->arr.elems[i], e);
                        if (r < 0)
                                break;
                        v->list.elems[i] = e;
                }
                eval_depth_leave(st);
                return r < 0 ? r : 0;
        }
        case TT_BOOLEAN:
                value_set_bool(v, tv->b);
                return 0;
        case TT_INTEGER:
                value_set_int(v, tv->i);
                return 0;
        case TT_FLOATING:
                value_set_float(v, tv->f);
                return 0;
        case TT_STRING:
                value_set_string(v, tv->str.s, NULL);
                return 0;
        case TT_OFFSET_DATETIME:
        case TT_LOCAL_DATETIME:
        case TT_LOCAL_DATE:
        case TT_LOCAL_TIME:
                return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                  "while parsing a TOML string: Dates and times are not supported");
        case TT_EMPTY:
        default:
                value_set_null(v);
                return 0;
        }
}

static int prim_fromTOML(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Toml t = { .err = STRBUF_INIT };
        const char *text;
        TomlValue *root;
        int r;

        r = eval_force_string_no_context(st, args[0], pos, &text);
        if (r < 0)
                return r;

        /* toml11 appends a newline unless the text ends with one (or CR),
         * and skips a byte order mark. */
        size_t len = strlen(text);
        char *src = gc_alloc_atomic(len + 2);
        memcpy(src, text, len);
        if (len > 0 && text[len - 1] != '\n' && text[len - 1] != '\r')
                src[len++] = '\n';
        src[len] = 0;

        Loc l = loc_new("fromTOML", src, len);
        if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0)
                loc_advance(&l, 3);

        r = parse_toml_file(&t, &l, &root);
        if (r < 0) {
                r = eval_error(st, EVAL_ERROR_GENERIC, pos, "while parsing a TOML string: %s", t.err.buf);
                strbuf_release(&t.err);
                return r;
        }
        strbuf_release(&t.err);

        Value *v = value_new();
        r = toml_to_value(st, pos, root, v);
        if (r < 0)
                return r;
        *ret = *v;
        return 0;
}

const PrimOp builtins_toml[] = {
        {
                .name = "fromTOML",
                .arity = 1,
                .global = true,
                .args = { "e" },
                .doc = "Convert a TOML string to a Nix value (dates and times are not supported).",
                .fn = prim_fromTOML,
        },
        { .name = NULL },
};
