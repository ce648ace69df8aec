/* Version builtins: parseDrvName, compareVersions, splitVersion.
 *
 * A version splits into components at '.' and '-' and wherever a run of
 * digits meets a run of other characters. Two components compare as
 * numbers when both are numbers that fit a C int (larger digit runs are
 * not numbers to Nix 2.8); otherwise "" before a number, "pre" before
 * anything but "pre", numbers after words, and words bytewise. */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "eval.h"
#include "gc-alloc.h"
#include "value.h"

/* Character classes of the C locale (isdigit/isalpha would follow the
 * process locale). */
static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_separator(char c) {
        return c == '.' || c == '-';
}

typedef struct Slice {
        const char *p;
        size_t len;
} Slice;

/* Takes the next component from *p (which advances); len 0 at the end. */
static Slice next_component(const char **p, const char *end) {
        const char *s;

        while (*p < end && is_separator(**p))
                (*p)++;
        s = *p;
        if (*p == end)
                return (Slice) { s, 0 };
        if (is_digit(**p))
                while (*p < end && is_digit(**p))
                        (*p)++;
        else
                while (*p < end && !is_digit(**p) && !is_separator(**p))
                        (*p)++;
        return (Slice) { s, (size_t) (*p - s) };
}

/* A component that is all digits and fits an int; false otherwise. */
static bool component_number(Slice c, int *ret) {
        int64_t n = 0;

        if (c.len == 0)
                return false;
        for (size_t i = 0; i < c.len; i++) {
                if (!is_digit(c.p[i]))
                        return false;
                n = n * 10 + (c.p[i] - '0');
                if (n > INT_MAX)
                        return false;
        }
        *ret = (int) n;
        return true;
}

static bool component_is(Slice c, const char *s) {
        return c.len == strlen(s) && memcmp(c.p, s, c.len) == 0;
}

static bool component_less(Slice c1, Slice c2) {
        int n1, n2;
        bool num1 = component_number(c1, &n1), num2 = component_number(c2, &n2);

        if (num1 && num2)
                return n1 < n2;
        if (c1.len == 0 && num2)
                return true;
        if (component_is(c1, "pre") && !component_is(c2, "pre"))
                return true;
        if (component_is(c2, "pre"))
                return false;
        /* "2.3a" is older than "2.3.1". */
        if (num2)
                return true;
        if (num1)
                return false;
        /* Bytewise, a prefix first. */
        int cmp = memcmp(c1.p, c2.p, c1.len < c2.len ? c1.len : c2.len);
        return cmp < 0 || (cmp == 0 && c1.len < c2.len);
}

static int compare_versions(const char *v1, const char *v2) {
        const char *p1 = v1, *end1 = v1 + strlen(v1);
        const char *p2 = v2, *end2 = v2 + strlen(v2);

        while (p1 < end1 || p2 < end2) {
                Slice c1 = next_component(&p1, end1);
                Slice c2 = next_component(&p2, end2);

                if (component_less(c1, c2))
                        return -1;
                if (component_less(c2, c1))
                        return 1;
        }
        return 0;
}

static int prim_parseDrvName(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const EvalSymbols *sym = eval_symbols(st);
        const char *s;
        size_t len, split;
        Value *name, *version;
        Bindings *b;
        int r;

        r = eval_force_string_no_context(st, args[0], pos, &s);
        if (r < 0)
                return r;

        /* The name ends at the first dash not followed by a letter. */
        len = strlen(s);
        split = len;
        for (size_t i = 0; i < len; i++)
                if (s[i] == '-' && i + 1 < len && !is_alpha(s[i + 1])) {
                        split = i;
                        break;
                }

        name = value_new();
        version = value_new();
        value_set_string_copy(name, s, split, NULL);
        if (split < len)
                value_set_string_copy(version, s + split + 1, len - split - 1, NULL);
        else
                value_set_string(version, "", NULL);

        b = bindings_new(2);
        bindings_push(b, sym->name, name, NULL);
        bindings_push(b, symbol_intern_str("version"), version, NULL);
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

static int prim_compareVersions(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *v1, *v2;
        int r;

        r = eval_force_string_no_context(st, args[0], pos, &v1);
        if (r < 0)
                return r;
        r = eval_force_string_no_context(st, args[1], pos, &v2);
        if (r < 0)
                return r;
        value_set_int(ret, compare_versions(v1, v2));
        return 0;
}

static int prim_splitVersion(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *s, *p, *end;
        size_t n = 0;
        int r;

        r = eval_force_string_no_context(st, args[0], pos, &s);
        if (r < 0)
                return r;

        end = s + strlen(s);
        for (p = s; next_component(&p, end).len > 0;)
                n++;

        value_set_list(ret, n);
        p = s;
        for (size_t i = 0; i < n; i++) {
                Slice c = next_component(&p, end);
                Value *v = value_new();

                value_set_string_copy(v, c.p, c.len, NULL);
                ret->list.elems[i] = v;
        }
        return 0;
}

const PrimOp builtins_versions[] = {
        {
                .name = "parseDrvName",
                .arity = 1,
                .args = { "s" },
                .doc = "Split a derivation name into { name; version; } at the first dash not followed by a letter.",
                .fn = prim_parseDrvName,
        },
        {
                .name = "compareVersions",
                .arity = 2,
                .args = { "s1", "s2" },
                .doc = "Compare two version strings: -1 if s1 is older than s2, 0 if the same, 1 if newer.",
                .fn = prim_compareVersions,
        },
        {
                .name = "splitVersion",
                .arity = 1,
                .args = { "s" },
                .doc = "Split a version string into its components, as compareVersions sees them.",
                .fn = prim_splitVersion,
        },
        { .name = NULL },
};
