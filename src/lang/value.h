/* Values of the Nix language.
 *
 * A Value is a 24-byte cell on the GC heap. Forced values are immutable once
 * built; unforced ones (thunk, app) are overwritten in place by eval_force().
 * Strings are NUL-terminated and carry an optional string context: a
 * NULL-terminated, sorted, duplicate-free array of context elements in Nix's
 * encoding ("/nix/store/…" for a plain path, "=/nix/store/….drv" for a
 * derivation with all its outputs, "!out!/nix/store/….drv" for one output),
 * or NULL when empty. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "gc-alloc.h"
#include "symbol.h"

typedef enum ValueType {
        /* Not yet evaluated: only ever seen before eval_force(). */
        VT_THUNK,
        VT_APP,
        /* fn applied to the integer index, allocated only when forced
         * (the elements of builtins.genList). */
        VT_APP_INDEX,
        /* fn applied to the string of a symbol (app_index.index), made only
         * when forced (builtins.mapAttrs' fn name). */
        VT_APP_NAME,
        VT_BLACKHOLE,
        /* Normal forms. */
        VT_NULL,
        VT_BOOL,
        VT_INT,
        VT_FLOAT,
        VT_STRING,
        VT_PATH,
        VT_ATTRS,
        VT_LIST,
        VT_LAMBDA,
        VT_PRIMOP,
        VT_PRIMOP_APP,
        /* An opaque C object of a layer above the language (the module
         * system's option nodes), only ever the argument of that layer's
         * own primops; no language construct produces or inspects one. */
        VT_EXTERNAL,
} ValueType;

typedef struct Value Value;
typedef struct Env Env;
typedef struct Bindings Bindings;
typedef struct PrimOp PrimOp;

struct Value {
        uint8_t type; /* ValueType */
        union {
                bool boolean;
                int64_t integer;
                double fpoint;
                struct {
                        const char *s;
                        const char **context;
                } string;
                const char *path; /* absolute, canonical */
                Bindings *attrs;
                struct {
                        size_t size;
                        Value **elems;
                } list;
                struct {
                        Env *env;
                        Expr *expr;
                } thunk;
                struct {
                        Value *left, *right;
                } app;
                struct {
                        Value *fn;
                        int64_t index;
                } app_index;
                struct {
                        Env *env;
                        Expr *fun; /* EXPR_LAMBDA */
                } lambda;
                const PrimOp *primop;
                struct {
                        Value *left, *right;
                } primop_app;
                struct {
                        void *ptr; /* GC */
                        const char *kind;
                } external;
        };
};

/* An environment: the values of the variables of one scope. The header is
 * one pointer, so the env of a one-argument lambda call is a single 16-byte
 * granule of the GC heap. Its size is known statically (the binder numbered
 * the slots). A `with` env has two slots: the (lazy) attribute set in
 * values[0], and in values[1], not a pointer, the distance to the next
 * enclosing `with` env (0 if none): use env_with_prev(). */
struct Env {
        Env *up;
        Value *values[];
};

static inline uint32_t env_with_prev(const Env *env) {
        return (uint32_t) (uintptr_t) env->values[1];
}

typedef struct Attr {
        Symbol name;
        Value *value;
        const Pos *pos; /* NULL when unknown */
} Attr;

/* An attribute set's contents, sorted by Symbol number (not by name: use
 * bindings_sorted_by_name() for Nix's lexicographic order). Immutable once
 * it is in a value. */
struct Bindings {
        uint32_t size, capacity;
        Attr attrs[];
};

Value *value_new(void);
Bindings *bindings_new(size_t capacity);
/* Appends without sorting: call bindings_sort() when done unless the
 * names were pushed in increasing Symbol order. */
void bindings_push(Bindings *b, Symbol name, Value *value, const Pos *pos);
void bindings_sort(Bindings *b);
Attr *bindings_find(const Bindings *b, Symbol name);
/* Returns a GC array of b->size pointers into b, in lexicographic name order. */
Attr **bindings_sorted_by_name(const Bindings *b);

static inline bool value_is_forced(const Value *v) {
        return v->type > VT_BLACKHOLE;
}

static inline void value_set_null(Value *v) {
        v->type = VT_NULL;
}
static inline void value_set_bool(Value *v, bool b) {
        v->type = VT_BOOL;
        v->boolean = b;
}
static inline void value_set_int(Value *v, int64_t n) {
        v->type = VT_INT;
        v->integer = n;
}
static inline void value_set_float(Value *v, double d) {
        v->type = VT_FLOAT;
        v->fpoint = d;
}
/* s must be immutable and outlive v (GC-allocated or static). */
static inline void value_set_string(Value *v, const char *s, const char **context) {
        v->type = VT_STRING;
        v->string.s = s;
        v->string.context = context;
}
/* Copies len bytes of s to the GC heap. */
void value_set_string_copy(Value *v, const char *s, size_t len, const char **context);
static inline void value_set_path(Value *v, const char *path) {
        v->type = VT_PATH;
        v->path = path;
}
static inline void value_set_attrs(Value *v, Bindings *b) {
        v->type = VT_ATTRS;
        v->attrs = b;
}
/* Makes v a list of size elements, with elems allocated (NULL-filled). */
void value_set_list(Value *v, size_t size);
static inline void value_set_thunk(Value *v, Env *env, Expr *e) {
        v->type = VT_THUNK;
        v->thunk.env = env;
        v->thunk.expr = e;
}
static inline void value_set_app(Value *v, Value *fn, Value *arg) {
        v->type = VT_APP;
        v->app.left = fn;
        v->app.right = arg;
}

static inline void value_set_external(Value *v, const char *kind, void *ptr) {
        v->type = VT_EXTERNAL;
        v->external.kind = kind;
        v->external.ptr = ptr;
}

/* Nix's own words for a value's type, for error messages ("an integer",
 * "a set", "the built-in function 'map'", …). */
const char *value_show_type(const Value *v);
/* The name `builtins.typeOf` returns ("int", "set", "lambda", …). */
const char *value_type_of(const Value *v);

/* String contexts. A builder collects elements in any order; finishing it
 * yields the canonical sorted, deduplicated, NULL-terminated array (or NULL
 * when empty). */
typedef struct ContextBuilder {
        size_t n, cap;
        const char **elems; /* GC */
} ContextBuilder;

void context_add(ContextBuilder *cb, const char *elem);
void context_add_all(ContextBuilder *cb, const char **context);
const char **context_finish(ContextBuilder *cb);
size_t context_count(const char **context);
