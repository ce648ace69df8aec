/* String builtins: substring, stringLength, concatStringsSep,
 * replaceStrings, baseNameOf, dirOf.
 *
 * Nix 2.8 strings are C strings, so lengths and positions are in bytes and
 * a string never holds a NUL. Which arguments are coerced (coerceToString)
 * and which must already be strings (forceString) follows primops.cc
 * argument by argument; it decides what a path or a set with outPath does. */
#include <stdint.h>
#include <string.h>

#include "eval.h"
#include "gc-alloc.h"
#include "strbuf.h"
#include "value.h"
#include "xalloc.h"

/* Copies sb's contents to the GC heap as ret's string. */
static void set_string_from_strbuf(Value *ret, const StrBuf *sb, const char **context) {
        value_set_string_copy(ret, sb->buf, sb->len, context);
}

static int prim_substring(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ContextBuilder cb = { 0 };
        int64_t start64, len64;
        const char *s;
        size_t size;
        int start, len;
        int r;

        r = eval_force_int(st, args[0], pos, &start64);
        if (r < 0)
                return r;
        r = eval_force_int(st, args[1], pos, &len64);
        if (r < 0)
                return r;
        r = eval_coerce_to_string(st, args[2], pos, &cb, false, true, &s);
        if (r < 0)
                return r;

        /* Nix 2.8 keeps both numbers in a C int, truncating larger ones. */
        start = (int) (uint32_t) (uint64_t) start64;
        len = (int) (uint32_t) (uint64_t) len64;
        if (start < 0)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "negative start position in 'substring'");

        size = strlen(s);
        if ((size_t) start >= size) {
                value_set_string(ret, "", context_finish(&cb));
                return 0;
        }
        /* A negative length means "to the end" (it becomes a huge size_t). */
        size_t n = size - (size_t) start;
        if (len >= 0 && (size_t) len < n)
                n = (size_t) len;
        value_set_string_copy(ret, s + start, n, context_finish(&cb));
        return 0;
}

static int prim_stringLength(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ContextBuilder cb = { 0 };
        const char *s;
        int r;

        r = eval_coerce_to_string(st, args[0], pos, &cb, false, true, &s);
        if (r < 0)
                return r;
        value_set_int(ret, (int64_t) strlen(s));
        return 0;
}

static int prim_concatStringsSep(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        ContextBuilder cb = { 0 };
        const char *sep;
        size_t sep_len;
        int r;

        r = eval_force_string(st, args[0], pos, &cb, &sep);
        if (r < 0)
                return r;
        r = eval_force_list(st, args[1], pos);
        if (r < 0)
                return r;

        sep_len = strlen(sep);

        /* The usual case, a list of strings: force them all, then copy
         * them once into a string of the exact size. */
        size_t n = args[1]->list.size, total = 0;
        Value **elems = args[1]->list.elems;
        bool all_strings = true;
        for (size_t i = 0; i < n && all_strings; i++) {
                r = eval_force(st, elems[i], pos);
                if (r < 0)
                        return r;
                all_strings = elems[i]->type == VT_STRING;
        }
        if (all_strings && n > 0) {
                _cleanup_free_ size_t *lens = xmalloc(n * sizeof(size_t));
                for (size_t i = 0; i < n; i++) {
                        lens[i] = strlen(elems[i]->string.s);
                        total += lens[i];
                        context_add_all(&cb, elems[i]->string.context);
                }
                total += sep_len * (n - 1);
                char *out = gc_alloc_atomic(total + 1), *o = out;
                for (size_t i = 0; i < n; i++) {
                        if (i > 0) {
                                memcpy(o, sep, sep_len);
                                o += sep_len;
                        }
                        memcpy(o, elems[i]->string.s, lens[i]);
                        o += lens[i];
                }
                *o = 0;
                value_set_string(ret, out, context_finish(&cb));
                return 0;
        }

        for (size_t i = 0; i < args[1]->list.size; i++) {
                const char *s;

                if (i > 0)
                        strbuf_add(&sb, sep, sep_len);
                r = eval_coerce_to_string(st, args[1]->list.elems[i], pos, &cb, false, true, &s);
                if (r < 0)
                        return r;
                strbuf_adds(&sb, s);
        }

        set_string_from_strbuf(ret, &sb, context_finish(&cb));
        return 0;
}

static int prim_replaceStrings(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_strbuf_ StrBuf sb = STRBUF_INIT;
        ContextBuilder cb = { 0 };
        const char **from, **to;
        const char ***to_ctx;
        size_t *from_len, *to_len;
        size_t n, size, p;
        const char *s;
        int r;

        r = eval_force_list(st, args[0], pos);
        if (r < 0)
                return r;
        r = eval_force_list(st, args[1], pos);
        if (r < 0)
                return r;
        if (args[0]->list.size != args[1]->list.size)
                return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                  "'from' and 'to' arguments to 'replaceStrings' have different lengths");
        n = args[0]->list.size;

        /* GC memory (or the stack, which the collector scans, for the
         * usual few patterns): these arrays point at GC strings. */
        const char *from_small[16], *to_small[16], **to_ctx_small[16];
        size_t from_len_small[16], to_len_small[16];
        if (n < 16) {
                from = from_small;
                to = to_small;
                to_ctx = to_ctx_small;
                from_len = from_len_small;
                to_len = to_len_small;
        } else {
                from = gc_alloc(sizeof(*from) * (n + 1));
                to = gc_alloc(sizeof(*to) * (n + 1));
                to_ctx = gc_alloc(sizeof(*to_ctx) * (n + 1));
                from_len = gc_alloc_atomic(sizeof(*from_len) * (n + 1));
                to_len = gc_alloc_atomic(sizeof(*to_len) * (n + 1));
        }

        /* The patterns' own contexts are dropped, as Nix does. */
        for (size_t i = 0; i < n; i++) {
                r = eval_force_string(st, args[0]->list.elems[i], pos, NULL, &from[i]);
                if (r < 0)
                        return r;
                from_len[i] = strlen(from[i]);
        }
        /* Every replacement is forced, used or not. */
        for (size_t i = 0; i < n; i++) {
                ContextBuilder tcb = { 0 };

                r = eval_force_string(st, args[1]->list.elems[i], pos, &tcb, &to[i]);
                if (r < 0)
                        return r;
                to_len[i] = strlen(to[i]);
                to_ctx[i] = context_finish(&tcb);
        }

        r = eval_force_string(st, args[2], pos, &cb, &s);
        if (r < 0)
                return r;
        size = strlen(s);

        /* The bytes a pattern can start with: text between them is copied
         * in runs. An empty pattern matches everywhere. */
        bool starts[256] = { false }, any_empty = false;
        for (size_t i = 0; i < n; i++) {
                if (from_len[i] == 0)
                        any_empty = true;
                else
                        starts[(unsigned char) from[i][0]] = true;
        }

        /* One step past the end, so that an empty pattern also matches
         * after the last character. */
        for (p = 0; p <= size;) {
                bool found = false;

                if (!any_empty) {
                        size_t q = p;
                        while (q < size && !starts[(unsigned char) s[q]])
                                q++;
                        strbuf_add(&sb, s + p, q - p);
                        p = q;
                        if (p == size)
                                break;
                }
                for (size_t i = 0; i < n; i++) {
                        if (from_len[i] > size - p || (from_len[i] && s[p] != from[i][0]) ||
                            memcmp(s + p, from[i], from_len[i]) != 0)
                                continue;
                        found = true;
                        strbuf_add(&sb, to[i], to_len[i]);
                        if (from_len[i] == 0) {
                                if (p < size)
                                        strbuf_addc(&sb, s[p]);
                                p++;
                        } else
                                p += from_len[i];
                        context_add_all(&cb, to_ctx[i]);
                        break;
                }
                if (!found) {
                        if (p < size)
                                strbuf_addc(&sb, s[p]);
                        p++;
                }
        }

        set_string_from_strbuf(ret, &sb, context_finish(&cb));
        return 0;
}

static int prim_baseNameOf(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ContextBuilder cb = { 0 };
        const char *s;
        size_t size, last, start;
        int r;

        r = eval_coerce_to_string(st, args[0], pos, &cb, false, false, &s);
        if (r < 0)
                return r;

        size = strlen(s);
        if (size == 0) {
                value_set_string(ret, "", context_finish(&cb));
                return 0;
        }
        /* One trailing slash is ignored ("a/b/" gives "b"). */
        last = size - 1;
        if (s[last] == '/' && last > 0)
                last--;
        start = 0;
        for (size_t i = last + 1; i > 0; i--)
                if (s[i - 1] == '/') {
                        start = i;
                        break;
                }
        value_set_string_copy(ret, s + start, last + 1 - start, context_finish(&cb));
        return 0;
}

static int prim_dirOf(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ContextBuilder cb = { 0 };
        const char *s, *slash;
        char *dir;
        int r;

        r = eval_coerce_to_string(st, args[0], pos, &cb, false, false, &s);
        if (r < 0)
                return r;

        slash = strrchr(s, '/');
        if (!slash)
                dir = gc_strdup(".");
        else if (slash == s)
                dir = gc_strdup("/");
        else
                dir = gc_strndup(s, (size_t) (slash - s));

        /* A path stays a path (without context); anything else is a string. */
        if (args[0]->type == VT_PATH)
                value_set_path(ret, dir);
        else
                value_set_string(ret, dir, context_finish(&cb));
        return 0;
}

const PrimOp builtins_strings[] = {
        {
                .name = "substring",
                .arity = 3,
                .args = { "start", "len", "s" },
                .doc = "Return the substring of s from byte position start (zero-based), of at most len bytes.",
                .fn = prim_substring,
        },
        {
                .name = "stringLength",
                .arity = 1,
                .args = { "e" },
                .doc = "Return the length of the string e in bytes.",
                .fn = prim_stringLength,
        },
        {
                .name = "concatStringsSep",
                .arity = 2,
                .args = { "separator", "list" },
                .doc = "Concatenate a list of strings with a separator between each element.",
                .fn = prim_concatStringsSep,
        },
        {
                .name = "replaceStrings",
                .arity = 3,
                .args = { "from", "to", "s" },
                .doc = "Replace every occurrence of the strings in from with the corresponding string in to.",
                .fn = prim_replaceStrings,
        },
        {
                .name = "baseNameOf",
                .arity = 1,
                .global = true,
                .args = { "s" },
                .doc = "Return everything following the final slash in s, like GNU basename.",
                .fn = prim_baseNameOf,
        },
        {
                .name = "dirOf",
                .arity = 1,
                .global = true,
                .args = { "s" },
                .doc = "Return everything before the final slash in s, like GNU dirname.",
                .fn = prim_dirOf,
        },
        { .name = NULL },
};
