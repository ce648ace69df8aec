/* The arena that holds syntax trees.
 *
 * Parsed code lives as long as the process (values keep pointing into it),
 * so it is allocated from malloc'ed blocks that are never freed and that the
 * garbage collector never scans: big programs then cost the collector
 * nothing. Consequently nothing in the arena may hold the only pointer to a
 * GC object; the AST's own constants (string, path and number literals) are
 * arena objects too. */
#pragma once

#include <stddef.h>

/* Zeroed memory, aligned for any type. Aborts on exhaustion. */
void *ast_alloc(size_t n);
/* NUL-terminated copy of n bytes of s. */
char *ast_strndup(const char *s, size_t n);

/* For long-running callers that parse many throw-away programs (the
 * fuzzer): everything allocated after a mark is freed by releasing it. Only
 * safe when nothing from that time is still in use. */
typedef struct AstArenaMark {
        void *top; /* opaque */
        size_t used;
        void *bigs;
} AstArenaMark;

AstArenaMark ast_arena_mark(void);
void ast_arena_release(AstArenaMark mark);
