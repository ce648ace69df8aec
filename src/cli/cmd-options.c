/* `firn options`: every option of firn's system modules, and of a
 * configuration's with -f FILE, as text, JSON or one static HTML page.
 *
 * The options come from lib.evalModules' `options` tree, read the way
 * nixpkgs' optionAttrSetToDocList does (lib/options.nix): the options are
 * the sets with `_type = "option"`, collected in name order; each one's
 * `type.getSubOptions loc` adds the options of its submodules
 * (`foo.<name>.bar`, `foo.*.bar`); `visible = false` hides an option and
 * its sub-options, `visible = "shallow"` only the sub-options, and
 * `internal = true` the option itself (shown with --show-internal). A
 * default or example is shown as its literalExpression/literalMD text, or
 * else as the value printed as a Nix expression; one that fails to
 * evaluate shows the error instead, and the listing goes on. */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "attr-path.h"
#include "cleanup.h"
#include "cli-eval.h"
#include "commands.h"
#include "eval.h"
#include "fileio.h"
#include "gc-alloc.h"
#include "log.h"
#include "parser.h"
#include "store-hooks.h"
#include "strbuf.h"
#include "value-print.h"
#include "xalloc.h"

/* Nesting bounds: option sets within sets (sub-options included), and
 * levels of a printed value. */
#define MAX_TREE_DEPTH 64
#define MAX_PRINT_DEPTH 32
/* A printed default or example is cut after this many bytes. */
#define MAX_PRINT_BYTES (64 * 1024)

static const char *usage_text =
        "Usage: firn options [-f FILE] [--json] [--html DIR] [--show-internal] [-I [PREFIX=]PATH]...\n"
        "                    [--show-trace] [QUERY]\n"
        "\n"
        "Lists the options of firn's system modules (<firn/module-list.nix>), and with\n"
        "-f FILE also those FILE (a configuration) and its imports declare: name, type, default,\n"
        "example, description and the files that declare it.\n"
        "\n"
        "  QUERY             only the options whose name or description contains QUERY or\n"
        "                    matches it as an extended regular expression (case-insensitive)\n"
        "  -f, --file FILE   add the module FILE\n"
        "  --json            print a JSON array of the options, sorted by name\n"
        "  --html DIR        write DIR/index.html: one page with every option and a search box\n"
        "  --show-internal   include the options declared internal\n"
        "  -I PATH           add to the search path (as for firn eval)\n"
        "  --show-trace      show the trace of an evaluation error\n";

/* A default or example as the documentation shows it: kind is
 * "literalExpression" (text is Nix code), "literalMD" (Markdown, or any
 * other _type the value names) or "error" (text is the message). */
typedef struct DocValue {
        const char *kind;
        const char *text;
} DocValue;

/* One listed option. Lives on the GC heap (its strings are GC strings). */
typedef struct DocOption {
        const char *name;        /* showOption loc */
        const char **loc;
        size_t n_loc;
        const char *type;        /* type.description, "unspecified" when none */
        const char *description; /* NULL when none */
        const char **declarations;
        size_t n_declarations;
        bool internal, read_only;
        bool has_default, has_example;
        DocValue def, example;
} DocOption;

typedef struct Walker {
        EvalState *st;
        bool show_internal;
        const char *modules_dir; /* firn's modules/, shown as <firn/…> */
        DocOption **opts;        /* GC array */
        size_t n_opts, cap_opts;
        unsigned n_errors;       /* parts of the tree that failed to evaluate */
        Symbol s_marker; /* _type */
        Symbol s_type, s_loc, s_visible, s_internal, s_read_only, s_description, s_declarations, s_example,
                s_default, s_default_text, s_get_sub_options, s_text;
} Walker;

static const char *cwd(void) {
        static char buf[4096];
        if (!getcwd(buf, sizeof buf))
                strcpy(buf, "/");
        return buf;
}

/* A formatted GC string (the listing's strings all live on the GC heap,
 * beside the values they come from). */
__attribute__((format(printf, 1, 2))) static const char *gc_fmt(const char *fmt, ...) {
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        return gc_strndup(sb.buf, sb.len);
}

/* The current evaluation error's message (GC string), clearing it. */
static const char *take_error(EvalState *st) {
        const EvalError *e = eval_state_error(st);
        const char *msg = e && e->message ? gc_strdup(e->message) : "evaluation failed";
        eval_state_clear_error(st);
        return msg;
}

/* Reports a part of the tree that failed (the listing goes on without it). */
static void warn_error(Walker *w, const char *what) {
        log_error("while listing %s: %s", what, take_error(w->st));
        w->n_errors++;
}

/* ---- printing values ---- */

/* The sets and lists being printed, outermost first: a value that holds
 * one of its ancestors prints it as «repeated», as the evaluator's printer
 * does, instead of unrolling it to the depth bound. */
typedef struct PrintPath {
        const void *items[MAX_PRINT_DEPTH + 1];
        unsigned n;
} PrintPath;

static bool print_path_has(const PrintPath *p, const void *x) {
        for (unsigned i = 0; i < p->n; i++)
                if (p->items[i] == x)
                        return true;
        return false;
}

/* Appends v as a one-line Nix expression, forcing as it goes: the
 * evaluator's printer's syntax (value-print.h), with nixpkgs' toPretty
 * forms for what has no literal: `<derivation NAME>`, `<function>`. */
static int print_value(EvalState *st, Value *v, PrintPath *path, StrBuf *out) {
        if (out->len > MAX_PRINT_BYTES)
                return 0;
        if (path->n >= MAX_PRINT_DEPTH) {
                strbuf_adds(out, "…");
                return 0;
        }
        int r = eval_force(st, v, NULL);
        if (r < 0)
                return r;
        switch (v->type) {
        case VT_ATTRS: {
                r = eval_is_derivation(st, v);
                if (r < 0)
                        return r;
                if (r > 0) {
                        Attr *name = eval_get_attr(v, eval_symbols(st)->name);
                        const char *s = "???";
                        if (name && eval_force(st, name->value, NULL) >= 0 && name->value->type == VT_STRING)
                                s = name->value->string.s;
                        eval_state_clear_error(st);
                        strbuf_addf(out, "<derivation %s>", s);
                        return 0;
                }
                if (v->attrs->size == 0) {
                        strbuf_adds(out, "{ }");
                        return 0;
                }
                if (print_path_has(path, v->attrs)) {
                        strbuf_adds(out, "«repeated»");
                        return 0;
                }
                path->items[path->n++] = v->attrs;
                Attr **sorted = bindings_sorted_by_name(v->attrs);
                strbuf_adds(out, "{ ");
                for (uint32_t i = 0; i < v->attrs->size && out->len <= MAX_PRINT_BYTES; i++) {
                        print_identifier(out, symbol_str(sorted[i]->name));
                        strbuf_adds(out, " = ");
                        r = print_value(st, sorted[i]->value, path, out);
                        if (r < 0)
                                return r;
                        strbuf_adds(out, "; ");
                }
                path->n--;
                strbuf_addc(out, '}');
                return 0;
        }
        case VT_LIST:
                if (v->list.size == 0) {
                        strbuf_adds(out, "[ ]");
                        return 0;
                }
                if (print_path_has(path, v->list.elems)) {
                        strbuf_adds(out, "«repeated»");
                        return 0;
                }
                path->items[path->n++] = v->list.elems;
                strbuf_adds(out, "[ ");
                for (size_t i = 0; i < v->list.size && out->len <= MAX_PRINT_BYTES; i++) {
                        r = print_value(st, v->list.elems[i], path, out);
                        if (r < 0)
                                return r;
                        strbuf_addc(out, ' ');
                }
                path->n--;
                strbuf_addc(out, ']');
                return 0;
        case VT_LAMBDA:
        case VT_PRIMOP:
        case VT_PRIMOP_APP:
                strbuf_adds(out, "<function>");
                return 0;
        case VT_EXTERNAL:
                strbuf_adds(out, "<external>");
                return 0;
        default:
                /* Scalars print as the evaluator prints them. */
                return value_print(st, v, false, out);
        }
}

/* nixpkgs' renderOptionValue: a set with `_type` and `text` as it is,
 * anything else printed as an expression. */
static DocValue render_value(Walker *w, Value *v) {
        EvalState *st = w->st;
        if (eval_force(st, v, NULL) < 0)
                return (DocValue) { "error", take_error(st) };
        if (v->type == VT_ATTRS) {
                Attr *t = eval_get_attr(v, w->s_marker), *text = eval_get_attr(v, w->s_text);
                const char *ts, *xs;
                if (t && text) {
                        if (eval_force_string(st, t->value, NULL, NULL, &ts) < 0 ||
                            eval_force_string(st, text->value, NULL, NULL, &xs) < 0)
                                return (DocValue) { "error", take_error(st) };
                        /* literalExample is literalExpression's old name. */
                        if (strcmp(ts, "literalExample") == 0)
                                ts = "literalExpression";
                        return (DocValue) { ts, xs };
                }
        }
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        PrintPath path = { .n = 0 };
        if (print_value(st, v, &path, &sb) < 0)
                return (DocValue) { "error", take_error(st) };
        if (sb.len > MAX_PRINT_BYTES)
                strbuf_adds(&sb, " …");
        return (DocValue) { "literalExpression", gc_strndup(sb.buf, sb.len) };
}

/* ---- walking the options tree ---- */

/* nixpkgs' showOption: the components joined with dots, each as a Nix
 * identifier or string, but for the placeholders of sub-options. */
static const char *show_option(const char **loc, size_t n) {
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strbuf_addc(&sb, '.');
                if (strcmp(loc[i], "<name>") == 0 || strcmp(loc[i], "*") == 0 ||
                    strcmp(loc[i], "<function body>") == 0)
                        strbuf_adds(&sb, loc[i]);
                else
                        print_identifier(&sb, loc[i]);
        }
        return gc_strndup(sb.buf, sb.len);
}

/* A path in the tree for messages: the parent's, a dot, and name. */
static const char *tree_path(const char *parent, const char *name) {
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        if (*parent) {
                strbuf_adds(&sb, parent);
                strbuf_addc(&sb, '.');
        }
        print_identifier(&sb, name);
        return gc_strndup(sb.buf, sb.len);
}

/* An optional boolean attribute; def when missing. */
static int get_bool(Walker *w, Value *opt, Symbol name, bool def, bool *ret) {
        Attr *a = eval_get_attr(opt, name);
        if (!a) {
                *ret = def;
                return 0;
        }
        return eval_force_bool(w->st, a->value, NULL, ret);
}

/* A list of strings as a GC array; with paths_too, paths are taken as
 * their text (nixpkgs' own modules name their `_file` with a path). */
static int get_strings(Walker *w, Value *list, bool paths_too, const char ***ret, size_t *ret_n) {
        if (eval_force_list(w->st, list, NULL) < 0)
                return EVAL_FAILED;
        const char **out = gc_alloc(sizeof(char *) * (list->list.size + 1));
        for (size_t i = 0; i < list->list.size; i++) {
                Value *e = list->list.elems[i];
                if (paths_too) {
                        if (eval_force(w->st, e, NULL) < 0)
                                return EVAL_FAILED;
                        if (e->type == VT_PATH) {
                                out[i] = e->path;
                                continue;
                        }
                }
                if (eval_force_string(w->st, e, NULL, NULL, &out[i]) < 0)
                        return EVAL_FAILED;
        }
        *ret = out;
        *ret_n = list->list.size;
        return 0;
}

static void add_option(Walker *w, DocOption *o) {
        if (w->n_opts == w->cap_opts) {
                size_t cap = w->cap_opts ? w->cap_opts * 2 : 256;
                DocOption **n = gc_alloc(sizeof(DocOption *) * cap);
                if (w->n_opts)
                        memcpy(n, w->opts, sizeof(DocOption *) * w->n_opts);
                w->opts = n;
                w->cap_opts = cap;
        }
        w->opts[w->n_opts++] = o;
}

static void walk_tree(Walker *w, Value *tree, const char *path, unsigned depth);

/* One option (opt: a forced set with _type = "option"); path is where the
 * tree holds it, for messages when its own `loc` fails. */
static void doc_option(Walker *w, Value *opt, const char *path, unsigned depth) {
        EvalState *st = w->st;
        DocOption *o = gc_alloc(sizeof(DocOption));
        Attr *a;

        Value *loc_value = NULL;
        a = eval_get_attr(opt, w->s_loc);
        if (a && get_strings(w, a->value, false, &o->loc, &o->n_loc) >= 0) {
                loc_value = a->value;
                o->name = show_option(o->loc, o->n_loc);
        } else {
                if (a)
                        eval_state_clear_error(st);
                o->name = path;
        }

        /* visible: true, false (hide the option and its sub-options) or
         * "shallow" (hide its sub-options). */
        bool visible = true, shallow = false;
        a = eval_get_attr(opt, w->s_visible);
        if (a) {
                if (eval_force(st, a->value, NULL) < 0) {
                        warn_error(w, gc_fmt("the option `%s': visible", o->name));
                        return;
                }
                if (a->value->type == VT_BOOL)
                        visible = a->value->boolean;
                else if (a->value->type == VT_STRING && strcmp(a->value->string.s, "shallow") == 0)
                        shallow = true;
        }
        if (!visible)
                return;
        if (get_bool(w, opt, w->s_internal, false, &o->internal) < 0 ||
            get_bool(w, opt, w->s_read_only, false, &o->read_only) < 0) {
                eval_state_clear_error(st);
                o->internal = o->read_only = false;
        }

        Value *type = NULL;
        o->type = "unspecified";
        a = eval_get_attr(opt, w->s_type);
        if (a) {
                if (eval_force_attrs(st, a->value, NULL) < 0)
                        o->type = gc_fmt("<error: %s>", take_error(st));
                else {
                        type = a->value;
                        Attr *d = eval_get_attr(type, w->s_description);
                        if (d && eval_force_string(st, d->value, NULL, NULL, &o->type) < 0)
                                o->type = gc_fmt("<error: %s>", take_error(st));
                }
        }

        a = eval_get_attr(opt, w->s_description);
        if (a) {
                if (eval_force(st, a->value, NULL) < 0)
                        o->description = gc_fmt("<error: %s>", take_error(st));
                else if (a->value->type == VT_STRING)
                        o->description = a->value->string.s;
                else if (a->value->type == VT_ATTRS) {
                        /* lib.mdDoc and friends: { _type; text; } */
                        Attr *t = eval_get_attr(a->value, w->s_text);
                        if (t && eval_force_string(st, t->value, NULL, NULL, &o->description) < 0)
                                o->description = gc_fmt("<error: %s>", take_error(st));
                }
        }

        a = eval_get_attr(opt, w->s_declarations);
        if (a) {
                const char **decls;
                size_t n;
                if (get_strings(w, a->value, true, &decls, &n) < 0)
                        warn_error(w, gc_fmt("the declarations of `%s'", o->name));
                else {
                        o->declarations = gc_alloc(sizeof(char *) * (n + 1));
                        size_t dl = strlen(w->modules_dir);
                        for (size_t i = 0; i < n; i++) {
                                const char *d = decls[i];
                                if (strcmp(d, "<unknown-file>") == 0)
                                        continue;
                                if (dl && strncmp(d, w->modules_dir, dl) == 0 && d[dl] == '/')
                                        d = gc_fmt("<firn/%s>", d + dl + 1);
                                o->declarations[o->n_declarations++] = d;
                        }
                }
        }

        a = eval_get_attr(opt, w->s_example);
        if (a) {
                o->has_example = true;
                o->example = render_value(w, a->value);
        }
        a = eval_get_attr(opt, w->s_default_text);
        if (!a)
                a = eval_get_attr(opt, w->s_default);
        if (a) {
                o->has_default = true;
                o->def = render_value(w, a->value);
        }

        if (!o->internal || w->show_internal)
                add_option(w, o);

        /* Sub-options: type.getSubOptions loc (submodules, and attrsOf /
         * listOf of submodules with `<name>` / `*` in their locs). */
        if (shallow || !type || !loc_value)
                return;
        Attr *gso = eval_get_attr(type, w->s_get_sub_options);
        if (!gso)
                return;
        if (depth >= MAX_TREE_DEPTH) {
                log_warning("the sub-options of `%s' nest deeper than %d levels; not listed", o->name,
                            MAX_TREE_DEPTH);
                return;
        }
        Value *sub = value_new();
        if (eval_call(st, gso->value, 1, &loc_value, sub, NULL) < 0 || eval_force_attrs(st, sub, NULL) < 0) {
                warn_error(w, gc_fmt("the sub-options of `%s'", o->name));
                return;
        }
        if (sub->attrs->size)
                walk_tree(w, sub, o->name, depth + 1);
}

/* nixpkgs' `collect isOption`: the options in tree, in name order. */
static void walk_tree(Walker *w, Value *tree, const char *path, unsigned depth) {
        EvalState *st = w->st;
        if (depth >= MAX_TREE_DEPTH) {
                log_warning("the options under `%s' nest deeper than %d levels; not listed", path, MAX_TREE_DEPTH);
                return;
        }
        if (eval_force_attrs(st, tree, NULL) < 0) {
                warn_error(w, gc_fmt("the options under `%s'", path));
                return;
        }
        Attr **sorted = bindings_sorted_by_name(tree->attrs);
        for (uint32_t i = 0; i < tree->attrs->size; i++) {
                Value *v = sorted[i]->value;
                const char *where = tree_path(path, symbol_str(sorted[i]->name));
                if (eval_force(st, v, NULL) < 0) {
                        warn_error(w, gc_fmt("the option or option set `%s'", where));
                        continue;
                }
                if (v->type != VT_ATTRS)
                        continue;
                Attr *t = eval_get_attr(v, w->s_marker);
                bool is_option = false;
                if (t) {
                        if (eval_force(st, t->value, NULL) < 0) {
                                warn_error(w, gc_fmt("the option or option set `%s'", where));
                                continue;
                        }
                        is_option = t->value->type == VT_STRING && strcmp(t->value->string.s, "option") == 0;
                }
                if (is_option)
                        doc_option(w, v, where, depth);
                else
                        walk_tree(w, v, where, depth + 1);
        }
}

static int compare_options(const void *a, const void *b) {
        const DocOption *x = *(DocOption *const *) a, *y = *(DocOption *const *) b;
        return strcmp(x->name, y->name);
}

/* ---- filtering ---- */

typedef struct Query {
        const char *text;
        regex_t re;
        bool have_re;
} Query;

static bool query_matches_text(const Query *q, const char *s) {
        return s && (strcasestr(s, q->text) || (q->have_re && regexec(&q->re, s, 0, NULL, 0) == 0));
}

static bool query_matches(const Query *q, const DocOption *o) {
        return !q->text || query_matches_text(q, o->name) || query_matches_text(q, o->description);
}

/* ---- text ---- */

/* s without leading blank lines and trailing white space (GC string). */
static const char *trimmed(const char *s) {
        const char *p = s;
        for (const char *l = s; *l == ' ' || *l == '\t' || *l == '\n'; l++)
                if (*l == '\n')
                        p = l + 1;
        size_t n = strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n'))
                n--;
        return gc_strndup(p, n);
}

/* "  label:  text", continuation lines indented under the text. */
static void text_field(StrBuf *out, const char *label, const char *text) {
        strbuf_addf(out, "  %-13s", label);
        for (const char *p = text; *p; p++) {
                strbuf_addc(out, *p);
                if (*p == '\n' && p[1])
                        strbuf_addf(out, "%15s", "");
        }
        strbuf_addc(out, '\n');
}

static const char *doc_value_text(const DocValue *v) {
        if (strcmp(v->kind, "error") == 0)
                return gc_fmt("<error: %s>", v->text);
        if (strcmp(v->kind, "literalExpression") == 0)
                return trimmed(v->text);
        return gc_fmt("%s (%s)", trimmed(v->text), v->kind);
}

static void print_text(DocOption **opts, size_t n, StrBuf *out) {
        for (size_t i = 0; i < n; i++) {
                const DocOption *o = opts[i];
                if (i)
                        strbuf_addc(out, '\n');
                strbuf_adds(out, o->name);
                strbuf_addc(out, '\n');
                text_field(out, "type:", o->type);
                if (o->has_default)
                        text_field(out, "default:", doc_value_text(&o->def));
                if (o->has_example)
                        text_field(out, "example:", doc_value_text(&o->example));
                text_field(out, "description:", o->description ? trimmed(o->description) : "(none)");
                if (o->read_only || o->internal)
                        text_field(out, "flags:",
                                   o->read_only && o->internal ? "read-only, internal" : o->read_only ? "read-only" : "internal");
                if (o->n_declarations) {
                        _cleanup_strbuf_ StrBuf d = STRBUF_INIT;
                        for (size_t k = 0; k < o->n_declarations; k++) {
                                if (k)
                                        strbuf_addc(&d, '\n');
                                strbuf_adds(&d, o->declarations[k]);
                        }
                        text_field(out, "declared in:", d.buf);
                } else
                        text_field(out, "declared in:", "(unknown)");
        }
}

/* ---- JSON ---- */

/* A JSON string; bytes that are not UTF-8 become U+FFFD. */
static json_t *json_text(const char *s) {
        json_t *j = json_string(s);
        if (j)
                return j;
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        const unsigned char *p = (const unsigned char *) s;
        while (*p) {
                size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
                bool ok = n > 0;
                for (size_t k = 1; ok && k < n; k++)
                        ok = (p[k] & 0xc0) == 0x80;
                if (ok && n > 1) {
                        /* jansson checks the rest (overlong forms, surrogates). */
                        char tmp[5] = { 0 };
                        memcpy(tmp, p, n);
                        json_t *probe = json_string(tmp);
                        ok = probe != NULL;
                        json_decref(probe);
                }
                if (ok) {
                        strbuf_add(&sb, p, n);
                        p += n;
                } else {
                        strbuf_adds(&sb, "\xef\xbf\xbd");
                        p++;
                }
        }
        return json_string(sb.buf);
}

static json_t *json_strings(const char *const *v, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_text(v[i]));
        return a;
}

static json_t *json_doc_value(const DocValue *v) {
        json_t *o = json_object();
        json_object_set_new(o, "_type", json_text(v->kind));
        json_object_set_new(o, "text", json_text(v->text));
        return o;
}

static int print_json(DocOption **opts, size_t n) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
                const DocOption *o = opts[i];
                json_t *j = json_object();
                json_object_set_new(j, "name", json_text(o->name));
                json_object_set_new(j, "loc", json_strings(o->loc, o->n_loc));
                json_object_set_new(j, "type", json_text(o->type));
                json_object_set_new(j, "description", o->description ? json_text(o->description) : json_null());
                if (o->has_default)
                        json_object_set_new(j, "default", json_doc_value(&o->def));
                if (o->has_example)
                        json_object_set_new(j, "example", json_doc_value(&o->example));
                json_object_set_new(j, "declarations", json_strings(o->declarations, o->n_declarations));
                json_object_set_new(j, "internal", json_boolean(o->internal));
                json_object_set_new(j, "readOnly", json_boolean(o->read_only));
                json_array_append_new(arr, j);
        }
        int r = json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(arr);
        if (r < 0)
                return -EIO;
        fputc('\n', stdout);
        return 0;
}

/* ---- HTML ---- */

static void html_escape(StrBuf *out, const char *s) {
        for (; *s; s++)
                switch (*s) {
                case '&': strbuf_adds(out, "&amp;"); break;
                case '<': strbuf_adds(out, "&lt;"); break;
                case '>': strbuf_adds(out, "&gt;"); break;
                case '"': strbuf_adds(out, "&quot;"); break;
                case '\'': strbuf_adds(out, "&#39;"); break;
                default: strbuf_addc(out, *s);
                }
}

/* A URL fragment naming the option (percent-encoded). */
static void url_fragment(StrBuf *out, const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                    strchr("-._~", *p))
                        strbuf_addc(out, (char) *p);
                else
                        strbuf_addf(out, "%%%02X", *p);
        }
}

static const char html_head[] =
        "<!DOCTYPE html>\n"
        "<html lang=\"en\">\n"
        "<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>firn options</title>\n"
        "<style>\n"
        "body{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;max-width:64rem;margin:0 auto;padding:0 1rem 2rem;color:#1b1b1b;background:#fff;line-height:1.4}\n"
        "header{position:sticky;top:0;background:#fff;padding:.8rem 0 .5rem;border-bottom:1px solid #ccc}\n"
        "h1{font-size:1.4rem;margin:0 0 .5rem}\n"
        "#q{width:100%;box-sizing:border-box;font-size:1.05rem;padding:.45rem .6rem;border:1px solid #999;border-radius:4px}\n"
        "#count{color:#555;font-size:.9rem;margin:.4rem 0 0}\n"
        ".opt{border-bottom:1px solid #eee;padding:.7rem 0}\n"
        ".opt h2{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1rem;margin:0 0 .35rem;word-break:break-all}\n"
        ".opt h2 a{color:#0b4f8a;text-decoration:none}\n"
        ".opt h2 a:hover{text-decoration:underline}\n"
        ".tag{font-family:system-ui,sans-serif;font-size:.72rem;background:#eee;border-radius:3px;padding:.05rem .35rem;margin-left:.5rem;color:#444}\n"
        ".desc{white-space:pre-wrap;margin:0 0 .4rem}\n"
        "dl{display:grid;grid-template-columns:7.5rem 1fr;gap:.15rem .8rem;margin:0}\n"
        "dt{color:#666}\n"
        "dd{margin:0;min-width:0}\n"
        "code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem;white-space:pre-wrap;word-break:break-word}\n"
        ".err{color:#a00}\n"
        ".hidden{display:none}\n"
        "</style>\n"
        "</head>\n"
        "<body>\n";

static const char html_script[] =
        "<script>\n"
        "(function () {\n"
        "  var q = document.getElementById('q'), count = document.getElementById('count');\n"
        "  var opts = Array.prototype.slice.call(document.querySelectorAll('.opt'));\n"
        "  var keys = opts.map(function (o) {\n"
        "    var d = o.querySelector('.desc');\n"
        "    return o.getAttribute('data-name') + '\\n' + (d ? d.textContent : '');\n"
        "  });\n"
        "  var lower = keys.map(function (k) { return k.toLowerCase(); });\n"
        "  function update() {\n"
        "    var s = q.value.trim(), ls = s.toLowerCase(), re = null, shown = 0;\n"
        "    if (s) { try { re = new RegExp(s, 'i'); } catch (e) { re = null; } }\n"
        "    for (var i = 0; i < opts.length; i++) {\n"
        "      var hit = !s || lower[i].indexOf(ls) >= 0 || (re !== null && re.test(keys[i]));\n"
        "      opts[i].classList.toggle('hidden', !hit);\n"
        "      if (hit) shown++;\n"
        "    }\n"
        "    count.textContent = s ? shown + ' of ' + opts.length + ' options match'\n"
        "                          : opts.length + (opts.length === 1 ? ' option' : ' options');\n"
        "  }\n"
        "  q.addEventListener('input', update);\n"
        "  var m = /[?&]q=([^&]*)/.exec(location.search);\n"
        "  if (m) q.value = decodeURIComponent(m[1].replace(/\\+/g, ' '));\n"
        "  update();\n"
        "})();\n"
        "</script>\n";

static void html_value(StrBuf *out, const char *label, const DocValue *v) {
        strbuf_addf(out, "<dt>%s</dt><dd>", label);
        if (strcmp(v->kind, "error") == 0) {
                strbuf_adds(out, "<code class=\"err\">error: ");
                html_escape(out, v->text);
        } else if (strcmp(v->kind, "literalExpression") == 0) {
                strbuf_adds(out, "<code>");
                html_escape(out, trimmed(v->text));
        } else {
                strbuf_adds(out, "<code class=\"md\">");
                html_escape(out, trimmed(v->text));
        }
        strbuf_adds(out, "</code></dd>\n");
}

static void render_html(DocOption **opts, size_t n, const char *const *files, size_t n_files, StrBuf *out) {
        strbuf_adds(out, html_head);
        strbuf_adds(out, "<header>\n<h1>firn options</h1>\n");
        strbuf_adds(out, "<input id=\"q\" type=\"search\" autofocus autocomplete=\"off\" spellcheck=\"false\" "
                         "placeholder=\"Search option names and descriptions (text or regular expression)\" "
                         "aria-label=\"Search options\">\n");
        strbuf_addf(out, "<p id=\"count\">%zu option%s", n, n == 1 ? "" : "s");
        if (n_files) {
                strbuf_adds(out, " (firn's modules and ");
                for (size_t i = 0; i < n_files; i++) {
                        if (i)
                                strbuf_adds(out, ", ");
                        strbuf_adds(out, "<code>");
                        html_escape(out, files[i]);
                        strbuf_adds(out, "</code>");
                }
                strbuf_adds(out, ")");
        }
        strbuf_adds(out, "</p>\n</header>\n<main>\n");
        for (size_t i = 0; i < n; i++) {
                const DocOption *o = opts[i];
                strbuf_adds(out, "<section class=\"opt\" id=\"");
                html_escape(out, o->name);
                strbuf_adds(out, "\" data-name=\"");
                html_escape(out, o->name);
                strbuf_adds(out, "\">\n<h2><a href=\"#");
                _cleanup_strbuf_ StrBuf frag = STRBUF_INIT;
                url_fragment(&frag, o->name);
                html_escape(out, frag.buf);
                strbuf_adds(out, "\">");
                html_escape(out, o->name);
                strbuf_adds(out, "</a>");
                if (o->read_only)
                        strbuf_adds(out, "<span class=\"tag\">read-only</span>");
                if (o->internal)
                        strbuf_adds(out, "<span class=\"tag\">internal</span>");
                strbuf_adds(out, "</h2>\n");
                if (o->description) {
                        strbuf_adds(out, "<p class=\"desc\">");
                        html_escape(out, trimmed(o->description));
                        strbuf_adds(out, "</p>\n");
                }
                strbuf_adds(out, "<dl>\n<dt>Type</dt><dd><code>");
                html_escape(out, o->type);
                strbuf_adds(out, "</code></dd>\n");
                if (o->has_default)
                        html_value(out, "Default", &o->def);
                if (o->has_example)
                        html_value(out, "Example", &o->example);
                strbuf_adds(out, "<dt>Declared in</dt><dd>");
                for (size_t k = 0; k < o->n_declarations; k++) {
                        if (k)
                                strbuf_adds(out, "<br>");
                        strbuf_adds(out, "<code>");
                        html_escape(out, o->declarations[k]);
                        strbuf_adds(out, "</code>");
                }
                if (!o->n_declarations)
                        strbuf_adds(out, "(unknown)");
                strbuf_adds(out, "</dd>\n</dl>\n</section>\n");
        }
        strbuf_adds(out, "</main>\n");
        strbuf_adds(out, html_script);
        strbuf_adds(out, "</body>\n</html>\n");
}

/* DIR/index.html, replaced atomically (temporary file, fsync, rename). */
static int write_html(const char *dir, const StrBuf *page) {
        int r = mkdir_p(AT_FDCWD, dir, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create %s: %m", dir);
        _cleanup_free_ char *path = xasprintf("%s/index.html", dir); /* malloc: freed here */
        r = write_file_atomic(AT_FDCWD, path, page->buf, page->len, 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", path);
        return 0;
}

/* ---- the command ---- */

static int usage_error(const char *fmt, const char *arg) {
        fprintf(stderr, "error: ");
        fprintf(stderr, fmt, arg);
        fprintf(stderr, "\nTry 'firn options --help' for more information.\n");
        return 1;
}

static int report(EvalState *st, bool show_trace) {
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        eval_error_format(st, show_trace, &sb);
        fflush(stdout);
        fputs(sb.buf, stderr);
        return 1;
}

/* lib.evalModules over firn's module list and the extra files; `options`. */
static const char options_expr[] =
        "files: let lib = import <firn/lib>; in\n"
        "  (lib.evalModules { modules = (import <firn/module-list.nix>) ++ files; }).options\n";

int cmd_options(int argc, char **argv) {
        bool json = false, show_internal = false, show_trace = false;
        const char *html_dir = NULL, *query = NULL;
        const char **files = NULL;
        size_t n_files = 0;
        SearchPathEntry *sp = NULL;
        size_t n_sp = 0;
        bool no_more_flags = false;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (no_more_flags || a[0] != '-' || strcmp(a, "-") == 0) {
                        if (query)
                                return usage_error("more than one query: '%s'", a);
                        query = a;
                } else if (strcmp(a, "--") == 0)
                        no_more_flags = true;
                else if (strcmp(a, "-f") == 0 || strcmp(a, "--file") == 0) {
                        if (++i >= argc)
                                return usage_error("flag '%s' requires an argument", a);
                        const char **n = gc_alloc(sizeof(char *) * (n_files + 1));
                        if (n_files)
                                memcpy(n, files, sizeof(char *) * n_files);
                        n[n_files++] = argv[i];
                        files = n;
                } else if (strcmp(a, "--html") == 0) {
                        if (++i >= argc)
                                return usage_error("flag '%s' requires an argument", a);
                        html_dir = argv[i];
                } else if (strcmp(a, "-I") == 0 || strcmp(a, "--include") == 0) {
                        if (++i >= argc)
                                return usage_error("flag '%s' requires an argument", a);
                        search_path_add(argv[i], &sp, &n_sp);
                } else if (strcmp(a, "--json") == 0)
                        json = true;
                else if (strcmp(a, "--show-internal") == 0)
                        show_internal = true;
                else if (strcmp(a, "--show-trace") == 0)
                        show_trace = true;
                else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                        fputs(usage_text, stdout);
                        return 0;
                } else
                        return usage_error("unrecognised flag '%s'", a);
        }

        Query q = { .text = query };
        if (query && *query)
                q.have_re = regcomp(&q.re, query, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0;
        else
                q.text = NULL;

        /* The files exist before anything is evaluated (a clearer message
         * than a failing import). */
        Value *file_list = value_new();
        value_set_list(file_list, n_files);
        for (size_t i = 0; i < n_files; i++) {
                if (access(files[i], R_OK) < 0) {
                        log_error_errno(-errno, "Cannot read %s: %m", files[i]);
                        return 1;
                }
                Value *p = value_new();
                value_set_path(p, canon_path(files[i], cwd()));
                file_list->list.elems[i] = p;
        }

        const char *nix_path = getenv("NIX_PATH");
        if (nix_path)
                search_path_parse(nix_path, &sp, &n_sp);
        EvalOptions eo = { .search_path = sp, .n_search_path = n_sp, .show_trace = show_trace };
        const char *max_depth = getenv("FIRN_MAX_CALL_DEPTH");
        if (max_depth)
                eo.max_call_depth = (unsigned) strtoul(max_depth, NULL, 10);
        eo.store = store_hooks_read_only(eo.store_dir);
        EvalState *st = cli_eval_state_new(&eo);

        Expr *e;
        Value *fn = value_new(), *options = value_new();
        if (eval_parse_string(st, options_expr, strlen(options_expr), POS_STRING, NULL, cwd(), &e) < 0 ||
            eval_expr(st, e, fn) < 0 || eval_call(st, fn, 1, &file_list, options, NULL) < 0 ||
            eval_force_attrs(st, options, NULL) < 0)
                return report(st, show_trace);

        Walker w = {
                .st = st,
                .show_internal = show_internal,
                .modules_dir = cli_modules_dir(),
                .s_marker = symbol_intern_str("_type"),
                .s_type = symbol_intern_str("type"),
                .s_loc = symbol_intern_str("loc"),
                .s_visible = symbol_intern_str("visible"),
                .s_internal = symbol_intern_str("internal"),
                .s_read_only = symbol_intern_str("readOnly"),
                .s_description = symbol_intern_str("description"),
                .s_declarations = symbol_intern_str("declarations"),
                .s_example = symbol_intern_str("example"),
                .s_default = symbol_intern_str("default"),
                .s_default_text = symbol_intern_str("defaultText"),
                .s_get_sub_options = symbol_intern_str("getSubOptions"),
                .s_text = symbol_intern_str("text"),
        };
        walk_tree(&w, options, "", 0);
        if (w.n_opts)
                qsort(w.opts, w.n_opts, sizeof(DocOption *), compare_options);

        DocOption **shown = gc_alloc(sizeof(DocOption *) * (w.n_opts + 1));
        size_t n_shown = 0;
        for (size_t i = 0; i < w.n_opts; i++)
                if (query_matches(&q, w.opts[i]))
                        shown[n_shown++] = w.opts[i];
        if (q.have_re)
                regfree(&q.re);

        int r = 0;
        if (html_dir) {
                _cleanup_strbuf_ StrBuf page = STRBUF_INIT;
                render_html(shown, n_shown, files, n_files, &page);
                if (write_html(html_dir, &page) < 0)
                        r = 1;
        }
        if (json) {
                if (print_json(shown, n_shown) < 0)
                        r = 1;
        } else if (!html_dir) {
                _cleanup_strbuf_ StrBuf out = STRBUF_INIT;
                print_text(shown, n_shown, &out);
                fwrite(out.buf, 1, out.len, stdout);
        }
        if (fflush(stdout) != 0 || ferror(stdout))
                r = 1;
        if (w.n_errors) {
                log_error("%u part(s) of the option tree failed to evaluate (see above)", w.n_errors);
                r = 1;
        }
        return r;
}
