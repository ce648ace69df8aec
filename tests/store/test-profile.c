/* Profiles and generations (profile.h): parsing of delete specs, the
 * deletion planner against what nix-env 2.8 does on the same generations,
 * set/list/switch/rollback/delete on real directories, names that are not
 * generations, concurrent sets serialising on the lock, a real store
 * (validity, indirect roots), and a failure or a SIGKILL at every step of
 * a set (old or new, never a mix).
 *
 * The fault test runs this program again as
 * "test-profile --set-child PROFILE TARGET" with FIRN_FAULT_AT or
 * FIRN_FAULT_KILL set (fault.c reads them once per process). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "fileio.h"
#include "profile.h"
#include "store-add.h"
#include "store-db.h"
#include "strbuf.h"
#include "strv.h"

static char tmpdir[] = "/tmp/firn-test-profile-XXXXXX";
static const char *self_exe;

static char *fmt(const char *f, ...) _printf_(1, 2);
static char *fmt(const char *f, ...) {
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, f);
        strbuf_vaddf(&sb, f, ap);
        va_end(ap);
        return strbuf_detach(&sb, NULL);
}

/* A fresh directory under tmpdir; returns "tmpdir/name". */
static char *fresh_dir(const char *name) {
        char *d = fmt("%s/%s", tmpdir, name);
        assert_int_equal(rm_rf(AT_FDCWD, d, NULL), 0);
        assert_int_equal(mkdir(d, 0755), 0);
        return d;
}

/* A fake logical store path for tests without a store. */
static char *target(unsigned i) {
        return fmt("/nix/store/%032u-t%u", i, i);
}

static char *link_target(const char *path) {
        char *t = NULL;
        assert_int_equal(read_link(AT_FDCWD, path, &t), 0);
        return t;
}

/* The store path the profile resolves to (profile -> NAME-N-link -> path). */
static char *resolve(const char *profile) {
        _cleanup_free_ char *gen = link_target(profile);
        _cleanup_free_ char *dir = strdup(profile);
        *strrchr(dir, '/') = 0;
        _cleanup_free_ char *p = fmt("%s/%s", dir, gen);
        return link_target(p);
}

static void set_ok(const char *profile, unsigned t, unsigned expect_number, bool expect_created) {
        _cleanup_free_ char *tg = target(t);
        unsigned n = 0;
        bool created = !expect_created;
        char *error = NULL;
        int r = profile_set(NULL, profile, tg, &n, &created, &error);
        if (r < 0)
                fail_msg("profile_set: %s", error);
        assert_int_equal(n, expect_number);
        assert_int_equal(created, expect_created);
        _cleanup_free_ char *now = resolve(profile);
        assert_string_equal(now, tg);
}

/* error is read after r is computed (by the call in the argument list). */
static void expect_error(int r, char **error, int code, const char *message) {
        assert_int_equal(r, code);
        assert_non_null(*error);
        assert_string_equal(*error, message);
        free(*error);
        *error = NULL;
}

/* "1 2 3" of the generations present, "|current". */
static char *describe(const char *profile) {
        _cleanup_generation_list_free_ GenerationList *l = NULL;
        char *error = NULL;
        if (profile_list(profile, &l, &error) < 0)
                fail_msg("profile_list: %s", error);
        StrBuf sb = STRBUF_INIT;
        for (size_t i = 0; i < l->n; i++)
                strbuf_addf(&sb, "%s%u", i ? " " : "", l->gens[i].number);
        strbuf_addf(&sb, "|%u", l->current);
        return strbuf_detach(&sb, NULL);
}

static void set_mtime(const char *path, time_t t) {
        struct timespec ts[2] = { { .tv_sec = t }, { .tv_sec = t } };
        assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* ---- delete specs ---- */

static void parse_ok(const char *const *args, size_t n, ProfileDeleteKind kind, unsigned value,
                     const char *numbers) {
        ProfileDeleteSpec spec;
        char *error = NULL;
        if (profile_delete_spec_parse((char *const *) args, n, &spec, &error) < 0)
                fail_msg("parse %s: %s", n ? args[0] : "(none)", error);
        assert_int_equal(spec.kind, kind);
        if (kind == PROFILE_DELETE_KEEP)
                assert_int_equal(spec.keep, value);
        if (kind == PROFILE_DELETE_DAYS)
                assert_int_equal(spec.days, value);
        if (kind == PROFILE_DELETE_NUMBERS) {
                StrBuf sb = STRBUF_INIT;
                for (size_t i = 0; i < spec.n_numbers; i++)
                        strbuf_addf(&sb, "%s%u", i ? " " : "", spec.numbers[i]);
                assert_string_equal(sb.buf, numbers);
                strbuf_release(&sb);
        }
        profile_delete_spec_done(&spec);
}

static void parse_fails(const char *const *args, size_t n, const char *message) {
        ProfileDeleteSpec spec;
        char *error = NULL;
        expect_error(profile_delete_spec_parse((char *const *) args, n, &spec, &error), &error, -EINVAL, message);
}

static void test_parse_spec(void **state) {
        parse_ok((const char *[]) { "old" }, 1, PROFILE_DELETE_OLD, 0, NULL);
        parse_ok((const char *[]) { "+3" }, 1, PROFILE_DELETE_KEEP, 3, NULL);
        parse_ok((const char *[]) { "+1" }, 1, PROFILE_DELETE_KEEP, 1, NULL);
        parse_ok((const char *[]) { "30d" }, 1, PROFILE_DELETE_DAYS, 30, NULL);
        parse_ok((const char *[]) { "1d" }, 1, PROFILE_DELETE_DAYS, 1, NULL);
        parse_ok((const char *[]) { "7" }, 1, PROFILE_DELETE_NUMBERS, 0, "7");
        parse_ok((const char *[]) { "9", "2", "5", "2", "0" }, 5, PROFILE_DELETE_NUMBERS, 0, "0 2 5 9");
        parse_ok(NULL, 0, PROFILE_DELETE_NUMBERS, 0, "");
        parse_ok((const char *[]) { "4294967295" }, 1, PROFILE_DELETE_NUMBERS, 0, "4294967295");

        /* nix-env 2.8's messages. */
        parse_fails((const char *[]) { "x" }, 1, "invalid generation number 'x'");
        parse_fails((const char *[]) { "4294967296" }, 1, "invalid generation number '4294967296'");
        parse_fails((const char *[]) { "1", "old" }, 2, "invalid generation number 'old'");
        parse_fails((const char *[]) { "1", "+2" }, 2, "invalid generation number '+2'");
        parse_fails((const char *[]) { "1", "-2" }, 2, "invalid generation number '-2'");
        parse_fails((const char *[]) { "+" }, 1, "invalid number of generations '+'");
        parse_fails((const char *[]) { "+0" }, 1, "invalid number of generations to keep '+0'");
        parse_fails((const char *[]) { "+x" }, 1, "invalid number of generations to keep '+x'");
        parse_fails((const char *[]) { "0d" }, 1, "invalid number of days specifier '0d'");
        parse_fails((const char *[]) { "xd" }, 1, "invalid number of days specifier 'xd'");
        parse_fails((const char *[]) { "d" }, 1, "invalid number of days specifier 'd'");
        parse_fails((const char *[]) { "-3d" }, 1, "invalid number of days specifier '-3d'");
        parse_fails((const char *[]) { "d3" }, 1,
                    "invalid number of days specifier 'd3', expected something like '14d'");
}

/* ---- the planner, on lists made in memory ---- */

#define DAY 86400

/* Generations numbers[i] created at times[i] (0: i * DAY). */
static GenerationList *make_list(const unsigned *numbers, const time_t *times, size_t n, unsigned current) {
        GenerationList *l = calloc(1, sizeof(*l));
        l->gens = calloc(n ? n : 1, sizeof(*l->gens));
        for (size_t i = 0; i < n; i++)
                l->gens[i] = (Generation) {
                        .number = numbers[i],
                        .link = fmt("p-%u-link", numbers[i]),
                        .target = target(numbers[i]),
                        .creation_time = times ? times[i] : (time_t) i * DAY,
                };
        l->n = n;
        l->current = current;
        return l;
}

static void plan_is(const GenerationList *l, const char *spec_arg, time_t now, const char *expected) {
        const char *args[] = { spec_arg };
        ProfileDeleteSpec spec;
        char *error = NULL;
        assert_int_equal(profile_delete_spec_parse((char *const *) args, 1, &spec, &error), 0);
        _cleanup_free_ unsigned *plan = NULL;
        size_t n = 0;
        if (profile_plan_deletions(l, &spec, now, &plan, &n, &error) < 0)
                fail_msg("plan %s: %s", spec_arg, error);
        profile_delete_spec_done(&spec);
        StrBuf sb = STRBUF_INIT;
        for (size_t i = 0; i < n; i++)
                strbuf_addf(&sb, "%s%u", i ? " " : "", plan[i]);
        if (strcmp(sb.buf, expected) != 0)
                fail_msg("plan %s: got '%s', expected '%s'", spec_arg, sb.buf, expected);
        strbuf_release(&sb);
}

static void test_plan(void **state) {
        static const unsigned seven[] = { 1, 2, 3, 4, 5, 6, 7 };
        _cleanup_(generation_list_freep) GenerationList *l = make_list(seven, NULL, 7, 3);

        /* What nix-env 2.8 removed on 1..7 with 3 current: */
        plan_is(l, "+2", 0, "1");       /* 4..7 newer stay, 3 and 2 stay */
        plan_is(l, "+1", 0, "2 1");
        plan_is(l, "+10", 0, "");
        plan_is(l, "old", 0, "1 2 4 5 6 7");
        plan_is(l, "6", 0, "6");

        /* Current is the newest, the usual case: +K keeps the K newest. */
        l->current = 7;
        plan_is(l, "+3", 0, "4 3 2 1");
        plan_is(l, "+1", 0, "6 5 4 3 2 1");

        /* Days: generation i made i days before day 8 minus an hour, as
         * the nix-env run that removed "4 3 1" with 2 current and 3d. */
        time_t now = 8 * DAY;
        time_t times[7];
        for (unsigned i = 0; i < 7; i++)
                times[i] = now - (time_t) (7 - i) * DAY - 3600;
        generation_list_free(l);
        l = make_list(seven, times, 7, 2);
        plan_is(l, "3d", now, "4 3 1");
        plan_is(l, "1d", now, "6 5 4 3 1");
        plan_is(l, "30d", now, "");
        l->current = 7;
        plan_is(l, "7d", now, "");     /* 1 is the one active 7 days ago */
        plan_is(l, "6d", now, "1");

        /* Numbers: the current one is refused, missing ones ignored. */
        const char *args[] = { "1", "7" };
        ProfileDeleteSpec spec;
        char *error = NULL;
        assert_int_equal(profile_delete_spec_parse((char *const *) args, 2, &spec, &error), 0);
        unsigned *plan = NULL;
        size_t n = 0;
        expect_error(profile_plan_deletions(l, &spec, now, &plan, &n, &error), &error, -EBUSY,
                     "cannot delete the current generation (7)");
        l->current = 0;
        assert_int_equal(profile_plan_deletions(l, &spec, now, &plan, &n, &error), 0);
        assert_int_equal(n, 2);
        assert_int_equal(plan[0], 1);
        assert_int_equal(plan[1], 7);
        free(plan);
        profile_delete_spec_done(&spec);

        /* No current generation: +K and Nd delete nothing, old everything. */
        plan_is(l, "+1", now, "");
        plan_is(l, "old", now, "1 2 3 4 5 6 7");

        /* Gaps in the numbers. */
        static const unsigned gaps[] = { 2, 5, 9, 10 };
        generation_list_free(l);
        l = make_list(gaps, NULL, 4, 9);
        plan_is(l, "+2", 0, "2");
        plan_is(l, "old", 0, "2 5 10");

        /* Empty. */
        generation_list_free(l);
        l = make_list(NULL, NULL, 0, 0);
        plan_is(l, "old", 0, "");
        plan_is(l, "+1", 0, "");
        plan_is(l, "1d", 0, "");
}

/* ---- on disk ---- */

static void test_set_list_switch(void **state) {
        _cleanup_free_ char *dir = fresh_dir("basic");
        _cleanup_free_ char *p = fmt("%s/p", dir);
        char *error = NULL;

        _cleanup_free_ char *d0 = describe(p);
        assert_string_equal(d0, "|0");

        set_ok(p, 1, 1, true);
        set_ok(p, 2, 2, true);
        set_ok(p, 3, 3, true);
        set_ok(p, 3, 3, false); /* the newest already: reused */
        _cleanup_free_ char *pt = link_target(p);
        assert_string_equal(pt, "p-3-link"); /* relative, as nix-env */
        _cleanup_free_ char *g1 = fmt("%s/p-1-link", dir);
        _cleanup_free_ char *g1t = link_target(g1);
        _cleanup_free_ char *t1 = target(1);
        assert_string_equal(g1t, t1);

        _cleanup_generation_list_free_ GenerationList *l = NULL;
        assert_int_equal(profile_list(p, &l, &error), 0);
        assert_int_equal(l->n, 3);
        assert_int_equal(l->current, 3);
        for (unsigned i = 0; i < 3; i++) {
                assert_int_equal(l->gens[i].number, i + 1);
                _cleanup_free_ char *t = target(i + 1);
                assert_string_equal(l->gens[i].target, t);
                _cleanup_free_ char *lk = fmt("%s/p-%u-link", dir, i + 1);
                assert_string_equal(l->gens[i].link, lk);
                struct stat st;
                assert_int_equal(lstat(lk, &st), 0);
                assert_int_equal(l->gens[i].creation_time, st.st_mtim.tv_sec);
                assert_true(labs(time(NULL) - l->gens[i].creation_time) < 600);
        }
        assert_ptr_equal(generation_list_find(l, 2), &l->gens[1]);
        assert_null(generation_list_find(l, 4));

        /* Rollback and switch. */
        unsigned from = 0, to = 0;
        assert_int_equal(profile_rollback(p, &from, &to, &error), 0);
        assert_int_equal(from, 3);
        assert_int_equal(to, 2);
        assert_int_equal(profile_rollback(p, &from, &to, &error), 0);
        assert_int_equal(to, 1);
        expect_error(profile_rollback(p, &from, &to, &error), &error, -ENOENT,
                     "no generation older than the current (1) exists");
        expect_error(profile_switch(p, 9, &from, &to, &error), &error, -ENOENT, "generation 9 does not exist");
        assert_int_equal(profile_switch(p, 3, &from, &to, &error), 0);
        assert_int_equal(from, 1);
        assert_int_equal(to, 3);
        assert_int_equal(profile_switch(p, 3, &from, &to, &error), 0); /* to itself: fine */
        _cleanup_free_ char *now = resolve(p);
        _cleanup_free_ char *t3 = target(3);
        assert_string_equal(now, t3);

        /* Set while an older one is current: compared with the newest, as
         * nix-env; the current one's target makes a new generation. */
        assert_int_equal(profile_switch(p, 2, NULL, NULL, &error), 0);
        set_ok(p, 3, 3, false); /* == newest: switches back to 3 */
        assert_int_equal(profile_switch(p, 2, NULL, NULL, &error), 0);
        set_ok(p, 2, 4, true);
        _cleanup_free_ char *d1 = describe(p);
        assert_string_equal(d1, "1 2 3 4|4");

        /* A profile without any generation. */
        _cleanup_free_ char *none = fmt("%s/none", dir);
        expect_error(profile_rollback(none, NULL, NULL, &error), &error, -ENOENT,
                     "no generation older than the current (0) exists");
        _cleanup_free_ char *d2 = describe(none);
        assert_string_equal(d2, "|0");
}

static void test_names(void **state) {
        _cleanup_free_ char *dir = fresh_dir("names");
        _cleanup_free_ char *p = fmt("%s/p", dir);
        static const char *const not_gens[] = {
                "p-0-link", "p-01-link", "p-x-link", "p--link", "p-3-link.tmp", "p-3-linkx", "p-3",
                ".#p-4-link.1.0", "q-5-link", "pp-6-link", "p-7-8-link", "p-99999999999-link",
        };
        for (size_t i = 0; i < ELEMENTSOF(not_gens); i++) {
                _cleanup_free_ char *l = fmt("%s/%s", dir, not_gens[i]);
                assert_int_equal(symlink("/nix/store/x", l), 0);
        }
        /* A generation name that is not a symlink does not count. */
        _cleanup_free_ char *notlink = fmt("%s/p-2-link", dir);
        assert_int_equal(mkdir(notlink, 0755), 0);

        _cleanup_free_ char *d0 = describe(p);
        assert_string_equal(d0, "|0");

        /* The next number would be 1; 2 is taken by the directory. */
        set_ok(p, 1, 1, true);
        _cleanup_free_ char *t2 = target(2);
        char *error = NULL;
        assert_int_equal(profile_set(NULL, p, t2, NULL, NULL, &error), -EEXIST);
        free(error);
        assert_int_equal(rmdir(notlink), 0);
        set_ok(p, 2, 2, true);

        /* The profile's target may name the generation by a path in DIR. */
        _cleanup_free_ char *abs = fmt("%s/p-1-link", dir);
        assert_int_equal(unlink(p), 0);
        assert_int_equal(symlink(abs, p), 0);
        _cleanup_free_ char *d1 = describe(p);
        assert_string_equal(d1, "1 2|1");
        /* … but not a generation of another directory. */
        assert_int_equal(unlink(p), 0);
        assert_int_equal(symlink("/elsewhere/p-1-link", p), 0);
        _cleanup_free_ char *d2 = describe(p);
        assert_string_equal(d2, "1 2|0");
        /* A dangling current. */
        assert_int_equal(unlink(p), 0);
        assert_int_equal(symlink("p-7-link", p), 0);
        _cleanup_free_ char *d3 = describe(p);
        assert_string_equal(d3, "1 2|7");
        unsigned to = 0;
        assert_int_equal(profile_rollback(p, NULL, &to, &error), 0);
        assert_int_equal(to, 2);

        /* A profile that is not a symlink is left alone. */
        _cleanup_free_ char *file = fmt("%s/file", dir);
        assert_int_equal(write_file_atomic(AT_FDCWD, file, "x", 1, 0644), 0);
        _cleanup_free_ char *t1 = target(1);
        _cleanup_free_ char *msg = fmt("profile '%s' exists and is not a symlink", file);
        expect_error(profile_set(NULL, file, t1, NULL, NULL, &error), &error, -EEXIST, msg);

        /* Bad profile paths. */
        _cleanup_free_ char *missing = fmt("%s/no/such/p", dir);
        assert_int_equal(profile_set(NULL, missing, t1, NULL, NULL, &error), -ENOENT);
        free(error);
        GenerationList *l = NULL;
        assert_int_equal(profile_list(missing, &l, &error), -ENOENT);
        free(error);
        _cleanup_free_ char *trailing = fmt("%s/", dir);
        assert_int_equal(profile_set(NULL, trailing, t1, NULL, NULL, &error), -EINVAL);
        free(error);
}

static void test_delete(void **state) {
        _cleanup_free_ char *dir = fresh_dir("delete");
        _cleanup_free_ char *p = fmt("%s/p", dir);
        char *error = NULL;
        for (unsigned i = 1; i <= 7; i++)
                set_ok(p, i, i, true);
        time_t now = time(NULL);
        for (unsigned i = 1; i <= 7; i++) {
                _cleanup_free_ char *lk = fmt("%s/p-%u-link", dir, i);
                set_mtime(lk, now - (time_t) (8 - i) * DAY - 3600);
        }
        assert_int_equal(profile_switch(p, 2, NULL, NULL, &error), 0);

        ProfileDeleteSpec spec;
        unsigned *deleted = NULL;
        size_t n = 0;

        /* Dry run: nothing goes. */
        const char *days[] = { "3d" };
        assert_int_equal(profile_delete_spec_parse((char *const *) days, 1, &spec, &error), 0);
        assert_int_equal(profile_delete(p, &spec, true, &deleted, &n, &error), 0);
        assert_int_equal(n, 3);
        free(deleted);
        _cleanup_free_ char *d0 = describe(p);
        assert_string_equal(d0, "1 2 3 4 5 6 7|2");
        assert_int_equal(profile_delete(p, &spec, false, &deleted, &n, &error), 0);
        profile_delete_spec_done(&spec);
        assert_int_equal(n, 3);
        assert_int_equal(deleted[0], 4);
        assert_int_equal(deleted[1], 3);
        assert_int_equal(deleted[2], 1);
        free(deleted);
        _cleanup_free_ char *d1 = describe(p);
        assert_string_equal(d1, "2 5 6 7|2");

        /* Numbers: the current one is refused and nothing goes. */
        const char *nums[] = { "5", "2" };
        assert_int_equal(profile_delete_spec_parse((char *const *) nums, 2, &spec, &error), 0);
        _cleanup_free_ char *msg = fmt("cannot delete the current generation (2) of profile '%s'", p);
        expect_error(profile_delete(p, &spec, false, NULL, NULL, &error), &error, -EBUSY, msg);
        profile_delete_spec_done(&spec);
        const char *nums2[] = { "5", "99" };
        assert_int_equal(profile_delete_spec_parse((char *const *) nums2, 2, &spec, &error), 0);
        assert_int_equal(profile_delete(p, &spec, false, &deleted, &n, &error), 0);
        profile_delete_spec_done(&spec);
        assert_int_equal(n, 1);
        free(deleted);
        _cleanup_free_ char *d2 = describe(p);
        assert_string_equal(d2, "2 6 7|2");

        /* +1 with the oldest current: every newer one stays. */
        const char *keep[] = { "+1" };
        assert_int_equal(profile_delete_spec_parse((char *const *) keep, 1, &spec, &error), 0);
        assert_int_equal(profile_delete(p, &spec, false, NULL, NULL, &error), 0);
        _cleanup_free_ char *d3 = describe(p);
        assert_string_equal(d3, "2 6 7|2");
        assert_int_equal(profile_switch(p, 7, NULL, NULL, &error), 0);
        assert_int_equal(profile_delete(p, &spec, false, NULL, NULL, &error), 0);
        profile_delete_spec_done(&spec);
        _cleanup_free_ char *d4 = describe(p);
        assert_string_equal(d4, "7|7");

        /* old, and numbering goes on from the newest. */
        set_ok(p, 8, 8, true);
        set_ok(p, 9, 9, true);
        const char *old[] = { "old" };
        assert_int_equal(profile_delete_spec_parse((char *const *) old, 1, &spec, &error), 0);
        assert_int_equal(profile_delete(p, &spec, false, NULL, NULL, &error), 0);
        profile_delete_spec_done(&spec);
        _cleanup_free_ char *d5 = describe(p);
        assert_string_equal(d5, "9|9");
        set_ok(p, 1, 10, true);
        _cleanup_free_ char *r = resolve(p);
        _cleanup_free_ char *t1 = target(1);
        assert_string_equal(r, t1);
}

/* Children each set their own targets at once; the lock makes the numbers
 * distinct and none is lost. */
#define CHILDREN 6
#define SETS 25

static void test_concurrent(void **state) {
        _cleanup_free_ char *dir = fresh_dir("concurrent");
        _cleanup_free_ char *p = fmt("%s/p", dir);
        pid_t pids[CHILDREN];
        for (unsigned c = 0; c < CHILDREN; c++) {
                pids[c] = fork();
                assert_true(pids[c] >= 0);
                if (pids[c] == 0) {
                        for (unsigned i = 0; i < SETS; i++) {
                                _cleanup_free_ char *t = target(1000 * (c + 1) + i);
                                if (profile_set(NULL, p, t, NULL, NULL, NULL) < 0)
                                        _exit(1);
                        }
                        _exit(0);
                }
        }
        for (unsigned c = 0; c < CHILDREN; c++) {
                int status;
                assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
                assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        _cleanup_generation_list_free_ GenerationList *l = NULL;
        char *error = NULL;
        assert_int_equal(profile_list(p, &l, &error), 0);
        assert_int_equal(l->n, CHILDREN * SETS);
        _cleanup_strv_free_ char **targets = NULL;
        for (size_t i = 0; i < l->n; i++) {
                assert_int_equal(l->gens[i].number, i + 1);
                targets = strv_push(targets, l->gens[i].target);
        }
        strv_sort_unique(targets);
        assert_int_equal(strv_length(targets), CHILDREN * SETS);
        assert_true(l->current >= 1 && l->current <= CHILDREN * SETS);
}

/* ---- with a store ---- */

static void test_store(void **state) {
        _cleanup_free_ char *root = fresh_dir("store");
        _cleanup_store_free_ Store *store = NULL;
        char *error = NULL;
        if (store_open(root, &store, &error) < 0)
                fail_msg("store_open: %s", error);
        _cleanup_free_ char *a = NULL, *b = NULL;
        assert_int_equal(store_add_text(store, "a", "a", 1, NULL, &a, &error), 0);
        assert_int_equal(store_add_text(store, "b", "b", 1, NULL, &b, &error), 0);

        /* In the state directory's profiles: no indirect root. */
        _cleanup_free_ char *sys = fmt("%s/profiles/system", store->state_dir);
        unsigned n = 0;
        bool created = false;
        assert_int_equal(profile_set(store, sys, a, &n, &created, &error), 0);
        assert_int_equal(n, 1);
        assert_true(created);
        _cleanup_free_ char *auto_dir = fmt("%s/gcroots/auto", store->state_dir);
        _cleanup_free_ char *ls = fmt("test -z \"$(ls -A '%s')\"", auto_dir);
        assert_int_equal(system(ls), 0);

        /* Outside: the generation link becomes an indirect root. */
        _cleanup_free_ char *out = fresh_dir("outside");
        _cleanup_free_ char *op = fmt("%s/p", out);
        assert_int_equal(profile_set(store, op, b, &n, &created, &error), 0);
        _cleanup_free_ char *check = fmt("for f in '%s'/*; do [ \"$(readlink \"$f\")\" = '%s/p-1-link' ] || exit 1; "
                                         "done; [ \"$(ls '%s' | wc -l)\" = 1 ]",
                                         auto_dir, out, auto_dir);
        assert_int_equal(system(check), 0);

        /* Only valid store paths. */
        _cleanup_free_ char *bogus = fmt("%s/%032u-bogus", store->store_dir, 0);
        _cleanup_free_ char *msg = fmt("path '%s' is not valid", bogus);
        expect_error(profile_set(store, op, bogus, NULL, NULL, &error), &error, -ENOENT, msg);
        expect_error(profile_set(store, op, "/tmp/x", NULL, NULL, &error), &error, -EINVAL,
                     "path '/tmp/x' is not in the Nix store");
        _cleanup_free_ char *d = describe(op);
        assert_string_equal(d, "1|1");
}

/* ---- faults ---- */

/* Runs "self --set-child profile target" with env var=step; returns the
 * wait status. */
static int run_child(const char *var, unsigned step, const char *profile, const char *tg) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char s[16];
                snprintf(s, sizeof(s), "%u", step);
                setenv(var, s, 1);
                int devnull = open("/dev/null", O_WRONLY);
                dup2(devnull, STDERR_FILENO);
                execl(self_exe, self_exe, "--set-child", profile, tg, (char *) NULL);
                _exit(127);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return status;
}

static void fault_every_step(const char *var) {
        _cleanup_free_ char *dir = fresh_dir("faults");
        _cleanup_free_ char *t1 = target(1), *t2 = target(2);
        unsigned step;
        for (step = 1; step < 100; step++) {
                _cleanup_free_ char *sub = fmt("%s/%u", dir, step);
                assert_int_equal(mkdir(sub, 0755), 0);
                _cleanup_free_ char *p = fmt("%s/p", sub);
                assert_int_equal(profile_set(NULL, p, t1, NULL, NULL, NULL), 0);
                int status = run_child(var, step, p, t2);
                bool done = WIFEXITED(status) && WEXITSTATUS(status) == 0;
                if (strcmp(var, "FIRN_FAULT_KILL") == 0 && !done)
                        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
                /* Old or new, never a mix; the profile still works. */
                _cleanup_free_ char *now = resolve(p);
                if (done)
                        assert_string_equal(now, t2);
                else if (strcmp(now, t1) != 0)
                        assert_string_equal(now, t2);
                _cleanup_generation_list_free_ GenerationList *l = NULL;
                assert_int_equal(profile_list(p, &l, NULL), 0);
                assert_true(l->n == 1 || l->n == 2);
                assert_non_null(generation_list_find(l, l->current));
                /* And the next set finishes the job. */
                assert_int_equal(profile_set(NULL, p, t2, NULL, NULL, NULL), 0);
                _cleanup_free_ char *after = resolve(p);
                assert_string_equal(after, t2);
                if (done)
                        break;
        }
        /* A set is symlink, rename, fsync twice over: six steps. */
        assert_int_equal(step, 7);
}

static void test_fault_at(void **state) {
        fault_every_step("FIRN_FAULT_AT");
}

static void test_fault_kill(void **state) {
        fault_every_step("FIRN_FAULT_KILL");
}

static int setup(void **state) {
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
        return rm_rf(AT_FDCWD, tmpdir, NULL);
}

int main(int argc, char *argv[]) {
        if (argc == 4 && strcmp(argv[1], "--set-child") == 0)
                return profile_set(NULL, argv[2], argv[3], NULL, NULL, NULL) < 0 ? 1 : 0;
        self_exe = argv[0];
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_spec),
                cmocka_unit_test(test_plan),
                cmocka_unit_test(test_set_list_switch),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_delete),
                cmocka_unit_test(test_concurrent),
                cmocka_unit_test(test_store),
                cmocka_unit_test(test_fault_at),
                cmocka_unit_test(test_fault_kill),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
