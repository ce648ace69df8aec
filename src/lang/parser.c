#include "parser.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ast-arena.h"
#include "gc-alloc.h"
#include "lexer.h"
#include "strbuf.h"
#include "value.h"

/* Deeper nesting than this is refused with an error rather than risking the
 * C stack. */
#define MAX_PARSE_DEPTH 2000
#define LOOKAHEAD 4
#define MAX_ATTR_PATH 1000

typedef struct Parser {
        Lexer *lx;
        Token buf[LOOKAHEAD];
        int n_buf;
        Token prev; /* the last consumed token */
        PosOrigin origin;
        const char *file;
        const char *base_dir;
        unsigned depth;
        ParseError *error;
        bool failed;
} Parser;

static Pos tok_pos(Parser *ps, const Token *t) {
        return (Pos) { .file = ps->file, .line = t->line, .col = t->col, .origin = ps->origin };
}

static Token *peek_n(Parser *ps, int n) {
        while (ps->n_buf <= n)
                lexer_next(ps->lx, &ps->buf[ps->n_buf++]);
        return &ps->buf[n];
}

static Token *peek(Parser *ps) {
        return peek_n(ps, 0);
}

static Token next(Parser *ps) {
        peek(ps);
        ps->prev = ps->buf[0];
        memmove(ps->buf, ps->buf + 1, sizeof(Token) * (ps->n_buf - 1));
        ps->n_buf--;
        return ps->prev;
}

static Expr *fail_at(Parser *ps, Pos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static Expr *fail_at(Parser *ps, Pos pos, const char *fmt, ...) {
        if (ps->failed)
                return NULL;
        va_list ap;
        va_start(ap, fmt);
        StrBuf sb = STRBUF_INIT;
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        ps->error->message = ast_strndup(sb.buf, sb.len);
        strbuf_release(&sb);
        ps->error->pos = pos;
        ps->failed = true;
        return NULL;
}

static Expr *unexpected(Parser *ps, const char *expecting) {
        Token *t = peek(ps);
        if (t->kind == TOK_ERROR)
                return fail_at(ps, tok_pos(ps, t), "%s", t->str);
        if (expecting)
                return fail_at(ps, tok_pos(ps, t), "syntax error, unexpected %s, expecting %s",
                               token_kind_name(t->kind), expecting);
        return fail_at(ps, tok_pos(ps, t), "syntax error, unexpected %s", token_kind_name(t->kind));
}

static bool expect(Parser *ps, int kind) {
        if (peek(ps)->kind != kind) {
                unexpected(ps, token_kind_name(kind));
                return false;
        }
        next(ps);
        return true;
}

_Static_assert(sizeof(Pos) == 16, "Pos is packed");
_Static_assert(sizeof(Expr) == 64, "an Expr fills exactly four arena granules");

Expr *expr_new(ExprKind kind, Pos pos) {
        Expr *e = ast_alloc(sizeof(Expr));
        e->kind = kind;
        e->pos = pos;
        return e;
}

static Expr *mk_string(Pos pos, const char *s, size_t len) {
        Expr *e = expr_new(EXPR_STRING, pos);
        e->constant = ast_alloc(sizeof(Value));
        value_set_string(e->constant, ast_strndup(s, len), NULL);
        return e;
}

static Expr *mk_var(Pos pos, const char *name) {
        Expr *e = expr_new(EXPR_VAR, pos);
        e->var.name = symbol_intern_str(name);
        return e;
}

static Expr *mk_call(Pos pos, Expr *fn, int n, Expr **args) {
        Expr *e = expr_new(EXPR_CALL, pos);
        e->call.fn = fn;
        e->call.n_args = n;
        e->call.args = ast_alloc(sizeof(Expr *) * n);
        memcpy(e->call.args, args, sizeof(Expr *) * n);
        return e;
}

static Expr *mk_bin(ExprKind kind, Pos pos, Expr *a, Expr *b) {
        Expr *e = expr_new(kind, pos);
        e->bin.a = a;
        e->bin.b = b;
        return e;
}

static char *canon_path_in(const char *path, const char *base_dir, bool arena);

char *canon_path(const char *path, const char *base_dir) {
        return canon_path_in(path, base_dir, false);
}

static char *canon_path_in(const char *path, const char *base_dir, bool arena) {
        StrBuf in = STRBUF_INIT;
        if (path[0] != '/') {
                strbuf_adds(&in, base_dir ? base_dir : "/");
                strbuf_addc(&in, '/');
        }
        strbuf_adds(&in, path);
        /* Components, resolving "." and ".." lexically. */
        char *out = arena ? ast_alloc(in.len + 2) : gc_alloc_atomic(in.len + 2);
        size_t o = 0;
        const char *s = in.buf;
        while (*s) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                const char *end = strchrnul(s, '/');
                size_t n = end - s;
                if (n == 1 && s[0] == '.') {
                } else if (n == 2 && s[0] == '.' && s[1] == '.') {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                } else {
                        out[o++] = '/';
                        memcpy(out + o, s, n);
                        o += n;
                }
                s = end;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = 0;
        strbuf_release(&in);
        return out;
}

static Expr *parse_expr(Parser *ps);
static Expr *parse_expr_select(Parser *ps);
static Expr *parse_expr_simple(Parser *ps);
static Expr *parse_op(Parser *ps, int min_prec);

static bool enter(Parser *ps) {
        if (++ps->depth > MAX_PARSE_DEPTH) {
                fail_at(ps, tok_pos(ps, peek(ps)), "expression nests too deeply (more than %d levels)", MAX_PARSE_DEPTH);
                return false;
        }
        return true;
}

/* String parts between the opening quote and the closing one: returns an
 * EXPR_STRING when there is no interpolation, else EXPR_CONCAT_STRINGS. */
typedef struct Parts {
        uint32_t n, cap;
        Expr **parts;
        Pos *poss;
        /* The first parts, in place: most strings have one part and become
         * an EXPR_STRING, so the arrays are only built by mk_concat. Never
         * copy a Parts. */
        Expr *small[4];
        Pos small_poss[4];
} Parts;

static void parts_add(Parts *p, Expr *e, Pos pos) {
        if (p->cap == 0) {
                p->parts = p->small;
                p->poss = p->small_poss;
                p->cap = ELEMENTSOF(p->small);
        } else if (p->n == p->cap) {
                p->cap *= 2;
                Expr **np = ast_alloc(sizeof(Expr *) * p->cap);
                Pos *npos = ast_alloc(sizeof(Pos) * p->cap);
                if (p->n) {
                        memcpy(np, p->parts, sizeof(Expr *) * p->n);
                        memcpy(npos, p->poss, sizeof(Pos) * p->n);
                }
                p->parts = np;
                p->poss = npos;
        }
        p->parts[p->n] = e;
        p->poss[p->n++] = pos;
}

static Expr *mk_concat(Pos pos, bool force_string, Parts *p) {
        Expr *e = expr_new(EXPR_CONCAT_STRINGS, pos);
        e->concat.force_string = force_string;
        e->concat.n = p->n;
        e->concat.parts = ast_alloc(sizeof(Expr *) * p->n);
        e->concat.poss = ast_alloc(sizeof(Pos) * p->n);
        memcpy(e->concat.parts, p->parts, sizeof(Expr *) * p->n);
        memcpy(e->concat.poss, p->poss, sizeof(Pos) * p->n);
        return e;
}

static Expr *parse_interpolation(Parser *ps) {
        next(ps); /* ${ */
        Expr *e = parse_expr(ps);
        if (!e || !expect(ps, '}'))
                return NULL;
        return e;
}

static Expr *parse_string_parts(Parser *ps, Pos start) {
        Parts p = { 0 };
        bool interpolated = false;
        for (;;) {
                Token *t = peek(ps);
                if (t->kind == TOK_STR) {
                        Token s = next(ps);
                        parts_add(&p, mk_string(tok_pos(ps, &s), s.str, s.len), tok_pos(ps, &s));
                } else if (t->kind == TOK_DOLLAR_CURLY) {
                        Pos pos = tok_pos(ps, t);
                        Expr *e = parse_interpolation(ps);
                        if (!e)
                                return NULL;
                        parts_add(&p, e, pos);
                        interpolated = true;
                } else
                        break;
        }
        if (!expect(ps, '"'))
                return NULL;
        if (!interpolated) {
                if (!p.n)
                        return mk_string(start, "", 0);
                p.parts[0]->pos = start;
                return p.parts[0];
        }
        return mk_concat(start, true, &p);
}

typedef struct IndPart {
        Expr *expr;       /* interpolation, or NULL */
        const char *s;    /* text */
        size_t len;
        bool has_indentation;
        Pos pos;
} IndPart;

/* Nix's indentation stripping for ''…'' strings. */
static Expr *strip_indentation(Pos pos, IndPart *es, size_t n) {
        if (n == 0)
                return mk_string(pos, "", 0);
        bool at_start = true;
        size_t min_indent = 1000000, cur = 0;
        for (size_t k = 0; k < n; k++) {
                if (es[k].expr || !es[k].has_indentation) {
                        if (at_start) {
                                at_start = false;
                                if (cur < min_indent)
                                        min_indent = cur;
                        }
                        continue;
                }
                for (size_t j = 0; j < es[k].len; j++) {
                        char c = es[k].s[j];
                        if (at_start) {
                                if (c == ' ')
                                        cur++;
                                else if (c == '\n')
                                        cur = 0;
                                else {
                                        at_start = false;
                                        if (cur < min_indent)
                                                min_indent = cur;
                                }
                        } else if (c == '\n') {
                                at_start = true;
                                cur = 0;
                        }
                }
        }

        Parts out = { 0 };
        at_start = true;
        size_t dropped = 0;
        for (size_t k = 0; k < n; k++) {
                if (es[k].expr) {
                        at_start = false;
                        dropped = 0;
                        parts_add(&out, es[k].expr, es[k].pos);
                        continue;
                }
                StrBuf sb = STRBUF_INIT;
                for (size_t j = 0; j < es[k].len; j++) {
                        char c = es[k].s[j];
                        if (at_start) {
                                if (c == ' ') {
                                        if (dropped++ >= min_indent)
                                                strbuf_addc(&sb, c);
                                } else if (c == '\n') {
                                        dropped = 0;
                                        strbuf_addc(&sb, c);
                                } else {
                                        at_start = false;
                                        dropped = 0;
                                        strbuf_addc(&sb, c);
                                }
                        } else {
                                strbuf_addc(&sb, c);
                                if (c == '\n')
                                        at_start = true;
                        }
                }
                /* The last piece: drop a final line made only of spaces. */
                if (k == n - 1) {
                        char *nl = memrchr(sb.buf, '\n', sb.len);
                        if (nl) {
                                bool spaces = true;
                                for (char *q = nl + 1; q < sb.buf + sb.len; q++)
                                        if (*q != ' ')
                                                spaces = false;
                                if (spaces) {
                                        sb.len = nl + 1 - sb.buf;
                                        sb.buf[sb.len] = 0;
                                }
                        }
                }
                parts_add(&out, mk_string(es[k].pos, sb.buf, sb.len), es[k].pos);
                strbuf_release(&sb);
        }
        if (out.n == 1 && out.parts[0]->kind == EXPR_STRING)
                return out.parts[0];
        return mk_concat(pos, true, &out);
}

static Expr *parse_ind_string(Parser *ps, Pos start) {
        size_t n = 0, cap = 8;
        IndPart *es = ast_alloc(sizeof(IndPart) * cap);
        for (;;) {
                Token *t = peek(ps);
                IndPart part = { 0 };
                if (t->kind == TOK_IND_STR) {
                        Token s = next(ps);
                        part = (IndPart) { NULL, s.str, s.len, s.has_indentation, tok_pos(ps, &s) };
                } else if (t->kind == TOK_DOLLAR_CURLY) {
                        Pos pos = tok_pos(ps, t);
                        Expr *e = parse_interpolation(ps);
                        if (!e)
                                return NULL;
                        part = (IndPart) { .expr = e, .pos = pos };
                } else
                        break;
                if (n == cap) {
                        IndPart *ne = ast_alloc(sizeof(IndPart) * cap * 2);
                        memcpy(ne, es, sizeof(IndPart) * n);
                        es = ne;
                        cap *= 2;
                }
                es[n++] = part;
        }
        if (!expect(ps, TOK_IND_STRING_CLOSE))
                return NULL;
        return strip_indentation(start, es, n);
}

/* attr: ID | or ; string_attr: "…" | ${…} */
static bool parse_attr_name(Parser *ps, AttrName *ret, bool *ret_dynamic) {
        Token *t = peek(ps);
        *ret_dynamic = false;
        if (t->kind == TOK_ID) {
                Token s = next(ps);
                *ret = (AttrName) { .sym = symbol_intern(s.str, s.len) };
                return true;
        }
        if (t->kind == TOK_OR_KW) {
                next(ps);
                *ret = (AttrName) { .sym = symbol_intern_str("or") };
                return true;
        }
        Expr *e;
        if (t->kind == '"') {
                Token q = next(ps);
                e = parse_string_parts(ps, tok_pos(ps, &q));
        } else if (t->kind == TOK_DOLLAR_CURLY)
                e = parse_interpolation(ps);
        else {
                unexpected(ps, NULL);
                return false;
        }
        if (!e)
                return false;
        if (e->kind == EXPR_STRING) {
                *ret = (AttrName) { .sym = symbol_intern_str(e->constant->string.s) };
                return true;
        }
        *ret = (AttrName) { .expr = e };
        *ret_dynamic = true;
        return true;
}

static bool parse_attr_path(Parser *ps, AttrPath *ret) {
        /* Built in place, then copied at its exact size (most paths have
         * one or two names). */
        AttrName small[8];
        uint32_t n = 0, cap = ELEMENTSOF(small);
        AttrName *names = small;
        for (;;) {
                bool dyn;
                if (n >= MAX_ATTR_PATH) {
                        fail_at(ps, tok_pos(ps, peek(ps)), "attribute path has more than %d components", MAX_ATTR_PATH);
                        return false;
                }
                if (n == cap) {
                        AttrName *nn = ast_alloc(sizeof(AttrName) * cap * 2);
                        memcpy(nn, names, sizeof(AttrName) * n);
                        names = nn;
                        cap *= 2;
                }
                if (!parse_attr_name(ps, &names[n], &dyn))
                        return false;
                n++;
                if (peek(ps)->kind != '.')
                        break;
                next(ps);
        }
        AttrName *exact = ast_alloc(sizeof(AttrName) * n);
        memcpy(exact, names, sizeof(AttrName) * n);
        *ret = (AttrPath) { n, exact };
        return true;
}

static const char *pos_to_string(Pos pos) {
        char *buf = ast_alloc(64 + (pos.file ? strlen(pos.file) : 0));
        sprintf(buf, "%s:%u:%u", pos.origin == POS_FILE ? pos.file : "(string)", pos.line, pos.col);
        return buf;
}

static AttrDef *attrs_find(Expr *attrs, Symbol name) {
        for (uint32_t i = 0; i < attrs->attrs.n_attrs; i++)
                if (attrs->attrs.attrs[i].name == name)
                        return &attrs->attrs.attrs[i];
        return NULL;
}

static void attrs_add(Expr *attrs, AttrDef def) {
        if (attrs->attrs.n_attrs == attrs->attrs.cap_attrs) {
                uint32_t cap = attrs->attrs.cap_attrs ? attrs->attrs.cap_attrs * 2 : 4;
                AttrDef *n = ast_alloc(sizeof(AttrDef) * cap);
                if (attrs->attrs.n_attrs)
                        memcpy(n, attrs->attrs.attrs, sizeof(AttrDef) * attrs->attrs.n_attrs);
                attrs->attrs.attrs = n;
                attrs->attrs.cap_attrs = cap;
        }
        attrs->attrs.attrs[attrs->attrs.n_attrs++] = def;
}

static void attrs_add_dynamic(Expr *attrs, DynamicAttrDef def) {
        if (attrs->attrs.n_dynamic == attrs->attrs.cap_dynamic) {
                uint32_t cap = attrs->attrs.cap_dynamic ? attrs->attrs.cap_dynamic * 2 : 4;
                DynamicAttrDef *n = ast_alloc(sizeof(DynamicAttrDef) * cap);
                if (attrs->attrs.n_dynamic)
                        memcpy(n, attrs->attrs.dynamic, sizeof(DynamicAttrDef) * attrs->attrs.n_dynamic);
                attrs->attrs.dynamic = n;
                attrs->attrs.cap_dynamic = cap;
        }
        attrs->attrs.dynamic[attrs->attrs.n_dynamic++] = def;
}

static bool dup_attr_path(Parser *ps, const AttrPath *path, Pos pos, Pos prev) {
        fail_at(ps, pos, "attribute '%s' already defined at %s", attr_path_to_string(path), pos_to_string(prev));
        return false;
}

/* Adds `path = e;` to attrs, creating and merging nested sets as Nix does. */
static bool add_attr(Parser *ps, Expr *attrs, AttrPath *path, Expr *e, Pos pos) {
        uint32_t i;
        for (i = 0; i + 1 < path->n; i++) {
                AttrName *an = &path->names[i];
                if (!an->expr) {
                        AttrDef *j = attrs_find(attrs, an->sym);
                        if (j) {
                                if (j->kind != ATTR_DEF_PLAIN || j->expr->kind != EXPR_ATTRS)
                                        return dup_attr_path(ps, path, pos, j->pos);
                                attrs = j->expr;
                        } else {
                                Expr *nested = expr_new(EXPR_ATTRS, pos);
                                attrs_add(attrs, (AttrDef) { an->sym, ATTR_DEF_PLAIN, nested, pos });
                                attrs = nested;
                        }
                } else {
                        Expr *nested = expr_new(EXPR_ATTRS, pos);
                        attrs_add_dynamic(attrs, (DynamicAttrDef) { an->expr, nested, pos });
                        attrs = nested;
                }
        }
        AttrName *an = &path->names[i];
        if (an->expr) {
                attrs_add_dynamic(attrs, (DynamicAttrDef) { an->expr, e, pos });
                return true;
        }
        AttrDef *j = attrs_find(attrs, an->sym);
        if (j) {
                if (j->kind == ATTR_DEF_PLAIN && j->expr->kind == EXPR_ATTRS && e->kind == EXPR_ATTRS) {
                        for (uint32_t k = 0; k < e->attrs.n_attrs; k++) {
                                AttrDef *ad = &e->attrs.attrs[k];
                                AttrDef *j2 = attrs_find(j->expr, ad->name);
                                if (j2) {
                                        fail_at(ps, j2->pos, "attribute '%s' already defined at %s",
                                                symbol_str(ad->name), pos_to_string(ad->pos));
                                        return false;
                                }
                                attrs_add(j->expr, *ad);
                        }
                        /* Dynamic attributes of a merged set are kept (Nix 2.8
                         * drops them; keeping them is the saner reading). */
                        for (uint32_t k = 0; k < e->attrs.n_dynamic; k++)
                                attrs_add_dynamic(j->expr, e->attrs.dynamic[k]);
                        return true;
                }
                return dup_attr_path(ps, path, pos, j->pos);
        }
        /* Like Nix's setName: a bound lambda, and the lambdas it returns
         * directly (x: y: …), take the attribute's name for traces. */
        for (Expr *l = e; l->kind == EXPR_LAMBDA; l = l->lambda.body)
                l->lambda.name = an->sym;
        attrs_add(attrs, (AttrDef) { an->sym, ATTR_DEF_PLAIN, e, pos });
        return true;
}

/* binds: (attrpath = expr; | inherit …;)* up to the closing token. */
static Expr *parse_binds(Parser *ps, Pos pos, int closing) {
        Expr *attrs = expr_new(EXPR_ATTRS, pos);
        for (;;) {
                Token *t = peek(ps);
                if (t->kind == closing)
                        return attrs;
                if (t->kind == TOK_INHERIT) {
                        Token inh = next(ps);
                        Expr *from = NULL;
                        if (peek(ps)->kind == '(') {
                                next(ps);
                                from = parse_expr(ps);
                                if (!from || !expect(ps, ')'))
                                        return NULL;
                        }
                        /* Nix places inherited attributes at the end of the
                         * token before the names (`inherit` or `)`). */
                        Pos names_pos = { .file = ps->file, .line = ps->prev.end_line,
                                          .col = ps->prev.end_col, .origin = ps->origin };
                        for (;;) {
                                Token *a = peek(ps);
                                if (a->kind == ';')
                                        break;
                                Pos apos = names_pos;
                                AttrName an;
                                bool dyn;
                                if (a->kind != TOK_ID && a->kind != TOK_OR_KW && a->kind != '"' && a->kind != TOK_DOLLAR_CURLY)
                                        return unexpected(ps, "';'");
                                if (!parse_attr_name(ps, &an, &dyn))
                                        return NULL;
                                if (dyn)
                                        return fail_at(ps, apos, "dynamic attributes not allowed in inherit");
                                AttrDef *prev = attrs_find(attrs, an.sym);
                                if (prev)
                                        return fail_at(ps, apos, "attribute '%s' already defined at %s",
                                                       symbol_str(an.sym), pos_to_string(prev->pos));
                                Expr *e;
                                if (from) {
                                        e = expr_new(EXPR_SELECT, tok_pos(ps, &inh));
                                        e->select.e = from;
                                        e->select.path.n = 1;
                                        e->select.path.names = ast_alloc(sizeof(AttrName));
                                        e->select.path.names[0].sym = an.sym;
                                } else {
                                        e = expr_new(EXPR_VAR, apos);
                                        e->var.name = an.sym;
                                }
                                attrs_add(attrs, (AttrDef) { an.sym, from ? ATTR_DEF_INHERIT_FROM : ATTR_DEF_INHERITED, e, apos });
                        }
                        next(ps);
                        continue;
                }
                if (t->kind != TOK_ID && t->kind != TOK_OR_KW && t->kind != '"' && t->kind != TOK_DOLLAR_CURLY)
                        return unexpected(ps, NULL);
                Pos apos = tok_pos(ps, t);
                AttrPath path;
                if (!parse_attr_path(ps, &path))
                        return NULL;
                if (!expect(ps, '='))
                        return NULL;
                Expr *e = parse_expr(ps);
                if (!e || !expect(ps, ';'))
                        return NULL;
                if (!add_attr(ps, attrs, &path, e, apos))
                        return NULL;
        }
}

static int formal_cmp(const void *a, const void *b) {
        const Formal *x = a, *y = b;
        int c = symbol_compare(x->name, y->name);
        if (c)
                return c;
        if (x->pos.line != y->pos.line)
                return x->pos.line < y->pos.line ? -1 : 1;
        return x->pos.col < y->pos.col ? -1 : x->pos.col > y->pos.col;
}

/* '{' formals '}' — the opening brace is already consumed. */
static Expr *parse_formals(Parser *ps, Expr *lambda) {
        uint32_t n = 0, cap = 4;
        Formal *formals = ast_alloc(sizeof(Formal) * cap);
        for (;;) {
                Token *t = peek(ps);
                if (t->kind == '}')
                        break;
                if (t->kind == TOK_ELLIPSIS) {
                        next(ps);
                        lambda->lambda.ellipsis = true;
                        if (peek(ps)->kind != '}')
                                return unexpected(ps, "'}'");
                        break;
                }
                if (t->kind != TOK_ID)
                        return unexpected(ps, "ID");
                Token id = next(ps);
                Formal f = { .name = symbol_intern(id.str, id.len), .pos = tok_pos(ps, &id) };
                if (peek(ps)->kind == '?') {
                        next(ps);
                        f.def = parse_expr(ps);
                        if (!f.def)
                                return NULL;
                }
                if (n == cap) {
                        Formal *nf = ast_alloc(sizeof(Formal) * cap * 2);
                        memcpy(nf, formals, sizeof(Formal) * n);
                        formals = nf;
                        cap *= 2;
                }
                formals[n++] = f;
                if (peek(ps)->kind == ',') {
                        next(ps);
                        continue;
                }
                if (peek(ps)->kind != '}')
                        return unexpected(ps, "'}'");
        }
        next(ps); /* } */
        qsort(formals, n, sizeof(Formal), formal_cmp);
        for (uint32_t i = 0; i + 1 < n; i++)
                if (formals[i].name == formals[i + 1].name)
                        return fail_at(ps, formals[i + 1].pos, "duplicate formal function argument '%s'",
                                       symbol_str(formals[i].name));
        lambda->lambda.has_formals = true;
        lambda->lambda.n_formals = n;
        lambda->lambda.formals = formals;
        return lambda;
}

static bool has_formal(Expr *lambda, Symbol s) {
        for (uint32_t i = 0; i < lambda->lambda.n_formals; i++)
                if (lambda->lambda.formals[i].name == s)
                        return true;
        return false;
}

/* After '{' is seen: does this brace open a formals list (a lambda)? */
static bool looks_like_formals(Parser *ps) {
        Token *a = peek_n(ps, 1);
        if (a->kind == '}') {
                int k = peek_n(ps, 2)->kind;
                return k == ':' || k == '@';
        }
        if (a->kind == TOK_ELLIPSIS)
                return true;
        if (a->kind == TOK_ID) {
                int k = peek_n(ps, 2)->kind;
                return k == ',' || k == '?' || k == '}';
        }
        return false;
}

static Expr *parse_function(Parser *ps) {
        Token *t = peek(ps);
        Pos pos = tok_pos(ps, t);
        if (t->kind == TOK_ID && peek_n(ps, 1)->kind == ':') {
                Token id = next(ps);
                next(ps);
                Expr *e = expr_new(EXPR_LAMBDA, pos);
                e->lambda.arg = symbol_intern(id.str, id.len);
                e->lambda.body = parse_expr(ps);
                return e->lambda.body ? e : NULL;
        }
        if (t->kind == TOK_ID && peek_n(ps, 1)->kind == '@') {
                Token id = next(ps);
                next(ps);
                if (!expect(ps, '{'))
                        return NULL;
                Expr *e = expr_new(EXPR_LAMBDA, pos);
                e->lambda.arg = symbol_intern(id.str, id.len);
                if (!parse_formals(ps, e))
                        return NULL;
                if (has_formal(e, e->lambda.arg))
                        return fail_at(ps, pos, "duplicate formal function argument '%s'", symbol_str(e->lambda.arg));
                if (!expect(ps, ':'))
                        return NULL;
                e->lambda.body = parse_expr(ps);
                return e->lambda.body ? e : NULL;
        }
        if (t->kind == '{' && looks_like_formals(ps)) {
                next(ps);
                Expr *e = expr_new(EXPR_LAMBDA, pos);
                if (!parse_formals(ps, e))
                        return NULL;
                if (peek(ps)->kind == '@') {
                        next(ps);
                        Token *id = peek(ps);
                        if (id->kind != TOK_ID)
                                return unexpected(ps, "ID");
                        Token idt = next(ps);
                        e->lambda.arg = symbol_intern(idt.str, idt.len);
                        if (has_formal(e, e->lambda.arg))
                                return fail_at(ps, pos, "duplicate formal function argument '%s'", symbol_str(e->lambda.arg));
                }
                if (!expect(ps, ':'))
                        return NULL;
                e->lambda.body = parse_expr(ps);
                return e->lambda.body ? e : NULL;
        }
        if (t->kind == TOK_ASSERT) {
                next(ps);
                Expr *e = expr_new(EXPR_ASSERT, pos);
                e->assert_.cond = parse_expr(ps);
                if (!e->assert_.cond || !expect(ps, ';'))
                        return NULL;
                e->assert_.body = parse_expr(ps);
                return e->assert_.body ? e : NULL;
        }
        if (t->kind == TOK_WITH) {
                next(ps);
                Expr *e = expr_new(EXPR_WITH, pos);
                e->with.attrs = parse_expr(ps);
                if (!e->with.attrs || !expect(ps, ';'))
                        return NULL;
                e->with.body = parse_expr(ps);
                return e->with.body ? e : NULL;
        }
        if (t->kind == TOK_LET && peek_n(ps, 1)->kind != '{') {
                next(ps);
                Expr *attrs = parse_binds(ps, pos, TOK_IN);
                if (!attrs)
                        return NULL;
                if (!expect(ps, TOK_IN))
                        return NULL;
                if (attrs->attrs.n_dynamic)
                        return fail_at(ps, attrs->attrs.dynamic[0].pos, "dynamic attributes not allowed in let");
                attrs->attrs.recursive = true;
                Expr *e = expr_new(EXPR_LET, pos);
                e->let.attrs = attrs;
                e->let.body = parse_expr(ps);
                return e->let.body ? e : NULL;
        }
        if (t->kind == TOK_IF) {
                next(ps);
                Expr *e = expr_new(EXPR_IF, pos);
                if (!(e->if_.cond = parse_expr(ps)) || !expect(ps, TOK_THEN))
                        return NULL;
                if (!(e->if_.then_ = parse_expr(ps)) || !expect(ps, TOK_ELSE))
                        return NULL;
                if (!(e->if_.else_ = parse_expr(ps)))
                        return NULL;
                return e;
        }
        return parse_op(ps, 0);
}

static Expr *parse_expr(Parser *ps) {
        if (!enter(ps))
                return NULL;
        Expr *e = parse_function(ps);
        ps->depth--;
        return e;
}

/* Binary operators, lowest precedence first (Nix 2.8's parser.y). */
enum {
        PREC_IMPL = 1,
        PREC_OR,
        PREC_AND,
        PREC_EQ,
        PREC_CMP,
        PREC_UPDATE,
        PREC_NOT,
        PREC_ADD,
        PREC_MUL,
        PREC_CONCAT,
        PREC_HAS_ATTR,
        PREC_NEGATE,
};

typedef struct OpInfo {
        int prec;
        int assoc; /* 'l', 'r', 'n' */
} OpInfo;

static OpInfo op_info(int kind) {
        switch (kind) {
        case TOK_IMPL: return (OpInfo) { PREC_IMPL, 'r' };
        case TOK_OR: return (OpInfo) { PREC_OR, 'l' };
        case TOK_AND: return (OpInfo) { PREC_AND, 'l' };
        case TOK_EQ:
        case TOK_NEQ: return (OpInfo) { PREC_EQ, 'n' };
        case '<':
        case '>':
        case TOK_LEQ:
        case TOK_GEQ: return (OpInfo) { PREC_CMP, 'n' };
        case TOK_UPDATE: return (OpInfo) { PREC_UPDATE, 'r' };
        case '+':
        case '-': return (OpInfo) { PREC_ADD, 'l' };
        case '*':
        case '/': return (OpInfo) { PREC_MUL, 'l' };
        case TOK_CONCAT: return (OpInfo) { PREC_CONCAT, 'r' };
        case '?': return (OpInfo) { PREC_HAS_ATTR, 'n' };
        }
        return (OpInfo) { 0, 0 };
}

static Expr *parse_app(Parser *ps);

static Expr *parse_op(Parser *ps, int min_prec) {
        if (!enter(ps))
                return NULL;
        Token *t = peek(ps);
        Pos pos = tok_pos(ps, t);
        Expr *lhs;
        if (t->kind == '!') {
                next(ps);
                Expr *x = parse_op(ps, PREC_NOT + 1);
                if (!x)
                        return NULL;
                lhs = expr_new(EXPR_NOT, pos);
                lhs->unary = x;
        } else if (t->kind == '-') {
                next(ps);
                Expr *x = parse_op(ps, PREC_NEGATE + 1);
                if (!x)
                        return NULL;
                lhs = expr_new(EXPR_NEGATE, pos);
                lhs->unary = x;
        } else
                lhs = parse_app(ps);
        if (!lhs)
                return NULL;

        int last_nonassoc = 0;
        for (;;) {
                Token *o = peek(ps);
                OpInfo info = op_info(o->kind);
                if (info.prec == 0 || info.prec < min_prec)
                        break;
                if (info.prec == last_nonassoc)
                        return unexpected(ps, NULL);
                Token op = next(ps);
                if (op.kind == '?') {
                        Expr *e = expr_new(EXPR_HAS_ATTR, pos);
                        e->has_attr.e = lhs;
                        if (!parse_attr_path(ps, &e->has_attr.path))
                                return NULL;
                        lhs = e;
                        last_nonassoc = info.prec;
                        continue;
                }
                Expr *rhs = parse_op(ps, info.assoc == 'r' ? info.prec : info.prec + 1);
                if (!rhs)
                        return NULL;
                switch (op.kind) {
                case TOK_IMPL: lhs = mk_bin(EXPR_IMPL, pos, lhs, rhs); break;
                case TOK_OR: lhs = mk_bin(EXPR_OR, pos, lhs, rhs); break;
                case TOK_AND: lhs = mk_bin(EXPR_AND, pos, lhs, rhs); break;
                case TOK_EQ: lhs = mk_bin(EXPR_EQ, pos, lhs, rhs); break;
                case TOK_NEQ: lhs = mk_bin(EXPR_NEQ, pos, lhs, rhs); break;
                case '<': lhs = mk_bin(EXPR_LT, pos, lhs, rhs); break;
                case '>': lhs = mk_bin(EXPR_GT, pos, lhs, rhs); break;
                case TOK_LEQ: lhs = mk_bin(EXPR_LE, pos, lhs, rhs); break;
                case TOK_GEQ: lhs = mk_bin(EXPR_GE, pos, lhs, rhs); break;
                case TOK_UPDATE: lhs = mk_bin(EXPR_UPDATE, pos, lhs, rhs); break;
                case '+': {
                        Parts p = { 0 };
                        parts_add(&p, lhs, pos);
                        parts_add(&p, rhs, rhs->pos);
                        lhs = mk_concat(pos, false, &p);
                        break;
                }
                case '-': lhs = mk_bin(EXPR_SUB, pos, lhs, rhs); break;
                case '*': lhs = mk_bin(EXPR_MUL, pos, lhs, rhs); break;
                case '/': lhs = mk_bin(EXPR_DIV, pos, lhs, rhs); break;
                case TOK_CONCAT: lhs = mk_bin(EXPR_CONCAT_LISTS, pos, lhs, rhs); break;
                }
                last_nonassoc = info.assoc == 'n' ? info.prec : 0;
        }
        ps->depth--;
        return lhs;
}

static bool starts_select(int k) {
        switch (k) {
        case TOK_ID: case TOK_INT: case TOK_FLOAT: case '"': case TOK_IND_STRING_OPEN:
        case TOK_PATH: case TOK_HPATH: case TOK_SPATH: case TOK_URI: case '(': case TOK_LET:
        case TOK_REC: case '{': case '[':
                return true;
        }
        return false;
}

static Expr *parse_app(Parser *ps) {
        Pos pos = tok_pos(ps, peek(ps));
        Expr *fn = parse_expr_select(ps);
        if (!fn)
                return NULL;
        if (!starts_select(peek(ps)->kind))
                return fn;
        uint32_t n = 0, cap = 4;
        Expr **args = ast_alloc(sizeof(Expr *) * cap);
        while (starts_select(peek(ps)->kind)) {
                Expr *a = parse_expr_select(ps);
                if (!a)
                        return NULL;
                if (n == cap) {
                        Expr **na = ast_alloc(sizeof(Expr *) * cap * 2);
                        memcpy(na, args, sizeof(Expr *) * n);
                        args = na;
                        cap *= 2;
                }
                args[n++] = a;
        }
        Expr *e = expr_new(EXPR_CALL, pos);
        e->call.fn = fn;
        e->call.n_args = n;
        e->call.args = args;
        return e;
}

static Expr *parse_expr_select(Parser *ps) {
        Pos pos = tok_pos(ps, peek(ps));
        Expr *e = parse_expr_simple(ps);
        if (!e)
                return NULL;
        int k = peek(ps)->kind;
        if (k == '.') {
                next(ps);
                Expr *s = expr_new(EXPR_SELECT, pos);
                s->select.e = e;
                if (!parse_attr_path(ps, &s->select.path))
                        return NULL;
                if (peek(ps)->kind == TOK_OR_KW) {
                        next(ps);
                        if (!enter(ps))
                                return NULL;
                        s->select.def = parse_expr_select(ps);
                        ps->depth--;
                        if (!s->select.def)
                                return NULL;
                }
                return s;
        }
        if (k == TOK_OR_KW) {
                /* `f or`: Nix applies f to a variable named "or". */
                Token o = next(ps);
                Expr *arg = mk_var(tok_pos(ps, &o), "or");
                return mk_call(pos, e, 1, &arg);
        }
        return e;
}

static Expr *parse_path(Parser *ps, Token *first) {
        Pos pos = tok_pos(ps, first);
        Expr *start;
        if (first->kind == TOK_HPATH) {
                const char *home = getenv("HOME");
                StrBuf sb = STRBUF_INIT;
                strbuf_adds(&sb, home ? home : "");
                strbuf_add(&sb, first->str + 1, first->len - 1);
                start = expr_new(EXPR_PATH, pos);
                start->constant = ast_alloc(sizeof(Value));
                value_set_path(start->constant, canon_path_in(sb.buf, "/", true));
                strbuf_release(&sb);
        } else {
                char *p = canon_path_in(first->str, ps->base_dir, true);
                /* Keep a trailing slash of the first segment of an
                 * interpolated path ("./a/${x}"). */
                if (first->len > 1 && first->str[first->len - 1] == '/' && strcmp(p, "/") != 0) {
                        size_t l = strlen(p);
                        char *q = ast_alloc(l + 2);
                        memcpy(q, p, l);
                        q[l] = '/';
                        q[l + 1] = 0;
                        p = q;
                }
                start = expr_new(EXPR_PATH, pos);
                start->constant = ast_alloc(sizeof(Value));
                value_set_path(start->constant, p);
        }
        if (peek(ps)->kind == TOK_PATH_END) {
                next(ps);
                return start;
        }
        Parts p = { 0 };
        parts_add(&p, start, pos);
        for (;;) {
                Token *t = peek(ps);
                if (t->kind == TOK_STR) {
                        Token s = next(ps);
                        parts_add(&p, mk_string(tok_pos(ps, &s), s.str, s.len), tok_pos(ps, &s));
                } else if (t->kind == TOK_DOLLAR_CURLY) {
                        Pos ipos = tok_pos(ps, t);
                        Expr *e = parse_interpolation(ps);
                        if (!e)
                                return NULL;
                        parts_add(&p, e, ipos);
                } else if (t->kind == TOK_PATH_END) {
                        next(ps);
                        break;
                } else
                        return unexpected(ps, NULL);
        }
        return mk_concat(pos, false, &p);
}

static Expr *parse_expr_simple(Parser *ps) {
        Token *t = peek(ps);
        Pos pos = tok_pos(ps, t);
        switch (t->kind) {
        case TOK_ID: {
                Token id = next(ps);
                if (id.len == 8 && memcmp(id.str, "__curPos", 8) == 0)
                        return expr_new(EXPR_CUR_POS, pos);
                Expr *e = expr_new(EXPR_VAR, pos);
                e->var.name = symbol_intern(id.str, id.len);
                return e;
        }
        case TOK_INT: {
                Token n = next(ps);
                Expr *e = expr_new(EXPR_INT, pos);
                e->integer = n.integer;
                return e;
        }
        case TOK_FLOAT: {
                Token n = next(ps);
                Expr *e = expr_new(EXPR_FLOAT, pos);
                e->fpoint = n.fpoint;
                return e;
        }
        case '"':
                next(ps);
                return parse_string_parts(ps, pos);
        case TOK_IND_STRING_OPEN:
                next(ps);
                return parse_ind_string(ps, pos);
        case TOK_PATH:
        case TOK_HPATH: {
                Token p = next(ps);
                return parse_path(ps, &p);
        }
        case TOK_SPATH: {
                Token p = next(ps);
                Expr *args[2] = { mk_var(pos, "__nixPath"), mk_string(pos, p.str + 1, p.len - 2) };
                return mk_call(pos, mk_var(pos, "__findFile"), 2, args);
        }
        case TOK_URI: {
                Token u = next(ps);
                return mk_string(pos, u.str, u.len);
        }
        case '(': {
                next(ps);
                Expr *e = parse_expr(ps);
                if (!e || !expect(ps, ')'))
                        return NULL;
                return e;
        }
        case TOK_LET: {
                /* let { …; body = …; } is (rec { … }).body */
                next(ps);
                if (!expect(ps, '{'))
                        return NULL;
                Expr *attrs = parse_binds(ps, pos, '}');
                if (!attrs || !expect(ps, '}'))
                        return NULL;
                attrs->attrs.recursive = true;
                Expr *s = expr_new(EXPR_SELECT, pos);
                s->select.e = attrs;
                s->select.path.n = 1;
                s->select.path.names = ast_alloc(sizeof(AttrName));
                s->select.path.names[0].sym = symbol_intern_str("body");
                return s;
        }
        case TOK_REC: {
                next(ps);
                if (!expect(ps, '{'))
                        return NULL;
                Expr *attrs = parse_binds(ps, pos, '}');
                if (!attrs || !expect(ps, '}'))
                        return NULL;
                attrs->attrs.recursive = true;
                return attrs;
        }
        case '{': {
                next(ps);
                Expr *attrs = parse_binds(ps, pos, '}');
                if (!attrs || !expect(ps, '}'))
                        return NULL;
                return attrs;
        }
        case '[': {
                next(ps);
                uint32_t n = 0, cap = 4;
                Expr **elems = ast_alloc(sizeof(Expr *) * cap);
                while (peek(ps)->kind != ']') {
                        if (!starts_select(peek(ps)->kind))
                                return unexpected(ps, "']'");
                        if (!enter(ps))
                                return NULL;
                        Expr *x = parse_expr_select(ps);
                        ps->depth--;
                        if (!x)
                                return NULL;
                        if (n == cap) {
                                Expr **ne = ast_alloc(sizeof(Expr *) * cap * 2);
                                memcpy(ne, elems, sizeof(Expr *) * n);
                                elems = ne;
                                cap *= 2;
                        }
                        elems[n++] = x;
                }
                next(ps);
                Expr *e = expr_new(EXPR_LIST, pos);
                e->list.n = n;
                e->list.elems = elems;
                return e;
        }
        }
        return unexpected(ps, NULL);
}

int parse_nix(const char *text, size_t len, PosOrigin origin, const char *file,
              const char *base_dir, Expr **ret, ParseError *ret_error) {
        Parser ps = {
                .lx = lexer_new(text, len),
                .origin = origin,
                .file = file,
                .base_dir = base_dir,
                .error = ret_error,
        };
        Expr *e = parse_expr(&ps);
        if (e && peek(&ps)->kind != TOK_EOF)
                e = unexpected(&ps, NULL);
        if (!e && !ps.failed)
                fail_at(&ps, tok_pos(&ps, peek(&ps)), "syntax error");
        lexer_free(ps.lx);
        if (!e)
                return -EINVAL;
        *ret = e;
        return 0;
}

const char *attr_path_to_string(const AttrPath *path) {
        StrBuf sb = STRBUF_INIT;
        for (uint32_t i = 0; i < path->n; i++) {
                if (i)
                        strbuf_addc(&sb, '.');
                if (path->names[i].expr)
                        strbuf_adds(&sb, "\"${...}\"");
                else
                        strbuf_adds(&sb, symbol_str(path->names[i].sym));
        }
        char *r = ast_strndup(sb.buf, sb.len);
        strbuf_release(&sb);
        return r;
}
