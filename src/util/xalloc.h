/* malloc wrappers that abort on exhaustion: for small bounded allocations
 * where there is nothing sensible to do on failure. */
#pragma once

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A malloc'ed formatted string (aborts when out of memory). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
