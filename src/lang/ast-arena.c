#include "ast-arena.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xalloc.h"
#include <stdint.h>

/* 2 MiB blocks, aligned and marked for transparent huge pages: a parsed
 * program then costs one page fault per 2 MiB instead of one per 4 KiB
 * (faults are expensive, and big programs are mostly syntax tree). */
#define BLOCK_SIZE ((size_t) 2 << 20)

/* Blocks are chained newest first. Requests over a quarter block get a block
 * of their own, on a separate chain, so the current block keeps filling. */
typedef struct Block {
        struct Block *prev;
        size_t used, size;
        char data[];
} Block;

static Block *top, *bigs;

/* A zeroed, 2 MiB-aligned block from the kernel (calloc as a fallback). */
static Block *huge_block(void) {
        size_t len = 2 * BLOCK_SIZE;
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return xcalloc(1, BLOCK_SIZE);
        char *start = (char *) (((uintptr_t) p + BLOCK_SIZE - 1) & ~(uintptr_t) (BLOCK_SIZE - 1));
        if (start > p)
                munmap(p, start - p);
        if (start + BLOCK_SIZE < p + len)
                munmap(start + BLOCK_SIZE, p + len - (start + BLOCK_SIZE));
        (void) madvise(start, BLOCK_SIZE, MADV_HUGEPAGE);
        return (Block *) start;
}

static void block_free(Block *b) {
        /* Blocks from huge_block() are 2 MiB-aligned mappings. */
        if (b->size == BLOCK_SIZE - sizeof(Block) && ((uintptr_t) b & (BLOCK_SIZE - 1)) == 0)
                munmap(b, BLOCK_SIZE);
        else
                free(b);
}

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
                Block *b = huge_block();
                b->size = BLOCK_SIZE - sizeof(Block);
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
                block_free(top);
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
