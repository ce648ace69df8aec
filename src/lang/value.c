#include "value.h"

#include <stdlib.h>
#include <string.h>

#include "eval.h"

Value *value_new(void) {
        alloc_stats.values++;
        return gc_alloc_small(sizeof(Value));
}

Bindings *bindings_new(size_t capacity) {
        alloc_stats.sets++;
        alloc_stats.set_bytes += sizeof(Bindings) + sizeof(Attr) * capacity;
        Bindings *b = gc_alloc(sizeof(Bindings) + sizeof(Attr) * capacity);
        b->capacity = capacity;
        return b;
}

void bindings_push(Bindings *b, Symbol name, Value *value, const Pos *pos) {
        /* Callers size bindings exactly; overflowing is a programming error. */
        if (b->size >= b->capacity)
                abort();
        b->attrs[b->size++] = (Attr) { name, value, pos };
}

static int attr_cmp(const void *a, const void *b) {
        Symbol x = ((const Attr *) a)->name, y = ((const Attr *) b)->name;
        return x < y ? -1 : x > y;
}

void bindings_sort(Bindings *b) {
        /* Most sets are built nearly sorted; check before sorting. */
        for (uint32_t i = 1; i < b->size; i++)
                if (b->attrs[i - 1].name > b->attrs[i].name) {
                        qsort(b->attrs, b->size, sizeof(Attr), attr_cmp);
                        return;
                }
}

Attr *bindings_find(const Bindings *b, Symbol name) {
        uint32_t lo = 0, hi = b->size;
        while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                Symbol s = b->attrs[mid].name;
                if (s == name)
                        return (Attr *) &b->attrs[mid];
                if (s < name)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/* Sort keys carry the name's first eight bytes as a big-endian integer, so
 * most comparisons are one integer compare and never touch the symbol
 * table; ties fall back to comparing the rest of the names. */
typedef struct NameKey {
        uint64_t prefix;
        uint32_t index; /* into the Bindings */
        uint32_t len;
} NameKey;

/* 16-byte keys: the sort's two arrays are a quarter of the set's size. */
static const Bindings *sort_set;

static inline int name_key_cmp(const NameKey *x, const NameKey *y) {
        if (x->prefix != y->prefix)
                return x->prefix < y->prefix ? -1 : 1;
        if (x->len <= 8 || y->len <= 8)
                return x->len < y->len ? -1 : x->len > y->len;
        size_t n = (x->len < y->len ? x->len : y->len) - 8;
        int c = memcmp(symbol_str(sort_set->attrs[x->index].name) + 8,
                       symbol_str(sort_set->attrs[y->index].name) + 8, n);
        if (c)
                return c;
        return x->len < y->len ? -1 : x->len > y->len;
}

/* Stable bottom-up merge sort of keys (tmp has the same size). */
static void sort_name_keys(NameKey *keys, NameKey *tmp, size_t n) {
        NameKey *src = keys, *dst = tmp;
        for (size_t width = 1; width < n; width *= 2) {
                for (size_t lo = 0; lo < n; lo += 2 * width) {
                        size_t mid = lo + width < n ? lo + width : n;
                        size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
                        size_t i = lo, j = mid, k = lo;
                        while (i < mid && j < hi)
                                dst[k++] = name_key_cmp(&src[j], &src[i]) < 0 ? src[j++] : src[i++];
                        while (i < mid)
                                dst[k++] = src[i++];
                        while (j < hi)
                                dst[k++] = src[j++];
                }
                NameKey *t = src;
                src = dst;
                dst = t;
        }
        if (src != keys)
                memcpy(keys, src, n * sizeof(NameKey));
}

Attr **bindings_sorted_by_name(const Bindings *b) {
        size_t n = b->size;
        Attr **r = gc_alloc(sizeof(Attr *) * (n ? n : 1));
        NameKey *keys = malloc(sizeof(NameKey) * 2 * (n ? n : 1));
        if (!keys)
                abort();
        for (size_t i = 0; i < n; i++) {
                const char *s = symbol_str(b->attrs[i].name);
                size_t len = symbol_len(b->attrs[i].name);
                uint64_t prefix = 0;
                for (size_t k = 0; k < 8; k++)
                        prefix = prefix << 8 | (k < len ? (unsigned char) s[k] : 0);
                keys[i] = (NameKey) { prefix, (uint32_t) i, (uint32_t) len };
        }
        sort_set = b;
        sort_name_keys(keys, keys + n, n);
        sort_set = NULL;
        for (size_t i = 0; i < n; i++)
                r[i] = (Attr *) &b->attrs[keys[i].index];
        free(keys);
        return r;
}

void value_set_string_copy(Value *v, const char *s, size_t len, const char **context) {
        value_set_string(v, gc_strndup(s, len), context);
}

void value_set_list(Value *v, size_t size) {
        v->type = VT_LIST;
        v->list.size = size;
        alloc_stats.list_elems += size;
        v->list.elems = size ? gc_alloc(sizeof(Value *) * size) : NULL;
}

const char *value_show_type(const Value *v) {
        switch ((ValueType) v->type) {
        case VT_THUNK: return "a thunk";
        case VT_APP:
        case VT_APP_INDEX:
        case VT_APP_NAME: return "a function application";
        case VT_BLACKHOLE: return "a black hole";
        case VT_NULL: return "null";
        case VT_BOOL: return "a Boolean";
        case VT_INT: return "an integer";
        case VT_FLOAT: return "a float";
        case VT_STRING: return v->string.context ? "a string with context" : "a string";
        case VT_PATH: return "a path";
        case VT_ATTRS: return "a set";
        case VT_LIST: return "a list";
        case VT_LAMBDA: return "a function";
        case VT_PRIMOP: {
                const char *n = v->primop->name;
                char *r = gc_alloc_atomic(strlen(n) + 32);
                strcpy(r, "the built-in function '");
                strcat(r, n);
                strcat(r, "'");
                return r;
        }
        case VT_PRIMOP_APP: {
                const Value *p = v;
                while (p->type == VT_PRIMOP_APP)
                        p = p->primop_app.left;
                const char *n = p->primop->name;
                char *r = gc_alloc_atomic(strlen(n) + 64);
                strcpy(r, "the partially applied built-in function '");
                strcat(r, n);
                strcat(r, "'");
                return r;
        }
        case VT_EXTERNAL:
                return "an internal value";
        }
        return "an unknown value";
}

const char *value_type_of(const Value *v) {
        switch ((ValueType) v->type) {
        case VT_NULL: return "null";
        case VT_BOOL: return "bool";
        case VT_INT: return "int";
        case VT_FLOAT: return "float";
        case VT_STRING: return "string";
        case VT_PATH: return "path";
        case VT_ATTRS: return "set";
        case VT_LIST: return "list";
        case VT_LAMBDA:
        case VT_PRIMOP:
        case VT_PRIMOP_APP: return "lambda";
        default: return "thunk";
        }
}

void context_add(ContextBuilder *cb, const char *elem) {
        if (cb->n == cb->cap) {
                size_t cap = cb->cap ? cb->cap * 2 : 4;
                const char **n = gc_alloc(sizeof(char *) * cap);
                if (cb->n)
                        memcpy(n, cb->elems, sizeof(char *) * cb->n);
                cb->elems = n;
                cb->cap = cap;
        }
        cb->elems[cb->n++] = elem;
}

void context_add_all(ContextBuilder *cb, const char **context) {
        if (!context)
                return;
        for (; *context; context++)
                context_add(cb, *context);
}

static int str_ptr_cmp(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

const char **context_finish(ContextBuilder *cb) {
        if (cb->n == 0)
                return NULL;
        qsort(cb->elems, cb->n, sizeof(char *), str_ptr_cmp);
        const char **r = gc_alloc(sizeof(char *) * (cb->n + 1));
        size_t k = 0;
        for (size_t i = 0; i < cb->n; i++)
                if (k == 0 || strcmp(r[k - 1], cb->elems[i]) != 0)
                        r[k++] = cb->elems[i];
        r[k] = NULL;
        return r;
}

size_t context_count(const char **context) {
        size_t n = 0;
        if (context)
                while (context[n])
                        n++;
        return n;
}
