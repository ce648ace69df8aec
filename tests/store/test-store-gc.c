/* Garbage collection (store-gc.c) on a private store per test: which paths
 * each kind of root keeps (gcroots symlinks, indirect auto/ roots, temporary
 * roots of a live child process, runtime roots), deletion order (referrers
 * first), keep-derivations, --max-freed, leftovers of interrupted adds,
 * lock files, nix-store --delete's all-or-nothing refusal, and the batched
 * invalidation in store-db.c. */
#include <dirent.h>
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
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "cleanup.h"
#include "fileio.h"
#include "store-add.h"
#include "store-db.h"
#include "store-gc.h"
#include "store.h"
#include "strbuf.h"
#include "strv.h"

typedef struct Fixture {
        char root[64];
        Store *store;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(*f));
        strcpy(f->root, "/tmp/firn-test-store-gc-XXXXXX");
        assert_non_null(mkdtemp(f->root));
        char *error = NULL;
        assert_int_equal(store_open(f->root, &f->store, &error), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        store_free(f->store);
        rm_rf(AT_FDCWD, f->root, NULL);
        free(f);
        return 0;
}

/* ---- helpers ---- */

/* A fresh handle: forgets this process's temporary roots (every add made
 * one), so only the roots a test makes count. */
static Store *reopen(Fixture *f) {
        store_free(f->store);
        char *error = NULL;
        assert_int_equal(store_open(f->root, &f->store, &error), 0);
        return f->store;
}

static char *add_text(Store *s, const char *name, const char *contents, char **refs) {
        char *path = NULL, *error = NULL;
        int r = store_add_text(s, name, contents, strlen(contents), refs, &path, &error);
        if (r < 0)
                fail_msg("adding %s: %s", name, error ? error : strerror(-r));
        return path;
}

static bool exists(Store *s, const char *path) {
        struct stat st;
        return fstatat(s->store_fd, path + strlen(s->store_dir) + 1, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool valid(Store *s, const char *path) {
        int r = store_is_valid(s, path);
        assert_true(r >= 0);
        return r > 0;
}

/* Present and valid, or absent and not valid: never a mix. */
static bool kept(Store *s, const char *path) {
        bool v = valid(s, path), e = exists(s, path);
        assert_int_equal(v, e);
        return v;
}

static void add_root(Store *s, const char *name, const char *target) {
        char rel[256];
        snprintf(rel, sizeof(rel), "gcroots/%s", name);
        assert_int_equal(symlinkat(target, s->state_fd, rel), 0);
}

static void record(void *userdata, const char *path) {
        char ***l = userdata;
        *l = strv_push(*l, path);
}

/* Runs the collection; returns its result code. */
static int run_gc(Store *s, GcOptions *o, GcResults *res, char ***deleted) {
        o->runtime_roots = false;
        o->on_delete = record;
        o->userdata = deleted;
        char *error = NULL;
        int r = store_collect_garbage(s, o, res, &error);
        free(error);
        return r;
}

static void gc_all(Store *s, GcResults *res) {
        GcOptions o = GC_OPTIONS_INIT;
        _cleanup_strv_free_ char **deleted = NULL;
        assert_int_equal(run_gc(s, &o, res, &deleted), 0);
}

static size_t index_of(char **l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (strcmp(l[i], s) == 0)
                        return i;
        fail_msg("'%s' is not in the list", s);
        return SIZE_MAX;
}

/* ---- roots and liveness ---- */

static void test_references_and_order(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "a", NULL);
        char *ra[] = { a, NULL };
        _cleanup_free_ char *b = add_text(s, "b", "b", ra);
        char *rb[] = { b, NULL };
        _cleanup_free_ char *c = add_text(s, "c", "c", rb); /* c -> b -> a */
        _cleanup_free_ char *x = add_text(s, "x", "x", NULL);
        char *rx[] = { x, NULL };
        _cleanup_free_ char *y = add_text(s, "y", "y", rx);
        char *rxy[] = { x, y, NULL };
        _cleanup_free_ char *z = add_text(s, "z", "z", rxy); /* z -> y -> x, z -> x */
        add_root(s, "b", b);
        s = reopen(f);

        GcOptions o = GC_OPTIONS_INIT;
        GcResults res;
        _cleanup_strv_free_ char **deleted = NULL;
        assert_int_equal(run_gc(s, &o, &res, &deleted), 0);
        assert_int_equal(strv_length(res.paths), 4);
        assert_int_equal(strv_length(deleted), 4);
        assert_true(kept(s, a));
        assert_true(kept(s, b));
        assert_false(kept(s, c));
        assert_false(kept(s, x));
        assert_false(kept(s, y));
        assert_false(kept(s, z));
        /* Referrers first. */
        assert_true(index_of(res.paths, z) < index_of(res.paths, y));
        assert_true(index_of(res.paths, y) < index_of(res.paths, x));
        assert_true(res.bytes_freed > 0);
        gc_results_done(&res);

        /* Nothing left to do. */
        gc_all(s, &res);
        assert_null(res.paths);
        gc_results_done(&res);
}

static void test_roots_in_subdirs_and_profiles(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "a", NULL);
        _cleanup_free_ char *b = add_text(s, "b", "b", NULL);
        _cleanup_free_ char *c = add_text(s, "c", "c", NULL);
        _cleanup_free_ char *d = add_text(s, "d", "d", NULL);
        assert_int_equal(mkdirat(s->state_fd, "gcroots/sub", 0755), 0);
        assert_int_equal(mkdirat(s->state_fd, "gcroots/sub/deeper", 0755), 0);
        add_root(s, "sub/deeper/a", a);
        /* A root into a path's insides keeps the whole path. */
        char inside[512];
        snprintf(inside, sizeof(inside), "%s/some/file", b);
        add_root(s, "b-inside", inside);
        /* Profiles: a generation link and the relative profile link. */
        assert_int_equal(symlinkat(c, s->state_fd, "profiles/p-1-link"), 0);
        assert_int_equal(symlinkat("p-1-link", s->state_fd, "profiles/p"), 0);
        /* A root to a path that is not valid is skipped. */
        add_root(s, "dangling", "/nix/store/00000000000000000000000000000000-gone");
        s = reopen(f);

        GcResults res;
        gc_all(s, &res);
        assert_true(kept(s, a));
        assert_true(kept(s, b));
        assert_true(kept(s, c));
        assert_false(kept(s, d));
        assert_int_equal(strv_length(res.paths), 1);
        gc_results_done(&res);

        GcRoot *roots = NULL;
        size_t n = 0;
        char *error = NULL;
        assert_int_equal(store_find_roots(s, false, &roots, &n, &error), 0);
        /* b-inside, p-1-link (found directly and through p: once), sub/deeper/a */
        assert_int_equal(n, 3);
        char want[1024];
        snprintf(want, sizeof(want), "%s/gcroots/b-inside", s->state_dir);
        assert_string_equal(roots[0].link, want);
        assert_string_equal(roots[0].path, b);
        for (size_t i = 1; i < n; i++)
                assert_true(strcmp(roots[i - 1].link, roots[i].link) <= 0);
        gc_roots_free(roots, n);
}

static void test_indirect_roots(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "a", NULL);
        _cleanup_free_ char *b = add_text(s, "b", "b", NULL);
        char link_a[256], link_b[256];
        snprintf(link_a, sizeof(link_a), "%s/result-a", f->root);
        snprintf(link_b, sizeof(link_b), "%s/result-b", f->root);
        assert_int_equal(symlink(a, link_a), 0);
        assert_int_equal(symlink(b, link_b), 0);
        assert_int_equal(store_add_indirect_root(s, link_a), 0);
        assert_int_equal(store_add_indirect_root(s, link_b), 0);
        s = reopen(f);

        GcResults res;
        gc_all(s, &res);
        assert_null(res.paths);
        gc_results_done(&res);

        GcRoot *roots = NULL;
        size_t n = 0;
        char *error = NULL;
        assert_int_equal(store_find_roots(s, false, &roots, &n, &error), 0);
        assert_int_equal(n, 2);
        assert_string_equal(roots[0].link, link_a);
        assert_string_equal(roots[0].path, a);
        assert_string_equal(roots[1].link, link_b);
        gc_roots_free(roots, n);

        /* The link goes: its auto/ entry is stale and goes too. */
        assert_int_equal(unlink(link_a), 0);
        gc_all(s, &res);
        assert_int_equal(strv_length(res.paths), 1);
        assert_string_equal(res.paths[0], a);
        gc_results_done(&res);
        assert_false(kept(s, a));
        assert_true(kept(s, b));
        int entries = 0;
        _cleanup_close_ int autofd = openat(s->state_fd, "gcroots/auto", O_RDONLY | O_DIRECTORY);
        DIR *d = fdopendir(dup(autofd));
        for (struct dirent *e; (e = readdir(d));)
                entries += e->d_name[0] != '.';
        closedir(d);
        assert_int_equal(entries, 1);

        /* The link now points elsewhere (not into the store): no root,
         * but the entry stays (only missing links are stale). */
        assert_int_equal(unlink(link_b), 0);
        assert_int_equal(symlink("/tmp", link_b), 0);
        gc_all(s, &res);
        assert_false(kept(s, b));
        gc_results_done(&res);
}

/* ---- temporary roots: a child process holds them ---- */

typedef struct Child {
        pid_t pid;
        int release_fd; /* closing it lets the child exit */
} Child;

/* Forks a child that opens the store at root, adds the temporary roots
 * paths (and, with text, adds that text file and a temp object), then
 * waits until released. Returns when the roots are in place. */
static Child child_with_temp_roots(const char *root, char **paths, const char *text, bool free_store) {
        int ready[2], release[2];
        assert_int_equal(pipe(ready), 0);
        assert_int_equal(pipe(release), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(ready[0]);
                close(release[1]);
                Store *cs = NULL;
                char *error = NULL;
                if (store_open(root, &cs, &error) < 0)
                        _exit(2);
                for (size_t i = 0; paths && paths[i]; i++)
                        if (store_add_temp_root(cs, paths[i]) < 0)
                                _exit(3);
                if (text) {
                        char *p = NULL;
                        if (store_add_text(cs, "child-text", text, strlen(text), NULL, &p, &error) < 0)
                                _exit(4);
                        if (write(ready[1], p, strlen(p)) < 0)
                                _exit(5);
                }
                close(ready[1]);
                char c;
                while (read(release[0], &c, 1) > 0)
                        ;
                if (free_store)
                        store_free(cs);
                _exit(0); /* without store_free: a stale temproots file stays */
        }
        close(ready[1]);
        close(release[0]);
        char buf[512];
        ssize_t n;
        while ((n = read(ready[0], buf, sizeof(buf))) > 0)
                ;
        close(ready[0]);
        return (Child) { .pid = pid, .release_fd = release[1] };
}

static void child_finish(Child *c) {
        close(c->release_fd);
        int status;
        assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

static int count_temproots_files(Store *s) {
        int n = 0;
        int fd = openat(s->state_fd, "temproots", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fdopendir(fd);
        for (struct dirent *e; (e = readdir(d));)
                n += e->d_name[0] != '.';
        closedir(d);
        return n;
}

static void test_temp_roots(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "a", NULL);
        char *ra[] = { a, NULL };
        _cleanup_free_ char *b = add_text(s, "b", "b", ra);
        _cleanup_free_ char *c = add_text(s, "c", "c", NULL);
        s = reopen(f);
        /* An object the child is "writing" under a temporary name, and
         * a half-written path it is about to register. */
        char tmpname[128], half[128];
        snprintf(half, sizeof(half), "%s/00000000000000000000000000000000-half", s->store_dir);
        Child child = { 0 };
        {
                snprintf(tmpname, sizeof(tmpname), "%s/.tmp-firn-%d-77", s->store_dir, 1);
                char *roots[] = { b, tmpname, half, NULL };
                child = child_with_temp_roots(f->root, roots, NULL, false);
        }
        assert_int_equal(mkdirat(s->store_fd, ".tmp-firn-1-77", 0755), 0);
        assert_int_equal(mkdirat(s->store_fd, "00000000000000000000000000000000-half", 0755), 0);

        GcResults res;
        gc_all(s, &res);
        assert_true(kept(s, a)); /* in the closure of a temporary root */
        assert_true(kept(s, b));
        assert_false(kept(s, c));
        assert_true(exists(s, tmpname));
        assert_true(exists(s, half));
        gc_results_done(&res);

        GcRoot *roots = NULL;
        size_t n = 0;
        char *error = NULL;
        assert_int_equal(store_find_roots(s, false, &roots, &n, &error), 0);
        assert_int_equal(n, 1); /* only valid ones are listed */
        char want[64];
        snprintf(want, sizeof(want), "{temp:%d}", (int) child.pid);
        assert_string_equal(roots[0].link, want);
        assert_string_equal(roots[0].path, b);
        gc_roots_free(roots, n);

        /* The child dies without cleaning up: its file is stale. */
        child_finish(&child);
        assert_int_equal(count_temproots_files(s), 1);
        gc_all(s, &res);
        assert_int_equal(count_temproots_files(s), 0);
        assert_false(kept(s, a));
        assert_false(kept(s, b));
        assert_false(exists(s, tmpname));
        assert_false(exists(s, half));
        assert_int_equal(strv_length(res.paths), 4);
        gc_results_done(&res);
}

static void test_temp_root_of_new_path(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        /* The child adds a path (a temporary root of its own) and lives on. */
        Child child = child_with_temp_roots(f->root, NULL, "from the child", true);
        _cleanup_strv_free_ char **all = NULL;
        assert_int_equal(store_query_all_valid(s, &all), 0);
        assert_int_equal(strv_length(all), 1);
        GcResults res;
        gc_all(s, &res);
        assert_null(res.paths);
        assert_true(kept(s, all[0]));
        gc_results_done(&res);
        child_finish(&child);
        gc_all(s, &res);
        assert_false(kept(s, all[0]));
        gc_results_done(&res);
}

/* This process's own temporary roots count too. */
static void test_own_temp_roots(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "a", NULL);
        GcResults res;
        gc_all(s, &res);
        assert_true(kept(s, a)); /* store_add_text made it a temporary root */
        gc_results_done(&res);
}

/* ---- runtime roots ---- */

static void test_runtime_roots(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "a", NULL);
        s = reopen(f);

        char *error = NULL;
        int ready[2], release[2];
        assert_int_equal(pipe(ready), 0);
        assert_int_equal(pipe(release), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(ready[0]);
                close(release[1]);
                char *real = store_real_path(s, a);
                int fd = open(real, O_RDONLY);
                close(ready[1]);
                char c;
                while (read(release[0], &c, 1) > 0)
                        ;
                _exit(fd >= 0 ? 0 : 1);
        }
        close(ready[1]);
        close(release[0]);
        char c;
        while (read(ready[0], &c, 1) > 0)
                ;
        close(ready[0]);

        GcOptions o = GC_OPTIONS_INIT;
        o.action = GC_ACTION_RETURN_DEAD;
        GcResults res;
        char **deleted = NULL;
        assert_int_equal(store_collect_garbage(s, &o, &res, &error), 0);
        assert_null(res.paths); /* open in the child: alive */
        gc_results_done(&res);

        GcRoot *roots = NULL;
        size_t n = 0;
        assert_int_equal(store_find_roots(s, true, &roots, &n, &error), 0);
        assert_int_equal(n, 1);
        char want[64];
        snprintf(want, sizeof(want), "{/proc/%d/fd/", (int) pid);
        assert_memory_equal(roots[0].link, want, strlen(want));
        assert_string_equal(roots[0].path, a);
        gc_roots_free(roots, n);

        /* Without runtime roots it is dead. */
        assert_int_equal(run_gc(s, &o, &res, &deleted), 0);
        assert_int_equal(strv_length(res.paths), 1);
        gc_results_done(&res);

        close(release[1]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_int_equal(WEXITSTATUS(status), 0);
        strv_free(deleted);
}

/* ---- keep-derivations ---- */

static void set_deriver(Store *s, const char *path, const char *deriver) {
        char *sql = sqlite3_mprintf("update ValidPaths set deriver = %Q where path = %Q", deriver, path);
        assert_int_equal(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_free(sql);
}

static void test_keep_derivations(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *src = add_text(s, "src", "src", NULL);
        char *rs[] = { src, NULL };
        _cleanup_free_ char *drv = add_text(s, "out-drv", "the derivation", rs);
        _cleanup_free_ char *out = add_text(s, "out", "the output", NULL);
        _cleanup_free_ char *other = add_text(s, "other", "other", NULL);
        set_deriver(s, out, drv);
        /* A deriver that is not valid is no reason to keep anything. */
        set_deriver(s, other, "/nix/store/00000000000000000000000000000000-gone.drv");
        add_root(s, "out", out);
        add_root(s, "other", other);
        s = reopen(f);

        GcOptions o = GC_OPTIONS_INIT;
        o.action = GC_ACTION_RETURN_LIVE;
        GcResults res;
        _cleanup_strv_free_ char **deleted = NULL;
        assert_int_equal(run_gc(s, &o, &res, &deleted), 0);
        assert_int_equal(strv_length(res.paths), 4);
        for (size_t i = 1; res.paths[i]; i++)
                assert_true(strcmp(res.paths[i - 1], res.paths[i]) < 0);
        gc_results_done(&res);

        o.keep_derivations = false;
        o.action = GC_ACTION_RETURN_DEAD;
        assert_int_equal(run_gc(s, &o, &res, &deleted), 0);
        assert_int_equal(strv_length(res.paths), 2);
        assert_true(strv_contains(res.paths, drv));
        assert_true(strv_contains(res.paths, src));
        gc_results_done(&res);
        /* Listing deleted nothing. */
        assert_true(kept(s, drv));

        o.action = GC_ACTION_DELETE_DEAD;
        assert_int_equal(run_gc(s, &o, &res, &deleted), 0);
        assert_false(kept(s, drv));
        assert_false(kept(s, src));
        assert_true(kept(s, out));
        gc_results_done(&res);
}

/* ---- --max-freed ---- */

static void test_max_freed(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        char *paths[6];
        static char big[20000];
        for (size_t i = 0; i < 6; i++) {
                memset(big, 'a' + (int) i, sizeof(big) - 1);
                char name[8];
                snprintf(name, sizeof(name), "big%zu", i);
                paths[i] = add_text(s, name, big, NULL);
        }
        s = reopen(f);

        GcOptions o = GC_OPTIONS_INIT;
        GcResults res;
        _cleanup_strv_free_ char **deleted = NULL;
        o.max_freed = 0;
        assert_int_equal(run_gc(s, &o, &res, &deleted), 0);
        assert_null(res.paths);
        gc_results_done(&res);

        o.max_freed = 1;
        assert_int_equal(run_gc(s, &o, &res, &deleted), 0);
        assert_int_equal(strv_length(res.paths), 1);
        assert_true(res.bytes_freed >= 16384);
        gc_results_done(&res);

        o.max_freed = 30000; /* two files */
        assert_int_equal(run_gc(s, &o, &res, &deleted), 0);
        assert_int_equal(strv_length(res.paths), 2);
        gc_results_done(&res);

        size_t left = 0;
        for (size_t i = 0; i < 6; i++)
                left += kept(s, paths[i]);
        assert_int_equal(left, 3);

        o.max_freed = GC_MAX_FREED_UNLIMITED;
        assert_int_equal(run_gc(s, &o, &res, &deleted), 0);
        assert_int_equal(strv_length(res.paths), 3);
        gc_results_done(&res);
        for (size_t i = 0; i < 6; i++)
                free(paths[i]);
}

/* ---- leftovers and lock files ---- */

static void test_leftovers(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "a", NULL);
        add_root(s, "a", a);
        s = reopen(f);
        /* A leftover temporary object (read-only, as canonicalised). */
        assert_int_equal(mkdirat(s->store_fd, ".tmp-firn-999999-3", 0755), 0);
        assert_int_equal(mkdirat(s->store_fd, ".tmp-firn-999999-3/sub", 0755), 0);
        int fd = openat(s->store_fd, ".tmp-firn-999999-3/sub/file", O_WRONLY | O_CREAT, 0444);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(fchmodat(s->store_fd, ".tmp-firn-999999-3/sub", 0555, 0), 0);
        assert_int_equal(fchmodat(s->store_fd, ".tmp-firn-999999-3", 0555, 0), 0);
        /* A renamed but never registered path. */
        assert_int_equal(mkdirat(s->store_fd, "11111111111111111111111111111111-unregistered", 0755), 0);
        /* A stale lock, a held lock, the optimiser's links directory. */
        fd = openat(s->store_fd, "22222222222222222222222222222222-stale.lock", O_WRONLY | O_CREAT, 0600);
        close(fd);
        _cleanup_close_ int held = openat(s->store_fd, "33333333333333333333333333333333-held.lock",
                                         O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        assert_int_equal(flock(held, LOCK_EX), 0);
        assert_int_equal(mkdirat(s->store_fd, ".links", 0755), 0);

        GcOptions o = GC_OPTIONS_INIT;
        o.action = GC_ACTION_RETURN_DEAD;
        GcResults res;
        _cleanup_strv_free_ char **deleted = NULL;
        assert_int_equal(run_gc(s, &o, &res, &deleted), 0);
        assert_int_equal(strv_length(res.paths), 3);
        gc_results_done(&res);

        gc_all(s, &res);
        assert_int_equal(strv_length(res.paths), 3);
        gc_results_done(&res);
        struct stat st;
        assert_true(fstatat(s->store_fd, ".tmp-firn-999999-3", &st, 0) < 0);
        assert_true(fstatat(s->store_fd, "11111111111111111111111111111111-unregistered", &st, 0) < 0);
        assert_true(fstatat(s->store_fd, "22222222222222222222222222222222-stale.lock", &st, 0) < 0);
        assert_int_equal(fstatat(s->store_fd, "33333333333333333333333333333333-held.lock", &st, 0), 0);
        assert_int_equal(fstatat(s->store_fd, ".links", &st, 0), 0);
        assert_true(kept(s, a));
}

/* Files of optimised paths live on in .links until no path shares them. */
static void test_unused_links(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "shared contents", NULL);
        s = reopen(f);
        assert_int_equal(mkdirat(s->store_fd, ".links", 0755), 0);
        assert_int_equal(linkat(s->store_fd, a + strlen(s->store_dir) + 1, s->store_fd, ".links/somehash", 0), 0);
        GcResults res;
        gc_all(s, &res);
        assert_int_equal(strv_length(res.paths), 1);
        gc_results_done(&res);
        struct stat st;
        assert_true(fstatat(s->store_fd, ".links/somehash", &st, 0) < 0);
}

/* ---- nix-store --delete ---- */

static void test_delete_specific(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "a", NULL);
        char *ra[] = { a, NULL };
        _cleanup_free_ char *b = add_text(s, "b", "b", ra);
        _cleanup_free_ char *r = add_text(s, "r", "r", NULL);
        _cleanup_free_ char *x = add_text(s, "x", "x", NULL);
        add_root(s, "r", r);
        s = reopen(f);

        GcOptions o = GC_OPTIONS_INIT;
        o.action = GC_ACTION_DELETE_SPECIFIC;
        o.runtime_roots = false;
        GcResults res;
        char *error = NULL;

        /* a is referenced by b (not deleted): alive. Nothing goes, not
         * even x. */
        char *p1[] = { x, a, NULL };
        o.paths_to_delete = p1;
        assert_int_equal(store_collect_garbage(s, &o, &res, &error), -EBUSY);
        assert_non_null(strstr(error, "since it is still alive"));
        assert_non_null(strstr(error, a));
        free(error);
        error = NULL;
        assert_null(res.paths);
        gc_results_done(&res);
        assert_true(kept(s, a) && kept(s, x));

        /* A root. */
        char *p2[] = { r, NULL };
        o.paths_to_delete = p2;
        assert_int_equal(store_collect_garbage(s, &o, &res, &error), -EBUSY);
        free(error);
        error = NULL;
        gc_results_done(&res);
        assert_true(kept(s, r));

        /* Both ends of a reference at once: fine, referrer first. */
        char *p3[] = { a, b, NULL };
        o.paths_to_delete = p3;
        assert_int_equal(store_collect_garbage(s, &o, &res, &error), 0);
        assert_int_equal(strv_length(res.paths), 2);
        assert_string_equal(res.paths[0], b);
        assert_string_equal(res.paths[1], a);
        gc_results_done(&res);
        assert_false(kept(s, a) || kept(s, b));
        assert_true(kept(s, x));

        /* A path that is not there: nothing to do. */
        o.paths_to_delete = p3;
        assert_int_equal(store_collect_garbage(s, &o, &res, &error), 0);
        assert_null(res.paths);
        gc_results_done(&res);

        /* An invalid leftover under a store path's name: removed. */
        char half[128];
        snprintf(half, sizeof(half), "%s/44444444444444444444444444444444-half", s->store_dir);
        assert_int_equal(mkdirat(s->store_fd, half + strlen(s->store_dir) + 1, 0755), 0);
        char *p5[] = { half, NULL };
        o.paths_to_delete = p5;
        assert_int_equal(store_collect_garbage(s, &o, &res, &error), 0);
        assert_int_equal(strv_length(res.paths), 1);
        gc_results_done(&res);
        assert_false(exists(s, half));

        /* Not a store path. */
        char *p4[] = { (char *) "/tmp/x", NULL };
        o.paths_to_delete = p4;
        assert_int_equal(store_collect_garbage(s, &o, &res, &error), -EINVAL);
        free(error);
        gc_results_done(&res);
}

/* ---- store_invalidate_paths ---- */

static void test_invalidate_paths(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "a", NULL);
        char *ra[] = { a, NULL };
        _cleanup_free_ char *b = add_text(s, "b", "b", ra);
        _cleanup_free_ char *c = add_text(s, "c", "c", ra);
        char *error = NULL;
        bool inv[3];
        /* a before its referrer c: a stays, c goes. */
        char *l1[] = { b, a, c };
        assert_int_equal(store_invalidate_paths(s, l1, 3, inv, &error), 0);
        assert_true(inv[0]);
        assert_false(inv[1]);
        assert_true(inv[2]);
        assert_false(valid(s, b));
        assert_true(valid(s, a));
        assert_false(valid(s, c));
        /* Not valid any more: reported as invalidated. */
        char *l2[] = { b, a };
        assert_int_equal(store_invalidate_paths(s, l2, 2, inv, &error), 0);
        assert_true(inv[0] && inv[1]);
        assert_false(valid(s, a));

        StoreGraph g;
        assert_int_equal(store_query_graph(s, &g), 0);
        assert_int_equal(g.n, 0);
        store_graph_done(&g);
}

static void test_query_graph(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        _cleanup_free_ char *a = add_text(s, "a", "a", NULL);
        char *ra[] = { a, NULL };
        _cleanup_free_ char *b = add_text(s, "b", "b", ra);
        StoreGraph g;
        assert_int_equal(store_query_graph(s, &g), 0);
        assert_int_equal(g.n, 2);
        assert_string_equal(g.paths[0], a);
        assert_string_equal(g.paths[1], b);
        assert_null(g.paths[2]);
        assert_int_equal(g.n_refs, 1);
        assert_int_equal(g.ref_from[0], 1);
        assert_int_equal(g.ref_to[0], 0);
        assert_true(g.nar_sizes[0] > 0);
        assert_null(g.derivers[0]);
        store_graph_done(&g);
}

/* ---- many paths: batches ---- */

static void test_many(void **state) {
        Fixture *f = *state;
        Store *s = f->store;
        /* A chain of 1200 (crossing a batch boundary), the first ten rooted. */
        char *prev = NULL;
        char *keep = NULL;
        for (int i = 0; i < 1200; i++) {
                char name[32], contents[32];
                snprintf(name, sizeof(name), "p%d", i);
                snprintf(contents, sizeof(contents), "%d", i);
                char *refs[] = { prev, NULL };
                char *p = add_text(s, name, contents, prev ? refs : NULL);
                if (i == 9)
                        keep = strdup(p);
                free(prev);
                prev = p;
        }
        add_root(s, "keep", keep);
        s = reopen(f);
        GcResults res;
        gc_all(s, &res);
        assert_int_equal(strv_length(res.paths), 1190);
        assert_string_equal(res.paths[0], prev); /* the head of the chain first */
        gc_results_done(&res);
        _cleanup_strv_free_ char **all = NULL;
        assert_int_equal(store_query_all_valid(s, &all), 0);
        assert_int_equal(strv_length(all), 10);
        free(prev);
        free(keep);
}

int main(void) {
        /* Children are reaped by the tests. */
        signal(SIGPIPE, SIG_IGN);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_references_and_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_roots_in_subdirs_and_profiles, setup, teardown),
                cmocka_unit_test_setup_teardown(test_indirect_roots, setup, teardown),
                cmocka_unit_test_setup_teardown(test_temp_roots, setup, teardown),
                cmocka_unit_test_setup_teardown(test_temp_root_of_new_path, setup, teardown),
                cmocka_unit_test_setup_teardown(test_own_temp_roots, setup, teardown),
                cmocka_unit_test_setup_teardown(test_runtime_roots, setup, teardown),
                cmocka_unit_test_setup_teardown(test_keep_derivations, setup, teardown),
                cmocka_unit_test_setup_teardown(test_max_freed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_leftovers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unused_links, setup, teardown),
                cmocka_unit_test_setup_teardown(test_delete_specific, setup, teardown),
                cmocka_unit_test_setup_teardown(test_invalidate_paths, setup, teardown),
                cmocka_unit_test_setup_teardown(test_query_graph, setup, teardown),
                cmocka_unit_test_setup_teardown(test_many, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
