/* The option tree: every module's `options` merged into one tree of nodes,
 * and the `options` value built from it on demand. */
#include <inttypes.h>
#include <string.h>

#include "ms-internal.h"

/* Children by (parent, name): one open-addressing table per evaluation. */
typedef struct NodeTable {
        size_t n, cap;
        Node **slots;
} NodeTable;

static size_t slot_of(const Node *parent, Symbol name, size_t cap) {
        uint64_t h = ((uint64_t) (uintptr_t) parent * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t) name * 0xC2B2AE3D27D4EB4FULL);
        return (size_t) (h ^ (h >> 29)) & (cap - 1);
}

Node *node_child(MsEval *ms, Node *parent, Symbol name) {
        NodeTable *t = ms->table;
        if (!t || !t->cap)
                return NULL;
        for (size_t i = slot_of(parent, name, t->cap);; i = (i + 1) & (t->cap - 1)) {
                Node *n = t->slots[i];
                if (!n)
                        return NULL;
                if (n->parent == parent && n->name == name)
                        return n;
        }
}

static void table_insert(NodeTable *t, Node *n) {
        size_t i = slot_of(n->parent, n->name, t->cap);
        while (t->slots[i])
                i = (i + 1) & (t->cap - 1);
        t->slots[i] = n;
        t->n++;
}

Node *node_child_add(MsEval *ms, Node *parent, Symbol name) {
        Node *n = node_child(ms, parent, name);
        if (n)
                return n;
        if (!ms->table)
                ms->table = gc_alloc(sizeof(NodeTable));
        NodeTable *t = ms->table;
        if (2 * (t->n + 1) > t->cap) {
                NodeTable bigger = { .cap = t->cap ? t->cap * 2 : 256 };
                bigger.slots = gc_alloc(sizeof(Node *) * bigger.cap);
                for (size_t i = 0; i < t->cap; i++)
                        if (t->slots[i])
                                table_insert(&bigger, t->slots[i]);
                *t = bigger;
        }
        n = gc_alloc(sizeof(Node));
        n->name = name;
        n->parent = parent;
        n->ms = ms;
        n->loc = loc_push(parent->loc, symbol_str(name));
        table_insert(t, n);
        parent->children = ms_grow(parent->children, parent->n_children, &parent->cap_children, sizeof(Node *), 4);
        parent->children[parent->n_children++] = n;
        return n;
}

/* ---- declarations ---- */

static void add_decl_file(Node *n, const char *file, const Pos *pos) {
        const char **files = gc_alloc(sizeof(char *) * (n->n_decls + 1));
        const Pos **poss = gc_alloc(sizeof(Pos *) * (n->n_decls + 1));
        if (n->n_decls) {
                memcpy(files, n->decl_files, sizeof(char *) * n->n_decls);
                memcpy(poss, n->decl_pos, sizeof(Pos *) * n->n_decls);
        }
        files[n->n_decls] = file;
        poss[n->n_decls] = pos;
        n->decl_files = files;
        n->decl_pos = poss;
        n->n_decls++;
}

static const char *show_files(const Node *n) {
        StrBuf sb = STRBUF_INIT;
        for (uint32_t i = 0; i < n->n_decls; i++)
                strbuf_addf(&sb, "%s`%s'", i ? ", " : "", n->decl_files[i]);
        char *s = gc_strdup(sb.buf);
        strbuf_release(&sb);
        return s;
}

static int force_type(MsEval *ms, Node *n, Value *t, const char *file) {
        EvalState *st = ms->st;
        int r = eval_force(st, t, NULL);
        if (r < 0)
                return eval_error_add_frame(st, NULL, "while evaluating the type of the option `%s' declared in `%s'",
                                            loc_show(n->loc), file);
        const char *tag = ms_type_tag(st, t);
        if (!tag || strcmp(tag, "option-type") != 0)
                return ms_error(st, NULL,
                                "The option `%s' declared in `%s' has a `type' that is not an option type (it is %s); "
                                "use one of lib.types",
                                loc_show(n->loc), file, value_show_type(t));
        return 0;
}

static int declare_option(MsEval *ms, Node *n, Value *opt, const char *file, const Pos *pos) {
        EvalState *st = ms->st;
        int r;
        if (n->n_children)
                return ms_error(st, NULL, "The option `%s' in `%s' is a prefix of options declared in `%s'",
                                loc_show(n->loc), file, n->children[0]->is_option ? n->children[0]->decl_files[0] : "another module");
        Attr *type = bindings_find(opt->attrs, ms_sym.type);
        Attr *def = bindings_find(opt->attrs, ms_sym.default_);
        Attr *apply = bindings_find(opt->attrs, ms_sym.apply);
        Attr *ro = bindings_find(opt->attrs, ms_sym.readOnly);
        if (type && (r = force_type(ms, n, type->value, file)) < 0)
                return r;
        if (!n->is_option) {
                n->is_option = true;
                n->decl = opt;
        } else {
                Value *d0 = n->decl;
                bool clash = (def && bindings_find(d0->attrs, ms_sym.default_)) ||
                             (bindings_find(opt->attrs, ms_sym.example) && bindings_find(d0->attrs, ms_sym.example)) ||
                             (bindings_find(opt->attrs, ms_sym.description) &&
                              bindings_find(d0->attrs, ms_sym.description)) ||
                             (apply && n->apply);
                if (!clash && type && n->type) {
                        Value *merged = ms_type_merge_decls(st, n->type, ms_type_with_file(st, type->value, file));
                        if (!merged) {
                                if (eval_state_error(st)->message)
                                        return EVAL_FAILED;
                                clash = true;
                        } else
                                n->type = merged;
                }
                if (clash)
                        return ms_error(st, pos, "The option `%s' in `%s' is already declared in %s.",
                                        loc_show(n->loc), file, show_files(n));
                /* Later declarations fill what the first left out. */
                Bindings *b = bindings_new(d0->attrs->size + opt->attrs->size);
                for (uint32_t i = 0; i < d0->attrs->size; i++)
                        bindings_push(b, d0->attrs->attrs[i].name, d0->attrs->attrs[i].value, d0->attrs->attrs[i].pos);
                for (uint32_t i = 0; i < opt->attrs->size; i++)
                        if (!bindings_find(d0->attrs, opt->attrs->attrs[i].name))
                                bindings_push(b, opt->attrs->attrs[i].name, opt->attrs->attrs[i].value,
                                              opt->attrs->attrs[i].pos);
                bindings_sort(b);
                n->decl = value_new();
                value_set_attrs(n->decl, b);
        }
        if (type && !n->type)
                n->type = ms_type_with_file(st, type->value, file);
        if (def && !n->default_value) {
                n->default_value = def->value;
                n->default_file = file;
        }
        if (apply && !n->apply)
                n->apply = apply->value;
        if (ro) {
                bool b;
                if ((r = eval_force_bool(st, ro->value, ro->pos, &b)) < 0)
                        return r;
                n->read_only = n->read_only || b;
        }
        add_decl_file(n, file, pos);
        return 0;
}

typedef struct PendingDecl {
        Value *value;
        const char *file;
        const Pos *pos;
} PendingDecl;

static void pending_push(Node *n, Value *v, const char *file, const Pos *pos) {
        n->pending = ms_grow(n->pending, n->n_pending, &n->cap_pending, sizeof(PendingDecl), 2);
        n->pending[n->n_pending++] = (PendingDecl) { v, file, pos };
}

static const char *first_child_file(Node *n) {
        for (uint32_t i = 0; i < n->n_children; i++)
                if (n->children[i]->n_pending)
                        return n->children[i]->pending[0].file;
        return "another module";
}

static int declare_one(MsEval *ms, Node *n, const PendingDecl *d) {
        EvalState *st = ms->st;
        Value *v = d->value;
        int r = eval_force(st, v, d->pos);
        if (r < 0)
                return eval_error_add_frame(st, d->pos, "while evaluating the option declarations of `%s'", d->file);
        if (v->type != VT_ATTRS)
                return ms_error(st, d->pos,
                                "The option declaration `%s' in `%s' is %s, not an option (lib.mkOption) or a set "
                                "of options",
                                n->loc ? loc_show(n->loc) : "options", d->file, value_show_type(v));
        const char *tag = ms_type_tag(st, v);
        if (tag && strcmp(tag, "option") == 0) {
                if (n == ms->root)
                        return ms_error(st, d->pos, "`%s' declares the whole option tree as one option", d->file);
                if (n->n_children)
                        return ms_error(st, d->pos, "The option `%s' in `%s' is a prefix of options declared in `%s'",
                                        loc_show(n->loc), d->file, first_child_file(n));
                return declare_option(ms, n, v, d->file, d->pos);
        }
        if (n->is_option && v->attrs->size)
                return ms_error(st, d->pos, "The option `%s' in `%s' is a prefix of options declared in `%s'",
                                loc_show(n->loc), n->decl_files[0], d->file);
        for (uint32_t i = 0; i < v->attrs->size; i++) {
                Attr *a = &v->attrs->attrs[i];
                pending_push(node_child_add(ms, n, a->name), a->value, d->file, a->pos);
        }
        return 0;
}

int node_declare(MsEval *ms, Node *n) {
        if (n->declared)
                return 0;
        if (n->declaring)
                return ms_error(ms->st, NULL,
                                "infinite recursion: the options declared under `%s' depend on `options' there",
                                n->loc ? loc_show(n->loc) : "options");
        n->declaring = true;
        int r = 0;
        for (uint32_t i = 0; i < n->n_pending && r >= 0; i++)
                r = declare_one(ms, n, &n->pending[i]);
        n->declaring = false;
        if (r < 0)
                return r;
        n->declared = true;
        return 0;
}

int node_declare_all(MsEval *ms, Node *n) {
        int r = node_declare(ms, n);
        if (r < 0)
                return r;
        if (n->is_option && n != ms->root)
                return 0;
        for (uint32_t i = 0; i < n->n_children; i++)
                if ((r = node_declare_all(ms, n->children[i])) < 0)
                        return r;
        return 0;
}

void ms_declare(MsEval *ms) {
        for (size_t i = 0; i < ms->n_modules; i++) {
                Module *m = ms->modules[i];
                if (m->options)
                        pending_push(ms->root, m->options, m->file, NULL);
        }
}

/* ---- the `options` value ---- */

enum {
        FIELD_VALUE,
        FIELD_IS_DEFINED,
        FIELD_DEFINITIONS,
        FIELD_DEFS_WITH_LOCATIONS,
        FIELD_FILES,
        FIELD_HIGHEST_PRIO,
};

static int prim_option_field(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Node *n = args[1]->external.ptr;
        int64_t field = args[0]->integer;
        if (field == FIELD_VALUE) {
                Value *c = node_config_value(n->ms, n);
                int r = eval_force(st, c, NULL);
                if (r < 0)
                        return r;
                *ret = *c;
                return 0;
        }
        Merged *m;
        int r = node_merged(n->ms, n, &m);
        if (r < 0)
                return r;
        switch (field) {
        case FIELD_IS_DEFINED:
                value_set_bool(ret, m->value != NULL);
                return 0;
        case FIELD_HIGHEST_PRIO:
                value_set_int(ret, m->highest_prio);
                return 0;
        case FIELD_DEFINITIONS:
        case FIELD_FILES:
        case FIELD_DEFS_WITH_LOCATIONS: {
                value_set_list(ret, m->n_defs);
                for (size_t i = 0; i < m->n_defs; i++) {
                        Value *file = ms_string(m->defs[i].file);
                        if (field == FIELD_DEFINITIONS)
                                ret->list.elems[i] = m->defs[i].value;
                        else if (field == FIELD_FILES)
                                ret->list.elems[i] = file;
                        else {
                                Symbol names[] = { ms_sym.file, ms_sym.value };
                                Value *vals[] = { file, m->defs[i].value };
                                ret->list.elems[i] = ms_attrs(2, names, vals);
                        }
                }
                if (field == FIELD_FILES) {
                        /* Each file once, in order. */
                        size_t k = 0;
                        for (size_t i = 0; i < ret->list.size; i++) {
                                bool dup = false;
                                for (size_t j = 0; j < k && !dup; j++)
                                        dup = strcmp(ret->list.elems[j]->string.s, ret->list.elems[i]->string.s) == 0;
                                if (!dup)
                                        ret->list.elems[k++] = ret->list.elems[i];
                        }
                        ret->list.size = k;
                }
                return 0;
        }
        }
        return ms_error(st, pos, "internal error: unknown option field");
}

static const PrimOp prim_option_field_op = {
        .name = "optionField", .arity = 2, .args = { "field", "option" }, .fn = prim_option_field
};

int ms_option_record(MsEval *ms, Node *n, Value *ret) {
        Value *ext = ms_external("option", n);
        static const int fields[] = { FIELD_VALUE, FIELD_IS_DEFINED, FIELD_DEFINITIONS, FIELD_DEFS_WITH_LOCATIONS,
                                      FIELD_FILES, FIELD_HIGHEST_PRIO };
        Symbol names[] = { ms_sym.value, ms_sym.isDefined, ms_sym.definitions, ms_sym.definitionsWithLocations,
                           ms_sym.files, ms_sym.highestPrio };
        Bindings *d = n->decl->attrs;
        Bindings *b = bindings_new(d->size + 10);
        for (size_t i = 0; i < 6; i++) {
                Value *k = ms_int(fields[i]);
                bindings_push(b, names[i], ms_app(ms_primop(&prim_option_field_op, 1, &k), ext), NULL);
        }
        bindings_push(b, ms_sym.loc, loc_to_list(n->loc), NULL);
        Value *decls = value_new();
        value_set_list(decls, n->n_decls);
        for (uint32_t i = 0; i < n->n_decls; i++)
                decls->list.elems[i] = ms_string(n->decl_files[i]);
        bindings_push(b, ms_sym.declarations, decls, NULL);
        if (n->type)
                bindings_push(b, ms_sym.type, n->type, NULL);
        else {
                Value *types = ms_types_value(ms->st);
                Attr *u = bindings_find(types->attrs, symbol_intern_str("unspecified"));
                bindings_push(b, ms_sym.type, u->value, NULL);
        }
        /* The declaration's own attributes, except those set above. */
        bindings_sort(b);
        uint32_t n_fixed = b->size;
        for (uint32_t i = 0; i < d->size; i++) {
                bool fixed = false;
                for (uint32_t j = 0; j < n_fixed && !fixed; j++)
                        fixed = b->attrs[j].name == d->attrs[i].name;
                if (!fixed)
                        bindings_push(b, d->attrs[i].name, d->attrs[i].value, d->attrs[i].pos);
        }
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

static int prim_options_node(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Node *n = args[0]->external.ptr;
        MsEval *ms = n->ms;
        if (ms->collecting)
                return ms_error(st, NULL,
                                "The module `%s' reads `options' in its `imports'; imports are collected before any "
                                "option exists, so they may depend only on specialArgs",
                                ms->collecting_file);
        int r = node_declare(ms, n);
        if (r < 0)
                return r;
        if (n->is_option && n != ms->root)
                return ms_option_record(ms, n, ret);
        Bindings *b = bindings_new(n->n_children);
        for (uint32_t i = 0; i < n->n_children; i++)
                bindings_push(b, n->children[i]->name, node_option_value(ms, n->children[i]), NULL);
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

static const PrimOp prim_options_node_op = {
        .name = "optionsNode", .arity = 1, .args = { "node" }, .fn = prim_options_node
};

Value *node_option_value(MsEval *ms, Node *n) {
        if (!n->option_cell)
                n->option_cell = ms_app(ms_primop(&prim_options_node_op, 0, NULL), ms_external("option-node", n));
        return n->option_cell;
}
