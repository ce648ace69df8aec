#include "symbol.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Symbols index an array of entries; an open-addressing table of slots maps
 * names to them. A slot holds the entry's index and its name's 32-bit hash,
 * so probes and growth touch only the slot array, and an entry only when the
 * hashes match. Names are copied into big malloc'ed chunks (never freed:
 * symbols live as long as the process). */
typedef struct SymbolEntry {
        const char *str;
        size_t len;
} SymbolEntry;

typedef struct Slot {
        uint32_t index; /* entry index + 1, 0 = empty */
        uint32_t hash;
} Slot;

static SymbolEntry *entries;
static size_t n_entries, cap_entries;
static Slot *slots;
static size_t n_slots;

#define CHUNK_SIZE ((size_t) 64 << 10)
static char *chunk;
static size_t chunk_left;

static const char *store_name(const char *s, size_t len) {
        if (len + 1 > chunk_left) {
                if (len + 1 > CHUNK_SIZE / 4)
                        return xstrndup(s, len);
                chunk = xmalloc(CHUNK_SIZE);
                chunk_left = CHUNK_SIZE;
        }
        char *r = chunk;
        memcpy(r, s, len);
        r[len] = 0;
        chunk += len + 1;
        chunk_left -= len + 1;
        return r;
}

static uint32_t hash_bytes(const char *s, size_t len) {
        uint64_t h = 1469598103934665603ULL; /* FNV-1a */
        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char) s[i];
                h *= 1099511628211ULL;
        }
        return (uint32_t) (h ^ h >> 32);
}

static void rehash(void) {
        size_t n = n_slots ? n_slots * 2 : 4096;
        Slot *s = xcalloc(n, sizeof(Slot));
        for (size_t i = 0; i < n_slots; i++) {
                if (!slots[i].index)
                        continue;
                size_t j = slots[i].hash & (n - 1);
                while (s[j].index)
                        j = (j + 1) & (n - 1);
                s[j] = slots[i];
        }
        free(slots);
        slots = s;
        n_slots = n;
}

static Symbol add(const char *s, size_t len, uint32_t h, size_t j) {
        if (n_entries == cap_entries)
                entries = xrealloc(entries, sizeof(SymbolEntry) * (cap_entries = cap_entries ? cap_entries * 2 : 1024));
        entries[n_entries] = (SymbolEntry) { store_name(s, len), len };
        slots[j] = (Slot) { ++n_entries, h };
        if (n_entries * 2 > n_slots)
                rehash();
        return n_entries - 1;
}

Symbol symbol_intern(const char *s, size_t len) {
        if (n_slots == 0) {
                rehash();
                /* Symbol 0 is the empty string. */
                uint32_t h0 = hash_bytes("", 0);
                add("", 0, h0, h0 & (n_slots - 1));
        }
        uint32_t h = hash_bytes(s, len);
        size_t j = h & (n_slots - 1);
        while (slots[j].index) {
                if (slots[j].hash == h) {
                        const SymbolEntry *e = &entries[slots[j].index - 1];
                        if (e->len == len && memcmp(e->str, s, len) == 0)
                                return slots[j].index - 1;
                }
                j = (j + 1) & (n_slots - 1);
        }
        return add(s, len, h, j);
}

const char *symbol_str(Symbol sym) {
        return entries[sym].str;
}

size_t symbol_len(Symbol sym) {
        return entries[sym].len;
}

int symbol_compare(Symbol a, Symbol b) {
        if (a == b)
                return 0;
        const SymbolEntry *x = &entries[a], *y = &entries[b];
        size_t n = x->len < y->len ? x->len : y->len;
        int c = memcmp(x->str, y->str, n);
        if (c)
                return c;
        return x->len < y->len ? -1 : x->len > y->len;
}
