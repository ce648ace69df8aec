#include "ast-arena.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define BLOCK_SIZE (256 * 1024)

/* Blocks are chained newest first. Requests over a quarter block get a block
 * of their own, on a separate chain, so the current block keeps filling. */
typedef struct Block {
        struct Block *prev;
        size_t used, size;
        char data[];
} Block;

static Block *top, *bigs;

void *ast_alloc(size_t n) {
        n = (n + 15) & ~(size_t) 15;
        if (n > BLOCK_SIZE / 4) {
                Block *b = xcalloc(1, sizeof(Block) + n);
                b->size = b->used = n;
                b->prev = bigs;
                bigs = b;
                return b->data;
        }
        if (!top || top->size - top->used < n) {
                Block *b = xcalloc(1, sizeof(Block) + BLOCK_SIZE);
                b->size = BLOCK_SIZE;
                b->prev = top;
                top = b;
        }
        void *p = top->data + top->used;
        top->used += n;
        return p;
}

char *ast_strndup(const char *s, size_t n) {
        char *r = ast_alloc(n + 1);
        memcpy(r, s, n);
        r[n] = 0;
        return r;
}

AstArenaMark ast_arena_mark(void) {
        return (AstArenaMark) { .top = top, .used = top ? top->used : 0, .bigs = bigs };
}

void ast_arena_release(AstArenaMark mark) {
        while (top != mark.top) {
                Block *prev = top->prev;
                free(top);
                top = prev;
        }
        if (top) {
                memset(top->data + mark.used, 0, top->used - mark.used);
                top->used = mark.used;
        }
        while (bigs != mark.bigs) {
                Block *prev = bigs->prev;
                free(bigs);
                bigs = prev;
        }
}
