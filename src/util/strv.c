#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "xalloc.h"

size_t strv_length(char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

char **strv_consume(char **l, char *s) {
        size_t n = strv_length(l);
        l = xrealloc(l, sizeof(char *) * (n + 2));
        l[n] = s;
        l[n + 1] = NULL;
        return l;
}

char **strv_push(char **l, const char *s) {
        return strv_consume(l, xstrdup(s));
}

bool strv_contains(char *const *l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (strcmp(l[i], s) == 0)
                        return true;
        return false;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void strv_sort_unique(char **l) {
        size_t n = strv_length(l);
        if (n < 2)
                return;
        qsort(l, n, sizeof(char *), cmp_str);
        size_t w = 1;
        for (size_t i = 1; i < n; i++) {
                if (strcmp(l[i], l[w - 1]) == 0)
                        free(l[i]);
                else
                        l[w++] = l[i];
        }
        l[w] = NULL;
}

char **strv_free(char **l) {
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
        return NULL;
}
