/* The store builtins: derivationStrict (and the `derivation` wrapper),
 * toFile, path, filterSource, storePath, the fetchers' names, and the
 * built-in <nix/fetchurl.nix>. Semantics, messages and string-context rules
 * follow Nix 2.8's primops.cc:
 *
 *   drvPath              context "=DRV"        (the .drv with all outputs)
 *   each output o        context "!o!DRV"
 *   toFile, path, …      context "STOREPATH"
 *
 * The store itself is reached only through the EvalStoreHooks (eval.h):
 * derivationStrict builds a Derivation (src/store/derivation.h: a pure
 * data structure) and hands it to write_derivation, which completes the
 * output paths (they depend on the inputs' hashes, which the store knows)
 * and writes the .drv (or, read-only, only computes its path).
 *
 * Not done: realising the string context of paths given to builtins.path
 * and filterSource (Nix builds them first); content-addressed and impure
 * derivations (experimental in Nix 2.8, refused as Nix refuses them without
 * the experimental feature); the fetchers (they fail with a clear error). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base32.h"
#include "derivation.h"
#include "eval-internal.h"
#include "gc-alloc.h"
#include "hash.h"
#include "store-path.h"
#include "value-json.h"

/* ---- embedded Nix sources ------------------------------------------- */

/* The `derivation` function (Nix defines it in Nix on top of
 * derivationStrict). The attribute positions (line:column) are those of
 * Nix 2.8's own wrapper, parsed as "//builtin/derivation.nix": --xml output
 * and error traces show them. */
static const char derivation_nix[] =
        "/* firn's `derivation`, with Nix 2.8's semantics: derivationStrict\n"
        "   computes the .drv and its output paths; the result is the set given\n"
        "   plus, for each output, outPath, drvPath, type and outputName. The\n"
        "   attributes sit at the lines and columns where Nix has them. */\n"
        "drvAttrs @ { outputs ? [ \"out\" ], ... }:\n"
        "\n"
        "let\n"
        "  strict = derivationStrict drvAttrs;\n"
        "\n"
        "  # In every output's set: the arguments and each output by name.\n"
        "  commonAttrs = drvAttrs // builtins.listToAttrs outputsList // {\n"
        "      all = map (o: o.value) outputsList;\n"
        "      inherit drvAttrs;\n"
        "    };\n"
        "\n"
        "  forOutput = outputName: {\n"
        "    name = outputName;\n"
        "      value = commonAttrs // {\n"
        "        outPath = builtins.getAttr outputName strict;\n"
        "        drvPath = strict.drvPath;\n"
        "        type = \"derivation\";\n"
        "        inherit outputName;\n"
        "      };\n"
        "  };\n"
        "\n"
        "  outputsList = map forOutput outputs;\n"
        "\n"
        "in (builtins.head outputsList).value\n";

/* <nix/fetchurl.nix> (Nix's corepkgs fetchurl): the fixed-output
 * derivation that the builtin:fetchurl builder realises. Same arguments and
 * the same derivation attributes as Nix 2.8's, hence the same .drv. */
static const char fetchurl_nix[] =
        "let\n"
        "  # The hash to check: the first given of hash (SRI, which names its\n"
        "  # own algorithm), sha512, sha1, md5; else sha256.\n"
        "  chooseHash = hash: sha512: sha1: md5: sha256:\n"
        "    let\n"
        "      given = builtins.filter (h: h.value != \"\") [\n"
        "        { algo = \"\"; value = hash; }\n"
        "        { algo = \"sha512\"; value = sha512; }\n"
        "        { algo = \"sha1\"; value = sha1; }\n"
        "        { algo = \"md5\"; value = md5; }\n"
        "      ];\n"
        "    in if given == [ ] then { algo = \"sha256\"; value = sha256; } else builtins.head given;\n"
        "in\n"
        "\n"
        "{ system ? \"\" # ignored\n"
        ", url\n"
        ", hash ? \"\"\n"
        ", md5 ? \"\", sha1 ? \"\", sha256 ? \"\", sha512 ? \"\"\n"
        ", outputHash ? (chooseHash hash sha512 sha1 md5 sha256).value\n"
        ", outputHashAlgo ? (chooseHash hash sha512 sha1 md5 sha256).algo\n"
        ", executable ? false\n"
        ", unpack ? false\n"
        ", name ? baseNameOf (toString url)\n"
        "}:\n"
        "\n"
        "derivation {\n"
        "  inherit name url executable unpack outputHash outputHashAlgo;\n"
        "  builder = \"builtin:fetchurl\";\n"
        "  system = \"builtin\";\n"
        "  outputHashMode = if executable || unpack then \"recursive\" else \"flat\";\n"
        "  urls = [ url ];\n"
        "  # Proxy settings pass through: a fixed output may be fetched impurely.\n"
        "  impureEnvVars = [ \"http_proxy\" \"https_proxy\" \"ftp_proxy\" \"all_proxy\" \"no_proxy\" ];\n"
        "  # Downloading it locally beats copying it from a remote builder.\n"
        "  preferLocalBuild = true;\n"
        "}\n";

#define COREPKGS_PREFIX "/__corepkgs__/"

int eval_import_corepkg(EvalState *st, const char *path, const Pos *pos, Value *ret) {
        Value *v;
        Expr *e;
        int r;

        /* Nix has only fetchurl.nix there; other names fall through and
         * are looked up on disk (and not found). */
        if (strcmp(path, COREPKGS_PREFIX "fetchurl.nix") != 0)
                return 0;

        v = strmap_get(&st->file_eval_cache, path);
        if (!v) {
                r = eval_parse_string(st, fetchurl_nix, sizeof(fetchurl_nix) - 1, POS_STRING, NULL, "/", &e);
                if (r < 0)
                        return r;
                v = value_new();
                r = eval_expr_in_env(st, st->base_env, e, v);
                if (r < 0)
                        return r;
                strmap_put(&st->file_eval_cache, path, v);
        }
        *ret = *v;
        return 1;
}

int builtins_store_init_derivation(EvalState *st, Value *v) {
        Expr *e;
        int r;

        r = eval_parse_string(st, derivation_nix, sizeof(derivation_nix) - 1, POS_FILE, "//builtin/derivation.nix",
                              "/", &e);
        if (r < 0)
                return r;
        return eval_expr_in_env(st, st->base_env, e, v);
}

/* ---- helpers -------------------------------------------------------- */

/* A store hook's failure as an evaluation error (message from the hook,
 * freed here). EVAL_FAILED (a filter callback failed) passes through. */
static int hook_error(EvalState *st, const Pos *pos, int r, char *err, const char *fallback) {
        if (r == EVAL_FAILED) {
                free(err);
                return r;
        }
        r = eval_error(st, EVAL_ERROR_GENERIC, pos, "%s", err ? err : fallback);
        free(err);
        return r;
}

static int no_store(EvalState *st, const Pos *pos, const char *what) {
        return eval_error(st, EVAL_ERROR_GENERIC, pos, "%s needs a store, and this evaluation has none", what);
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Nix's baseNameOf: the last component, ignoring one trailing slash. */
static const char *base_name_of(const char *path) {
        size_t len = strlen(path), end = len, start;

        if (end > 1 && path[end - 1] == '/')
                end--;
        start = end;
        while (start > 0 && path[start - 1] != '/')
                start--;
        return gc_strndup(path + start, end - start);
}

static const char **single_context(const char *elem) {
        const char **c = gc_alloc(2 * sizeof(char *));

        c[0] = elem;
        return c;
}

/* Nix's Hash(rest, type, isSRI) and newHashAllowEmpty/parseAny, with Nix
 * 2.8's messages (errors without position, as Nix's BadHash). algo_name
 * may be anything: an unknown name means "no type given". */
static int parse_hash(EvalState *st, const char *s, const char *algo_name, Hash *ret) {
        const char *rest = s, *sep;
        HashAlgo given = 0, parsed = 0, algo;
        bool have_given = algo_name && hash_algo_from_string(algo_name, &given) >= 0, have_parsed = false,
             sri = false;
        size_t size, len;

        if (!*s) {
                _cleanup_free_ char *sri_text = NULL;

                if (!have_given)
                        return eval_error(st, EVAL_ERROR_GENERIC, NULL, "empty hash requires explicit hash type");
                *ret = (Hash) { .algo = given };
                sri_text = hash_to_string(ret, HASH_FORMAT_SRI);
                fprintf(stderr, "warning: found empty hash, assuming '%s'\n", sri_text);
                return 0;
        }

        sep = strchr(s, ':');
        if (!sep) {
                sep = strchr(s, '-');
                sri = sep != NULL;
        }
        if (sep) {
                const char *prefix = gc_strndup(s, (size_t) (sep - s));

                if (hash_algo_from_string(prefix, &parsed) < 0)
                        return eval_error(st, EVAL_ERROR_GENERIC, NULL, "unknown hash algorithm '%s'", prefix);
                have_parsed = true;
                rest = sep + 1;
        }
        if (!have_parsed && !have_given)
                return eval_error(st, EVAL_ERROR_GENERIC, NULL,
                                  "hash '%s' does not include a type, nor is the type otherwise known from context",
                                  rest);
        if (have_parsed && have_given && parsed != given)
                return eval_error(st, EVAL_ERROR_GENERIC, NULL, "hash '%s' should have type '%s'", s,
                                  hash_algo_to_string(given));
        algo = have_parsed ? parsed : given;

        size = hash_algo_size(algo);
        len = strlen(rest);
        if (!sri && len == 2 * size) {
                if (hash_from_string(rest, &algo, ret) < 0)
                        return eval_error(st, EVAL_ERROR_GENERIC, NULL, "invalid base-16 hash '%s'", rest);
        } else if (!sri && len == nix_base32_encoded_len(size)) {
                if (hash_from_string(rest, &algo, ret) < 0)
                        return eval_error(st, EVAL_ERROR_GENERIC, NULL, "invalid base-32 hash '%s'", rest);
        } else if (sri || len == (size + 2) / 3 * 4) {
                /* As SRI, via the "algo-" form (util's parser takes base64
                 * only by length otherwise). */
                const char *text = gc_alloc_atomic(strlen(hash_algo_to_string(algo)) + len + 2);

                sprintf((char *) text, "%s-%s", hash_algo_to_string(algo), rest);
                if (hash_from_string(text, NULL, ret) < 0)
                        return eval_error(st, EVAL_ERROR_GENERIC, NULL, "invalid %s hash '%s'",
                                          sri ? "SRI" : "base-64", rest);
        } else
                return eval_error(st, EVAL_ERROR_GENERIC, NULL, "hash '%s' has wrong length for hash type '%s'",
                                  rest, hash_algo_to_string(algo));
        return 0;
}

/* ---- derivationStrict ----------------------------------------------- */

typedef struct DrvBuild {
        EvalState *st;
        const char *drv_name;
        const Pos *pos_name;
        Derivation *drv;        /* malloc'ed; owned until handed to the store */
        ContextBuilder cb;
        /* What the special attributes said. */
        bool have_output_hash;
        const char *output_hash, *output_hash_algo;
        int ingestion;          /* -1: not given, else FileIngestion */
        const char **outputs;   /* GC; sorted set */
        size_t n_outputs;
} DrvBuild;

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int handle_hash_mode(DrvBuild *b, const char *s) {
        if (strcmp(s, "recursive") == 0)
                b->ingestion = FILE_INGESTION_RECURSIVE;
        else if (strcmp(s, "flat") == 0)
                b->ingestion = FILE_INGESTION_FLAT;
        else
                return eval_error(b->st, EVAL_ERROR_GENERIC, b->pos_name,
                                  "invalid value '%s' for 'outputHashMode' attribute", s);
        return 0;
}

static int handle_outputs(DrvBuild *b, const char **names, size_t n) {
        const char **set = gc_alloc((n ? n : 1) * sizeof(char *));
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < k; j++)
                        if (strcmp(set[j], names[i]) == 0)
                                return eval_error(b->st, EVAL_ERROR_GENERIC, b->pos_name,
                                                  "duplicate derivation output '%s'", names[i]);
                /* An output named drv would clash with drvPath. */
                if (strcmp(names[i], "drv") == 0)
                        return eval_error(b->st, EVAL_ERROR_GENERIC, b->pos_name,
                                          "invalid derivation output name 'drv'");
                set[k++] = names[i];
        }
        if (k == 0)
                return eval_error(b->st, EVAL_ERROR_GENERIC, b->pos_name,
                                  "derivation cannot have an empty set of outputs");
        qsort(set, k, sizeof(char *), cmp_str);
        b->outputs = set;
        b->n_outputs = k;
        return 0;
}

/* Nix's tokenizeString with the default separators " \t\n\r". */
static const char **tokenize(const char *s, size_t *ret_n) {
        static const char seps[] = " \t\n\r";
        size_t n = 0, cap = 4;
        const char **v = gc_alloc(cap * sizeof(char *));

        for (;;) {
                size_t len;

                s += strspn(s, seps);
                if (!*s)
                        break;
                len = strcspn(s, seps);
                if (n == cap) {
                        const char **nv = gc_alloc(cap * 2 * sizeof(char *));

                        memcpy(nv, v, n * sizeof(char *));
                        v = nv;
                        cap *= 2;
                }
                v[n++] = gc_strndup(s, len);
                s += len;
        }
        *ret_n = n;
        return v;
}

static int require_feature(EvalState *st, const char *feature) {
        return eval_error(st, EVAL_ERROR_GENERIC, NULL,
                          "experimental Nix feature '%s' is disabled; use '--extra-experimental-features %s' to override",
                          feature, feature);
}

/* One attribute, in the plain (environment) mode. */
static int attr_to_env(DrvBuild *b, Attr *a, const char *key) {
        EvalState *st = b->st;
        const Pos *apos = a->pos ? a->pos : b->pos_name;
        const char *s;
        int r;

        r = eval_coerce_to_string(st, a->value, apos, &b->cb, true, true, &s);
        if (r < 0)
                return r;
        drv_set_env(b->drv, key, s);
        if (strcmp(key, "builder") == 0)
                drv_set_builder(b->drv, s);
        else if (strcmp(key, "system") == 0)
                drv_set_platform(b->drv, s);
        else if (strcmp(key, "outputHash") == 0) {
                b->have_output_hash = true;
                b->output_hash = s;
        } else if (strcmp(key, "outputHashAlgo") == 0)
                b->output_hash_algo = s;
        else if (strcmp(key, "outputHashMode") == 0)
                return handle_hash_mode(b, s);
        else if (strcmp(key, "outputs") == 0) {
                size_t n;
                const char **names = tokenize(s, &n);

                return handle_outputs(b, names, n);
        }
        return 0;
}

/* One attribute, with __structuredAttrs: into the JSON object. */
static int attr_to_json(DrvBuild *b, Attr *a, const char *key, StrBuf *json) {
        EvalState *st = b->st;
        const Pos *pn = b->pos_name;
        Value k;
        const char *s;
        int r;

        value_set_string(&k, key, NULL);
        strbuf_addc(json, json->len ? ',' : '{');
        r = value_to_json(st, &k, pn, NULL, json);
        if (r < 0)
                return r;
        strbuf_addc(json, ':');
        r = value_to_json(st, a->value, pn, &b->cb, json);
        if (r < 0)
                return r;

        if (strcmp(key, "builder") == 0) {
                if ((r = eval_force_string(st, a->value, pn, &b->cb, &s)) < 0)
                        return r;
                drv_set_builder(b->drv, s);
        } else if (strcmp(key, "system") == 0) {
                if ((r = eval_force_string_no_context(st, a->value, pn, &s)) < 0)
                        return r;
                drv_set_platform(b->drv, s);
        } else if (strcmp(key, "outputHash") == 0) {
                if ((r = eval_force_string_no_context(st, a->value, pn, &s)) < 0)
                        return r;
                b->have_output_hash = true;
                b->output_hash = s;
        } else if (strcmp(key, "outputHashAlgo") == 0) {
                if ((r = eval_force_string_no_context(st, a->value, pn, &s)) < 0)
                        return r;
                b->output_hash_algo = s;
        } else if (strcmp(key, "outputHashMode") == 0) {
                if ((r = eval_force_string_no_context(st, a->value, pn, &s)) < 0)
                        return r;
                return handle_hash_mode(b, s);
        } else if (strcmp(key, "outputs") == 0) {
                Value *l = a->value;
                const char **names;

                if ((r = eval_force_list(st, l, pn)) < 0)
                        return r;
                names = gc_alloc((l->list.size ? l->list.size : 1) * sizeof(char *));
                for (size_t i = 0; i < l->list.size; i++)
                        if ((r = eval_force_string_no_context(st, l->list.elems[i], pn, &names[i])) < 0)
                                return r;
                return handle_outputs(b, names, l->list.size);
        }
        return 0;
}

static int process_attr(DrvBuild *b, Attr *a, const char *key, bool ignore_nulls, StrBuf *json) {
        EvalState *st = b->st;
        const Pos *pos = b->pos_name;
        bool on;
        int r;

        if (ignore_nulls) {
                if ((r = eval_force(st, a->value, pos)) < 0)
                        return r;
                if (a->value->type == VT_NULL)
                        return 0;
        }

        if (strcmp(key, "__contentAddressed") == 0) {
                if ((r = eval_force_bool(st, a->value, pos, &on)) < 0)
                        return r;
                return on ? require_feature(st, "ca-derivations") : 0;
        }
        if (strcmp(key, "__impure") == 0) {
                if ((r = eval_force_bool(st, a->value, pos, &on)) < 0)
                        return r;
                return on ? require_feature(st, "impure-derivations") : 0;
        }
        /* args: the builder's command line, not in the environment. */
        if (strcmp(key, "args") == 0) {
                Value *l = a->value;

                if ((r = eval_force_list(st, l, pos)) < 0)
                        return r;
                for (size_t i = 0; i < l->list.size; i++) {
                        const char *s;

                        r = eval_coerce_to_string(st, l->list.elems[i], b->pos_name, &b->cb, true, true, &s);
                        if (r < 0)
                                return r;
                        drv_add_arg(b->drv, s);
                }
                return 0;
        }
        if (json) {
                if (strcmp(key, "__structuredAttrs") == 0)
                        return 0;
                return attr_to_json(b, a, key, json);
        }
        return attr_to_env(b, a, key);
}

/* The context collected from the attributes becomes the inputs. */
static int add_context_inputs(DrvBuild *b) {
        EvalState *st = b->st;
        const EvalStoreHooks *h = &st->opts.store;
        const char **context = context_finish(&b->cb);

        for (size_t i = 0; context && context[i]; i++) {
                const char *e = context[i];

                if (e[0] == '=') {
                        /* The .drv itself, passed to the builder: all of
                         * its closure becomes input. */
                        const char **paths;
                        size_t n;
                        char *err = NULL;
                        int r;

                        if (!h->path_closure)
                                return no_store(st, b->pos_name, "a derivation's path in a derivation");
                        r = h->path_closure(h->userdata, e + 1, &paths, &n, &err);
                        if (r < 0)
                                return hook_error(st, NULL, r, err, "cannot compute the closure");
                        for (size_t k = 0; k < n; k++) {
                                drv_add_src(b->drv, paths[k]);
                                if (has_suffix(paths[k], DRV_EXTENSION)) {
                                        const char **outs;
                                        size_t n_outs;

                                        if (!h->derivation_outputs)
                                                return no_store(st, b->pos_name, "a derivation's path in a derivation");
                                        r = h->derivation_outputs(h->userdata, paths[k], &outs, &n_outs, &err);
                                        if (r < 0)
                                                return hook_error(st, NULL, r, err, "cannot read a derivation");
                                        for (size_t o = 0; o < n_outs; o++)
                                                drv_add_input(b->drv, paths[k], outs[o]);
                                }
                        }
                } else if (e[0] == '!') {
                        const char *bang = strchr(e + 1, '!');

                        if (!bang)
                                return eval_error(st, EVAL_ERROR_GENERIC, NULL, "invalid string context element '%s'",
                                                  e);
                        drv_add_input(b->drv, bang + 1, gc_strndup(e + 1, (size_t) (bang - e - 1)));
                } else
                        drv_add_src(b->drv, e);
        }
        return 0;
}

static int prim_derivationStrict(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const EvalStoreHooks *h = &st->opts.store;
        _cleanup_strbuf_ StrBuf json = STRBUF_INIT;
        const Derivation *done = NULL;
        DrvBuild b = { .st = st, .ingestion = -1 };
        bool structured = false, ignore_nulls = false;
        const char *drv_path = NULL;
        char *err = NULL;
        Attr *a, **sorted;
        Bindings *res;
        Value *v;
        int r;

        r = eval_force_attrs(st, args[0], pos);
        if (r < 0)
                return r;

        /* The name first, for the messages. */
        a = eval_get_attr(args[0], st->sym.name);
        if (!a)
                return eval_error(st, EVAL_ERROR_TYPE, pos, "attribute 'name' missing for call to 'derivationStrict'");
        b.pos_name = a->pos ? a->pos : pos;
        r = eval_force_string_no_context(st, a->value, pos, &b.drv_name);
        if (r < 0)
                return eval_error_add_frame(st, b.pos_name, "while evaluating the derivation attribute 'name'");

        a = eval_get_attr(args[0], symbol_intern_str("__structuredAttrs"));
        if (a && (r = eval_force_bool(st, a->value, pos, &structured)) < 0)
                return r;
        a = eval_get_attr(args[0], st->s_ignore_nulls);
        if (a && (r = eval_force_bool(st, a->value, pos, &ignore_nulls)) < 0)
                return r;

        b.drv = drv_new(b.drv_name);
        b.outputs = single_context("out"); /* the default: one output, out */
        b.n_outputs = 1;

        sorted = bindings_sorted_by_name(args[0]->attrs);
        for (uint32_t i = 0; i < args[0]->attrs->size; i++) {
                const char *key = symbol_str(sorted[i]->name);

                if (sorted[i]->name == st->s_ignore_nulls)
                        continue;
                r = process_attr(&b, sorted[i], key, ignore_nulls, structured ? &json : NULL);
                if (r < 0) {
                        drv_free(b.drv);
                        return eval_error_add_frame(st, b.pos_name,
                                                    "while evaluating the attribute '%s' of the derivation '%s'",
                                                    key, b.drv_name);
                }
        }
        if (structured) {
                strbuf_adds(&json, json.len ? "}" : "{}");
                drv_set_env(b.drv, "__json", json.buf);
        }

        r = add_context_inputs(&b);
        if (r < 0)
                goto fail;

        if (!b.drv->builder[0]) {
                r = eval_error(st, EVAL_ERROR_GENERIC, b.pos_name, "required attribute 'builder' missing");
                goto fail;
        }
        if (!b.drv->platform[0]) {
                r = eval_error(st, EVAL_ERROR_GENERIC, b.pos_name, "required attribute 'system' missing");
                goto fail;
        }
        if (has_suffix(b.drv_name, DRV_EXTENSION)) {
                r = eval_error(st, EVAL_ERROR_GENERIC, b.pos_name,
                               "derivation names are not allowed to end in '%s'", DRV_EXTENSION);
                goto fail;
        }

        if (b.have_output_hash) {
                _cleanup_free_ char *hex = NULL;
                StrBuf algo = STRBUF_INIT;
                Hash hash;

                if (b.n_outputs != 1 || strcmp(b.outputs[0], "out") != 0) {
                        r = eval_error(st, EVAL_ERROR_GENERIC, b.pos_name,
                                       "multiple outputs are not supported in fixed-output derivations");
                        goto fail;
                }
                r = parse_hash(st, b.output_hash, b.output_hash_algo, &hash);
                if (r < 0)
                        goto fail;
                hex = hash_to_string(&hash, HASH_FORMAT_BASE16);
                strbuf_addf(&algo, "%s%s", b.ingestion == FILE_INGESTION_RECURSIVE ? "r:" : "",
                            hash_algo_to_string(hash.algo));
                drv_set_output(b.drv, "out", "", algo.buf, hex);
                strbuf_release(&algo);
        } else
                for (size_t i = 0; i < b.n_outputs; i++)
                        drv_set_output(b.drv, b.outputs[i], "", "", "");

        if (!h->write_derivation) {
                r = no_store(st, b.pos_name, "derivationStrict");
                goto fail;
        }
        /* The store owns the derivation from here on. */
        r = h->write_derivation(h->userdata, TAKE_PTR(b.drv), &drv_path, &done, &err);
        if (r < 0)
                return hook_error(st, NULL, r, err, "cannot write the derivation");

        res = bindings_new(1 + done->n_outputs);
        {
                char *c = gc_alloc_atomic(strlen(drv_path) + 2);

                c[0] = '=';
                strcpy(c + 1, drv_path);
                v = value_new();
                value_set_string(v, drv_path, single_context(c));
        }
        bindings_push(res, st->sym.drvPath, v, NULL);
        for (size_t i = 0; i < done->n_outputs; i++) {
                const DrvOutput *o = &done->outputs[i];
                size_t len = strlen(o->name) + strlen(drv_path) + 3;
                char *c = gc_alloc_atomic(len);

                snprintf(c, len, "!%s!%s", o->name, drv_path);
                v = value_new();
                value_set_string(v, gc_strdup(o->path), single_context(c));
                bindings_push(res, symbol_intern_str(o->name), v, NULL);
        }
        bindings_sort(res);
        value_set_attrs(ret, res);
        return 0;

fail:
        drv_free(b.drv);
        return r;
}

/* ---- toFile ---------------------------------------------------------- */

static int prim_toFile(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const EvalStoreHooks *h = &st->opts.store;
        ContextBuilder cb = { 0 };
        const char *name, *contents, *path, **context;
        size_t n;
        char *err = NULL;
        int r;

        if ((r = eval_force_string_no_context(st, args[0], pos, &name)) < 0)
                return r;
        if ((r = eval_force_string(st, args[1], pos, &cb, &contents)) < 0)
                return r;

        context = context_finish(&cb);
        n = context_count(context);
        for (size_t i = 0; i < n; i++)
                if (context[i][0] != '/')
                        return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                          "in 'toFile': the file named '%s' must not contain a reference to a "
                                          "derivation but contains (%s)",
                                          name, context[i]);

        if (!h->add_text)
                return no_store(st, pos, "builtins.toFile");
        r = h->add_text(h->userdata, name, contents, context, n, &path, &err);
        if (r < 0)
                return hook_error(st, NULL, r, err, "cannot add the file to the store");
        /* The references are the file's own, not the string's. */
        value_set_string(ret, path, single_context(path));
        return 0;
}

/* ---- path, filterSource --------------------------------------------- */

typedef struct FilterCall {
        EvalState *st;
        Value *fn;
        const Pos *pos;
} FilterCall;

static int call_filter(void *userdata, const char *path, const char *type) {
        FilterCall *fc = userdata;
        Value *a1 = value_new(), *a2 = value_new(), *argv[2] = { a1, a2 }, res;
        bool keep;
        int r;

        value_set_string(a1, gc_strdup(path), NULL);
        value_set_string(a2, type, NULL);
        r = eval_call(fc->st, fc->fn, 2, argv, &res, fc->pos);
        if (r < 0)
                return EVAL_FAILED;
        r = eval_force_bool(fc->st, &res, fc->pos, &keep);
        if (r < 0)
                return EVAL_FAILED;
        return keep;
}

/* Nix's addPath (read-only or not, as the hooks do it). */
static int add_path(EvalState *st, const Pos *pos, const char *name, const char *path, Value *filter,
                    bool recursive, const Hash *expected, Value *ret) {
        const EvalStoreHooks *h = &st->opts.store;
        FilterCall fc = { .st = st, .fn = filter, .pos = pos };
        const char *dst;
        char *err = NULL;
        int r;

        if (!h->add_path_filtered)
                return no_store(st, pos, "adding a path to the store");
        r = h->add_path_filtered(h->userdata, path, name, recursive, filter ? call_filter : NULL, &fc, &dst, &err);
        if (r < 0) {
                hook_error(st, NULL, r, err, "cannot add the path to the store");
                return eval_error_add_frame(st, pos, "while adding path '%s'", path);
        }

        if (expected) {
                char *want = NULL;

                r = store_path_make_fixed_output(recursive ? FILE_INGESTION_RECURSIVE : FILE_INGESTION_FLAT,
                                                 expected, name, NULL, 0, false, eval_store_dir(st), &want, &err);
                if (r < 0) {
                        hook_error(st, NULL, r, err, "invalid store path name");
                        return eval_error_add_frame(st, pos, "while adding path '%s'", path);
                }
                r = strcmp(want, dst);
                free(want);
                if (r != 0) {
                        eval_error(st, EVAL_ERROR_GENERIC, NULL,
                                   "store path mismatch in (possibly filtered) path added from '%s'", path);
                        return eval_error_add_frame(st, pos, "while adding path '%s'", path);
                }
        }

        value_set_string(ret, dst, single_context(dst));
        return 0;
}

static int prim_filterSource(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ContextBuilder cb = { 0 };
        const char *path;
        int r;

        if ((r = eval_coerce_to_path(st, args[1], pos, &cb, &path)) < 0)
                return r;
        if ((r = eval_force(st, args[0], pos)) < 0)
                return r;
        if (args[0]->type != VT_LAMBDA && args[0]->type != VT_PRIMOP && args[0]->type != VT_PRIMOP_APP)
                return eval_error(st, EVAL_ERROR_TYPE, pos,
                                  "first argument in call to 'filterSource' is not a function but %s",
                                  value_show_type(args[0]));
        return add_path(st, pos, base_name_of(path), path, args[0], true, NULL, ret);
}

static int prim_path(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const EvalSymbols *sym = eval_symbols(st);
        const char *path = "", *name = "";
        ContextBuilder cb = { 0 };
        Value *filter = NULL;
        bool recursive = true, have_hash = false;
        Hash expected;
        Bindings *attrs;
        int r;

        if ((r = eval_force_attrs(st, args[0], pos)) < 0)
                return r;
        attrs = args[0]->attrs;
        /* In the set's own order, as Nix (which decides which error comes
         * first when several attributes are wrong). */
        for (uint32_t i = 0; i < attrs->size; i++) {
                Attr *a = &attrs->attrs[i];
                const Pos *apos = a->pos ? a->pos : pos;

                if (a->name == sym->path)
                        r = eval_coerce_to_path(st, a->value, apos, &cb, &path);
                else if (a->name == sym->name)
                        r = eval_force_string_no_context(st, a->value, apos, &name);
                else if (a->name == sym->filter) {
                        r = eval_force(st, a->value, pos);
                        filter = a->value;
                } else if (a->name == sym->recursive)
                        r = eval_force_bool(st, a->value, apos, &recursive);
                else if (a->name == sym->sha256) {
                        const char *s;

                        r = eval_force_string_no_context(st, a->value, apos, &s);
                        if (r >= 0)
                                r = parse_hash(st, s, "sha256", &expected);
                        have_hash = true;
                } else
                        r = eval_error(st, EVAL_ERROR_GENERIC, apos, "unsupported argument '%s' to 'addPath'",
                                       symbol_str(a->name));
                if (r < 0)
                        return r;
        }
        if (!*path)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "'path' required");
        if (!*name)
                name = base_name_of(path);
        return add_path(st, pos, name, path, filter, recursive, have_hash ? &expected : NULL, ret);
}

/* ---- storePath ------------------------------------------------------- */

static bool is_base32_hash_char(char c) {
        return ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) && c != 'e' && c != 'o' && c != 'u' && c != 't';
}

/* Nix's Store::isStorePath: canonically, directly in the store directory,
 * with a valid base name (hash part and name). */
static bool is_store_path(EvalState *st, const char *path) {
        const char *dir = eval_store_dir(st), *p = canon_path(path, "/"), *slash;
        size_t dir_len = strlen(dir);

        slash = strrchr(p, '/');
        if ((size_t) (slash - p) != dir_len || strncmp(p, dir, dir_len) != 0)
                return false;
        slash++;
        if (strlen(slash) < STORE_PATH_HASH_CHARS + 1)
                return false;
        for (size_t i = 0; i < STORE_PATH_HASH_CHARS; i++)
                if (!is_base32_hash_char(slash[i]))
                        return false;
        return store_name_check(slash + STORE_PATH_HASH_CHARS + 1, NULL) == STORE_NAME_VALID;
}

/* Nix's canonPath(path, resolveSymlinks = true): lexical, but every
 * component that is a symlink is replaced by its target (at most 1024
 * times). System errors carry no position, as Nix's SysError. */
static int canon_path_resolving(EvalState *st, const char *path, const char **ret) {
        StrBuf s = STRBUF_INIT;
        const char *rest = path;
        char *temp = NULL;
        unsigned follow = 0;
        int r = 0;

        for (;;) {
                while (*rest == '/')
                        rest++;
                if (!*rest)
                        break;
                if (strcmp(rest, ".") == 0 || strncmp(rest, "./", 2) == 0)
                        rest++;
                else if (strcmp(rest, "..") == 0 || strncmp(rest, "../", 3) == 0) {
                        char *last = strrchr(s.buf, '/');

                        if (last) {
                                s.len = (size_t) (last - s.buf);
                                s.buf[s.len] = '\0';
                        }
                        rest += 2;
                } else {
                        size_t n = strcspn(rest, "/");
                        struct stat sb;

                        strbuf_addc(&s, '/');
                        strbuf_add(&s, rest, n);
                        rest += n;
                        if (lstat(s.buf, &sb) < 0) {
                                r = eval_error(st, EVAL_ERROR_IO, NULL, "getting status of '%s': %s", s.buf,
                                               strerror(errno));
                                break;
                        }
                        if (S_ISLNK(sb.st_mode)) {
                                char target[PATH_MAX];
                                ssize_t len;
                                char *joined;

                                if (++follow >= 1024) {
                                        r = eval_error(st, EVAL_ERROR_GENERIC, NULL,
                                                       "infinite symlink recursion in path '%s'", rest);
                                        break;
                                }
                                len = readlink(s.buf, target, sizeof(target) - 1);
                                if (len < 0) {
                                        r = eval_error(st, EVAL_ERROR_IO, NULL, "reading symbolic link '%s': %s",
                                                       s.buf, strerror(errno));
                                        break;
                                }
                                target[len] = '\0';
                                joined = malloc((size_t) len + strlen(rest) + 1);
                                if (!joined) {
                                        r = eval_error(st, EVAL_ERROR_GENERIC, NULL, "out of memory");
                                        break;
                                }
                                strcpy(stpcpy(joined, target), rest);
                                free(temp);
                                temp = joined;
                                rest = temp;
                                if (target[0] == '/')
                                        strbuf_reset(&s);
                                else {
                                        /* dirOf(s), without the trailing slash of "/". */
                                        char *last = strrchr(s.buf, '/');

                                        s.len = (size_t) (last - s.buf);
                                        s.buf[s.len] = '\0';
                                }
                        }
                }
        }
        if (r >= 0)
                *ret = s.len ? gc_strndup(s.buf, s.len) : "/";
        free(temp);
        strbuf_release(&s);
        return r;
}

static int prim_storePath(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *dir = eval_store_dir(st), *path, *store_path, *base, *end;
        ContextBuilder cb = { 0 };
        size_t dir_len = strlen(dir), n;
        int r;

        if ((r = eval_coerce_to_path(st, args[0], pos, &cb, &path)) < 0)
                return r;
        /* Symlinks are resolved, unless the path itself is a store path
         * (which may be a symlink). */
        if (!is_store_path(st, path) && (r = canon_path_resolving(st, path, &path)) < 0)
                return r;
        /* isInStore: strictly below the store directory. */
        if (strncmp(path, dir, dir_len) != 0 || path[dir_len] != '/' || strlen(path) < dir_len + 2)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "path '%s' is not in the Nix store", path);

        /* toStorePath: the store directory's entry the path is in. */
        end = strchr(path + dir_len + 1, '/');
        store_path = canon_path(end ? gc_strndup(path, (size_t) (end - path)) : path, "/");
        base = strrchr(store_path, '/') + 1;
        if (strncmp(store_path, dir, dir_len) != 0 || (size_t) (base - store_path) != dir_len + 1)
                return eval_error(st, EVAL_ERROR_GENERIC, NULL, "path '%s' is not in the Nix store", store_path);
        n = strlen(base);
        if (n < STORE_PATH_HASH_CHARS + 1)
                return eval_error(st, EVAL_ERROR_GENERIC, NULL, "'%s' is too short to be a valid store path", base);
        for (size_t i = 0; i < STORE_PATH_HASH_CHARS; i++)
                if (!is_base32_hash_char(base[i]))
                        return eval_error(st, EVAL_ERROR_GENERIC, NULL,
                                          "store path '%s' contains illegal base-32 character '%c'", base, base[i]);
        {
                char *msg = store_name_error(base, base + STORE_PATH_HASH_CHARS + 1);

                if (msg)
                        return hook_error(st, NULL, -EINVAL, msg, NULL);
        }

        /* Read-only: the path is not realised (Nix's ensurePath). */
        context_add(&cb, store_path);
        value_set_string(ret, path, context_finish(&cb));
        return 0;
}

/* ---- fetchers --------------------------------------------------------- */

#define FETCHER(fname, label)                                                                             \
        static int fname(EvalState *st, const Pos *pos, Value **args, Value *ret) {                       \
                return eval_error(st, EVAL_ERROR_GENERIC, pos,                                            \
                                  "builtins." label " needs the network and the build issue; firn cannot " \
                                  "fetch yet");                                                           \
        }

FETCHER(prim_fetchurl, "fetchurl")
FETCHER(prim_fetchTarball, "fetchTarball")
FETCHER(prim_fetchGit, "fetchGit")
FETCHER(prim_fetchMercurial, "fetchMercurial")
FETCHER(prim_fetchTree, "fetchTree")

const PrimOp builtins_store[] = {
        {
                .name = "derivationStrict",
                .arity = 1,
                .global = true,
                .args = { "attrs" },
                .doc = "Instantiate the derivation described by attrs: write its .drv (read-only: compute its "
                       "path) and return { drvPath; OUTPUT = path; … } with their string contexts.",
                .fn = prim_derivationStrict,
        },
        {
                .name = "toFile",
                .arity = 2,
                .args = { "name", "s" },
                .doc = "Store the string s as a file named name; return its store path. s may refer to store "
                       "paths but not to derivations.",
                .fn = prim_toFile,
        },
        {
                .name = "path",
                .arity = 1,
                .args = { "args" },
                .doc = "Copy { path; name ?; filter ?; recursive ? true; sha256 ?; } to the store; return the "
                       "store path.",
                .fn = prim_path,
        },
        {
                .name = "filterSource",
                .arity = 2,
                .args = { "e1", "e2" },
                .doc = "Copy the path e2 to the store, keeping only the entries for which e1 path type is true.",
                .fn = prim_filterSource,
        },
        {
                .name = "storePath",
                .arity = 1,
                .args = { "path" },
                .doc = "The store path path (which may lie inside a store object) with a dependency on it.",
                .fn = prim_storePath,
        },
        {
                .name = "fetchurl",
                .arity = 1,
                .args = { "url" },
                .doc = "Download url (not available in firn yet).",
                .fn = prim_fetchurl,
        },
        {
                .name = "fetchTarball",
                .arity = 1,
                .global = true,
                .args = { "args" },
                .doc = "Download and unpack a tarball (not available in firn yet).",
                .fn = prim_fetchTarball,
        },
        {
                .name = "fetchGit",
                .arity = 1,
                .global = true,
                .args = { "args" },
                .doc = "Fetch a Git repository (not available in firn yet).",
                .fn = prim_fetchGit,
        },
        {
                .name = "fetchMercurial",
                .arity = 1,
                .global = true,
                .args = { "args" },
                .doc = "Fetch a Mercurial repository (not available in firn yet).",
                .fn = prim_fetchMercurial,
        },
        {
                .name = "fetchTree",
                .arity = 1,
                .global = true,
                .args = { "input" },
                .doc = "Fetch a source tree (not available in firn yet).",
                .fn = prim_fetchTree,
        },
        { .name = NULL },
};
