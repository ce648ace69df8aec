/* Regular expression builtins: match and split.
 *
 * Nix 2.8 compiles patterns with std::regex in its POSIX extended grammar
 * (libstdc++ 12, C locale). Matching here is done by the C library's
 * regexec; the pattern is first parsed with libstdc++'s grammar and
 * rewritten into an equivalent glibc ERE (regex_translate()), so that the
 * set of accepted patterns and their meaning are libstdc++'s:
 *
 *  - only . [ \ ( ) * + ? { | ^ $ may be escaped (\d, \w, \1, \} are
 *    errors), an unmatched ')' is an error, and quantifiers stack (a**);
 *  - in brackets, class names may be d, w, s and are case-insensitive,
 *    collating names come from the POSIX portable character set names,
 *    [=c=] matches c in either case, and ranges compare signed chars;
 *  - a pattern whose NFA would exceed libstdc++'s 100000-state limit is
 *    "memory limit exceeded".
 *
 * Both engines find the leftmost-longest match, which makes the rest agree:
 *
 *  - match needs the whole string to match. The longest match at offset 0
 *    covers the whole string exactly when some match does, so an unanchored
 *    regexec whose match is [0, len) answers it without rewriting the
 *    pattern (and so without renumbering its groups).
 *  - split walks the matches the way std::regex_iterator does: after an
 *    empty match at p it first looks for a non-empty match starting at p,
 *    and failing that searches again from p + 1. The leftmost-longest match
 *    from p is non-empty and at p exactly when such a match exists.
 *    REG_STARTEND keeps the text before the search start visible, so `^`
 *    matches only at the real start of the string.
 *
 * Known difference: which text a group reports can differ where libstdc++'s
 * backtracking deviates from POSIX, e.g. (a*)+ on "aa" gives "" in Nix.
 *
 * Compiled patterns are cached for the life of the process, by pattern. */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "gc-alloc.h"
#include "strbuf.h"
#include "value.h"
#include "xalloc.h"

/* Bounds the number of groups a result can report (std::regex has no such
 * limit, but no real pattern comes near it). */
#define REGEX_MAX_GROUPS 1024

/* libstdc++'s _GLIBCXX_REGEX_STATE_LIMIT. */
#define REGEX_STATE_LIMIT 100000

typedef enum RegexStatus {
        REGEX_OK,
        REGEX_INVALID,
        REGEX_TOO_BIG,
} RegexStatus;

/* ---- Parsing with libstdc++'s grammar, writing a glibc ERE ---- */

typedef struct RegexTranslator {
        const char *p, *end;
        StrBuf out;
        uint64_t states; /* NFA states libstdc++ would have created so far */
        RegexStatus status;
} RegexTranslator;

/* A set of bytes (bit b for byte b; NUL never matches). */
typedef struct ByteSet {
        uint64_t bits[4];
} ByteSet;

static void byteset_add(ByteSet *s, unsigned c) {
        s->bits[c >> 6] |= UINT64_C(1) << (c & 63);
}

static bool byteset_has(const ByteSet *s, unsigned c) {
        return s->bits[c >> 6] & (UINT64_C(1) << (c & 63));
}

/* The C locale's character classes, as libstdc++'s lookup_classname names
 * them (lowercased first); "w" is alnum plus '_'. */
static bool class_contains(const char *name, unsigned c) {
        bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
        bool alpha = upper || lower, alnum = alpha || digit;
        bool space = c == ' ' || (c >= '\t' && c <= '\r');
        bool graph = c >= 0x21 && c <= 0x7e;

        if (strcmp(name, "d") == 0 || strcmp(name, "digit") == 0)
                return digit;
        if (strcmp(name, "w") == 0)
                return alnum || c == '_';
        if (strcmp(name, "s") == 0 || strcmp(name, "space") == 0)
                return space;
        if (strcmp(name, "alnum") == 0)
                return alnum;
        if (strcmp(name, "alpha") == 0)
                return alpha;
        if (strcmp(name, "blank") == 0)
                return c == ' ' || c == '\t';
        if (strcmp(name, "cntrl") == 0)
                return c < 0x20 || c == 0x7f;
        if (strcmp(name, "graph") == 0)
                return graph;
        if (strcmp(name, "lower") == 0)
                return lower;
        if (strcmp(name, "print") == 0)
                return graph || c == ' ';
        if (strcmp(name, "punct") == 0)
                return graph && !alnum;
        if (strcmp(name, "upper") == 0)
                return upper;
        if (strcmp(name, "xdigit") == 0)
                return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        return false;
}

static bool class_name_valid(const char *name) {
        static const char *const names[] = {
                "d", "w", "s", "alnum", "alpha", "blank", "cntrl", "digit",
                "graph", "lower", "print", "punct", "space", "upper", "xdigit",
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(name, names[i]) == 0)
                        return true;
        return false;
}

/* The names of the ASCII characters in collating symbols ([.hyphen.]),
 * indexed by character: what libstdc++ accepts, and nothing else (a
 * single character names itself only where it appears here). */
static const char *const collate_names[128] = {
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "alert", "backspace", "tab", "newline",
        "vertical-tab", "form-feed", "carriage-return", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4",
        "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "IS4", "IS3", "IS2", "IS1", "space",
        "exclamation-mark", "quotation-mark", "number-sign", "dollar-sign", "percent-sign", "ampersand",
        "apostrophe", "left-parenthesis", "right-parenthesis", "asterisk", "plus-sign", "comma", "hyphen",
        "period", "slash", "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "colon", "semicolon", "less-than-sign", "equals-sign", "greater-than-sign", "question-mark",
        "commercial-at", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P",
        "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "left-square-bracket", "backslash",
        "right-square-bracket", "circumflex", "underscore", "grave-accent", "a", "b", "c", "d", "e", "f",
        "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
        "left-curly-bracket", "vertical-line", "right-curly-bracket", "tilde", "DEL",
};

/* Returns the character a collating name stands for, or -1. */
static int collate_lookup(const char *name) {
        for (int c = 0; c < 128; c++)
                if (strcmp(name, collate_names[c]) == 0)
                        return c;
        return -1;
}

static void translator_fail(RegexTranslator *t, RegexStatus status) {
        if (t->status == REGEX_OK)
                t->status = status;
}

/* Counts NFA states as libstdc++ inserts them; false once over the limit. */
static bool translator_add_states(RegexTranslator *t, uint64_t n) {
        t->states += n;
        if (t->states > REGEX_STATE_LIMIT) {
                translator_fail(t, REGEX_TOO_BIG);
                return false;
        }
        return true;
}

/* Writes a bracket expression matching exactly the bytes of s (negated when
 * neg) in glibc's syntax: ']' first, then runs of ordinary bytes, then '^',
 * '[' and '-' where they cannot be misread. */
static void emit_byteset(StrBuf *out, const ByteSet *s, bool neg) {
        bool close = byteset_has(s, ']'), caret = byteset_has(s, '^');
        bool open = byteset_has(s, '['), dash = byteset_has(s, '-');
        bool any_run = false;

        if (!neg && caret && !close) {
                /* Could '^' end up first, where it would negate? */
                bool others = false;
                for (unsigned c = 1; c < 256 && !others; c++)
                        others = byteset_has(s, c) && c != '^' && c != '[' && c != '-';
                if (!others && !open && !dash) {
                        strbuf_adds(out, "\\^");
                        return;
                }
        }

        strbuf_addc(out, '[');
        if (neg)
                strbuf_addc(out, '^');
        if (close)
                strbuf_addc(out, ']');
        if (!neg && caret && !close && (open || dash)) {
                /* "[-^…]" or "[[^…]": the first item must not be '^'. */
                if (dash) {
                        strbuf_addc(out, '-');
                        dash = false;
                } else {
                        strbuf_addc(out, '[');
                        open = false;
                }
        }
        for (unsigned c = 1; c < 256;) {
                unsigned e;

                if (!byteset_has(s, c) || c == ']' || c == '^' || c == '[' || c == '-') {
                        c++;
                        continue;
                }
                for (e = c; e + 1 < 256 && byteset_has(s, e + 1) && e + 1 != ']' && e + 1 != '^' && e + 1 != '[' &&
                            e + 1 != '-';
                     e++)
                        ;
                strbuf_addc(out, (char) c);
                if (e > c + 1)
                        strbuf_addc(out, '-');
                if (e > c)
                        strbuf_addc(out, (char) e);
                any_run = true;
                c = e + 1;
        }
        if (caret)
                strbuf_addc(out, '^');
        (void) any_run;
        if (open)
                strbuf_addc(out, '[');
        if (dash)
                strbuf_addc(out, '-');
        strbuf_addc(out, ']');
}

static void emit_literal(StrBuf *out, unsigned char c) {
        if (strchr(".[\\()*+?{}|^$]", c)) {
                ByteSet s = { { 0 } };
                byteset_add(&s, c);
                emit_byteset(out, &s, false);
        } else
                strbuf_addc(out, (char) c);
}

/* Reads "[:name:]", "[.name.]" or "[=name=]" after its opening "[x"; the
 * name is returned in a GC string. False on a malformed one. */
static bool bracket_read_name(RegexTranslator *t, char delim, char **ret) {
        const char *s = t->p;

        while (t->p < t->end && *t->p != delim)
                t->p++;
        if (t->p == t->end || t->p + 1 >= t->end || t->p[1] != ']')
                return false;
        *ret = gc_strndup(s, (size_t) (t->p - s));
        t->p += 2;
        return true;
}

/* Scans one token of a bracket expression (see BracketToken); ret_char is
 * set for characters. Returns 0, or -1 on a malformed token. */
typedef enum BracketToken {
        BRACKET_END,
        BRACKET_CHAR,    /* an ordinary character */
        BRACKET_COLLATE, /* [.name.]: a character, but never a range's end */
        BRACKET_CLASS,   /* [:name:] or [=name=] (added to the set already) */
        BRACKET_DASH,
} BracketToken;

static int bracket_next(RegexTranslator *t, bool at_start, ByteSet *s, BracketToken *ret_tok, int *ret_char) {
        char c;

        if (t->p == t->end)
                return -1;
        c = *t->p++;
        if (c == '-') {
                *ret_tok = BRACKET_DASH;
                return 0;
        }
        if (c == ']' && !at_start) {
                *ret_tok = BRACKET_END;
                return 0;
        }
        if (c == '[') {
                char *name;

                if (t->p == t->end)
                        return -1;
                if (*t->p == ':') {
                        t->p++;
                        if (!bracket_read_name(t, ':', &name))
                                return -1;
                        for (char *q = name; *q; q++)
                                if (*q >= 'A' && *q <= 'Z')
                                        *q = (char) (*q - 'A' + 'a');
                        if (!class_name_valid(name))
                                return -1;
                        for (unsigned b = 1; b < 256; b++)
                                if (class_contains(name, b))
                                        byteset_add(s, b);
                        *ret_tok = BRACKET_CLASS;
                        return 0;
                }
                if (*t->p == '.') {
                        int ch;

                        t->p++;
                        if (!bracket_read_name(t, '.', &name) || (ch = collate_lookup(name)) < 0)
                                return -1;
                        *ret_tok = BRACKET_COLLATE;
                        *ret_char = ch;
                        return 0;
                }
                if (*t->p == '=') {
                        int ch;

                        t->p++;
                        if (!bracket_read_name(t, '=', &name) || (ch = collate_lookup(name)) < 0)
                                return -1;
                        /* Compared after tolower(): either case matches. */
                        if (ch != 0)
                                byteset_add(s, (unsigned) ch);
                        if (ch >= 'A' && ch <= 'Z')
                                byteset_add(s, (unsigned) (ch - 'A' + 'a'));
                        else if (ch >= 'a' && ch <= 'z')
                                byteset_add(s, (unsigned) (ch - 'a' + 'A'));
                        *ret_tok = BRACKET_CLASS;
                        return 0;
                }
        }
        *ret_tok = BRACKET_CHAR;
        *ret_char = (unsigned char) c;
        return 0;
}

/* Adds the range lo-hi, compared as (signed) chars like libstdc++ does. */
static bool bracket_add_range(ByteSet *s, int lo, int hi) {
        signed char l = (signed char) lo, h = (signed char) hi;

        if (l > h)
                return false;
        for (unsigned b = 1; b < 256; b++) {
                signed char v = (signed char) b;
                if (v >= l && v <= h)
                        byteset_add(s, b);
        }
        return true;
}

/* Parses a bracket expression after its '[' (and '^' when neg). */
static bool translate_bracket(RegexTranslator *t, bool neg) {
        ByteSet s = { { 0 } };
        int last = -1; /* a pending single character, or -1 */
        bool last_is_class = false;
        BracketToken tok;
        int ch = 0;

        /* The first item: ']' and '-' are ordinary there. */
        if (t->p < t->end && (*t->p == ']' || *t->p == '-')) {
                last = (unsigned char) *t->p++;
        }
        for (bool at_start = last < 0;; at_start = false) {
                if (bracket_next(t, at_start, &s, &tok, &ch) < 0)
                        return false;
                if (tok == BRACKET_END)
                        break;
                if (tok == BRACKET_CHAR || tok == BRACKET_COLLATE) {
                        if (last >= 0)
                                byteset_add(&s, (unsigned) last);
                        last = ch;
                        last_is_class = false;
                        continue;
                }
                if (tok == BRACKET_CLASS) {
                        if (last >= 0)
                                byteset_add(&s, (unsigned) last);
                        last = -1;
                        last_is_class = true;
                        continue;
                }
                /* A dash: literal before ']', else the middle of a range. */
                if (bracket_next(t, false, &s, &tok, &ch) < 0)
                        return false;
                if (tok == BRACKET_END) {
                        if (last >= 0)
                                byteset_add(&s, (unsigned) last);
                        byteset_add(&s, '-');
                        last = -1;
                        break;
                }
                if (last_is_class || last < 0)
                        return false;
                /* Only an ordinary character (or a dash) ends a range. */
                if (tok == BRACKET_DASH)
                        ch = '-';
                else if (tok != BRACKET_CHAR)
                        return false;
                if (!bracket_add_range(&s, last, ch))
                        return false;
                last = -1;
                last_is_class = false;
        }
        if (last > 0)
                byteset_add(&s, (unsigned) last);

        /* Only NUL (never in a Nix string): match nothing, or anything. */
        bool empty = true;
        for (unsigned b = 1; b < 256 && empty; b++)
                empty = !byteset_has(&s, b);
        if (empty) {
                for (unsigned b = 1; b < 256; b++)
                        byteset_add(&s, b);
                neg = !neg;
        }
        emit_byteset(&t->out, &s, neg);
        return true;
}

static bool translate_disjunction(RegexTranslator *t, uint64_t *ret_states);

/* An atom: returns 1 with its state count, 0 when the input does not start
 * one (nothing consumed), -1 on error. */
static int translate_atom(RegexTranslator *t, uint64_t *ret_states) {
        char c;

        if (t->p == t->end)
                return 0;
        c = *t->p;
        switch (c) {
        case '.':
                t->p++;
                strbuf_addc(&t->out, '.');
                *ret_states = 1;
                break;
        case '(': {
                uint64_t inner;

                t->p++;
                strbuf_addc(&t->out, '(');
                if (!translator_add_states(t, 1) || !translate_disjunction(t, &inner))
                        return -1;
                if (t->p == t->end || *t->p != ')')
                        return -1;
                t->p++;
                strbuf_addc(&t->out, ')');
                if (!translator_add_states(t, 1))
                        return -1;
                *ret_states = inner + 2;
                return 1;
        }
        case '[': {
                bool neg = false;

                t->p++;
                if (t->p < t->end && *t->p == '^') {
                        neg = true;
                        t->p++;
                }
                if (!translate_bracket(t, neg))
                        return -1;
                *ret_states = 1;
                break;
        }
        case '\\':
                t->p++;
                if (t->p == t->end || !strchr(".[\\()*+?{|^$", *t->p))
                        return -1;
                emit_literal(&t->out, (unsigned char) *t->p++);
                *ret_states = 1;
                break;
        case '*':
        case '+':
        case '?':
        case '{':
        case '|':
        case ')':
        case '^':
        case '$':
                return 0;
        default:
                /* Everything else, ']' and '}' included, is itself. */
                t->p++;
                emit_literal(&t->out, (unsigned char) c);
                *ret_states = 1;
                break;
        }
        if (!translator_add_states(t, 1))
                return -1;
        return 1;
}

/* Reads a run of digits as libstdc++ does: accumulated in a long, then
 * truncated to an int. False when there is none. */
static bool read_count(RegexTranslator *t, int *ret) {
        unsigned long v = 0;

        if (t->p == t->end || *t->p < '0' || *t->p > '9')
                return false;
        while (t->p < t->end && *t->p >= '0' && *t->p <= '9')
                v = v * 10 + (unsigned long) (*t->p++ - '0');
        *ret = (int) (unsigned) v;
        return true;
}

/* Quantifiers after an atom of `states` states (which may be cloned).
 * Returns false on error. */
static bool translate_quantifiers(RegexTranslator *t, uint64_t *states) {
        while (t->p < t->end) {
                char c = *t->p;

                if (c == '*' || c == '+') {
                        t->p++;
                        strbuf_addc(&t->out, c);
                        if (!translator_add_states(t, 1))
                                return false;
                        *states += 1;
                } else if (c == '?') {
                        t->p++;
                        strbuf_addc(&t->out, '?');
                        if (!translator_add_states(t, 2))
                                return false;
                        *states += 2;
                } else if (c == '{') {
                        int min, max = 0;
                        bool comma = false, has_max = false;
                        uint64_t added;

                        t->p++;
                        if (!read_count(t, &min))
                                return false;
                        if (t->p < t->end && *t->p == ',') {
                                t->p++;
                                comma = true;
                                has_max = read_count(t, &max);
                        }
                        if (t->p == t->end || *t->p != '}')
                                return false;
                        t->p++;
                        if (comma && has_max && (long) max - min < 0)
                                return false;

                        /* A dummy, min copies, then either a loop (one copy
                         * and a repeat) or max-min optional copies (a copy
                         * and a repeat each) and an end dummy. */
                        added = 1 + (min > 0 ? (uint64_t) min * *states : 0);
                        if (comma && !has_max)
                                added += *states + 1;
                        else if (comma)
                                added += (uint64_t) (max - min) * (*states + 1) + 1;
                        else
                                added += 1;
                        if (!translator_add_states(t, added))
                                return false;
                        *states = added;

                        if (!comma)
                                strbuf_addf(&t->out, "{%d}", min);
                        else if (!has_max)
                                strbuf_addf(&t->out, "{%d,}", min < 0 ? 0 : min);
                        else
                                strbuf_addf(&t->out, "{%d,%d}", min < 0 ? 0 : min, max);
                } else
                        break;
        }
        return true;
}

/* A sequence of terms (an assertion, or an atom with its quantifiers). */
static bool translate_alternative(RegexTranslator *t, uint64_t *ret_states) {
        uint64_t total = 0;

        for (;;) {
                uint64_t states = 0;
                int r;

                if (t->p < t->end && (*t->p == '^' || *t->p == '$')) {
                        strbuf_addc(&t->out, *t->p++);
                        if (!translator_add_states(t, 1))
                                return false;
                        total += 1;
                        continue;
                }
                r = translate_atom(t, &states);
                if (r < 0)
                        return false;
                if (r == 0)
                        break;
                if (!translate_quantifiers(t, &states))
                        return false;
                total += states;
        }
        /* Each alternative ends in a dummy state. */
        if (!translator_add_states(t, 1))
                return false;
        *ret_states = total + 1;
        return true;
}

static bool translate_disjunction(RegexTranslator *t, uint64_t *ret_states) {
        uint64_t total;

        if (!translate_alternative(t, &total))
                return false;
        while (t->p < t->end && *t->p == '|') {
                uint64_t states;

                t->p++;
                strbuf_addc(&t->out, '|');
                if (!translate_alternative(t, &states))
                        return false;
                /* A join dummy and the alternative state. */
                if (!translator_add_states(t, 2))
                        return false;
                total += states + 2;
        }
        *ret_states = total;
        return true;
}

/* Parses pattern with libstdc++'s POSIX extended grammar. On REGEX_OK,
 * *ret is the equivalent glibc ERE (malloc'ed). */
static RegexStatus regex_translate(const char *pattern, char **ret) {
        RegexTranslator t = {
                .p = pattern,
                .end = pattern + strlen(pattern),
                .out = STRBUF_INIT,
        };
        uint64_t states;

        /* The whole match's group begin and end, and the accepting state. */
        if (translator_add_states(&t, 3) && translate_disjunction(&t, &states) && t.p == t.end) {
                *ret = strbuf_detach(&t.out, NULL);
                return REGEX_OK;
        }
        strbuf_release(&t.out);
        return t.status == REGEX_TOO_BIG ? REGEX_TOO_BIG : REGEX_INVALID;
}

/* ---- The cache of compiled patterns ---- */

typedef struct RegexEntry {
        char *pattern; /* malloc; NULL for an empty slot */
        regex_t re;    /* compiled when status is REGEX_OK */
        RegexStatus status;
} RegexEntry;

/* Open addressing with linear probing; never shrinks. Holds no GC pointers. */
static struct {
        size_t n, cap;
        RegexEntry *slots;
} regex_cache;

static uint64_t pattern_hash(const char *s) {
        uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a */

        for (; *s; s++) {
                h ^= (uint8_t) *s;
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

static void regex_cache_grow(void) {
        size_t new_cap = regex_cache.cap ? regex_cache.cap * 2 : 64;
        RegexEntry *slots = xcalloc(new_cap, sizeof(*slots));

        for (size_t i = 0; i < regex_cache.cap; i++) {
                RegexEntry *e = &regex_cache.slots[i];

                if (!e->pattern)
                        continue;
                size_t j = pattern_hash(e->pattern) & (new_cap - 1);
                while (slots[j].pattern)
                        j = (j + 1) & (new_cap - 1);
                slots[j] = *e; /* regex_t is movable: glibc keeps no self-pointers */
        }
        free(regex_cache.slots);
        regex_cache.slots = slots;
        regex_cache.cap = new_cap;
}

/* Returns the cache entry for pattern, compiling it on first use. */
static const RegexEntry *regex_cache_get(const char *pattern) {
        size_t i;

        if (regex_cache.cap == 0 || (regex_cache.n + 1) * 4 > regex_cache.cap * 3)
                regex_cache_grow();

        i = pattern_hash(pattern) & (regex_cache.cap - 1);
        for (;;) {
                RegexEntry *e = &regex_cache.slots[i];

                if (!e->pattern) {
                        _cleanup_free_ char *ere = NULL;

                        e->pattern = xstrdup(pattern);
                        e->status = regex_translate(pattern, &ere);
                        /* glibc refuses a few things libstdc++ takes, such
                         * as counts over RE_DUP_MAX (32767). */
                        if (e->status == REGEX_OK && regcomp(&e->re, ere, REG_EXTENDED) != 0)
                                e->status = REGEX_INVALID;
                        regex_cache.n++;
                        return e;
                }
                if (strcmp(e->pattern, pattern) == 0)
                        return e;
                i = (i + 1) & (regex_cache.cap - 1);
        }
}

static int regex_compile(EvalState *st, const Pos *pos, const char *pattern, const RegexEntry **ret) {
        const RegexEntry *e = regex_cache_get(pattern);

        if (e->status == REGEX_TOO_BIG)
                return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                  "memory limit exceeded by regular expression '%s'", pattern);
        if (e->status != REGEX_OK)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "invalid regular expression '%s'", pattern);
        if (e->re.re_nsub > REGEX_MAX_GROUPS)
                return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                  "memory limit exceeded by regular expression '%s'", pattern);
        *ret = e;
        return 0;
}

/* Searches s[start..len) (s itself stays visible for `^` and word
 * boundaries). Returns 1 on a match (m[0..nmatch) filled, offsets from s),
 * 0 when there is none, or EVAL_FAILED. */
static int regex_search(EvalState *st, const Pos *pos, const char *pattern, const regex_t *re,
                        const char *s, size_t start, size_t len, regmatch_t *m, size_t nmatch) {
        int r;

        m[0].rm_so = (regoff_t) start;
        m[0].rm_eo = (regoff_t) len;
        r = regexec(re, s, nmatch, m, REG_STARTEND);
        if (r == 0)
                return 1;
        if (r == REG_NOMATCH)
                return 0;
        return eval_error(st, EVAL_ERROR_GENERIC, pos, "memory limit exceeded by regular expression '%s'",
                          pattern);
}

/* Fills list (already sized to nsub) with the groups of m: strings, or null
 * for groups that took no part in the match. */
static void groups_to_list(const char *s, const regmatch_t *m, size_t nsub, Value *list) {
        value_set_list(list, nsub);
        for (size_t i = 0; i < nsub; i++) {
                Value *g = value_new();

                if (m[i + 1].rm_so < 0)
                        value_set_null(g);
                else
                        value_set_string_copy(g, s + m[i + 1].rm_so, (size_t) (m[i + 1].rm_eo - m[i + 1].rm_so),
                                              NULL);
                list->list.elems[i] = g;
        }
}

static int prim_match(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_free_ regmatch_t *m = NULL;
        const RegexEntry *e;
        const char *pattern, *s;
        size_t nsub, len;
        int r;

        r = eval_force_string_no_context(st, args[0], pos, &pattern);
        if (r < 0)
                return r;
        r = regex_compile(st, pos, pattern, &e);
        if (r < 0)
                return r;
        r = eval_force_string(st, args[1], pos, NULL, &s);
        if (r < 0)
                return r;

        nsub = e->re.re_nsub;
        len = strlen(s);
        m = xcalloc(nsub + 1, sizeof(*m));
        r = regex_search(st, pos, pattern, &e->re, s, 0, len, m, nsub + 1);
        if (r < 0)
                return r;
        if (r == 0 || m[0].rm_so != 0 || (size_t) m[0].rm_eo != len) {
                value_set_null(ret);
                return 0;
        }

        groups_to_list(s, m, nsub, ret);
        return 0;
}

/* One match found by the split walk; kept in GC memory (a list of these
 * points at GC values). */
typedef struct SplitMatch {
        size_t prefix_start; /* where the text before this match begins */
        size_t so, eo;
        Value *groups;
} SplitMatch;

static int prim_split(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_free_ regmatch_t *m = NULL;
        const RegexEntry *e;
        const char *pattern, *s;
        SplitMatch *matches = NULL;
        size_t n = 0, cap = 0, nsub, len, start, prefix_start;
        bool found;
        int r;

        r = eval_force_string_no_context(st, args[0], pos, &pattern);
        if (r < 0)
                return r;
        r = regex_compile(st, pos, pattern, &e);
        if (r < 0)
                return r;
        r = eval_force_string(st, args[1], pos, NULL, &s);
        if (r < 0)
                return r;

        nsub = e->re.re_nsub;
        len = strlen(s);
        m = xcalloc(nsub + 1, sizeof(*m));

        /* The first match: a plain search from the start. */
        r = regex_search(st, pos, pattern, &e->re, s, 0, len, m, nsub + 1);
        if (r < 0)
                return r;
        found = r > 0;
        prefix_start = 0;

        while (found) {
                if (n == cap) {
                        SplitMatch *grown;

                        cap = cap ? cap * 2 : 8;
                        grown = gc_alloc(cap * sizeof(*grown));
                        if (n > 0)
                                memcpy(grown, matches, n * sizeof(*grown));
                        matches = grown;
                }
                SplitMatch *sm = &matches[n++];
                sm->prefix_start = prefix_start;
                sm->so = (size_t) m[0].rm_so;
                sm->eo = (size_t) m[0].rm_eo;
                sm->groups = value_new();
                groups_to_list(s, m, nsub, sm->groups);

                /* The next match, as regex_iterator's increment finds it. */
                start = sm->eo;
                prefix_start = sm->eo;
                found = false;
                if (sm->so == sm->eo) {
                        if (start == len)
                                break;
                        /* A non-empty match starting right here? */
                        r = regex_search(st, pos, pattern, &e->re, s, start, len, m, nsub + 1);
                        if (r < 0)
                                return r;
                        if (r > 0 && (size_t) m[0].rm_so == start && m[0].rm_eo > m[0].rm_so) {
                                found = true;
                                continue;
                        }
                        start++;
                }
                r = regex_search(st, pos, pattern, &e->re, s, start, len, m, nsub + 1);
                if (r < 0)
                        return r;
                found = r > 0;
        }

        if (n == 0) {
                /* No match: the input itself, context and all. */
                value_set_list(ret, 1);
                ret->list.elems[0] = args[1];
                return 0;
        }

        value_set_list(ret, 2 * n + 1);
        for (size_t i = 0; i < n; i++) {
                Value *prefix = value_new();

                value_set_string_copy(prefix, s + matches[i].prefix_start, matches[i].so - matches[i].prefix_start,
                                      NULL);
                ret->list.elems[2 * i] = prefix;
                ret->list.elems[2 * i + 1] = matches[i].groups;
        }
        Value *suffix = value_new();
        value_set_string_copy(suffix, s + matches[n - 1].eo, len - matches[n - 1].eo, NULL);
        ret->list.elems[2 * n] = suffix;
        return 0;
}

const PrimOp builtins_regex[] = {
        {
                .name = "match",
                .arity = 2,
                .args = { "regex", "str" },
                .doc = "Return the list of groups if the POSIX extended regex matches all of str, else null.",
                .fn = prim_match,
        },
        {
                .name = "split",
                .arity = 2,
                .args = { "regex", "str" },
                .doc = "Split str at the matches of the POSIX extended regex, interleaving the matches' groups.",
                .fn = prim_split,
        },
        { .name = NULL },
};
