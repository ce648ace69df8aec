/* Expressions back to text, in the shape `nix-instantiate --parse` prints
 * (fully parenthesised, desugared operators shown as the builtins calls Nix
 * turns them into). Also used in assertion messages. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "gc-alloc.h"
#include "strbuf.h"
#include "value-print.h"
#include "value.h"

static void show(StrBuf *out, const Expr *e);

static void show_float(StrBuf *out, double d) {
        strbuf_addf(out, "%g", d);
}

static void show_attr_path(StrBuf *out, const AttrPath *path) {
        for (uint32_t i = 0; i < path->n; i++) {
                if (i)
                        strbuf_addc(out, '.');
                if (path->names[i].expr) {
                        strbuf_adds(out, "\"${");
                        show(out, path->names[i].expr);
                        strbuf_adds(out, "}\"");
                } else
                        print_identifier(out, symbol_str(path->names[i].sym));
        }
}

static int attr_def_cmp(const void *a, const void *b) {
        return symbol_compare((*(AttrDef *const *) a)->name, (*(AttrDef *const *) b)->name);
}

static void show_binds(StrBuf *out, const Expr *attrs, bool let) {
        uint32_t n = attrs->attrs.n_attrs;
        AttrDef **sorted = gc_alloc(sizeof(AttrDef *) * (n ? n : 1));
        for (uint32_t i = 0; i < n; i++)
                sorted[i] = &attrs->attrs.attrs[i];
        qsort(sorted, n, sizeof(AttrDef *), attr_def_cmp);
        for (uint32_t i = 0; i < n; i++) {
                if (sorted[i]->kind == ATTR_DEF_INHERITED)
                {
                        strbuf_adds(out, "inherit ");
                        print_identifier(out, symbol_str(sorted[i]->name));
                        strbuf_adds(out, let ? "; " : " ; ");
                } else {
                        print_identifier(out, symbol_str(sorted[i]->name));
                        strbuf_adds(out, " = ");
                        show(out, sorted[i]->expr);
                        strbuf_adds(out, "; ");
                }
        }
        for (uint32_t i = 0; i < attrs->attrs.n_dynamic; i++) {
                strbuf_adds(out, "\"${");
                show(out, attrs->attrs.dynamic[i].name);
                strbuf_adds(out, "}\" = ");
                show(out, attrs->attrs.dynamic[i].value);
                strbuf_adds(out, "; ");
        }
}

static void show_bin(StrBuf *out, const Expr *e, const char *op) {
        strbuf_addc(out, '(');
        show(out, e->bin.a);
        strbuf_addf(out, " %s ", op);
        show(out, e->bin.b);
        strbuf_addc(out, ')');
}

static void show_call2(StrBuf *out, const char *fn, const Expr *a, const Expr *b) {
        strbuf_addf(out, "(%s ", fn);
        show(out, a);
        strbuf_addc(out, ' ');
        show(out, b);
        strbuf_addc(out, ')');
}

static void show(StrBuf *out, const Expr *e) {
        switch ((ExprKind) e->kind) {
        case EXPR_INT:
                strbuf_addf(out, "%" PRId64, e->integer);
                break;
        case EXPR_FLOAT:
                show_float(out, e->fpoint);
                break;
        case EXPR_STRING:
                print_string_literal(out, e->constant->string.s);
                break;
        case EXPR_PATH:
                strbuf_adds(out, e->constant->path);
                break;
        case EXPR_VAR:
                print_identifier(out, symbol_str(e->var.name));
                break;
        case EXPR_SELECT:
                strbuf_addc(out, '(');
                show(out, e->select.e);
                strbuf_adds(out, ").");
                show_attr_path(out, &e->select.path);
                if (e->select.def) {
                        strbuf_adds(out, " or (");
                        show(out, e->select.def);
                        strbuf_addc(out, ')');
                }
                break;
        case EXPR_HAS_ATTR:
                strbuf_adds(out, "((");
                show(out, e->has_attr.e);
                strbuf_adds(out, ") ? ");
                show_attr_path(out, &e->has_attr.path);
                strbuf_addc(out, ')');
                break;
        case EXPR_ATTRS:
                if (e->attrs.recursive)
                        strbuf_adds(out, "rec ");
                strbuf_adds(out, "{ ");
                show_binds(out, e, false);
                strbuf_addc(out, '}');
                break;
        case EXPR_LIST:
                strbuf_adds(out, "[ ");
                for (uint32_t i = 0; i < e->list.n; i++) {
                        strbuf_addc(out, '(');
                        show(out, e->list.elems[i]);
                        strbuf_adds(out, ") ");
                }
                strbuf_addc(out, ']');
                break;
        case EXPR_LAMBDA:
                strbuf_addc(out, '(');
                if (e->lambda.has_formals) {
                        strbuf_adds(out, "{ ");
                        for (uint32_t i = 0; i < e->lambda.n_formals; i++) {
                                if (i)
                                        strbuf_adds(out, ", ");
                                print_identifier(out, symbol_str(e->lambda.formals[i].name));
                                if (e->lambda.formals[i].def) {
                                        strbuf_adds(out, " ? ");
                                        show(out, e->lambda.formals[i].def);
                                }
                        }
                        if (e->lambda.ellipsis)
                                strbuf_adds(out, e->lambda.n_formals ? ", ..." : "...");
                        strbuf_adds(out, " }");
                        if (e->lambda.arg)
                                strbuf_adds(out, " @ ");
                }
                if (e->lambda.arg)
                        print_identifier(out, symbol_str(e->lambda.arg));
                strbuf_adds(out, ": ");
                show(out, e->lambda.body);
                strbuf_addc(out, ')');
                break;
        case EXPR_CALL:
                strbuf_addc(out, '(');
                show(out, e->call.fn);
                for (uint32_t i = 0; i < e->call.n_args; i++) {
                        strbuf_addc(out, ' ');
                        show(out, e->call.args[i]);
                }
                strbuf_addc(out, ')');
                break;
        case EXPR_LET:
                strbuf_adds(out, "(let ");
                show_binds(out, e->let.attrs, true);
                strbuf_adds(out, "in ");
                show(out, e->let.body);
                strbuf_addc(out, ')');
                break;
        case EXPR_WITH:
                strbuf_adds(out, "(with ");
                show(out, e->with.attrs);
                strbuf_adds(out, "; ");
                show(out, e->with.body);
                strbuf_addc(out, ')');
                break;
        case EXPR_IF:
                strbuf_adds(out, "(if ");
                show(out, e->if_.cond);
                strbuf_adds(out, " then ");
                show(out, e->if_.then_);
                strbuf_adds(out, " else ");
                show(out, e->if_.else_);
                strbuf_addc(out, ')');
                break;
        case EXPR_ASSERT:
                strbuf_adds(out, "assert ");
                show(out, e->assert_.cond);
                strbuf_adds(out, "; ");
                show(out, e->assert_.body);
                break;
        case EXPR_NOT:
                strbuf_adds(out, "(! ");
                show(out, e->unary);
                strbuf_addc(out, ')');
                break;
        case EXPR_NEGATE:
                strbuf_adds(out, "(__sub 0 ");
                show(out, e->unary);
                strbuf_addc(out, ')');
                break;
        case EXPR_EQ: show_bin(out, e, "=="); break;
        case EXPR_NEQ: show_bin(out, e, "!="); break;
        case EXPR_AND: show_bin(out, e, "&&"); break;
        case EXPR_OR: show_bin(out, e, "||"); break;
        case EXPR_IMPL: show_bin(out, e, "->"); break;
        case EXPR_UPDATE: show_bin(out, e, "//"); break;
        case EXPR_CONCAT_LISTS: show_bin(out, e, "++"); break;
        case EXPR_SUB: show_call2(out, "__sub", e->bin.a, e->bin.b); break;
        case EXPR_MUL: show_call2(out, "__mul", e->bin.a, e->bin.b); break;
        case EXPR_DIV: show_call2(out, "__div", e->bin.a, e->bin.b); break;
        case EXPR_LT: show_call2(out, "__lessThan", e->bin.a, e->bin.b); break;
        case EXPR_GT: show_call2(out, "__lessThan", e->bin.b, e->bin.a); break;
        case EXPR_LE:
                strbuf_adds(out, "(! ");
                show_call2(out, "__lessThan", e->bin.b, e->bin.a);
                strbuf_addc(out, ')');
                break;
        case EXPR_GE:
                strbuf_adds(out, "(! ");
                show_call2(out, "__lessThan", e->bin.a, e->bin.b);
                strbuf_addc(out, ')');
                break;
        case EXPR_CONCAT_STRINGS:
                strbuf_addc(out, '(');
                for (uint32_t i = 0; i < e->concat.n; i++) {
                        if (i)
                                strbuf_adds(out, " + ");
                        show(out, e->concat.parts[i]);
                }
                strbuf_addc(out, ')');
                break;
        case EXPR_CUR_POS:
                strbuf_adds(out, "__curPos");
                break;
        }
}

char *expr_to_string(const Expr *e) {
        StrBuf sb = STRBUF_INIT;
        show(&sb, e);
        char *r = gc_strndup(sb.buf, sb.len);
        strbuf_release(&sb);
        return r;
}
