/* The Nix lexer: turns source text into tokens, with the same longest-match
 * rules and context states (strings, indented strings, paths) as Nix 2.8's
 * flex scanner, so that ambiguous text such as `a/b`, `x:y` or `<p>` lexes
 * the same way. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum TokenKind {
        TOK_EOF = 0,
        /* Single characters are their own code: ( ) [ ] { } : ; , . = ? @ ! + - * / < > " */
        TOK_ID = 256,
        TOK_INT,
        TOK_FLOAT,
        TOK_STR,          /* a piece of a "…" string or of an interpolated path */
        TOK_IND_STR,      /* a piece of a ''…'' string */
        TOK_PATH,
        TOK_HPATH,
        TOK_SPATH,
        TOK_URI,
        TOK_PATH_END,
        TOK_IF, TOK_THEN, TOK_ELSE, TOK_ASSERT, TOK_WITH, TOK_LET, TOK_IN, TOK_REC,
        TOK_INHERIT, TOK_OR_KW, TOK_ELLIPSIS,
        TOK_EQ, TOK_NEQ, TOK_LEQ, TOK_GEQ, TOK_AND, TOK_OR, TOK_IMPL, TOK_UPDATE, TOK_CONCAT,
        TOK_DOLLAR_CURLY,
        TOK_IND_STRING_OPEN, TOK_IND_STRING_CLOSE,
        TOK_ERROR,        /* lexical error: message in Token.str */
} TokenKind;

typedef struct Token {
        int kind; /* TokenKind or a character */
        uint32_t line, col;
        uint32_t end_line, end_col; /* just after the token */
        /* TOK_STR, TOK_IND_STR, paths, URI: text (GC, NUL-terminated;
         * escapes already resolved for TOK_STR). TOK_ID: a slice of the
         * source, len bytes, not NUL-terminated. */
        const char *str;
        size_t len;
        bool has_indentation; /* TOK_IND_STR from plain text (not an escape) */
        int64_t integer;
        double fpoint;
} Token;

typedef struct Lexer Lexer;

/* text must stay alive and NUL-terminated at text[len]. The lexer is
 * malloc'ed (it holds a 4 KiB state stack): free it with lexer_free(). */
Lexer *lexer_new(const char *text, size_t len);
void lexer_free(Lexer *lx);
/* Returns the next token; TOK_EOF repeatedly at the end. */
void lexer_next(Lexer *lx, Token *ret);
const char *token_kind_name(int kind);
