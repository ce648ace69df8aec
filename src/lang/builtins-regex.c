/* Regular expression builtins: match and split.
 *
 * Nix 2.8 compiles patterns with std::regex in its POSIX extended grammar
 * (libstdc++ 12, C locale) and matches with its backtracking executor. What
 * a group captures follows from that executor's exact search order, which
 * no POSIX engine reproduces ((a*)+ on "aa" captures "" there), so this
 * file has its own engine built the same way:
 *
 *  - the parser accepts libstdc++'s grammar: only . [ \ ( ) * + ? { | ^ $
 *    may be escaped (\d, \w, \1, \} are errors), an unmatched ')' is an
 *    error, quantifiers stack (a**); in brackets, class names may be d, w,
 *    s and are case-insensitive, collating names are the POSIX portable
 *    character names, [=c=] matches c in either case, and ranges compare
 *    signed chars;
 *  - it builds the same NFA, state for state (intervals copy their operand,
 *    as libstdc++ does), so the 100000-state limit ("memory limit exceeded")
 *    falls where it falls in Nix;
 *  - the executor explores it in the same depth-first order: both sides of
 *    every alternative, greedy loops that may re-enter a repeat at the same
 *    position twice, and the longest match kept, first found winning ties.
 *
 * The executor is exponential on some patterns, like libstdc++'s. Past a
 * step budget the call is redone with glibc's regexec on an equivalent ERE
 * written by the same parser: same overall matches (both leftmost-longest),
 * groups possibly captured differently.
 *
 * split walks matches as std::regex_iterator does: after an empty match it
 * tries a non-empty match at the same place, then searches from one further
 * on, and `^` matches only where the walk began.
 *
 * Compiled patterns are cached for the life of the process, by pattern. */
#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "gc-alloc.h"
#include "strbuf.h"
#include "value.h"
#include "xalloc.h"

/* libstdc++'s _GLIBCXX_REGEX_STATE_LIMIT. */
#define REGEX_STATE_LIMIT 100000
/* Parenthesis nesting the parser follows (libstdc++ recurses without a
 * bound and eventually crashes). */
#define REGEX_MAX_NESTING 1000
/* Executor steps per builtin call, and pending steps at any time, before
 * falling back to glibc. */
#ifndef REGEX_STEP_BUDGET
#define REGEX_STEP_BUDGET 20000000
#endif
#define REGEX_MAX_TASKS 4000000

typedef enum RegexStatus {
        REGEX_OK,
        REGEX_INVALID,
        REGEX_TOO_BIG,
} RegexStatus;

/* ---- Byte sets (what one NFA match state accepts) ---- */

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

/* Writes a bracket expression matching exactly the bytes of s (negated when
 * neg) in glibc's syntax: ']' first, then runs of other bytes, then '^',
 * '[' and '-' where they cannot be misread. s must not be empty. */
static void emit_byteset(StrBuf *out, const ByteSet *s, bool neg) {
        bool close = byteset_has(s, ']'), caret = byteset_has(s, '^');
        bool open = byteset_has(s, '['), dash = byteset_has(s, '-');

        if (!neg && caret && !close) {
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
        if (!neg && caret && !close) {
                /* The first item must not be '^': "[-^…]" or "[[^…]". */
                if (dash) {
                        strbuf_addc(out, '-');
                        dash = false;
                } else if (open) {
                        strbuf_addc(out, '[');
                        open = false;
                }
        }
        for (unsigned c = 1; c < 256;) {
                unsigned e;

                if (!byteset_has(s, c) || strchr("]^[-", (int) c)) {
                        c++;
                        continue;
                }
                for (e = c; e + 1 < 256 && byteset_has(s, e + 1) && !strchr("]^[-", (int) (e + 1)); e++)
                        ;
                strbuf_addc(out, (char) c);
                if (e > c + 1)
                        strbuf_addc(out, '-');
                if (e > c)
                        strbuf_addc(out, (char) e);
                c = e + 1;
        }
        if (caret)
                strbuf_addc(out, '^');
        if (open)
                strbuf_addc(out, '[');
        if (dash)
                strbuf_addc(out, '-');
        strbuf_addc(out, ']');
}

/* ---- The NFA, as libstdc++ builds it ---- */

typedef enum NfaOp {
        OP_DUMMY, /* bypassed once the NFA is complete */
        OP_ALT,    /* try alt, then next */
        OP_REPEAT, /* alt: once more; next: leave the loop */
        OP_GROUP_BEGIN,
        OP_GROUP_END,
        OP_LINE_BEGIN,
        OP_LINE_END,
        OP_MATCH, /* one byte from matchers[arg] */
        OP_ACCEPT,
} NfaOp;

typedef struct NfaState {
        uint8_t op;
        int32_t next, alt; /* -1 when unset */
        uint32_t arg;      /* group number, matcher index, or repeat counter index */
} NfaState;

typedef struct Nfa {
        size_t n_states, cap_states;
        NfaState *states;
        size_t n_matchers, cap_matchers;
        ByteSet *matchers;
        size_t n_groups;  /* including group 0, the whole match */
        size_t n_repeats; /* OP_REPEAT states (each has a counter) */
} Nfa;

static void nfa_free(Nfa *nfa) {
        free(nfa->states);
        free(nfa->matchers);
        *nfa = (Nfa) { 0 };
}

/* A fragment under construction: start and end states, and the first state
 * id it was built from (everything it reaches lies at or after base). */
typedef struct Seq {
        int32_t start, end, base;
} Seq;

typedef struct RegexParser {
        const char *p, *end;
        Nfa nfa;
        StrBuf ere; /* the same pattern for glibc */
        uint32_t *group_stack;
        size_t n_open, cap_open;
        unsigned depth;
        RegexStatus status;
} RegexParser;

static bool parser_fail(RegexParser *ps, RegexStatus status) {
        if (ps->status == REGEX_OK)
                ps->status = status;
        return false;
}

/* Appends a state; fails (REGEX_TOO_BIG) past the state limit like
 * libstdc++'s _M_insert_state. */
static bool nfa_insert(RegexParser *ps, NfaOp op, int32_t next, int32_t alt, uint32_t arg, int32_t *ret) {
        Nfa *nfa = &ps->nfa;

        if (nfa->n_states >= REGEX_STATE_LIMIT)
                return parser_fail(ps, REGEX_TOO_BIG);
        if (nfa->n_states == nfa->cap_states) {
                nfa->cap_states = nfa->cap_states ? nfa->cap_states * 2 : 16;
                nfa->states = xrealloc(nfa->states, nfa->cap_states * sizeof(*nfa->states));
        }
        nfa->states[nfa->n_states] = (NfaState) { .op = (uint8_t) op, .next = next, .alt = alt, .arg = arg };
        *ret = (int32_t) nfa->n_states++;
        return true;
}

static bool nfa_insert_seq(RegexParser *ps, NfaOp op, uint32_t arg, Seq *ret) {
        int32_t id;

        if (!nfa_insert(ps, op, -1, -1, arg, &id))
                return false;
        *ret = (Seq) { id, id, id };
        return true;
}

static bool nfa_insert_matcher(RegexParser *ps, const ByteSet *set, Seq *ret) {
        Nfa *nfa = &ps->nfa;

        if (nfa->n_matchers == nfa->cap_matchers) {
                nfa->cap_matchers = nfa->cap_matchers ? nfa->cap_matchers * 2 : 8;
                nfa->matchers = xrealloc(nfa->matchers, nfa->cap_matchers * sizeof(*nfa->matchers));
        }
        nfa->matchers[nfa->n_matchers] = *set;
        return nfa_insert_seq(ps, OP_MATCH, (uint32_t) nfa->n_matchers++, ret);
}

static bool nfa_insert_repeat(RegexParser *ps, int32_t next, int32_t alt, int32_t *ret) {
        if (!nfa_insert(ps, OP_REPEAT, next, alt, (uint32_t) ps->nfa.n_repeats, ret))
                return false;
        ps->nfa.n_repeats++;
        return true;
}

static void seq_append_state(Nfa *nfa, Seq *s, int32_t id) {
        nfa->states[s->end].next = id;
        s->end = id;
}

static void seq_append(Nfa *nfa, Seq *s, const Seq *t) {
        nfa->states[s->end].next = t->start;
        s->end = t->end;
}

static bool op_has_alt(uint8_t op) {
        return op == OP_ALT || op == OP_REPEAT;
}

/* Copies the states of s reachable from its start (not following its end's
 * next), in libstdc++'s order, and returns the copy. All of them have ids in
 * [s->base, top). */
static bool seq_clone(RegexParser *ps, const Seq *s, int32_t top, Seq *ret) {
        Nfa *nfa = &ps->nfa;
        size_t span = (size_t) (top - s->base), n_stack = 0;
        _cleanup_free_ int32_t *map = NULL, *stack = NULL;
        int32_t first = -1;

        map = xmalloc(span * sizeof(*map));
        for (size_t i = 0; i < span; i++)
                map[i] = -1;
        /* Each state pushes at most two others. */
        stack = xmalloc((2 * span + 1) * sizeof(*stack));
        stack[n_stack++] = s->start;
        while (n_stack > 0) {
                int32_t u = stack[--n_stack], id;
                NfaState dup = nfa->states[u];

                if (!nfa_insert(ps, (NfaOp) dup.op, dup.next, dup.alt, dup.arg, &id))
                        return false;
                if (dup.op == OP_REPEAT) {
                        /* A copied loop counts repetitions on its own. */
                        nfa->states[id].arg = (uint32_t) nfa->n_repeats++;
                }
                if (first < 0)
                        first = id;
                map[u - s->base] = id;
                if (op_has_alt(dup.op) && dup.alt >= 0 && map[dup.alt - s->base] < 0)
                        stack[n_stack++] = dup.alt;
                if (u == s->end)
                        continue;
                if (dup.next >= 0 && map[dup.next - s->base] < 0)
                        stack[n_stack++] = dup.next;
        }
        for (size_t i = 0; i < span; i++) {
                NfaState *st;

                if (map[i] < 0)
                        continue;
                st = &nfa->states[map[i]];
                if (st->next >= s->base)
                        st->next = map[st->next - s->base];
                if (op_has_alt(st->op) && st->alt >= s->base)
                        st->alt = map[st->alt - s->base];
        }
        *ret = (Seq) { map[s->start - s->base], map[s->end - s->base], first };
        return true;
}

/* Bypasses dummy states, as libstdc++'s _M_eliminate_dummy. */
static void nfa_eliminate_dummies(Nfa *nfa) {
        for (size_t i = 0; i < nfa->n_states; i++) {
                NfaState *st = &nfa->states[i];

                while (st->next >= 0 && nfa->states[st->next].op == OP_DUMMY)
                        st->next = nfa->states[st->next].next;
                if (op_has_alt(st->op))
                        while (st->alt >= 0 && nfa->states[st->alt].op == OP_DUMMY)
                                st->alt = nfa->states[st->alt].next;
        }
}

/* ---- The parser ---- */

/* A literal byte: a match state, and the same byte for glibc. */
static bool parse_literal(RegexParser *ps, unsigned char c, Seq *ret) {
        ByteSet set = { { 0 } };

        byteset_add(&set, c);
        if (strchr(".[\\()*+?{}|^$]", c))
                emit_byteset(&ps->ere, &set, false);
        else
                strbuf_addc(&ps->ere, (char) c);
        return nfa_insert_matcher(ps, &set, ret);
}

/* Reads the name of "[:name:]", "[.name.]" or "[=name=]" after its opening
 * "[x" (GC string). False when it is not closed by "x]". */
static bool bracket_read_name(RegexParser *ps, char delim, char **ret) {
        const char *s = ps->p;

        while (ps->p < ps->end && *ps->p != delim)
                ps->p++;
        if (ps->p == ps->end || ps->p + 1 >= ps->end || ps->p[1] != ']')
                return false;
        *ret = gc_strndup(s, (size_t) (ps->p - s));
        ps->p += 2;
        return true;
}

typedef enum BracketToken {
        BRACKET_END,
        BRACKET_CHAR,    /* an ordinary character */
        BRACKET_COLLATE, /* [.name.]: a character, but never a range's end */
        BRACKET_CLASS,   /* [:name:] or [=name=] (added to the set already) */
        BRACKET_DASH,
} BracketToken;

/* Scans one token of a bracket expression; ret_char is set for characters.
 * Returns false on a malformed or missing token. */
static bool bracket_next(RegexParser *ps, bool at_start, ByteSet *s, BracketToken *ret_tok, int *ret_char) {
        char c, *name;
        int ch;

        if (ps->p == ps->end)
                return false;
        c = *ps->p++;
        if (c == '-') {
                *ret_tok = BRACKET_DASH;
                return true;
        }
        if (c == ']' && !at_start) {
                *ret_tok = BRACKET_END;
                return true;
        }
        if (c == '[') {
                if (ps->p == ps->end)
                        return false;
                switch (*ps->p) {
                case ':':
                        ps->p++;
                        if (!bracket_read_name(ps, ':', &name))
                                return false;
                        for (char *q = name; *q; q++)
                                if (*q >= 'A' && *q <= 'Z')
                                        *q = (char) (*q - 'A' + 'a');
                        if (!class_name_valid(name))
                                return false;
                        for (unsigned b = 1; b < 256; b++)
                                if (class_contains(name, b))
                                        byteset_add(s, b);
                        *ret_tok = BRACKET_CLASS;
                        return true;
                case '.':
                        ps->p++;
                        if (!bracket_read_name(ps, '.', &name) || (ch = collate_lookup(name)) < 0)
                                return false;
                        *ret_tok = BRACKET_COLLATE;
                        *ret_char = ch;
                        return true;
                case '=':
                        ps->p++;
                        if (!bracket_read_name(ps, '=', &name) || (ch = collate_lookup(name)) < 0)
                                return false;
                        /* Compared after tolower(): either case matches. */
                        byteset_add(s, (unsigned) ch);
                        if (ch >= 'A' && ch <= 'Z')
                                byteset_add(s, (unsigned) (ch - 'A' + 'a'));
                        else if (ch >= 'a' && ch <= 'z')
                                byteset_add(s, (unsigned) (ch - 'a' + 'A'));
                        *ret_tok = BRACKET_CLASS;
                        return true;
                }
        }
        *ret_tok = BRACKET_CHAR;
        *ret_char = (unsigned char) c;
        return true;
}

/* Adds the range lo-hi, compared as (signed) chars like libstdc++ does. */
static bool bracket_add_range(ByteSet *s, int lo, int hi) {
        signed char l = (signed char) lo, h = (signed char) hi;

        if (l > h)
                return false;
        for (unsigned b = 0; b < 256; b++) {
                signed char v = (signed char) b;
                if (v >= l && v <= h)
                        byteset_add(s, b);
        }
        return true;
}

/* A bracket expression after its '[' (and '^' when neg). */
static bool parse_bracket(RegexParser *ps, bool neg, Seq *ret) {
        ByteSet s = { { 0 } }, m;
        int last = -1; /* a pending single character, or -1 */
        bool last_is_class = false, empty = true;
        BracketToken tok;
        int ch = 0;

        /* The first item: ']' and '-' are ordinary there. */
        if (ps->p < ps->end && (*ps->p == ']' || *ps->p == '-'))
                last = (unsigned char) *ps->p++;
        for (bool at_start = last < 0;; at_start = false) {
                if (!bracket_next(ps, at_start, &s, &tok, &ch))
                        return parser_fail(ps, REGEX_INVALID);
                if (tok == BRACKET_END)
                        break;
                if (tok == BRACKET_CHAR || tok == BRACKET_COLLATE || tok == BRACKET_CLASS) {
                        if (last >= 0)
                                byteset_add(&s, (unsigned) last);
                        last = tok == BRACKET_CLASS ? -1 : ch;
                        last_is_class = tok == BRACKET_CLASS;
                        continue;
                }
                /* A dash: literal before ']', else the middle of a range. */
                if (!bracket_next(ps, false, &s, &tok, &ch))
                        return parser_fail(ps, REGEX_INVALID);
                if (tok == BRACKET_END) {
                        if (last >= 0)
                                byteset_add(&s, (unsigned) last);
                        byteset_add(&s, '-');
                        last = -1;
                        break;
                }
                if (last_is_class || last < 0)
                        return parser_fail(ps, REGEX_INVALID);
                /* Only an ordinary character (or a dash) ends a range. */
                if (tok == BRACKET_DASH)
                        ch = '-';
                else if (tok != BRACKET_CHAR)
                        return parser_fail(ps, REGEX_INVALID);
                if (!bracket_add_range(&s, last, ch))
                        return parser_fail(ps, REGEX_INVALID);
                last = -1;
                last_is_class = false;
        }
        if (last >= 0)
                byteset_add(&s, (unsigned) last);

        /* The matcher: NUL never occurs in a Nix string, so only the other
         * bytes matter. */
        m = (ByteSet) { { 0 } };
        for (unsigned b = 1; b < 256; b++)
                if (byteset_has(&s, b) != neg) {
                        byteset_add(&m, b);
                        empty = false;
                }
        if (empty) {
                /* Nothing but NUL: glibc needs a non-empty bracket. */
                ByteSet all = { { 0 } };
                for (unsigned b = 1; b < 256; b++)
                        byteset_add(&all, b);
                emit_byteset(&ps->ere, &all, true);
        } else
                emit_byteset(&ps->ere, &m, false);
        return nfa_insert_matcher(ps, &m, ret);
}

static bool parse_disjunction(RegexParser *ps, Seq *ret);

/* An atom. Returns 1 with *ret, 0 when the input does not start one
 * (nothing consumed), -1 on error. */
static int parse_atom(RegexParser *ps, Seq *ret) {
        char c;

        if (ps->p == ps->end)
                return 0;
        c = *ps->p;
        switch (c) {
        case '.': {
                ByteSet any = { { 0 } };

                ps->p++;
                for (unsigned b = 1; b < 256; b++)
                        byteset_add(&any, b);
                strbuf_addc(&ps->ere, '.');
                return nfa_insert_matcher(ps, &any, ret) ? 1 : -1;
        }
        case '(': {
                Seq inner, end;
                uint32_t group = (uint32_t) ps->nfa.n_groups++;

                ps->p++;
                if (++ps->depth > REGEX_MAX_NESTING)
                        return parser_fail(ps, REGEX_TOO_BIG), -1;
                strbuf_addc(&ps->ere, '(');
                if (!nfa_insert_seq(ps, OP_GROUP_BEGIN, group, ret) || !parse_disjunction(ps, &inner))
                        return -1;
                if (ps->p == ps->end || *ps->p != ')')
                        return parser_fail(ps, REGEX_INVALID), -1;
                ps->p++;
                ps->depth--;
                strbuf_addc(&ps->ere, ')');
                seq_append(&ps->nfa, ret, &inner);
                if (!nfa_insert_seq(ps, OP_GROUP_END, group, &end))
                        return -1;
                seq_append(&ps->nfa, ret, &end);
                return 1;
        }
        case '[': {
                bool neg = false;

                ps->p++;
                if (ps->p < ps->end && *ps->p == '^') {
                        neg = true;
                        ps->p++;
                }
                return parse_bracket(ps, neg, ret) ? 1 : -1;
        }
        case '\\':
                ps->p++;
                if (ps->p == ps->end || !strchr(".[\\()*+?{|^$", *ps->p))
                        return parser_fail(ps, REGEX_INVALID), -1;
                return parse_literal(ps, (unsigned char) *ps->p++, ret) ? 1 : -1;
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
                ps->p++;
                return parse_literal(ps, (unsigned char) c, ret) ? 1 : -1;
        }
}

/* Reads a run of digits as libstdc++ does: accumulated in a long, then
 * truncated to an int. False when there is none. */
static bool read_count(RegexParser *ps, int *ret) {
        uint64_t v = 0;

        if (ps->p == ps->end || *ps->p < '0' || *ps->p > '9')
                return false;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
                v = v * 10 + (uint64_t) (*ps->p++ - '0');
        *ret = (int) (uint32_t) v;
        return true;
}

/* {min}, {min,} or {min,max} applied to e (libstdc++'s construction:
 * min copies, then a loop or max-min optional copies). */
static bool parse_interval(RegexParser *ps, Seq *e) {
        Nfa *nfa = &ps->nfa;
        int min, max = 0;
        bool comma = false, has_max = false;
        Seq r = *e, res, tmp;
        int32_t id, top = (int32_t) nfa->n_states;

        ps->p++;
        if (!read_count(ps, &min))
                return parser_fail(ps, REGEX_INVALID);
        if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                comma = true;
                has_max = read_count(ps, &max);
        }
        if (ps->p == ps->end || *ps->p != '}')
                return parser_fail(ps, REGEX_INVALID);
        ps->p++;

        if (!comma)
                strbuf_addf(&ps->ere, "{%d}", min);
        else if (!has_max)
                strbuf_addf(&ps->ere, "{%d,}", min < 0 ? 0 : min);
        else
                strbuf_addf(&ps->ere, "{%d,%d}", min < 0 ? 0 : min, max);

        if (!nfa_insert_seq(ps, OP_DUMMY, 0, &res))
                return false;
        res.base = r.base;
        for (long i = 0; i < min; i++) {
                if (!seq_clone(ps, &r, top, &tmp))
                        return false;
                seq_append(nfa, &res, &tmp);
        }
        if (comma && !has_max) {
                if (!seq_clone(ps, &r, top, &tmp) || !nfa_insert_repeat(ps, -1, tmp.start, &id))
                        return false;
                seq_append_state(nfa, &tmp, id);
                seq_append_state(nfa, &res, id);
        } else {
                long n = comma ? (long) max - min : 0;
                _cleanup_free_ int32_t *alts = NULL;
                int32_t end;

                if (n < 0)
                        return parser_fail(ps, REGEX_INVALID);
                if (!nfa_insert(ps, OP_DUMMY, -1, -1, 0, &end))
                        return false;
                alts = xmalloc(((size_t) n + 1) * sizeof(*alts));
                for (long i = 0; i < n; i++) {
                        if (!seq_clone(ps, &r, top, &tmp) || !nfa_insert_repeat(ps, tmp.start, end, &id))
                                return false;
                        alts[i] = id;
                        nfa->states[res.end].next = id;
                        res.end = tmp.end;
                }
                seq_append_state(nfa, &res, end);
                /* Built as "skip, else once more"; flipped to greedy. */
                for (long i = 0; i < n; i++) {
                        NfaState *st = &nfa->states[alts[i]];
                        int32_t t = st->next;
                        st->next = st->alt;
                        st->alt = t;
                }
        }
        *e = res;
        return true;
}

/* Quantifiers after an atom. */
static bool parse_quantifiers(RegexParser *ps, Seq *e) {
        Nfa *nfa = &ps->nfa;

        while (ps->p < ps->end) {
                char c = *ps->p;
                int32_t r, end;

                if (c == '*') {
                        ps->p++;
                        strbuf_addc(&ps->ere, '*');
                        if (!nfa_insert_repeat(ps, -1, e->start, &r))
                                return false;
                        seq_append_state(nfa, e, r);
                        *e = (Seq) { r, r, e->base };
                } else if (c == '+') {
                        ps->p++;
                        strbuf_addc(&ps->ere, '+');
                        if (!nfa_insert_repeat(ps, -1, e->start, &r))
                                return false;
                        seq_append_state(nfa, e, r);
                } else if (c == '?') {
                        ps->p++;
                        strbuf_addc(&ps->ere, '?');
                        if (!nfa_insert(ps, OP_DUMMY, -1, -1, 0, &end) || !nfa_insert_repeat(ps, -1, e->start, &r))
                                return false;
                        seq_append_state(nfa, e, end);
                        nfa->states[r].next = end;
                        *e = (Seq) { r, end, e->base };
                } else if (c == '{') {
                        if (!parse_interval(ps, e))
                                return false;
                } else
                        break;
        }
        return true;
}

/* A sequence of terms (assertions, atoms with their quantifiers), ending in
 * a dummy state. */
static bool parse_alternative(RegexParser *ps, Seq *ret) {
        bool have = false;
        Seq seq = { 0 }, t, end;

        for (;;) {
                if (ps->p < ps->end && (*ps->p == '^' || *ps->p == '$')) {
                        NfaOp op = *ps->p == '^' ? OP_LINE_BEGIN : OP_LINE_END;

                        strbuf_addc(&ps->ere, *ps->p++);
                        if (!nfa_insert_seq(ps, op, 0, &t))
                                return false;
                } else {
                        int r = parse_atom(ps, &t);

                        if (r < 0)
                                return false;
                        if (r == 0)
                                break;
                        if (!parse_quantifiers(ps, &t))
                                return false;
                }
                if (have)
                        seq_append(&ps->nfa, &seq, &t);
                else
                        seq = t;
                have = true;
        }
        if (!nfa_insert_seq(ps, OP_DUMMY, 0, &end))
                return false;
        if (have)
                seq_append(&ps->nfa, &seq, &end);
        else
                seq = end;
        *ret = seq;
        return true;
}

static bool parse_disjunction(RegexParser *ps, Seq *ret) {
        Seq alt1, alt2;
        int32_t end, id;

        if (!parse_alternative(ps, &alt1))
                return false;
        while (ps->p < ps->end && *ps->p == '|') {
                ps->p++;
                strbuf_addc(&ps->ere, '|');
                if (!parse_alternative(ps, &alt2) || !nfa_insert(ps, OP_DUMMY, -1, -1, 0, &end))
                        return false;
                seq_append_state(&ps->nfa, &alt1, end);
                seq_append_state(&ps->nfa, &alt2, end);
                if (!nfa_insert(ps, OP_ALT, alt2.start, alt1.start, 0, &id))
                        return false;
                alt1 = (Seq) { id, end, alt1.base };
        }
        *ret = alt1;
        return true;
}

/* Compiles pattern. On REGEX_OK, *ret_nfa is the NFA (start state 0) and
 * *ret_ere the equivalent glibc ERE (malloc'ed). */
static RegexStatus regex_parse(const char *pattern, Nfa *ret_nfa, char **ret_ere) {
        RegexParser ps = {
                .p = pattern,
                .end = pattern + strlen(pattern),
                .ere = STRBUF_INIT,
        };
        Seq r, body, t;
        bool ok;

        ps.nfa.n_groups = 1;
        ok = nfa_insert_seq(&ps, OP_GROUP_BEGIN, 0, &r) && parse_disjunction(&ps, &body);
        if (ok && ps.p != ps.end)
                ok = parser_fail(&ps, REGEX_INVALID); /* a stray ')' or quantifier */
        if (ok) {
                seq_append(&ps.nfa, &r, &body);
                ok = nfa_insert_seq(&ps, OP_GROUP_END, 0, &t);
        }
        if (ok) {
                seq_append(&ps.nfa, &r, &t);
                ok = nfa_insert_seq(&ps, OP_ACCEPT, 0, &t);
        }
        if (!ok) {
                nfa_free(&ps.nfa);
                strbuf_release(&ps.ere);
                return ps.status == REGEX_OK ? REGEX_INVALID : ps.status;
        }
        seq_append(&ps.nfa, &r, &t);
        nfa_eliminate_dummies(&ps.nfa);
        *ret_nfa = ps.nfa;
        *ret_ere = strbuf_detach(&ps.ere, NULL);
        return REGEX_OK;
}

/* ---- The executor (libstdc++'s depth-first _Executor, POSIX flavour) ---- */

enum {
        EXEC_NOT_NULL = 1 << 0,   /* an empty match does not count */
        EXEC_CONTINUOUS = 1 << 1, /* only a match starting at the start */
        EXEC_PREV_AVAIL = 1 << 2, /* the start is not the string's start */
};

typedef struct Capture {
        size_t first, second;
        bool matched;
} Capture;

typedef enum TaskKind {
        TASK_VISIT,
        TASK_SET_POS,
        TASK_RESTORE_FIRST,
        TASK_RESTORE_CAPTURE,
        TASK_RESTORE_REPEAT,
        TASK_ALT_SECOND,
        TASK_OR_SOLUTION,
        TASK_REPEAT_EXIT,
} TaskKind;

/* One pending step of the depth-first walk (the recursion of libstdc++'s
 * _M_dfs, unrolled onto a heap stack). */
typedef struct Task {
        uint8_t kind;
        bool flag;
        int32_t state;
        size_t a, b;
} Task;

typedef struct RepeatCount {
        size_t pos;
        unsigned count;
} RepeatCount;

typedef struct Executor {
        const Nfa *nfa;
        const char *s;
        size_t begin, end, pos;
        unsigned flags;
        Capture *cur, *best;
        RepeatCount *reps;
        Task *tasks;
        size_t n_tasks, cap_tasks;
        bool has_solution, have_best_end;
        size_t best_end;
        uint64_t steps;
} Executor;

static void exec_push(Executor *x, TaskKind kind, int32_t state, size_t a, size_t b, bool flag) {
        if (x->n_tasks == x->cap_tasks) {
                x->cap_tasks = x->cap_tasks ? x->cap_tasks * 2 : 256;
                x->tasks = xrealloc(x->tasks, x->cap_tasks * sizeof(*x->tasks));
        }
        x->tasks[x->n_tasks++] = (Task) { .kind = (uint8_t) kind, .flag = flag, .state = state, .a = a, .b = b };
}

/* Loops once more through repeat state i, at most twice at one position. */
static void exec_repeat_once_more(Executor *x, int32_t i) {
        const NfaState *st = &x->nfa->states[i];
        RepeatCount *rc = &x->reps[st->arg];

        if (rc->count == 0 || rc->pos != x->pos) {
                exec_push(x, TASK_RESTORE_REPEAT, (int32_t) st->arg, rc->pos, rc->count, false);
                rc->pos = x->pos;
                rc->count = 1;
                exec_push(x, TASK_VISIT, st->alt, 0, 0, false);
        } else if (rc->count < 2) {
                exec_push(x, TASK_RESTORE_REPEAT, (int32_t) st->arg, rc->pos, rc->count, false);
                rc->count++;
                exec_push(x, TASK_VISIT, st->alt, 0, 0, false);
        }
}

static void exec_visit(Executor *x, int32_t i, bool exact) {
        const NfaState *st = &x->nfa->states[i];
        Capture *c;

        switch (st->op) {
        case OP_REPEAT:
                exec_push(x, TASK_REPEAT_EXIT, i, 0, 0, false);
                exec_repeat_once_more(x, i);
                break;
        case OP_ALT:
                exec_push(x, TASK_ALT_SECOND, i, 0, 0, false);
                exec_push(x, TASK_VISIT, st->alt, 0, 0, false);
                break;
        case OP_GROUP_BEGIN:
                c = &x->cur[st->arg];
                exec_push(x, TASK_RESTORE_FIRST, (int32_t) st->arg, c->first, 0, false);
                c->first = x->pos;
                exec_push(x, TASK_VISIT, st->next, 0, 0, false);
                break;
        case OP_GROUP_END:
                c = &x->cur[st->arg];
                exec_push(x, TASK_RESTORE_CAPTURE, (int32_t) st->arg, c->first, c->second, c->matched);
                c->second = x->pos;
                c->matched = true;
                exec_push(x, TASK_VISIT, st->next, 0, 0, false);
                break;
        case OP_LINE_BEGIN:
                if (x->pos == x->begin && !(x->flags & EXEC_PREV_AVAIL))
                        exec_push(x, TASK_VISIT, st->next, 0, 0, false);
                break;
        case OP_LINE_END:
                if (x->pos == x->end)
                        exec_push(x, TASK_VISIT, st->next, 0, 0, false);
                break;
        case OP_MATCH:
                if (x->pos < x->end && byteset_has(&x->nfa->matchers[st->arg], (unsigned char) x->s[x->pos])) {
                        exec_push(x, TASK_SET_POS, -1, x->pos, 0, false);
                        x->pos++;
                        exec_push(x, TASK_VISIT, st->next, 0, 0, false);
                }
                break;
        case OP_ACCEPT:
                x->has_solution = exact ? x->pos == x->end : true;
                if (x->pos == x->begin && (x->flags & EXEC_NOT_NULL))
                        x->has_solution = false;
                /* POSIX: keep the longest; the first found wins a tie. */
                if (x->has_solution && (!x->have_best_end || x->best_end - x->begin < x->pos - x->begin)) {
                        x->have_best_end = true;
                        x->best_end = x->pos;
                        memcpy(x->best, x->cur, x->nfa->n_groups * sizeof(*x->best));
                }
                break;
        default:
                break;
        }
}

/* One _M_main from x->begin: returns 1 on a match (in x->best), 0 if none,
 * -E2BIG past the step budget. */
static int exec_main(Executor *x, bool exact) {
        x->has_solution = false;
        x->have_best_end = false;
        memcpy(x->cur, x->best, x->nfa->n_groups * sizeof(*x->cur));
        x->pos = x->begin;
        x->n_tasks = 0;
        exec_push(x, TASK_VISIT, 0, 0, 0, false);

        while (x->n_tasks > 0) {
                Task t = x->tasks[--x->n_tasks];

                if (++x->steps > REGEX_STEP_BUDGET || x->n_tasks > REGEX_MAX_TASKS)
                        return -E2BIG;
                switch (t.kind) {
                case TASK_VISIT:
                        exec_visit(x, t.state, exact);
                        break;
                case TASK_SET_POS:
                        x->pos = t.a;
                        break;
                case TASK_RESTORE_FIRST:
                        x->cur[t.state].first = t.a;
                        break;
                case TASK_RESTORE_CAPTURE:
                        x->cur[t.state] = (Capture) { .first = t.a, .second = t.b, .matched = t.flag };
                        break;
                case TASK_RESTORE_REPEAT:
                        x->reps[t.state] = (RepeatCount) { .pos = t.a, .count = (unsigned) t.b };
                        break;
                case TASK_ALT_SECOND:
                        /* Both sides are always tried (POSIX). */
                        exec_push(x, TASK_OR_SOLUTION, -1, 0, 0, x->has_solution);
                        x->has_solution = false;
                        exec_push(x, TASK_VISIT, x->nfa->states[t.state].next, 0, 0, false);
                        break;
                case TASK_OR_SOLUTION:
                        x->has_solution = x->has_solution || t.flag;
                        break;
                case TASK_REPEAT_EXIT:
                        /* Greedy: leaving is tried only if looping found nothing. */
                        if (!x->has_solution)
                                exec_push(x, TASK_VISIT, x->nfa->states[t.state].next, 0, 0, false);
                        break;
                }
        }
        return x->has_solution ? 1 : 0;
}

static void exec_reset_captures(Executor *x) {
        for (size_t g = 0; g < x->nfa->n_groups; g++)
                x->best[g] = (Capture) { 0 };
}

/* regex_match over s[0..len). */
static int exec_match(Executor *x, size_t len) {
        x->begin = 0;
        x->end = len;
        x->flags = 0;
        exec_reset_captures(x);
        return exec_main(x, true);
}

/* regex_search over s[start..len) with flags. */
static int exec_search(Executor *x, size_t start, size_t len, unsigned flags) {
        int r;

        x->begin = start;
        x->end = len;
        x->flags = flags;
        exec_reset_captures(x);
        r = exec_main(x, false);
        if (r != 0 || (flags & EXEC_CONTINUOUS))
                return r;
        x->flags |= EXEC_PREV_AVAIL;
        while (x->begin < x->end) {
                x->begin++;
                r = exec_main(x, false);
                if (r != 0)
                        return r;
        }
        return 0;
}

static void exec_init(Executor *x, const Nfa *nfa, const char *s) {
        *x = (Executor) {
                .nfa = nfa,
                .s = s,
                .cur = xcalloc(nfa->n_groups, sizeof(Capture)),
                .best = xcalloc(nfa->n_groups, sizeof(Capture)),
                .reps = xcalloc(nfa->n_repeats ? nfa->n_repeats : 1, sizeof(RepeatCount)),
        };
}

static void exec_done(Executor *x) {
        free(x->cur);
        free(x->best);
        free(x->reps);
        free(x->tasks);
}

/* ---- The cache of compiled patterns ---- */

typedef struct RegexEntry {
        char *pattern; /* malloc; NULL for an empty slot */
        RegexStatus status;
        Nfa nfa;       /* when status is REGEX_OK */
        char *ere;     /* the fallback ERE, compiled into re on first use */
        bool have_re, re_failed;
        regex_t re;
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
static RegexEntry *regex_cache_get(const char *pattern) {
        size_t i;

        if (regex_cache.cap == 0 || (regex_cache.n + 1) * 4 > regex_cache.cap * 3)
                regex_cache_grow();

        i = pattern_hash(pattern) & (regex_cache.cap - 1);
        for (;;) {
                RegexEntry *e = &regex_cache.slots[i];

                if (!e->pattern) {
                        e->pattern = xstrdup(pattern);
                        e->status = regex_parse(pattern, &e->nfa, &e->ere);
                        regex_cache.n++;
                        return e;
                }
                if (strcmp(e->pattern, pattern) == 0)
                        return e;
                i = (i + 1) & (regex_cache.cap - 1);
        }
}

static int regex_compile(EvalState *st, const Pos *pos, const char *pattern, RegexEntry **ret) {
        RegexEntry *e = regex_cache_get(pattern);

        if (e->status == REGEX_TOO_BIG)
                return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                  "memory limit exceeded by regular expression '%s'", pattern);
        if (e->status != REGEX_OK)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "invalid regular expression '%s'", pattern);
        *ret = e;
        return 0;
}

/* The glibc fallback, compiled on first use. NULL if glibc refuses it
 * (counts over RE_DUP_MAX, 32767). */
static const regex_t *regex_fallback(RegexEntry *e) {
        if (!e->have_re && !e->re_failed) {
                if (regcomp(&e->re, e->ere, REG_EXTENDED) == 0)
                        e->have_re = true;
                else
                        e->re_failed = true;
        }
        return e->have_re ? &e->re : NULL;
}

/* ---- Running a pattern: the engine, or glibc past the budget ---- */

typedef struct RegexRun {
        RegexEntry *e;
        const char *s;
        size_t len;
        bool use_glibc;
        Executor x;
        regmatch_t *m; /* glibc's results (n_groups of them) */
} RegexRun;

static void regex_run_init(RegexRun *run, RegexEntry *e, const char *s) {
        *run = (RegexRun) { .e = e, .s = s, .len = strlen(s) };
        exec_init(&run->x, &e->nfa, s);
}

static void regex_run_done(RegexRun *run) {
        exec_done(&run->x);
        free(run->m);
}

/* Switches to glibc; false if it cannot take the pattern. */
static bool regex_run_fallback(RegexRun *run) {
        if (!regex_fallback(run->e) || run->e->re.re_nsub + 1 != run->e->nfa.n_groups)
                return false;
        run->use_glibc = true;
        if (!run->m)
                run->m = xcalloc(run->e->nfa.n_groups, sizeof(*run->m));
        return true;
}

/* glibc's leftmost-longest search from start (REG_STARTEND keeps what is
 * before start visible, so ^ matches only at 0), filtered to the
 * executor's flags. */
static int glibc_search(RegexRun *run, size_t start, unsigned flags) {
        regmatch_t *m = run->m;
        int r;

        m[0].rm_so = (regoff_t) start;
        m[0].rm_eo = (regoff_t) run->len;
        r = regexec(&run->e->re, run->s, run->e->nfa.n_groups, m, REG_STARTEND);
        if (r == REG_NOMATCH)
                return 0;
        if (r != 0)
                return -ENOMEM;
        if (flags & EXEC_CONTINUOUS) {
                /* At start and non-empty: the longest match there is. */
                if ((size_t) m[0].rm_so != start || ((flags & EXEC_NOT_NULL) && m[0].rm_eo == m[0].rm_so))
                        return 0;
        }
        return 1;
}

/* A search or a whole match; on 1 the captures are read with
 * regex_run_group(). Returns 0 for no match, -E2BIG / -ENOMEM on failure. */
static int regex_run(RegexRun *run, bool exact, size_t start, unsigned flags) {
        int r;

        if (!run->use_glibc) {
                r = exact ? exec_match(&run->x, run->len) : exec_search(&run->x, start, run->len, flags);
                if (r != -E2BIG)
                        return r;
                if (!regex_run_fallback(run))
                        return r;
        }
        r = glibc_search(run, exact ? 0 : start, exact ? 0 : flags);
        if (r > 0 && exact && (run->m[0].rm_so != 0 || (size_t) run->m[0].rm_eo != run->len))
                return 0;
        return r;
}

/* Group g of the last successful run: false when it did not take part. */
static bool regex_run_group(const RegexRun *run, size_t g, size_t *ret_so, size_t *ret_eo) {
        if (run->use_glibc) {
                if (run->m[g].rm_so < 0)
                        return false;
                *ret_so = (size_t) run->m[g].rm_so;
                *ret_eo = (size_t) run->m[g].rm_eo;
                return true;
        }
        if (!run->x.best[g].matched)
                return false;
        *ret_so = run->x.best[g].first;
        *ret_eo = run->x.best[g].second;
        return true;
}

static int regex_run_error(EvalState *st, const Pos *pos, const char *pattern, int r) {
        return eval_error(st, EVAL_ERROR_GENERIC, pos,
                          r == -E2BIG ? "regular expression '%s' is too expensive to match"
                                      : "memory limit exceeded by regular expression '%s'",
                          pattern);
}

/* A list of the groups 1.. of the last run: strings, or null for groups
 * that took no part in the match. */
static void groups_to_list(const RegexRun *run, Value *list) {
        size_t n = run->e->nfa.n_groups - 1;

        value_set_list(list, n);
        for (size_t i = 0; i < n; i++) {
                Value *g = value_new();
                size_t so, eo;

                if (regex_run_group(run, i + 1, &so, &eo))
                        value_set_string_copy(g, run->s + so, eo - so, NULL);
                else
                        value_set_null(g);
                list->list.elems[i] = g;
        }
}

static int prim_match(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_(regex_run_done) RegexRun run = { 0 };
        const char *pattern, *s;
        RegexEntry *e;
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

        regex_run_init(&run, e, s);
        r = regex_run(&run, true, 0, 0);
        if (r < 0)
                return regex_run_error(st, pos, pattern, r);
        if (r == 0) {
                value_set_null(ret);
                return 0;
        }
        groups_to_list(&run, ret);
        return 0;
}

/* One match found by the split walk. GC memory (points at GC values). */
typedef struct SplitMatch {
        size_t prefix_start; /* where the text before this match begins */
        size_t so, eo;
        Value *groups;
} SplitMatch;

static int prim_split(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_(regex_run_done) RegexRun run = { 0 };
        const char *pattern, *s;
        SplitMatch *matches = NULL;
        size_t n = 0, cap = 0, start, prefix_start = 0;
        unsigned flags = 0;
        RegexEntry *e;
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

        regex_run_init(&run, e, s);
        r = regex_run(&run, false, 0, flags);
        for (;;) {
                SplitMatch *sm;
                size_t so = 0, eo = 0;

                if (r < 0)
                        return regex_run_error(st, pos, pattern, r);
                if (r == 0)
                        break;

                if (n == cap) {
                        SplitMatch *grown;

                        cap = cap ? cap * 2 : 8;
                        grown = gc_alloc(cap * sizeof(*grown));
                        if (n > 0)
                                memcpy(grown, matches, n * sizeof(*grown));
                        matches = grown;
                }
                regex_run_group(&run, 0, &so, &eo);
                sm = &matches[n++];
                *sm = (SplitMatch) { .prefix_start = prefix_start, .so = so, .eo = eo, .groups = value_new() };
                groups_to_list(&run, sm->groups);

                /* The next match, as regex_iterator's increment finds it. */
                start = eo;
                prefix_start = eo;
                if (so == eo) {
                        if (start == run.len)
                                break;
                        r = regex_run(&run, false, start, flags | EXEC_NOT_NULL | EXEC_CONTINUOUS);
                        if (r != 0)
                                continue;
                        start++;
                }
                flags |= EXEC_PREV_AVAIL;
                r = regex_run(&run, false, start, flags);
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
        value_set_string_copy(suffix, s + matches[n - 1].eo, run.len - matches[n - 1].eo, NULL);
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
