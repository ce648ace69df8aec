#include "lexer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ast-arena.h"
#include "gc-alloc.h"
#include "xalloc.h"

typedef enum LexState {
        LS_DEFAULT,
        LS_STRING,
        LS_IND_STRING,
        LS_INPATH,
        LS_INPATH_SLASH,
} LexState;

#define MAX_STATES 4096

struct Lexer {
        const char *text;
        size_t len, p;
        uint32_t line, col;
        /* Where the last match (token, whitespace or comment) started: an
         * end-of-file error is reported there, as Nix's scanner does. */
        uint32_t last_line, last_col;
        int n_states;
        uint8_t states[MAX_STATES];
};

static void init_classes(void);

Lexer *lexer_new(const char *text, size_t len) {
        init_classes();
        Lexer *lx = xmalloc(sizeof(Lexer));
        *lx = (Lexer) { 0 };
        lx->text = text;
        lx->len = len;
        lx->line = 1;
        lx->col = 1;
        lx->n_states = 1;
        lx->states[0] = LS_DEFAULT;
        return lx;
}

void lexer_free(Lexer *lx) {
        free(lx);
}

static LexState top(Lexer *lx) {
        return lx->states[lx->n_states - 1];
}

static bool push(Lexer *lx, LexState s) {
        if (lx->n_states >= MAX_STATES)
                return false;
        lx->states[lx->n_states++] = s;
        return true;
}

static void pop(Lexer *lx) {
        if (lx->n_states > 1)
                lx->n_states--;
}

static char at(Lexer *lx, size_t i) {
        return i < lx->len ? lx->text[i] : 0;
}

static void advance(Lexer *lx, size_t n) {
        if (lx->p + n > lx->len)
                n = lx->len - lx->p;
        const char *s = lx->text + lx->p, *end = s + n;
        for (;;) {
                const char *nl = memchr(s, '\n', end - s);
                if (!nl)
                        break;
                lx->line++;
                lx->col = 1;
                s = nl + 1;
        }
        lx->col += end - s;
        lx->p += n;
}

/* Character classes, as a table: the lexer asks these for every byte. */
enum {
        C_ALPHA = 1 << 0,
        C_DIGIT = 1 << 1,
        C_ID_CHAR = 1 << 2,   /* [a-zA-Z0-9_'-] */
        C_PATH_CHAR = 1 << 3, /* [a-zA-Z0-9._+-] */
        C_URI_CHAR = 1 << 4,  /* [a-zA-Z0-9%/?:@&=+$,_.!~*'-] */
        C_URI_SCHEME = 1 << 5,/* [a-zA-Z0-9+.-] */
};

static uint8_t char_class[256];

static void init_classes(void) {
        if (char_class['a'])
                return;
        for (int c = 0; c < 256; c++) {
                uint8_t k = 0;
                bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                bool digit = c >= '0' && c <= '9';
                if (alpha)
                        k |= C_ALPHA;
                if (digit)
                        k |= C_DIGIT;
                if (alpha || digit || c == '_' || c == '\'' || c == '-')
                        k |= C_ID_CHAR;
                if (alpha || digit || c == '.' || c == '_' || c == '-' || c == '+')
                        k |= C_PATH_CHAR;
                if (alpha || digit || (c && strchr("%/?:@&=+$,-_.!~*'", c)))
                        k |= C_URI_CHAR;
                if (alpha || digit || c == '+' || c == '-' || c == '.')
                        k |= C_URI_SCHEME;
                char_class[c] = k;
        }
}

static inline bool is_alpha(char c) {
        return char_class[(unsigned char) c] & C_ALPHA;
}
static inline bool is_digit(char c) {
        return char_class[(unsigned char) c] & C_DIGIT;
}
static inline bool is_id_start(char c) {
        return (char_class[(unsigned char) c] & C_ALPHA) || c == '_';
}
static inline bool is_id_char(char c) {
        return char_class[(unsigned char) c] & C_ID_CHAR;
}
static inline bool is_path_char(char c) {
        return char_class[(unsigned char) c] & C_PATH_CHAR;
}
static inline bool is_uri_char(char c) {
        return char_class[(unsigned char) c] & C_URI_CHAR;
}

/* Each match_* returns the length of the longest match at position p, or 0. */

static size_t match_id(Lexer *lx, size_t p) {
        if (!is_id_start(at(lx, p)))
                return 0;
        size_t q = p + 1;
        while (is_id_char(at(lx, q)))
                q++;
        return q - p;
}

static size_t match_int(Lexer *lx, size_t p) {
        size_t q = p;
        while (is_digit(at(lx, q)))
                q++;
        return q - p;
}

static size_t match_exponent(Lexer *lx, size_t q) {
        if (at(lx, q) != 'e' && at(lx, q) != 'E')
                return 0;
        size_t r = q + 1;
        if (at(lx, r) == '+' || at(lx, r) == '-')
                r++;
        if (!is_digit(at(lx, r)))
                return 0;
        while (is_digit(at(lx, r)))
                r++;
        return r - q;
}

/* (([1-9][0-9]*\.[0-9]*)|(0?\.[0-9]+))([Ee][+-]?[0-9]+)? */
static size_t match_float(Lexer *lx, size_t p) {
        size_t best = 0, q;
        if (at(lx, p) >= '1' && at(lx, p) <= '9') {
                q = p + 1;
                while (is_digit(at(lx, q)))
                        q++;
                if (at(lx, q) == '.') {
                        q++;
                        while (is_digit(at(lx, q)))
                                q++;
                        q += match_exponent(lx, q);
                        best = q - p;
                }
        }
        q = p;
        if (at(lx, q) == '0')
                q++;
        if (at(lx, q) == '.' && is_digit(at(lx, q + 1))) {
                q++;
                while (is_digit(at(lx, q)))
                        q++;
                q += match_exponent(lx, q);
                if (q - p > best)
                        best = q - p;
        }
        return best;
}

/* {PATH_CHAR}*(\/{PATH_CHAR}+)+\/? */
static size_t match_path(Lexer *lx, size_t p) {
        size_t q = p;
        while (is_path_char(at(lx, q)))
                q++;
        int groups = 0;
        while (at(lx, q) == '/' && is_path_char(at(lx, q + 1))) {
                q++;
                while (is_path_char(at(lx, q)))
                        q++;
                groups++;
        }
        if (!groups)
                return 0;
        if (at(lx, q) == '/')
                q++;
        return q - p;
}

/* \~(\/{PATH_CHAR}+)+\/? */
static size_t match_hpath(Lexer *lx, size_t p) {
        if (at(lx, p) != '~')
                return 0;
        size_t q = p + 1;
        int groups = 0;
        while (at(lx, q) == '/' && is_path_char(at(lx, q + 1))) {
                q++;
                while (is_path_char(at(lx, q)))
                        q++;
                groups++;
        }
        if (!groups)
                return 0;
        if (at(lx, q) == '/')
                q++;
        return q - p;
}

/* {PATH_SEG}\$\{ i.e. {PATH_CHAR}*\/\$\{ ; returns the length of the segment
 * (without "${") via ret_seg. */
static size_t match_path_seg_interp(Lexer *lx, size_t p, size_t *ret_seg) {
        size_t q = p;
        if (at(lx, p) == '~' && at(lx, p + 1) == '/' && at(lx, p + 2) == '$' && at(lx, p + 3) == '{') {
                *ret_seg = 2;
                return 4;
        }
        while (is_path_char(at(lx, q)))
                q++;
        if (at(lx, q) == '/' && at(lx, q + 1) == '$' && at(lx, q + 2) == '{') {
                *ret_seg = q + 1 - p;
                return q + 3 - p;
        }
        return 0;
}

/* \<{PATH_CHAR}+(\/{PATH_CHAR}+)*\> */
static size_t match_spath(Lexer *lx, size_t p) {
        if (at(lx, p) != '<' || !is_path_char(at(lx, p + 1)))
                return 0;
        size_t q = p + 1;
        while (is_path_char(at(lx, q)))
                q++;
        while (at(lx, q) == '/' && is_path_char(at(lx, q + 1))) {
                q++;
                while (is_path_char(at(lx, q)))
                        q++;
        }
        if (at(lx, q) != '>')
                return 0;
        return q + 1 - p;
}

/* [a-zA-Z][a-zA-Z0-9\+\-\.]*\:[a-zA-Z0-9\%\/\?\:\@\&\=\+\$\,\-\_\.\!\~\*\']+ */
static size_t match_uri(Lexer *lx, size_t p) {
        if (!is_alpha(at(lx, p)))
                return 0;
        size_t q = p + 1;
        while (char_class[(unsigned char) at(lx, q)] & C_URI_SCHEME)
                q++;
        if (at(lx, q) != ':' || !is_uri_char(at(lx, q + 1)))
                return 0;
        q++;
        while (is_uri_char(at(lx, q)))
                q++;
        return q - p;
}

static size_t match_comment(Lexer *lx, size_t p) {
        if (at(lx, p) == '#') {
                size_t q = p + 1;
                while (q < lx->len && lx->text[q] != '\n' && lx->text[q] != '\r')
                        q++;
                return q - p;
        }
        if (at(lx, p) == '/' && at(lx, p + 1) == '*') {
                size_t q = p + 2;
                while (q < lx->len) {
                        if (lx->text[q] == '*' && at(lx, q + 1) == '/')
                                return q + 2 - p;
                        q++;
                }
        }
        return 0;
}

static const struct {
        const char *text;
        int kind;
} keywords[] = {
        { "if", TOK_IF }, { "then", TOK_THEN }, { "else", TOK_ELSE }, { "assert", TOK_ASSERT },
        { "with", TOK_WITH }, { "let", TOK_LET }, { "in", TOK_IN }, { "rec", TOK_REC },
        { "inherit", TOK_INHERIT }, { "or", TOK_OR_KW },
};

static const struct {
        const char *text;
        int kind;
} operators[] = {
        { "...", TOK_ELLIPSIS }, { "==", TOK_EQ }, { "!=", TOK_NEQ }, { "<=", TOK_LEQ },
        { ">=", TOK_GEQ }, { "&&", TOK_AND }, { "||", TOK_OR }, { "->", TOK_IMPL },
        { "//", TOK_UPDATE }, { "++", TOK_CONCAT },
};

/* Resolves backslash escapes and normalises CR and CRLF to LF. */
static char *unescape(const char *s, size_t len, size_t *ret_len) {
        char *r = ast_alloc(len + 1), *t = r;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (c == '\\' && i + 1 < len) {
                        c = s[++i];
                        *t++ = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
                } else if (c == '\r') {
                        *t++ = '\n';
                        if (i + 1 < len && s[i + 1] == '\n')
                                i++;
                } else
                        *t++ = c;
        }
        *t = 0;
        *ret_len = t - r;
        return r;
}

static void set_text(Token *t, const char *s, size_t len) {
        t->str = ast_strndup(s, len);
        t->len = len;
}

static void lex_error(Lexer *lx, Token *t, const char *msg) {
        t->kind = TOK_ERROR;
        t->str = msg;
        t->len = strlen(msg);
        (void) lx;
}

static void lex_string(Lexer *lx, Token *t) {
        size_t p = lx->p;
        if (at(lx, p) == '"' ) {
                pop(lx);
                t->kind = '"';
                advance(lx, 1);
                return;
        }
        if (at(lx, p) == '$' && at(lx, p + 1) == '{') {
                push(lx, LS_DEFAULT);
                t->kind = TOK_DOLLAR_CURLY;
                advance(lx, 2);
                return;
        }
        if (p >= lx->len) {
                t->kind = TOK_EOF;
                return;
        }
        size_t q = p;
        for (;;) {
                char c = at(lx, q);
                if (q >= lx->len || c == '"')
                        break;
                if (c == '\\') {
                        if (q + 1 >= lx->len)
                                break;
                        q += 2;
                } else if (c == '$') {
                        char d = at(lx, q + 1);
                        if (d == '{')
                                break;
                        if (d == '"') {
                                q++;
                                break;
                        }
                        if (d == '\\') {
                                if (q + 2 >= lx->len)
                                        break;
                                q += 3;
                        } else if (q + 1 >= lx->len)
                                break;
                        else
                                q += 2;
                } else
                        q++;
        }
        if (q == p) {
                /* A lone '$' or '\' at the end of input: the parser reports it. */
                t->kind = TOK_STR;
                t->str = "";
                t->len = 0;
                advance(lx, lx->len - p);
                return;
        }
        t->kind = TOK_STR;
        size_t n;
        t->str = unescape(lx->text + p, q - p, &n);
        t->len = n;
        advance(lx, q - p);
}

static void lex_ind_string(Lexer *lx, Token *t) {
        size_t p = lx->p;
        char c = at(lx, p), d = at(lx, p + 1), e = at(lx, p + 2);
        if (p >= lx->len) {
                t->kind = TOK_EOF;
                return;
        }
        if (c == '$' && d == '{') {
                push(lx, LS_DEFAULT);
                t->kind = TOK_DOLLAR_CURLY;
                advance(lx, 2);
                return;
        }
        if (c == '\'' && d == '\'') {
                t->kind = TOK_IND_STR;
                if (e == '$') {
                        t->str = "$", t->len = 1;
                        advance(lx, 3);
                } else if (e == '\'') {
                        t->str = "''", t->len = 2;
                        advance(lx, 3);
                } else if (e == '\\' && p + 3 < lx->len) {
                        /* ''\X: one escaped character. */
                        size_t n;
                        t->str = unescape(lx->text + p + 2, 2, &n);
                        t->len = n;
                        advance(lx, 4);
                } else {
                        pop(lx);
                        t->kind = TOK_IND_STRING_CLOSE;
                        advance(lx, 2);
                }
                return;
        }
        size_t q = p;
        for (;;) {
                if (q >= lx->len)
                        break;
                char x = lx->text[q], y = at(lx, q + 1);
                if (x != '$' && x != '\'')
                        q++;
                else if (x == '$' && q + 1 < lx->len && y != '{' && y != '\'')
                        q += 2;
                else if (x == '\'' && q + 1 < lx->len && y != '\'' && y != '$')
                        q += 2;
                else
                        break;
        }
        t->kind = TOK_IND_STR;
        if (q == p) {
                /* A lone '$' or '\'' the main rule could not take. */
                t->str = c == '$' ? "$" : "'";
                t->len = 1;
                advance(lx, 1);
                return;
        }
        t->has_indentation = true;
        set_text(t, lx->text + p, q - p);
        advance(lx, q - p);
}

static void lex_in_path(Lexer *lx, Token *t) {
        size_t p = lx->p;
        LexState s = top(lx);
        if (at(lx, p) == '$' && at(lx, p + 1) == '{') {
                pop(lx);
                push(lx, LS_INPATH);
                push(lx, LS_DEFAULT);
                t->kind = TOK_DOLLAR_CURLY;
                advance(lx, 2);
                return;
        }
        size_t n = match_path(lx, p), seg = 0, m;
        /* {PATH_SEG}: chars then one slash; {PATH_CHAR}+ */
        m = p;
        while (is_path_char(at(lx, m)))
                m++;
        size_t plain = m - p;
        if (at(lx, m) == '/')
                seg = m + 1 - p;
        if (seg > n)
                n = seg;
        if (plain > n)
                n = plain;
        if (n > 0) {
                pop(lx);
                push(lx, lx->text[p + n - 1] == '/' ? LS_INPATH_SLASH : LS_INPATH);
                t->kind = TOK_STR;
                set_text(t, lx->text + p, n);
                advance(lx, n);
                return;
        }
        if (s == LS_INPATH_SLASH) {
                lex_error(lx, t, "path has a trailing slash");
                return;
        }
        pop(lx);
        t->kind = TOK_PATH_END;
}

static void lex_one(Lexer *lx, Token *t) {
        *t = (Token) { 0 };
        switch (top(lx)) {
        case LS_STRING:
                t->line = lx->line, t->col = lx->col;
                lex_string(lx, t);
                return;
        case LS_IND_STRING:
                t->line = lx->line, t->col = lx->col;
                lex_ind_string(lx, t);
                return;
        case LS_INPATH:
        case LS_INPATH_SLASH:
                t->line = lx->line, t->col = lx->col;
                lex_in_path(lx, t);
                return;
        case LS_DEFAULT:
                break;
        }

        for (;;) {
                size_t p = lx->p;
                char c = at(lx, p);
                if (p >= lx->len) {
                        t->line = lx->line, t->col = lx->col;
                        t->kind = TOK_EOF;
                        return;
                }
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                        lx->last_line = lx->line, lx->last_col = lx->col;
                        while (p < lx->len && (lx->text[p] == ' ' || lx->text[p] == '\t' || lx->text[p] == '\r' || lx->text[p] == '\n'))
                                p++;
                        advance(lx, p - lx->p);
                        continue;
                }
                size_t cm = match_comment(lx, p);
                /* A comment is only skipped when no other rule matches longer:
                 * a slash-star can never start a path, so comments always win here. */
                if (cm) {
                        lx->last_line = lx->line, lx->last_col = lx->col;
                        advance(lx, cm);
                        continue;
                }
                break;
        }

        size_t p = lx->p;
        t->line = lx->line;
        t->col = lx->col;

        /* Longest match; on a tie the earlier rule wins, as in flex. */
        enum { R_NONE, R_KEYWORD, R_OP, R_ID, R_INT, R_FLOAT, R_DOLLAR, R_RBRACE, R_LBRACE, R_QUOTE,
               R_IND_OPEN, R_PATH_INTERP, R_PATH, R_HPATH, R_SPATH, R_URI, R_ANY } rule = R_NONE;
        size_t best = 0, n;
        int kw = 0;

        char c0 = lx->text[p];
        uint8_t k0 = char_class[(unsigned char) c0];
        size_t idlen = match_id(lx, p);
        if (idlen >= 2 && idlen <= 7 && (k0 & C_ALPHA) && c0 >= 'a')
                for (size_t i = 0; i < ELEMENTSOF(keywords); i++) {
                        const char *kt = keywords[i].text;
                        if (kt[0] == c0 && strlen(kt) == idlen && memcmp(lx->text + p, kt, idlen) == 0) {
                                rule = R_KEYWORD, best = idlen, kw = keywords[i].kind;
                                break;
                        }
                }
        if (idlen) {
                /* An identifier or keyword, unless a path or URI goes on
                 * past it: those need a '/', '.', '+' or ':' right after
                 * the identifier's characters. No other rule matches text
                 * that starts like an identifier. One scan, then. */
                char c1 = at(lx, p + idlen);
                if (c1 != '/' && c1 != '.' && c1 != '+' && c1 != ':') {
                        if (rule != R_KEYWORD)
                                rule = R_ID, best = idlen;
                        goto matched;
                }
        }
        if (!(k0 & (C_ALPHA | C_DIGIT)) || c0 == '-') {
                /* Each operator is told by its first character. */
                int i = -1;
                switch (c0) {
                case '.': i = 0; break;
                case '=': i = 1; break;
                case '!': i = 2; break;
                case '<': i = 3; break;
                case '>': i = 4; break;
                case '&': i = 5; break;
                case '|': i = 6; break;
                case '-': i = 7; break;
                case '/': i = 8; break;
                case '+': i = 9; break;
                }
                if (i >= 0) {
                        const char *ot = operators[i].text;
                        size_t ol = ot[2] ? 3 : 2;
                        if (at(lx, p + 1) == ot[1] && (ol == 2 || at(lx, p + 2) == ot[2])) {
                                rule = R_OP, best = ol, kw = operators[i].kind;
                        }
                }
        }
        if (idlen > best)
                rule = R_ID, best = idlen;
        if ((k0 & C_DIGIT) && (n = match_int(lx, p)) > best)
                rule = R_INT, best = n;
        if (((k0 & C_DIGIT) || c0 == '.') && (n = match_float(lx, p)) > best)
                rule = R_FLOAT, best = n;
        if (at(lx, p) == '$' && at(lx, p + 1) == '{' && 2 > best)
                rule = R_DOLLAR, best = 2;
        if (at(lx, p) == '}' && 1 > best)
                rule = R_RBRACE, best = 1;
        if (at(lx, p) == '{' && 1 > best)
                rule = R_LBRACE, best = 1;
        if (at(lx, p) == '"' && 1 > best)
                rule = R_QUOTE, best = 1;
        if (at(lx, p) == '\'' && at(lx, p + 1) == '\'') {
                size_t q = p + 2;
                while (at(lx, q) == ' ')
                        q++;
                n = at(lx, q) == '\n' ? q + 1 - p : 2;
                if (n > best)
                        rule = R_IND_OPEN, best = n;
        }
        size_t seg = 0;
        bool pathy = (k0 & C_PATH_CHAR) || c0 == '/' || c0 == '~';
        if (pathy && (n = match_path_seg_interp(lx, p, &seg)) > best)
                rule = R_PATH_INTERP, best = n;
        if (pathy && (n = match_path(lx, p)) > best)
                rule = R_PATH, best = n;
        if (c0 == '~' && (n = match_hpath(lx, p)) > best)
                rule = R_HPATH, best = n;
        if (c0 == '<' && (n = match_spath(lx, p)) > best)
                rule = R_SPATH, best = n;
        if ((k0 & C_ALPHA) && (n = match_uri(lx, p)) > best)
                rule = R_URI, best = n;
        if (best == 0)
                rule = R_ANY, best = 1;

matched:
        switch (rule) {
        case R_KEYWORD:
        case R_OP:
                t->kind = kw;
                break;
        case R_ID:
                /* Identifiers point into the source (not NUL-terminated):
                 * the parser interns them by (str, len). */
                t->kind = TOK_ID;
                t->str = lx->text + p;
                t->len = best;
                break;
        case R_INT: {
                t->kind = TOK_INT;
                set_text(t, lx->text + p, best);
                errno = 0;
                char *end;
                long long v = strtoll(t->str, &end, 10);
                if (errno == ERANGE) {
                        char *msg = ast_alloc(best + 32);
                        sprintf(msg, "invalid integer '%s'", t->str);
                        lex_error(lx, t, msg);
                        break;
                }
                t->integer = v;
                break;
        }
        case R_FLOAT: {
                t->kind = TOK_FLOAT;
                set_text(t, lx->text + p, best);
                errno = 0;
                t->fpoint = strtod(t->str, NULL);
                if (errno != 0) {
                        char *msg = ast_alloc(best + 32);
                        sprintf(msg, "invalid float '%s'", t->str);
                        lex_error(lx, t, msg);
                }
                break;
        }
        case R_DOLLAR:
                push(lx, LS_DEFAULT);
                t->kind = TOK_DOLLAR_CURLY;
                break;
        case R_RBRACE:
                pop(lx);
                t->kind = '}';
                break;
        case R_LBRACE:
                push(lx, LS_DEFAULT);
                t->kind = '{';
                break;
        case R_QUOTE:
                push(lx, LS_STRING);
                t->kind = '"';
                break;
        case R_IND_OPEN:
                push(lx, LS_IND_STRING);
                t->kind = TOK_IND_STRING_OPEN;
                break;
        case R_PATH_INTERP:
                /* Only the first segment: the lexer continues in path state. */
                best = seg;
                push(lx, LS_INPATH_SLASH);
                t->kind = lx->text[p] == '~' ? TOK_HPATH : TOK_PATH;
                set_text(t, lx->text + p, best);
                break;
        case R_PATH:
        case R_HPATH:
                push(lx, lx->text[p + best - 1] == '/' ? LS_INPATH_SLASH : LS_INPATH);
                t->kind = rule == R_PATH ? TOK_PATH : TOK_HPATH;
                set_text(t, lx->text + p, best);
                break;
        case R_SPATH:
                t->kind = TOK_SPATH;
                set_text(t, lx->text + p, best);
                break;
        case R_URI:
                t->kind = TOK_URI;
                set_text(t, lx->text + p, best);
                break;
        case R_ANY:
        case R_NONE:
                t->kind = (unsigned char) lx->text[p];
                break;
        }
        if (t->kind == TOK_ERROR)
                return;
        advance(lx, best);
}

const char *token_kind_name(int kind) {
        static char buf[8][8];
        static int k;
        switch (kind) {
        case TOK_EOF: return "end of file";
        case TOK_ID: return "ID";
        case TOK_INT: return "INT";
        case TOK_FLOAT: return "FLOAT";
        case TOK_STR: return "STR";
        case TOK_IND_STR: return "IND_STR";
        case TOK_PATH: return "PATH";
        case TOK_HPATH: return "HPATH";
        case TOK_SPATH: return "SPATH";
        case TOK_URI: return "URI";
        case TOK_PATH_END: return "PATH_END";
        case TOK_IF: return "'if'";
        case TOK_THEN: return "'then'";
        case TOK_ELSE: return "'else'";
        case TOK_ASSERT: return "'assert'";
        case TOK_WITH: return "'with'";
        case TOK_LET: return "'let'";
        case TOK_IN: return "'in'";
        case TOK_REC: return "'rec'";
        case TOK_INHERIT: return "'inherit'";
        case TOK_OR_KW: return "'or'";
        case TOK_ELLIPSIS: return "'...'";
        case TOK_EQ: return "'=='";
        case TOK_NEQ: return "'!='";
        case TOK_LEQ: return "'<='";
        case TOK_GEQ: return "'>='";
        case TOK_AND: return "'&&'";
        case TOK_OR: return "'||'";
        case TOK_IMPL: return "'->'";
        case TOK_UPDATE: return "'//'";
        case TOK_CONCAT: return "'++'";
        case TOK_DOLLAR_CURLY: return "'${'";
        case TOK_IND_STRING_OPEN: return "IND_STRING_OPEN";
        case TOK_IND_STRING_CLOSE: return "IND_STRING_CLOSE";
        }
        k = (k + 1) % 8;
        snprintf(buf[k], sizeof buf[k], "'%c'", kind);
        return buf[k];
}

void lexer_next(Lexer *lx, Token *t) {
        uint32_t line = lx->line, col = lx->col;
        lex_one(lx, t);
        if (t->kind == TOK_EOF) {
                if (lx->last_line) {
                        t->line = lx->last_line;
                        t->col = lx->last_col;
                }
        } else if (lx->line != line || lx->col != col) {
                /* Something was consumed: remember where its token began. */
                lx->last_line = t->line;
                lx->last_col = t->col;
        }
        t->end_line = lx->line;
        t->end_col = lx->col;
}
