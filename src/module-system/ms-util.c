/* Small helpers: option paths, value builders, messages. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ms-internal.h"
#include "value-print.h"

MsSymbols ms_sym;
MsRoots ms_roots;

void ms_symbols_init(void) {
        static bool done;
        if (done)
                return;
        done = true;
        GC_add_roots(&ms_roots, (char *) &ms_roots + sizeof(ms_roots));
#define S(field, text) ms_sym.field = symbol_intern_str(text)
        S(_type, "_type");
        S(condition, "condition");
        S(content, "content");
        S(contents, "contents");
        S(priority, "priority");
        S(imports, "imports");
        S(options, "options");
        S(config, "config");
        S(_file, "_file");
        S(key, "key");
        S(disabledModules, "disabledModules");
        S(freeformType, "freeformType");
        S(meta, "meta");
        S(_class, "_class");
        S(require, "require");
        S(type, "type");
        S(default_, "default");
        S(apply, "apply");
        S(readOnly, "readOnly");
        S(description, "description");
        S(example, "example");
        S(_module, "_module");
        S(args, "args");
        S(check, "check");
        S(merge, "merge");
        S(name, "name");
        S(file, "file");
        S(value, "value");
        S(lib, "lib");
        S(specialArgs, "specialArgs");
        S(__firnType, "__firnType");
        S(getSubOptions, "getSubOptions");
        S(emptyValue, "emptyValue");
        S(modules, "modules");
        S(shorthandOnlyDefinesConfig, "shorthandOnlyDefinesConfig");
        S(outPath, "outPath");
        S(loc, "loc");
        S(declarations, "declarations");
        S(definitions, "definitions");
        S(definitionsWithLocations, "definitionsWithLocations");
        S(files, "files");
        S(highestPrio, "highestPrio");
        S(isDefined, "isDefined");
        S(descriptionClass, "descriptionClass");
        S(nestedTypes, "nestedTypes");
        S(elemType, "elemType");
        S(functor, "functor");
        S(internal, "internal");
        S(visible, "visible");
        S(defaultText, "defaultText");
        S(freeform, "freeform");
        S(s_option, "option");
#undef S
}

const Loc *loc_push(const Loc *up, const char *name) {
        Loc *l = gc_alloc_small(sizeof(Loc));
        l->up = up;
        l->name = name;
        return l;
}

static size_t loc_depth(const Loc *loc) {
        size_t n = 0;
        for (; loc; loc = loc->up)
                n++;
        return n;
}

static bool is_identifier(const char *s) {
        if (!*s || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
                return false;
        for (const char *p = s; *p; p++)
                if (!(*p == '_' || *p == '-' || *p == '\'' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9')))
                        return false;
        return true;
}

const char *loc_show(const Loc *loc) {
        size_t n = loc_depth(loc);
        const char **parts = gc_alloc(sizeof(char *) * (n + 1));
        for (size_t i = n; i > 0; i--, loc = loc->up)
                parts[i - 1] = loc->name;
        StrBuf sb = STRBUF_INIT;
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strbuf_addc(&sb, '.');
                /* nixpkgs shows the placeholders <name> and * bare. */
                if (is_identifier(parts[i]) || strcmp(parts[i], "<name>") == 0 || strcmp(parts[i], "*") == 0 ||
                    parts[i][0] == '[')
                        strbuf_adds(&sb, parts[i]);
                else
                        print_string_literal(&sb, parts[i]);
        }
        char *s = gc_strdup(sb.buf);
        strbuf_release(&sb);
        return s;
}

Value *loc_to_list(const Loc *loc) {
        size_t n = loc_depth(loc);
        Value *v = value_new();
        value_set_list(v, n);
        for (size_t i = n; i > 0; i--, loc = loc->up)
                v->list.elems[i - 1] = ms_string(loc->name);
        return v;
}

const char *loc_last(const Loc *loc) {
        return loc ? loc->name : "";
}

void *ms_grow(void *array, size_t n, size_t *cap, size_t elem, size_t first_cap) {
        if (n < *cap)
                return array;
        size_t ncap = *cap ? *cap * 2 : first_cap;
        void *bigger = gc_alloc(elem * ncap);
        if (n)
                memcpy(bigger, array, elem * n);
        *cap = ncap;
        return bigger;
}

void defvec_push(DefVec *dv, const Def *d) {
        dv->v = ms_grow(dv->v, dv->n, &dv->cap, sizeof(Def), 2);
        dv->v[dv->n++] = *d;
}

Value *ms_attrs(size_t n, const Symbol *names, Value *const *values) {
        Bindings *b = bindings_new(n);
        for (size_t i = 0; i < n; i++)
                bindings_push(b, names[i], values[i], NULL);
        bindings_sort(b);
        Value *v = value_new();
        value_set_attrs(v, b);
        return v;
}

Value *ms_string(const char *s) {
        Value *v = value_new();
        value_set_string(v, s, NULL);
        return v;
}

Value *ms_int(int64_t n) {
        Value *v = value_new();
        value_set_int(v, n);
        return v;
}

Value *ms_bool(bool b) {
        Value *v = value_new();
        value_set_bool(v, b);
        return v;
}

Value *ms_app(Value *fn, Value *arg) {
        Value *v = value_new();
        value_set_app(v, fn, arg);
        return v;
}

Value *ms_external(const char *kind, void *ptr) {
        Value *v = value_new();
        value_set_external(v, kind, ptr);
        return v;
}

Value *ms_primop(const PrimOp *op, size_t n, Value *const *args) {
        Value *v = value_new();
        v->type = VT_PRIMOP;
        v->primop = op;
        for (size_t i = 0; i < n; i++) {
                Value *app = value_new();
                app->type = VT_PRIMOP_APP;
                app->primop_app.left = v;
                app->primop_app.right = args[i];
                v = app;
        }
        return v;
}

const char *ms_type_tag(EvalState *st, Value *v) {
        if (v->type != VT_ATTRS)
                return NULL;
        Attr *a = bindings_find(v->attrs, ms_sym._type);
        if (!a)
                return NULL;
        if (eval_force(st, a->value, NULL) < 0) {
                eval_state_clear_error(st);
                return NULL;
        }
        return a->value->type == VT_STRING ? a->value->string.s : NULL;
}

/* Forces v to a small depth so the message shows something useful, and
 * prints it; errors while forcing print as «error». */
static void show(EvalState *st, Value *v, int depth, StrBuf *out) {
        if (out->len > 240)
                return;
        if (eval_force(st, v, NULL) < 0) {
                eval_state_clear_error(st);
                strbuf_adds(out, "«error»");
                return;
        }
        switch (v->type) {
        case VT_ATTRS: {
                if (depth >= 2) {
                        strbuf_adds(out, "{ ... }");
                        return;
                }
                if (bindings_find(v->attrs, symbol_intern_str("type"))) {
                        int r = eval_is_derivation(st, v);
                        if (r > 0) {
                                strbuf_adds(out, "«derivation»");
                                return;
                        }
                        eval_state_clear_error(st);
                }
                Attr **sorted = bindings_sorted_by_name(v->attrs);
                strbuf_adds(out, "{ ");
                for (uint32_t i = 0; i < v->attrs->size; i++) {
                        if (out->len > 240) {
                                strbuf_adds(out, "... ");
                                break;
                        }
                        print_identifier(out, symbol_str(sorted[i]->name));
                        strbuf_adds(out, " = ");
                        show(st, sorted[i]->value, depth + 1, out);
                        strbuf_adds(out, "; ");
                }
                strbuf_addc(out, '}');
                return;
        }
        case VT_LIST:
                if (depth >= 2) {
                        strbuf_adds(out, "[ ... ]");
                        return;
                }
                strbuf_adds(out, "[ ");
                for (size_t i = 0; i < v->list.size; i++) {
                        if (out->len > 240) {
                                strbuf_adds(out, "... ");
                                break;
                        }
                        show(st, v->list.elems[i], depth + 1, out);
                        strbuf_addc(out, ' ');
                }
                strbuf_addc(out, ']');
                return;
        case VT_LAMBDA:
        case VT_PRIMOP:
        case VT_PRIMOP_APP:
                strbuf_adds(out, "«lambda»");
                return;
        default:
                value_print(st, v, false, out);
        }
}

void ms_show_value(EvalState *st, Value *v, StrBuf *out) {
        show(st, v, 0, out);
}

const char *ms_def_where(const Def *d) {
        if (!d->pos || d->pos->line == 0 || !d->pos->file || d->pos->origin != POS_FILE)
                return d->file;
        char *s;
        int n;
        if (strcmp(d->pos->file, d->file) == 0)
                n = asprintf(&s, "%s:%" PRIu32 ":%" PRIu32, d->pos->file, d->pos->line, d->pos->col);
        else /* a module that names itself with _file */
                n = asprintf(&s, "%s, at %s:%" PRIu32 ":%" PRIu32, d->file, d->pos->file, d->pos->line, d->pos->col);
        if (n < 0)
                return d->file;
        char *g = gc_strdup(s);
        free(s);
        return g;
}

void ms_show_defs(EvalState *st, const Def *defs, size_t n, StrBuf *out) {
        for (size_t i = 0; i < n; i++) {
                strbuf_addf(out, "\n- In `%s'", ms_def_where(&defs[i]));
                if (defs[i].prio >= 0 && defs[i].prio != MS_PRIO_PLAIN)
                        strbuf_addf(out, " (priority %" PRId32 ")", defs[i].prio);
                strbuf_adds(out, ": ");
                StrBuf v = STRBUF_INIT;
                show(st, defs[i].value, 0, &v);
                strbuf_adds(out, v.buf);
                strbuf_release(&v);
        }
}

int ms_error(EvalState *st, const Pos *pos, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = eval_verror(st, EVAL_ERROR_THROWN, pos, fmt, ap);
        va_end(ap);
        return r;
}
