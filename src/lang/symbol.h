/* Interned identifiers and attribute names.
 *
 * A Symbol is a small integer; two symbols are equal iff their strings are.
 * The table lives for the whole process (symbols are never freed), so the
 * strings returned by symbol_str() stay valid. Symbol 0 is the empty name. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef uint32_t Symbol;

Symbol symbol_intern(const char *s, size_t len);
static inline Symbol symbol_intern_str(const char *s);
const char *symbol_str(Symbol sym);
size_t symbol_len(Symbol sym);
/* Orders symbols by their strings (bytewise), for printing and attrNames. */
int symbol_compare(Symbol a, Symbol b);

#include <string.h>
static inline Symbol symbol_intern_str(const char *s) {
        return symbol_intern(s, strlen(s));
}
