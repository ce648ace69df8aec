/* Collecting modules: load each (a path, a set or a function), normalise it
 * to { file, key, imports, options, config }, follow imports, then keep the
 * modules reachable without passing a disabled one, each key once, in
 * breadth-first order as nixpkgs' genericClosure gives them. */
#include <string.h>

#include "ms-internal.h"

typedef struct ModuleVec {
        size_t n, cap;
        Module **v;
} ModuleVec;

static void mv_push(ModuleVec *mv, Module *m) {
        mv->v = ms_grow(mv->v, mv->n, &mv->cap, sizeof(Module *), 16);
        mv->v[mv->n++] = m;
}

/* Keys seen, as a small open-addressing set of strings. */
typedef struct KeySet {
        size_t n, cap;
        const char **keys;
        Module **mods;
} KeySet;

static size_t str_hash(const char *s) {
        size_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h;
}

static Module *keyset_find(const KeySet *ks, const char *key) {
        if (!ks->cap)
                return NULL;
        for (size_t i = str_hash(key) & (ks->cap - 1);; i = (i + 1) & (ks->cap - 1)) {
                if (!ks->keys[i])
                        return NULL;
                if (strcmp(ks->keys[i], key) == 0)
                        return ks->mods[i] ? ks->mods[i] : (Module *) ks; /* non-NULL marker */
        }
}

static void keyset_add(KeySet *ks, const char *key, Module *m) {
        if (2 * (ks->n + 1) > ks->cap) {
                KeySet bigger = { .cap = ks->cap ? ks->cap * 2 : 64 };
                bigger.keys = gc_alloc(sizeof(char *) * bigger.cap);
                bigger.mods = gc_alloc(sizeof(Module *) * bigger.cap);
                for (size_t i = 0; i < ks->cap; i++)
                        if (ks->keys[i])
                                keyset_add(&bigger, ks->keys[i], ks->mods[i]);
                *ks = bigger;
        }
        size_t i = str_hash(key) & (ks->cap - 1);
        while (ks->keys[i])
                i = (i + 1) & (ks->cap - 1);
        ks->keys[i] = key;
        ks->mods[i] = m;
        ks->n++;
}

static bool is_function(const Value *v) {
        return v->type == VT_LAMBDA || v->type == VT_PRIMOP || v->type == VT_PRIMOP_APP;
}

/* ---- module arguments ---- */

typedef struct ArgRequest {
        MsEval *ms;
        Symbol name;
        const char *file;
} ArgRequest;

/* config._module.args.NAME, for a module function's formal argument. */
static int prim_module_arg(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ArgRequest *req = args[0]->external.ptr;
        MsEval *ms = req->ms;
        if (ms->collecting)
                return ms_error(st, NULL,
                                "The module argument `%s' of `%s' was needed while the modules' imports were "
                                "being collected; `imports' may depend only on specialArgs, not on "
                                "_module.args (which are config)",
                                symbol_str(req->name), req->file);
        Value *v = ms->config;
        Symbol path[] = { ms_sym._module, ms_sym.args };
        for (size_t i = 0; i < 2; i++) {
                int r = eval_force_attrs(st, v, NULL);
                if (r < 0)
                        return r;
                Attr *a = bindings_find(v->attrs, path[i]);
                if (!a)
                        goto missing;
                v = a->value;
        }
        int r = eval_force_attrs(st, v, NULL);
        if (r < 0)
                return eval_error_add_frame(st, NULL, "while evaluating the module argument `%s' in `%s'",
                                            symbol_str(req->name), req->file);
        Attr *a = bindings_find(v->attrs, req->name);
        if (!a)
                goto missing;
        if ((r = eval_force(st, a->value, NULL)) < 0)
                return eval_error_add_frame(st, NULL, "while evaluating the module argument `%s' in `%s'",
                                            symbol_str(req->name), req->file);
        *ret = *a->value;
        return 0;
missing:
        return ms_error(st, NULL,
                        "The module `%s' takes the argument `%s', which is neither in specialArgs nor set "
                        "in _module.args",
                        req->file, symbol_str(req->name));
}

static const PrimOp prim_module_arg_op = {
        .name = "moduleArgument", .arity = 1, .args = { "request" }, .fn = prim_module_arg
};

int ms_call_module(MsEval *ms, Value *fn, const char *file, Value *ret) {
        EvalState *st = ms->st;
        Value *arg = ms->args_set;
        if (fn->type == VT_LAMBDA && fn->lambda.fun->lambda.has_formals) {
                Expr *lam = fn->lambda.fun;
                const Bindings *base = ms->args_set->attrs;
                size_t extra = 0;
                for (uint32_t i = 0; i < lam->lambda.n_formals; i++)
                        if (!bindings_find(base, lam->lambda.formals[i].name))
                                extra++;
                if (extra) {
                        Bindings *b = bindings_new(base->size + extra);
                        for (uint32_t i = 0; i < base->size; i++)
                                bindings_push(b, base->attrs[i].name, base->attrs[i].value, NULL);
                        for (uint32_t i = 0; i < lam->lambda.n_formals; i++) {
                                Symbol name = lam->lambda.formals[i].name;
                                if (bindings_find(base, name))
                                        continue;
                                ArgRequest *req = gc_alloc(sizeof(ArgRequest));
                                req->ms = ms;
                                req->name = name;
                                req->file = file;
                                bindings_push(b, name,
                                              ms_app(ms_primop(&prim_module_arg_op, 0, NULL),
                                                     ms_external("module-arg", req)),
                                              NULL);
                        }
                        bindings_sort(b);
                        arg = value_new();
                        value_set_attrs(arg, b);
                }
        }
        int r = eval_call(st, fn, 1, &arg, ret, NULL);
        if (r < 0)
                return eval_error_add_frame(st, NULL, "while evaluating the module `%s'", file);
        return 0;
}

/* ---- normalising ---- */

static bool reserved_structured(Symbol s) {
        return s == ms_sym._class || s == ms_sym._file || s == ms_sym.key || s == ms_sym.disabledModules ||
               s == ms_sym.imports || s == ms_sym.options || s == ms_sym.config || s == ms_sym.meta ||
               s == ms_sym.freeformType;
}

static int string_attr(EvalState *st, Value *set, Symbol name, const char **ret) {
        Attr *a = bindings_find(set->attrs, name);
        if (!a)
                return 0;
        const char *s;
        int r = eval_coerce_to_string(st, a->value, a->pos, NULL, false, false, &s);
        if (r < 0)
                return r;
        *ret = s;
        return 1;
}

static int list_attr(EvalState *st, Value *set, Symbol name, const char *file, Value **ret) {
        Attr *a = bindings_find(set->attrs, name);
        if (!a) {
                *ret = NULL;
                return 0;
        }
        int r = eval_force_list(st, a->value, a->pos);
        if (r < 0)
                return eval_error_add_frame(st, a->pos, "while evaluating `%s' of the module `%s'",
                                            symbol_str(name), file);
        *ret = a->value;
        return 0;
}

static int unify(MsEval *ms, Value *m, const char *file, const char *key, Module **ret) {
        EvalState *st = ms->st;
        int r;
        const char *s;
        if ((r = string_attr(st, m, ms_sym._file, &s)) < 0)
                return r;
        if (r > 0)
                file = s;
        if ((r = string_attr(st, m, ms_sym.key, &s)) < 0)
                return r;
        if (r > 0)
                key = s;

        Module *mod = gc_alloc(sizeof(Module));
        mod->file = file;
        mod->key = key;
        bool structured = bindings_find(m->attrs, ms_sym.config) || bindings_find(m->attrs, ms_sym.options);
        if (structured) {
                StrBuf bad = STRBUF_INIT;
                const char *first = NULL;
                Attr **sorted = bindings_sorted_by_name(m->attrs);
                for (uint32_t i = 0; i < m->attrs->size; i++)
                        if (!reserved_structured(sorted[i]->name)) {
                                if (!first)
                                        first = symbol_str(sorted[i]->name);
                                else
                                        strbuf_addc(&bad, ' ');
                                strbuf_adds(&bad, symbol_str(sorted[i]->name));
                        }
                if (first) {
                        r = ms_error(st, NULL,
                                     "Module `%s' has an unsupported attribute `%s'. This is caused by introducing "
                                     "a top-level `config' or `options' attribute. Add configuration attributes "
                                     "immediately on the top level instead, or move all of them (namely: %s) into "
                                     "the explicit `config' attribute.",
                                     file, first, bad.buf);
                        strbuf_release(&bad);
                        return r;
                }
                strbuf_release(&bad);
                Attr *a = bindings_find(m->attrs, ms_sym.config);
                mod->config = a ? a->value : NULL;
                a = bindings_find(m->attrs, ms_sym.options);
                mod->options = a ? a->value : NULL;
        } else {
                mod->config = m;
                mod->shorthand = true;
        }
        if ((r = list_attr(st, m, ms_sym.imports, file, &mod->imports)) < 0 ||
            (r = list_attr(st, m, ms_sym.disabledModules, file, &mod->disabled)) < 0)
                return r;
        if (!structured) {
                Value *req;
                if ((r = list_attr(st, m, ms_sym.require, file, &req)) < 0)
                        return r;
                if (req) {
                        Value *both = value_new();
                        size_t n_imp = mod->imports ? mod->imports->list.size : 0;
                        value_set_list(both, req->list.size + n_imp);
                        memcpy(both->list.elems, req->list.elems, sizeof(Value *) * req->list.size);
                        if (n_imp)
                                memcpy(both->list.elems + req->list.size, mod->imports->list.elems,
                                       sizeof(Value *) * n_imp);
                        mod->imports = both;
                }
        }
        Attr *ff = bindings_find(m->attrs, ms_sym.freeformType);
        if (ff) {
                mod->freeform_type = ff->value;
                mod->freeform_pos = ff->pos;
        }
        *ret = mod;
        return 0;
}

static const char *anon_key(const char *parent_key, size_t index) {
        size_t n = strlen(parent_key) + 32;
        char *k = gc_alloc_atomic(n);
        snprintf(k, n, "%s:anon-%zu", parent_key, index);
        return k;
}

/* Loads one module value: a path or string is imported (its path is file
 * and key), a function is called with the module arguments. */
static int load(MsEval *ms, Value *m, const char *parent_file, const char *parent_key, size_t index, Module **ret) {
        EvalState *st = ms->st;
        int r = eval_force(st, m, NULL);
        if (r < 0)
                return eval_error_add_frame(st, NULL, "while evaluating the imports of `%s'", parent_file);
        const char *file = parent_file, *key = anon_key(parent_key, index);
        Value *v = m;
        if (m->type == VT_PATH || m->type == VT_STRING) {
                const char *path;
                if ((r = eval_coerce_to_path(st, m, NULL, NULL, &path)) < 0)
                        return eval_error_add_frame(st, NULL, "while evaluating the imports of `%s'", parent_file);
                file = key = path;
                v = value_new();
                if ((r = eval_file(st, path, v)) < 0)
                        return eval_error_add_frame(st, NULL, "while importing the module `%s'", path);
                if ((r = eval_force(st, v, NULL)) < 0)
                        return eval_error_add_frame(st, NULL, "while evaluating the module `%s'", path);
        } else if (m->type == VT_LIST)
                return ms_error(st, NULL,
                                "Module imports can't be nested lists. Perhaps you meant to remove one level of "
                                "lists? (in the imports of `%s')",
                                parent_file);
        ms->collecting_file = file;
        if (is_function(v)) {
                Value *res = value_new();
                if ((r = ms_call_module(ms, v, file, res)) < 0)
                        return r;
                if ((r = eval_force(st, res, NULL)) < 0)
                        return eval_error_add_frame(st, NULL, "while evaluating the module `%s'", file);
                v = res;
        }
        if (v->type != VT_ATTRS) {
                StrBuf sb = STRBUF_INIT;
                ms_show_value(st, v, &sb);
                r = ms_error(st, NULL, "The module `%s' is neither a function nor an attribute set: it is %s (%s)",
                             file, value_show_type(v), sb.buf);
                strbuf_release(&sb);
                return r;
        }
        return unify(ms, v, file, key, ret);
}

static int disabled_key(MsEval *ms, Module *mod, Value *d, const char **ret) {
        EvalState *st = ms->st;
        int r = eval_force(st, d, NULL);
        if (r < 0)
                return r;
        if (d->type == VT_PATH) {
                *ret = d->path;
                return 0;
        }
        if (d->type == VT_STRING) {
                if (d->string.s[0] == '/') {
                        *ret = d->string.s;
                        return 0;
                }
                /* Relative names are relative to modulesPath, as in NixOS. */
                Attr *mp = bindings_find(ms->special_args->attrs, symbol_intern_str("modulesPath"));
                const char *base = NULL;
                if (mp && (r = eval_coerce_to_string(st, mp->value, NULL, NULL, false, false, &base)) < 0)
                        return r;
                if (!base) {
                        *ret = d->string.s;
                        return 0;
                }
                size_t n = strlen(base) + strlen(d->string.s) + 2;
                char *k = gc_alloc_atomic(n);
                snprintf(k, n, "%s/%s", base, d->string.s);
                *ret = k;
                return 0;
        }
        if (d->type == VT_ATTRS) {
                const char *k;
                if ((r = string_attr(st, d, ms_sym.key, &k)) < 0)
                        return r;
                if (r > 0) {
                        *ret = k;
                        return 0;
                }
        }
        return ms_error(st, NULL,
                        "Each disabledModules item must be a path, a string, or an attribute set with a key "
                        "attribute; `%s' disables %s",
                        mod->file, value_show_type(d));
}

int ms_collect(MsEval *ms, Value *modules) {
        EvalState *st = ms->st;
        int r = eval_force_list(st, modules, NULL);
        if (r < 0)
                return r;

        /* Pass 1: load everything reachable, each key once. */
        KeySet loaded = { 0 };
        ModuleVec all = { 0 }, top = { 0 };
        typedef struct Pending {
                Module *parent; /* NULL: a top-level module */
                Value *value;
                size_t index;
        } Pending;
        size_t n_q = 0, cap_q = modules->list.size + 16, head = 0;
        Pending *queue = gc_alloc(sizeof(Pending) * cap_q);
        for (size_t i = 0; i < modules->list.size; i++)
                queue[n_q++] = (Pending) { NULL, modules->list.elems[i], i + 1 };
        while (head < n_q) {
                Pending p = queue[head++];
                Module *mod = NULL;
                const char *pfile = p.parent ? p.parent->file : "<unknown-file>";
                const char *pkey = p.parent ? p.parent->key : "";
                if ((r = load(ms, p.value, pfile, pkey, p.index, &mod)) < 0)
                        return r;
                Module *seen = keyset_find(&loaded, mod->key);
                if (seen)
                        mod = seen;
                else {
                        keyset_add(&loaded, mod->key, mod);
                        mv_push(&all, mod);
                        size_t n_imp = mod->imports ? mod->imports->list.size : 0;
                        mod->children = gc_alloc(sizeof(Module *) * (n_imp + 1));
                        if (n_q + n_imp > cap_q) {
                                cap_q = (n_q + n_imp) * 2;
                                Pending *nq = gc_alloc(sizeof(Pending) * cap_q);
                                memcpy(nq, queue, sizeof(Pending) * n_q);
                                queue = nq;
                        }
                        for (size_t i = 0; i < n_imp; i++)
                                queue[n_q++] = (Pending) { mod, mod->imports->list.elems[i], i + 1 };
                }
                if (p.parent)
                        p.parent->children[p.parent->n_children++] = mod;
                else
                        mv_push(&top, mod);
        }

        /* The keys every module disables. */
        KeySet disabled = { 0 };
        for (size_t i = 0; i < all.n; i++) {
                Module *mod = all.v[i];
                if (!mod->disabled)
                        continue;
                for (size_t j = 0; j < mod->disabled->list.size; j++) {
                        const char *k = NULL;
                        if ((r = disabled_key(ms, mod, mod->disabled->list.elems[j], &k)) < 0)
                                return r;
                        if (!keyset_find(&disabled, k))
                                keyset_add(&disabled, k, NULL);
                }
        }

        /* Pass 2: breadth first from the top, skipping disabled keys. */
        KeySet kept = { 0 };
        ModuleVec out = { 0 };
        ModuleVec work = top;
        for (size_t w = 0; w < work.n; w++) {
                Module *mod = work.v[w];
                if (keyset_find(&disabled, mod->key) || keyset_find(&kept, mod->key))
                        continue;
                keyset_add(&kept, mod->key, mod);
                mv_push(&out, mod);
                for (size_t i = 0; i < mod->n_children; i++)
                        mv_push(&work, mod->children[i]);
        }
        /* nixpkgs merges `reverseList collected`: the definitions of later
         * modules come first among equals. */
        for (size_t i = 0; i < out.n / 2; i++) {
                Module *t = out.v[i];
                out.v[i] = out.v[out.n - 1 - i];
                out.v[out.n - 1 - i] = t;
        }
        ms->modules = out.v;
        ms->n_modules = out.n;
        return 0;
}
