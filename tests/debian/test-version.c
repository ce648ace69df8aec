/* Debian version parsing and comparison (version.h): the examples of
 * deb-version(7) and policy 5.6.12, dpkg's edge cases, and parse errors.
 * dpkg-compare.py checks the same functions against dpkg on real index data. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "version.h"

static int cmp_str(const char *a, const char *b) {
        int cmp = 42, r;

        r = deb_version_compare_str(a, b, &cmp);
        if (r < 0)
                fail_msg("'%s' or '%s' did not parse: %s", a, b, strerror(-r));
        return cmp;
}

/* a OP b and the converse, with the exact -1/0/1 results. */
static void check_order(const char *a, int expected, const char *b) {
        int ab = cmp_str(a, b), ba = cmp_str(b, a);

        if (ab != expected || ba != -expected)
                fail_msg("compare('%s', '%s') = %d, reverse %d; expected %d", a, b, ab, ba, expected);
}

static void check_lt(const char *a, const char *b) {
        check_order(a, -1, b);
}

static void check_eq(const char *a, const char *b) {
        check_order(a, 0, b);
}

/* Every pair of the list is in order (strictly ascending). */
static void check_chain(const char *const *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                check_eq(v[i], v[i]);
                for (size_t j = i + 1; j < n; j++)
                        check_lt(v[i], v[j]);
        }
}

static void check_parse(const char *s, int ret, unsigned epoch, const char *upstream, const char *revision) {
        DebVersion v;
        int r = deb_version_parse(s, strlen(s), &v);

        if (r != ret)
                fail_msg("parse('%s') = %d, expected %d", s, r, ret);
        assert_int_equal(v.epoch, epoch);
        assert_int_equal(v.upstream_len, strlen(upstream));
        assert_memory_equal(v.upstream, upstream, v.upstream_len);
        assert_int_equal(v.revision_len, strlen(revision));
        assert_memory_equal(v.revision, revision, v.revision_len);
}

static void check_parse_error(const char *s, size_t len, int expected) {
        DebVersion v = { .epoch = 4242 };
        int r = deb_version_parse(s, len, &v);

        if (r != expected)
                fail_msg("parse('%.*s') = %d, expected %d", (int) len, s, r, expected);
        assert_int_equal(v.epoch, 4242); /* untouched */
}

static void check_invalid(const char *s) {
        check_parse_error(s, strlen(s), -EINVAL);
}

/* The examples named in deb-version(7), policy 5.6.12 and the task. */
static void test_documented(void **state) {
        check_lt("1.0~rc1", "1.0");
        check_lt("1.0", "1.0+b1");
        check_order("1:0.1", 1, "2.0");
        check_lt("1.0", "1.0-1");
        check_eq("1.0", "1.0-0");
        check_eq("1.0", "0:1.0");
        check_eq("1.0-0", "0:1.0");
        /* Policy: "~~, ~~a, ~, the empty part, a". */
        static const char *const policy[] = { "1~~", "1~~a", "1~", "1", "1a" };
        check_chain(policy, ELEMENTSOF(policy));
        /* The same as whole upstreams (accepted: not starting with a digit). */
        static const char *const tildes[] = { "~~", "~~a", "~", "0", "a" };
        check_chain(tildes, ELEMENTSOF(tildes));
        /* And as revisions. */
        static const char *const revisions[] = { "1.0-~~", "1.0-~~a", "1.0-~", "1.0", "1.0-a" };
        check_chain(revisions, ELEMENTSOF(revisions));
        /* Backports, security updates, binNMUs. */
        static const char *const debian[] = {
                "2.36-9~bpo11+1", "2.36-9", "2.36-9+b1", "2.36-9+deb12u1",
                "2.36-9+deb12u4", "2.36-9+deb12u10", "2.36-10", "2.36.1-1",
        };
        check_chain(debian, ELEMENTSOF(debian));
        check_lt("1.0~rc1-1", "1.0-1");
        check_lt("1.0+dfsg-1", "1.0+dfsg1-1");
        check_lt("7.88.1-10+deb12u5", "7.88.1-10+deb12u12");
}

static void test_epochs(void **state) {
        check_lt("1:9.9", "2:1.0");
        check_lt("9:1", "10:1");
        check_eq("1:1.0", "0001:1.0");
        check_eq("00:1.0", "1.0");
        check_lt("99999", "1:0");
        check_lt("2147483646:1", "2147483647:0");
}

/* Digit runs compare as numbers of any length. */
static void test_digits(void **state) {
        check_eq("1.02", "1.2");
        check_eq("1.0000000000000000000000000000000000000001", "1.1");
        check_eq("0", "00");
        check_eq("1.0-00", "1.0");
        check_lt("1.9", "1.10");
        check_lt("1.99999999999999999999999999", "1.100000000000000000000000000");
        check_lt("18446744073709551615", "18446744073709551616");   /* 2^64-1, 2^64 */
        check_lt("1.18446744073709551616", "1.18446744073709551617");
        check_lt("4294967296.1", "4294967296.2");
        check_eq("123456789012345678901234567890.1-123456789012345678901234567890",
                 "123456789012345678901234567890.01-0123456789012345678901234567890");
        check_lt("1-99999999999999999999999999999999999999999",
                 "1-100000000000000000000000000000000000000000");
        check_lt("0", "0.0");
        check_lt("1.0", "1.0.0");
        /* The end of a part and a digit run of zeros are alike. */
        check_eq("1.0a0", "1.0a");
        check_lt("1.0a", "1.0a1");
}

/* Letters before non-letters, ASCII within each class; '~' before all. */
static void test_non_digits(void **state) {
        /* "1.0-1" is upstream 1.0, revision 1: after "1.0", before "1.0A". */
        check_lt("1.0", "1.0-1");
        check_lt("1.0-1", "1.0A");
        check_lt("1.0a", "1.0+");
        check_lt("1.0a", "1.0.");
        check_lt("1.0+", "1.0.");
        check_lt("1.0+1", "1.0.1");
        check_lt("1.0z", "1.0+");
        check_lt("1.0A", "1.0a");
        check_lt("1.0~~", "1.0~");
        check_lt("1.0~", "1.0");
        check_lt("1.0~a", "1.0");
        check_lt("1.0~", "1.0~a");
        check_lt("1.0-1~", "1.0-1");
        check_lt("1.0-1", "1.0+1");
        check_lt("a", "b");
        check_lt("0-a", "0-b");
        static const char *const chain[] = { "1.0~", "1.0", "1.0A", "1.0Z", "1.0a", "1.0z", "1.0+", "1.0." };
        check_chain(chain, ELEMENTSOF(chain));
        /* Colons and hyphens inside the upstream are plain non-letters. */
        check_order("1:1:2", 1, "1:1.2");
        check_order("1.0-2-3", 1, "1.0-2");
        check_eq("0:0:0-0", "0:0:0");
        static const char *const punct[] = { "1:1.0+a-1", "1:1.0-a-1", "1:1.0.a-1", "1:1.0:a-1" };
        check_chain(punct, ELEMENTSOF(punct));
        check_lt("1:1.0-1", "1:1.0:1");
}

static void test_parse(void **state) {
        check_parse("1:2.0-3", 0, 1, "2.0", "3");
        check_parse("2.0", 0, 0, "2.0", "");
        check_parse("1.0-2-3", 0, 0, "1.0-2", "3");
        check_parse("0:0-0-0-0", 0, 0, "0-0-0", "0");
        check_parse("1:2:3-4", 0, 1, "2:3", "4");
        check_parse("0:09azAZ.-+~:-azAZ09.+~", 0, 0, "09azAZ.-+~:", "azAZ09.+~");
        check_parse(" \t1.0-1 \t", 0, 0, "1.0", "1");
        check_parse("0001:1", 0, 1, "1", "");
        check_parse("2147483647:1", 0, INT_MAX, "1", "");
        /* Accepted with dpkg's warning: upstream not starting with a digit. */
        check_parse("a1.0-1", 1, 0, "a1.0", "1");
        check_parse("3:~rc1", 1, 3, "~rc1", "");

        /* (ptr, len) slices need no NUL. */
        DebVersion v;
        assert_int_equal(deb_version_parse("1.0-1XYZ", 5, &v), 0);
        assert_int_equal(v.upstream_len, 3);
        assert_memory_equal(v.upstream, "1.0", 3);
        assert_int_equal(v.revision_len, 1);
        assert_memory_equal(v.revision, "1", 1);
        assert_int_equal(deb_version_parse("1.0-1XYZ", 4, &v), -EINVAL); /* "1.0-" */
}

static void test_parse_errors(void **state) {
        static const char *const invalid[] = {
                "", " ", " \t ",
                "1.0 1", "0:0 0-1",                     /* embedded blanks */
                ":1.0", "a:1.0", "A:0-0", "1a:1.0",     /* epoch not a number */
                "+1:1.0", "-1:0-1", " -0:1",            /* no signs (dpkg's strtol() allows +1, -0) */
                "1-2:3",                                /* epoch before the first colon */
                "0:", "1:",                             /* nothing after the colon */
                "-1", "-0", "0:-0", "1:-1",             /* empty upstream */
                "1.0-", "1:1.0-1-",                     /* empty revision */
                "1.0_1", "1.0/2", "1.0,1", "1.0=1", "1.0*", "1.0^1", "1.0'",
                "0:0-0:0", "1.0-1_2", "1:1.0-a:b",      /* ':' '_' in the revision */
                "1.0\xc3\xa9", "1.0-\xff", "\x80",      /* bytes >= 0x80 */
                "a$b", "~!",                            /* dpkg: only "does not start with a digit" */
                "1.0\r",
        };
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                check_invalid(invalid[i]);

        /* The characters dpkg's own tests reject, in upstream and revision. */
        for (const char *p = "!#@$%&/|\\<>()[]{};,_=*^'\"`?"; *p; p++) {
                char up[] = "0:0a-0", rev[] = "0:0-0";
                up[3] = *p;
                rev[4] = *p;
                check_invalid(up);
                check_invalid(rev);
        }
        check_invalid("0:0-0:");

        /* An embedded NUL is an invalid character, not an end. */
        check_parse_error("1.0\0" "1", 5, -EINVAL);
        check_parse_error("1.0-\0", 5, -EINVAL);

        check_parse_error("2147483648:1", 12, -ERANGE);
        check_parse_error("99999999999999999999999999999:1", 31, -ERANGE);

        int cmp = 42;
        assert_int_equal(deb_version_compare_str("1.0", "1.0-", &cmp), -EINVAL);
        assert_int_equal(deb_version_compare_str("", "1.0", &cmp), -EINVAL);
        assert_int_equal(cmp, 42);
}

static void test_relations(void **state) {
        static const struct {
                const char *op;
                int ret;
                DebRelation rel;
        } ops[] = {
                { "<<", 0, DEB_RELATION_LT },
                { "<=", 0, DEB_RELATION_LE },
                { "=", 0, DEB_RELATION_EQ },
                { ">=", 0, DEB_RELATION_GE },
                { ">>", 0, DEB_RELATION_GT },
                { "<", 1, DEB_RELATION_LE },
                { ">", 1, DEB_RELATION_GE },
        };
        DebRelation rel;

        for (size_t i = 0; i < ELEMENTSOF(ops); i++) {
                rel = DEB_RELATION_NONE;
                assert_int_equal(deb_relation_parse(ops[i].op, strlen(ops[i].op), &rel), ops[i].ret);
                assert_int_equal(rel, ops[i].rel);
                if (ops[i].ret == 0)
                        assert_string_equal(deb_relation_to_string(rel), ops[i].op);
        }
        assert_int_equal(deb_relation_parse("<<=", 2, &rel), 0);
        assert_int_equal(rel, DEB_RELATION_LT);

        static const char *const bad[] = { "", "==", "<>", "=<", "=>", "lt", "<<<", ">=x", " =", "!=" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                rel = DEB_RELATION_EQ;
                assert_int_equal(deb_relation_parse(bad[i], strlen(bad[i]), &rel), -EINVAL);
                assert_int_equal(rel, DEB_RELATION_EQ);
        }
        assert_string_equal(deb_relation_to_string(DEB_RELATION_NONE), "");
        assert_null(deb_relation_to_string((DebRelation) 99));
}

static void test_satisfies(void **state) {
        /* { version, op, ref, holds } for each of <, =, > between them. */
        static const struct {
                const char *version, *op, *ref;
                bool holds;
        } cases[] = {
                { "1.0", "<<", "1.1", true },   { "1.0", "<<", "1.0", false },  { "1.1", "<<", "1.0", false },
                { "1.0", "<=", "1.1", true },   { "1.0", "<=", "1.0-0", true }, { "1.1", "<=", "1.0", false },
                { "1.0", "=", "1.1", false },   { "1.0", "=", "0:1.0", true },  { "1.1", "=", "1.0", false },
                { "1.0", ">=", "1.1", false },  { "1.0", ">=", "1.0", true },   { "1.1", ">=", "1.0", true },
                { "1.0", ">>", "1.1", false },  { "1.0", ">>", "1.0", false },  { "1.1", ">>", "1.0", true },
                /* The obsolete forms mean <= and >=, not << and >>. */
                { "1.0", "<", "1.1", true },    { "1.0", "<", "1.0", true },    { "1.1", "<", "1.0", false },
                { "1.0", ">", "1.1", false },   { "1.0", ">", "1.0", true },    { "1.1", ">", "1.0", true },
                { "2.36-9+deb12u4", ">=", "2.36-9", true },
                { "1.0~rc1", ">=", "1.0", false },
                { "1:0.1", ">>", "2.0", true },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                DebRelation rel;

                assert_true(deb_relation_parse(cases[i].op, strlen(cases[i].op), &rel) >= 0);
                if (deb_version_satisfies(cases[i].version, rel, cases[i].ref) != cases[i].holds)
                        fail_msg("'%s %s %s' should be %s", cases[i].version, cases[i].op, cases[i].ref,
                                 cases[i].holds ? "true" : "false");
        }

        /* No constraint holds for anything; invalid versions satisfy nothing. */
        assert_true(deb_version_satisfies("1.0", DEB_RELATION_NONE, "2.0"));
        assert_true(deb_version_satisfies("", DEB_RELATION_NONE, ""));
        assert_false(deb_version_satisfies("1.0-", DEB_RELATION_LE, "2.0"));
        assert_false(deb_version_satisfies("1.0", DEB_RELATION_GE, "1_0"));
        assert_false(deb_version_satisfies("1.0", (DebRelation) 99, "1.0"));
}

/* Bytes that cannot occur in a valid version still compare without harm
 * when a caller builds a DebVersion by hand. */
static void test_hand_built(void **state) {
        DebVersion a = { .epoch = 0, .upstream = "1\xff", .upstream_len = 2, .revision = "", .revision_len = 0 };
        DebVersion b = { .epoch = 0, .upstream = "1.", .upstream_len = 2, .revision = "", .revision_len = 0 };
        DebVersion c = { .epoch = 0, .upstream = "1\0", .upstream_len = 2, .revision = "", .revision_len = 0 };
        DebVersion d = { .epoch = 0, .upstream = "1", .upstream_len = 1, .revision = "", .revision_len = 0 };

        assert_int_equal(deb_version_compare(&a, &b), 1);
        assert_int_equal(deb_version_compare(&b, &a), -1);
        assert_int_equal(deb_version_compare(&c, &d), 1);
        assert_int_equal(deb_version_compare(&d, &c), -1);
        assert_int_equal(deb_version_compare(&a, &a), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_documented),
                cmocka_unit_test(test_epochs),
                cmocka_unit_test(test_digits),
                cmocka_unit_test(test_non_digits),
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_relations),
                cmocka_unit_test(test_satisfies),
                cmocka_unit_test(test_hand_built),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
