/* String context builtins: hasContext, getContext, appendContext,
 * unsafeDiscardStringContext, unsafeDiscardOutputDependency.
 *
 * Context elements are in Nix's encoding (value.h): "/nix/store/…" for a
 * plain path, "=/nix/store/….drv" for a derivation with all its outputs,
 * "!out!/nix/store/….drv" for one output. getContext and appendContext
 * translate between that and the attribute set
 *   { "/nix/store/…" = { path = true; allOutputs = true; outputs = [ … ]; }; }
 * where each attribute is present only when it says something. */
#include <stdbool.h>
#include <string.h>

#include "eval.h"
#include "parser.h"
#include "gc-alloc.h"
#include "strbuf.h"
#include "value.h"

/* Length of a store path hash part in Nix base32. */
#define STORE_HASH_LEN 32
#define STORE_NAME_MAX 211

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Nix's Store::isStorePath: directly inside the store directory, a 32
 * character base32 hash part, and a valid name after it. */
static bool is_store_path(EvalState *st, const char *path) {
        const char *store_dir = eval_store_dir(st), *p, *base, *name;
        size_t dir_len;

        if (path[0] != '/')
                return false;
        p = canon_path(path, "/");
        base = strrchr(p, '/');
        dir_len = base == p ? 1 : (size_t) (base - p);
        if (strlen(store_dir) != dir_len || memcmp(store_dir, p, dir_len) != 0)
                return false;
        base++;

        if (strlen(base) < STORE_HASH_LEN + 1)
                return false;
        for (size_t i = 0; i < STORE_HASH_LEN; i++) {
                char c = base[i];

                if (c == 'e' || c == 'o' || c == 'u' || c == 't' || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')))
                        return false;
        }
        /* The character between hash and name is not checked (as in Nix). */
        name = base + STORE_HASH_LEN + 1;
        if (!*name || strlen(name) > STORE_NAME_MAX)
                return false;
        for (const char *c = name; *c; c++)
                if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '+' ||
                      *c == '-' || *c == '.' || *c == '_' || *c == '?' || *c == '='))
                        return false;
        return true;
}

/* An attribute name as Nix prints a symbol in messages: bare when it is an
 * identifier, else quoted with \ before " \ $ and \n \r \t escapes. */
static const char *show_id(const char *s) {
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        bool plain = (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_';

        for (const char *c = s; *c && plain; c++)
                plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                        *c == '_' || *c == '\'' || *c == '-';
        if (plain && strcmp(s, "if") != 0)
                return s;

        strbuf_addc(&sb, '"');
        for (const char *c = s; *c; c++) {
                if (*c == '"' || *c == '\\' || *c == '$') {
                        strbuf_addc(&sb, '\\');
                        strbuf_addc(&sb, *c);
                } else if (*c == '\n')
                        strbuf_adds(&sb, "\\n");
                else if (*c == '\r')
                        strbuf_adds(&sb, "\\r");
                else if (*c == '\t')
                        strbuf_adds(&sb, "\\t");
                else
                        strbuf_addc(&sb, *c);
        }
        strbuf_addc(&sb, '"');
        return gc_strndup(sb.buf, sb.len);
}

static int prim_unsafeDiscardStringContext(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *s;
        int r;

        r = eval_coerce_to_string(st, args[0], pos, NULL, false, true, &s);
        if (r < 0)
                return r;
        value_set_string(ret, s, NULL);
        return 0;
}

static int prim_hasContext(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ContextBuilder cb = { 0 };
        const char *s;
        int r;

        r = eval_force_string(st, args[0], pos, &cb, &s);
        if (r < 0)
                return r;
        value_set_bool(ret, cb.n > 0);
        return 0;
}

static int prim_unsafeDiscardOutputDependency(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ContextBuilder cb = { 0 }, out = { 0 };
        const char **context;
        const char *s;
        int r;

        r = eval_coerce_to_string(st, args[0], pos, &cb, false, true, &s);
        if (r < 0)
                return r;

        /* "=drv" (all outputs) becomes the plain path "drv". */
        context = context_finish(&cb);
        for (size_t i = 0; context && context[i]; i++)
                context_add(&out, context[i][0] == '=' ? gc_strdup(context[i] + 1) : context[i]);
        value_set_string(ret, s, context_finish(&out));
        return 0;
}

/* What getContext collects for one store path. */
typedef struct ContextInfo {
        const char *path;
        bool is_path, all_outputs;
        size_t n_outputs;
        const char **outputs; /* GC */
} ContextInfo;

static ContextInfo *context_info_find(ContextInfo *infos, size_t n, const char *path) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(infos[i].path, path) == 0)
                        return &infos[i];
        return NULL;
}

static int prim_getContext(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const EvalSymbols *sym = eval_symbols(st);
        Symbol s_path, s_all_outputs;
        ContextBuilder cb = { 0 };
        const char **context;
        ContextInfo *infos;
        size_t n_infos = 0, n_context;
        const char *s;
        Bindings *b;
        int r;

        r = eval_force_string(st, args[0], pos, &cb, &s);
        if (r < 0)
                return r;
        context = context_finish(&cb);
        n_context = context_count(context);
        infos = gc_alloc(sizeof(*infos) * (n_context + 1));

        /* Elements come sorted, so each path's outputs come in name order. */
        for (size_t i = 0; i < n_context; i++) {
                const char *e = context[i], *path, *output = NULL;
                bool is_path = false, all_outputs = false;
                ContextInfo *info;

                if (e[0] == '=') {
                        path = e + 1;
                        all_outputs = true;
                } else if (e[0] == '!') {
                        const char *bang = strchr(e + 1, '!');

                        if (!bang)
                                return eval_error(st, EVAL_ERROR_GENERIC, pos, "invalid string context element '%s'", e);
                        path = bang + 1;
                        output = gc_strndup(e + 1, (size_t) (bang - e - 1));
                        if (!*output) {
                                output = NULL;
                                all_outputs = true;
                        }
                } else {
                        path = e;
                        is_path = true;
                }

                info = context_info_find(infos, n_infos, path);
                if (!info) {
                        info = &infos[n_infos++];
                        info->path = path;
                        info->outputs = gc_alloc(sizeof(*info->outputs) * (n_context + 1));
                }
                if (is_path)
                        info->is_path = true;
                else if (all_outputs)
                        info->all_outputs = true;
                else
                        info->outputs[info->n_outputs++] = output;
        }

        s_path = sym->path;
        s_all_outputs = symbol_intern_str("allOutputs");
        b = bindings_new(n_infos);
        for (size_t i = 0; i < n_infos; i++) {
                ContextInfo *info = &infos[i];
                Bindings *ib = bindings_new(3);
                Value *iv = value_new();

                if (info->is_path) {
                        Value *t = value_new();
                        value_set_bool(t, true);
                        bindings_push(ib, s_path, t, NULL);
                }
                if (info->all_outputs) {
                        Value *t = value_new();
                        value_set_bool(t, true);
                        bindings_push(ib, s_all_outputs, t, NULL);
                }
                if (info->n_outputs > 0) {
                        Value *list = value_new();

                        value_set_list(list, info->n_outputs);
                        for (size_t k = 0; k < info->n_outputs; k++) {
                                Value *o = value_new();
                                value_set_string(o, info->outputs[k], NULL);
                                list->list.elems[k] = o;
                        }
                        bindings_push(ib, sym->outputs, list, NULL);
                }
                bindings_sort(ib);
                value_set_attrs(iv, ib);
                bindings_push(b, symbol_intern_str(info->path), iv, NULL);
        }
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

static int prim_appendContext(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const EvalSymbols *sym = eval_symbols(st);
        Symbol s_all_outputs = symbol_intern_str("allOutputs");
        ContextBuilder cb = { 0 };
        const char *s;
        Attr **attrs;
        int r;

        r = eval_force_string(st, args[0], pos, &cb, &s);
        if (r < 0)
                return r;
        r = eval_force_attrs(st, args[1], pos);
        if (r < 0)
                return r;

        attrs = bindings_sorted_by_name(args[1]->attrs);
        for (size_t i = 0; i < args[1]->attrs->size; i++) {
                Attr *a = attrs[i], *sub;
                const char *name = symbol_str(a->name);
                const Pos *apos = a->pos ? a->pos : pos;
                bool b;

                if (!is_store_path(st, name))
                        return eval_error(st, EVAL_ERROR_GENERIC, apos, "Context key '%s' is not a store path",
                                          show_id(name));
                r = eval_force_attrs(st, a->value, apos);
                if (r < 0)
                        return r;

                sub = eval_get_attr(a->value, sym->path);
                if (sub) {
                        r = eval_force_bool(st, sub->value, sub->pos ? sub->pos : apos, &b);
                        if (r < 0)
                                return r;
                        if (b)
                                context_add(&cb, name);
                }

                sub = eval_get_attr(a->value, s_all_outputs);
                if (sub) {
                        r = eval_force_bool(st, sub->value, sub->pos ? sub->pos : apos, &b);
                        if (r < 0)
                                return r;
                        if (b) {
                                if (!has_suffix(name, ".drv"))
                                        return eval_error(st, EVAL_ERROR_GENERIC, apos,
                                                          "Tried to add all-outputs context of %s, which is not a derivation, to a string",
                                                          show_id(name));
                                size_t len = strlen(name);
                                char *elem = gc_alloc_atomic(len + 2);

                                elem[0] = '=';
                                memcpy(elem + 1, name, len + 1);
                                context_add(&cb, elem);
                        }
                }

                sub = eval_get_attr(a->value, sym->outputs);
                if (sub) {
                        const Pos *opos = sub->pos ? sub->pos : apos;
                        Value *list = sub->value;

                        r = eval_force_list(st, list, opos);
                        if (r < 0)
                                return r;
                        if (list->list.size > 0 && !has_suffix(name, ".drv"))
                                return eval_error(st, EVAL_ERROR_GENERIC, apos,
                                                  "Tried to add derivation output context of %s, which is not a derivation, to a string",
                                                  show_id(name));
                        for (size_t k = 0; k < list->list.size; k++) {
                                _cleanup_strbuf_ StrBuf elem = STRBUF_INIT;
                                const char *out;

                                r = eval_force_string_no_context(st, list->list.elems[k], opos, &out);
                                if (r < 0)
                                        return r;
                                strbuf_addf(&elem, "!%s!%s", out, name);
                                context_add(&cb, gc_strndup(elem.buf, elem.len));
                        }
                }
        }

        value_set_string(ret, s, context_finish(&cb));
        return 0;
}

const PrimOp builtins_context[] = {
        {
                .name = "unsafeDiscardStringContext",
                .arity = 1,
                .args = { "s" },
                .doc = "Return the string s without its string context.",
                .fn = prim_unsafeDiscardStringContext,
        },
        {
                .name = "hasContext",
                .arity = 1,
                .args = { "s" },
                .doc = "Return whether the string s has a non-empty string context.",
                .fn = prim_hasContext,
        },
        {
                .name = "unsafeDiscardOutputDependency",
                .arity = 1,
                .args = { "s" },
                .doc = "Turn the all-outputs derivation references in the context of s into plain path references.",
                .fn = prim_unsafeDiscardOutputDependency,
        },
        {
                .name = "getContext",
                .arity = 1,
                .args = { "s" },
                .doc = "Return the string context of s as a set keyed by store path.",
                .fn = prim_getContext,
        },
        {
                .name = "appendContext",
                .arity = 2,
                .args = { "s", "context" },
                .doc = "Return s with the context described by the set context (as getContext returns it) added.",
                .fn = prim_appendContext,
        },
        { .name = NULL },
};
