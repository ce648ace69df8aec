#include "symbol.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Open-addressing hash table of indices into a growing array of entries.
 * Entries are malloc'ed and never freed: symbols live as long as the process. */
typedef struct SymbolEntry {
        char *str;
        size_t len;
        uint64_t hash;
} SymbolEntry;

static SymbolEntry *entries;
static size_t n_entries, cap_entries;
static uint32_t *slots; /* index+1, 0 = empty */
static size_t n_slots;

static uint64_t hash_bytes(const char *s, size_t len) {
        uint64_t h = 1469598103934665603ULL; /* FNV-1a */
        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char) s[i];
                h *= 1099511628211ULL;
        }
        return h;
}

static void rehash(void) {
        size_t n = n_slots ? n_slots * 2 : 4096;
        uint32_t *s = xcalloc(n, sizeof(uint32_t));
        for (size_t i = 0; i < n_entries; i++) {
                size_t j = entries[i].hash & (n - 1);
                while (s[j])
                        j = (j + 1) & (n - 1);
                s[j] = i + 1;
        }
        free(slots);
        slots = s;
        n_slots = n;
}

Symbol symbol_intern(const char *s, size_t len) {
        if (n_slots == 0) {
                rehash();
                /* Symbol 0 is the empty string. */
                entries = xmalloc(sizeof(SymbolEntry) * (cap_entries = 1024));
                entries[0] = (SymbolEntry) { xstrdup(""), 0, hash_bytes("", 0) };
                n_entries = 1;
                slots[entries[0].hash & (n_slots - 1)] = 1;
        }
        uint64_t h = hash_bytes(s, len);
        size_t j = h & (n_slots - 1);
        while (slots[j]) {
                SymbolEntry *e = &entries[slots[j] - 1];
                if (e->hash == h && e->len == len && memcmp(e->str, s, len) == 0)
                        return slots[j] - 1;
                j = (j + 1) & (n_slots - 1);
        }
        if (n_entries == cap_entries)
                entries = xrealloc(entries, sizeof(SymbolEntry) * (cap_entries *= 2));
        entries[n_entries] = (SymbolEntry) { xstrndup(s, len), len, h };
        slots[j] = ++n_entries;
        if (n_entries * 2 > n_slots)
                rehash();
        return n_entries - 1;
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
