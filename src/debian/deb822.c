/* deb822 paragraphs and dependency fields: see deb822.h. Written from
 * Debian policy 5.1 and 7.1 and deb822(5). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deb822.h"
#include "xalloc.h"

bool deb_slice_eq(DebSlice s, const char *lit) {
        size_t n = strlen(lit);
        return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

/* ---- Paragraphs ----------------------------------------------------------- */

void deb822_parser_init(Deb822Parser *p, const char *data, size_t len, const char *whence, unsigned first_line) {
        p->data = data ? data : "";
        p->len = data ? len : 0;
        p->pos = 0;
        p->line = first_line;
        p->whence = whence ? whence : "<input>";
        p->checked = false;
        p->paragraph.line = 0;
        p->paragraph.n_fields = 0;
}

int deb_error_at(int r, const char *file, unsigned line, char **ret_error, const char *fmt, ...) {
        if (ret_error) {
                char *msg;
                va_list ap;
                va_start(ap, fmt);
                if (vasprintf(&msg, fmt, ap) < 0)
                        msg = NULL;
                va_end(ap);
                if (line > 0)
                        *ret_error = xasprintf("%s:%u: %s", file, line, msg ? msg : "(out of memory)");
                else
                        *ret_error = xasprintf("%s: %s", file, msg ? msg : "(out of memory)");
                free(msg);
        }
        return r;
}

#define parse_error(p, line, r, ret_error, ...) deb_error_at(r, (p)->whence, line, ret_error, __VA_ARGS__)

/* The line (and its 1-based column) of byte offset off. */
static unsigned line_of(const Deb822Parser *p, size_t off, size_t *ret_column) {
        unsigned line = p->line;
        size_t start = 0;
        for (size_t i = 0; i < off; i++)
                if (p->data[i] == '\n') {
                        line++;
                        start = i + 1;
                }
        *ret_column = off - start + 1;
        return line;
}

/* CR and NUL are never valid; one scan of the buffer instead of one per line. */
static int check_bytes(const Deb822Parser *p, char **ret_error) {
        const char *cr = memchr(p->data, '\r', p->len);
        const char *nul = memchr(p->data, '\0', p->len);
        const char *bad = cr && (!nul || cr < nul) ? cr : nul;
        size_t column;
        unsigned line;

        if (!bad)
                return 0;
        line = line_of(p, (size_t) (bad - p->data), &column);
        if (*bad == '\r')
                return parse_error(p, line, -EBADMSG, ret_error,
                                   "carriage return at column %zu (CRLF line endings are not allowed)", column);
        return parse_error(p, line, -EBADMSG, ret_error, "NUL byte at column %zu", column);
}

static bool name_char_ok(unsigned char c) {
        return c > ' ' && c < 0x7f && c != ':';
}

int deb822_parser_next(Deb822Parser *p, const Deb822Paragraph **ret, char **ret_error) {
        Deb822Paragraph *para = &p->paragraph;
        Deb822Field *cur = NULL;
        int r;

        if (!p->checked) {
                r = check_bytes(p, ret_error);
                if (r < 0)
                        return r;
                p->checked = true;
        }

        para->n_fields = 0;
        para->line = 0;
        while (p->pos < p->len) {
                const char *s = p->data + p->pos;
                const char *nl = memchr(s, '\n', p->len - p->pos);
                size_t n, i;

                if (!nl)
                        return parse_error(p, p->line, -EBADMSG, ret_error,
                                           "no newline at the end of the last line (truncated file?)");
                n = (size_t) (nl - s);
                if (n > DEB822_VALUE_MAX)
                        return parse_error(p, p->line, -E2BIG, ret_error, "line longer than %zu bytes",
                                           DEB822_VALUE_MAX);

                for (i = 0; i < n && is_blank(s[i]); i++)
                        ;
                if (i == n) {
                        /* A blank line ends the paragraph (if one started). */
                        p->pos += n + 1;
                        p->line++;
                        if (para->n_fields > 0) {
                                *ret = para;
                                return 1;
                        }
                        continue;
                }

                if (i > 0) {
                        /* Continuation: the value grows to the end of this line. */
                        const char *end = s + n;
                        if (!cur)
                                return parse_error(p, p->line, -EBADMSG, ret_error,
                                                   "continuation line (starting with a blank) outside a field");
                        while (is_blank(end[-1]))
                                end--;
                        if (cur->value.len == 0)
                                cur->value.ptr = s + i; /* "Name:" alone: the value starts here */
                        if ((size_t) (end - cur->value.ptr) > DEB822_VALUE_MAX)
                                return parse_error(p, cur->line, -E2BIG, ret_error,
                                                   "field %.*s longer than %zu bytes", (int) cur->name.len,
                                                   cur->name.ptr, DEB822_VALUE_MAX);
                        cur->value.len = (size_t) (end - cur->value.ptr);
                } else {
                        const char *colon, *v, *end;
                        size_t name_len;

                        if (s[0] == '#')
                                return parse_error(p, p->line, -EBADMSG, ret_error,
                                                   "comment lines are not allowed here");
                        colon = memchr(s, ':', n);
                        if (!colon)
                                return parse_error(p, p->line, -EBADMSG, ret_error,
                                                   "expected 'Field: value' or a continuation line, got '%.*s'",
                                                   (int) (n > 60 ? 60 : n), s);
                        name_len = (size_t) (colon - s);
                        if (name_len == 0)
                                return parse_error(p, p->line, -EBADMSG, ret_error, "empty field name");
                        if (s[0] == '-')
                                return parse_error(p, p->line, -EBADMSG, ret_error,
                                                   "field name '%.*s' starts with '-'", (int) name_len, s);
                        for (size_t k = 0; k < name_len; k++)
                                if (!name_char_ok((unsigned char) s[k]))
                                        return parse_error(p, p->line, -EBADMSG, ret_error,
                                                           "invalid character 0x%02x in field name",
                                                           (unsigned char) s[k]);
                        for (size_t k = 0; k < para->n_fields; k++)
                                if (para->fields[k].name.len == name_len &&
                                    strncasecmp(para->fields[k].name.ptr, s, name_len) == 0)
                                        return parse_error(p, p->line, -EBADMSG, ret_error,
                                                           "duplicate field %.*s (first on line %u)",
                                                           (int) name_len, s, para->fields[k].line);
                        if (para->n_fields == DEB822_FIELDS_MAX)
                                return parse_error(p, p->line, -E2BIG, ret_error,
                                                   "more than %d fields in a paragraph", DEB822_FIELDS_MAX);

                        v = colon + 1;
                        end = s + n;
                        while (v < end && is_blank(*v))
                                v++;
                        while (end > v && is_blank(end[-1]))
                                end--;
                        cur = &para->fields[para->n_fields++];
                        *cur = (Deb822Field) {
                                .name = deb_slice(s, name_len),
                                .value = deb_slice(v, (size_t) (end - v)),
                                .line = p->line,
                        };
                        if (para->n_fields == 1)
                                para->line = p->line;
                }
                p->pos += n + 1;
                p->line++;
        }

        if (para->n_fields > 0) {
                *ret = para;
                return 1;
        }
        return 0;
}

const DebSlice *deb822_paragraph_get(const Deb822Paragraph *para, const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; i < para->n_fields; i++)
                if (para->fields[i].name.len == n && strncasecmp(para->fields[i].name.ptr, name, n) == 0)
                        return &para->fields[i].value;
        return NULL;
}

DebSlice deb822_value_first_line(DebSlice value) {
        const char *nl = memchr(value.ptr, '\n', value.len);
        size_t n = nl ? (size_t) (nl - value.ptr) : value.len;
        while (n > 0 && is_blank(value.ptr[n - 1]))
                n--;
        return deb_slice(value.ptr, n);
}

/* ---- Dependency fields ---------------------------------------------------- */

/* Run twice: first counting (out == NULL) to size the one allocation, then
 * filling it. Both runs see the same text and take the same path. */
typedef struct DepParse {
        const char *s;
        size_t len;
        size_t pos;
        size_t n_groups;
        size_t n_alts;
        size_t n_chars;         /* string bytes, NULs included */
        DebDependGroup *groups; /* NULL while counting */
        DebDependAlt *alts;
        char *chars;
} DepParse;

static bool dep_space(char c) {
        return c == ' ' || c == '\t' || c == '\n';
}

static bool dep_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool dep_name_char(char c) {
        return dep_alnum(c) || c == '+' || c == '-' || c == '.' || c == '_';
}

static bool dep_version_char(char c) {
        return c > ' ' && c != 0x7f && !strchr("()[]<>,|", c);
}

static void dep_skip_space(DepParse *d) {
        while (d->pos < d->len && dep_space(d->s[d->pos]))
                d->pos++;
}

static char dep_peek(const DepParse *d) {
        return d->pos < d->len ? d->s[d->pos] : '\0';
}

static const char *dep_string(DepParse *d, const char *p, size_t n) {
        char *out = NULL;
        if (d->chars) {
                out = d->chars + d->n_chars;
                memcpy(out, p, n);
                out[n] = '\0';
        }
        d->n_chars += n + 1;
        return out;
}

static int dep_error(const DepParse *d, char **ret_error, const char *what) {
        if (ret_error) {
                if (d->pos < d->len)
                        *ret_error = xasprintf("expected %s at offset %zu, got '%c'", what, d->pos,
                                               (unsigned char) d->s[d->pos] >= ' ' ? d->s[d->pos] : '?');
                else
                        *ret_error = xasprintf("expected %s at offset %zu, got the end", what, d->pos);
        }
        return -EBADMSG;
}

/* Trims blanks at both ends of s[a .. b) and stores it. */
static const char *dep_string_trimmed(DepParse *d, size_t a, size_t b) {
        while (a < b && dep_space(d->s[a]))
                a++;
        while (b > a && dep_space(d->s[b - 1]))
                b--;
        return dep_string(d, d->s + a, b - a);
}

static int dep_parse_alt(DepParse *d, DebDependAlt *alt, char **ret_error) {
        size_t start;

        dep_skip_space(d);
        start = d->pos;
        if (!dep_alnum(dep_peek(d)))
                return dep_error(d, ret_error, "a package name");
        while (d->pos < d->len && dep_name_char(d->s[d->pos]))
                d->pos++;
        alt->name = dep_string(d, d->s + start, d->pos - start);

        if (dep_peek(d) == ':') {
                d->pos++;
                start = d->pos;
                while (d->pos < d->len && (dep_alnum(d->s[d->pos]) || d->s[d->pos] == '-'))
                        d->pos++;
                if (d->pos == start)
                        return dep_error(d, ret_error, "an architecture after ':'");
                alt->arch = dep_string(d, d->s + start, d->pos - start);
        }
        dep_skip_space(d);

        if (dep_peek(d) == '(') {
                d->pos++;
                dep_skip_space(d);
                start = d->pos;
                while (d->pos < d->len && strchr("<>=", d->s[d->pos]))
                        d->pos++;
                if (deb_relation_parse(d->s + start, d->pos - start, &alt->relation) < 0) {
                        d->pos = start;
                        return dep_error(d, ret_error, "a relation (<<, <=, =, >=, >>)");
                }
                dep_skip_space(d);
                start = d->pos;
                while (d->pos < d->len && dep_version_char(d->s[d->pos]))
                        d->pos++;
                if (d->pos == start)
                        return dep_error(d, ret_error, "a version");
                alt->version = dep_string(d, d->s + start, d->pos - start);
                dep_skip_space(d);
                if (dep_peek(d) != ')')
                        return dep_error(d, ret_error, "')'");
                d->pos++;
                dep_skip_space(d);
        }

        if (dep_peek(d) == '[') {
                d->pos++;
                start = d->pos;
                while (d->pos < d->len && (dep_alnum(d->s[d->pos]) || strchr("-!", d->s[d->pos]) ||
                                           dep_space(d->s[d->pos])))
                        d->pos++;
                if (dep_peek(d) != ']')
                        return dep_error(d, ret_error, "']'");
                alt->arch_list = dep_string_trimmed(d, start, d->pos);
                d->pos++;
                dep_skip_space(d);
        }

        if (dep_peek(d) == '<') {
                size_t end;
                start = d->pos;
                do {
                        d->pos++;
                        while (d->pos < d->len && (dep_alnum(d->s[d->pos]) || strchr("-!.+", d->s[d->pos]) ||
                                                   dep_space(d->s[d->pos])))
                                d->pos++;
                        if (dep_peek(d) != '>')
                                return dep_error(d, ret_error, "'>'");
                        d->pos++;
                        end = d->pos;
                        dep_skip_space(d);
                } while (dep_peek(d) == '<');
                alt->profiles = dep_string(d, d->s + start, end - start);
        }
        return 0;
}

static int dep_parse(DepParse *d, char **ret_error) {
        int r;

        dep_skip_space(d);
        if (d->pos == d->len)
                return 0; /* an empty field: no groups */

        for (;;) {
                size_t first_alt = d->n_alts;
                for (;;) {
                        DebDependAlt scratch = { 0 };
                        DebDependAlt *alt = d->alts ? &d->alts[d->n_alts] : &scratch;
                        *alt = (DebDependAlt) { .relation = DEB_RELATION_NONE };
                        r = dep_parse_alt(d, alt, ret_error);
                        if (r < 0)
                                return r;
                        d->n_alts++;
                        if (dep_peek(d) != '|')
                                break;
                        d->pos++;
                }
                if (d->groups)
                        d->groups[d->n_groups] = (DebDependGroup) {
                                .alts = &d->alts[first_alt],
                                .n_alts = d->n_alts - first_alt,
                        };
                d->n_groups++;
                if (d->pos == d->len)
                        return 0;
                if (dep_peek(d) != ',')
                        return dep_error(d, ret_error, "',', '|' or the end");
                d->pos++;
        }
}

int deb_depends_parse(const char *text, size_t len, DebDepends **ret, char **ret_error) {
        DepParse count = { .s = text, .len = len };
        DebDepends *deps;
        size_t size;
        char *mem;
        int r;

        if (len > DEB822_VALUE_MAX) {
                if (ret_error)
                        *ret_error = xasprintf("dependency field longer than %zu bytes", DEB822_VALUE_MAX);
                return -E2BIG;
        }
        if (len > 0 && memchr(text, '\0', len)) {
                if (ret_error)
                        *ret_error = xasprintf("NUL byte at offset %zu",
                                               (size_t) ((const char *) memchr(text, '\0', len) - text));
                return -EBADMSG;
        }
        r = dep_parse(&count, ret_error);
        if (r < 0)
                return r;

        /* Sizes are bounded by len <= 1 MiB: no overflow. */
        size = sizeof(DebDepends) + count.n_groups * sizeof(DebDependGroup) + count.n_alts * sizeof(DebDependAlt) +
               count.n_chars;
        mem = malloc(size);
        if (!mem)
                return -ENOMEM;
        deps = (DebDepends *) mem;
        DepParse fill = {
                .s = text,
                .len = len,
                .groups = (DebDependGroup *) (mem + sizeof(DebDepends)),
        };
        fill.alts = (DebDependAlt *) ((char *) fill.groups + count.n_groups * sizeof(DebDependGroup));
        fill.chars = (char *) fill.alts + count.n_alts * sizeof(DebDependAlt);
        r = dep_parse(&fill, NULL);
        if (r < 0 || fill.n_groups != count.n_groups || fill.n_alts != count.n_alts || fill.n_chars != count.n_chars)
                abort(); /* the two runs take the same path */
        *deps = (DebDepends) { .groups = fill.groups, .n_groups = fill.n_groups };
        *ret = deps;
        return 0;
}

DebDepends *deb_depends_free(DebDepends *deps) {
        free(deps);
        return NULL;
}
