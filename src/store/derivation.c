#include "derivation.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

/* ---- building ------------------------------------------------------- */

Derivation *drv_new(const char *name) {
        Derivation *drv = xcalloc(1, sizeof(*drv));

        assert(name);
        drv->name = xstrdup(name);
        drv->platform = xstrdup("");
        drv->builder = xstrdup("");
        return drv;
}

static void free_strv(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

Derivation *drv_free(Derivation *drv) {
        if (!drv)
                return NULL;
        for (size_t i = 0; i < drv->n_outputs; i++) {
                free(drv->outputs[i].name);
                free(drv->outputs[i].path);
                free(drv->outputs[i].hash_algo);
                free(drv->outputs[i].hash);
        }
        free(drv->outputs);
        for (size_t i = 0; i < drv->n_inputs; i++) {
                free(drv->inputs[i].path);
                free_strv(drv->inputs[i].outputs, drv->inputs[i].n_outputs);
        }
        free(drv->inputs);
        free_strv(drv->srcs, drv->n_srcs);
        free_strv(drv->args, drv->n_args);
        for (size_t i = 0; i < drv->n_env; i++) {
                free(drv->env[i].name);
                free(drv->env[i].value);
        }
        free(drv->env);
        free(drv->name);
        free(drv->platform);
        free(drv->builder);
        free(drv);
        return NULL;
}

static void replace_string(char **field, const char *s) {
        char *n = xstrdup(s ? s : "");

        free(*field);
        *field = n;
}

void drv_set_platform(Derivation *drv, const char *platform) {
        replace_string(&drv->platform, platform);
}

void drv_set_builder(Derivation *drv, const char *builder) {
        replace_string(&drv->builder, builder);
}

/* Grows *array (n elements of size bytes) so that one more fits. Capacity
 * is implicit: the next power of two at or above n (at least 4). */
static void grow(void **array, size_t n, size_t size) {
        if (n >= 4 && (n & (n - 1)) != 0)
                return;
        *array = xrealloc(*array, (n < 4 ? 4 : n * 2) * size);
}

/* Sorted arrays of records whose first member is a char * key (or of
 * plain char *): the index of the first key >= key; *ret_found tells
 * whether it is equal. */
static size_t lower_bound(const void *base, size_t n, size_t size, const char *key, bool *ret_found) {
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const char *k = *(char *const *) ((const char *) base + mid * size);

                if (strcmp(k, key) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        *ret_found = lo < n && strcmp(*(char *const *) ((const char *) base + lo * size), key) == 0;
        return lo;
}

/* Opens a gap at index i for one more element. */
static void *insert_at(void **array, size_t *n, size_t size, size_t i) {
        char *base;

        grow(array, *n, size);
        base = *array;
        memmove(base + (i + 1) * size, base + i * size, (*n - i) * size);
        (*n)++;
        memset(base + i * size, 0, size);
        return base + i * size;
}

/* Inserts a copy of s into a sorted string array unless present. */
static void strv_insert(char ***v, size_t *n, const char *s) {
        bool found;
        size_t i = lower_bound(*v, *n, sizeof(char *), s, &found);

        if (found)
                return;
        *(char **) insert_at((void **) v, n, sizeof(char *), i) = xstrdup(s);
}

void drv_add_arg(Derivation *drv, const char *arg) {
        grow((void **) &drv->args, drv->n_args, sizeof(char *));
        drv->args[drv->n_args++] = xstrdup(arg);
}

void drv_set_env(Derivation *drv, const char *name, const char *value) {
        bool found;
        size_t i = lower_bound(drv->env, drv->n_env, sizeof(DrvEnv), name, &found);
        DrvEnv *e;

        if (found) {
                replace_string(&drv->env[i].value, value);
                return;
        }
        e = insert_at((void **) &drv->env, &drv->n_env, sizeof(DrvEnv), i);
        e->name = xstrdup(name);
        e->value = xstrdup(value);
}

const char *drv_get_env(const Derivation *drv, const char *name) {
        bool found;
        size_t i = lower_bound(drv->env, drv->n_env, sizeof(DrvEnv), name, &found);

        return found ? drv->env[i].value : NULL;
}

void drv_add_src(Derivation *drv, const char *path) {
        strv_insert(&drv->srcs, &drv->n_srcs, path);
}

void drv_add_input(Derivation *drv, const char *drv_path, const char *output) {
        bool found;
        size_t i = lower_bound(drv->inputs, drv->n_inputs, sizeof(DrvInput), drv_path, &found);
        DrvInput *in;

        if (found)
                in = &drv->inputs[i];
        else {
                in = insert_at((void **) &drv->inputs, &drv->n_inputs, sizeof(DrvInput), i);
                in->path = xstrdup(drv_path);
        }
        strv_insert(&in->outputs, &in->n_outputs, output);
}

void drv_set_output(Derivation *drv, const char *name, const char *path, const char *hash_algo, const char *hash) {
        bool found;
        size_t i = lower_bound(drv->outputs, drv->n_outputs, sizeof(DrvOutput), name, &found);
        DrvOutput *o;

        if (found)
                o = &drv->outputs[i];
        else {
                o = insert_at((void **) &drv->outputs, &drv->n_outputs, sizeof(DrvOutput), i);
                o->name = xstrdup(name);
        }
        replace_string(&o->path, path);
        replace_string(&o->hash_algo, hash_algo);
        replace_string(&o->hash, hash);
}

DrvOutput *drv_find_output(const Derivation *drv, const char *name) {
        bool found;
        size_t i = lower_bound(drv->outputs, drv->n_outputs, sizeof(DrvOutput), name, &found);

        return found ? &drv->outputs[i] : NULL;
}

static int fail(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        if (ret_error) {
                StrBuf sb = STRBUF_INIT;

                va_start(ap, fmt);
                strbuf_vaddf(&sb, fmt, ap);
                va_end(ap);
                *ret_error = strbuf_detach(&sb, NULL);
        }
        return r;
}

int drv_type(const Derivation *drv, DrvType *ret, char **ret_error) {
        size_t n_ia = 0, n_fixed = 0, n_floating = 0, n_deferred = 0, n_impure = 0;
        const char *fixed_name = NULL;

        for (size_t i = 0; i < drv->n_outputs; i++) {
                const DrvOutput *o = &drv->outputs[i];

                if (o->hash_algo[0]) {
                        if (strcmp(o->hash, "impure") == 0)
                                n_impure++;
                        else if (o->hash[0]) {
                                n_fixed++;
                                fixed_name = o->name;
                        } else
                                n_floating++;
                } else if (o->path[0])
                        n_ia++;
                else
                        n_deferred++;
        }

        if (drv->n_outputs == 0)
                return fail(ret_error, -EINVAL, "must have at least one output");
        if (n_ia == drv->n_outputs)
                *ret = DRV_TYPE_INPUT_ADDRESSED;
        else if (n_fixed == drv->n_outputs) {
                if (n_fixed > 1)
                        return fail(ret_error, -EINVAL, "only one fixed output is allowed for now");
                if (strcmp(fixed_name, "out") != 0)
                        return fail(ret_error, -EINVAL, "single fixed output must be named \"out\"");
                *ret = DRV_TYPE_FIXED;
        } else if (n_floating == drv->n_outputs)
                *ret = DRV_TYPE_FLOATING;
        else if (n_deferred == drv->n_outputs)
                *ret = DRV_TYPE_DEFERRED;
        else if (n_impure == drv->n_outputs)
                *ret = DRV_TYPE_IMPURE;
        else
                return fail(ret_error, -EINVAL, "can't mix derivation output types");
        return 0;
}

char *drv_output_path_name(const char *drv_name, const char *output) {
        StrBuf sb = STRBUF_INIT;

        strbuf_adds(&sb, drv_name);
        if (strcmp(output, "out") != 0) {
                strbuf_addc(&sb, '-');
                strbuf_adds(&sb, output);
        }
        return strbuf_detach(&sb, NULL);
}

/* ---- ATerm output --------------------------------------------------- */

static void put_escaped(StrBuf *out, const char *s) {
        const char *run = s;

        strbuf_addc(out, '"');
        for (const char *p = s;; p++) {
                const char *esc;

                switch (*p) {
                case '"': esc = "\\\""; break;
                case '\\': esc = "\\\\"; break;
                case '\n': esc = "\\n"; break;
                case '\r': esc = "\\r"; break;
                case '\t': esc = "\\t"; break;
                case '\0': esc = NULL; break;
                default: continue;
                }
                strbuf_add(out, run, (size_t) (p - run));
                if (!esc)
                        break;
                strbuf_adds(out, esc);
                run = p + 1;
        }
        strbuf_addc(out, '"');
}

static void put_raw(StrBuf *out, const char *s) {
        strbuf_addc(out, '"');
        strbuf_adds(out, s);
        strbuf_addc(out, '"');
}

static void put_raw_list(StrBuf *out, char *const *v, size_t n) {
        strbuf_addc(out, '[');
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strbuf_addc(out, ',');
                put_raw(out, v[i]);
        }
        strbuf_addc(out, ']');
}

void drv_unparse(const Derivation *drv, bool mask_outputs, const DrvInput *inputs, size_t n_inputs, StrBuf *out) {
        if (!inputs) {
                inputs = drv->inputs;
                n_inputs = drv->n_inputs;
        }

        strbuf_adds(out, "Derive([");
        for (size_t i = 0; i < drv->n_outputs; i++) {
                const DrvOutput *o = &drv->outputs[i];

                if (i > 0)
                        strbuf_addc(out, ',');
                strbuf_addc(out, '(');
                put_raw(out, o->name);
                strbuf_addc(out, ',');
                put_raw(out, mask_outputs ? "" : o->path);
                strbuf_addc(out, ',');
                put_raw(out, o->hash_algo);
                strbuf_addc(out, ',');
                put_raw(out, o->hash);
                strbuf_addc(out, ')');
        }

        strbuf_adds(out, "],[");
        for (size_t i = 0; i < n_inputs; i++) {
                if (i > 0)
                        strbuf_addc(out, ',');
                strbuf_addc(out, '(');
                put_raw(out, inputs[i].path);
                strbuf_addc(out, ',');
                put_raw_list(out, inputs[i].outputs, inputs[i].n_outputs);
                strbuf_addc(out, ')');
        }

        strbuf_adds(out, "],");
        put_raw_list(out, drv->srcs, drv->n_srcs);
        strbuf_addc(out, ',');
        put_raw(out, drv->platform);
        strbuf_addc(out, ',');
        put_escaped(out, drv->builder);

        strbuf_adds(out, ",[");
        for (size_t i = 0; i < drv->n_args; i++) {
                if (i > 0)
                        strbuf_addc(out, ',');
                put_escaped(out, drv->args[i]);
        }

        strbuf_adds(out, "],[");
        for (size_t i = 0; i < drv->n_env; i++) {
                const DrvEnv *e = &drv->env[i];

                if (i > 0)
                        strbuf_addc(out, ',');
                strbuf_addc(out, '(');
                put_escaped(out, e->name);
                strbuf_addc(out, ',');
                put_escaped(out, mask_outputs && drv_find_output(drv, e->name) ? "" : e->value);
                strbuf_addc(out, ')');
        }
        strbuf_adds(out, "])");
}

/* ---- ATerm input ---------------------------------------------------- */

typedef struct Parser {
        const char *start, *p, *end;
        char *error;
        int r;
} Parser;

static bool parse_fail(Parser *ps, int r, const char *fmt, ...) _printf_(3, 4);
static bool parse_fail(Parser *ps, int r, const char *fmt, ...) {
        va_list ap;

        if (!ps->error) {
                StrBuf sb = STRBUF_INIT;

                va_start(ap, fmt);
                strbuf_vaddf(&sb, fmt, ap);
                va_end(ap);
                ps->error = strbuf_detach(&sb, NULL);
                ps->r = r;
        }
        return false;
}

static size_t offset(const Parser *ps) {
        return (size_t) (ps->p - ps->start);
}

static bool expect(Parser *ps, const char *lit) {
        size_t n = strlen(lit);

        if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, lit, n) != 0)
                return parse_fail(ps, -EINVAL, "expected '%s' at byte %zu", lit, offset(ps));
        ps->p += n;
        return true;
}

static bool peek(const Parser *ps, char c) {
        return ps->p < ps->end && *ps->p == c;
}

/* A quoted string: \n \r \t decoded, any other escaped byte taken as is. */
static bool parse_string(Parser *ps, char **ret) {
        StrBuf sb = STRBUF_INIT;

        if (!expect(ps, "\""))
                return false;
        for (;;) {
                const char *run = ps->p;
                char c;

                while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' && *ps->p != '\0')
                        ps->p++;
                strbuf_add(&sb, run, (size_t) (ps->p - run));
                if (ps->p >= ps->end) {
                        strbuf_release(&sb);
                        return parse_fail(ps, -EINVAL, "unterminated string at byte %zu", offset(ps));
                }
                c = *ps->p++;
                if (c == '"')
                        break;
                if (c == '\0') {
                        strbuf_release(&sb);
                        return parse_fail(ps, -EINVAL, "NUL byte in a string at byte %zu", offset(ps) - 1);
                }
                if (ps->p >= ps->end) {
                        strbuf_release(&sb);
                        return parse_fail(ps, -EINVAL, "unterminated string at byte %zu", offset(ps));
                }
                c = *ps->p++;
                if (c == '\0') {
                        strbuf_release(&sb);
                        return parse_fail(ps, -EINVAL, "NUL byte in a string at byte %zu", offset(ps) - 1);
                }
                strbuf_addc(&sb, c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c);
        }
        *ret = strbuf_detach(&sb, NULL);
        return true;
}

static bool parse_path(Parser *ps, char **ret) {
        size_t at = offset(ps);

        if (!parse_string(ps, ret))
                return false;
        if ((*ret)[0] != '/') {
                parse_fail(ps, -EINVAL, "bad path '%s' in derivation at byte %zu", *ret, at);
                free(*ret);
                *ret = NULL;
                return false;
        }
        return true;
}

/* After an element: ',' (more follow) or ']' (the list ends). */
static bool list_next(Parser *ps, bool *ret_more) {
        if (peek(ps, ',')) {
                ps->p++;
                *ret_more = true;
                return true;
        }
        if (peek(ps, ']')) {
                ps->p++;
                *ret_more = false;
                return true;
        }
        return parse_fail(ps, -EINVAL, "expected ',' or ']' at byte %zu", offset(ps));
}

/* '[' then, unless ']' follows at once, *ret_more = true. */
static bool list_open(Parser *ps, bool *ret_more) {
        if (!expect(ps, "["))
                return false;
        *ret_more = !peek(ps, ']');
        if (!*ret_more)
                ps->p++;
        return true;
}

/* Checks an output's fields as Nix's parseDerivationOutput; the hash is
 * re-written in base16 (it may be given in any encoding). */
static bool check_output(Parser *ps, const char *name, const char *path, const char *hash_algo, char **hash) {
        if (hash_algo[0]) {
                const char *algo_name = strncmp(hash_algo, "r:", 2) == 0 ? hash_algo + 2 : hash_algo;
                HashAlgo algo;
                Hash h;

                if (hash_algo_from_string(algo_name, &algo) < 0)
                        return parse_fail(ps, -EINVAL, "unknown hash algorithm '%s'", algo_name);
                if (strcmp(*hash, "impure") == 0)
                        return parse_fail(ps, -EOPNOTSUPP,
                                          "experimental Nix feature 'impure-derivations' is disabled; use "
                                          "'--extra-experimental-features impure-derivations' to override");
                if (!(*hash)[0])
                        return parse_fail(ps, -EOPNOTSUPP,
                                          "experimental Nix feature 'ca-derivations' is disabled; use "
                                          "'--extra-experimental-features ca-derivations' to override");
                if (path[0] != '/')
                        return parse_fail(ps, -EINVAL, "bad path '%s' in derivation", path);
                /* Unprefixed, not SRI: a ':' or '-' would be taken as a prefix. */
                if (strchr(*hash, ':') || strchr(*hash, '-') || hash_from_string(*hash, &algo, &h) < 0)
                        return parse_fail(ps, -EINVAL, "invalid hash '%s' for output '%s'", *hash, name);
                free(*hash);
                *hash = hash_to_string(&h, HASH_FORMAT_BASE16);
                return true;
        }
        if (path[0] && path[0] != '/')
                return parse_fail(ps, -EINVAL, "bad path '%s' in derivation", path);
        if ((*hash)[0])
                return parse_fail(ps, -EINVAL, "output '%s' has a hash but no hash algorithm", name);
        return true;
}

static bool parse_outputs(Parser *ps, Derivation *drv) {
        bool more;

        if (!list_open(ps, &more))
                return false;
        while (more) {
                _cleanup_free_ char *name = NULL, *path = NULL, *algo = NULL, *hash = NULL;

                if (!expect(ps, "(") || !parse_string(ps, &name) || !expect(ps, ",") || !parse_string(ps, &path) ||
                    !expect(ps, ",") || !parse_string(ps, &algo) || !expect(ps, ",") || !parse_string(ps, &hash) ||
                    !expect(ps, ")"))
                        return false;
                if (!check_output(ps, name, path, algo, &hash))
                        return false;
                drv_set_output(drv, name, path, algo, hash);
                if (!list_next(ps, &more))
                        return false;
        }
        return true;
}

static bool parse_inputs(Parser *ps, Derivation *drv) {
        bool more;

        if (!list_open(ps, &more))
                return false;
        while (more) {
                _cleanup_free_ char *path = NULL;
                bool more_outputs;

                if (!expect(ps, "(") || !parse_path(ps, &path) || !expect(ps, ",") || !list_open(ps, &more_outputs))
                        return false;
                while (more_outputs) {
                        _cleanup_free_ char *out = NULL;

                        if (!parse_string(ps, &out))
                                return false;
                        drv_add_input(drv, path, out);
                        if (!list_next(ps, &more_outputs))
                                return false;
                }
                if (!expect(ps, ")") || !list_next(ps, &more))
                        return false;
        }
        return true;
}

/* A string into *field, replacing what it held. */
static bool parse_string_into(Parser *ps, char **field) {
        char *s;

        if (!parse_string(ps, &s))
                return false;
        free(*field);
        *field = s;
        return true;
}

static bool parse_derivation(Parser *ps, Derivation *drv) {
        bool more;

        if (!expect(ps, "Derive(") || !parse_outputs(ps, drv) || !expect(ps, ",") || !parse_inputs(ps, drv) ||
            !expect(ps, ","))
                return false;

        if (!list_open(ps, &more))
                return false;
        while (more) {
                _cleanup_free_ char *src = NULL;

                if (!parse_path(ps, &src))
                        return false;
                drv_add_src(drv, src);
                if (!list_next(ps, &more))
                        return false;
        }

        if (!expect(ps, ",") || !parse_string_into(ps, &drv->platform) || !expect(ps, ",") ||
            !parse_string_into(ps, &drv->builder) || !expect(ps, ","))
                return false;

        if (!list_open(ps, &more))
                return false;
        while (more) {
                _cleanup_free_ char *arg = NULL;

                if (!parse_string(ps, &arg))
                        return false;
                grow((void **) &drv->args, drv->n_args, sizeof(char *));
                drv->args[drv->n_args++] = TAKE_PTR(arg);
                if (!list_next(ps, &more))
                        return false;
        }

        if (!expect(ps, ",") || !list_open(ps, &more))
                return false;
        while (more) {
                _cleanup_free_ char *key = NULL, *value = NULL;

                if (!expect(ps, "(") || !parse_string(ps, &key) || !expect(ps, ",") || !parse_string(ps, &value) ||
                    !expect(ps, ")"))
                        return false;
                drv_set_env(drv, key, value);
                if (!list_next(ps, &more))
                        return false;
        }

        if (!expect(ps, ")"))
                return false;
        if (ps->p != ps->end)
                return parse_fail(ps, -EINVAL, "unexpected data after the derivation at byte %zu", offset(ps));
        return true;
}

int drv_parse(const char *text, size_t len, const char *name, Derivation **ret, char **ret_error) {
        _cleanup_drv_ Derivation *drv = NULL;
        Parser ps = { .start = text, .p = text, .end = text + len };

        assert(text || len == 0);
        assert(name);
        assert(ret);

        if (len > DRV_MAX_SIZE)
                return fail(ret_error, -EINVAL, "derivation is too large (%zu bytes, at most %u)", len,
                            DRV_MAX_SIZE);

        drv = drv_new(name);
        if (!parse_derivation(&ps, drv)) {
                int r = ps.r;

                if (ret_error)
                        *ret_error = TAKE_PTR(ps.error);
                free(ps.error);
                return r;
        }
        *ret = TAKE_PTR(drv);
        return 0;
}

/* ---- hashes and paths ----------------------------------------------- */

/* The path of the fixed output o, from its declared hash. */
static int fixed_output_path(const Derivation *drv, const DrvOutput *o, const char *store_dir, char **ret_path,
                             char **ret_error) {
        _cleanup_free_ char *name = NULL;
        bool recursive = strncmp(o->hash_algo, "r:", 2) == 0;
        const char *algo_name = recursive ? o->hash_algo + 2 : o->hash_algo;
        HashAlgo algo;
        Hash h;

        if (hash_algo_from_string(algo_name, &algo) < 0)
                return fail(ret_error, -EINVAL, "unknown hash algorithm '%s'", algo_name);
        if (strlen(o->hash) != 2 * hash_algo_size(algo) || hash_from_string(o->hash, &algo, &h) < 0)
                return fail(ret_error, -EINVAL, "invalid base-16 hash '%s'", o->hash);
        name = drv_output_path_name(drv->name, o->name);
        return store_path_make_fixed_output(recursive ? FILE_INGESTION_RECURSIVE : FILE_INGESTION_FLAT, &h, name,
                                            NULL, 0, false, store_dir, ret_path, ret_error);
}

int drv_hash_modulo(const Derivation *drv, bool mask_outputs, const char *store_dir, DrvInputHashFn input_hash,
                    void *userdata, DrvHash *ret, char **ret_error) {
        _cleanup_drv_ Derivation *keyed = NULL;
        _cleanup_strbuf_ StrBuf text = STRBUF_INIT;
        DrvType type;
        int r;

        assert(drv);
        assert(ret);

        r = drv_type(drv, &type, ret_error);
        if (r < 0)
                return r;

        if (type == DRV_TYPE_FIXED) {
                const DrvOutput *o = &drv->outputs[0];
                _cleanup_free_ char *path = NULL;

                r = fixed_output_path(drv, o, store_dir, &path, ret_error);
                if (r < 0)
                        return r;
                strbuf_addf(&text, "fixed:out:%s:%s:%s", o->hash_algo, o->hash, path);
                ret->fixed = true;
                hash_buffer(HASH_SHA256, text.buf, text.len, &ret->hash);
                return 0;
        }
        if (type == DRV_TYPE_FLOATING || type == DRV_TYPE_IMPURE)
                return fail(ret_error, -EOPNOTSUPP, "content-addressed and impure derivations are not supported");

        /* Each input .drv path becomes its own hash; inputs with equal
         * hashes (e.g. fixed outputs with the same contents) merge. */
        keyed = drv_new(drv->name);
        for (size_t i = 0; i < drv->n_inputs; i++) {
                const DrvInput *in = &drv->inputs[i];
                _cleanup_free_ char *hex = NULL;
                DrvHash h;

                if (!input_hash)
                        return fail(ret_error, -ENOENT, "cannot hash input derivation '%s'", in->path);
                r = input_hash(userdata, in->path, &h, ret_error);
                if (r < 0)
                        return r;
                hex = hash_to_string(&h.hash, HASH_FORMAT_BASE16);
                for (size_t k = 0; k < in->n_outputs; k++) {
                        if (h.fixed && strcmp(in->outputs[k], "out") != 0)
                                return fail(ret_error, -ENOENT, "derivation '%s' does not have an output named '%s'",
                                            in->path, in->outputs[k]);
                        drv_add_input(keyed, hex, in->outputs[k]);
                }
        }

        drv_unparse(drv, mask_outputs, keyed->inputs, keyed->n_inputs, &text);
        ret->fixed = false;
        hash_buffer(HASH_SHA256, text.buf, text.len, &ret->hash);
        return 0;
}

int drv_fill_outputs(Derivation *drv, const char *store_dir, DrvInputHashFn input_hash, void *userdata,
                     char **ret_error) {
        DrvHash h;
        int r;

        assert(drv);

        if (drv->n_outputs == 0)
                return fail(ret_error, -EINVAL, "must have at least one output");

        if (drv->outputs[0].hash_algo[0]) {
                DrvType type;
                char *path = NULL;

                r = drv_type(drv, &type, ret_error);
                if (r < 0)
                        return r;
                if (type != DRV_TYPE_FIXED)
                        return fail(ret_error, -EOPNOTSUPP,
                                    "content-addressed and impure derivations are not supported");
                r = fixed_output_path(drv, &drv->outputs[0], store_dir, &path, ret_error);
                if (r < 0)
                        return r;
                free(drv->outputs[0].path);
                drv->outputs[0].path = path;
                drv_set_env(drv, "out", path);
                return 0;
        }

        /* The masked derivation: no output paths, empty output variables. */
        for (size_t i = 0; i < drv->n_outputs; i++) {
                DrvOutput *o = &drv->outputs[i];

                if (o->hash_algo[0] || o->hash[0])
                        return fail(ret_error, -EINVAL, "can't mix derivation output types");
                replace_string(&o->path, "");
                drv_set_env(drv, o->name, "");
        }
        r = drv_hash_modulo(drv, true, store_dir, input_hash, userdata, &h, ret_error);
        if (r < 0)
                return r;

        for (size_t i = 0; i < drv->n_outputs; i++) {
                DrvOutput *o = &drv->outputs[i];
                _cleanup_strbuf_ StrBuf type = STRBUF_INIT;
                _cleanup_free_ char *name = NULL;
                char *path = NULL;

                name = drv_output_path_name(drv->name, o->name);
                strbuf_addf(&type, "output:%s", o->name);
                r = store_path_make(type.buf, &h.hash, name, store_dir, &path, ret_error);
                if (r < 0)
                        return r;
                free(o->path);
                o->path = path;
                drv_set_env(drv, o->name, path);
        }
        return 0;
}

int drv_compute_path(const Derivation *drv, const char *store_dir, char **ret_path, char **ret_text,
                     char **ret_error) {
        _cleanup_strbuf_ StrBuf text = STRBUF_INIT;
        _cleanup_free_ const char **refs = NULL;
        _cleanup_free_ char *name = NULL;
        size_t n = 0, i = 0, j = 0;
        Hash h;
        int r;

        assert(drv);
        assert(ret_path);

        /* References: inputSrcs ∪ inputDrvs, both sorted: merge them. */
        refs = xmalloc((drv->n_srcs + drv->n_inputs + 1) * sizeof(*refs));
        while (i < drv->n_srcs || j < drv->n_inputs) {
                int c = i >= drv->n_srcs ? 1 : j >= drv->n_inputs ? -1 : strcmp(drv->srcs[i], drv->inputs[j].path);

                if (c <= 0) {
                        refs[n++] = drv->srcs[i++];
                        if (c == 0)
                                j++;
                } else
                        refs[n++] = drv->inputs[j++].path;
        }

        drv_unparse(drv, false, NULL, 0, &text);
        hash_buffer(HASH_SHA256, text.buf, text.len, &h);
        name = xmalloc(strlen(drv->name) + sizeof(DRV_EXTENSION));
        strcpy(stpcpy(name, drv->name), DRV_EXTENSION);
        r = store_path_make_text(name, &h, refs, n, store_dir, ret_path, ret_error);
        if (r < 0)
                return r;
        if (ret_text)
                *ret_text = strbuf_detach(&text, NULL);
        return 0;
}

/* ---- the table ------------------------------------------------------ */

typedef struct DrvEntry {
        char *path;
        Derivation *drv;
        DrvHash hash;
        bool hashed, hashing;
        uint64_t key;
} DrvEntry;

struct DrvTable {
        char *store_dir;
        DrvReadFn read;
        void *userdata;
        DrvEntry **slots; /* open addressing; capacity a power of two, at most half full */
        size_t n, cap;
        unsigned depth;
};

static uint64_t fnv1a(const char *s) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * UINT64_C(0x100000001b3);
        return h;
}

DrvTable *drv_table_new(const char *store_dir, DrvReadFn read, void *userdata) {
        DrvTable *t = xcalloc(1, sizeof(*t));

        t->store_dir = xstrdup(store_dir ? store_dir : STORE_DIR_DEFAULT);
        t->read = read;
        t->userdata = userdata;
        return t;
}

DrvTable *drv_table_free(DrvTable *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->cap; i++)
                if (t->slots[i]) {
                        free(t->slots[i]->path);
                        drv_free(t->slots[i]->drv);
                        free(t->slots[i]);
                }
        free(t->slots);
        free(t->store_dir);
        free(t);
        return NULL;
}

static DrvEntry **table_slot(DrvEntry **slots, size_t cap, const char *path, uint64_t key) {
        for (size_t i = key & (cap - 1);; i = (i + 1) & (cap - 1))
                if (!slots[i] || (slots[i]->key == key && strcmp(slots[i]->path, path) == 0))
                        return &slots[i];
}

static DrvEntry *table_find(DrvTable *t, const char *path) {
        if (t->cap == 0)
                return NULL;
        return *table_slot(t->slots, t->cap, path, fnv1a(path));
}

static DrvEntry *table_insert(DrvTable *t, const char *path, Derivation *drv) {
        uint64_t key = fnv1a(path);
        DrvEntry **slot, *e;

        if ((t->n + 1) * 2 > t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 64;
                DrvEntry **slots = xcalloc(cap, sizeof(*slots));

                for (size_t i = 0; i < t->cap; i++)
                        if (t->slots[i])
                                *table_slot(slots, cap, t->slots[i]->path, t->slots[i]->key) = t->slots[i];
                free(t->slots);
                t->slots = slots;
                t->cap = cap;
        }
        slot = table_slot(t->slots, t->cap, path, key);
        if (*slot) {
                /* Same path, same contents (the path is their hash): keep
                 * the first, so pointers to it stay valid. */
                drv_free(drv);
                return *slot;
        }
        e = xcalloc(1, sizeof(*e));
        e->path = xstrdup(path);
        e->drv = drv;
        e->key = key;
        *slot = e;
        t->n++;
        return e;
}

void drv_table_put(DrvTable *t, const char *drv_path, Derivation *drv) {
        assert(t);
        assert(drv_path);
        assert(drv);
        table_insert(t, drv_path, drv);
}

static int table_get_entry(DrvTable *t, const char *drv_path, DrvEntry **ret, char **ret_error) {
        Derivation *drv = NULL;
        DrvEntry *e;
        int r;

        e = table_find(t, drv_path);
        if (!e) {
                if (!t->read)
                        return fail(ret_error, -ENOENT, "derivation '%s' is not known", drv_path);
                r = t->read(t->userdata, drv_path, &drv, ret_error);
                if (r < 0)
                        return r;
                e = table_insert(t, drv_path, drv);
        }
        *ret = e;
        return 0;
}

int drv_table_get(DrvTable *t, const char *drv_path, const Derivation **ret, char **ret_error) {
        DrvEntry *e;
        int r;

        assert(t);
        assert(drv_path);
        assert(ret);

        r = table_get_entry(t, drv_path, &e, ret_error);
        if (r < 0)
                return r;
        *ret = e->drv;
        return 0;
}

int drv_table_input_hash(void *table, const char *drv_path, DrvHash *ret, char **ret_error) {
        DrvTable *t = table;
        DrvEntry *e;
        DrvHash h;
        int r;

        assert(t);
        assert(drv_path);
        assert(ret);

        r = table_get_entry(t, drv_path, &e, ret_error);
        if (r < 0)
                return r;
        if (e->hashed) {
                *ret = e->hash;
                return 0;
        }
        if (e->hashing)
                return fail(ret_error, -ELOOP, "derivation '%s' depends on itself", drv_path);
        if (t->depth >= DRV_MAX_DEPTH)
                return fail(ret_error, -ELOOP, "derivation '%s': inputs nested deeper than %d levels", drv_path,
                            DRV_MAX_DEPTH);

        /* Entries are allocated one by one, so e stays valid while the
         * recursion below adds more. */
        e->hashing = true;
        t->depth++;
        r = drv_hash_modulo(e->drv, false, t->store_dir, drv_table_input_hash, t, &h, ret_error);
        t->depth--;
        e->hashing = false;
        if (r < 0)
                return r;
        e->hash = h;
        e->hashed = true;
        *ret = h;
        return 0;
}
