/* deb822 text (Debian policy 5.1; deb822(5)) as apt's Packages files use it,
 * and the dependency fields inside it (policy 7.1).
 *
 * A file is a sequence of paragraphs separated by one or more blank lines
 * (empty, or only spaces and tabs). A paragraph is a sequence of fields:
 *
 *   Name: value
 *    continuation line (starts with a space or a tab)
 *    .                 (an empty line inside a multi-line value)
 *
 * The parser works over one buffer and copies nothing: names and values are
 * non-owning (ptr, len) slices into it, valid as long as the buffer is.
 * What it rejects, each with "WHENCE:LINE: reason" in *ret_error:
 *   - a CR (CRLF line endings) or a NUL byte anywhere;
 *   - a last line without its newline (a truncated file);
 *   - a line that is neither blank, a field nor a continuation (no colon,
 *     an empty field name, a name with blanks or control characters, or
 *     starting with '#' or '-');
 *   - a continuation line before the first field of a paragraph;
 *   - the same field twice in a paragraph (names compare ignoring case);
 *   - a line or a field value above DEB822_VALUE_MAX bytes, a paragraph of
 *     more than DEB822_FIELDS_MAX fields.
 * Errors return -EBADMSG (malformed) or -E2BIG (a bound); *ret_error (may
 * be NULL) gets a malloc'ed message the caller frees. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "version.h"

/* A non-owning view of len bytes at ptr. ptr is never NULL (the empty slice
 * points at a static ""); whether ptr[len] is a NUL depends on who made the
 * slice (the index's slices are all NUL-terminated; the parser's are not). */
/* Sets *ret_error (when not NULL) to a malloc'ed "FILE:LINE: message"
 * ("FILE: message" when line is 0) and returns r, for the parsers' errors. */
_printf_(5, 6) int deb_error_at(int r, const char *file, unsigned line, char **ret_error, const char *fmt, ...);

typedef struct DebSlice {
        const char *ptr;
        size_t len;
} DebSlice;

#define DEB_SLICE_EMPTY ((DebSlice) { .ptr = "", .len = 0 })

static inline DebSlice deb_slice(const char *ptr, size_t len) {
        return (DebSlice) { .ptr = ptr, .len = len };
}

/* Whether s is exactly the NUL-terminated string lit (case-sensitive). */
bool deb_slice_eq(DebSlice s, const char *lit);

/* Bounds on what the parser accepts (see above). */
#define DEB822_VALUE_MAX ((size_t) 1 << 20)
#define DEB822_FIELDS_MAX 256

typedef struct Deb822Field {
        DebSlice name;          /* as written (compare with strncasecmp) */
        DebSlice value;         /* from the first non-blank after the colon
                                 * (on a continuation line if the first line
                                 * has none) to the last non-blank; the
                                 * lines between are as written: "\n " or
                                 * "\n\t" starts, blanks at their ends */
        unsigned line;          /* 1-based line of the "Name:" line */
} Deb822Field;

typedef struct Deb822Paragraph {
        unsigned line;          /* line of its first field */
        size_t n_fields;
        Deb822Field fields[DEB822_FIELDS_MAX];
} Deb822Paragraph;

/* A cursor over the paragraphs of one buffer. Fill it with
 * deb822_parser_init(); it holds no resources (nothing to free). It is
 * large (the paragraph's field array): keep it off small stacks. */
typedef struct Deb822Parser {
        const char *data;
        size_t len;
        size_t pos;
        unsigned line;          /* line number at pos */
        const char *whence;     /* for messages: usually a file name */
        bool checked;           /* CR/NUL scan done */
        Deb822Paragraph paragraph;
} Deb822Parser;

/* Prepares to parse data[0 .. len) (need not be NUL-terminated), whose
 * first line is line first_line of whence (1 for a whole file; more when a
 * caller feeds a file in pieces cut at blank lines). whence is borrowed. */
void deb822_parser_init(Deb822Parser *p, const char *data, size_t len, const char *whence, unsigned first_line);

/* Parses the next paragraph. Returns 1 and points *ret at it (valid until
 * the next call; its slices point into data), 0 at the end of the data
 * (blank lines at the end are fine), or a negative errno with a message
 * (see above); after an error the parser stays at the error. */
int deb822_parser_next(Deb822Parser *p, const Deb822Paragraph **ret, char **ret_error);

/* The value of field name (ignoring case) in para, or NULL when absent. */
const DebSlice *deb822_paragraph_get(const Deb822Paragraph *para, const char *name);

/* The first line of a value (a Description's synopsis). */
DebSlice deb822_value_first_line(DebSlice value);

/* ---- Dependency fields --------------------------------------------------
 *
 * Depends, Pre-Depends, Recommends, Suggests, Enhances, Breaks, Conflicts,
 * Replaces, Provides, Build-Depends…: comma-separated groups, each a list of
 * alternatives separated by '|':
 *
 *   name[:archqual] [(op version)] [[arch …]] [<profile …> …]
 *
 * Blanks and newlines (folded values) may appear between any two tokens.
 * Names are letters, digits and "+-._" starting with a letter or digit
 * (policy allows lowercase only, apt is more lenient; so are we); archqual
 * letters, digits and '-'; op as deb_relation_parse() takes it; version
 * any run of non-blank characters but "()[]<>,|" (checked by the caller
 * with deb_version_parse() if it cares). The architecture list and the
 * build profile formulas are kept as written, not interpreted. Empty
 * groups (", ,", a trailing comma) are an error, as in dpkg; an empty
 * field gives zero groups. */

typedef struct DebDependAlt {
        const char *name;
        const char *arch;               /* after ':'; NULL when none */
        DebRelation relation;           /* DEB_RELATION_NONE: no version */
        const char *version;            /* NULL iff relation is NONE */
        const char *arch_list;          /* inside "[…]"; NULL when none */
        const char *profiles;           /* "<…> <…>" as written; NULL when none */
} DebDependAlt;

typedef struct DebDependGroup {
        const DebDependAlt *alts;       /* >= 1 */
        size_t n_alts;
} DebDependGroup;

/* One allocation: the groups, the alternatives and NUL-terminated copies of
 * their strings (nothing points into the parsed text). */
typedef struct DebDepends {
        const DebDependGroup *groups;
        size_t n_groups;
} DebDepends;

/* Parses text[0 .. len) (need not be NUL-terminated; at most
 * DEB822_VALUE_MAX bytes, else -E2BIG). Returns 0 and a DebDepends to free
 * with deb_depends_free(), or -EBADMSG with a message naming the byte
 * offset and what was expected there ("expected a package name at offset
 * 12"; the caller adds the field and the file). */
int deb_depends_parse(const char *text, size_t len, DebDepends **ret, char **ret_error);

DebDepends *deb_depends_free(DebDepends *deps);

static inline void deb_depends_freep(DebDepends **p) {
        deb_depends_free(*p);
}
#define _cleanup_deb_depends_ _cleanup_(deb_depends_freep)
