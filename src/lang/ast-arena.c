#include "ast-arena.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define BLOCK_SIZE (256 * 1024)

static char *block;
static size_t used, avail;

void *ast_alloc(size_t n) {
        n = (n + 15) & ~(size_t) 15;
        if (n > BLOCK_SIZE / 4)
                return xcalloc(1, n);
        if (n > avail) {
                block = xcalloc(1, BLOCK_SIZE);
                used = 0;
                avail = BLOCK_SIZE;
        }
        void *p = block + used;
        used += n;
        avail -= n;
        return p;
}

char *ast_strndup(const char *s, size_t n) {
        char *r = ast_alloc(n + 1);
        memcpy(r, s, n);
        r[n] = 0;
        return r;
}
