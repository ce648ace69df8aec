#include "gc-alloc.h"

#include "cleanup.h"

#include <gc/gc_mark.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static void *check(void *p) {
        if (!p) {
                fputs("firn: out of memory\n", stderr);
                abort();
        }
        return p;
}

void *gc_alloc(size_t n) {
        return check(GC_MALLOC(n ? n : 1));
}

/* One free list per 16-byte granule. The array is registered as a root
 * (gc_setup), so the cached objects stay allocated: no other static data is
 * scanned (GC_set_no_dls) and nothing else static may hold GC pointers. */
void *gc_small_cache[GC_CACHE_MAX / 16 + 1];

void *gc_alloc_small_refill(size_t g) {
        void *p = GC_malloc_many(g * 16);
        if (!p)
                return gc_alloc(g * 16);
        gc_small_cache[g] = GC_NEXT(p);
        GC_NEXT(p) = NULL;
        return p;
}

/* A kind like libgc's NORMAL (scanned conservatively over its whole size)
 * whose new objects are not cleared. */
static int uncleared_kind = -1;

void *gc_alloc_uncleared(size_t n) {
        if (n < GC_UNCLEARED_MIN || uncleared_kind < 0)
                return gc_alloc(n);
        return check(GC_generic_malloc(n, uncleared_kind));
}

void *gc_alloc_atomic(size_t n) {
        return check(GC_MALLOC_ATOMIC(n ? n : 1));
}

char *gc_strndup(const char *s, size_t n) {
        char *r = gc_alloc_atomic(n + 1);
        memcpy(r, s, n);
        r[n] = 0;
        return r;
}

/* Page faults are costly (one per 4 KiB touched); transparent huge pages
 * cut them 512-fold. libgc maps its heap itself, so after it grows, mark
 * every anonymous read-write mapping of 2 MiB or more for huge pages. */
static void advise_huge_pages(void) {
        FILE *f = fopen("/proc/self/maps", "re");
        if (!f)
                return;
        char line[512];
        while (fgets(line, sizeof line, f)) {
                unsigned long start, end;
                char perms[8];
                int path_at = 0;
                if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3)
                        continue;
                bool anonymous = path_at == 0 || line[path_at] == '\n' || line[path_at] == 0;
                if (anonymous && perms[0] == 'r' && perms[1] == 'w' && end - start >= (2UL << 20))
                        (void) madvise((void *) start, end - start, MADV_HUGEPAGE);
        }
        fclose(f);
}

static void on_heap_resize(GC_word new_size) {
        (void) new_size;
        advise_huge_pages();
}

void gc_setup(void) {
        /* Recognise only pointers to the start of objects: marking is much
         * cheaper, and fewer integers are mistaken for pointers. Everything
         * that keeps an object alive must therefore point at its start. */
        GC_set_all_interior_pointers(0);
        /* No GC pointers live in shared libraries' data: skip scanning it. */
        GC_set_no_dls(1);
        GC_INIT();
        GC_add_roots(gc_small_cache, gc_small_cache + ELEMENTSOF(gc_small_cache));
        uncleared_kind = (int) GC_new_kind(GC_new_free_list(), GC_DS_LENGTH, 1, 0);
        /* Evaluation allocates in bursts of small objects; a larger free-space
         * divisor trades memory for fewer collections. */
        if (!getenv("GC_FREE_SPACE_DIVISOR"))
                GC_set_free_space_divisor(4);
        /* A modest starting heap: small evaluations stay small (and in
         * cache), while bigger ones skip the first rounds of collections
         * that a tiny heap would trigger. 8 MiB was as fast as 16 MiB on
         * bench/lang's small rows and saves their peak RSS the difference
         * (with huge pages every touched 2 MiB is resident); 4 MiB was
         * slower. */
        if (!getenv("GC_INITIAL_HEAP_SIZE"))
                GC_expand_hp(8 << 20);
        if (!getenv("FIRN_NO_HUGE_PAGES")) {
                advise_huge_pages();
                GC_set_on_heap_resize(on_heap_resize);
        }
}

AllocStats alloc_stats;

void gc_print_stats(FILE *f) {
        fprintf(f, "gc.heapSize %zu\ngc.totalBytes %zu\ngc.collections %zu\n",
                (size_t) GC_get_heap_size(), (size_t) GC_get_total_bytes(), (size_t) GC_get_gc_no());
        fprintf(f, "values %zu (%zu bytes)\nenvs %zu (%zu bytes)\nsets %zu (%zu bytes)\nlist elements %zu\n",
                alloc_stats.values, alloc_stats.values * 24, alloc_stats.envs, alloc_stats.env_bytes,
                alloc_stats.sets, alloc_stats.set_bytes, alloc_stats.list_elems);
}
