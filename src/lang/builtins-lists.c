/* Lists: map, filter, head, tail, elemAt, elem, length, concatLists,
 * concatMap, foldl', genList, sort, partition, groupBy, any, all, listToAttrs,
 * catAttrs. Semantics, evaluation order and messages follow Nix 2.8's
 * primops.cc.
 *
 * Laziness: map and genList build one application thunk per element and
 * call nothing; the other builtins call their function as Nix does. */
#include <stdlib.h>

#include "eval.h"
#include "xalloc.h"

/* n fresh Value cells in one GC block (faster than n allocations; the block
 * lives as long as any of its cells is referenced). */
/* n separately allocated values. Each is its own GC object: the collector
 * recognises only pointers to the start of an object (interior pointers are
 * off for speed), so values must never be carved out of one block. */
static Value **values_alloc_each(size_t n) {
        Value **v = gc_alloc(n * sizeof(Value *));
        for (size_t i = 0; i < n; i++)
                v[i] = value_new();
        return v;
}

/* Makes ret a list of n elements that uses elems (a GC array) as it is. */
static void list_adopt(Value *ret, size_t n, Value **elems) {
        if (n == 0) {
                value_set_list(ret, 0);
                return;
        }
        ret->type = VT_LIST;
        ret->list.size = n;
        ret->list.elems = elems;
}

/* Makes ret a list of the first n of the cap pointers in elems, copying
 * them when that frees much of the array. */
static void list_adopt_prefix(Value *ret, size_t n, size_t cap, Value **elems) {
        if (n > 0 && n < cap / 2) {
                value_set_list(ret, n);
                memcpy(ret->list.elems, elems, n * sizeof(Value *));
                return;
        }
        list_adopt(ret, n, elems);
}

/* Calls fn on one argument and forces the result to a Boolean. */
static int call_pred(EvalState *st, Value *fn, Value *arg, const Pos *pos, bool *ret) {
        Value res;
        Value *argv[1] = { arg };
        int r = eval_call(st, fn, 1, argv, &res, pos);
        if (r < 0)
                return r;
        return eval_force_bool(st, &res, pos, ret);
}

/* A set of Symbols with one uint32_t payload each: open addressing over a
 * power-of-two table sized for the number of insertions announced. Holds no
 * GC pointers, so it lives in malloc memory. */
typedef struct SymMap {
        uint32_t *keys; /* Symbol + 1; 0 = empty slot */
        uint32_t *vals;
        size_t mask;
} SymMap;

static void sym_map_init(SymMap *m, size_t max_entries) {
        size_t n = 16;
        while (n < max_entries * 2)
                n *= 2;
        m->keys = xcalloc(n, sizeof(uint32_t));
        m->vals = xmalloc(n * sizeof(uint32_t));
        m->mask = n - 1;
}

static void sym_map_done(SymMap *m) {
        free(m->keys);
        free(m->vals);
        m->keys = m->vals = NULL;
}

/* Returns the payload slot for sym; *ret_new tells whether sym was just
 * inserted (its payload is then uninitialised). */
static uint32_t *sym_map_upsert(SymMap *m, Symbol sym, bool *ret_new) {
        size_t j = ((uint32_t) sym * 2654435761u) & m->mask;
        while (m->keys[j] != 0) {
                if (m->keys[j] == sym + 1) {
                        *ret_new = false;
                        return &m->vals[j];
                }
                j = (j + 1) & m->mask;
        }
        m->keys[j] = sym + 1;
        *ret_new = true;
        return &m->vals[j];
}

static int prim_map(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0], *list = args[1];
        int r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size;
        Value **src = list->list.elems;
        if (n == 0) {
                value_set_list(ret, 0);
                return 0;
        }
        Value **elems = gc_alloc(n * sizeof(Value *));
        for (size_t i = 0; i < n; i++) {
                Value *app = value_new();
                value_set_app(app, fn, src[i]);
                elems[i] = app;
        }
        list_adopt(ret, n, elems);
        return 0;
}

static int prim_filter(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0], *list = args[1];
        int r = eval_force_function(st, fn, pos);
        if (r < 0)
                return r;
        r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size, k = 0;
        Value **src = list->list.elems;
        Value **kept = n ? gc_alloc(n * sizeof(Value *)) : NULL;
        for (size_t i = 0; i < n; i++) {
                bool b;
                r = call_pred(st, fn, src[i], pos, &b);
                if (r < 0)
                        return r;
                if (b)
                        kept[k++] = src[i];
        }
        if (k == n)
                *ret = *list;
        else
                list_adopt_prefix(ret, k, n, kept);
        return 0;
}

/* Nix 2.8 takes the index as a C int: larger integers wrap around. */
static int elem_at(EvalState *st, const Pos *pos, Value *list, int64_t index, Value *ret) {
        int n = (int32_t) (uint32_t) (uint64_t) index;
        int r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        if (n < 0 || (size_t) n >= list->list.size)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "list index %d is out of bounds", n);
        Value *v = list->list.elems[n];
        r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        *ret = *v;
        return 0;
}

static int prim_elemAt(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int64_t index;
        int r = eval_force_int(st, args[1], pos, &index);
        if (r < 0)
                return r;
        return elem_at(st, pos, args[0], index, ret);
}

static int prim_head(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return elem_at(st, pos, args[0], 0, ret);
}

static int prim_tail(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *list = args[0];
        int r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        if (list->list.size == 0)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "'tail' called on an empty list");
        /* A fresh array, as in Nix: sharing list->list.elems + 1 would be
         * O(1) but makes two tails of one list print as «repeated». */
        size_t n = list->list.size - 1;
        Value **elems = list->list.elems + 1;
        value_set_list(ret, n);
        if (n)
                memcpy(ret->list.elems, elems, n * sizeof(Value *));
        return 0;
}

static int prim_elem(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *x = args[0], *list = args[1];
        int r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        bool found = false;
        for (size_t i = 0; i < list->list.size && !found; i++) {
                r = eval_equal(st, x, list->list.elems[i], pos, &found);
                if (r < 0)
                        return r;
        }
        value_set_bool(ret, found);
        return 0;
}

static int prim_length(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force_list(st, args[0], pos);
        if (r < 0)
                return r;
        value_set_int(ret, (int64_t) args[0]->list.size);
        return 0;
}

/* Concatenates n forced lists. Like Nix, when only one of them is non-empty
 * the result is (a copy of) that list. */
static void concat_forced(Value **lists, size_t n, Value *ret) {
        size_t len = 0;
        Value *non_empty = NULL;
        for (size_t i = 0; i < n; i++) {
                len += lists[i]->list.size;
                if (lists[i]->list.size)
                        non_empty = lists[i];
        }
        if (non_empty && len == non_empty->list.size) {
                *ret = *non_empty;
                return;
        }
        if (len == 0) {
                value_set_list(ret, 0);
                return;
        }
        Value **out = gc_alloc(len * sizeof(Value *));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                if (lists[i]->list.size)
                        memcpy(out + k, lists[i]->list.elems, lists[i]->list.size * sizeof(Value *));
                k += lists[i]->list.size;
        }
        list_adopt(ret, len, out);
}

static int prim_concatLists(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *outer = args[0];
        int r = eval_force_list(st, outer, pos);
        if (r < 0)
                return r;
        for (size_t i = 0; i < outer->list.size; i++) {
                r = eval_force_list(st, outer->list.elems[i], pos);
                if (r < 0)
                        return r;
        }
        concat_forced(outer->list.elems, outer->list.size, ret);
        return 0;
}

static int prim_concatMap(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0], *list = args[1];
        int r = eval_force_function(st, fn, pos);
        if (r < 0)
                return r;
        r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size, len = 0;
        Value *results = n ? gc_alloc(n * sizeof(Value)) : NULL; /* scratch, never escapes */
        for (size_t i = 0; i < n; i++) {
                Value *argv[1] = { list->list.elems[i] };
                r = eval_call(st, fn, 1, argv, &results[i], pos);
                if (r < 0)
                        return r;
                /* Nix reports a non-list at the function's position. */
                r = eval_force_list(st, &results[i], fn->type == VT_LAMBDA ? &fn->lambda.fun->pos : pos);
                if (r < 0)
                        return eval_error_add_frame(st, pos, "while invoking '%s'", "concatMap");
                len += results[i].list.size;
        }
        if (len == 0) {
                value_set_list(ret, 0);
                return 0;
        }
        Value **out = gc_alloc(len * sizeof(Value *));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                if (results[i].list.size)
                        memcpy(out + k, results[i].list.elems, results[i].list.size * sizeof(Value *));
                k += results[i].list.size;
        }
        list_adopt(ret, len, out);
        return 0;
}

/* A fresh value per step (values are batch-allocated by value_new). */
typedef struct CellPool {
        int unused;
} CellPool;

static Value *cell_new(CellPool *p) {
        (void) p;
        return value_new();
}

static int prim_foldlStrict(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0], *nul = args[1], *list = args[2];
        int r = eval_force_function(st, fn, pos);
        if (r < 0)
                return r;
        r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size;
        Value **elems = list->list.elems;
        if (n == 0) {
                r = eval_force(st, nul, pos);
                if (r < 0)
                        return r;
                *ret = *nul;
                return 0;
        }
        CellPool pool = { 0 };
        Value *cur = nul;
        for (size_t i = 0; i < n; i++) {
                Value *argv[2] = { cur, elems[i] };
                Value *next = i == n - 1 ? ret : cell_new(&pool);
                r = eval_call(st, fn, 2, argv, next, pos);
                if (r < 0)
                        return r;
                r = eval_force(st, next, pos);
                if (r < 0)
                        return r;
                cur = next;
        }
        return 0;
}

static int any_or_all(bool any, EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0], *list = args[1];
        int r = eval_force_function(st, fn, pos);
        if (r < 0)
                return r;
        r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        for (size_t i = 0; i < list->list.size; i++) {
                bool b;
                r = call_pred(st, fn, list->list.elems[i], pos, &b);
                if (r < 0)
                        return r;
                if (b == any) {
                        value_set_bool(ret, any);
                        return 0;
                }
        }
        value_set_bool(ret, !any);
        return 0;
}

static int prim_any(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return any_or_all(true, st, pos, args, ret);
}

static int prim_all(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return any_or_all(false, st, pos, args, ret);
}

/* genList refuses sizes it could never allocate instead of aborting. */
#define MAX_LIST_SIZE ((int64_t) 1 << 32)

static int prim_genList(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0];
        int64_t len;
        int r = eval_force_int(st, args[1], pos, &len);
        if (r < 0)
                return r;
        if (len < 0 || len > MAX_LIST_SIZE)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "cannot create list of size %lld", (long long) len);
        size_t n = (size_t) len;
        if (n == 0) {
                value_set_list(ret, 0);
                return 0;
        }
        /* Per element: the application fn index, whose index value is
         * made only when the element is forced. */
        Value **elems = gc_alloc(n * sizeof(Value *));
        for (size_t i = 0; i < n; i++) {
                Value *app = value_new();
                app->type = VT_APP_INDEX;
                app->app_index.fn = fn;
                app->app_index.index = (int64_t) i;
                elems[i] = app;
        }
        list_adopt(ret, n, elems);
        return 0;
}

/* sort: a replica of libstdc++'s std::stable_sort (which Nix 2.8 calls) with
 * enough buffer, so a comparator that is not a strict weak ordering, or one
 * with side effects (trace) or errors, sees exactly the calls Nix makes and
 * the result is the same permutation. */
typedef struct SortCtx {
        EvalState *st;
        Value *fn;
        const Pos *pos;
        bool less_than; /* fn is builtins.lessThan: compare directly */
} SortCtx;

static int sort_less(SortCtx *c, Value *a, Value *b, bool *ret) {
        if (c->less_than) {
                if (a->type == VT_INT && b->type == VT_INT) {
                        *ret = a->integer < b->integer;
                        return 0;
                }
                return eval_less_than(c->st, a, b, NULL, ret); /* Nix: no position */
        }
        Value res;
        Value *argv[2] = { a, b };
        int r = eval_call(c->st, c->fn, 2, argv, &res, c->pos);
        if (r < 0)
                return r;
        return eval_force_bool(c->st, &res, c->pos, ret);
}

/* std::__insertion_sort followed by std::__unguarded_linear_insert. */
static int insertion_sort(SortCtx *c, Value **first, Value **last) {
        if (first == last)
                return 0;
        for (Value **i = first + 1; i != last; i++) {
                Value *val = *i;
                bool lt;
                int r = sort_less(c, val, *first, &lt);
                if (r < 0)
                        return r;
                if (lt) {
                        memmove(first + 1, first, (size_t) (i - first) * sizeof(Value *));
                        *first = val;
                        continue;
                }
                Value **hole = i, **next = i - 1;
                for (;;) {
                        r = sort_less(c, val, *next, &lt);
                        if (r < 0)
                                return r;
                        /* next == first: a deterministic comparator already said no. */
                        if (!lt || next == first)
                                break;
                        *hole = *next;
                        hole = next--;
                }
                *hole = val;
        }
        return 0;
}

/* std::__move_merge: merges [f1, l1) and [f2, l2) into out. */
static int move_merge(SortCtx *c, Value **f1, Value **l1, Value **f2, Value **l2, Value **out, Value ***ret_end) {
        while (f1 != l1 && f2 != l2) {
                bool lt;
                int r = sort_less(c, *f2, *f1, &lt);
                if (r < 0)
                        return r;
                *out++ = lt ? *f2++ : *f1++;
        }
        memmove(out, f1, (size_t) (l1 - f1) * sizeof(Value *));
        out += l1 - f1;
        memmove(out, f2, (size_t) (l2 - f2) * sizeof(Value *));
        out += l2 - f2;
        *ret_end = out;
        return 0;
}

/* std::__merge_sort_loop */
static int merge_sort_loop(SortCtx *c, Value **first, Value **last, Value **out, ptrdiff_t step) {
        ptrdiff_t two = 2 * step;
        int r;
        while (last - first >= two) {
                r = move_merge(c, first, first + step, first + step, first + two, out, &out);
                if (r < 0)
                        return r;
                first += two;
        }
        if (last - first < step)
                step = last - first;
        return move_merge(c, first, first + step, first + step, last, out, &out);
}

#define SORT_CHUNK 7

/* std::__merge_sort_with_buffer */
static int merge_sort_with_buffer(SortCtx *c, Value **first, Value **last, Value **buf) {
        ptrdiff_t len = last - first, step = SORT_CHUNK;
        int r;
        Value **f = first;
        while (last - f >= step) {
                r = insertion_sort(c, f, f + step);
                if (r < 0)
                        return r;
                f += step;
        }
        r = insertion_sort(c, f, last);
        if (r < 0)
                return r;
        while (step < len) {
                r = merge_sort_loop(c, first, last, buf, step);
                if (r < 0)
                        return r;
                step *= 2;
                r = merge_sort_loop(c, buf, buf + len, first, step);
                if (r < 0)
                        return r;
                step *= 2;
        }
        return 0;
}

/* std::__merge_adaptive when the buffer holds the shorter run. */
static int merge_adaptive(SortCtx *c, Value **first, Value **middle, Value **last, Value **buf) {
        ptrdiff_t len1 = middle - first, len2 = last - middle;
        int r;
        if (len1 <= len2) {
                /* std::__move_merge_adaptive, forwards. */
                memcpy(buf, first, (size_t) len1 * sizeof(Value *));
                Value **f1 = buf, **l1 = buf + len1, **f2 = middle, **out = first;
                while (f1 != l1 && f2 != last) {
                        bool lt;
                        r = sort_less(c, *f2, *f1, &lt);
                        if (r < 0)
                                return r;
                        *out++ = lt ? *f2++ : *f1++;
                }
                memcpy(out, f1, (size_t) (l1 - f1) * sizeof(Value *));
                return 0;
        }
        /* std::__move_merge_adaptive_backward. */
        memcpy(buf, middle, (size_t) len2 * sizeof(Value *));
        Value **f1 = first, **l1 = middle, **f2 = buf, **l2 = buf + len2, **out = last;
        if (f1 == l1) {
                memmove(out - (l2 - f2), f2, (size_t) (l2 - f2) * sizeof(Value *));
                return 0;
        }
        if (f2 == l2)
                return 0;
        l1--;
        l2--;
        for (;;) {
                bool lt;
                r = sort_less(c, *l2, *l1, &lt);
                if (r < 0)
                        return r;
                if (lt) {
                        *--out = *l1;
                        if (f1 == l1) {
                                l2++;
                                memmove(out - (l2 - f2), f2, (size_t) (l2 - f2) * sizeof(Value *));
                                return 0;
                        }
                        l1--;
                } else {
                        *--out = *l2;
                        if (f2 == l2)
                                return 0;
                        l2--;
                }
        }
}

static int stable_sort(SortCtx *c, Value **elems, size_t n) {
        if (n == 0)
                return 0;
        size_t half = (n + 1) / 2;
        Value **buf = gc_alloc(half * sizeof(Value *));
        Value **middle = elems + half, **last = elems + n;
        int r = merge_sort_with_buffer(c, elems, middle, buf);
        if (r < 0)
                return r;
        r = merge_sort_with_buffer(c, middle, last, buf);
        if (r < 0)
                return r;
        return merge_adaptive(c, elems, middle, last, buf);
}

static int prim_sort(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0], *list = args[1];
        int r = eval_force_function(st, fn, pos);
        if (r < 0)
                return r;
        r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size;
        if (n == 0) {
                value_set_list(ret, 0);
                return 0;
        }
        Value **elems = gc_alloc(n * sizeof(Value *));
        for (size_t i = 0; i < n; i++) {
                r = eval_force(st, list->list.elems[i], pos);
                if (r < 0)
                        return r;
                elems[i] = list->list.elems[i];
        }
        SortCtx c = {
                .st = st,
                .fn = fn,
                .pos = pos,
                .less_than = fn->type == VT_PRIMOP && strcmp(fn->primop->name, "lessThan") == 0,
        };
        r = stable_sort(&c, elems, n);
        if (r < 0)
                return r;
        list_adopt(ret, n, elems);
        return 0;
}

static int prim_partition(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0], *list = args[1];
        int r = eval_force_function(st, fn, pos);
        if (r < 0)
                return r;
        r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size, n_right = 0;
        Value **src = list->list.elems;
        bool *verdict = n ? gc_alloc_atomic(n * sizeof(bool)) : NULL;
        for (size_t i = 0; i < n; i++) {
                r = eval_force(st, src[i], pos);
                if (r < 0)
                        return r;
                r = call_pred(st, fn, src[i], pos, &verdict[i]);
                if (r < 0)
                        return r;
                n_right += verdict[i];
        }
        Value **lists = values_alloc_each(2);
        Value *right = lists[0], *wrong = lists[1];
        value_set_list(right, n_right);
        value_set_list(wrong, n - n_right);
        for (size_t i = 0, kr = 0, kw = 0; i < n; i++) {
                if (verdict[i])
                        right->list.elems[kr++] = src[i];
                else
                        wrong->list.elems[kw++] = src[i];
        }
        const EvalSymbols *sy = eval_symbols(st);
        Bindings *b = bindings_new(2);
        bindings_push(b, sy->right, right, NULL);
        bindings_push(b, sy->wrong, wrong, NULL);
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

static int prim_groupBy(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *fn = args[0], *list = args[1];
        int r = eval_force_function(st, fn, pos);
        if (r < 0)
                return r;
        r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size;
        Value **src = list->list.elems;
        if (n == 0) {
                value_set_attrs(ret, bindings_new(0));
                return 0;
        }

        /* First pass: each element's group, and each group's size. */
        _cleanup_(sym_map_done) SymMap groups = { 0 };
        sym_map_init(&groups, n);
        _cleanup_free_ uint32_t *group_of = xmalloc(n * sizeof(uint32_t));
        _cleanup_free_ uint32_t *group_size = xmalloc(n * sizeof(uint32_t));
        _cleanup_free_ Symbol *group_sym = xmalloc(n * sizeof(Symbol));
        uint32_t n_groups = 0;
        for (size_t i = 0; i < n; i++) {
                Value res;
                Value *argv[1] = { src[i] };
                r = eval_call(st, fn, 1, argv, &res, pos);
                if (r < 0)
                        return r;
                const char *name;
                r = eval_force_string_no_context(st, &res, pos, &name);
                if (r < 0)
                        return r;
                Symbol sym = symbol_intern_str(name);
                bool is_new;
                uint32_t *g = sym_map_upsert(&groups, sym, &is_new);
                if (is_new) {
                        *g = n_groups++;
                        group_sym[*g] = sym;
                        group_size[*g] = 0;
                }
                group_of[i] = *g;
                group_size[*g]++;
        }

        /* Second pass: fill the lists in element order. */
        Value **lists = values_alloc_each(n_groups);
        _cleanup_free_ uint32_t *filled = xcalloc(n_groups, sizeof(uint32_t));
        Bindings *b = bindings_new(n_groups);
        for (uint32_t g = 0; g < n_groups; g++) {
                value_set_list(lists[g], group_size[g]);
                bindings_push(b, group_sym[g], lists[g], NULL);
        }
        for (size_t i = 0; i < n; i++) {
                uint32_t g = group_of[i];
                lists[g]->list.elems[filled[g]++] = src[i];
        }
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

/* Finds attribute sym of a forced set for builtin fn, as Nix's getAttr helper
 * in primops.cc does. */
static int get_attr_for(EvalState *st, const char *fn, Symbol sym, Value *set, const Pos *pos, Attr **ret) {
        Attr *a = eval_get_attr(set, sym);
        if (!a)
                return eval_error(st, EVAL_ERROR_TYPE, pos, "attribute '%s' missing for call to '%s'",
                                  symbol_str(sym), fn);
        *ret = a;
        return 0;
}

static int prim_listToAttrs(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Value *list = args[0];
        int r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size;
        if (n == 0) {
                value_set_attrs(ret, bindings_new(0));
                return 0;
        }
        const EvalSymbols *sy = eval_symbols(st);
        Bindings *b = bindings_new(n);
        /* The first occurrence of a name wins; later ones are not looked at
         * beyond their name (Nix does not even ask for their `value`). */
        _cleanup_(sym_map_done) SymMap seen = { 0 };
        sym_map_init(&seen, n);
        for (size_t i = 0; i < n; i++) {
                Value *item = list->list.elems[i];
                r = eval_force_attrs(st, item, pos);
                if (r < 0)
                        return r;
                Attr *name_attr = NULL, *value_attr = NULL;
                r = get_attr_for(st, "listToAttrs", sy->name, item, pos, &name_attr);
                if (r < 0)
                        return r;
                const char *name;
                r = eval_force_string_no_context(st, name_attr->value, name_attr->pos ? name_attr->pos : pos, &name);
                if (r < 0)
                        return r;
                Symbol sym = symbol_intern_str(name);
                bool is_new;
                (void) sym_map_upsert(&seen, sym, &is_new);
                if (!is_new)
                        continue;
                r = get_attr_for(st, "listToAttrs", sy->value, item, pos, &value_attr);
                if (r < 0)
                        return r;
                bindings_push(b, sym, value_attr->value, value_attr->pos);
        }
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

static int prim_catAttrs(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *name;
        int r = eval_force_string_no_context(st, args[0], pos, &name);
        if (r < 0)
                return r;
        Symbol sym = symbol_intern_str(name);
        Value *list = args[1];
        r = eval_force_list(st, list, pos);
        if (r < 0)
                return r;
        size_t n = list->list.size, k = 0;
        Value **found = n ? gc_alloc(n * sizeof(Value *)) : NULL;
        for (size_t i = 0; i < n; i++) {
                Value *item = list->list.elems[i];
                r = eval_force_attrs(st, item, pos);
                if (r < 0)
                        return r;
                Attr *a = eval_get_attr(item, sym);
                if (a)
                        found[k++] = a->value;
        }
        list_adopt_prefix(ret, k, n, found);
        return 0;
}

const PrimOp builtins_lists[] = {
        { .name = "map", .arity = 2, .global = true, .args = { "f", "list" },
          .doc = "Apply the function f to each element of list (lazily).", .fn = prim_map },
        { .name = "filter", .arity = 2, .args = { "f", "list" },
          .doc = "Return the elements of list for which f returns true.", .fn = prim_filter },
        { .name = "head", .arity = 1, .args = { "list" },
          .doc = "Return the first element of a non-empty list.", .fn = prim_head },
        { .name = "tail", .arity = 1, .args = { "list" },
          .doc = "Return all but the first element of a non-empty list.", .fn = prim_tail },
        { .name = "elemAt", .arity = 2, .args = { "xs", "n" },
          .doc = "Return element n of the list xs, counting from 0.", .fn = prim_elemAt },
        { .name = "elem", .arity = 2, .args = { "x", "xs" },
          .doc = "Return true if a value equal to x occurs in the list xs.", .fn = prim_elem },
        { .name = "length", .arity = 1, .args = { "e" },
          .doc = "Return the length of the list e.", .fn = prim_length },
        { .name = "concatLists", .arity = 1, .args = { "lists" },
          .doc = "Concatenate a list of lists into a single list.", .fn = prim_concatLists },
        { .name = "concatMap", .arity = 2, .args = { "f", "list" },
          .doc = "Equivalent to concatLists (map f list), but faster.", .fn = prim_concatMap },
        { .name = "foldl'", .arity = 3, .args = { "op", "nul", "list" },
          .doc = "Reduce list from the left with op, forcing each intermediate result.",
          .fn = prim_foldlStrict },
        { .name = "genList", .arity = 2, .args = { "generator", "length" },
          .doc = "Return the list [ (generator 0) ... (generator (length - 1)) ], lazily.",
          .fn = prim_genList },
        { .name = "sort", .arity = 2, .args = { "comparator", "list" },
          .doc = "Sort list stably with comparator, a strict less-than.", .fn = prim_sort },
        { .name = "partition", .arity = 2, .args = { "pred", "list" },
          .doc = "Split list into { right; wrong; } by the predicate pred.", .fn = prim_partition },
        { .name = "groupBy", .arity = 2, .args = { "f", "list" },
          .doc = "Group the elements of list by the string f returns for each.", .fn = prim_groupBy },
        { .name = "any", .arity = 2, .args = { "pred", "list" },
          .doc = "Return true if pred returns true for at least one element of list.", .fn = prim_any },
        { .name = "all", .arity = 2, .args = { "pred", "list" },
          .doc = "Return true if pred returns true for every element of list.", .fn = prim_all },
        { .name = "listToAttrs", .arity = 1, .args = { "e" },
          .doc = "Build a set from a list of { name; value; } sets; the first name wins.",
          .fn = prim_listToAttrs },
        { .name = "catAttrs", .arity = 2, .args = { "attr", "list" },
          .doc = "Collect the attribute attr of each set in list that has it.", .fn = prim_catAttrs },
        { .name = NULL },
};
