/* Allocation on the evaluator's heap (Boehm GC). Objects reachable only from
 * malloc'ed memory are invisible to the collector: keep every pointer to a GC
 * object in GC memory, a stack variable or a global. */
#pragma once

#include <gc/gc.h>
#include <stddef.h>
#include <string.h>

/* Zeroed memory that may hold pointers. Aborts on exhaustion. */
void *gc_alloc(size_t n);
/* Memory that holds no pointers (strings, numbers); not zeroed. */
void *gc_alloc_atomic(size_t n);
/* NUL-terminated copy of n bytes of s. */
char *gc_strndup(const char *s, size_t n);
static inline char *gc_strdup(const char *s) {
        return gc_strndup(s, strlen(s));
}
/* Start the collector; call once from main before evaluating. */
void gc_setup(void);
