/* evalModules: the lazy `config` fixpoint over the option tree, freeform
 * definitions, the check for definitions of undeclared options, and the
 * report of cycles between options. */
#include <inttypes.h>
#include <string.h>

#include "ms-internal.h"

/* ---- the stack of options being merged, for cycle reports ---- */

typedef struct StackEntry {
        Node *node;
        Def def; /* the definition being evaluated; file NULL when none yet */
} StackEntry;

#define stack ((StackEntry *) ms_roots.merge_stack)
static size_t stack_n, stack_cap;

void ms_stack_push(Node *n, const Def *d) {
        ms_roots.merge_stack = ms_grow(ms_roots.merge_stack, stack_n, &stack_cap, sizeof(StackEntry), 64);
        stack[stack_n].node = n;
        if (d)
                stack[stack_n].def = *d;
        else
                stack[stack_n].def.file = NULL;
        stack_n++;
}

void ms_stack_set_def(const Def *d) {
        if (stack_n)
                stack[stack_n - 1].def = *d;
}

void ms_stack_pop(void) {
        if (stack_n)
                stack_n--;
}

/* Called while an error unwinds out of node n's merge: if it is an infinite
 * recursion through options on the stack, the message becomes the chain of
 * options, each with the definition that reads the next. */
void ms_note_recursion(EvalState *st, Node *n) {
        const EvalError *e = eval_state_error(st);
        if (e->kind != EVAL_ERROR_INFINITE_RECURSION || !e->message ||
            strncmp(e->message, "infinite recursion encountered", 30) != 0)
                return;
        Value *again = eval_error_recursion_value(st);
        if (!again)
                return;
        size_t from = stack_n;
        for (size_t i = 0; i < stack_n; i++)
                if (stack[i].node->config_cell == again) {
                        from = i;
                        break;
                }
        if (from == stack_n)
                return;
        StrBuf sb = STRBUF_INIT;
        strbuf_adds(&sb, "infinite recursion: ");
        for (size_t i = from; i < stack_n; i++) {
                strbuf_addf(&sb, "`%s`", loc_show(stack[i].node->loc));
                if (stack[i].def.file)
                        strbuf_addf(&sb, " (%s)", ms_def_where(&stack[i].def));
                strbuf_adds(&sb, " → ");
        }
        strbuf_addf(&sb, "`%s`", loc_show(stack[from].node->loc));
        eval_error_set_message(st, sb.buf);
        strbuf_release(&sb);
        (void) n;
}

/* ---- config values ---- */

static int imports_read_config(MsEval *ms) {
        return ms_error(ms->st, NULL,
                        "The `imports' of the module `%s' depend on `config': imports are collected before any "
                        "option has a value, so they may depend only on specialArgs (pass what decides the "
                        "imports through evalModules' specialArgs, or use lib.mkIf in the imported modules)",
                        ms->collecting_file ? ms->collecting_file : "<unknown>");
}

static int prim_undefined(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Node *n = args[0]->external.ptr;
        return ms_error(st, NULL, "The option `%s' is used but not defined.", loc_show(n->loc));
}

static const PrimOp prim_undefined_op = {
        .name = "undefinedOption", .arity = 1, .args = { "option" }, .fn = prim_undefined
};

static int prim_option_config(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Node *n = args[0]->external.ptr;
        MsEval *ms = n->ms;
        if (ms->collecting)
                return imports_read_config(ms);
        Merged *m;
        int r = node_merged(ms, n, &m);
        if (r < 0)
                return r;
        if (n->apply) {
                /* apply gets the merged value lazily, as in nixpkgs: an alias
                 * ignores it and may be read with nothing defined. */
                Value *arg = m->value ? m->value
                                      : ms_app(ms_primop(&prim_undefined_op, 0, NULL), ms_external("option", n));
                ms_stack_push(n, m->n_defs ? &m->defs[0] : NULL);
                r = eval_call(st, n->apply, 1, &arg, ret, NULL);
                if (r < 0) {
                        ms_note_recursion(st, n);
                        ms_stack_pop();
                        return eval_error_add_frame(st, NULL, "while applying `apply' of the option `%s'",
                                                    loc_show(n->loc));
                }
                ms_stack_pop();
                return 0;
        }
        if (!m->value)
                return prim_undefined(st, pos, args, ret);
        ms_stack_push(n, m->n_defs ? &m->defs[0] : NULL);
        r = eval_force(st, m->value, NULL);
        if (r < 0) {
                ms_note_recursion(st, n);
                ms_stack_pop();
                return r;
        }
        ms_stack_pop();
        *ret = *m->value;
        return 0;
}


static int split_all(MsEval *ms, Node *n) {
        int r = node_declare(ms, n);
        if (r < 0)
                return r;
        if (n->is_option && n != ms->root)
                return 0;
        r = node_split(ms, n);
        if (r < 0)
                return r;
        for (uint32_t i = 0; i < n->n_children; i++)
                if ((r = split_all(ms, n->children[i])) < 0)
                        return r;
        return 0;
}

/* config.A.B when it is a declared option, else NULL (or an error). */
static int config_at(MsEval *ms, Symbol a, Symbol b, Value **ret) {
        *ret = NULL;
        int r = node_declare(ms, ms->root);
        if (r < 0)
                return r;
        Node *x = node_child(ms, ms->root, a);
        if (!x || (r = node_declare(ms, x)) < 0)
                return r;
        Node *y = node_child(ms, x, b);
        if (!y || (r = node_declare(ms, y)) < 0)
                return r;
        if (y->is_option)
                *ret = node_config_value(ms, y);
        return 0;
}

/* A definition's properties, wrapped back around its value as sets, for
 * definitions re-targeted at the freeform type. */
static Value *rewrap(const Def *d) {
        Value *v = d->value;
        if (d->order >= 0) {
                Symbol names[] = { ms_sym._type, ms_sym.priority, ms_sym.content };
                Value *vals[] = { ms_string("order"), ms_int(d->order), v };
                v = ms_attrs(3, names, vals);
        }
        if (d->prio >= 0) {
                Symbol names[] = { ms_sym._type, ms_sym.priority, ms_sym.content };
                Value *vals[] = { ms_string("override"), ms_int(d->prio), v };
                v = ms_attrs(3, names, vals);
        }
        for (const CondList *c = d->conds; c; c = c->next) {
                Symbol names[] = { ms_sym._type, ms_sym.condition, ms_sym.content };
                Value *vals[] = { ms_string("if"), c->cond, v };
                v = ms_attrs(3, names, vals);
        }
        return v;
}

/* The freeform part of the root: every definition no option takes, merged
 * with the freeform type. Returns NULL in *ret when there is no freeform
 * type. */
static int freeform_value(MsEval *ms, Value **ret) {
        EvalState *st = ms->st;
        *ret = NULL;
        Value *ft;
        int r = config_at(ms, ms_sym._module, ms_sym.freeformType, &ft);
        if (r < 0 || !ft)
                return r;
        r = eval_force(st, ft, NULL);
        if (r < 0)
                return r;
        if (ft->type == VT_NULL)
                return 0;
        if ((r = split_all(ms, ms->root)) < 0)
                return r;
        DefVec defs = { 0 };
        size_t depth0 = 0;
        for (const Loc *l = ms->prefix; l; l = l->up)
                depth0++;
        for (size_t i = 0; i < ms->n_unmatched; i++) {
                const UnmatchedDef *u = &ms->unmatched[i];
                Def d = u->def;
                Value *v = rewrap(&d);
                for (const Loc *l = u->loc; l; l = l->up) {
                        size_t depth = 0;
                        for (const Loc *k = l; k; k = k->up)
                                depth++;
                        if (depth <= depth0)
                                break;
                        Symbol name = symbol_intern_str(l->name);
                        v = ms_attrs(1, &name, &v);
                }
                d.value = v;
                d.conds = NULL;
                d.prio = d.order = -1;
                defvec_push(&defs, &d);
        }
        Merged *m;
        if ((r = ms_merge_definitions(st, ms->prefix, ft, defs.v, defs.n, &m)) < 0)
                return r;
        if (!m->value) {
                Value *empty = value_new();
                value_set_attrs(empty, bindings_new(0));
                *ret = empty;
                return 0;
        }
        if ((r = eval_force_attrs(st, m->value, NULL)) < 0)
                return r;
        *ret = m->value;
        return 0;
}

static int prim_config_node(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Node *n = args[0]->external.ptr;
        MsEval *ms = n->ms;
        if (ms->collecting)
                return imports_read_config(ms);
        Value *ff = NULL;
        int r = node_declare(ms, n);
        if (r < 0)
                return r;
        if (n->is_option && n != ms->root)
                return prim_option_config(st, pos, args, ret);
        if (n == ms->root && (r = freeform_value(ms, &ff)) < 0)
                return r;
        Bindings *b = bindings_new(n->n_children + (ff ? ff->attrs->size : 0));
        for (uint32_t i = 0; i < n->n_children; i++)
                bindings_push(b, n->children[i]->name, node_config_value(ms, n->children[i]), NULL);
        if (ff)
                for (uint32_t i = 0; i < ff->attrs->size; i++)
                        if (!node_child(ms, n, ff->attrs->attrs[i].name))
                                bindings_push(b, ff->attrs->attrs[i].name, ff->attrs->attrs[i].value,
                                              ff->attrs->attrs[i].pos);
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

static const PrimOp prim_config_node_op = {
        .name = "configNode", .arity = 1, .args = { "node" }, .fn = prim_config_node
};

Value *node_config_value(MsEval *ms, Node *n) {
        if (!n->config_cell)
                n->config_cell = ms_app(ms_primop(&prim_config_node_op, 0, NULL), ms_external("config-node", n));
        return n->config_cell;
}

/* ---- the checked config ---- */

static void collect_paths(Node *n, const char ***names, size_t *len, size_t *cap) {
        for (uint32_t i = 0; i < n->n_children; i++) {
                Node *c = n->children[i];
                if (*len == *cap) {
                        *cap = *cap ? *cap * 2 : 64;
                        const char **nn = gc_alloc(sizeof(char *) * *cap);
                        if (*len)
                                memcpy(nn, *names, sizeof(char *) * *len);
                        *names = nn;
                }
                (*names)[(*len)++] = loc_show(c->loc);
                if (!c->is_option)
                        collect_paths(c, names, len, cap);
        }
}

int ms_checked_config(MsEval *ms, Value *ret) {
        EvalState *st = ms->st;
        Value *check, *ft;
        bool do_check = true;
        int r = config_at(ms, ms_sym._module, ms_sym.check, &check);
        if (r < 0 || (check && (r = eval_force_bool(st, check, NULL, &do_check)) < 0))
                return r;
        if ((r = config_at(ms, ms_sym._module, ms_sym.freeformType, &ft)) < 0 ||
            (ft && (r = eval_force(st, ft, NULL)) < 0))
                return r;
        if (do_check && (!ft || ft->type == VT_NULL)) {
                if ((r = split_all(ms, ms->root)) < 0)
                        return r;
                if (ms->n_unmatched) {
                        const UnmatchedDef *u = &ms->unmatched[0];
                        const char *path = loc_show(u->loc);
                        const char **names = NULL;
                        size_t len = 0, cap = 0;
                        if (node_declare_all(ms, ms->root) < 0)
                                eval_state_clear_error(st);
                        collect_paths(ms->root, &names, &len, &cap);
                        StrBuf sb = STRBUF_INIT;
                        ms_show_defs(st, &u->def, 1, &sb);
                        r = ms_error(st, NULL, "The option `%s' does not exist. Definition values:%s", path, sb.buf);
                        strbuf_release(&sb);
                        eval_error_suggest(st, path, names, len);
                        return r;
                }
        }
        Value *config = ms->config;
        if ((r = eval_force_attrs(st, config, NULL)) < 0)
                return r;
        Bindings *b = bindings_new(config->attrs->size);
        for (uint32_t i = 0; i < config->attrs->size; i++)
                if (config->attrs->attrs[i].name != ms_sym._module)
                        bindings_push(b, config->attrs->attrs[i].name, config->attrs->attrs[i].value,
                                      config->attrs->attrs[i].pos);
        value_set_attrs(ret, b);
        return 0;
}

/* ---- evalModules ---- */

int ms_eval_modules(EvalState *st, Value *lib, Value *modules, Value *special_args, const Loc *prefix,
                    MsEval **ret) {
        MsEval *ms = gc_alloc(sizeof(MsEval));
        ms->st = st;
        ms->prefix = prefix;
        ms->lib = lib;
        ms->special_args = special_args;
        ms->root = gc_alloc(sizeof(Node));
        ms->root->ms = ms;
        ms->root->loc = prefix;
        ms->config = node_config_value(ms, ms->root);
        ms->options = node_option_value(ms, ms->root);

        /* { config, options, lib, specialArgs } // specialArgs */
        Bindings *sa = special_args->attrs;
        Bindings *b = bindings_new(sa->size + 4);
        Symbol base[] = { ms_sym.config, ms_sym.options, ms_sym.lib, ms_sym.specialArgs };
        Value *vals[] = { ms->config, ms->options, lib, special_args };
        for (size_t i = 0; i < 4; i++)
                if (!bindings_find(sa, base[i]))
                        bindings_push(b, base[i], vals[i], NULL);
        for (uint32_t i = 0; i < sa->size; i++)
                bindings_push(b, sa->attrs[i].name, sa->attrs[i].value, sa->attrs[i].pos);
        bindings_sort(b);
        ms->args_set = value_new();
        value_set_attrs(ms->args_set, b);

        ms->collecting = true;
        int r = ms_collect(ms, modules);
        ms->collecting = false;
        ms->collecting_file = NULL;
        if (r < 0)
                return r;
        ms_declare(ms);
        *ret = ms;
        return 0;
}
