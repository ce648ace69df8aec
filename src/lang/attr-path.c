#include "attr-path.h"

#include <stdlib.h>
#include <string.h>

#include "eval-internal.h"
#include "gc-alloc.h"
#include "parser.h"
#include <unistd.h>

int eval_auto_call(EvalState *st, Bindings *args, Value *fun, Value *ret) {
        int r = eval_force(st, fun, NULL);
        if (r < 0)
                return r;
        if (fun->type == VT_ATTRS) {
                Attr *f = bindings_find(fun->attrs, st->sym.functor);
                if (f) {
                        Value *v = value_new();
                        Value *self = fun;
                        if ((r = eval_call(st, f->value, 1, &self, v, NULL)) < 0 || (r = eval_force(st, v, NULL)) < 0)
                                return r;
                        return eval_auto_call(st, args, v, ret);
                }
        }
        if (fun->type != VT_LAMBDA || !fun->lambda.fun->lambda.has_formals) {
                *ret = *fun;
                return 0;
        }
        Expr *lam = fun->lambda.fun;
        Bindings *b;
        if (lam->lambda.ellipsis) {
                b = bindings_new(args->size);
                for (uint32_t i = 0; i < args->size; i++)
                        bindings_push(b, args->attrs[i].name, args->attrs[i].value, args->attrs[i].pos);
        } else {
                b = bindings_new(lam->lambda.n_formals);
                for (uint32_t i = 0; i < lam->lambda.n_formals; i++) {
                        Formal *f = &lam->lambda.formals[i];
                        Attr *a = bindings_find(args, f->name);
                        if (a)
                                bindings_push(b, a->name, a->value, a->pos);
                        else if (!f->def)
                                return eval_error(st, EVAL_ERROR_MISSING_ARGUMENT, &f->pos,
                                                  "cannot evaluate a function that has an argument without a value ('%s')\n"
                                                  "Nix attempted to evaluate a function as a top level expression; in\n"
                                                  "this case it must have its arguments supplied either by default\n"
                                                  "values, or passed explicitly with '--arg' or '--argstr'.",
                                                  symbol_str(f->name));
                }
        }
        bindings_sort(b);
        Value *arg = value_new();
        value_set_attrs(arg, b);
        return eval_call(st, fun, 1, &arg, ret, NULL);
}

static bool parse_index(const char *s, size_t *ret) {
        if (!*s)
                return false;
        size_t n = 0;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                n = n * 10 + (*p - '0');
        }
        *ret = n;
        return true;
}

/* Splits "a.b.\"c.d\"" into components (quotes keep dots). */
static char **split_attr_path(const char *s, size_t *ret_n) {
        size_t cap = 8, n = 0;
        char **parts = gc_alloc(sizeof(char *) * cap);
        if (!*s) {
                *ret_n = 0;
                return parts;
        }
        StrBuf cur = STRBUF_INIT;
        for (const char *p = s;; p++) {
                if (*p == '"') {
                        for (p++; *p && *p != '"'; p++)
                                strbuf_addc(&cur, *p);
                        if (!*p)
                                break;
                        continue;
                }
                if (*p == '.' || !*p) {
                        if (n == cap) {
                                char **np = gc_alloc(sizeof(char *) * cap * 2);
                                memcpy(np, parts, sizeof(char *) * n);
                                parts = np;
                                cap *= 2;
                        }
                        parts[n++] = gc_strndup(cur.buf, cur.len);
                        strbuf_reset(&cur);
                        if (!*p)
                                break;
                        continue;
                }
                strbuf_addc(&cur, *p);
        }
        strbuf_release(&cur);
        *ret_n = n;
        return parts;
}

int eval_find_along_attr_path(EvalState *st, const char *attr_path, Bindings *auto_args,
                              Value *root, Value **ret) {
        size_t n;
        char **parts = split_attr_path(attr_path, &n);
        Value *v = root;
        int r;
        for (size_t i = 0; i < n; i++) {
                Value *called = value_new();
                if ((r = eval_auto_call(st, auto_args, v, called)) < 0)
                        return r;
                v = called;
                if ((r = eval_force(st, v, NULL)) < 0)
                        return r;
                size_t idx;
                if (parse_index(parts[i], &idx)) {
                        if (v->type != VT_LIST)
                                return eval_error(st, EVAL_ERROR_TYPE, NULL,
                                                  "the expression selected by the selection path '%s' should be a list but is %s",
                                                  attr_path, value_show_type(v));
                        if (idx >= v->list.size)
                                return eval_error(st, EVAL_ERROR_GENERIC, NULL,
                                                  "list index %zu in selection path '%s' is out of range", idx, attr_path);
                        v = v->list.elems[idx];
                } else {
                        if (v->type != VT_ATTRS)
                                return eval_error(st, EVAL_ERROR_TYPE, NULL,
                                                  "the expression selected by the selection path '%s' should be a set but is %s",
                                                  attr_path, value_show_type(v));
                        Attr *a = bindings_find(v->attrs, symbol_intern_str(parts[i]));
                        if (!a) {
                                r = eval_error(st, EVAL_ERROR_GENERIC, NULL,
                                               "attribute '%s' in selection path '%s' not found", parts[i], attr_path);
                                eval_error_suggest_attrs(st, parts[i], v->attrs);
                                return r;
                        }
                        v = a->value;
                }
        }
        if ((r = eval_force(st, v, NULL)) < 0)
                return r;
        *ret = v;
        return 0;
}

void search_path_add(const char *s, SearchPathEntry **entries, size_t *n) {
        SearchPathEntry *e = gc_alloc(sizeof(SearchPathEntry) * (*n + 1));
        if (*n)
                memcpy(e, *entries, sizeof(SearchPathEntry) * *n);
        const char *eq = strchr(s, '=');
        const char *path = eq ? eq + 1 : s;
        e[*n].prefix = eq ? gc_strndup(s, eq - s) : "";
        if (path[0] != '/' && !strstr(path, "://")) {
                /* Relative entries are relative to where firn runs. */
                char cwd[4096];
                e[*n].path = canon_path(path, getcwd(cwd, sizeof cwd) ? cwd : "/");
        } else
                e[*n].path = gc_strdup(path);
        *entries = e;
        (*n)++;
}

void search_path_parse(const char *s, SearchPathEntry **entries, size_t *n) {
        /* Entries are separated by ':', except that "scheme://" URLs keep
         * their colon (Nix allows URLs in NIX_PATH). */
        const char *p = s;
        while (*p) {
                const char *start = p;
                for (; *p && *p != ':'; p++)
                        ;
                while (*p == ':' && p[1] == '/' && p[2] == '/') {
                        for (p++; *p && *p != ':'; p++)
                                ;
                }
                if (p > start)
                        search_path_add(gc_strndup(start, p - start), entries, n);
                if (*p)
                        p++;
        }
}
