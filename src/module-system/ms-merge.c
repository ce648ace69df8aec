/* Definitions: pushed down the option tree one level at a time (so a
 * subtree's definitions are only looked at when something reads it), then,
 * at an option, discharged (mkMerge, mkIf), filtered by priority, ordered,
 * checked against the type and merged. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ms-internal.h"

static int force_int_attr(EvalState *st, Value *set, Symbol name, int64_t *ret) {
        Attr *a = bindings_find(set->attrs, name);
        if (!a)
                return ms_error(st, NULL, "a property set (mkOverride or mkOrder) lacks `%s'", symbol_str(name));
        return eval_force_int(st, a->value, a->pos, ret);
}

static Value *attr_or_null(Value *set, Symbol name) {
        Attr *a = bindings_find(set->attrs, name);
        return a ? a->value : NULL;
}

static int cond_true(EvalState *st, const Loc *loc, const Def *d, Value *cond, bool *ret) {
        int r = eval_force(st, cond, NULL);
        if (r < 0)
                return eval_error_add_frame(st, NULL, "while evaluating the mkIf condition of a definition of `%s' in `%s'",
                                            loc_show(loc), ms_def_where(d));
        if (cond->type != VT_BOOL)
                return ms_error(st, NULL,
                                "mkIf called with a non-Boolean condition: the definition of `%s' in `%s' is "
                                "guarded by %s",
                                loc_show(loc), ms_def_where(d), value_show_type(cond));
        *ret = cond->boolean;
        return 0;
}

/* ---- splitting a subtree's definitions among its children ---- */

static void add_unmatched(MsEval *ms, const Loc *loc, const Def *d) {
        ms->unmatched = ms_grow(ms->unmatched, ms->n_unmatched, &ms->cap_unmatched, sizeof(UnmatchedDef), 8);
        ms->unmatched[ms->n_unmatched++] = (UnmatchedDef) { loc, *d };
}

static bool reserved_shorthand(Symbol s) {
        return s == ms_sym._class || s == ms_sym._file || s == ms_sym.key || s == ms_sym.disabledModules ||
               s == ms_sym.require || s == ms_sym.imports || s == ms_sym.freeformType;
}

static int push_attrs(MsEval *ms, Node *n, const Def *d, bool shorthand) {
        Value *v = d->value;
        for (uint32_t i = 0; i < v->attrs->size; i++) {
                Attr *a = &v->attrs->attrs[i];
                if (shorthand && reserved_shorthand(a->name))
                        continue;
                Def cd = *d;
                cd.value = a->value;
                if (a->pos)
                        cd.pos = a->pos;
                Node *c = node_child(ms, n, a->name);
                if (c)
                        defvec_push(&c->defs, &cd);
                else
                        add_unmatched(ms, loc_push(n->loc, symbol_str(a->name)), &cd);
        }
        return 0;
}

static int push_down(MsEval *ms, Node *n, const Def *d, unsigned depth) {
        EvalState *st = ms->st;
        if (depth > 1000)
                return ms_error(st, NULL, "The definitions of `%s' in `%s' nest mkMerge/mkIf too deeply",
                                loc_show(n->loc), d->file);
        int r = eval_force(st, d->value, NULL);
        if (r < 0)
                return eval_error_add_frame(st, NULL, "while evaluating the definitions of `%s' in `%s'",
                                            n->loc ? loc_show(n->loc) : "config", ms_def_where(d));
        Value *v = d->value;
        if (v->type != VT_ATTRS) {
                StrBuf sb = STRBUF_INIT;
                ms_show_value(st, v, &sb);
                r = ms_error(st, NULL,
                             "The option path `%s' is a set of options, but `%s' defines it as %s: %s",
                             n->loc ? loc_show(n->loc) : "config", ms_def_where(d), value_show_type(v), sb.buf);
                strbuf_release(&sb);
                return r;
        }
        const char *tag = ms_type_tag(st, v);
        if (!tag)
                return push_attrs(ms, n, d, false);
        Def cd = *d;
        if (strcmp(tag, "merge") == 0) {
                Attr *a = bindings_find(v->attrs, ms_sym.contents);
                if (!a)
                        return ms_error(st, NULL, "mkMerge without contents in `%s'", d->file);
                if ((r = eval_force_list(st, a->value, a->pos)) < 0)
                        return eval_error_add_frame(st, NULL, "while evaluating mkMerge's argument in `%s'",
                                                    ms_def_where(d));
                for (size_t i = 0; i < a->value->list.size; i++) {
                        cd.value = a->value->list.elems[i];
                        if ((r = push_down(ms, n, &cd, depth + 1)) < 0)
                                return r;
                }
                return 0;
        }
        if (strcmp(tag, "if") == 0) {
                CondList *c = gc_alloc_small(sizeof(CondList));
                c->cond = attr_or_null(v, ms_sym.condition);
                c->next = d->conds;
                cd.conds = c;
                cd.value = attr_or_null(v, ms_sym.content);
                if (!c->cond || !cd.value)
                        return ms_error(st, NULL, "malformed mkIf in `%s'", d->file);
                return push_down(ms, n, &cd, depth + 1);
        }
        if (strcmp(tag, "override") == 0 || strcmp(tag, "order") == 0) {
                bool over = tag[1] == 'v';
                int64_t p;
                if ((r = force_int_attr(st, v, ms_sym.priority, &p)) < 0)
                        return r;
                if (over && cd.prio < 0)
                        cd.prio = (int32_t) p;
                else if (!over && cd.order < 0)
                        cd.order = (int32_t) p;
                cd.value = attr_or_null(v, ms_sym.content);
                if (!cd.value)
                        return ms_error(st, NULL, "malformed mkOverride/mkOrder in `%s'", d->file);
                return push_down(ms, n, &cd, depth + 1);
        }
        return ms_error(st, NULL,
                        "The definition of `%s' in `%s' is a `%s' value where a set of definitions was expected%s",
                        n->loc ? loc_show(n->loc) : "config", ms_def_where(d), tag,
                        strcmp(tag, "option") == 0 ? "; option declarations (lib.mkOption) belong under `options'"
                                                   : "");
}

int node_split(MsEval *ms, Node *n) {
        if (n->split)
                return 0;
        EvalState *st = ms->st;
        int r = 0;
        if (n->parent && (r = node_split(ms, n->parent)) < 0)
                return r;
        if (n->split)
                return 0;
        if ((r = node_declare(ms, n)) < 0)
                return r;
        if (n->is_option && n != ms->root)
                return 0;
        if (n->splitting)
                return ms_error(st, NULL,
                                "infinite recursion: which options the modules define under `%s' depends on the "
                                "value of an option there (use lib.mkIf rather than `if' or lib.optionalAttrs on "
                                "`config' to define options conditionally)",
                                n->loc ? loc_show(n->loc) : "config");
        n->splitting = true;
        if (n == ms->root) {
                for (size_t i = 0; i < ms->n_modules && r >= 0; i++) {
                        Module *m = ms->modules[i];
                        Def d = { .value = m->config, .file = m->file, .prio = -1, .order = -1 };
                        if (m->freeform_type) {
                                Node *mod = node_child(ms, n, ms_sym._module);
                                Symbol name = ms_sym.freeformType;
                                Def fd = d;
                                fd.value = ms_attrs(1, &name, &m->freeform_type);
                                fd.pos = m->freeform_pos;
                                if (mod)
                                        defvec_push(&mod->defs, &fd);
                        }
                        if (!m->config)
                                continue;
                        if (m->shorthand)
                                r = push_attrs(ms, n, &d, true);
                        else
                                r = push_down(ms, n, &d, 0);
                }
        } else
                for (size_t i = 0; i < n->defs.n && r >= 0; i++)
                        r = push_down(ms, n, &n->defs.v[i], 0);
        n->splitting = false;
        if (r < 0)
                return r;
        n->split = true;
        return 0;
}

/* ---- discharging and merging ---- */

static int discharge(EvalState *st, const Loc *loc, Def d, bool stop_at_override, DefVec *out, unsigned depth) {
        if (depth > 1000)
                return ms_error(st, NULL, "The definition of `%s' in `%s' nests mkMerge/mkIf too deeply", loc_show(loc),
                                d.file);
        ms_stack_set_def(&d);
        int r = eval_force(st, d.value, NULL);
        if (r < 0)
                return eval_error_add_frame(st, NULL, "while evaluating the definition of `%s' in `%s'", loc_show(loc),
                                            ms_def_where(&d));
        const char *tag = d.value->type == VT_ATTRS ? ms_type_tag(st, d.value) : NULL;
        if (!tag) {
                d.pending = false;
                defvec_push(out, &d);
                return 0;
        }
        Value *v = d.value;
        if (strcmp(tag, "merge") == 0) {
                Attr *a = bindings_find(v->attrs, ms_sym.contents);
                if (!a)
                        return ms_error(st, NULL, "mkMerge without contents in `%s'", d.file);
                if ((r = eval_force_list(st, a->value, a->pos)) < 0)
                        return r;
                for (size_t i = 0; i < a->value->list.size; i++) {
                        Def cd = d;
                        cd.value = a->value->list.elems[i];
                        if ((r = discharge(st, loc, cd, stop_at_override, out, depth + 1)) < 0)
                                return r;
                }
                return 0;
        }
        if (strcmp(tag, "if") == 0) {
                Value *cond = attr_or_null(v, ms_sym.condition), *content = attr_or_null(v, ms_sym.content);
                if (!cond || !content)
                        return ms_error(st, NULL, "malformed mkIf in `%s'", d.file);
                bool yes;
                if ((r = cond_true(st, loc, &d, cond, &yes)) < 0)
                        return r;
                if (!yes)
                        return 0;
                d.value = content;
                return discharge(st, loc, d, stop_at_override, out, depth + 1);
        }
        if (strcmp(tag, "override") == 0 || strcmp(tag, "order") == 0) {
                bool over = tag[1] == 'v';
                int64_t p;
                if ((r = force_int_attr(st, v, ms_sym.priority, &p)) < 0)
                        return r;
                Value *content = attr_or_null(v, ms_sym.content);
                if (!content)
                        return ms_error(st, NULL, "malformed mkOverride/mkOrder in `%s'", d.file);
                d.value = content;
                if (over && d.prio < 0) {
                        d.prio = (int32_t) p;
                        if (stop_at_override) {
                                /* Its content waits until the priority is known to win. */
                                d.pending = true;
                                defvec_push(out, &d);
                                return 0;
                        }
                } else if (!over && d.order < 0)
                        d.order = (int32_t) p;
                return discharge(st, loc, d, stop_at_override, out, depth + 1);
        }
        d.pending = false;
        defvec_push(out, &d);
        return 0;
}

static int32_t prio_of(const Def *d) {
        return d->prio < 0 ? MS_PRIO_PLAIN : d->prio;
}

static int32_t order_of(const Def *d) {
        return d->order < 0 ? MS_ORDER_DEFAULT : d->order;
}

static int prim_merged_value(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return ms_merged_force(st, args[0]->external.ptr, ret);
}

static const PrimOp prim_merged_value_op = {
        .name = "mergedValue", .arity = 1, .args = { "merged" }, .fn = prim_merged_value
};

int ms_merge_definitions(EvalState *st, const Loc *loc, Value *type, const Def *defs, size_t n,
                         Merged **ret) {
        DefVec first = { 0 };
        int r;
        for (size_t i = 0; i < n; i++) {
                bool keep = true;
                for (const CondList *c = defs[i].conds; c && keep; c = c->next) {
                        ms_stack_set_def(&defs[i]);
                        if ((r = cond_true(st, loc, &defs[i], c->cond, &keep)) < 0)
                                return r;
                }
                if (!keep)
                        continue;
                Def d = defs[i];
                d.conds = NULL;
                if (d.pending) {
                        /* An option's default: only looked at if it wins. */
                        defvec_push(&first, &d);
                        continue;
                }
                if ((r = discharge(st, loc, d, true, &first, 0)) < 0)
                        return r;
        }
        int32_t best = INT32_MAX;
        for (size_t i = 0; i < first.n; i++)
                if (prio_of(&first.v[i]) < best)
                        best = prio_of(&first.v[i]);
        DefVec final = { 0 };
        for (size_t i = 0; i < first.n; i++) {
                if (prio_of(&first.v[i]) != best)
                        continue;
                if (first.v[i].pending) {
                        if ((r = discharge(st, loc, first.v[i], false, &final, 0)) < 0)
                                return r;
                } else
                        defvec_push(&final, &first.v[i]);
        }
        /* Stable sort by order: insertion sort, lists are short. */
        for (size_t i = 1; i < final.n; i++) {
                Def x = final.v[i];
                size_t j = i;
                while (j > 0 && order_of(&final.v[j - 1]) > order_of(&x)) {
                        final.v[j] = final.v[j - 1];
                        j--;
                }
                final.v[j] = x;
        }
        Merged *m = gc_alloc(sizeof(Merged));
        m->loc = loc;
        m->type = type;
        m->defs = final.v;
        m->n_defs = final.n;
        m->highest_prio = final.n ? best : 9999;
        if (final.n)
                m->value = ms_app(ms_primop(&prim_merged_value_op, 0, NULL), ms_external("merged", m));
        *ret = m;
        return 0;
}

int ms_merged_force(EvalState *st, Merged *m, Value *ret) {
        int r;
        if (!m->n_defs)
                return ms_error(st, NULL, "The option `%s' is used but not defined.", loc_show(m->loc));
        if (m->type) {
                size_t n_bad = 0;
                Def *bad = NULL;
                for (size_t i = 0; i < m->n_defs; i++) {
                        ms_stack_set_def(&m->defs[i]);
                        r = ms_type_check(st, m->type, m->defs[i].value);
                        if (r < 0)
                                return eval_error_add_frame(st, NULL, "while checking the definition of `%s' in `%s'",
                                                            loc_show(m->loc), ms_def_where(&m->defs[i]));
                        if (r == 0) {
                                if (!bad)
                                        bad = gc_alloc(sizeof(Def) * m->n_defs);
                                bad[n_bad++] = m->defs[i];
                        }
                }
                if (n_bad) {
                        StrBuf sb = STRBUF_INIT;
                        ms_show_defs(st, bad, n_bad, &sb);
                        r = ms_error(st, NULL, "A definition for option `%s' is not of type `%s'. Definition values:%s",
                                     loc_show(m->loc), ms_type_description(st, m->type), sb.buf);
                        strbuf_release(&sb);
                        return r;
                }
        }
        return ms_type_merge(st, m->loc, m->type, m->defs, m->n_defs, ret);
}

int node_merged(MsEval *ms, Node *n, Merged **ret) {
        if (n->merged) {
                *ret = n->merged;
                return 0;
        }
        EvalState *st = ms->st;
        int r;
        if ((r = node_split(ms, n->parent)) < 0 || (r = node_declare(ms, n)) < 0)
                return r;
        DefVec defs = n->defs;
        if (n->read_only && defs.n > 1) {
                StrBuf sb = STRBUF_INIT;
                ms_show_defs(st, defs.v, defs.n, &sb);
                r = ms_error(st, NULL, "The option `%s' is read-only, but it's set multiple times. Definition values:%s",
                             loc_show(n->loc), sb.buf);
                strbuf_release(&sb);
                return r;
        }
        if (n->default_value) {
                DefVec with = { 0 };
                for (size_t i = 0; i < defs.n; i++)
                        defvec_push(&with, &defs.v[i]);
                Def d = { .value = n->default_value, .file = n->default_file, .pos = n->decl_pos[0],
                          .prio = MS_PRIO_OPTION_DEFAULT, .order = -1, .pending = true };
                defvec_push(&with, &d);
                defs = with;
        }
        ms_stack_push(n, NULL);
        Merged *m;
        r = ms_merge_definitions(st, n->loc, n->type, defs.v, defs.n, &m);
        if (r < 0) {
                ms_note_recursion(st, n);
                ms_stack_pop();
                return r;
        }
        ms_stack_pop();
        n->merged = m;
        *ret = m;
        return 0;
}
