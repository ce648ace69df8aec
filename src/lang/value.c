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

/* Sort keys carry the name's bytes, so comparisons do not go back to the
 * symbol table (which costs a cache miss each). */
typedef struct NameKey {
        const char *s;
        size_t len;
        Attr *attr;
} NameKey;

static int name_key_cmp(const void *a, const void *b) {
        const NameKey *x = a, *y = b;
        size_t n = x->len < y->len ? x->len : y->len;
        int c = memcmp(x->s, y->s, n);
        if (c)
                return c;
        return x->len < y->len ? -1 : x->len > y->len;
}

Attr **bindings_sorted_by_name(const Bindings *b) {
        Attr **r = gc_alloc(sizeof(Attr *) * (b->size ? b->size : 1));
        NameKey *keys = malloc(sizeof(NameKey) * (b->size ? b->size : 1));
        if (!keys)
                abort();
        for (uint32_t i = 0; i < b->size; i++)
                keys[i] = (NameKey) { symbol_str(b->attrs[i].name), symbol_len(b->attrs[i].name), (Attr *) &b->attrs[i] };
        qsort(keys, b->size, sizeof(NameKey), name_key_cmp);
        for (uint32_t i = 0; i < b->size; i++)
                r[i] = keys[i].attr;
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
        case VT_APP: return "a function application";
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
