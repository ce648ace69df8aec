/* Attribute sets: attrNames, attrValues, getAttr, hasAttr, removeAttrs,
 * intersectAttrs, mapAttrs, zipAttrsWith. Semantics, evaluation order and
 * messages follow Nix 2.8's primops.cc. (listToAttrs and catAttrs live with
 * the lists; functionArgs and unsafeGetAttrPos are the core's.)
 *
 * Bindings are kept sorted by Symbol number, so builtins that take a subset
 * of a set (removeAttrs, intersectAttrs) or map over it (mapAttrs) push in
 * that order and need no sorting. */
#include <stdlib.h>

#include "eval.h"
#include "xalloc.h"

/* n separately allocated values. Each is its own GC object: the collector
 * recognises only pointers to the start of an object (interior pointers are
 * off for speed), so values must never be carved out of one block. */
static Value **values_alloc_each(size_t n) {
        Value **v = gc_alloc(n * sizeof(Value *));
        for (size_t i = 0; i < n; i++)
                v[i] = value_new();
        return v;
}

static int prim_attrNames(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force_attrs(st, args[0], pos);
        if (r < 0)
                return r;
        Bindings *b = args[0]->attrs;
        size_t n = b->size;
        if (n == 0) {
                value_set_list(ret, 0);
                return 0;
        }
        Attr **sorted = bindings_sorted_by_name(b);
        Value **elems = gc_alloc(n * sizeof(Value *));
        for (size_t i = 0; i < n; i++) {
                Value *name = value_new();
                value_set_string(name, symbol_str(sorted[i]->name), NULL);
                elems[i] = name;
        }
        ret->type = VT_LIST;
        ret->list.size = n;
        ret->list.elems = elems;
        return 0;
}

static int prim_attrValues(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force_attrs(st, args[0], pos);
        if (r < 0)
                return r;
        Bindings *b = args[0]->attrs;
        size_t n = b->size;
        if (n == 0) {
                value_set_list(ret, 0);
                return 0;
        }
        Attr **sorted = bindings_sorted_by_name(b);
        Value **elems = gc_alloc(n * sizeof(Value *));
        for (size_t i = 0; i < n; i++)
                elems[i] = sorted[i]->value;
        ret->type = VT_LIST;
        ret->list.size = n;
        ret->list.elems = elems;
        return 0;
}

static int prim_getAttr(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *name;
        int r = eval_force_string_no_context(st, args[0], pos, &name);
        if (r < 0)
                return r;
        Value *set = args[1];
        r = eval_force_attrs(st, set, pos);
        if (r < 0)
                return r;
        Attr *a = eval_get_attr(set, symbol_intern_str(name));
        if (!a)
                return eval_error(st, EVAL_ERROR_TYPE, pos, "attribute '%s' missing for call to 'getAttr'", name);
        Value *v = a->value;
        r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        *ret = *v;
        return 0;
}

static int prim_hasAttr(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *name;
        int r = eval_force_string_no_context(st, args[0], pos, &name);
        if (r < 0)
                return r;
        r = eval_force_attrs(st, args[1], pos);
        if (r < 0)
                return r;
        value_set_bool(ret, eval_get_attr(args[1], symbol_intern_str(name)) != NULL);
        return 0;
}

static int symbol_cmp(const void *a, const void *b) {
        Symbol x = *(const Symbol *) a, y = *(const Symbol *) b;
        return x < y ? -1 : x > y;
}

static int prim_removeAttrs(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *set = args[0], *list = args[1];
        int r = eval_force_attrs(st, set, pos);
        if (r < 0)
                return r;
        r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size;
        _cleanup_free_ Symbol *names = xmalloc((n ? n : 1) * sizeof(Symbol));
        for (size_t i = 0; i < n; i++) {
                const char *name;
                r = eval_force_string_no_context(st, list->list.elems[i], pos, &name);
                if (r < 0)
                        return r;
                names[i] = symbol_intern_str(name);
        }
        qsort(names, n, sizeof(Symbol), symbol_cmp);

        /* Both sides are sorted by Symbol: a merge-style set difference. */
        const Bindings *in = set->attrs;
        Bindings *out = bindings_new(in->size);
        size_t k = 0;
        for (uint32_t i = 0; i < in->size; i++) {
                const Attr *a = &in->attrs[i];
                while (k < n && names[k] < a->name)
                        k++;
                if (k < n && names[k] == a->name)
                        continue;
                bindings_push(out, a->name, a->value, a->pos);
        }
        value_set_attrs(ret, out);
        return 0;
}

static int prim_intersectAttrs(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force_attrs(st, args[0], pos);
        if (r < 0)
                return r;
        r = eval_force_attrs(st, args[1], pos);
        if (r < 0)
                return r;
        /* The attributes of e2 whose names e1 has. Walking the smaller set
         * and probing the other gives the same set; both walks go in Symbol
         * order, so the result needs no sorting. */
        const Bindings *e1 = args[0]->attrs, *e2 = args[1]->attrs;
        bool walk_e1 = e1->size <= e2->size;
        const Bindings *walk = walk_e1 ? e1 : e2, *probe = walk_e1 ? e2 : e1;
        Bindings *out = bindings_new(walk->size);
        for (uint32_t i = 0; i < walk->size; i++) {
                const Attr *a = &walk->attrs[i];
                Attr *other = bindings_find(probe, a->name);
                if (!other)
                        continue;
                const Attr *from_e2 = walk_e1 ? other : a;
                bindings_push(out, from_e2->name, from_e2->value, from_e2->pos);
        }
        value_set_attrs(ret, out);
        return 0;
}

static int prim_mapAttrs(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0], *set = args[1];
        int r = eval_force_attrs(st, set, pos);
        if (r < 0)
                return r;
        const Bindings *in = set->attrs;
        size_t n = in->size;
        Bindings *out = bindings_new(n);
        /* Per attribute: fn name (whose name string is made when it is
         * forced) and (fn name) value. As in Nix, the new attributes have no
         * position. */
        for (size_t i = 0; i < n; i++) {
                const Attr *a = &in->attrs[i];
                Value *app1 = value_new(), *app2 = value_new();
                app1->type = VT_APP_NAME;
                app1->app_index.fn = fn;
                app1->app_index.index = a->name;
                value_set_app(app2, app1, a->value);
                bindings_push(out, a->name, app2, NULL);
        }
        value_set_attrs(ret, out);
        return 0;
}

static int u64_cmp(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int prim_zipAttrsWith(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0], *list = args[1];
        int r = eval_force_function(st, fn, pos);
        if (r < 0)
                return r;
        r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size, total = 0;
        Value **items = list->list.elems;
        for (size_t i = 0; i < n; i++) {
                r = eval_force_attrs(st, items[i], NULL);
                if (r < 0)
                        return eval_error_add_frame(st, pos, "while invoking '%s'", "zipAttrsWith");
                total += items[i]->attrs->size;
        }
        if (total > UINT32_MAX)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "zipAttrsWith: too many attributes");
        if (total == 0) {
                value_set_attrs(ret, bindings_new(0));
                return 0;
        }

        /* Every (name, value) occurrence, numbered in list order; sorting
         * the keys (name << 32 | number) groups them by name, each group in
         * list order. */
        _cleanup_free_ uint64_t *keys = xmalloc(total * sizeof(uint64_t));
        Value **values = gc_alloc(total * sizeof(Value *));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const Bindings *b = items[i]->attrs;
                for (uint32_t j = 0; j < b->size; j++, k++) {
                        keys[k] = (uint64_t) b->attrs[j].name << 32 | k;
                        values[k] = b->attrs[j].value;
                }
        }
        qsort(keys, total, sizeof(uint64_t), u64_cmp);

        size_t n_names = 0;
        for (size_t i = 0; i < total; i++)
                if (i == 0 || keys[i] >> 32 != keys[i - 1] >> 32)
                        n_names++;

        /* Per name: the name string, the list, fn name, (fn name) list. */
        Value **cells = values_alloc_each(4 * n_names);
        Bindings *out = bindings_new(n_names);
        for (size_t i = 0, g = 0; i < total; g++) {
                Symbol sym = (Symbol) (keys[i] >> 32);
                size_t end = i;
                while (end < total && keys[end] >> 32 == sym)
                        end++;
                Value *name = cells[4 * g], *vals = cells[4 * g + 1];
                Value *app1 = cells[4 * g + 2], *app2 = cells[4 * g + 3];
                value_set_list(vals, end - i);
                for (size_t j = i; j < end; j++)
                        vals->list.elems[j - i] = values[(uint32_t) keys[j]];
                value_set_string(name, symbol_str(sym), NULL);
                value_set_app(app1, fn, name);
                value_set_app(app2, app1, vals);
                bindings_push(out, sym, app2, NULL);
                i = end;
        }
        value_set_attrs(ret, out);
        return 0;
}

const PrimOp builtins_attrs[] = {
        { .name = "attrNames", .arity = 1, .args = { "set" },
          .doc = "Return the names of the attributes of set, sorted.", .fn = prim_attrNames },
        { .name = "attrValues", .arity = 1, .args = { "set" },
          .doc = "Return the values of the attributes of set, in the order of their names.",
          .fn = prim_attrValues },
        { .name = "getAttr", .arity = 2, .args = { "s", "set" },
          .doc = "Return the attribute named s of set (a dynamic `.`).", .fn = prim_getAttr },
        { .name = "hasAttr", .arity = 2, .args = { "s", "set" },
          .doc = "Return true if set has an attribute named s (a dynamic `?`).", .fn = prim_hasAttr },
        { .name = "removeAttrs", .arity = 2, .global = true, .args = { "set", "list" },
          .doc = "Return set without the attributes named in list.", .fn = prim_removeAttrs },
        { .name = "intersectAttrs", .arity = 2, .args = { "e1", "e2" },
          .doc = "Return the attributes of e2 whose names also occur in e1.", .fn = prim_intersectAttrs },
        { .name = "mapAttrs", .arity = 2, .args = { "f", "attrset" },
          .doc = "Apply f name value to every attribute of attrset (lazily).", .fn = prim_mapAttrs },
        { .name = "zipAttrsWith", .arity = 2, .args = { "f", "list" },
          .doc = "Merge a list of sets into one, calling f name values for each name.",
          .fn = prim_zipAttrsWith },
        { .name = NULL },
};
