/* `firn eval` and `firn instantiate`: nix-instantiate's command line, with
 * the same flags, output and exit codes. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>

#include "attr-path.h"
#include "cleanup.h"
#include "cli-instantiate.h"
#include "cli-eval.h"
#include "cli-store.h"
#include "fileio.h"
#include "path-util.h"
#include "commands.h"
#include "eval.h"
#include "gc-alloc.h"
#include "parser.h"
#include "store-hooks.h"
#include "strbuf.h"
#include "value-json.h"
#include "value-print.h"
#include "value-xml.h"

typedef struct AutoArg {
        const char *name;
        const char *text;
        bool is_string;
} AutoArg;

typedef struct Options {
        bool eval, strict, json, xml, location, parse, from_args, show_trace;
        const char **attr_paths;
        size_t n_attr_paths;
        const char **inputs;
        size_t n_inputs;
        AutoArg *auto_args;
        size_t n_auto_args;
        SearchPathEntry *include;
        size_t n_include;
        const char *add_root;   /* --add-root: symlink name for the .drv */
        unsigned n_roots;
        DrvCallback on_drv;     /* firn build: receives the derivations */
        void *on_drv_userdata;
        Store *store;           /* when given by the caller */
} Options;

static void push_str(const char ***arr, size_t *n, const char *s) {
        const char **a = gc_alloc(sizeof(char *) * (*n + 1));
        if (*n)
                memcpy(a, *arr, sizeof(char *) * *n);
        a[(*n)++] = s;
        *arr = a;
}

static void push_auto_arg(Options *o, const char *name, const char *text, bool is_string) {
        AutoArg *a = gc_alloc(sizeof(AutoArg) * (o->n_auto_args + 1));
        if (o->n_auto_args)
                memcpy(a, o->auto_args, sizeof(AutoArg) * o->n_auto_args);
        a[o->n_auto_args++] = (AutoArg) { name, text, is_string };
        o->auto_args = a;
}

static int usage_error(const char *fmt, const char *arg) {
        fprintf(stderr, "error: ");
        fprintf(stderr, fmt, arg);
        fprintf(stderr, "\nTry 'firn instantiate --help' for more information.\n");
        return 1;
}

static const char *usage_text =
        "Usage: firn instantiate [--eval] [--strict] [--json | --xml] [--no-location] [--parse]\n"
        "                        [-E] [-A ATTRPATH]... [--arg NAME EXPR]... [--argstr NAME STRING]...\n"
        "                        [-I [PREFIX=]PATH]... [--show-trace] [FILES | EXPRS | -]\n"
        "       firn eval [-E EXPR | FILE] [same options]\n";

/* Returns -1 to continue, else an exit code. */
static int parse_args(int argc, char **argv, Options *o) {
        bool no_more_flags = false;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
#define NEED(k)                                                                   \
        do {                                                                      \
                if (i + (k) >= argc)                                              \
                        return usage_error("flag '%s' requires an argument", a);  \
        } while (0)
                if (no_more_flags || a[0] != '-' || strcmp(a, "-") == 0) {
                        push_str(&o->inputs, &o->n_inputs, a);
                } else if (strcmp(a, "--") == 0)
                        no_more_flags = true;
                else if (strcmp(a, "--eval") == 0 || strcmp(a, "--eval-only") == 0)
                        o->eval = true;
                else if (strcmp(a, "--strict") == 0)
                        o->strict = true;
                else if (strcmp(a, "--json") == 0)
                        o->json = true;
                else if (strcmp(a, "--xml") == 0)
                        o->xml = true;
                else if (strcmp(a, "--no-location") == 0)
                        o->location = false;
                else if (strcmp(a, "--parse") == 0 || strcmp(a, "--parse-only") == 0)
                        o->parse = o->eval = true;
                else if (strcmp(a, "-E") == 0 || strcmp(a, "--expr") == 0)
                        o->from_args = true;
                else if (strcmp(a, "--show-trace") == 0)
                        o->show_trace = true;
                else if (strcmp(a, "-A") == 0 || strcmp(a, "--attr") == 0) {
                        NEED(1);
                        push_str(&o->attr_paths, &o->n_attr_paths, argv[++i]);
                } else if (strcmp(a, "--arg") == 0 || strcmp(a, "--argstr") == 0) {
                        NEED(2);
                        push_auto_arg(o, argv[i + 1], argv[i + 2], strcmp(a, "--argstr") == 0);
                        i += 2;
                } else if (strcmp(a, "-I") == 0 || strcmp(a, "--include") == 0) {
                        NEED(1);
                        search_path_add(argv[++i], &o->include, &o->n_include);
                } else if (strcmp(a, "--option") == 0) {
                        NEED(2);
                        i += 2; /* Nix settings have no meaning for evaluation here. */
                } else if (strcmp(a, "--add-root") == 0) {
                        NEED(1);
                        o->add_root = argv[++i];
                } else if (strcmp(a, "--read-write-mode") == 0 || strcmp(a, "--readonly-mode") == 0 ||
                           strcmp(a, "--dry-run") == 0 || strcmp(a, "--indirect") == 0 ||
                           strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0 || strcmp(a, "--quiet") == 0 ||
                           strcmp(a, "--no-build-output") == 0)
                        ;
                else if (strcmp(a, "--help") == 0) {
                        fputs(usage_text, stdout);
                        return 0;
                } else
                        return usage_error("unrecognised flag '%s'", a);
#undef NEED
        }
        return -1;
}

static int report(EvalState *st, const Options *o) {
        StrBuf sb = STRBUF_INIT;
        eval_error_format(st, o->show_trace, &sb);
        fflush(stdout);
        fputs(sb.buf, stderr);
        strbuf_release(&sb);
        return 1;
}

static char *read_stdin(size_t *ret_len) {
        StrBuf sb = STRBUF_INIT;
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
                strbuf_add(&sb, buf, n);
        char *r = gc_strndup(sb.buf, sb.len);
        *ret_len = sb.len;
        strbuf_release(&sb);
        return r;
}

static const char *cwd(void) {
        static char buf[4096];
        if (!getcwd(buf, sizeof buf))
                strcpy(buf, "/");
        return buf;
}

static int output(EvalState *st, const Options *o, Value *v) {
        StrBuf sb = STRBUF_INIT;
        int r;
        ContextBuilder cb = { 0 };
        if (o->xml)
                r = value_to_xml(st, v, NULL, o->strict, o->location, &cb, &sb);
        else if (o->json) {
                r = o->strict ? eval_force_deep(st, v, NULL) : 0;
                if (r >= 0)
                        r = value_to_json(st, v, NULL, &cb, &sb);
        } else {
                r = value_print(st, v, o->strict, &sb);
                if (r >= 0)
                        strbuf_addc(&sb, '\n');
        }
        if (r >= 0)
                fwrite(sb.buf, 1, sb.len, stdout);
        strbuf_release(&sb);
        return r;
}

/* ---- instantiation: nix-instantiate without --eval ---- */

/* Prints the .drv path of one derivation value (DRV or DRV!OUTPUT), or the
 * --add-root link made for it. */
static int print_drv(EvalState *st, Options *o, Store *store, Value *v) {
        Attr *a = eval_get_attr(v, eval_symbols(st)->drvPath);
        const char *drv_path, *output = "out";
        if (!a) {
                eval_error(st, EVAL_ERROR_GENERIC, NULL, "derivation lacks a 'drvPath' attribute");
                return EVAL_FAILED;
        }
        if (eval_force_string(st, a->value, NULL, NULL, &drv_path) < 0)
                return EVAL_FAILED;
        Attr *on = eval_get_attr(v, symbol_intern_str("outputName"));
        if (on && eval_force_string(st, on->value, NULL, NULL, &output) < 0)
                return EVAL_FAILED;
        if (o->on_drv)
                return o->on_drv(o->on_drv_userdata, drv_path, output) < 0 ? EVAL_FAILED : 0;
        const char *shown = drv_path;
        if (o->add_root) {
                StrBuf name = STRBUF_INIT;
                _cleanup_free_ char *abs = path_absolute(o->add_root);
                strbuf_adds(&name, abs ? abs : o->add_root);
                if (++o->n_roots > 1)
                        strbuf_addf(&name, "-%u", o->n_roots);
                int r = symlink_atomic(drv_path, AT_FDCWD, name.buf);
                if (r >= 0)
                        r = store_add_indirect_root(store, name.buf);
                if (r < 0) {
                        eval_error(st, EVAL_ERROR_GENERIC, NULL, "cannot create the GC root '%s': %s", name.buf,
                                   strerror(-r));
                        strbuf_release(&name);
                        return EVAL_FAILED;
                }
                shown = gc_strdup(name.buf);
                strbuf_release(&name);
        } else {
                static bool warned;
                if (!warned)
                        fputs("warning: you did not specify '--add-root'; the result might be removed by the "
                              "garbage collector\n",
                              stderr);
                warned = true;
        }
        if (strcmp(output, "out") != 0)
                printf("%s!%s\n", shown, output);
        else
                printf("%s\n", shown);
        return 0;
}

/* Nix's getDerivations: a derivation; the derivations directly in a set
 * (sorted by name; nested sets only with recurseForDerivations = true); the
 * elements of a list. */
static int instantiate_value(EvalState *st, Options *o, Store *store, Value *v, int depth) {
        if (eval_force(st, v, NULL) < 0)
                return EVAL_FAILED;
        int r = eval_is_derivation(st, v);
        if (r < 0)
                return r;
        if (r > 0)
                return print_drv(st, o, store, v);
        if (depth > 100)
                return 0;
        if (v->type == VT_LIST) {
                for (size_t i = 0; i < v->list.size; i++)
                        if (instantiate_value(st, o, store, v->list.elems[i], depth + 1) < 0)
                                return EVAL_FAILED;
                return 0;
        }
        if (v->type != VT_ATTRS)
                return 0;
        Attr **sorted = bindings_sorted_by_name(v->attrs);
        for (size_t i = 0; i < v->attrs->size; i++) {
                Value *e = sorted[i]->value;
                if (eval_force(st, e, NULL) < 0)
                        return EVAL_FAILED;
                r = eval_is_derivation(st, e);
                if (r < 0)
                        return r;
                if (r > 0) {
                        if (print_drv(st, o, store, e) < 0)
                                return EVAL_FAILED;
                        continue;
                }
                if (e->type != VT_ATTRS)
                        continue;
                Attr *rec = eval_get_attr(e, symbol_intern_str("recurseForDerivations"));
                if (!rec)
                        continue;
                if (eval_force(st, rec->value, NULL) < 0)
                        return EVAL_FAILED;
                if (rec->value->type == VT_BOOL && rec->value->boolean &&
                    instantiate_value(st, o, store, e, depth + 1) < 0)
                        return EVAL_FAILED;
        }
        return 0;
}

static int run_with(int argc, char **argv, bool eval_mode, Store *given_store, DrvCallback on_drv, void *userdata) {
        Options o = { .location = true, .eval = eval_mode, .on_drv = on_drv, .on_drv_userdata = userdata };
        int r = parse_args(argc, argv, &o);
        if (r >= 0)
                return r;

        /* -I entries come before NIX_PATH's. */
        SearchPathEntry *sp = o.include;
        size_t n_sp = o.n_include;
        const char *nix_path = getenv("NIX_PATH");
        if (nix_path)
                search_path_parse(nix_path, &sp, &n_sp);

        EvalOptions eo = { .search_path = sp, .n_search_path = n_sp, .show_trace = o.show_trace };
        const char *max_depth = getenv("FIRN_MAX_CALL_DEPTH");
        if (max_depth)
                eo.max_call_depth = (unsigned) strtoul(max_depth, NULL, 10);
        /* Only instantiation writes; --eval computes paths, as Nix's
         * read-only mode does. The store lives as long as the process. */
        Store *store = given_store;
        if (!o.eval && !o.parse) {
                if (!store && cli_open_store(&store) < 0)
                        return 1;
                eo.store = store_hooks_writable(store, eo.store_dir);
        } else
                eo.store = store_hooks_read_only(eo.store_dir);
        EvalState *st = cli_eval_state_new(&eo);

        if (o.n_inputs == 0) {
                if (o.from_args)
                        return usage_error("%s", "no expression given (-E needs an expression)");
                push_str(&o.inputs, &o.n_inputs, "./default.nix");
        }
        if (o.n_attr_paths == 0)
                push_str(&o.attr_paths, &o.n_attr_paths, "");

        /* --arg values are expressions evaluated lazily in the base scope. */
        Bindings *auto_args = bindings_new(o.n_auto_args);
        for (size_t i = 0; i < o.n_auto_args; i++) {
                Value *v = value_new();
                if (o.auto_args[i].is_string)
                        value_set_string(v, o.auto_args[i].text, NULL);
                else {
                        Expr *e;
                        if (eval_parse_string(st, o.auto_args[i].text, strlen(o.auto_args[i].text), POS_STRING,
                                              NULL, cwd(), &e) < 0)
                                return report(st, &o);
                        if (eval_expr(st, e, v) < 0)
                                return report(st, &o);
                }
                Symbol name = symbol_intern_str(o.auto_args[i].name);
                Attr *prev = bindings_find(auto_args, name);
                if (prev)
                        prev->value = v;
                else {
                        bindings_push(auto_args, name, v, NULL);
                        bindings_sort(auto_args);
                }
        }

        for (size_t i = 0; i < o.n_inputs; i++) {
                const char *in = o.inputs[i];
                Expr *e = NULL;
                Value *root = value_new();
                if (o.from_args) {
                        if (eval_parse_string(st, in, strlen(in), POS_STRING, NULL, cwd(), &e) < 0)
                                return report(st, &o);
                } else if (strcmp(in, "-") == 0) {
                        size_t len;
                        char *text = read_stdin(&len);
                        if (eval_parse_string(st, text, len, POS_STDIN, NULL, cwd(), &e) < 0)
                                return report(st, &o);
                } else {
                        const char *path = in;
                        size_t l = strlen(in);
                        if (l > 2 && in[0] == '<' && in[l - 1] == '>') {
                                char *name = gc_strndup(in + 1, l - 2);
                                if (eval_find_file(st, name, NULL, &path) < 0)
                                        return report(st, &o);
                        }
                        /* Like nix-instantiate: parse and evaluate the file
                         * directly (not as an import). */
                        if (eval_parse_file(st, canon_path(path, cwd()), &e) < 0)
                                return report(st, &o);
                }
                if (o.parse) {
                        printf("%s\n", expr_to_string(e));
                        continue;
                }
                if (e && eval_expr(st, e, root) < 0)
                        return report(st, &o);
                for (size_t k = 0; k < o.n_attr_paths; k++) {
                        Value *v;
                        if (eval_find_along_attr_path(st, o.attr_paths[k], auto_args, root, &v) < 0)
                                return report(st, &o);
                        Value *res = v;
                        if (auto_args->size) {
                                res = value_new();
                                if (eval_auto_call(st, auto_args, v, res) < 0)
                                        return report(st, &o);
                        }
                        if (store ? instantiate_value(st, &o, store, res, 0) < 0 : output(st, &o, res) < 0)
                                return report(st, &o);
                }
        }
        fflush(stdout);
        return 0;
}

static int run(int argc, char **argv, bool eval_mode) {
        return run_with(argc, argv, eval_mode, NULL, NULL, NULL);
}

int cli_instantiate(int argc, char **argv, Store *store, DrvCallback on_drv, void *userdata) {
        return run_with(argc, argv, false, store, on_drv, userdata);
}

int cmd_instantiate(int argc, char **argv) {
        return run(argc, argv, false);
}

int cmd_eval(int argc, char **argv) {
        return run(argc, argv, true);
}
