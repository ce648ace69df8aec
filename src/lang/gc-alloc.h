/* Allocation on the evaluator's heap (Boehm GC). Objects reachable only from
 * malloc'ed memory are invisible to the collector: keep every pointer to a GC
 * object in GC memory, a stack variable or a global. */
#pragma once

#include <gc/gc.h>
#include <stddef.h>
#include <string.h>

/* Zeroed memory that may hold pointers. Aborts on exhaustion. */
void *gc_alloc(size_t n);
/* Small zeroed objects of a fixed size class (sizes up to GC_CACHE_MAX bytes),
 * served from per-size batches (GC_malloc_many), which is much cheaper than
 * one GC_malloc call per Value or Env. */
#define GC_CACHE_MAX 256
extern void *gc_small_cache[GC_CACHE_MAX / 16 + 1];
/* Refills the free list of one size class and returns an object from it. */
void *gc_alloc_small_refill(size_t granules);
static inline void *gc_alloc_small(size_t n) {
        size_t g = (n + 15) / 16;
        if (__builtin_expect(g - 1 >= GC_CACHE_MAX / 16, 0))
                return gc_alloc(n);
        void *p = gc_small_cache[g];
        if (__builtin_expect(!p, 0))
                return gc_alloc_small_refill(g);
        gc_small_cache[g] = GC_NEXT(p);
        GC_NEXT(p) = NULL;
        return p;
}

/* Memory that may hold pointers but is NOT zeroed when large (at least
 * GC_UNCLEARED_MIN bytes): for big arrays the caller fills at once, which
 * libgc would otherwise clear first. Stale words in a part left unwritten
 * are scanned conservatively (they can only retain garbage, never crash). */
#define GC_UNCLEARED_MIN ((size_t) 64 << 10)
void *gc_alloc_uncleared(size_t n);

/* Memory that holds no pointers (strings, numbers); not zeroed. */
void *gc_alloc_atomic(size_t n);
/* NUL-terminated copy of n bytes of s. */
char *gc_strndup(const char *s, size_t n);
static inline char *gc_strdup(const char *s) {
        return gc_strndup(s, strlen(s));
}
/* Allocation counters, printed by gc_print_stats (like NIX_SHOW_STATS). */
typedef struct AllocStats {
        size_t values, envs, env_bytes, sets, set_bytes, list_elems;
} AllocStats;
extern AllocStats alloc_stats;

/* Prints heap size, total bytes allocated and collections (FIRN_SHOW_STATS). */
#include <stdio.h>
void gc_print_stats(FILE *f);
/* Start the collector; call once from main before evaluating. */
void gc_setup(void);
