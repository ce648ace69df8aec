/* Hash builtins: hashString, hashFile (Nix 2.8) and convertHash (a later
 * Nix addition, with the interface of the current Nix manual). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "eval.h"
#include "gc-alloc.h"
#include "hash.h"
#include "value.h"

/* Nix 2.8 reports an unknown algorithm as a usage error, without a
 * position; tryEval does not catch it. */
static int parse_algo(EvalState *st, const char *name, HashAlgo *ret) {
        if (hash_algo_from_string(name, ret) < 0)
                return eval_error(st, EVAL_ERROR_GENERIC, NULL, "unknown hash algorithm '%s'", name);
        return 0;
}

/* Sets ret to h in fmt, as a string without context. */
static void set_hash_string(Value *ret, const Hash *h, HashFormat fmt) {
        _cleanup_free_ char *s = hash_to_string(h, fmt);

        value_set_string_copy(ret, s, strlen(s), NULL);
}

static int prim_hashString(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *type, *s;
        HashAlgo algo;
        Hash h;
        int r;

        r = eval_force_string_no_context(st, args[0], pos, &type);
        if (r < 0)
                return r;
        r = parse_algo(st, type, &algo);
        if (r < 0)
                return r;
        /* The string's context is dropped. */
        r = eval_force_string(st, args[1], pos, NULL, &s);
        if (r < 0)
                return r;

        hash_buffer(algo, s, strlen(s), &h);
        set_hash_string(ret, &h, HASH_FORMAT_BASE16);
        return 0;
}

/* The store path a context element refers to. */
static const char *context_elem_path(const char *elem) {
        if (elem[0] == '=')
                return elem + 1;
        if (elem[0] == '!') {
                const char *bang = strchr(elem + 1, '!');
                return bang ? bang + 1 : elem;
        }
        return elem;
}

static inline void hash_ctx_freep(HashCtx **ctx) {
        hash_ctx_free(*ctx);
}

static int prim_hashFile(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_(hash_ctx_freep) HashCtx *ctx = NULL;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        const size_t buf_size = 64 * 1024;
        ContextBuilder cb = { 0 };
        const char **context;
        const char *type, *path;
        HashAlgo algo;
        Hash h;
        int r;

        r = eval_force_string_no_context(st, args[0], pos, &type);
        if (r < 0)
                return r;
        r = parse_algo(st, type, &algo);
        if (r < 0)
                return r;
        r = eval_coerce_to_path(st, args[1], pos, &cb, &path);
        if (r < 0)
                return r;

        /* A path with context needs those store paths to exist (Nix would
         * build or fetch them first; here they must already be there). */
        context = context_finish(&cb);
        for (size_t i = 0; context && context[i]; i++) {
                const char *p = context_elem_path(context[i]);

                if (access(p, F_OK) < 0) {
                        eval_error(st, EVAL_ERROR_GENERIC, NULL, "path '%s' is not valid", p);
                        return eval_error_add_frame(st, pos, "while realising the context of path '%s'", path);
                }
        }

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return eval_error(st, EVAL_ERROR_IO, NULL, "opening file '%s': %s", path, strerror(errno));

        ctx = hash_ctx_new(algo);
        buf = malloc(buf_size);
        if (!ctx || !buf)
                return eval_error(st, EVAL_ERROR_IO, NULL, "hashing file '%s': %s", path, strerror(ENOMEM));
        for (;;) {
                ssize_t n = read(fd, buf, buf_size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return eval_error(st, EVAL_ERROR_IO, NULL, "reading from file: %s", strerror(errno));
                }
                if (n == 0)
                        break;
                hash_ctx_update(ctx, buf, (size_t) n);
        }
        hash_ctx_finish(TAKE_PTR(ctx), &h);

        set_hash_string(ret, &h, HASH_FORMAT_BASE16);
        return 0;
}

/* convertHash { hash; hashAlgo ? <from hash>; toHashFormat; }. The error
 * texts are those of current Nix (Hash::parseAny and friends). */

static int convert_get_attr(EvalState *st, const Pos *pos, Value *attrs, const char *name, bool required,
                            const char **ret) {
        Attr *a = eval_get_attr(attrs, symbol_intern_str(name));
        int r;

        if (!a) {
                if (!required) {
                        *ret = NULL;
                        return 0;
                }
                eval_error(st, EVAL_ERROR_GENERIC, pos, "attribute '%s' missing", name);
                return eval_error_add_frame(st, pos, "while locating the attribute '%s'", name);
        }
        r = eval_force_string_no_context(st, a->value, pos, ret);
        if (r < 0)
                return eval_error_add_frame(st, pos, "while evaluating the attribute '%s'", name);
        return 0;
}

static int convert_parse_algo(EvalState *st, const Pos *pos, const char *name, size_t len, HashAlgo *ret) {
        char *s = gc_strndup(name, len);

        if (hash_algo_from_string(s, ret) < 0)
                return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                  "unknown hash algorithm '%s', expect 'md5', 'sha1', 'sha256', or 'sha512'", s);
        return 0;
}

static int prim_convertHash(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *hash, *algo_name, *format_name, *rest, *sep;
        HashAlgo algo = 0, parsed_algo = 0;
        bool have_algo = false, have_parsed = false, sri = false;
        HashFormat fmt;
        Hash h;
        int r;

        r = eval_force_attrs(st, args[0], pos);
        if (r < 0)
                return r;

        r = convert_get_attr(st, pos, args[0], "hash", true, &hash);
        if (r < 0)
                return r;
        r = convert_get_attr(st, pos, args[0], "hashAlgo", false, &algo_name);
        if (r < 0)
                return r;
        if (algo_name) {
                r = convert_parse_algo(st, pos, algo_name, strlen(algo_name), &algo);
                if (r < 0)
                        return r;
                have_algo = true;
        }
        r = convert_get_attr(st, pos, args[0], "toHashFormat", true, &format_name);
        if (r < 0)
                return r;
        if (strcmp(format_name, "base16") == 0)
                fmt = HASH_FORMAT_BASE16;
        else if (strcmp(format_name, "nix32") == 0 || strcmp(format_name, "base32") == 0)
                fmt = HASH_FORMAT_BASE32;
        else if (strcmp(format_name, "base64") == 0)
                fmt = HASH_FORMAT_BASE64;
        else if (strcmp(format_name, "sri") == 0)
                fmt = HASH_FORMAT_SRI;
        else
                return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                  "unknown hash format '%s', expect 'base16', 'base32', 'nix32', 'base64', or 'sri'",
                                  format_name);

        /* "<algo>:<digest>" or SRI "<algo>-<base64>"; hash.c parses the
         * same way, this only finds the right words for a failure. */
        rest = hash;
        sep = strchr(hash, ':');
        if (!sep) {
                sep = strchr(hash, '-');
                sri = sep != NULL;
        }
        if (sep) {
                r = convert_parse_algo(st, pos, hash, (size_t) (sep - hash), &parsed_algo);
                if (r < 0)
                        return r;
                have_parsed = true;
                rest = sep + 1;
        }
        if (!have_parsed && !have_algo)
                return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                  "hash '%s' does not include a type, nor is the type otherwise known from context",
                                  rest);
        if (have_parsed && have_algo && parsed_algo != algo)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "hash '%s' should have type '%s'", hash,
                                  hash_algo_to_string(algo));
        if (have_parsed)
                algo = parsed_algo;

        if (hash_from_string(hash, &algo, &h) < 0) {
                size_t size = hash_algo_size(algo), len = strlen(rest);

                if (sri)
                        return eval_error(st, EVAL_ERROR_GENERIC, pos, "invalid SRI hash '%s'", rest);
                if (len == size * 2)
                        return eval_error(st, EVAL_ERROR_GENERIC, pos, "invalid base-16 hash '%s'", rest);
                if (len == (size * 8 + 4) / 5)
                        return eval_error(st, EVAL_ERROR_GENERIC, pos, "invalid base-32 hash '%s'", rest);
                if (len == (size + 2) / 3 * 4)
                        return eval_error(st, EVAL_ERROR_GENERIC, pos, "invalid base-64 hash '%s'", rest);
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "hash '%s' has wrong length for hash algorithm '%s'",
                                  rest, hash_algo_to_string(algo));
        }

        set_hash_string(ret, &h, fmt);
        return 0;
}

const PrimOp builtins_hash[] = {
        {
                .name = "hashString",
                .arity = 2,
                .args = { "type", "s" },
                .doc = "Return the base-16 hash of string s with algorithm type (md5, sha1, sha256 or sha512).",
                .fn = prim_hashString,
        },
        {
                .name = "hashFile",
                .arity = 2,
                .args = { "type", "p" },
                .doc = "Return the base-16 hash of the file at path p with algorithm type (md5, sha1, sha256 or sha512).",
                .fn = prim_hashFile,
        },
        {
                .name = "convertHash",
                .arity = 1,
                .args = { "args" },
                .doc = "Convert { hash; hashAlgo ?; toHashFormat; } to base16, nix32 (base32), base64 or sri.",
                .fn = prim_convertHash,
        },
        { .name = NULL },
};
