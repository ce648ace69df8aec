/* The core builtins (those tied to the evaluator itself: import, tryEval,
 * seq, throw, type predicates, toString, …) and the registration of every
 * builtins_* table into the base environment. */
#include "builtins.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base32.h"
#include "eval-internal.h"
#include "ast-arena.h"
#include "gc-alloc.h"
#include "hash.h"
#include "value-print.h"

static int prim_import(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *path;
        int r = eval_coerce_to_path(st, args[0], pos, NULL, &path);
        if (r < 0)
                return r;
        return eval_import(st, path, pos, ret);
}

static int prim_scoped_import(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force_attrs(st, args[0], pos);
        if (r < 0)
                return r;
        const char *path;
        if ((r = eval_coerce_to_path(st, args[1], pos, NULL, &path)) < 0)
                return r;
        return eval_scoped_import(st, args[0], path, pos, ret);
}

static int prim_try_eval(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Bindings *b = bindings_new(2);
        Value *success = value_new();
        int r = eval_force(st, args[0], pos);
        if (r < 0) {
                if (!eval_error_is_catchable(st))
                        return r;
                eval_state_clear_error(st);
                Value *f = value_new();
                value_set_bool(f, false);
                value_set_bool(success, false);
                bindings_push(b, st->sym.value, f, NULL);
        } else {
                value_set_bool(success, true);
                bindings_push(b, st->sym.value, args[0], NULL);
        }
        bindings_push(b, st->sym.success, success, NULL);
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

static int prim_seq(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r;
        if ((r = eval_force(st, args[0], pos)) < 0 || (r = eval_force(st, args[1], pos)) < 0)
                return r;
        *ret = *args[1];
        return 0;
}

static int prim_deep_seq(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r;
        if ((r = eval_force_deep(st, args[0], pos)) < 0 || (r = eval_force(st, args[1], pos)) < 0)
                return r;
        *ret = *args[1];
        return 0;
}

static int prim_throw(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *s;
        int r = eval_coerce_to_string(st, args[0], pos, NULL, false, false, &s);
        if (r < 0)
                return r;
        return eval_error(st, EVAL_ERROR_THROWN, NULL, "%s", s);
}

static int prim_abort(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *s;
        int r = eval_coerce_to_string(st, args[0], pos, NULL, false, false, &s);
        if (r < 0)
                return r;
        return eval_error(st, EVAL_ERROR_ABORT, NULL, "evaluation aborted with the following error message: '%s'", s);
}

static int prim_add_error_context(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force(st, args[1], pos);
        if (r >= 0) {
                *ret = *args[1];
                return 0;
        }
        /* Keep the original error; add the context as an unpositioned frame. */
        EvalError saved = st->error;
        const char *s;
        if (eval_coerce_to_string(st, args[0], pos, NULL, false, false, &s) < 0) {
                st->error = saved;
                return r;
        }
        st->error = saved;
        st->has_error = true;
        return eval_error_add_frame(st, NULL, "%s", s);
}

static int prim_type_of(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force(st, args[0], pos);
        if (r < 0)
                return r;
        value_set_string(ret, value_type_of(args[0]), NULL);
        return 0;
}

#define TYPE_PREDICATE(fname, cond)                                                       \
        static int fname(EvalState *st, const Pos *pos, Value **args, Value *ret) {       \
                int r = eval_force(st, args[0], pos);                                     \
                if (r < 0)                                                                \
                        return r;                                                         \
                uint8_t t = args[0]->type;                                                \
                value_set_bool(ret, cond);                                                \
                return 0;                                                                 \
        }

TYPE_PREDICATE(prim_is_null, t == VT_NULL)
TYPE_PREDICATE(prim_is_function, t == VT_LAMBDA || t == VT_PRIMOP || t == VT_PRIMOP_APP)
TYPE_PREDICATE(prim_is_int, t == VT_INT)
TYPE_PREDICATE(prim_is_float, t == VT_FLOAT)
TYPE_PREDICATE(prim_is_bool, t == VT_BOOL)
TYPE_PREDICATE(prim_is_string, t == VT_STRING)
TYPE_PREDICATE(prim_is_list, t == VT_LIST)
TYPE_PREDICATE(prim_is_attrs, t == VT_ATTRS)
TYPE_PREDICATE(prim_is_path, t == VT_PATH)

static int prim_to_string(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ContextBuilder cb = { 0 };
        const char *s;
        int r = eval_coerce_to_string(st, args[0], pos, &cb, true, false, &s);
        if (r < 0)
                return r;
        value_set_string(ret, s, context_finish(&cb));
        return 0;
}

static int prim_function_args(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force(st, args[0], pos);
        if (r < 0)
                return r;
        Value *f = args[0];
        if (f->type == VT_PRIMOP || f->type == VT_PRIMOP_APP) {
                value_set_attrs(ret, bindings_new(0));
                return 0;
        }
        if (f->type != VT_LAMBDA)
                return eval_error(st, EVAL_ERROR_TYPE, pos, "'functionArgs' requires a function");
        Expr *lam = f->lambda.fun;
        if (!lam->lambda.has_formals) {
                value_set_attrs(ret, bindings_new(0));
                return 0;
        }
        Bindings *b = bindings_new(lam->lambda.n_formals);
        for (uint32_t i = 0; i < lam->lambda.n_formals; i++) {
                Value *v = value_new();
                value_set_bool(v, lam->lambda.formals[i].def != NULL);
                bindings_push(b, lam->lambda.formals[i].name, v, &lam->lambda.formals[i].pos);
        }
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

/* genericClosure: keys are kept in a sorted array, ordered like lessThan. */
typedef struct KeySet {
        size_t n, cap;
        Value **keys;
} KeySet;

static int keyset_insert(EvalState *st, KeySet *ks, Value *key, const Pos *pos, bool *ret_inserted) {
        size_t lo = 0, hi = ks->n;
        int r;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                bool lt;
                if ((r = eval_less_than(st, ks->keys[mid], key, pos, &lt)) < 0)
                        return r;
                if (lt) {
                        lo = mid + 1;
                        continue;
                }
                bool gt;
                if ((r = eval_less_than(st, key, ks->keys[mid], pos, &gt)) < 0)
                        return r;
                if (!gt) {
                        *ret_inserted = false;
                        return 0;
                }
                hi = mid;
        }
        if (ks->n == ks->cap) {
                size_t cap = ks->cap ? ks->cap * 2 : 16;
                Value **n = gc_alloc(sizeof(Value *) * cap);
                if (ks->n)
                        memcpy(n, ks->keys, sizeof(Value *) * ks->n);
                ks->keys = n;
                ks->cap = cap;
        }
        memmove(ks->keys + lo + 1, ks->keys + lo, sizeof(Value *) * (ks->n - lo));
        ks->keys[lo] = key;
        ks->n++;
        *ret_inserted = true;
        return 0;
}

typedef struct ValueVec {
        size_t n, cap;
        Value **v;
} ValueVec;

static void vec_push(ValueVec *vv, Value *v) {
        if (vv->n == vv->cap) {
                size_t cap = vv->cap ? vv->cap * 2 : 16;
                Value **n = gc_alloc(sizeof(Value *) * cap);
                if (vv->n)
                        memcpy(n, vv->v, sizeof(Value *) * vv->n);
                vv->v = n;
                vv->cap = cap;
        }
        vv->v[vv->n++] = v;
}

static int prim_generic_closure(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force_attrs(st, args[0], pos);
        if (r < 0)
                return r;
        Attr *start = bindings_find(args[0]->attrs, st->sym.startSet);
        if (!start)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "attribute 'startSet' required");
        if ((r = eval_force_list(st, start->value, pos)) < 0)
                return r;
        Attr *op = bindings_find(args[0]->attrs, st->sym.operator_);
        if (!op)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "attribute 'operator' required");
        if ((r = eval_force(st, op->value, pos)) < 0)
                return r;

        ValueVec work = { 0 }, result = { 0 };
        for (size_t i = 0; i < start->value->list.size; i++)
                vec_push(&work, start->value->list.elems[i]);
        KeySet done = { 0 };
        size_t head = 0;
        while (head < work.n) {
                Value *e = work.v[head++];
                if ((r = eval_force_attrs(st, e, pos)) < 0)
                        return r;
                Attr *key = bindings_find(e->attrs, st->sym.key);
                if (!key)
                        return eval_error(st, EVAL_ERROR_GENERIC, pos, "attribute 'key' required");
                if ((r = eval_force(st, key->value, pos)) < 0)
                        return r;
                bool inserted;
                if ((r = keyset_insert(st, &done, key->value, pos, &inserted)) < 0)
                        return r;
                if (!inserted)
                        continue;
                vec_push(&result, e);
                Value res;
                if ((r = eval_call(st, op->value, 1, &e, &res, pos)) < 0)
                        return r;
                if (res.type != VT_LIST && (r = eval_force_list(st, &res, pos)) < 0)
                        return r;
                for (size_t i = 0; i < res.list.size; i++)
                        vec_push(&work, res.list.elems[i]);
        }
        value_set_list(ret, result.n);
        if (result.n)
                memcpy(ret->list.elems, result.v, sizeof(Value *) * result.n);
        return 0;
}

static int prim_trace(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force(st, args[0], pos);
        if (r < 0)
                return r;
        if (args[0]->type == VT_STRING)
                fprintf(stderr, "trace: %s\n", args[0]->string.s);
        else {
                StrBuf sb = STRBUF_INIT;
                value_print(st, args[0], false, &sb);
                fprintf(stderr, "trace: %s\n", sb.buf);
                strbuf_release(&sb);
        }
        if ((r = eval_force(st, args[1], pos)) < 0)
                return r;
        *ret = *args[1];
        return 0;
}

static int prim_unsafe_get_attr_pos(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *name;
        int r = eval_force_string_no_context(st, args[0], pos, &name);
        if (r < 0)
                return r;
        if ((r = eval_force_attrs(st, args[1], pos)) < 0)
                return r;
        Attr *a = bindings_find(args[1]->attrs, symbol_intern_str(name));
        if (!a || !a->pos) {
                value_set_null(ret);
                return 0;
        }
        return eval_make_pos(st, a->pos, ret);
}

static int prim_placeholder(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *out;
        int r = eval_force_string_no_context(st, args[0], pos, &out);
        if (r < 0)
                return r;
        /* "/" + base32(sha256("nix-output:" + name)), as Nix's hashPlaceholder. */
        size_t len = strlen(out) + 16;
        char *s = gc_alloc_atomic(len);
        snprintf(s, len, "nix-output:%s", out);
        Hash h;
        hash_buffer(HASH_SHA256, s, strlen(s), &h);
        char *res = gc_alloc_atomic(2 + nix_base32_encoded_len(32));
        res[0] = '/';
        nix_base32_encode(h.bytes, 32, res + 1);
        value_set_string(ret, res, NULL);
        return 0;
}

static int const_current_system(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        value_set_string(ret, st->opts.system, NULL);
        return 0;
}

static int const_current_time(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        value_set_int(ret, (int64_t) time(NULL));
        return 0;
}

static int const_nix_version(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        /* The language level firn implements. */
        value_set_string(ret, "2.8.0", NULL);
        return 0;
}

static int const_lang_version(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        value_set_int(ret, 6);
        return 0;
}

static int const_store_dir(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        value_set_string(ret, st->opts.store_dir, NULL);
        return 0;
}

static int const_nix_path(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        size_t n;
        const SearchPathEntry *sp = eval_search_path(st, &n);
        value_set_list(ret, n);
        for (size_t i = 0; i < n; i++) {
                Bindings *b = bindings_new(2);
                Value *p = value_new(), *pre = value_new();
                value_set_string(p, sp[i].path, NULL);
                value_set_string(pre, sp[i].prefix, NULL);
                bindings_push(b, st->sym.path, p, NULL);
                bindings_push(b, symbol_intern_str("prefix"), pre, NULL);
                bindings_sort(b);
                Value *e = value_new();
                value_set_attrs(e, b);
                ret->list.elems[i] = e;
        }
        return 0;
}

const PrimOp builtins_core[] = {
        { .name = "import", .arity = 1, .global = true, .args = { "path" },
          .doc = "Evaluate the Nix file at path (a directory means its default.nix).", .fn = prim_import },
        { .name = "scopedImport", .arity = 2, .global = true, .args = { "scope", "path" },
          .doc = "Like import, with the attributes of scope as extra variables.", .fn = prim_scoped_import },
        { .name = "tryEval", .arity = 1, .args = { "e" },
          .doc = "Evaluate e shallowly; catch throw and assert failures.", .fn = prim_try_eval },
        { .name = "seq", .arity = 2, .args = { "e1", "e2" }, .doc = "Force e1, return e2.", .fn = prim_seq },
        { .name = "deepSeq", .arity = 2, .args = { "e1", "e2" }, .doc = "Force e1 deeply, return e2.", .fn = prim_deep_seq },
        { .name = "throw", .arity = 1, .global = true, .args = { "s" }, .doc = "Raise an error tryEval can catch.", .fn = prim_throw },
        { .name = "abort", .arity = 1, .global = true, .args = { "s" }, .doc = "Abort evaluation with message s.", .fn = prim_abort },
        { .name = "addErrorContext", .arity = 2, .args = { "context", "e" },
          .doc = "Evaluate e; if it fails, add context to the error's trace.", .fn = prim_add_error_context },
        { .name = "typeOf", .arity = 1, .args = { "e" }, .doc = "The type of e as a string.", .fn = prim_type_of },
        { .name = "isNull", .arity = 1, .global = true, .args = { "e" }, .doc = "Whether e is null.", .fn = prim_is_null },
        { .name = "isFunction", .arity = 1, .args = { "e" }, .doc = "Whether e is a function.", .fn = prim_is_function },
        { .name = "isInt", .arity = 1, .args = { "e" }, .doc = "Whether e is an integer.", .fn = prim_is_int },
        { .name = "isFloat", .arity = 1, .args = { "e" }, .doc = "Whether e is a float.", .fn = prim_is_float },
        { .name = "isBool", .arity = 1, .args = { "e" }, .doc = "Whether e is a Boolean.", .fn = prim_is_bool },
        { .name = "isString", .arity = 1, .args = { "e" }, .doc = "Whether e is a string.", .fn = prim_is_string },
        { .name = "isList", .arity = 1, .args = { "e" }, .doc = "Whether e is a list.", .fn = prim_is_list },
        { .name = "isAttrs", .arity = 1, .args = { "e" }, .doc = "Whether e is a set.", .fn = prim_is_attrs },
        { .name = "isPath", .arity = 1, .args = { "e" }, .doc = "Whether e is a path.", .fn = prim_is_path },
        { .name = "toString", .arity = 1, .global = true, .args = { "e" },
          .doc = "Convert e to a string (numbers, Booleans, null, lists too).", .fn = prim_to_string },
        { .name = "functionArgs", .arity = 1, .args = { "f" },
          .doc = "The formal arguments of f, each mapped to whether it has a default.", .fn = prim_function_args },
        { .name = "genericClosure", .arity = 1, .args = { "attrset" },
          .doc = "The closure of startSet under operator, unique by key.", .fn = prim_generic_closure },
        { .name = "trace", .arity = 2, .args = { "e1", "e2" }, .doc = "Print e1 to stderr, return e2.", .fn = prim_trace },
        { .name = "unsafeGetAttrPos", .arity = 2, .args = { "name", "set" },
          .doc = "The source position of attribute name in set, or null.", .fn = prim_unsafe_get_attr_pos },
        { .name = "placeholder", .arity = 1, .global = true, .args = { "output" },
          .doc = "The placeholder string for a derivation output.", .fn = prim_placeholder },
        { .name = "currentSystem", .arity = 0, .doc = "The platform firn evaluates for.", .fn = const_current_system },
        { .name = "currentTime", .arity = 0, .doc = "Seconds since the epoch, fixed per evaluation.", .fn = const_current_time },
        { .name = "nixVersion", .arity = 0, .doc = "The Nix language version firn follows.", .fn = const_nix_version },
        { .name = "langVersion", .arity = 0, .doc = "The language version number.", .fn = const_lang_version },
        { .name = "storeDir", .arity = 0, .doc = "The logical store directory.", .fn = const_store_dir },
        { .name = "nixPath", .arity = 0, .doc = "The search path, as a list of { prefix; path; }.", .fn = const_nix_path },
        { .name = NULL },
};

static const PrimOp *const tables[] = {
        builtins_core, builtins_strings, builtins_lists, builtins_attrs, builtins_math,
        builtins_files, builtins_hash, builtins_versions, builtins_json, builtins_toml,
        builtins_xml, builtins_context, builtins_regex, builtins_store,
};

const PrimOp *const *builtins_tables(size_t *ret_n) {
        *ret_n = ELEMENTSOF(tables);
        return tables;
}

typedef struct BaseBuilder {
        uint32_t n, cap;
        Symbol *names;
        Value **values;
} BaseBuilder;

static void base_add(BaseBuilder *bb, const char *name, Value *v) {
        if (bb->n == bb->cap) {
                uint32_t cap = bb->cap ? bb->cap * 2 : 256;
                Symbol *nn = ast_alloc(sizeof(Symbol) * cap); /* the static env keeps it */
                Value **nv = gc_alloc(sizeof(Value *) * cap);
                if (bb->n) {
                        memcpy(nn, bb->names, sizeof(Symbol) * bb->n);
                        memcpy(nv, bb->values, sizeof(Value *) * bb->n);
                }
                bb->names = nn;
                bb->values = nv;
                bb->cap = cap;
        }
        bb->names[bb->n] = symbol_intern_str(name);
        bb->values[bb->n++] = v;
}

/* ---- store builtins: `derivation` (builtins-store.c) ---- */
/* Nix defines `derivation` in Nix code on top of derivationStrict, and
 * evaluates it once the base environment (which it uses) exists. */
static void bind_derivation(EvalState *st, Value *v) {
        if (builtins_store_init_derivation(st, v) < 0) {
                /* Cannot happen (fixed source); keep the error visible. */
                StrBuf sb = STRBUF_INIT;
                eval_error_format(st, false, &sb);
                fprintf(stderr, "firn: cannot define `derivation`: %s", sb.buf);
                strbuf_release(&sb);
                eval_state_clear_error(st);
                value_set_null(v);
        }
}
/* ---- end store builtins ---- */

/* The language's tables, then the extra ones of EvalOptions. */
static const PrimOp *table_at(const EvalState *st, size_t t) {
        if (t < ELEMENTSOF(tables))
                return tables[t];
        t -= ELEMENTSOF(tables);
        return t < st->opts.n_extra_primops ? st->opts.extra_primops[t] : NULL;
}

void builtins_init(EvalState *st) {
        BaseBuilder bb = { 0 };
        size_t n_primops = 0;
        for (size_t t = 0; table_at(st, t); t++)
                for (const PrimOp *p = table_at(st, t); p->name; p++)
                        n_primops++;

        Bindings *b = bindings_new(n_primops + 5);
        Value *builtins = value_new();
        Value *vtrue = value_new(), *vfalse = value_new(), *vnull = value_new();
        value_set_bool(vtrue, true);
        value_set_bool(vfalse, false);
        value_set_null(vnull);

        base_add(&bb, "builtins", builtins);
        base_add(&bb, "true", vtrue);
        base_add(&bb, "false", vfalse);
        base_add(&bb, "null", vnull);
        bindings_push(b, symbol_intern_str("builtins"), builtins, NULL);
        bindings_push(b, symbol_intern_str("true"), vtrue, NULL);
        bindings_push(b, symbol_intern_str("false"), vfalse, NULL);
        bindings_push(b, symbol_intern_str("null"), vnull, NULL);
        /* `derivation`: filled in by bind_derivation() below. */
        Value *vderivation = value_new();
        base_add(&bb, "derivation", vderivation);
        bindings_push(b, symbol_intern_str("derivation"), vderivation, NULL);

        for (size_t t = 0; table_at(st, t); t++)
                for (const PrimOp *p = table_at(st, t); p->name; p++) {
                        Value *v = value_new();
                        if (p->arity == 0) {
                                /* A constant: computed once now. */
                                if (p->fn(st, NULL, NULL, v) < 0)
                                        value_set_null(v);
                        } else {
                                v->type = VT_PRIMOP;
                                v->primop = p;
                        }
                        if (bindings_find(b, symbol_intern_str(p->name)))
                                continue; /* first table wins */
                        bindings_push(b, symbol_intern_str(p->name), v, NULL);
                        bindings_sort(b);
                        char *global = gc_alloc_atomic(strlen(p->name) + 3);
                        sprintf(global, "%s%s", p->global ? "" : "__", p->name);
                        base_add(&bb, global, v);
                }
        bindings_sort(b);
        value_set_attrs(builtins, b);
        st->builtins = builtins;

        Env *env = gc_alloc(sizeof(Env) + sizeof(Value *) * bb.n);
        memcpy(env->values, bb.values, sizeof(Value *) * bb.n);
        st->base_env = env;
        st->static_base_env = static_env_new(NULL, bb.names, bb.n);
        bind_derivation(st, vderivation);
}
