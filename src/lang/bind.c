#include "bind.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast-arena.h"
#include "gc-alloc.h"

#define MAX_BIND_DEPTH 20000

static const Symbol *sort_names;

static int index_cmp(const void *a, const void *b) {
        Symbol x = sort_names[*(const uint32_t *) a], y = sort_names[*(const uint32_t *) b];
        return x < y ? -1 : x > y;
}

StaticEnv *static_env_new(const StaticEnv *up, const Symbol *names, uint32_t n) {
        StaticEnv *env = ast_alloc(sizeof(StaticEnv));
        env->up = up;
        env->n = n;
        env->names = names;
        if (n > 8) {
                uint32_t *index = ast_alloc(sizeof(uint32_t) * n);
                for (uint32_t i = 0; i < n; i++)
                        index[i] = i;
                sort_names = names;
                qsort(index, n, sizeof(uint32_t), index_cmp);
                env->index = index;
        }
        return env;
}

int static_env_find(const StaticEnv *env, Symbol name) {
        if (!env->index) {
                /* Later slots shadow earlier ones (never both in one scope). */
                for (uint32_t i = env->n; i-- > 0;)
                        if (env->names[i] == name)
                                return i;
                return -1;
        }
        uint32_t lo = 0, hi = env->n;
        while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                Symbol s = env->names[env->index[mid]];
                if (s == name)
                        return env->index[mid];
                if (s < name)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -1;
}

typedef struct Binder {
        ParseError *error;
        unsigned depth;
} Binder;

static int bind(Binder *b, Expr *e, const StaticEnv *env);

static int fail(Binder *b, Pos pos, const char *fmt, const char *arg) {
        char *msg = ast_alloc(strlen(fmt) + strlen(arg) + 1);
        sprintf(msg, fmt, arg);
        b->error->message = msg;
        b->error->pos = pos;
        return -EINVAL;
}

static int bind_path(Binder *b, AttrPath *path, const StaticEnv *env) {
        for (uint32_t i = 0; i < path->n; i++)
                if (path->names[i].expr) {
                        int r = bind(b, path->names[i].expr, env);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* The scope of a recursive set or let: one slot per static attribute. */
static const StaticEnv *rec_env(Expr *attrs, const StaticEnv *env) {
        Symbol *names = ast_alloc(sizeof(Symbol) * (attrs->attrs.n_attrs ? attrs->attrs.n_attrs : 1));
        for (uint32_t i = 0; i < attrs->attrs.n_attrs; i++)
                names[i] = attrs->attrs.attrs[i].name;
        return static_env_new(env, names, attrs->attrs.n_attrs);
}

static int bind_attrs(Binder *b, Expr *e, const StaticEnv *env, const StaticEnv *inner) {
        int r;
        for (uint32_t i = 0; i < e->attrs.n_attrs; i++) {
                AttrDef *d = &e->attrs.attrs[i];
                /* `inherit x;` reads the enclosing scope even in a rec set;
                 * `inherit (e) x;` is an ordinary expression of the set. */
                r = bind(b, d->expr, d->kind == ATTR_DEF_INHERITED ? env : inner);
                if (r < 0)
                        return r;
        }
        for (uint32_t i = 0; i < e->attrs.n_dynamic; i++) {
                if ((r = bind(b, e->attrs.dynamic[i].name, inner)) < 0)
                        return r;
                if ((r = bind(b, e->attrs.dynamic[i].value, inner)) < 0)
                        return r;
        }
        return 0;
}

static int bind(Binder *b, Expr *e, const StaticEnv *env) {
        int r = 0;
        if (++b->depth > MAX_BIND_DEPTH)
                return fail(b, e->pos, "%sexpression nests too deeply", "");
        switch ((ExprKind) e->kind) {
        case EXPR_INT:
        case EXPR_FLOAT:
        case EXPR_STRING:
        case EXPR_PATH:
        case EXPR_CUR_POS:
                break;
        case EXPR_VAR: {
                int with_level = -1;
                uint32_t level = 0;
                for (const StaticEnv *cur = env; cur; cur = cur->up, level++) {
                        if (cur->is_with) {
                                if (with_level < 0)
                                        with_level = level;
                                continue;
                        }
                        int displ = static_env_find(cur, e->var.name);
                        if (displ >= 0) {
                                e->var.from_with = false;
                                e->var.level = level;
                                e->var.displ = displ;
                                goto out;
                        }
                }
                if (with_level < 0) {
                        r = fail(b, e->pos, "undefined variable '%s'", symbol_str(e->var.name));
                        break;
                }
                e->var.from_with = true;
                e->var.level = with_level;
                break;
        }
        case EXPR_SELECT:
                if ((r = bind(b, e->select.e, env)) < 0 || (r = bind_path(b, &e->select.path, env)) < 0)
                        break;
                if (e->select.def)
                        r = bind(b, e->select.def, env);
                break;
        case EXPR_HAS_ATTR:
                if ((r = bind(b, e->has_attr.e, env)) < 0)
                        break;
                r = bind_path(b, &e->has_attr.path, env);
                break;
        case EXPR_ATTRS:
                r = bind_attrs(b, e, env, e->attrs.recursive ? rec_env(e, env) : env);
                break;
        case EXPR_LET: {
                const StaticEnv *inner = rec_env(e->let.attrs, env);
                if ((r = bind_attrs(b, e->let.attrs, env, inner)) < 0)
                        break;
                r = bind(b, e->let.body, inner);
                break;
        }
        case EXPR_LIST:
                for (uint32_t i = 0; i < e->list.n && r >= 0; i++)
                        r = bind(b, e->list.elems[i], env);
                break;
        case EXPR_LAMBDA: {
                uint32_t n = e->lambda.has_formals ? e->lambda.n_formals + (e->lambda.arg ? 1 : 0) : 1;
                Symbol *names = ast_alloc(sizeof(Symbol) * n);
                if (e->lambda.has_formals) {
                        for (uint32_t i = 0; i < e->lambda.n_formals; i++)
                                names[i] = e->lambda.formals[i].name;
                        if (e->lambda.arg)
                                names[e->lambda.n_formals] = e->lambda.arg;
                } else
                        names[0] = e->lambda.arg;
                const StaticEnv *inner = static_env_new(env, names, n);
                for (uint32_t i = 0; i < e->lambda.n_formals && r >= 0; i++)
                        if (e->lambda.formals[i].def)
                                r = bind(b, e->lambda.formals[i].def, inner);
                if (r >= 0)
                        r = bind(b, e->lambda.body, inner);
                break;
        }
        case EXPR_CALL:
                r = bind(b, e->call.fn, env);
                for (uint32_t i = 0; i < e->call.n_args && r >= 0; i++)
                        r = bind(b, e->call.args[i], env);
                break;
        case EXPR_WITH: {
                if ((r = bind(b, e->with.attrs, env)) < 0)
                        break;
                e->with.prev_with = 0;
                uint32_t level = 1;
                for (const StaticEnv *cur = env; cur; cur = cur->up, level++)
                        if (cur->is_with) {
                                e->with.prev_with = level;
                                break;
                        }
                StaticEnv *inner = ast_alloc(sizeof(StaticEnv));
                inner->up = env;
                inner->is_with = true;
                r = bind(b, e->with.body, inner);
                break;
        }
        case EXPR_IF:
                if ((r = bind(b, e->if_.cond, env)) >= 0 && (r = bind(b, e->if_.then_, env)) >= 0)
                        r = bind(b, e->if_.else_, env);
                break;
        case EXPR_ASSERT:
                if ((r = bind(b, e->assert_.cond, env)) >= 0)
                        r = bind(b, e->assert_.body, env);
                break;
        case EXPR_NOT:
        case EXPR_NEGATE:
                r = bind(b, e->unary, env);
                break;
        case EXPR_EQ:
        case EXPR_NEQ:
        case EXPR_AND:
        case EXPR_OR:
        case EXPR_IMPL:
        case EXPR_UPDATE:
        case EXPR_CONCAT_LISTS:
        case EXPR_SUB:
        case EXPR_MUL:
        case EXPR_DIV:
        case EXPR_LT:
        case EXPR_LE:
        case EXPR_GT:
        case EXPR_GE:
                if ((r = bind(b, e->bin.a, env)) >= 0)
                        r = bind(b, e->bin.b, env);
                break;
        case EXPR_CONCAT_STRINGS:
                for (uint32_t i = 0; i < e->concat.n && r >= 0; i++)
                        r = bind(b, e->concat.parts[i], env);
                break;
        }
out:
        b->depth--;
        return r;
}

int ast_bind(Expr *e, const StaticEnv *env, ParseError *ret_error) {
        Binder b = { .error = ret_error };
        return bind(&b, e, env);
}
