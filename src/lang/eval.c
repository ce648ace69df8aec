#include "eval.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arith.h"
#include "bind.h"
#include "builtins.h"
#include "eval-internal.h"
#include "ast-arena.h"
#include "gc-alloc.h"
#include "parser.h"
#include "xalloc.h"

/* ---- state ---------------------------------------------------------- */

EvalState *eval_state_new(const EvalOptions *opts) {
        /* Uncollectable: the state is the root of everything the evaluator
         * keeps (caches, base env), so the collector scans it. */
        EvalState *st = GC_MALLOC_UNCOLLECTABLE(sizeof(EvalState));
        memset(st, 0, sizeof *st);
        st->opts = *opts;
        if (!st->opts.store_dir)
                st->opts.store_dir = "/nix/store";
        if (!st->opts.system)
                st->opts.system = "x86_64-linux";
        if (!st->opts.max_call_depth)
                st->opts.max_call_depth = 100000;
        EvalSymbols *s = &st->sym;
#define SYM(f, str) s->f = symbol_intern_str(str)
        SYM(outPath, "outPath");
        SYM(drvPath, "drvPath");
        SYM(type, "type");
        SYM(name, "name");
        SYM(value, "value");
        SYM(success, "success");
        SYM(file, "file");
        SYM(line, "line");
        SYM(column, "column");
        SYM(functor, "__functor");
        SYM(body, "body");
        SYM(or_, "or");
        SYM(derivation, "derivation");
        SYM(outputs, "outputs");
        SYM(key, "key");
        SYM(operator_, "operator");
        SYM(right, "right");
        SYM(wrong, "wrong");
        SYM(startSet, "startSet");
        SYM(data, "data");
        SYM(path, "path");
        SYM(recursive, "recursive");
        SYM(sha256, "sha256");
        SYM(filter, "filter");
        SYM(args, "args");
        SYM(result, "result");
#undef SYM
        st->s_to_string = symbol_intern_str("__toString");
        st->s_overrides = symbol_intern_str("__overrides");
        st->s_ignore_nulls = symbol_intern_str("__ignoreNulls");
        builtins_init(st);
        return st;
}

const EvalError *eval_state_error(const EvalState *st) {
        return &st->error;
}

void eval_state_clear_error(EvalState *st) {
        st->error = (EvalError) { 0 };
        st->has_error = false;
}

const EvalSymbols *eval_symbols(const EvalState *st) {
        return &st->sym;
}

const char *eval_store_dir(const EvalState *st) {
        return st->opts.store_dir;
}

bool eval_error_is_catchable(const EvalState *st) {
        return st->has_error &&
                (st->error.kind == EVAL_ERROR_THROWN || st->error.kind == EVAL_ERROR_ASSERTION);
}

/* ---- recursion bound ------------------------------------------------ */

int eval_depth_enter(EvalState *st, const Pos *pos) {
        if (_unlikely_(++st->depth > st->opts.max_call_depth)) {
                st->depth--;
                return eval_error(st, EVAL_ERROR_STACK_OVERFLOW, NULL, "stack overflow (possible infinite recursion)");
        }
        return 0;
}

void eval_depth_leave(EvalState *st) {
        st->depth--;
}

/* ---- environments and thunks ---------------------------------------- */

static inline Env *env_new(uint32_t size, Env *up) {
        alloc_stats.envs++;
        alloc_stats.env_bytes += sizeof(Env) + sizeof(Value *) * size;
        Env *env = gc_alloc_small(sizeof(Env) + sizeof(Value *) * size);
        env->up = up;
        return env;
}

/* A value for e in env without evaluating it: variables are shared with
 * their binding, constants reused, everything else becomes a thunk. */
static Value *maybe_thunk(EvalState *st, Env *env, Expr *e);

static int lookup_var(EvalState *st, Env *env, Expr *e, Value **ret) {
        for (uint32_t l = e->var.level; l; l--)
                env = env->up;
        if (!e->var.from_with) {
                *ret = env->values[e->var.displ];
                return 0;
        }
        for (;;) {
                Value *attrs = env->values[0];
                if (attrs->type != VT_ATTRS) {
                        int r = eval_force(st, attrs, &e->pos);
                        if (r < 0)
                                return r;
                        if (attrs->type != VT_ATTRS)
                                return eval_error(st, EVAL_ERROR_TYPE, &e->pos, "value is %s while a set was expected",
                                                  value_show_type(attrs));
                }
                Attr *a = bindings_find(attrs->attrs, e->var.name);
                if (a) {
                        *ret = a->value;
                        return 0;
                }
                uint32_t prev = env_with_prev(env);
                if (!prev)
                        return eval_error(st, EVAL_ERROR_UNDEFINED_VARIABLE, &e->pos, "undefined variable '%s'",
                                          symbol_str(e->var.name));
                for (uint32_t l = prev; l; l--)
                        env = env->up;
        }
}

static Value *maybe_thunk(EvalState *st, Env *env, Expr *e) {
        switch (e->kind) {
        case EXPR_STRING:
        case EXPR_PATH:
                return e->constant;
        case EXPR_VAR:
                if (!e->var.from_with) {
                        Env *x = env;
                        for (uint32_t l = e->var.level; l; l--)
                                x = x->up;
                        /* In a let or rec set the slot may not be filled yet. */
                        if (x->values[e->var.displ])
                                return x->values[e->var.displ];
                }
                break;
        case EXPR_INT:
        case EXPR_FLOAT:
                /* Number literals are immutable: share one value per literal. */
                if (!e->constant_num) {
                        Value *v = ast_alloc(sizeof(Value));
                        if (e->kind == EXPR_INT)
                                value_set_int(v, e->integer);
                        else
                                value_set_float(v, e->fpoint);
                        e->constant_num = v;
                }
                return e->constant_num;
        default:
                break;
        }
        Value *v = value_new();
        value_set_thunk(v, env, e);
        return v;
}

/* ---- forcing -------------------------------------------------------- */

static int eval_in(EvalState *st, Env *env, Expr *e, Value *v);
static int call_function(EvalState *st, Value *fn, size_t n_args, Value **args, Value *ret, const Pos *pos);

int eval_force_slow(EvalState *st, Value *v, const Pos *pos) {
        switch (v->type) {
        case VT_THUNK: {
                Env *env = v->thunk.env;
                Expr *e = v->thunk.expr;
                int r = eval_depth_enter(st, pos);
                if (r < 0)
                        return r;
                v->type = VT_BLACKHOLE;
                r = eval_in(st, env, e, v);
                eval_depth_leave(st);
                if (r < 0) {
                        value_set_thunk(v, env, e);
                        return r;
                }
                return 0;
        }
        case VT_APP: {
                Value *fn = v->app.left, *arg = v->app.right;
                v->type = VT_BLACKHOLE;
                /* Nix applies a lazy application with no position. */
                int r = call_function(st, fn, 1, &arg, v, NULL);
                if (r < 0) {
                        value_set_app(v, fn, arg);
                        return r;
                }
                return 0;
        }
        case VT_APP_INDEX:
        case VT_APP_NAME: {
                uint8_t type = v->type;
                Value *fn = v->app_index.fn;
                int64_t index = v->app_index.index;
                Value *arg = value_new();
                if (type == VT_APP_INDEX)
                        value_set_int(arg, index);
                else
                        value_set_string(arg, symbol_str((Symbol) index), NULL);
                v->type = VT_BLACKHOLE;
                int r = call_function(st, fn, 1, &arg, v, NULL);
                if (r < 0) {
                        v->type = type;
                        v->app_index.fn = fn;
                        v->app_index.index = index;
                        return r;
                }
                return 0;
        }
        case VT_BLACKHOLE:
                st->recursion_value = v;
                return eval_error(st, EVAL_ERROR_INFINITE_RECURSION, pos, "infinite recursion encountered");
        default:
                return 0;
        }
}

Value *eval_error_recursion_value(const EvalState *st) {
        return st->recursion_value;
}

static int type_error(EvalState *st, Value *v, const Pos *pos, const char *expected) {
        return eval_error(st, EVAL_ERROR_TYPE, pos, "value is %s while %s was expected", value_show_type(v), expected);
}

int eval_force_int(EvalState *st, Value *v, const Pos *pos, int64_t *ret) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        if (v->type != VT_INT)
                return type_error(st, v, pos, "an integer");
        *ret = v->integer;
        return 0;
}

int eval_force_float(EvalState *st, Value *v, const Pos *pos, double *ret) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        if (v->type == VT_INT)
                *ret = (double) v->integer;
        else if (v->type == VT_FLOAT)
                *ret = v->fpoint;
        else
                return type_error(st, v, pos, "a float");
        return 0;
}

int eval_force_bool(EvalState *st, Value *v, const Pos *pos, bool *ret) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        if (v->type != VT_BOOL)
                return type_error(st, v, pos, "a Boolean");
        *ret = v->boolean;
        return 0;
}

int eval_force_attrs(EvalState *st, Value *v, const Pos *pos) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        if (v->type != VT_ATTRS)
                return type_error(st, v, pos, "a set");
        return 0;
}

int eval_force_list(EvalState *st, Value *v, const Pos *pos) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        if (v->type != VT_LIST)
                return type_error(st, v, pos, "a list");
        return 0;
}

int eval_force_function(EvalState *st, Value *v, const Pos *pos) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        if (v->type == VT_LAMBDA || v->type == VT_PRIMOP || v->type == VT_PRIMOP_APP)
                return 0;
        if (v->type == VT_ATTRS && bindings_find(v->attrs, st->sym.functor))
                return 0;
        return type_error(st, v, pos, "a function");
}

int eval_force_string(EvalState *st, Value *v, const Pos *pos, ContextBuilder *cb, const char **ret) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        if (v->type != VT_STRING)
                return type_error(st, v, pos, "a string");
        if (cb)
                context_add_all(cb, v->string.context);
        *ret = v->string.s;
        return 0;
}

int eval_force_string_no_context(EvalState *st, Value *v, const Pos *pos, const char **ret) {
        int r = eval_force_string(st, v, pos, NULL, ret);
        if (r < 0)
                return r;
        if (v->string.context)
                return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                  "the string '%s' is not allowed to refer to a store path (such as '%s')",
                                  v->string.s, v->string.context[0][0] == '=' ? v->string.context[0] + 1 : v->string.context[0]);
        return 0;
}

/* A set of pointers (open addressing), for walks over cyclic values. */
typedef struct PtrSet {
        size_t n, n_slots;
        const void **slots;
} PtrSet;

static bool ptrset_insert(PtrSet *ps, const void *p) {
        if ((ps->n + 1) * 2 > ps->n_slots) {
                size_t ns = ps->n_slots ? ps->n_slots * 2 : 64;
                const void **slots = gc_alloc(sizeof(void *) * ns);
                for (size_t i = 0; i < ps->n_slots; i++)
                        if (ps->slots[i]) {
                                size_t j = ((uintptr_t) ps->slots[i] >> 4) * 0x9E3779B97F4A7C15ULL & (ns - 1);
                                while (slots[j])
                                        j = (j + 1) & (ns - 1);
                                slots[j] = ps->slots[i];
                        }
                ps->slots = slots;
                ps->n_slots = ns;
        }
        size_t j = ((uintptr_t) p >> 4) * 0x9E3779B97F4A7C15ULL & (ps->n_slots - 1);
        while (ps->slots[j]) {
                if (ps->slots[j] == p)
                        return false;
                j = (j + 1) & (ps->n_slots - 1);
        }
        ps->slots[j] = p;
        ps->n++;
        return true;
}

static int force_deep(EvalState *st, Value *v, const Pos *pos, PtrSet *seen) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        if (v->type == VT_ATTRS) {
                if (!ptrset_insert(seen, v->attrs))
                        return 0;
        } else if (v->type == VT_LIST) {
                if (!v->list.size || !ptrset_insert(seen, v->list.elems))
                        return 0;
        } else
                return 0;
        if ((r = eval_depth_enter(st, pos)) < 0)
                return r;
        if (v->type == VT_ATTRS) {
                Bindings *b = v->attrs;
                for (uint32_t i = 0; i < b->size && r >= 0; i++) {
                        r = force_deep(st, b->attrs[i].value, b->attrs[i].pos ? b->attrs[i].pos : pos, seen);
                        /* Nix adds this frame even when the attribute has no
                         * position (it then shows no location). */
                        if (r < 0)
                                eval_error_add_frame(st, b->attrs[i].pos, "while evaluating the attribute '%s'",
                                                     symbol_str(b->attrs[i].name));
                }
        } else {
                for (size_t i = 0; i < v->list.size && r >= 0; i++)
                        r = force_deep(st, v->list.elems[i], pos, seen);
        }
        eval_depth_leave(st);
        return r;
}

int eval_force_deep(EvalState *st, Value *v, const Pos *pos) {
        PtrSet seen = { 0 };
        return force_deep(st, v, pos, &seen);
}

Attr *eval_get_attr(Value *attrs, Symbol name) {
        return bindings_find(attrs->attrs, name);
}

int eval_is_derivation(EvalState *st, Value *v) {
        if (v->type != VT_ATTRS)
                return 0;
        Attr *a = bindings_find(v->attrs, st->sym.type);
        if (!a)
                return 0;
        int r = eval_force(st, a->value, a->pos);
        if (r < 0)
                return r;
        return a->value->type == VT_STRING && strcmp(a->value->string.s, "derivation") == 0;
}

/* ---- coercion -------------------------------------------------------- */

/* Decimal text of n into buf (at least 21 bytes); returns the length. */
static size_t int_to_text(int64_t n, char *buf) {
        char tmp[24];
        size_t k = 0;
        uint64_t u = n < 0 ? -(uint64_t) n : (uint64_t) n;
        do {
                tmp[k++] = '0' + u % 10;
                u /= 10;
        } while (u);
        size_t len = 0;
        if (n < 0)
                buf[len++] = '-';
        while (k)
                buf[len++] = tmp[--k];
        buf[len] = 0;
        return len;
}

static char *float_to_string(double d) {
        /* std::to_string: "%f". */
        char buf[512];
        snprintf(buf, sizeof buf, "%f", d);
        return gc_strdup(buf);
}

static int coerce(EvalState *st, Value *v, const Pos *pos, ContextBuilder *cb, bool coerce_more,
                  bool copy_to_store, bool canonicalize, StrBuf *out) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        switch (v->type) {
        case VT_STRING:
                if (cb)
                        context_add_all(cb, v->string.context);
                strbuf_adds(out, v->string.s);
                return 0;
        case VT_PATH: {
                const char *p = canonicalize ? canon_path(v->path, "/") : v->path;
                if (copy_to_store) {
                        const char *sp;
                        if ((r = eval_copy_path_to_store(st, p, pos, &sp)) < 0)
                                return r;
                        if (cb)
                                context_add(cb, sp);
                        p = sp;
                }
                strbuf_adds(out, p);
                return 0;
        }
        case VT_ATTRS: {
                Attr *a = bindings_find(v->attrs, st->s_to_string);
                if (a) {
                        Value res;
                        Value *self = v;
                        if ((r = call_function(st, a->value, 1, &self, &res, pos)) < 0)
                                return r;
                        return coerce(st, &res, pos, cb, coerce_more, copy_to_store, false, out);
                }
                a = bindings_find(v->attrs, st->sym.outPath);
                if (!a)
                        return eval_error(st, EVAL_ERROR_TYPE, pos, "cannot coerce a set to a string");
                return coerce(st, a->value, pos, cb, coerce_more, copy_to_store, false, out);
        }
        default:
                break;
        }
        if (coerce_more) {
                switch (v->type) {
                case VT_BOOL:
                        if (v->boolean)
                                strbuf_addc(out, '1');
                        return 0;
                case VT_INT: {
                        char buf[24];
                        strbuf_add(out, buf, int_to_text(v->integer, buf));
                        return 0;
                }
                case VT_FLOAT:
                        strbuf_adds(out, float_to_string(v->fpoint));
                        return 0;
                case VT_NULL:
                        return 0;
                case VT_LIST:
                        if ((r = eval_depth_enter(st, pos)) < 0)
                                return r;
                        for (size_t i = 0; i < v->list.size; i++) {
                                Value *x = v->list.elems[i];
                                if ((r = coerce(st, x, pos, cb, coerce_more, copy_to_store, false, out)) < 0)
                                        break;
                                if (i + 1 < v->list.size && (x->type != VT_LIST || x->list.size != 0))
                                        strbuf_addc(out, ' ');
                        }
                        eval_depth_leave(st);
                        return r;
                default:
                        break;
                }
        }
        return eval_error(st, EVAL_ERROR_TYPE, pos, "cannot coerce %s to a string", value_show_type(v));
}

int eval_coerce_to_string(EvalState *st, Value *v, const Pos *pos, ContextBuilder *cb,
                          bool coerce_more, bool copy_to_store, const char **ret) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        if (v->type == VT_STRING) {
                if (cb)
                        context_add_all(cb, v->string.context);
                *ret = v->string.s;
                return 0;
        }
        if (v->type == VT_INT && coerce_more) {
                char buf[24];
                *ret = gc_strndup(buf, int_to_text(v->integer, buf));
                return 0;
        }
        StrBuf sb = STRBUF_INIT;
        r = coerce(st, v, pos, cb, coerce_more, copy_to_store, false, &sb);
        if (r >= 0)
                *ret = gc_strndup(sb.buf, sb.len);
        strbuf_release(&sb);
        return r;
}

int eval_coerce_to_path(EvalState *st, Value *v, const Pos *pos, ContextBuilder *cb, const char **ret) {
        const char *s;
        int r = eval_coerce_to_string(st, v, pos, cb, false, false, &s);
        if (r < 0)
                return r;
        if (s[0] != '/')
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "string '%s' doesn't represent an absolute path", s);
        *ret = s;
        return 0;
}

int eval_copy_path_to_store(EvalState *st, const char *path, const Pos *pos, const char **ret) {
        if (st->opts.store.add_path) {
                char *err = NULL;
                int r = st->opts.store.add_path(st->opts.store.userdata, path, ret, &err);
                if (r < 0) {
                        r = eval_error(st, EVAL_ERROR_IO, pos, "%s", err ? err : "cannot copy path to the store");
                        free(err);
                        return r;
                }
                return 0;
        }
        struct stat stt;
        if (lstat(path, &stt) < 0)
                return eval_error(st, EVAL_ERROR_IO, pos, "getting status of '%s': %s", path, strerror(errno));
        return eval_error(st, EVAL_ERROR_GENERIC, pos, "cannot copy '%s' to the store: this evaluation has no store", path);
}

/* ---- equality and ordering ------------------------------------------ */

int eval_equal(EvalState *st, Value *a, Value *b, const Pos *pos, bool *ret) {
        int r;
        if ((r = eval_force(st, a, pos)) < 0 || (r = eval_force(st, b, pos)) < 0)
                return r;
        if (a == b) {
                *ret = true;
                return 0;
        }
        /* Integers and floats compare by value across the two types. */
        if (a->type == VT_INT && b->type == VT_FLOAT) {
                *ret = (double) a->integer == b->fpoint;
                return 0;
        }
        if (a->type == VT_FLOAT && b->type == VT_INT) {
                *ret = a->fpoint == (double) b->integer;
                return 0;
        }
        bool a_fn = a->type == VT_LAMBDA || a->type == VT_PRIMOP || a->type == VT_PRIMOP_APP;
        bool b_fn = b->type == VT_LAMBDA || b->type == VT_PRIMOP || b->type == VT_PRIMOP_APP;
        if (a->type != b->type && !(a_fn && b_fn)) {
                *ret = false;
                return 0;
        }
        switch (a->type) {
        case VT_INT:
                *ret = a->integer == b->integer;
                return 0;
        case VT_FLOAT:
                *ret = a->fpoint == b->fpoint;
                return 0;
        case VT_BOOL:
                *ret = a->boolean == b->boolean;
                return 0;
        case VT_NULL:
                *ret = true;
                return 0;
        case VT_STRING:
                *ret = strcmp(a->string.s, b->string.s) == 0;
                return 0;
        case VT_PATH:
                *ret = strcmp(a->path, b->path) == 0;
                return 0;
        case VT_LIST:
                if (a->list.size != b->list.size) {
                        *ret = false;
                        return 0;
                }
                if ((r = eval_depth_enter(st, pos)) < 0)
                        return r;
                *ret = true;
                for (size_t i = 0; i < a->list.size && *ret; i++)
                        if ((r = eval_equal(st, a->list.elems[i], b->list.elems[i], pos, ret)) < 0)
                                break;
                eval_depth_leave(st);
                return r < 0 ? r : 0;
        case VT_ATTRS: {
                /* Derivations are equal when their outPaths are. */
                if ((r = eval_is_derivation(st, a)) < 0)
                        return r;
                if (r) {
                        int r2 = eval_is_derivation(st, b);
                        if (r2 < 0)
                                return r2;
                        Attr *oa = bindings_find(a->attrs, st->sym.outPath);
                        Attr *ob = bindings_find(b->attrs, st->sym.outPath);
                        if (r2 && oa && ob)
                                return eval_equal(st, oa->value, ob->value, pos, ret);
                }
                if (a->attrs->size != b->attrs->size) {
                        *ret = false;
                        return 0;
                }
                if ((r = eval_depth_enter(st, pos)) < 0)
                        return r;
                *ret = true;
                for (uint32_t i = 0; i < a->attrs->size && *ret; i++) {
                        if (a->attrs->attrs[i].name != b->attrs->attrs[i].name) {
                                *ret = false;
                                break;
                        }
                        if ((r = eval_equal(st, a->attrs->attrs[i].value, b->attrs->attrs[i].value, pos, ret)) < 0)
                                break;
                }
                eval_depth_leave(st);
                return r < 0 ? r : 0;
        }
        case VT_LAMBDA:
        case VT_PRIMOP:
        case VT_PRIMOP_APP:
                *ret = false;
                return 0;
        }
        /* Nix reports failed comparisons without a position. */
        return eval_error(st, EVAL_ERROR_GENERIC, NULL, "cannot compare %s with %s", value_show_type(a), value_show_type(b));
}

int eval_less_than(EvalState *st, Value *a, Value *b, const Pos *pos, bool *ret) {
        int r;
        if ((r = eval_force(st, a, pos)) < 0 || (r = eval_force(st, b, pos)) < 0)
                return r;
        if (a->type == VT_INT && b->type == VT_INT) {
                *ret = a->integer < b->integer;
                return 0;
        }
        if ((a->type == VT_INT || a->type == VT_FLOAT) && (b->type == VT_INT || b->type == VT_FLOAT)) {
                double x = a->type == VT_INT ? (double) a->integer : a->fpoint;
                double y = b->type == VT_INT ? (double) b->integer : b->fpoint;
                *ret = x < y;
                return 0;
        }
        if (a->type == VT_STRING && b->type == VT_STRING) {
                *ret = strcmp(a->string.s, b->string.s) < 0;
                return 0;
        }
        if (a->type == VT_PATH && b->type == VT_PATH) {
                *ret = strcmp(a->path, b->path) < 0;
                return 0;
        }
        if (a->type == VT_LIST && b->type == VT_LIST) {
                if ((r = eval_depth_enter(st, pos)) < 0)
                        return r;
                for (size_t i = 0;; i++) {
                        if (i == b->list.size) {
                                *ret = false;
                                break;
                        }
                        if (i == a->list.size) {
                                *ret = true;
                                break;
                        }
                        bool eq;
                        if ((r = eval_equal(st, a->list.elems[i], b->list.elems[i], pos, &eq)) < 0)
                                break;
                        if (!eq) {
                                r = eval_less_than(st, a->list.elems[i], b->list.elems[i], pos, ret);
                                break;
                        }
                }
                eval_depth_leave(st);
                return r < 0 ? r : 0;
        }
        /* Nix reports failed comparisons without a position. */
        return eval_error(st, EVAL_ERROR_GENERIC, NULL, "cannot compare %s with %s", value_show_type(a), value_show_type(b));
}

/* ---- function calls ------------------------------------------------- */

static const char *lambda_name(const Expr *lam) {
        const char *where = pos_show(&lam->pos);
        if (lam->lambda.name) {
                const char *n = symbol_str(lam->lambda.name);
                char *r = gc_alloc_atomic(strlen(n) + strlen(where) + 16);
                sprintf(r, "'%s' at %s", n, where);
                return r;
        }
        char *r = gc_alloc_atomic(strlen(where) + 32);
        sprintf(r, "anonymous function at %s", where);
        return r;
}

static int call_lambda(EvalState *st, Value *fn, Value *arg, Value *ret, const Pos *pos) {
        Expr *lam = fn->lambda.fun;
        Env *env;
        int r;
        if (!lam->lambda.has_formals) {
                env = env_new(1, fn->lambda.env);
                env->values[0] = arg;
        } else {
                uint32_t nf = lam->lambda.n_formals;
                env = env_new(nf + (lam->lambda.arg ? 1 : 0), fn->lambda.env);
                if ((r = eval_force_attrs(st, arg, pos)) < 0)
                        return r;
                if (lam->lambda.arg)
                        env->values[nf] = arg;
                Bindings *b = arg->attrs;
                uint32_t used = 0;
                for (uint32_t i = 0; i < nf; i++) {
                        Formal *f = &lam->lambda.formals[i];
                        Attr *a = bindings_find(b, f->name);
                        if (a) {
                                env->values[i] = a->value;
                                used++;
                        } else if (f->def)
                                env->values[i] = maybe_thunk(st, env, f->def);
                        else
                                return eval_error(st, EVAL_ERROR_MISSING_ARGUMENT, pos,
                                                  "%s called without required argument '%s'",
                                                  lambda_name(lam), symbol_str(f->name));
                }
                if (!lam->lambda.ellipsis && used != b->size) {
                        Attr **sorted = bindings_sorted_by_name(b);
                        for (uint32_t i = 0; i < b->size; i++) {
                                bool known = false;
                                for (uint32_t j = 0; j < nf && !known; j++)
                                        known = lam->lambda.formals[j].name == sorted[i]->name;
                                if (!known) {
                                        r = eval_error(st, EVAL_ERROR_TYPE, pos, "%s called with unexpected argument '%s'",
                                                       lambda_name(lam), symbol_str(sorted[i]->name));
                                        const char **names = gc_alloc(sizeof(char *) * (nf ? nf : 1));
                                        for (uint32_t j = 0; j < nf; j++)
                                                names[j] = symbol_str(lam->lambda.formals[j].name);
                                        eval_error_suggest(st, symbol_str(sorted[i]->name), names, nf);
                                        return r;
                                }
                        }
                }
        }
        if ((r = eval_depth_enter(st, pos)) < 0)
                return r;
        r = eval_in(st, env, lam->lambda.body, ret);
        eval_depth_leave(st);
        if (r < 0 && st->opts.show_trace) {
                if (lam->lambda.name)
                        eval_error_add_frame(st, &lam->pos, "while evaluating '%s'", symbol_str(lam->lambda.name));
                else
                        eval_error_add_frame(st, &lam->pos, "while evaluating anonymous lambda");
                eval_error_add_frame(st, pos, "from call site");
        }
        return r;
}

static int call_primop(EvalState *st, const PrimOp *op, Value **args, Value *ret, const Pos *pos) {
        int r = eval_depth_enter(st, pos);
        if (r < 0)
                return r;
        r = op->fn(st, pos, args, ret);
        eval_depth_leave(st);
        return r;
}

static int call_function(EvalState *st, Value *fn, size_t n_args, Value **args, Value *ret, const Pos *pos) {
        int r;
        Value cur;
        if ((r = eval_force(st, fn, pos)) < 0)
                return r;
        cur = *fn;
        while (n_args > 0) {
                Value tmp;
                Value *res = n_args == 1 ? ret : &tmp;
                switch (cur.type) {
                case VT_LAMBDA:
                        if ((r = call_lambda(st, &cur, args[0], res, pos)) < 0)
                                return r;
                        args++, n_args--;
                        break;
                case VT_PRIMOP:
                case VT_PRIMOP_APP: {
                        /* Collect the arguments applied so far. */
                        const Value *p = &cur;
                        size_t have = 0;
                        while (p->type == VT_PRIMOP_APP) {
                                have++;
                                p = p->primop_app.left;
                        }
                        const PrimOp *op = p->primop;
                        size_t need = op->arity - have;
                        if (n_args < need) {
                                /* Still partial: chain the new arguments. */
                                Value *left = value_new();
                                *left = cur;
                                for (size_t i = 0; i < n_args; i++) {
                                        Value *app = i + 1 == n_args ? ret : value_new();
                                        app->type = VT_PRIMOP_APP;
                                        app->primop_app.left = left;
                                        app->primop_app.right = args[i];
                                        left = app;
                                }
                                return 0;
                        }
                        Value *all[8];
                        const Value *q = &cur;
                        for (size_t i = have; i-- > 0;) {
                                all[i] = q->primop_app.right;
                                q = q->primop_app.left;
                        }
                        for (size_t i = 0; i < need; i++)
                                all[have + i] = args[i];
                        if ((r = call_primop(st, op, all, res, pos)) < 0)
                                return r;
                        args += need, n_args -= need;
                        break;
                }
                case VT_ATTRS: {
                        Attr *f = bindings_find(cur.attrs, st->sym.functor);
                        if (!f)
                                goto not_function;
                        /* f self arg */
                        Value *self = value_new();
                        *self = cur;
                        Value *fa[2] = { self, args[0] };
                        if ((r = call_function(st, f->value, 2, fa, res, pos)) < 0)
                                return r;
                        args++, n_args--;
                        break;
                }
                default:
                not_function:
                        return eval_error(st, EVAL_ERROR_TYPE, pos,
                                          "attempt to call something which is not a function but %s",
                                          value_show_type(&cur));
                }
                if (n_args > 0) {
                        if ((r = eval_force(st, res, pos)) < 0)
                                return r;
                        cur = *res;
                } else if (res != ret)
                        *ret = *res;
        }
        return 0;
}

int eval_call(EvalState *st, Value *fn, size_t n_args, Value **args, Value *ret, const Pos *pos) {
        return call_function(st, fn, n_args, args, ret, pos);
}

/* ---- evaluation ----------------------------------------------------- */

static int eval_bool(EvalState *st, Env *env, Expr *e, const Pos *pos, bool *ret) {
        Value v;
        int r = eval_in(st, env, e, &v);
        if (r < 0)
                return r;
        if (v.type != VT_BOOL)
                return type_error(st, &v, pos, "a Boolean");
        *ret = v.boolean;
        return 0;
}

static int eval_attrs_value(EvalState *st, Env *env, Expr *e, Value *v, const Pos *pos) {
        int r = eval_in(st, env, e, v);
        if (r < 0)
                return r;
        if (v->type != VT_ATTRS)
                return type_error(st, v, pos, "a set");
        return 0;
}

static int attr_name(EvalState *st, Env *env, AttrName *an, Symbol *ret) {
        if (!an->expr) {
                *ret = an->sym;
                return 0;
        }
        Value v;
        int r = eval_in(st, env, an->expr, &v);
        if (r < 0)
                return r;
        const char *s;
        if ((r = eval_force_string_no_context(st, &v, &an->expr->pos, &s)) < 0)
                return r;
        *ret = symbol_intern_str(s);
        return 0;
}

static const char *path_show(EvalState *st, Env *env, AttrPath *path) {
        StrBuf sb = STRBUF_INIT;
        for (uint32_t i = 0; i < path->n; i++) {
                if (i)
                        strbuf_addc(&sb, '.');
                Symbol s;
                if (!path->names[i].expr)
                        strbuf_adds(&sb, symbol_str(path->names[i].sym));
                else
                        strbuf_adds(&sb, "\"${...}\"");
                (void) s;
        }
        (void) st, (void) env;
        char *r = gc_strndup(sb.buf, sb.len);
        strbuf_release(&sb);
        return r;
}

static int eval_attrs(EvalState *st, Env *env, Expr *e, Value *v) {
        uint32_t n = e->attrs.n_attrs;
        Bindings *b = bindings_new(n + e->attrs.n_dynamic);
        Env *inner = env;
        int r;
        if (e->attrs.recursive) {
                inner = env_new(n, env);
                for (uint32_t i = 0; i < n; i++) {
                        AttrDef *d = &e->attrs.attrs[i];
                        Value *val = maybe_thunk(st, d->kind == ATTR_DEF_INHERITED ? env : inner, d->expr);
                        inner->values[i] = val;
                        bindings_push(b, d->name, val, &d->pos);
                }
                bindings_sort(b);
                /* Legacy: `__overrides` in a rec set replaces attributes. */
                Attr *ov = bindings_find(b, st->s_overrides);
                if (ov) {
                        if ((r = eval_force_attrs(st, ov->value, ov->pos)) < 0)
                                return r;
                        Bindings *ob = ov->value->attrs;
                        Bindings *nb = bindings_new(b->size + ob->size + e->attrs.n_dynamic);
                        memcpy(nb->attrs, b->attrs, sizeof(Attr) * b->size);
                        nb->size = b->size;
                        for (uint32_t k = 0; k < ob->size; k++) {
                                Attr *a = bindings_find(nb, ob->attrs[k].name);
                                if (a) {
                                        for (uint32_t i = 0; i < n; i++)
                                                if (e->attrs.attrs[i].name == a->name)
                                                        inner->values[i] = ob->attrs[k].value;
                                        a->value = ob->attrs[k].value;
                                } else {
                                        bindings_push(nb, ob->attrs[k].name, ob->attrs[k].value, ob->attrs[k].pos);
                                        bindings_sort(nb);
                                }
                        }
                        b = nb;
                }
        } else {
                for (uint32_t i = 0; i < n; i++) {
                        AttrDef *d = &e->attrs.attrs[i];
                        bindings_push(b, d->name, maybe_thunk(st, env, d->expr), &d->pos);
                }
                bindings_sort(b);
        }
        for (uint32_t i = 0; i < e->attrs.n_dynamic; i++) {
                DynamicAttrDef *d = &e->attrs.dynamic[i];
                Value nv;
                if ((r = eval_in(st, inner, d->name, &nv)) < 0)
                        return r;
                if (nv.type == VT_NULL)
                        continue;
                const char *s;
                if ((r = eval_force_string_no_context(st, &nv, &d->pos, &s)) < 0)
                        return r;
                Symbol sym = symbol_intern_str(s);
                Attr *prev = bindings_find(b, sym);
                if (prev)
                        return eval_error(st, EVAL_ERROR_GENERIC, &d->pos, "dynamic attribute '%s' already defined at %s",
                                          s, pos_show(prev->pos));
                if (d->value->kind == EXPR_LAMBDA && !d->value->lambda.name)
                        d->value->lambda.name = sym;
                if (b->size == b->capacity) {
                        Bindings *nb = bindings_new(b->capacity * 2 + 1);
                        memcpy(nb->attrs, b->attrs, sizeof(Attr) * b->size);
                        nb->size = b->size;
                        b = nb;
                }
                bindings_push(b, sym, maybe_thunk(st, inner, d->value), &d->pos);
                bindings_sort(b);
        }
        value_set_attrs(v, b);
        return 0;
}

static int eval_select_path(EvalState *st, Env *env, Expr *e, Value *cur, const Pos **pos2, Value *v) {
        int r;
        for (uint32_t i = 0; i < e->select.path.n; i++) {
                Symbol name;
                if ((r = attr_name(st, env, &e->select.path.names[i], &name)) < 0)
                        return r;
                /* Intermediate values are forced, and errors reported, at the
                 * position of the whole selection, as Nix does. */
                if ((r = eval_force(st, cur, &e->pos)) < 0)
                        return r;
                Attr *a;
                if (cur->type != VT_ATTRS || !(a = bindings_find(cur->attrs, name))) {
                        if (e->select.def)
                                return eval_in(st, env, e->select.def, v);
                        if (cur->type != VT_ATTRS)
                                return type_error(st, cur, &e->pos, "a set");
                        r = eval_error(st, EVAL_ERROR_GENERIC, &e->pos, "attribute '%s' missing", symbol_str(name));
                        eval_error_suggest_attrs(st, symbol_str(name), cur->attrs);
                        return r;
                }
                cur = a->value;
                *pos2 = a->pos;
        }
        if ((r = eval_force(st, cur, *pos2 ? *pos2 : &e->pos)) < 0)
                return r;
        *v = *cur;
        return 0;
}

static int eval_select(EvalState *st, Env *env, Expr *e, Value *v) {
        Value tmp;
        int r = eval_in(st, env, e->select.e, &tmp);
        if (r < 0)
                return r;
        const Pos *pos2 = NULL;
        r = eval_select_path(st, env, e, &tmp, &pos2, v);
        /* Once an attribute was found, failures name the selection (but not
         * for the attributes `derivation` makes: Nix skips its file). */
        if (r < 0 && pos2 && !(pos2->file && strcmp(pos2->file, "//builtin/derivation.nix") == 0))
                eval_error_add_frame(st, pos2, "while evaluating the attribute '%s'", path_show(st, env, &e->select.path));
        return r;
}

static int eval_has_attr(EvalState *st, Env *env, Expr *e, Value *v) {
        Value tmp;
        Value *cur = &tmp;
        int r = eval_in(st, env, e->has_attr.e, &tmp);
        if (r < 0)
                return r;
        for (uint32_t i = 0; i < e->has_attr.path.n; i++) {
                if (i > 0 && (r = eval_force(st, cur, &e->pos)) < 0)
                        return r;
                Symbol name;
                if ((r = attr_name(st, env, &e->has_attr.path.names[i], &name)) < 0)
                        return r;
                Attr *a;
                if (cur->type != VT_ATTRS || !(a = bindings_find(cur->attrs, name))) {
                        value_set_bool(v, false);
                        return 0;
                }
                cur = a->value;
        }
        value_set_bool(v, true);
        return 0;
}

static int eval_update(EvalState *st, Env *env, Expr *e, Value *v) {
        Value a, b;
        int r;
        if ((r = eval_attrs_value(st, env, e->bin.a, &a, &e->pos)) < 0 ||
            (r = eval_attrs_value(st, env, e->bin.b, &b, &e->pos)) < 0)
                return r;
        Bindings *x = a.attrs, *y = b.attrs;
        if (x->size == 0) {
                *v = b;
                return 0;
        }
        if (y->size == 0) {
                *v = a;
                return 0;
        }
        /* Merge two Symbol-sorted arrays; the right side wins. Every
         * entry up to out->size is written below: no need to clear it. */
        size_t cap = (size_t) x->size + y->size;
        alloc_stats.sets++;
        alloc_stats.set_bytes += sizeof(Bindings) + sizeof(Attr) * cap;
        Bindings *out = gc_alloc_uncleared(sizeof(Bindings) + sizeof(Attr) * cap);
        out->size = 0;
        out->capacity = cap;
        uint32_t i = 0, j = 0, k = 0;
        if ((size_t) y->size * 16 < x->size) {
                /* A few updates to a big set: copy the runs between the
                 * updated names in bulk. */
                for (j = 0; j < y->size; j++) {
                        Symbol name = y->attrs[j].name;
                        uint32_t lo = i, hi = x->size;
                        while (lo < hi) {
                                uint32_t mid = lo + (hi - lo) / 2;
                                if (x->attrs[mid].name < name)
                                        lo = mid + 1;
                                else
                                        hi = mid;
                        }
                        memcpy(out->attrs + k, x->attrs + i, sizeof(Attr) * (lo - i));
                        k += lo - i;
                        i = lo;
                        out->attrs[k++] = y->attrs[j];
                        if (i < x->size && x->attrs[i].name == name)
                                i++;
                }
                memcpy(out->attrs + k, x->attrs + i, sizeof(Attr) * (x->size - i));
                k += x->size - i;
                out->size = k;
                value_set_attrs(v, out);
                return 0;
        }
        while (i < x->size && j < y->size) {
                if (x->attrs[i].name < y->attrs[j].name)
                        out->attrs[k++] = x->attrs[i++];
                else if (x->attrs[i].name > y->attrs[j].name)
                        out->attrs[k++] = y->attrs[j++];
                else {
                        out->attrs[k++] = y->attrs[j++];
                        i++;
                }
        }
        while (i < x->size)
                out->attrs[k++] = x->attrs[i++];
        while (j < y->size)
                out->attrs[k++] = y->attrs[j++];
        out->size = k;
        value_set_attrs(v, out);
        return 0;
}

static int eval_concat_lists(EvalState *st, Env *env, Expr *e, Value *v) {
        Value a, b;
        int r;
        if ((r = eval_in(st, env, e->bin.a, &a)) < 0)
                return r;
        if (a.type != VT_LIST)
                return type_error(st, &a, &e->pos, "a list");
        if ((r = eval_in(st, env, e->bin.b, &b)) < 0)
                return r;
        if (b.type != VT_LIST)
                return type_error(st, &b, &e->pos, "a list");
        if (a.list.size == 0) {
                *v = b;
                return 0;
        }
        if (b.list.size == 0) {
                *v = a;
                return 0;
        }
        Value out;
        value_set_list(&out, a.list.size + b.list.size);
        memcpy(out.list.elems, a.list.elems, sizeof(Value *) * a.list.size);
        memcpy(out.list.elems + a.list.size, b.list.elems, sizeof(Value *) * b.list.size);
        *v = out;
        return 0;
}

/* The general case: the first n_pre parts are already evaluated in pre. */
static int eval_concat_strings_slow(EvalState *st, Env *env, Expr *e, const Value *pre, uint32_t n_pre, Value *v);

/* "…${…}…" where every part is already a string (the usual case): one
 * allocation of the exact size, no intermediate buffer. */
static int eval_interpolation(EvalState *st, Env *env, Expr *e, Value *v) {
        Value parts[8];
        size_t lens[8], total = 0;
        bool has_context = false;
        uint32_t n = e->concat.n;
        for (uint32_t i = 0; i < n; i++) {
                int r = eval_in(st, env, e->concat.parts[i], &parts[i]);
                if (r < 0)
                        return r;
                if (parts[i].type != VT_STRING)
                        return eval_concat_strings_slow(st, env, e, parts, i + 1, v);
                lens[i] = strlen(parts[i].string.s);
                total += lens[i];
                has_context = has_context || parts[i].string.context;
        }
        char *out = gc_alloc_atomic(total + 1), *o = out;
        for (uint32_t i = 0; i < n; i++) {
                memcpy(o, parts[i].string.s, lens[i]);
                o += lens[i];
        }
        *o = 0;
        const char **context = NULL;
        if (has_context) {
                ContextBuilder cb = { 0 };
                for (uint32_t i = 0; i < n; i++)
                        context_add_all(&cb, parts[i].string.context);
                context = context_finish(&cb);
        }
        value_set_string(v, out, context);
        return 0;
}

/* `a + b` on two integers is by far the most common case: no buffers. */
static int eval_concat_strings(EvalState *st, Env *env, Expr *e, Value *v) {
        if (e->concat.force_string && e->concat.n <= 8)
                return eval_interpolation(st, env, e, v);
        if (e->concat.force_string || e->concat.n != 2)
                return eval_concat_strings_slow(st, env, e, NULL, 0, v);
        Value ab[2];
        int r = eval_in(st, env, e->concat.parts[0], &ab[0]);
        if (r < 0)
                return r;
        if (ab[0].type != VT_INT)
                return eval_concat_strings_slow(st, env, e, ab, 1, v);
        if ((r = eval_in(st, env, e->concat.parts[1], &ab[1])) < 0)
                return r;
        int64_t sum;
        if (ab[1].type != VT_INT || __builtin_add_overflow(ab[0].integer, ab[1].integer, &sum))
                return eval_concat_strings_slow(st, env, e, ab, 2, v);
        value_set_int(v, sum);
        return 0;
}

static int eval_concat_strings_slow(EvalState *st, Env *env, Expr *e, const Value *pre, uint32_t n_pre, Value *v) {
        ContextBuilder cb = { 0 };
        StrBuf sb = STRBUF_INIT;
        int64_t n = 0;
        double nf = 0;
        bool first = !e->concat.force_string;
        ValueType first_type = VT_STRING;
        int r = 0;
        for (uint32_t i = 0; i < e->concat.n; i++) {
                Value tmp;
                const Pos *ipos = &e->concat.poss[i];
                if (i < n_pre)
                        tmp = pre[i];
                else if ((r = eval_in(st, env, e->concat.parts[i], &tmp)) < 0)
                        goto out;
                if (first)
                        first_type = tmp.type;
                if (first_type == VT_INT) {
                        if (tmp.type == VT_INT) {
                                int64_t sum;
                                if (__builtin_add_overflow(n, tmp.integer, &sum)) {
                                        r = eval_error(st, EVAL_ERROR_OVERFLOW, ipos, "integer overflow in adding %" PRId64 " + %" PRId64,
                                                       n, tmp.integer);
                                        goto out;
                                }
                                n = sum;
                        } else if (tmp.type == VT_FLOAT) {
                                first_type = VT_FLOAT;
                                nf = (double) n + tmp.fpoint;
                        } else {
                                r = eval_error(st, EVAL_ERROR_TYPE, ipos, "cannot add %s to an integer", value_show_type(&tmp));
                                goto out;
                        }
                } else if (first_type == VT_FLOAT) {
                        if (tmp.type == VT_INT)
                                nf += (double) tmp.integer;
                        else if (tmp.type == VT_FLOAT)
                                nf += tmp.fpoint;
                        else {
                                r = eval_error(st, EVAL_ERROR_TYPE, ipos, "cannot add %s to a float", value_show_type(&tmp));
                                goto out;
                        }
                } else {
                        if ((r = coerce(st, &tmp, ipos, &cb, false, first_type == VT_STRING, !first, &sb)) < 0)
                                goto out;
                }
                first = false;
        }
        if (first_type == VT_INT)
                value_set_int(v, n);
        else if (first_type == VT_FLOAT)
                value_set_float(v, nf);
        else if (first_type == VT_PATH) {
                if (cb.n) {
                        r = eval_error(st, EVAL_ERROR_GENERIC, &e->pos,
                                       "a string that refers to a store path cannot be appended to a path");
                        goto out;
                }
                value_set_path(v, canon_path(sb.buf, "/"));
        } else
                value_set_string(v, gc_strndup(sb.buf, sb.len), context_finish(&cb));
out:
        strbuf_release(&sb);
        return r;
}

static int eval_arith(EvalState *st, Env *env, Expr *e, Value *v) {
        Value a, b;
        int r;
        if ((r = eval_in(st, env, e->bin.a, &a)) < 0 || (r = eval_in(st, env, e->bin.b, &b)) < 0)
                return r;
        if (a.type == VT_INT && b.type == VT_INT) {
                /* The common case, inline; overflow and division go the
                 * long way for their errors. */
                int64_t x;
                if (e->kind == EXPR_SUB && !__builtin_sub_overflow(a.integer, b.integer, &x)) {
                        value_set_int(v, x);
                        return 0;
                }
                if (e->kind == EXPR_MUL && !__builtin_mul_overflow(a.integer, b.integer, &x)) {
                        value_set_int(v, x);
                        return 0;
                }
        }
        switch (e->kind) {
        case EXPR_SUB:
                return arith_sub(st, &a, &b, &e->pos, v);
        case EXPR_MUL:
                return arith_mul(st, &a, &b, &e->pos, v);
        default:
                return arith_div(st, &a, &b, &e->pos, v);
        }
}

static int eval_compare(EvalState *st, Env *env, Expr *e, Value *v) {
        Value a, b;
        int r;
        bool lt;
        if ((r = eval_in(st, env, e->bin.a, &a)) < 0 || (r = eval_in(st, env, e->bin.b, &b)) < 0)
                return r;
        if (a.type == VT_INT && b.type == VT_INT) {
                int64_t x = a.integer, y = b.integer;
                value_set_bool(v, e->kind == EXPR_LT ? x < y : e->kind == EXPR_GT ? x > y : e->kind == EXPR_LE ? x <= y : x >= y);
                return 0;
        }
        switch (e->kind) {
        case EXPR_LT:
                r = eval_less_than(st, &a, &b, &e->pos, &lt);
                break;
        case EXPR_GT:
                r = eval_less_than(st, &b, &a, &e->pos, &lt);
                break;
        case EXPR_LE:
                r = eval_less_than(st, &b, &a, &e->pos, &lt);
                lt = !lt;
                break;
        default: /* EXPR_GE */
                r = eval_less_than(st, &a, &b, &e->pos, &lt);
                lt = !lt;
                break;
        }
        if (r < 0)
                return r;
        value_set_bool(v, lt);
        return 0;
}

static int eval_in(EvalState *st, Env *env, Expr *e, Value *v) {
        int r;
        switch ((ExprKind) e->kind) {
        case EXPR_INT:
                value_set_int(v, e->integer);
                return 0;
        case EXPR_FLOAT:
                value_set_float(v, e->fpoint);
                return 0;
        case EXPR_STRING:
        case EXPR_PATH:
                *v = *e->constant;
                return 0;
        case EXPR_VAR: {
                Value *x = NULL;
                if ((r = lookup_var(st, env, e, &x)) < 0)
                        return r;
                if ((r = eval_force(st, x, &e->pos)) < 0)
                        return r;
                *v = *x;
                return 0;
        }
        case EXPR_SELECT:
                return eval_select(st, env, e, v);
        case EXPR_HAS_ATTR:
                return eval_has_attr(st, env, e, v);
        case EXPR_ATTRS:
                return eval_attrs(st, env, e, v);
        case EXPR_LIST: {
                Value out;
                value_set_list(&out, e->list.n);
                for (uint32_t i = 0; i < e->list.n; i++)
                        out.list.elems[i] = maybe_thunk(st, env, e->list.elems[i]);
                *v = out;
                return 0;
        }
        case EXPR_LAMBDA:
                v->type = VT_LAMBDA;
                v->lambda.env = env;
                v->lambda.fun = e;
                return 0;
        case EXPR_CALL: {
                Value fn;
                if ((r = eval_in(st, env, e->call.fn, &fn)) < 0)
                        return r;
                Value *args_small[8];
                Value **args = e->call.n_args <= 8 ? args_small : gc_alloc(sizeof(Value *) * e->call.n_args);
                for (uint32_t i = 0; i < e->call.n_args; i++)
                        args[i] = maybe_thunk(st, env, e->call.args[i]);
                return call_function(st, &fn, e->call.n_args, args, v, &e->pos);
        }
        case EXPR_LET: {
                Expr *attrs = e->let.attrs;
                Env *inner = env_new(attrs->attrs.n_attrs, env);
                for (uint32_t i = 0; i < attrs->attrs.n_attrs; i++) {
                        AttrDef *d = &attrs->attrs.attrs[i];
                        inner->values[i] = maybe_thunk(st, d->kind == ATTR_DEF_INHERITED ? env : inner, d->expr);
                }
                return eval_in(st, inner, e->let.body, v);
        }
        case EXPR_WITH: {
                Env *inner = env_new(2, env);
                inner->values[0] = maybe_thunk(st, env, e->with.attrs);
                inner->values[1] = (Value *) (uintptr_t) e->with.prev_with;
                return eval_in(st, inner, e->with.body, v);
        }
        case EXPR_IF: {
                bool c;
                if ((r = eval_bool(st, env, e->if_.cond, &e->pos, &c)) < 0)
                        return r;
                return eval_in(st, env, c ? e->if_.then_ : e->if_.else_, v);
        }
        case EXPR_ASSERT: {
                bool c;
                if ((r = eval_bool(st, env, e->assert_.cond, &e->pos, &c)) < 0)
                        return r;
                if (!c)
                        return eval_error(st, EVAL_ERROR_ASSERTION, &e->pos, "assertion '%s' failed",
                                          expr_to_string(e->assert_.cond));
                return eval_in(st, env, e->assert_.body, v);
        }
        case EXPR_NOT: {
                bool c;
                if ((r = eval_bool(st, env, e->unary, &e->pos, &c)) < 0)
                        return r;
                value_set_bool(v, !c);
                return 0;
        }
        case EXPR_NEGATE: {
                Value zero, x;
                value_set_int(&zero, 0);
                if ((r = eval_in(st, env, e->unary, &x)) < 0)
                        return r;
                return arith_sub(st, &zero, &x, &e->pos, v);
        }
        case EXPR_EQ:
        case EXPR_NEQ: {
                Value a, b;
                bool eq;
                if ((r = eval_in(st, env, e->bin.a, &a)) < 0 || (r = eval_in(st, env, e->bin.b, &b)) < 0)
                        return r;
                if ((r = eval_equal(st, &a, &b, &e->pos, &eq)) < 0)
                        return r;
                value_set_bool(v, e->kind == EXPR_EQ ? eq : !eq);
                return 0;
        }
        case EXPR_AND: {
                bool c;
                if ((r = eval_bool(st, env, e->bin.a, &e->pos, &c)) < 0)
                        return r;
                if (!c) {
                        value_set_bool(v, false);
                        return 0;
                }
                if ((r = eval_bool(st, env, e->bin.b, &e->pos, &c)) < 0)
                        return r;
                value_set_bool(v, c);
                return 0;
        }
        case EXPR_OR: {
                bool c;
                if ((r = eval_bool(st, env, e->bin.a, &e->pos, &c)) < 0)
                        return r;
                if (c) {
                        value_set_bool(v, true);
                        return 0;
                }
                if ((r = eval_bool(st, env, e->bin.b, &e->pos, &c)) < 0)
                        return r;
                value_set_bool(v, c);
                return 0;
        }
        case EXPR_IMPL: {
                bool c;
                if ((r = eval_bool(st, env, e->bin.a, &e->pos, &c)) < 0)
                        return r;
                if (!c) {
                        value_set_bool(v, true);
                        return 0;
                }
                if ((r = eval_bool(st, env, e->bin.b, &e->pos, &c)) < 0)
                        return r;
                value_set_bool(v, c);
                return 0;
        }
        case EXPR_UPDATE:
                return eval_update(st, env, e, v);
        case EXPR_CONCAT_LISTS:
                return eval_concat_lists(st, env, e, v);
        case EXPR_CONCAT_STRINGS:
                return eval_concat_strings(st, env, e, v);
        case EXPR_SUB:
        case EXPR_MUL:
        case EXPR_DIV:
                return eval_arith(st, env, e, v);
        case EXPR_LT:
        case EXPR_LE:
        case EXPR_GT:
        case EXPR_GE:
                return eval_compare(st, env, e, v);
        case EXPR_CUR_POS:
                return eval_make_pos(st, &e->pos, v);
        }
        return eval_error(st, EVAL_ERROR_GENERIC, &e->pos, "internal error: unknown expression");
}

int eval_make_pos(EvalState *st, const Pos *pos, Value *v) {
        if (!pos || pos->line == 0) {
                value_set_null(v);
                return 0;
        }
        Bindings *b = bindings_new(3);
        Value *file = value_new(), *line = value_new(), *col = value_new();
        value_set_string(file, pos->file ? pos->file : "", NULL);
        value_set_int(line, pos->line);
        value_set_int(col, pos->col);
        bindings_push(b, st->sym.file, file, NULL);
        bindings_push(b, st->sym.line, line, NULL);
        bindings_push(b, st->sym.column, col, NULL);
        bindings_sort(b);
        value_set_attrs(v, b);
        return 0;
}

int eval_expr(EvalState *st, Expr *e, Value *ret) {
        return eval_in(st, st->base_env, e, ret);
}

Env *eval_env_new(uint32_t size, Env *up) {
        return env_new(size, up);
}

int eval_expr_in_env(EvalState *st, Env *env, Expr *e, Value *ret) {
        return eval_in(st, env, e, ret);
}
