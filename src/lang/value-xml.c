/* Values to XML, byte for byte as Nix 2.8's printValueAsXML and XMLWriter:
 * an XML declaration, then <expr> with one element per value, indented by
 * two spaces per level; element attributes in name order (XMLWriter keeps
 * them in a std::map); derivations shown once, later as <repeated />. */
#include "value-xml.h"

#include <inttypes.h>
#include <string.h>

#include "gc-alloc.h"
#include "xalloc.h"

typedef struct XmlWriter {
        StrBuf *out;
        /* The open elements (static names), innermost last. */
        size_t depth, cap_open;
        const char **open;
        bool strict, location;
        ContextBuilder *cb;
        /* drvPaths already shown: an open-addressing set on the GC heap. */
        size_t n_seen, cap_seen;
        const char **seen;
} XmlWriter;

typedef struct XmlAttr {
        const char *name;
        const char *value;
} XmlAttr;

static void write_escaped(StrBuf *out, const char *s) {
        for (; *s; s++)
                switch (*s) {
                case '"': strbuf_adds(out, "&quot;"); break;
                case '<': strbuf_adds(out, "&lt;"); break;
                case '>': strbuf_adds(out, "&gt;"); break;
                case '&': strbuf_adds(out, "&amp;"); break;
                /* Keeps newlines from attribute-value normalisation. */
                case '\n': strbuf_adds(out, "&#xA;"); break;
                default: strbuf_addc(out, *s);
                }
}

/* attrs must be in name order; entries with a NULL value are skipped. */
static void write_tag(XmlWriter *w, const char *name, const XmlAttr *attrs, size_t n, bool empty) {
        for (size_t i = 0; i < w->depth * 2; i++)
                strbuf_addc(w->out, ' ');
        strbuf_addc(w->out, '<');
        strbuf_adds(w->out, name);
        for (size_t i = 0; i < n; i++) {
                if (!attrs[i].value)
                        continue;
                strbuf_addc(w->out, ' ');
                strbuf_adds(w->out, attrs[i].name);
                strbuf_adds(w->out, "=\"");
                write_escaped(w->out, attrs[i].value);
                strbuf_addc(w->out, '"');
        }
        strbuf_adds(w->out, empty ? " />\n" : ">\n");
        if (!empty) {
                if (w->depth == w->cap_open) {
                        w->cap_open = w->cap_open ? w->cap_open * 2 : 16;
                        w->open = xrealloc(w->open, w->cap_open * sizeof(char *));
                }
                w->open[w->depth++] = name;
        }
}

static void open_element(XmlWriter *w, const char *name, const XmlAttr *attrs, size_t n) {
        write_tag(w, name, attrs, n, false);
}

static void empty_element(XmlWriter *w, const char *name, const XmlAttr *attrs, size_t n) {
        write_tag(w, name, attrs, n, true);
}

static void close_element(XmlWriter *w) {
        const char *name = w->open[--w->depth];
        for (size_t i = 0; i < w->depth * 2; i++)
                strbuf_addc(w->out, ' ');
        strbuf_adds(w->out, "</");
        strbuf_adds(w->out, name);
        strbuf_adds(w->out, ">\n");
}

static void empty_with_value(XmlWriter *w, const char *name, const char *value) {
        XmlAttr a = { "value", value };
        empty_element(w, name, &a, 1);
}

/* Nix 2.8 prints Pos::file, which for expressions from the command line or
 * standard input is the source text itself; the core gives it to us as
 * file when it has it. */
static const char *pos_file(const Pos *pos) {
        return pos->file ? pos->file : "";
}

static size_t str_hash(const char *s) {
        size_t h = 5381;
        for (; *s; s++)
                h = h * 33 + (unsigned char) *s;
        return h;
}

/* Returns true when s was not in the set yet (and adds it). */
static bool seen_insert(XmlWriter *w, const char *s) {
        if (2 * (w->n_seen + 1) > w->cap_seen) {
                size_t cap = w->cap_seen ? w->cap_seen * 2 : 16;
                const char **seen = gc_alloc(cap * sizeof(char *));
                for (size_t i = 0; i < w->cap_seen; i++) {
                        if (!w->seen[i])
                                continue;
                        size_t j = str_hash(w->seen[i]) & (cap - 1);
                        while (seen[j])
                                j = (j + 1) & (cap - 1);
                        seen[j] = w->seen[i];
                }
                w->seen = seen;
                w->cap_seen = cap;
        }
        size_t j = str_hash(s) & (w->cap_seen - 1);
        for (; w->seen[j]; j = (j + 1) & (w->cap_seen - 1))
                if (strcmp(w->seen[j], s) == 0)
                        return false;
        w->seen[j] = s;
        w->n_seen++;
        return true;
}

static int to_xml(XmlWriter *w, EvalState *st, Value *v, const Pos *pos);

static int show_attrs(XmlWriter *w, EvalState *st, Bindings *b, const Pos *pos) {
        Attr **sorted = bindings_sorted_by_name(b);
        char line[16], column[16];
        int r;

        for (uint32_t i = 0; i < b->size; i++) {
                Attr *a = sorted[i];
                XmlAttr xa[4] = {
                        { "column", NULL },
                        { "line", NULL },
                        { "name", symbol_str(a->name) },
                        { "path", NULL },
                };
                if (w->location && a->pos && a->pos->line > 0) {
                        snprintf(line, sizeof line, "%" PRIu32, a->pos->line);
                        snprintf(column, sizeof column, "%" PRIu32, a->pos->col);
                        xa[0].value = column;
                        xa[1].value = line;
                        xa[3].value = pos_file(a->pos);
                }
                open_element(w, "attr", xa, ELEMENTSOF(xa));
                r = to_xml(w, st, a->value, a->pos ? a->pos : pos);
                if (r < 0)
                        return r;
                close_element(w);
        }
        return 0;
}

static int derivation_to_xml(XmlWriter *w, EvalState *st, Value *v, const Pos *pos) {
        const EvalSymbols *sy = eval_symbols(st);
        XmlAttr xa[2] = { { "drvPath", NULL }, { "outPath", NULL } };
        const char *drv_path = NULL;
        Attr *a;
        int r;

        a = eval_get_attr(v, sy->drvPath);
        if (a) {
                if (w->strict) {
                        r = eval_force(st, a->value, a->pos ? a->pos : pos);
                        if (r < 0)
                                return r;
                }
                if (a->value->type == VT_STRING)
                        xa[0].value = drv_path = a->value->string.s;
        }
        a = eval_get_attr(v, sy->outPath);
        if (a) {
                if (w->strict) {
                        r = eval_force(st, a->value, a->pos ? a->pos : pos);
                        if (r < 0)
                                return r;
                }
                if (a->value->type == VT_STRING)
                        xa[1].value = a->value->string.s;
        }

        open_element(w, "derivation", xa, ELEMENTSOF(xa));
        if (drv_path && *drv_path && seen_insert(w, drv_path)) {
                r = show_attrs(w, st, v->attrs, pos);
                if (r < 0)
                        return r;
        } else
                empty_element(w, "repeated", NULL, 0);
        close_element(w);
        return 0;
}

static int function_to_xml(XmlWriter *w, Value *v) {
        const Expr *fun = v->lambda.fun;
        char line[16], column[16];
        XmlAttr xa[3] = { { "column", NULL }, { "line", NULL }, { "path", NULL } };

        if (w->location) {
                snprintf(line, sizeof line, "%" PRIu32, fun->pos.line);
                snprintf(column, sizeof column, "%" PRIu32, fun->pos.col);
                xa[0].value = column;
                xa[1].value = line;
                xa[2].value = pos_file(&fun->pos);
        }
        open_element(w, "function", xa, ELEMENTSOF(xa));

        if (fun->lambda.has_formals) {
                XmlAttr pa[2] = {
                        { "ellipsis", fun->lambda.ellipsis ? "1" : NULL },
                        { "name", fun->lambda.arg ? symbol_str(fun->lambda.arg) : NULL },
                };
                open_element(w, "attrspat", pa, ELEMENTSOF(pa));

                /* Formals in name order (the AST keeps them so already,
                 * but sorting a copy costs little and keeps us honest). */
                uint32_t n = fun->lambda.n_formals;
                Symbol *names = gc_alloc_atomic((n ? n : 1) * sizeof(Symbol));
                for (uint32_t i = 0; i < n; i++) {
                        Symbol s = fun->lambda.formals[i].name;
                        uint32_t j = i;
                        while (j > 0 && symbol_compare(names[j - 1], s) > 0) {
                                names[j] = names[j - 1];
                                j--;
                        }
                        names[j] = s;
                }
                for (uint32_t i = 0; i < n; i++) {
                        XmlAttr na = { "name", symbol_str(names[i]) };
                        empty_element(w, "attr", &na, 1);
                }
                close_element(w);
        } else {
                XmlAttr na = { "name", symbol_str(fun->lambda.arg) };
                empty_element(w, "varpat", &na, 1);
        }

        close_element(w);
        return 0;
}

static int to_xml(XmlWriter *w, EvalState *st, Value *v, const Pos *pos) {
        char buf[64];
        int r;

        if (w->strict) {
                r = eval_force(st, v, pos);
                if (r < 0)
                        return r;
        }

        switch ((ValueType) v->type) {
        case VT_INT:
                snprintf(buf, sizeof buf, "%" PRId64, v->integer);
                empty_with_value(w, "int", buf);
                return 0;
        case VT_BOOL:
                empty_with_value(w, "bool", v->boolean ? "true" : "false");
                return 0;
        case VT_STRING:
                if (w->cb)
                        context_add_all(w->cb, v->string.context);
                empty_with_value(w, "string", v->string.s);
                return 0;
        case VT_PATH:
                empty_with_value(w, "path", v->path);
                return 0;
        case VT_NULL:
                empty_element(w, "null", NULL, 0);
                return 0;
        case VT_FLOAT:
                snprintf(buf, sizeof buf, "%g", v->fpoint);
                empty_with_value(w, "float", buf);
                return 0;
        case VT_ATTRS:
                r = eval_depth_enter(st, pos);
                if (r < 0)
                        return r;
                r = eval_is_derivation(st, v);
                if (r > 0)
                        r = derivation_to_xml(w, st, v, pos);
                else if (r == 0) {
                        open_element(w, "attrs", NULL, 0);
                        r = show_attrs(w, st, v->attrs, pos);
                        if (r >= 0)
                                close_element(w);
                }
                eval_depth_leave(st);
                return r;
        case VT_LIST:
                r = eval_depth_enter(st, pos);
                if (r < 0)
                        return r;
                open_element(w, "list", NULL, 0);
                for (size_t i = 0; i < v->list.size; i++) {
                        r = to_xml(w, st, v->list.elems[i], pos);
                        if (r < 0)
                                break;
                }
                eval_depth_leave(st);
                if (r < 0)
                        return r;
                close_element(w);
                return 0;
        case VT_LAMBDA:
                return function_to_xml(w, v);
        case VT_PRIMOP:
        case VT_PRIMOP_APP:
        case VT_THUNK:
        case VT_APP:
        case VT_APP_INDEX:
        case VT_APP_NAME:
        case VT_BLACKHOLE:
        default:
                /* Nix does not serialise primops either. */
                empty_element(w, "unevaluated", NULL, 0);
                return 0;
        }
}

int value_to_xml(EvalState *st, Value *v, const Pos *pos, bool strict, bool location,
                 ContextBuilder *cb, StrBuf *out) {
        XmlWriter w = {
                .out = out,
                .strict = strict,
                .location = location,
                .cb = cb,
        };
        int r;

        strbuf_adds(out, "<?xml version='1.0' encoding='utf-8'?>\n");
        open_element(&w, "expr", NULL, 0);
        r = to_xml(&w, st, v, pos);
        /* On errors too the open elements are closed, as Nix's XML writer
         * does when it unwinds: callers that print partial output match. */
        while (w.depth > 0)
                close_element(&w);
        free(w.open);
        return r < 0 ? r : 0;
}
