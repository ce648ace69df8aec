/* lib.types: each type is the attribute set nixpkgs documents (name,
 * description, check, merge, getSubOptions, nestedTypes, …) with a hidden
 * `__firnType` that lets the module system check and merge built-in types
 * natively. Types made with lib.mkOptionType go through their own check and
 * merge functions. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ms-internal.h"
#include "value-print.h"

typedef enum TypeKind {
        T_BOOL,
        T_INT,
        T_FLOAT,
        T_NUMBER,
        T_STR,
        T_NONEMPTY_STR,
        T_STR_MATCHING,
        T_SEPARATED,
        T_PATH,
        T_PACKAGE,
        T_ENUM,
        T_LIST,
        T_ATTRS_OF,
        T_NULL_OR,
        T_EITHER,
        T_COERCED,
        T_SUBMODULE,
        T_DEFERRED,
        T_FUNCTION_TO,
        T_UNIQ,
        T_ANYTHING,
        T_RAW,
        T_UNSPECIFIED,
        T_ATTRS,
} TypeKind;

typedef struct TypeDesc {
        TypeKind kind;
        const char *name;
        const char *description;
        const char *desc_class; /* "noun", "conjunction", "composite" or NULL */
        bool has_lo, has_hi, nonempty, lazy, strip_newline;
        int64_t lo, hi;
        double flo, fhi;
        const char *text;   /* separator, pattern, or uniqueness message */
        Value *values;      /* enum: the list */
        Value *elem, *elem2; /* nested types (forced sets) */
        Value *func;        /* coercedTo's function */
        Value *modules;     /* submodule: list of modules */
        Value *special_args;
        bool shorthand_config;
} TypeDesc;

/* The lib and internal module of the last evalModules call, for the
 * evaluations submodules start on their own. */
#define g_lib ms_roots.lib
#define g_internal_module ms_roots.internal_module

void ms_types_set_context(Value *lib, Value *internal_module);

void ms_types_set_context(Value *lib, Value *internal_module) {
        g_lib = lib;
        g_internal_module = internal_module;
}

static TypeDesc *desc_of(Value *type) {
        if (type->type != VT_ATTRS)
                return NULL;
        Attr *a = bindings_find(type->attrs, ms_sym.__firnType);
        return a && a->value->type == VT_EXTERNAL ? a->value->external.ptr : NULL;
}

static const char *gc_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *gc_printf(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *s;
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return "";
        char *g = gc_strdup(s);
        free(s);
        return g;
}

static const char *attr_string(Value *set, Symbol name) {
        if (!set || set->type != VT_ATTRS)
                return NULL;
        Attr *a = bindings_find(set->attrs, name);
        return a && a->value->type == VT_STRING ? a->value->string.s : NULL;
}

const char *ms_type_description(EvalState *st, Value *type) {
        if (!type)
                return "unspecified value";
        if (eval_force(st, type, NULL) < 0 || type->type != VT_ATTRS) {
                eval_state_clear_error(st);
                return "<unknown type>";
        }
        Attr *a = bindings_find(type->attrs, ms_sym.description);
        if (a && eval_force(st, a->value, NULL) >= 0 && a->value->type == VT_STRING)
                return a->value->string.s;
        eval_state_clear_error(st);
        const char *n = attr_string(type, ms_sym.name);
        return n ? n : "<unknown type>";
}

/* nixpkgs' optionDescriptionPhrase: the description, parenthesised unless
 * its class is one the context accepts. */
static const char *phrase(EvalState *st, Value *type, bool noun, bool conj, bool comp) {
        const char *d = ms_type_description(st, type);
        TypeDesc *t = desc_of(type);
        const char *cls = t ? t->desc_class : attr_string(type, ms_sym.descriptionClass);
        if (cls && ((noun && strcmp(cls, "noun") == 0) || (conj && strcmp(cls, "conjunction") == 0) ||
                    (comp && strcmp(cls, "composite") == 0)))
                return d;
        return gc_printf("(%s)", d);
}

/* ---- building type values ---- */

static const PrimOp check_op, merge_op, sub_options_op;

static Value *type_value(EvalState *st, TypeDesc *t) {
        Value *ext = ms_external("option-type", t);
        Bindings *b = bindings_new(12);
        bindings_push(b, ms_sym._type, ms_string("option-type"), NULL);
        bindings_push(b, ms_sym.name, ms_string(t->name), NULL);
        bindings_push(b, ms_sym.description, ms_string(t->description), NULL);
        if (t->desc_class)
                bindings_push(b, ms_sym.descriptionClass, ms_string(t->desc_class), NULL);
        bindings_push(b, ms_sym.__firnType, ext, NULL);
        bindings_push(b, ms_sym.check, ms_primop(&check_op, 1, &ext), NULL);
        bindings_push(b, ms_sym.merge, ms_primop(&merge_op, 1, &ext), NULL);
        bindings_push(b, ms_sym.getSubOptions, ms_primop(&sub_options_op, 1, &ext), NULL);
        Value *nested = value_new();
        if (t->elem) {
                Symbol names[2] = { ms_sym.elemType, symbol_intern_str("finalType") };
                Value *vals[2] = { t->elem, t->elem2 };
                if (t->kind == T_EITHER) {
                        names[0] = symbol_intern_str("left");
                        names[1] = symbol_intern_str("right");
                } else if (t->kind == T_COERCED)
                        names[0] = symbol_intern_str("coercedType");
                nested = ms_attrs(t->elem2 ? 2 : 1, names, vals);
        } else
                value_set_attrs(nested, bindings_new(0));
        bindings_push(b, ms_sym.nestedTypes, nested, NULL);
        Value *empty = NULL;
        switch (t->kind) {
        case T_LIST:
                empty = value_new();
                value_set_list(empty, 0);
                break;
        case T_ATTRS_OF:
        case T_SUBMODULE:
        case T_ATTRS:
                empty = value_new();
                value_set_attrs(empty, bindings_new(0));
                break;
        case T_NULL_OR:
                empty = value_new();
                value_set_null(empty);
                break;
        default:
                break;
        }
        Value *ev = value_new();
        if (empty)
                ev = ms_attrs(1, &ms_sym.value, &empty);
        else
                value_set_attrs(ev, bindings_new(0));
        bindings_push(b, ms_sym.emptyValue, ev, NULL);
        Value *fname = ms_string(t->name);
        bindings_push(b, ms_sym.functor, ms_attrs(1, &ms_sym.name, &fname), NULL);
        bindings_sort(b);
        Value *v = value_new();
        value_set_attrs(v, b);
        (void) st;
        return v;
}

static TypeDesc *td_new(TypeKind kind, const char *name, const char *description, const char *cls) {
        TypeDesc *t = gc_alloc(sizeof(TypeDesc));
        t->kind = kind;
        t->name = name;
        t->description = description;
        t->desc_class = cls;
        return t;
}

/* ---- checks ---- */

static int call_bool(EvalState *st, Value *fn, Value *arg, bool *ret) {
        Value res;
        int r = eval_call(st, fn, 1, &arg, &res, NULL);
        if (r < 0)
                return r;
        if (res.type != VT_BOOL)
                return ms_error(st, NULL, "a type's `check' returned %s, not a Boolean", value_show_type(&res));
        *ret = res.boolean;
        return 0;
}

static bool is_function(const Value *v) {
        return v->type == VT_LAMBDA || v->type == VT_PRIMOP || v->type == VT_PRIMOP_APP;
}

static int string_like(EvalState *st, Value *v) {
        if (v->type == VT_STRING || v->type == VT_PATH)
                return 1;
        if (v->type == VT_ATTRS)
                return bindings_find(v->attrs, ms_sym.outPath) || bindings_find(v->attrs, symbol_intern_str("__toString"));
        return 0;
}

static int regex_match(EvalState *st, const char *pattern, Value *s, bool *ret) {
        Attr *m = bindings_find(eval_builtins_value(st)->attrs, symbol_intern_str("match"));
        Value *args[] = { ms_string(pattern), s };
        Value res;
        int r = eval_call(st, m->value, 2, args, &res, NULL);
        if (r < 0)
                return r;
        *ret = res.type != VT_NULL;
        return 0;
}

int ms_type_check(EvalState *st, Value *type, Value *v) {
        int r;
        if ((r = eval_force(st, type, NULL)) < 0)
                return r;
        TypeDesc *t = desc_of(type);
        if (!t) {
                Attr *c = type->type == VT_ATTRS ? bindings_find(type->attrs, ms_sym.check) : NULL;
                if (!c)
                        return 1;
                bool ok = false;
                if ((r = call_bool(st, c->value, v, &ok)) < 0)
                        return r;
                return ok;
        }
        if (t->kind == T_ANYTHING || t->kind == T_RAW || t->kind == T_UNSPECIFIED)
                return 1;
        if ((r = eval_force(st, v, NULL)) < 0)
                return r;
        switch (t->kind) {
        case T_BOOL:
                return v->type == VT_BOOL;
        case T_INT:
                return v->type == VT_INT && (!t->has_lo || v->integer >= t->lo) && (!t->has_hi || v->integer <= t->hi);
        case T_FLOAT:
                return v->type == VT_FLOAT;
        case T_NUMBER: {
                if (v->type != VT_INT && v->type != VT_FLOAT)
                        return 0;
                double d = v->type == VT_INT ? (double) v->integer : v->fpoint;
                if (t->has_lo && (t->nonempty ? d <= t->flo : d < t->flo))
                        return 0;
                return !t->has_hi || d <= t->fhi;
        }
        case T_STR:
        case T_SEPARATED:
                return v->type == VT_STRING;
        case T_NONEMPTY_STR:
                return v->type == VT_STRING && v->string.s[strspn(v->string.s, " \t\n")] != '\0';
        case T_STR_MATCHING: {
                if (v->type != VT_STRING)
                        return 0;
                bool ok;
                if ((r = regex_match(st, t->text, v, &ok)) < 0)
                        return r;
                return ok;
        }
        case T_PATH: {
                if (!string_like(st, v))
                        return 0;
                const char *s;
                if ((r = eval_coerce_to_string(st, v, NULL, NULL, false, false, &s)) < 0)
                        return r;
                return s[0] == '/';
        }
        case T_PACKAGE: {
                if (v->type == VT_ATTRS)
                        return eval_is_derivation(st, v);
                if (v->type == VT_STRING || v->type == VT_PATH) {
                        const char *s = v->type == VT_STRING ? v->string.s : v->path;
                        const char *sd = eval_store_dir(st);
                        size_t n = strlen(sd);
                        return strncmp(s, sd, n) == 0 && s[n] == '/' && strlen(s + n + 1) > 33;
                }
                return 0;
        }
        case T_ENUM:
                for (size_t i = 0; i < t->values->list.size; i++) {
                        bool eq;
                        if ((r = eval_equal(st, v, t->values->list.elems[i], NULL, &eq)) < 0)
                                return r;
                        if (eq)
                                return 1;
                }
                return 0;
        case T_LIST:
                return v->type == VT_LIST && (!t->nonempty || v->list.size > 0);
        case T_ATTRS_OF:
        case T_ATTRS:
                return v->type == VT_ATTRS;
        case T_NULL_OR:
                return v->type == VT_NULL ? 1 : ms_type_check(st, t->elem, v);
        case T_EITHER:
                if ((r = ms_type_check(st, t->elem, v)) != 0)
                        return r;
                return ms_type_check(st, t->elem2, v);
        case T_COERCED: {
                if ((r = ms_type_check(st, t->elem, v)) < 0)
                        return r;
                if (r) {
                        Value *c = ms_app(t->func, v);
                        if ((r = ms_type_check(st, t->elem2, c)) != 0)
                                return r;
                }
                return ms_type_check(st, t->elem2, v);
        }
        case T_SUBMODULE:
        case T_DEFERRED:
                return v->type == VT_ATTRS || is_function(v) || v->type == VT_PATH;
        case T_FUNCTION_TO:
                return is_function(v) || (v->type == VT_ATTRS && bindings_find(v->attrs, symbol_intern_str("__functor")));
        case T_UNIQ:
                return ms_type_check(st, t->elem, v);
        default:
                return 1;
        }
}

/* ---- merges ---- */

static const char *prio_hint = "\nUse `lib.mkForce value` or `lib.mkDefault value` to change the priority on any of "
                               "these definitions.";

static int merge_equal(EvalState *st, const Loc *loc, const Def *defs, size_t n, Value *ret) {
        for (size_t i = 1; i < n; i++) {
                bool eq;
                int r = eval_equal(st, defs[0].value, defs[i].value, NULL, &eq);
                if (r < 0)
                        return r;
                if (!eq) {
                        Def two[2] = { defs[0], defs[i] };
                        StrBuf sb = STRBUF_INIT;
                        ms_show_defs(st, two, 2, &sb);
                        r = ms_error(st, NULL, "The option `%s' has conflicting definition values:%s%s", loc_show(loc),
                                     sb.buf, prio_hint);
                        strbuf_release(&sb);
                        return r;
                }
        }
        int r = eval_force(st, defs[0].value, NULL);
        if (r < 0)
                return r;
        *ret = *defs[0].value;
        return 0;
}

static int merge_one(EvalState *st, const Loc *loc, const Def *defs, size_t n, const char *message, Value *ret) {
        if (n > 1) {
                StrBuf sb = STRBUF_INIT;
                ms_show_defs(st, defs, n, &sb);
                int r = ms_error(st, NULL,
                                 "The option `%s' is defined multiple times while it's expected to be unique.%s%s\n"
                                 "Definition values:%s%s",
                                 loc_show(loc), message && *message ? "\n" : "", message ? message : "", sb.buf,
                                 prio_hint);
                strbuf_release(&sb);
                return r;
        }
        int r = eval_force(st, defs[0].value, NULL);
        if (r < 0)
                return r;
        *ret = *defs[0].value;
        return 0;
}

static int merge_attrs_update(EvalState *st, const Def *defs, size_t n, Value *ret) {
        /* foldl' (res: def: res // def.value) {} */
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
                int r = eval_force_attrs(st, defs[i].value, NULL);
                if (r < 0)
                        return r;
                total += defs[i].value->attrs->size;
        }
        Bindings *b = bindings_new(total);
        for (size_t i = n; i > 0; i--) {
                Bindings *d = defs[i - 1].value->attrs;
                for (uint32_t j = 0; j < d->size; j++)
                        if (!bindings_find(b, d->attrs[j].name)) {
                                bindings_push(b, d->attrs[j].name, d->attrs[j].value, d->attrs[j].pos);
                                bindings_sort(b);
                        }
        }
        value_set_attrs(ret, b);
        return 0;
}

static int merge_default(EvalState *st, const Loc *loc, const Def *defs, size_t n, Value *ret) {
        int r;
        if (n == 1) {
                if ((r = eval_force(st, defs[0].value, NULL)) < 0)
                        return r;
                *ret = *defs[0].value;
                return 0;
        }
        uint8_t kind = 0;
        bool same = true;
        for (size_t i = 0; i < n; i++) {
                if ((r = eval_force(st, defs[i].value, NULL)) < 0)
                        return r;
                uint8_t k = is_function(defs[i].value) ? VT_LAMBDA : defs[i].value->type;
                if (i == 0)
                        kind = k;
                else if (k != kind)
                        same = false;
        }
        if (same && kind == VT_LIST) {
                size_t total = 0;
                for (size_t i = 0; i < n; i++)
                        total += defs[i].value->list.size;
                value_set_list(ret, total);
                size_t k = 0;
                for (size_t i = 0; i < n; i++)
                        for (size_t j = 0; j < defs[i].value->list.size; j++)
                                ret->list.elems[k++] = defs[i].value->list.elems[j];
                return 0;
        }
        if (same && kind == VT_ATTRS)
                return merge_attrs_update(st, defs, n, ret);
        if (same && kind == VT_BOOL) {
                bool any = false;
                for (size_t i = 0; i < n; i++)
                        any = any || defs[i].value->boolean;
                value_set_bool(ret, any);
                return 0;
        }
        if (same && kind == VT_STRING) {
                StrBuf sb = STRBUF_INIT;
                ContextBuilder cb = { 0 };
                for (size_t i = 0; i < n; i++) {
                        strbuf_adds(&sb, defs[i].value->string.s);
                        context_add_all(&cb, defs[i].value->string.context);
                }
                value_set_string_copy(ret, sb.buf, sb.len, context_finish(&cb));
                strbuf_release(&sb);
                return 0;
        }
        if (same && kind == VT_INT)
                return merge_equal(st, loc, defs, n, ret);
        StrBuf sb = STRBUF_INIT;
        ms_show_defs(st, defs, n, &sb);
        r = ms_error(st, NULL, "Cannot merge definitions of `%s'. Definition values:%s", loc_show(loc), sb.buf);
        strbuf_release(&sb);
        return r;
}

static int merge_list(EvalState *st, const Loc *loc, TypeDesc *t, const Def *defs, size_t n, Value *ret) {
        size_t total = 0;
        int r;
        for (size_t i = 0; i < n; i++) {
                if ((r = eval_force_list(st, defs[i].value, NULL)) < 0)
                        return r;
                total += defs[i].value->list.size;
        }
        Value **out = gc_alloc(sizeof(Value *) * (total + 1));
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < defs[i].value->list.size; j++) {
                        char name[64];
                        snprintf(name, sizeof name, "[definition %zu-entry %zu]", i + 1, j + 1);
                        Def d = defs[i];
                        d.value = defs[i].value->list.elems[j];
                        d.prio = d.order = -1;
                        d.conds = NULL;
                        Merged *m;
                        if ((r = ms_merge_definitions(st, loc_push(loc, gc_strdup(name)), t->elem, &d, 1,
                                                      &m)) < 0)
                                return r;
                        if (m->value)
                                out[k++] = m->value;
                }
        value_set_list(ret, k);
        if (k)
                memcpy(ret->list.elems, out, sizeof(Value *) * k);
        return 0;
}

/* One attribute of a lazyAttrsOf: merged only when it is read. */
typedef struct LazyAttr {
        const Loc *loc;
        Value *elem;
        Def *defs;
        size_t n;
} LazyAttr;

static int prim_lazy_attr(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        LazyAttr *la = args[0]->external.ptr;
        Merged *m;
        int r = ms_merge_definitions(st, la->loc, la->elem, la->defs, la->n, &m);
        if (r < 0)
                return r;
        if (m->value)
                return ms_merged_force(st, m, ret);
        Value *empty = ms_type_empty_value(st, la->elem);
        if (!empty)
                return ms_error(st, NULL, "The option `%s' is used but not defined.", loc_show(la->loc));
        *ret = *empty;
        return 0;
}

static const PrimOp lazy_attr_op = { .name = "lazyAttr", .arity = 1, .args = { "attr" }, .fn = prim_lazy_attr };

typedef struct NamedDef {
        Symbol name;
        size_t seq;
        Def def;
} NamedDef;

static int cmp_named(const void *a, const void *b) {
        const NamedDef *x = a, *y = b;
        if (x->name != y->name)
                return x->name < y->name ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int merge_attrs_of(EvalState *st, const Loc *loc, TypeDesc *t, const Def *defs, size_t n, Value *ret) {
        size_t total = 0;
        int r;
        for (size_t i = 0; i < n; i++) {
                if ((r = eval_force_attrs(st, defs[i].value, NULL)) < 0)
                        return r;
                total += defs[i].value->attrs->size;
        }
        NamedDef *all = gc_alloc(sizeof(NamedDef) * (total + 1));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                Bindings *b = defs[i].value->attrs;
                for (uint32_t j = 0; j < b->size; j++) {
                        Def d = defs[i];
                        d.value = b->attrs[j].value;
                        if (b->attrs[j].pos)
                                d.pos = b->attrs[j].pos;
                        d.prio = d.order = -1;
                        d.conds = NULL;
                        all[k] = (NamedDef) { b->attrs[j].name, k, d };
                        k++;
                }
        }
        qsort(all, k, sizeof(NamedDef), cmp_named);
        Bindings *out = bindings_new(k);
        Def *group = gc_alloc(sizeof(Def) * (k + 1));
        for (size_t i = 0; i < k;) {
                size_t j = i, g = 0;
                while (j < k && all[j].name == all[i].name)
                        group[g++] = all[j++].def;
                const Loc *l = loc_push(loc, symbol_str(all[i].name));
                if (t->lazy) {
                        LazyAttr *la = gc_alloc(sizeof(LazyAttr));
                        la->loc = l;
                        la->elem = t->elem;
                        la->defs = group;
                        la->n = g;
                        bindings_push(out, all[i].name,
                                      ms_app(ms_primop(&lazy_attr_op, 0, NULL), ms_external("lazy-attr", la)), NULL);
                } else {
                        Merged *m;
                        if ((r = ms_merge_definitions(st, l, t->elem, group, g, &m)) < 0)
                                return r;
                        if (m->value)
                                bindings_push(out, all[i].name, m->value, NULL);
                }
                if (g)
                        group = gc_alloc(sizeof(Def) * (k + 1));
                i = j;
        }
        value_set_attrs(ret, out);
        return 0;
}

static Value *module_with_file(const char *file, Value *v) {
        Value *imports = value_new();
        value_set_list(imports, 1);
        imports->list.elems[0] = v;
        Symbol names[] = { ms_sym._file, ms_sym.imports };
        Value *vals[] = { ms_string(file), imports };
        return ms_attrs(2, names, vals);
}

static Value *name_module(const char *name) {
        Symbol n1 = ms_sym._type, n2 = ms_sym.priority, n3 = ms_sym.content;
        Symbol names[] = { n1, n2, n3 };
        Value *vals[] = { ms_string("override"), ms_int(MS_PRIO_OPTION_DEFAULT), ms_string(name) };
        Value *v = ms_attrs(3, names, vals);
        v = ms_attrs(1, &ms_sym.name, &v);
        v = ms_attrs(1, &ms_sym.args, &v);
        return ms_attrs(1, &ms_sym._module, &v);
}

static int submodule_eval(EvalState *st, TypeDesc *t, const Loc *loc, const char *name, const Def *defs, size_t n,
                          MsEval **ret) {
        if (!g_lib || !g_internal_module)
                return ms_error(st, NULL, "submodules can only be evaluated inside lib.evalModules");
        int r = eval_force_list(st, t->modules, NULL);
        if (r < 0)
                return r;
        size_t total = 2 + t->modules->list.size + n;
        Value *mods = value_new();
        value_set_list(mods, total);
        size_t k = 0;
        /* As nixpkgs' submoduleWith extends its base evaluation. */
        mods->list.elems[k++] = name_module(name);
        for (size_t i = 0; i < t->modules->list.size; i++)
                mods->list.elems[k++] = t->modules->list.elems[i];
        for (size_t i = 0; i < n; i++) {
                /* shorthandOnlyDefinesConfig (types.submodule): a set is
                 * config only, so `options = [ … ]` is a definition. */
                if (t->shorthand_config) {
                        if ((r = eval_force(st, defs[i].value, NULL)) < 0)
                                return r;
                        if (defs[i].value->type == VT_ATTRS) {
                                Symbol names[] = { ms_sym._file, ms_sym.config };
                                Value *vals[] = { ms_string(ms_def_where(&defs[i])), defs[i].value };
                                mods->list.elems[k++] = ms_attrs(2, names, vals);
                                continue;
                        }
                }
                mods->list.elems[k++] = module_with_file(ms_def_where(&defs[i]), defs[i].value);
        }
        mods->list.elems[k++] = g_internal_module;
        Value *sa = t->special_args;
        if ((r = eval_force_attrs(st, sa, NULL)) < 0)
                return r;
        return ms_eval_modules(st, g_lib, mods, sa, loc, ret);
}

typedef struct FunctionTo {
        const Loc *loc;
        Value *elem;
        Def *defs;
        size_t n;
} FunctionTo;

static int prim_function_to(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        FunctionTo *f = args[0]->external.ptr;
        Def *applied = gc_alloc(sizeof(Def) * f->n);
        for (size_t i = 0; i < f->n; i++) {
                applied[i] = f->defs[i];
                applied[i].value = ms_app(f->defs[i].value, args[1]);
        }
        Merged *m;
        int r = ms_merge_definitions(st, loc_push(f->loc, "<function body>"), f->elem, applied, f->n, &m);
        if (r < 0)
                return r;
        return ms_merged_force(st, m, ret);
}

static const PrimOp function_to_op = {
        .name = "functionTo", .arity = 2, .args = { "defs", "arg" }, .fn = prim_function_to
};

static Value *anything_type(EvalState *st);

static int merge_anything(EvalState *st, const Loc *loc, const Def *defs, size_t n, Value *ret) {
        int r;
        const char *common = NULL;
        for (size_t i = 0; i < n; i++) {
                Value *v = defs[i].value;
                if ((r = eval_force(st, v, NULL)) < 0)
                        return r;
                const char *k = value_type_of(v);
                if (v->type == VT_ATTRS && string_like(st, v))
                        k = "stringCoercibleSet";
                if (!common)
                        common = k;
                else if (strcmp(common, k) != 0) {
                        StrBuf sb = STRBUF_INIT;
                        for (size_t j = 0; j < n; j++)
                                strbuf_addf(&sb, "%s`%s'", j ? ", " : "", ms_def_where(&defs[j]));
                        r = ms_error(st, NULL, "The option `%s' has conflicting option types in %s", loc_show(loc),
                                     sb.buf);
                        strbuf_release(&sb);
                        return r;
                }
        }
        if (strcmp(common, "set") == 0) {
                TypeDesc t = { .kind = T_ATTRS_OF, .elem = anything_type(st) };
                return merge_attrs_of(st, loc, &t, defs, n, ret);
        }
        if (strcmp(common, "stringCoercibleSet") == 0)
                return merge_one(st, loc, defs, n, NULL, ret);
        if (strcmp(common, "lambda") == 0 && n > 1) {
                FunctionTo *f = gc_alloc(sizeof(FunctionTo));
                f->loc = loc;
                f->elem = anything_type(st);
                f->defs = gc_alloc(sizeof(Def) * n);
                memcpy(f->defs, defs, sizeof(Def) * n);
                f->n = n;
                Value *ext = ms_external("function-to", f);
                *ret = *ms_primop(&function_to_op, 1, &ext);
                return 0;
        }
        return merge_equal(st, loc, defs, n, ret);
}

static int call_custom_merge(EvalState *st, const Loc *loc, Value *type, const Def *defs, size_t n, Value *ret) {
        Attr *m = bindings_find(type->attrs, ms_sym.merge);
        if (!m)
                return merge_default(st, loc, defs, n, ret);
        Value *list = value_new();
        value_set_list(list, n);
        for (size_t i = 0; i < n; i++) {
                Symbol names[] = { ms_sym.file, ms_sym.value };
                Value *vals[] = { ms_string(ms_def_where(&defs[i])), defs[i].value };
                list->list.elems[i] = ms_attrs(2, names, vals);
        }
        Value *args[] = { loc_to_list(loc), list };
        int r = eval_call(st, m->value, 2, args, ret, NULL);
        if (r < 0)
                return eval_error_add_frame(st, NULL, "while merging the definitions of `%s'", loc_show(loc));
        return 0;
}

int ms_type_merge(EvalState *st, const Loc *loc, Value *type, const Def *defs, size_t n, Value *ret) {
        int r;
        if (!type)
                return merge_default(st, loc, defs, n, ret);
        if ((r = eval_force(st, type, NULL)) < 0)
                return r;
        TypeDesc *t = desc_of(type);
        if (!t)
                return call_custom_merge(st, loc, type, defs, n, ret);
        switch (t->kind) {
        case T_NUMBER: {
                /* number is `either int float`: all ints or all floats merge
                 * as equal values, a mix must be unique. */
                bool ints = true, floats = true;
                for (size_t i = 0; i < n; i++) {
                        ints = ints && defs[i].value->type == VT_INT;
                        floats = floats && defs[i].value->type == VT_FLOAT;
                }
                if (!ints && !floats)
                        return merge_one(st, loc, defs, n, NULL, ret);
                return merge_equal(st, loc, defs, n, ret);
        }
        case T_STR_MATCHING:
                if ((r = merge_equal(st, loc, defs, n, ret)) < 0)
                        return r;
                if (t->strip_newline && ret->type == VT_STRING) {
                        size_t len = strlen(ret->string.s);
                        if (len && ret->string.s[len - 1] == '\n')
                                value_set_string_copy(ret, ret->string.s, len - 1, ret->string.context);
                }
                return 0;
        case T_BOOL:
        case T_INT:
        case T_FLOAT:
        case T_STR:
        case T_NONEMPTY_STR:
        case T_PATH:
        case T_ENUM:
                return merge_equal(st, loc, defs, n, ret);
        case T_SEPARATED: {
                StrBuf sb = STRBUF_INIT;
                ContextBuilder cb = { 0 };
                for (size_t i = 0; i < n; i++) {
                        if (i)
                                strbuf_adds(&sb, t->text);
                        strbuf_adds(&sb, defs[i].value->string.s);
                        context_add_all(&cb, defs[i].value->string.context);
                }
                value_set_string_copy(ret, sb.buf, sb.len, context_finish(&cb));
                strbuf_release(&sb);
                return 0;
        }
        case T_PACKAGE:
        case T_RAW:
                return merge_one(st, loc, defs, n, NULL, ret);
        case T_UNIQ:
                return merge_one(st, loc, defs, n, t->text, ret);
        case T_LIST:
                return merge_list(st, loc, t, defs, n, ret);
        case T_ATTRS_OF:
                return merge_attrs_of(st, loc, t, defs, n, ret);
        case T_NULL_OR: {
                size_t nulls = 0;
                for (size_t i = 0; i < n; i++)
                        nulls += defs[i].value->type == VT_NULL;
                if (nulls == n) {
                        value_set_null(ret);
                        return 0;
                }
                if (nulls) {
                        StrBuf sb = STRBUF_INIT;
                        for (size_t j = 0; j < n; j++)
                                strbuf_addf(&sb, "%s`%s'", j ? " and " : "", ms_def_where(&defs[j]));
                        r = ms_error(st, NULL, "The option `%s' is defined both null and not null, in %s.",
                                     loc_show(loc), sb.buf);
                        strbuf_release(&sb);
                        return r;
                }
                return ms_type_merge(st, loc, t->elem, defs, n, ret);
        }
        case T_EITHER: {
                for (int side = 0; side < 2; side++) {
                        Value *et = side ? t->elem2 : t->elem;
                        bool all = true;
                        for (size_t i = 0; i < n && all; i++) {
                                if ((r = ms_type_check(st, et, defs[i].value)) < 0)
                                        return r;
                                all = r > 0;
                        }
                        if (all)
                                return ms_type_merge(st, loc, et, defs, n, ret);
                }
                return merge_one(st, loc, defs, n, NULL, ret);
        }
        case T_COERCED: {
                Def *c = gc_alloc(sizeof(Def) * n);
                for (size_t i = 0; i < n; i++) {
                        c[i] = defs[i];
                        if ((r = ms_type_check(st, t->elem, defs[i].value)) < 0)
                                return r;
                        if (r)
                                c[i].value = ms_app(t->func, defs[i].value);
                }
                return ms_type_merge(st, loc, t->elem2, c, n, ret);
        }
        case T_SUBMODULE: {
                MsEval *sub;
                if ((r = submodule_eval(st, t, loc, loc_last(loc), defs, n, &sub)) < 0)
                        return r;
                return ms_checked_config(sub, ret);
        }
        case T_DEFERRED: {
                Value *imports = value_new();
                value_set_list(imports, n);
                for (size_t i = 0; i < n; i++)
                        imports->list.elems[i] = module_with_file(ms_def_where(&defs[i]), defs[i].value);
                *ret = *ms_attrs(1, &ms_sym.imports, &imports);
                return 0;
        }
        case T_FUNCTION_TO: {
                FunctionTo *f = gc_alloc(sizeof(FunctionTo));
                f->loc = loc;
                f->elem = t->elem;
                f->defs = gc_alloc(sizeof(Def) * n);
                memcpy(f->defs, defs, sizeof(Def) * n);
                f->n = n;
                Value *ext = ms_external("function-to", f);
                *ret = *ms_primop(&function_to_op, 1, &ext);
                return 0;
        }
        case T_ANYTHING:
                return merge_anything(st, loc, defs, n, ret);
        case T_UNSPECIFIED:
                return merge_default(st, loc, defs, n, ret);
        case T_ATTRS:
                return merge_attrs_update(st, defs, n, ret);
        }
        return merge_default(st, loc, defs, n, ret);
}

Value *ms_type_empty_value(EvalState *st, Value *type) {
        if (eval_force(st, type, NULL) < 0 || type->type != VT_ATTRS) {
                eval_state_clear_error(st);
                return NULL;
        }
        Attr *a = bindings_find(type->attrs, ms_sym.emptyValue);
        if (!a || eval_force(st, a->value, NULL) < 0 || a->value->type != VT_ATTRS) {
                eval_state_clear_error(st);
                return NULL;
        }
        Attr *v = bindings_find(a->value->attrs, ms_sym.value);
        return v ? v->value : NULL;
}

/* ---- redeclaring an option: merging two types ---- */

static TypeDesc *td_copy(const TypeDesc *t) {
        TypeDesc *c = gc_alloc(sizeof(TypeDesc));
        *c = *t;
        return c;
}

static const char *enum_description(EvalState *st, Value *values);

Value *ms_type_merge_decls(EvalState *st, Value *a, Value *b) {
        if (a == b)
                return a;
        if (eval_force(st, a, NULL) < 0 || eval_force(st, b, NULL) < 0)
                return NULL;
        TypeDesc *x = desc_of(a), *y = desc_of(b);
        if (!x || !y) {
                const char *na = attr_string(a, ms_sym.name), *nb = attr_string(b, ms_sym.name);
                return !x && !y && na && nb && strcmp(na, nb) == 0 && a->attrs == b->attrs ? a : NULL;
        }
        if (x->kind != y->kind)
                return NULL;
        switch (x->kind) {
        case T_SUBMODULE: {
                if (eval_force_list(st, x->modules, NULL) < 0 || eval_force_list(st, y->modules, NULL) < 0)
                        return NULL;
                TypeDesc *t = td_copy(x);
                size_t n = x->modules->list.size + y->modules->list.size;
                t->modules = value_new();
                value_set_list(t->modules, n);
                memcpy(t->modules->list.elems, x->modules->list.elems, sizeof(Value *) * x->modules->list.size);
                memcpy(t->modules->list.elems + x->modules->list.size, y->modules->list.elems,
                       sizeof(Value *) * y->modules->list.size);
                return type_value(st, t);
        }
        case T_ENUM: {
                TypeDesc *t = td_copy(x);
                size_t n = x->values->list.size;
                t->values = value_new();
                value_set_list(t->values, n + y->values->list.size);
                memcpy(t->values->list.elems, x->values->list.elems, sizeof(Value *) * n);
                for (size_t i = 0; i < y->values->list.size; i++) {
                        bool seen = false;
                        for (size_t j = 0; j < n && !seen; j++)
                                if (eval_equal(st, t->values->list.elems[j], y->values->list.elems[i], NULL, &seen) < 0)
                                        return NULL;
                        if (!seen)
                                t->values->list.elems[n++] = y->values->list.elems[i];
                }
                t->values->list.size = n;
                t->description = enum_description(st, t->values);
                return type_value(st, t);
        }
        case T_LIST:
        case T_ATTRS_OF:
        case T_NULL_OR:
        case T_UNIQ:
        case T_FUNCTION_TO: {
                if (x->lazy != y->lazy || x->nonempty != y->nonempty)
                        return NULL;
                Value *e = ms_type_merge_decls(st, x->elem, y->elem);
                if (!e)
                        return NULL;
                if (e == x->elem)
                        return a;
                TypeDesc *t = td_copy(x);
                t->elem = e;
                return type_value(st, t);
        }
        case T_INT:
        case T_NUMBER:
                return x->has_lo == y->has_lo && x->has_hi == y->has_hi && x->lo == y->lo && x->hi == y->hi &&
                                       x->flo == y->flo && x->fhi == y->fhi
                               ? a
                               : NULL;
        case T_SEPARATED:
        case T_STR_MATCHING:
                return strcmp(x->text, y->text) == 0 ? a : NULL;
        case T_EITHER:
        case T_COERCED:
                return NULL;
        default:
                return a;
        }
}

Value *ms_type_with_file(EvalState *st, Value *type, const char *file) {
        TypeDesc *t = desc_of(type);
        if (!t)
                return type;
        switch (t->kind) {
        case T_SUBMODULE: {
                if (eval_force_list(st, t->modules, NULL) < 0) {
                        eval_state_clear_error(st);
                        return type;
                }
                TypeDesc *c = td_copy(t);
                c->modules = value_new();
                value_set_list(c->modules, t->modules->list.size);
                for (size_t i = 0; i < t->modules->list.size; i++)
                        c->modules->list.elems[i] = module_with_file(file, t->modules->list.elems[i]);
                return type_value(st, c);
        }
        case T_LIST:
        case T_ATTRS_OF:
        case T_NULL_OR:
        case T_UNIQ:
        case T_FUNCTION_TO: {
                if (eval_force(st, t->elem, NULL) < 0) {
                        eval_state_clear_error(st);
                        return type;
                }
                Value *e = ms_type_with_file(st, t->elem, file);
                if (e == t->elem)
                        return type;
                TypeDesc *c = td_copy(t);
                c->elem = e;
                return type_value(st, c);
        }
        default:
                return type;
        }
}

/* ---- the primops behind check, merge and getSubOptions ---- */

static int prim_check(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        TypeDesc *t = args[0]->external.ptr;
        Value *self = type_value(st, t);
        int r = ms_type_check(st, self, args[1]);
        if (r < 0)
                return r;
        value_set_bool(ret, r > 0);
        return 0;
}

static const PrimOp check_op = { .name = "check", .arity = 2, .args = { "type", "value" }, .fn = prim_check };

static int loc_from_list(EvalState *st, Value *list, const Loc **ret) {
        int r = eval_force_list(st, list, NULL);
        if (r < 0)
                return r;
        const Loc *l = NULL;
        for (size_t i = 0; i < list->list.size; i++) {
                const char *s;
                if ((r = eval_force_string(st, list->list.elems[i], NULL, NULL, &s)) < 0)
                        return r;
                l = loc_push(l, s);
        }
        *ret = l;
        return 0;
}

static int prim_merge(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        TypeDesc *t = args[0]->external.ptr;
        const Loc *loc;
        int r = loc_from_list(st, args[1], &loc);
        if (r < 0)
                return r;
        if ((r = eval_force_list(st, args[2], pos)) < 0)
                return r;
        size_t n = args[2]->list.size;
        Def *defs = gc_alloc(sizeof(Def) * (n + 1));
        for (size_t i = 0; i < n; i++) {
                Value *d = args[2]->list.elems[i];
                if ((r = eval_force_attrs(st, d, pos)) < 0)
                        return r;
                Attr *f = bindings_find(d->attrs, ms_sym.file), *v = bindings_find(d->attrs, ms_sym.value);
                if (!v)
                        return ms_error(st, pos, "a definition passed to a type's merge lacks `value'");
                const char *file = "<unknown-file>";
                if (f && (r = eval_coerce_to_string(st, f->value, pos, NULL, false, false, &file)) < 0)
                        return r;
                defs[i] = (Def) { .value = v->value, .file = file, .prio = -1, .order = -1 };
        }
        if (n == 0)
                return ms_error(st, pos, "The option `%s' is used but not defined.", loc_show(loc));
        return ms_type_merge(st, loc, type_value(st, t), defs, n, ret);
}

static const PrimOp merge_op = {
        .name = "merge", .arity = 3, .args = { "type", "loc", "defs" }, .fn = prim_merge
};

static int sub_options(EvalState *st, Value *type, const Loc *prefix, Value *ret) {
        int r = eval_force(st, type, NULL);
        if (r < 0)
                return r;
        TypeDesc *t = desc_of(type);
        if (!t) {
                Attr *g = type->type == VT_ATTRS ? bindings_find(type->attrs, ms_sym.getSubOptions) : NULL;
                if (!g) {
                        value_set_attrs(ret, bindings_new(0));
                        return 0;
                }
                Value *arg = loc_to_list(prefix);
                return eval_call(st, g->value, 1, &arg, ret, NULL);
        }
        switch (t->kind) {
        case T_SUBMODULE: {
                MsEval *sub;
                if ((r = submodule_eval(st, t, prefix, "<name>", NULL, 0, &sub)) < 0)
                        return r;
                if ((r = eval_force(st, sub->options, NULL)) < 0)
                        return r;
                *ret = *sub->options;
                return 0;
        }
        case T_LIST:
                return sub_options(st, t->elem, loc_push(prefix, "*"), ret);
        case T_ATTRS_OF:
                return sub_options(st, t->elem, loc_push(prefix, "<name>"), ret);
        case T_NULL_OR:
        case T_UNIQ:
        case T_FUNCTION_TO:
                return sub_options(st, t->elem, prefix, ret);
        case T_COERCED:
                return sub_options(st, t->elem2, prefix, ret);
        default:
                value_set_attrs(ret, bindings_new(0));
                return 0;
        }
}

static int prim_sub_options(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        TypeDesc *t = args[0]->external.ptr;
        const Loc *prefix;
        int r = loc_from_list(st, args[1], &prefix);
        if (r < 0)
                return r;
        return sub_options(st, type_value(st, t), prefix, ret);
}

static const PrimOp sub_options_op = {
        .name = "getSubOptions", .arity = 2, .args = { "type", "prefix" }, .fn = prim_sub_options
};

/* ---- constructors ---- */

static int force_type_arg(EvalState *st, Value *v, const Pos *pos, const char *ctor) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        const char *tag = ms_type_tag(st, v);
        if (!tag || strcmp(tag, "option-type") != 0)
                return ms_error(st, pos, "types.%s expects an option type (one of lib.types), not %s", ctor,
                                value_show_type(v));
        return 0;
}

/* The constructors of one element type (listOf t, attrsOf t, …): their
 * description wraps the element's per nixpkgs' optionDescriptionPhrase. */
typedef struct ElemCtor {
        TypeKind kind;
        const char *name, *fmt, *desc_class;
        bool noun, conj, comp; /* the element classes shown unparenthesised */
        bool lazy, nonempty;
} ElemCtor;

static int elem_ctor(EvalState *st, const Pos *pos, Value *elem, const ElemCtor *c, Value *ret) {
        int r = force_type_arg(st, elem, pos, c->name);
        if (r < 0)
                return r;
        TypeDesc *t = td_new(c->kind, c->name, gc_printf(c->fmt, phrase(st, elem, c->noun, c->conj, c->comp)),
                             c->desc_class);
        t->elem = elem;
        t->lazy = c->lazy;
        t->nonempty = c->nonempty;
        *ret = *type_value(st, t);
        return 0;
}

#define ELEM_CTOR(fn, ...)                                                                \
        static int fn(EvalState *st, const Pos *pos, Value **args, Value *ret) {          \
                static const ElemCtor c = { __VA_ARGS__ };                                \
                return elem_ctor(st, pos, args[0], &c, ret);                              \
        }

ELEM_CTOR(prim_list_of, T_LIST, "listOf", "list of %s", "composite", true, false, true)
ELEM_CTOR(prim_nonempty_list_of, T_LIST, "nonEmptyListOf", "non-empty list of %s", "composite", true, false, true,
          .nonempty = true)
ELEM_CTOR(prim_attrs_of, T_ATTRS_OF, "attrsOf", "attribute set of %s", "composite", true, false, true)
ELEM_CTOR(prim_lazy_attrs_of, T_ATTRS_OF, "lazyAttrsOf", "lazy attribute set of %s", "composite", true, false, true,
          .lazy = true)
ELEM_CTOR(prim_null_or, T_NULL_OR, "nullOr", "null or %s", "conjunction", true, true, false)
ELEM_CTOR(prim_function_to_type, T_FUNCTION_TO, "functionTo", "function that evaluates to a(n) %s", "composite", true,
          false, true)

static int prim_uniq(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = force_type_arg(st, args[0], pos, "uniq");
        if (r < 0)
                return r;
        TypeDesc *e = desc_of(args[0]);
        TypeDesc *t = td_new(T_UNIQ, "uniq", ms_type_description(st, args[0]),
                             e ? e->desc_class : attr_string(args[0], ms_sym.descriptionClass));
        t->elem = args[0];
        *ret = *type_value(st, t);
        return 0;
}

static int prim_unique(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force_attrs(st, args[0], pos);
        if (r < 0)
                return r;
        if ((r = force_type_arg(st, args[1], pos, "unique")) < 0)
                return r;
        const char *msg = "";
        Attr *m = bindings_find(args[0]->attrs, symbol_intern_str("message"));
        if (m && (r = eval_force_string(st, m->value, pos, NULL, &msg)) < 0)
                return r;
        TypeDesc *e = desc_of(args[1]);
        TypeDesc *t = td_new(T_UNIQ, "unique", ms_type_description(st, args[1]),
                             e ? e->desc_class : attr_string(args[1], ms_sym.descriptionClass));
        t->elem = args[1];
        t->text = msg;
        *ret = *type_value(st, t);
        return 0;
}

static int prim_either(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r;
        if ((r = force_type_arg(st, args[0], pos, "either")) < 0 || (r = force_type_arg(st, args[1], pos, "either")) < 0)
                return r;
        TypeDesc *t = td_new(T_EITHER, "either",
                             gc_printf("%s or %s", phrase(st, args[0], true, true, false),
                                       phrase(st, args[1], true, true, true)),
                             "conjunction");
        t->elem = args[0];
        t->elem2 = args[1];
        *ret = *type_value(st, t);
        return 0;
}

static int prim_one_of(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force_list(st, args[0], pos);
        if (r < 0)
                return r;
        size_t n = args[0]->list.size;
        if (n == 0)
                return ms_error(st, pos, "types.oneOf needs at least one type");
        Value *acc = args[0]->list.elems[n - 1];
        if ((r = force_type_arg(st, acc, pos, "oneOf")) < 0)
                return r;
        /* oneOf [ a b c ] = either a (either b c), as nixpkgs folds it. */
        for (size_t i = n - 1; i > 0; i--) {
                Value *pair[2] = { args[0]->list.elems[i - 1], acc };
                Value *v = value_new();
                if ((r = prim_either(st, pos, pair, v)) < 0)
                        return r;
                acc = v;
        }
        *ret = *acc;
        return 0;
}

static int prim_coerced_to(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r;
        if ((r = force_type_arg(st, args[0], pos, "coercedTo")) < 0 || (r = force_type_arg(st, args[2], pos, "coercedTo")) < 0)
                return r;
        TypeDesc *t = td_new(T_COERCED, "coercedTo",
                             gc_printf("%s or %s convertible to it", phrase(st, args[2], true, false, false),
                                       phrase(st, args[0], true, false, false)),
                             "noun");
        t->elem = args[0];
        t->func = args[1];
        t->elem2 = args[2];
        *ret = *type_value(st, t);
        return 0;
}

static void show_enum_value(EvalState *st, Value *v, StrBuf *out) {
        if (eval_force(st, v, NULL) < 0) {
                eval_state_clear_error(st);
                strbuf_adds(out, "<error>");
                return;
        }
        if (v->type == VT_STRING)
                strbuf_addf(out, "\"%s\"", v->string.s);
        else if (v->type == VT_INT)
                strbuf_addf(out, "%" PRId64, v->integer);
        else if (v->type == VT_BOOL)
                strbuf_adds(out, v->boolean ? "true" : "false");
        else
                strbuf_addf(out, "<%s>", value_type_of(v));
}

static const char *enum_description(EvalState *st, Value *values) {
        size_t n = values->list.size;
        if (n == 0)
                return "impossible (empty enum)";
        StrBuf sb = STRBUF_INIT;
        if (n == 1) {
                strbuf_adds(&sb, "value ");
                show_enum_value(st, values->list.elems[0], &sb);
                strbuf_adds(&sb, " (singular enum)");
        } else {
                strbuf_adds(&sb, "one of ");
                for (size_t i = 0; i < n; i++) {
                        if (i)
                                strbuf_adds(&sb, ", ");
                        show_enum_value(st, values->list.elems[i], &sb);
                }
        }
        char *s = gc_strdup(sb.buf);
        strbuf_release(&sb);
        return s;
}

static int prim_enum(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force_list(st, args[0], pos);
        if (r < 0)
                return r;
        TypeDesc *t = td_new(T_ENUM, "enum", enum_description(st, args[0]),
                             args[0]->list.size < 2 ? "noun" : "conjunction");
        t->values = args[0];
        *ret = *type_value(st, t);
        return 0;
}

static int prim_str_matching(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *p;
        int r = eval_force_string(st, args[0], pos, NULL, &p);
        if (r < 0)
                return r;
        TypeDesc *t = td_new(T_STR_MATCHING, "strMatching", gc_printf("string matching the pattern %s", p), NULL);
        t->text = p;
        *ret = *type_value(st, t);
        return 0;
}

static Value *separated(EvalState *st, const char *name, const char *sep) {
        StrBuf json = STRBUF_INIT;
        print_string_literal(&json, sep);
        TypeDesc *t = td_new(T_SEPARATED, name,
                             *sep ? gc_printf("strings concatenated with %s", json.buf) : "Concatenated string", "noun");
        strbuf_release(&json);
        t->text = sep;
        return type_value(st, t);
}

static int prim_separated_string(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *sep;
        int r = eval_force_string(st, args[0], pos, NULL, &sep);
        if (r < 0)
                return r;
        *ret = *separated(st, "separatedString", sep);
        return 0;
}

static Value *int_range(EvalState *st, const char *description, bool has_lo, int64_t lo, bool has_hi, int64_t hi) {
        TypeDesc *t = td_new(T_INT, "intBetween", description, NULL);
        t->has_lo = has_lo;
        t->lo = lo;
        t->has_hi = has_hi;
        t->hi = hi;
        return type_value(st, t);
}

static int prim_ints_between(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int64_t lo, hi;
        int r;
        if ((r = eval_force_int(st, args[0], pos, &lo)) < 0 || (r = eval_force_int(st, args[1], pos, &hi)) < 0)
                return r;
        if (lo > hi)
                return ms_error(st, pos, "types.ints.between: lower bound %" PRId64 " is above upper bound %" PRId64, lo, hi);
        *ret = *int_range(st, gc_printf("integer between %" PRId64 " and %" PRId64 " (both inclusive)", lo, hi), true, lo,
                          true, hi);
        return 0;
}

static int prim_numbers_between(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        double lo, hi;
        int r;
        if ((r = eval_force_float(st, args[0], pos, &lo)) < 0 || (r = eval_force_float(st, args[1], pos, &hi)) < 0)
                return r;
        StrBuf a = STRBUF_INIT, b = STRBUF_INIT;
        value_print(st, args[0], false, &a);
        value_print(st, args[1], false, &b);
        TypeDesc *t = td_new(T_NUMBER, "numberBetween",
                             gc_printf("integer or floating point number between %s and %s (both inclusive)", a.buf, b.buf),
                             NULL);
        strbuf_release(&a);
        strbuf_release(&b);
        t->has_lo = t->has_hi = true;
        t->flo = lo;
        t->fhi = hi;
        *ret = *type_value(st, t);
        return 0;
}

static int submodule_with(EvalState *st, const Pos *pos, Value *modules, Value *special_args, bool shorthand,
                          const char *description, Value *ret) {
        int r = eval_force(st, modules, pos);
        if (r < 0)
                return r;
        Value *list = modules;
        if (modules->type != VT_LIST) {
                list = value_new();
                value_set_list(list, 1);
                list->list.elems[0] = modules;
        }
        TypeDesc *t = td_new(T_SUBMODULE, "submodule", description ? description : "submodule", NULL);
        t->modules = list;
        if (!special_args) {
                special_args = value_new();
                value_set_attrs(special_args, bindings_new(0));
        }
        t->special_args = special_args;
        t->shorthand_config = shorthand;
        *ret = *type_value(st, t);
        return 0;
}

static int prim_submodule(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return submodule_with(st, pos, args[0], NULL, true, NULL, ret);
}

static int prim_submodule_with(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force_attrs(st, args[0], pos);
        if (r < 0)
                return r;
        Attr *m = bindings_find(args[0]->attrs, ms_sym.modules);
        Attr *sa = bindings_find(args[0]->attrs, ms_sym.specialArgs);
        Attr *sh = bindings_find(args[0]->attrs, ms_sym.shorthandOnlyDefinesConfig);
        Attr *d = bindings_find(args[0]->attrs, ms_sym.description);
        bool shorthand = false;
        if (sh && (r = eval_force_bool(st, sh->value, pos, &shorthand)) < 0)
                return r;
        const char *desc = NULL;
        if (d) {
                if ((r = eval_force(st, d->value, pos)) < 0)
                        return r;
                if (d->value->type == VT_STRING)
                        desc = d->value->string.s;
        }
        if (!m)
                return ms_error(st, pos, "types.submoduleWith needs `modules'");
        return submodule_with(st, pos, m->value, sa ? sa->value : NULL, shorthand, desc, ret);
}

#define g_anything ms_roots.anything

static Value *simple(EvalState *st, TypeKind kind, const char *name, const char *description, const char *cls) {
        return type_value(st, td_new(kind, name, description, cls));
}

static Value *anything_type(EvalState *st) {
        if (!g_anything)
                g_anything = simple(st, T_ANYTHING, "anything", "anything", NULL);
        return g_anything;
}

#define CTOR(fname, n, a1, a2, a3, fn_) \
        { .name = fname, .arity = n, .args = { a1, a2, a3 }, .fn = fn_ }

static const PrimOp ctor_ops[] = {
        CTOR("listOf", 1, "elemType", NULL, NULL, prim_list_of),
        CTOR("nonEmptyListOf", 1, "elemType", NULL, NULL, prim_nonempty_list_of),
        CTOR("attrsOf", 1, "elemType", NULL, NULL, prim_attrs_of),
        CTOR("lazyAttrsOf", 1, "elemType", NULL, NULL, prim_lazy_attrs_of),
        CTOR("nullOr", 1, "elemType", NULL, NULL, prim_null_or),
        CTOR("uniq", 1, "elemType", NULL, NULL, prim_uniq),
        CTOR("unique", 2, "args", "elemType", NULL, prim_unique),
        CTOR("functionTo", 1, "elemType", NULL, NULL, prim_function_to_type),
        CTOR("either", 2, "t1", "t2", NULL, prim_either),
        CTOR("oneOf", 1, "types", NULL, NULL, prim_one_of),
        CTOR("coercedTo", 3, "coercedType", "coerceFunc", "finalType", prim_coerced_to),
        CTOR("enum", 1, "values", NULL, NULL, prim_enum),
        CTOR("strMatching", 1, "pattern", NULL, NULL, prim_str_matching),
        CTOR("separatedString", 1, "sep", NULL, NULL, prim_separated_string),
        CTOR("submodule", 1, "modules", NULL, NULL, prim_submodule),
        CTOR("submoduleWith", 1, "args", NULL, NULL, prim_submodule_with),
        { 0 },
};

static const PrimOp ints_between_op = CTOR("between", 2, "lowest", "highest", NULL, prim_ints_between);
static const PrimOp numbers_between_op = CTOR("between", 2, "lowest", "highest", NULL, prim_numbers_between);

typedef struct NamedValue {
        const char *name;
        Value *value;
} NamedValue;

static Value *set_of(const NamedValue *nv, size_t n) {
        Bindings *b = bindings_new(n);
        for (size_t i = 0; i < n; i++)
                bindings_push(b, symbol_intern_str(nv[i].name), nv[i].value, NULL);
        bindings_sort(b);
        Value *v = value_new();
        value_set_attrs(v, b);
        return v;
}

static Value *bits(EvalState *st, int n, bool is_signed) {
        int64_t lo = is_signed ? -((int64_t) 1 << (n - 1)) : 0;
        int64_t hi = is_signed ? ((int64_t) 1 << (n - 1)) - 1 : (int64_t) ((n == 64 ? 0 : ((uint64_t) 1 << n)) - 1);
        return int_range(st,
                         gc_printf("%d bit %s integer; between %" PRId64 " and %" PRId64 " (both inclusive)", n,
                                   is_signed ? "signed" : "unsigned", lo, hi),
                         true, lo, true, hi);
}

Value *ms_types_value(EvalState *st) {
        ms_symbols_init();
        Value *types = ms_roots.types;
        if (types)
                return types;
        Value *u16 = bits(st, 16, false);
        Value *ints = set_of((NamedValue[]) {
                                     { "between", ms_primop(&ints_between_op, 0, NULL) },
                                     { "unsigned", int_range(st, "unsigned integer, meaning >=0", true, 0, false, 0) },
                                     { "positive", int_range(st, "positive integer, meaning >0", true, 1, false, 0) },
                                     { "u8", bits(st, 8, false) },
                                     { "u16", u16 },
                                     { "u32", bits(st, 32, false) },
                                     { "s8", bits(st, 8, true) },
                                     { "s16", bits(st, 16, true) },
                                     { "s32", bits(st, 32, true) },
                             },
                             9);
        TypeDesc *nn = td_new(T_NUMBER, "numberNonnegative", "integer or floating point number, meaning >=0", NULL);
        nn->has_lo = true;
        TypeDesc *np = td_new(T_NUMBER, "numberPositive", "integer or floating point number, meaning >0", NULL);
        np->has_lo = true;
        np->nonempty = true; /* strictly above flo */
        Value *numbers = set_of((NamedValue[]) {
                                        { "between", ms_primop(&numbers_between_op, 0, NULL) },
                                        { "nonnegative", type_value(st, nn) },
                                        { "positive", type_value(st, np) },
                                },
                                3);
        Value *str = simple(st, T_STR, "str", "string", "noun");
        Value *single_line = value_new();
        Value *pat = ms_string("[^\n\r]*\n?");
        prim_str_matching(st, NULL, &pat, single_line);
        TypeDesc *sl = desc_of(single_line);
        sl->description = "(optionally newline-terminated) single-line string";
        sl->name = "singleLineStr";
        sl->strip_newline = true; /* nixpkgs drops the one allowed trailing newline */
        single_line = type_value(st, sl);
        NamedValue base[] = {
                { "bool", simple(st, T_BOOL, "bool", "boolean", "noun") },
                { "int", simple(st, T_INT, "int", "signed integer", "noun") },
                { "ints", ints },
                { "port", int_range(st, "16 bit unsigned integer; between 0 and 65535 (both inclusive)", true, 0, true,
                                    65535) },
                { "float", simple(st, T_FLOAT, "float", "floating point number", "noun") },
                { "number", simple(st, T_NUMBER, "number", "signed integer or floating point number", "noun") },
                { "numbers", numbers },
                { "str", str },
                { "string", str },
                { "nonEmptyStr", simple(st, T_NONEMPTY_STR, "nonEmptyStr", "non-empty string", "noun") },
                { "singleLineStr", single_line },
                { "lines", separated(st, "lines", "\n") },
                { "commas", separated(st, "commas", ",") },
                { "envVar", separated(st, "envVar", ":") },
                { "path", simple(st, T_PATH, "path", "path", "noun") },
                { "package", simple(st, T_PACKAGE, "package", "package", "noun") },
                { "anything", anything_type(st) },
                { "raw", simple(st, T_RAW, "raw", "raw value", "noun") },
                { "unspecified", simple(st, T_UNSPECIFIED, "unspecified", "unspecified value", "noun") },
                { "attrs", simple(st, T_ATTRS, "attrs", "attribute set", "noun") },
                { "deferredModule", simple(st, T_DEFERRED, "deferredModule", "module", "noun") },
                { "optionType", simple(st, T_RAW, "optionType", "optionType", "noun") },
        };
        size_t n_base = sizeof(base) / sizeof(base[0]);
        size_t n_ctor = 0;
        while (ctor_ops[n_ctor].name)
                n_ctor++;
        NamedValue *all = gc_alloc(sizeof(NamedValue) * (n_base + n_ctor));
        memcpy(all, base, sizeof(base));
        for (size_t i = 0; i < n_ctor; i++)
                all[n_base + i] = (NamedValue) { ctor_ops[i].name, ms_primop(&ctor_ops[i], 0, NULL) };
        ms_roots.types = set_of(all, n_base + n_ctor);
        return ms_roots.types;
}
