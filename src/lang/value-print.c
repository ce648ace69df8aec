#include "value-print.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "eval-internal.h"

void print_string_literal(StrBuf *out, const char *s) {
        strbuf_addc(out, '"');
        for (const char *p = s; *p; p++) {
                if (*p == '"' || *p == '\\') {
                        strbuf_addc(out, '\\');
                        strbuf_addc(out, *p);
                } else if (*p == '\n')
                        strbuf_adds(out, "\\n");
                else if (*p == '\r')
                        strbuf_adds(out, "\\r");
                else if (*p == '\t')
                        strbuf_adds(out, "\\t");
                else if (*p == '$' && p[1] == '{')
                        strbuf_adds(out, "\\$");
                else
                        strbuf_addc(out, *p);
        }
        strbuf_addc(out, '"');
}

void print_identifier(StrBuf *out, const char *s) {
        /* Nix 2.8 quotes names that do not lex as identifiers, and of the
         * keywords only "if" (its printer's own known gap). */
        if (!*s) {
                strbuf_adds(out, "\"\"");
                return;
        }
        if (strcmp(s, "if") == 0) {
                strbuf_adds(out, "\"if\"");
                return;
        }
        bool ident = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_';
        for (const char *p = s + 1; ident && *p; p++)
                ident = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                        *p == '_' || *p == '\'' || *p == '-';
        if (ident)
                strbuf_adds(out, s);
        else
                print_string_literal(out, s);
}

/* Sets and lists already printed once, by identity. */
typedef struct Seen {
        size_t n, cap;
        const void **items;
} Seen;

static bool seen_insert(Seen *s, const void *p) {
        for (size_t i = 0; i < s->n; i++)
                if (s->items[i] == p)
                        return false;
        if (s->n == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 16;
                const void **n = gc_alloc(sizeof(void *) * cap);
                if (s->n)
                        memcpy(n, s->items, sizeof(void *) * s->n);
                s->items = n;
                s->cap = cap;
        }
        s->items[s->n++] = p;
        return true;
}

static void print(EvalState *st, Value *v, Seen *seen, StrBuf *out) {
        switch (v->type) {
        case VT_INT:
                strbuf_addf(out, "%" PRId64, v->integer);
                break;
        case VT_BOOL:
                strbuf_adds(out, v->boolean ? "true" : "false");
                break;
        case VT_STRING:
                print_string_literal(out, v->string.s);
                break;
        case VT_PATH:
                strbuf_adds(out, v->path);
                break;
        case VT_NULL:
                strbuf_adds(out, "null");
                break;
        case VT_ATTRS:
                if (v->attrs->size && !seen_insert(seen, v->attrs))
                        strbuf_adds(out, "«repeated»");
                else {
                        strbuf_adds(out, "{ ");
                        Attr **sorted = bindings_sorted_by_name(v->attrs);
                        for (uint32_t i = 0; i < v->attrs->size; i++) {
                                print_identifier(out, symbol_str(sorted[i]->name));
                                strbuf_adds(out, " = ");
                                print(st, sorted[i]->value, seen, out);
                                strbuf_adds(out, "; ");
                        }
                        strbuf_addc(out, '}');
                }
                break;
        case VT_LIST:
                /* Nix keeps lists of one or two elements inside the value
                 * itself, so only the same value repeats for those. */
                if (v->list.size && !seen_insert(seen, v->list.size <= 2 ? (const void *) v : (const void *) v->list.elems))
                        strbuf_adds(out, "«repeated»");
                else {
                        strbuf_adds(out, "[ ");
                        for (size_t i = 0; i < v->list.size; i++) {
                                print(st, v->list.elems[i], seen, out);
                                strbuf_addc(out, ' ');
                        }
                        strbuf_addc(out, ']');
                }
                break;
        case VT_THUNK:
        case VT_APP:
        case VT_APP_INDEX:
        case VT_APP_NAME:
        case VT_BLACKHOLE:
                strbuf_adds(out, "<CODE>");
                break;
        case VT_LAMBDA:
                strbuf_adds(out, "<LAMBDA>");
                break;
        case VT_PRIMOP:
                strbuf_adds(out, "<PRIMOP>");
                break;
        case VT_PRIMOP_APP:
                strbuf_adds(out, "<PRIMOP-APP>");
                break;
        case VT_EXTERNAL:
                strbuf_adds(out, "<EXTERNAL>");
                break;
        case VT_FLOAT:
                strbuf_addf(out, "%g", v->fpoint);
                break;
        }
}

int value_print(EvalState *st, Value *v, bool strict, StrBuf *out) {
        int r = strict ? eval_force_deep(st, v, NULL) : eval_force(st, v, NULL);
        if (r < 0)
                return r;
        Seen seen = { 0 };
        print(st, v, &seen, out);
        return 0;
}
