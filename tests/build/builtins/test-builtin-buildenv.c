/* builtin:buildenv called directly, on a private store root whose packages
 * are plain directories ROOT/nix/store/HASH-NAME: directory granularity,
 * nested merges when packages share a directory, symlinked directories
 * resolved inside the root, priorities, collisions (and their message),
 * propagated packages, inactive packages, the manifest link, dangling
 * symlinks, malformed input, and that a failure leaves no output. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "builtin-buildenv.h"
#include "cleanup.h"
#include "derivation.h"
#include "fileio.h"
#include "store.h"
#include "strbuf.h"
#include "xalloc.h"

#define OUT_PATH "/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-env"

typedef struct Fixture {
        char root[64];
        Store *store;
        char *out;      /* host path of the output */
        char *log;      /* host path of the build log */
        unsigned n_pkgs;
} Fixture;

static char *fmt(const char *f, ...) _printf_(1, 2);
static char *fmt(const char *f, ...) {
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, f);
        strbuf_vaddf(&sb, f, ap);
        va_end(ap);
        return strbuf_detach(&sb, NULL);
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(*f));
        strcpy(f->root, "/tmp/firn-test-buildenv-XXXXXX");
        assert_non_null(mkdtemp(f->root));
        char *error = NULL;
        assert_int_equal(store_open(f->root, &f->store, &error), 0);
        char *outdir = fmt("%s/build", f->root);
        assert_int_equal(mkdir(outdir, 0755), 0);
        f->out = fmt("%s/env", outdir);
        f->log = fmt("%s/log", outdir);
        free(outdir);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        store_free(f->store);
        rm_rf(AT_FDCWD, f->root, NULL);
        free(f->out);
        free(f->log);
        free(f);
        return 0;
}

/* A new package NAME: returns its logical store path (malloc'ed). */
static char *mkpkg(Fixture *f, const char *name) {
        char *path = fmt("/nix/store/%032u-%s", ++f->n_pkgs, name);
        char *real = fmt("%s%s", f->root, path);
        assert_int_equal(mkdir(real, 0755), 0);
        free(real);
        return path;
}

/* Writes file rel (parents created) with contents in package pkg. */
static void pkg_file(Fixture *f, const char *pkg, const char *rel, const char *contents) {
        char *real = fmt("%s%s/%s", f->root, pkg, rel);
        char *dir = xstrdup(real);
        *strrchr(dir, '/') = 0;
        assert_int_equal(mkdir_p(AT_FDCWD, dir, 0755), 0);
        assert_int_equal(write_file_atomic(AT_FDCWD, real, contents, strlen(contents), 0644), 0);
        free(dir);
        free(real);
}

static void pkg_symlink(Fixture *f, const char *pkg, const char *rel, const char *target) {
        char *real = fmt("%s%s/%s", f->root, pkg, rel);
        char *dir = xstrdup(real);
        *strrchr(dir, '/') = 0;
        assert_int_equal(mkdir_p(AT_FDCWD, dir, 0755), 0);
        assert_int_equal(symlink(target, real), 0);
        free(dir);
        free(real);
}

/* Runs builtin:buildenv with these attributes (manifest may be NULL).
 * Returns its result; *ret_error gets the message (or NULL). */
static int run(Fixture *f, const char *derivations, const char *manifest, char **ret_error) {
        Derivation *drv = drv_new("env");
        drv_set_builder(drv, "builtin:buildenv");
        drv_set_platform(drv, "x86_64-linux");
        drv_set_output(drv, "out", OUT_PATH, NULL, NULL);
        drv_set_env(drv, "out", OUT_PATH);
        if (derivations)
                drv_set_env(drv, "derivations", derivations);
        if (manifest)
                drv_set_env(drv, "manifest", manifest);
        int log_fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        assert_true(log_fd >= 0);
        char *dirs[] = { f->out, NULL };
        BuiltinContext ctx = {
                .store = f->store,
                .drv = drv,
                .drv_path = "/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-env.drv",
                .output_dirs = dirs,
                .log_fd = log_fd,
        };
        char *error = NULL;
        int r = builtin_buildenv(&ctx, &error);
        close(log_fd);
        drv_free(drv);
        if (r >= 0)
                assert_null(error);
        else
                assert_non_null(error);
        *ret_error = error;
        return r;
}

static void run_ok(Fixture *f, const char *derivations) {
        char *error = NULL;
        int r = run(f, derivations, NULL, &error);
        if (r < 0)
                fail_msg("buildenv failed: %s", error);
}

/* The target of output entry rel, or NULL when it is not a symlink. */
static char *link_of(Fixture *f, const char *rel) {
        char *p = fmt("%s/%s", f->out, rel);
        char *target = NULL;
        if (read_link(AT_FDCWD, p, &target) < 0)
                target = NULL;
        free(p);
        return target;
}

static void assert_link(Fixture *f, const char *rel, const char *pkg, const char *pkg_rel) {
        char *got = link_of(f, rel);
        char *want = fmt("%s/%s", pkg, pkg_rel);
        if (!got || strcmp(got, want) != 0)
                fail_msg("%s: expected a link to %s, found %s", rel, want, got ? got : "no link");
        free(got);
        free(want);
}

static bool is_real_dir(Fixture *f, const char *rel) {
        char *p = *rel ? fmt("%s/%s", f->out, rel) : xstrdup(f->out);
        struct stat st;
        bool r = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
        free(p);
        return r;
}

static bool exists(Fixture *f, const char *rel) {
        char *p = *rel ? fmt("%s/%s", f->out, rel) : xstrdup(f->out);
        struct stat st;
        bool r = lstat(p, &st) == 0;
        free(p);
        return r;
}

static char *read_log(Fixture *f) {
        char *data = NULL;
        if (read_file(AT_FDCWD, f->log, 1 << 20, &data, NULL) < 0)
                return xstrdup("");
        return data;
}

/* ---- tests ---- */

static void test_directory_granularity(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        pkg_file(f, a, "bin/a", "#!/bin/sh\n");
        pkg_file(f, a, "share/doc/a/README", "a\n");
        pkg_file(f, a, "top", "top\n");
        _cleanup_free_ char *d = fmt("true 5 1 %s", a);
        run_ok(f, d);
        assert_true(is_real_dir(f, ""));
        /* One package: each top-level entry is one link, directories too. */
        assert_link(f, "bin", a, "bin");
        assert_link(f, "share", a, "share");
        assert_link(f, "top", a, "top");
        /* The links resolve to the package's bytes under the root. */
        _cleanup_free_ char *real = fmt("%s%s/bin/a", f->root, a);
        assert_int_equal(access(real, F_OK), 0);
}

static void test_nested_merge(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *b = mkpkg(f, "b");
        pkg_file(f, a, "bin/x", "x\n");
        pkg_file(f, a, "share/man/man1/x.1", "x.1\n");
        pkg_file(f, a, "share/icons/a.png", "png\n");
        pkg_file(f, b, "bin/y", "y\n");
        pkg_file(f, b, "share/man/man1/y.1", "y.1\n");
        pkg_file(f, b, "share/man/man5/y.conf.5", "y.5\n");
        pkg_file(f, b, "lib/liby.so", "so\n");
        _cleanup_free_ char *d = fmt("true 5 1 %s true 5 1 %s", b, a);
        run_ok(f, d);
        /* Shared directories became real, down to where they differ. */
        assert_true(is_real_dir(f, "bin"));
        assert_link(f, "bin/x", a, "bin/x");
        assert_link(f, "bin/y", b, "bin/y");
        assert_true(is_real_dir(f, "share"));
        assert_true(is_real_dir(f, "share/man"));
        assert_true(is_real_dir(f, "share/man/man1"));
        assert_link(f, "share/man/man1/x.1", a, "share/man/man1/x.1");
        assert_link(f, "share/man/man1/y.1", b, "share/man/man1/y.1");
        /* Directories only one package has stay single links. */
        assert_link(f, "share/man/man5", b, "share/man/man5");
        assert_link(f, "share/icons", a, "share/icons");
        assert_link(f, "lib", b, "lib");
}

static void test_three_packages_share_a_dir(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *b = mkpkg(f, "b");
        _cleanup_free_ char *c = mkpkg(f, "c");
        pkg_file(f, a, "bin/a", "a\n");
        pkg_file(f, b, "bin/b", "b\n");
        pkg_file(f, c, "bin/c", "c\n");
        _cleanup_free_ char *d = fmt("true 0 3 %s %s %s", a, b, c);
        run_ok(f, d);
        assert_true(is_real_dir(f, "bin"));
        assert_link(f, "bin/a", a, "bin/a");
        assert_link(f, "bin/b", b, "bin/b");
        assert_link(f, "bin/c", c, "bin/c");
}

static void test_collision(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *b = mkpkg(f, "b");
        pkg_file(f, a, "bin/x", "from a\n");
        pkg_file(f, b, "bin/x", "from b\n");
        pkg_file(f, b, "bin/y", "y\n");
        _cleanup_free_ char *d = fmt("true 5 1 %s true 5 1 %s", b, a);
        _cleanup_free_ char *error = NULL;
        assert_int_equal(run(f, d, NULL, &error), -EEXIST);
        /* Equal priorities are taken in path order: a first. */
        _cleanup_free_ char *want = fmt("collision between '%s/bin/x' and '%s/bin/x'", a, b);
        if (!strstr(error, want))
                fail_msg("unexpected error: %s", error);
        assert_non_null(strstr(error, "priority 5"));
        /* Nothing is left behind. */
        assert_false(exists(f, ""));
}

static void test_priority(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *b = mkpkg(f, "b");
        _cleanup_free_ char *c = mkpkg(f, "c");
        pkg_file(f, a, "bin/x", "from a\n");
        pkg_file(f, a, "bin/only-a", "a\n");
        pkg_file(f, b, "bin/x", "from b\n");
        pkg_file(f, c, "bin/x", "from c\n");
        /* The smallest number wins, wherever it is listed. */
        _cleanup_free_ char *d = fmt("true 10 1 %s true 3 1 %s true 7 1 %s", a, b, c);
        run_ok(f, d);
        assert_link(f, "bin/x", b, "bin/x");
        assert_link(f, "bin/only-a", a, "bin/only-a");
        /* Negative priorities too (Nix uses stoi). */
        rm_rf(AT_FDCWD, f->out, NULL);
        _cleanup_free_ char *d2 = fmt("true 0 1 %s true -1 1 %s", b, c);
        run_ok(f, d2);
        assert_link(f, "bin/x", c, "bin/x");
}

static void test_directory_against_file(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *b = mkpkg(f, "b");
        /* a file where a later package has a directory: no priority helps. */
        pkg_file(f, a, "etc", "file\n");
        pkg_file(f, b, "etc/conf", "conf\n");
        _cleanup_free_ char *d = fmt("true 1 1 %s true 2 1 %s", a, b);
        _cleanup_free_ char *error = NULL;
        assert_true(run(f, d, NULL, &error) < 0);
        _cleanup_free_ char *want = fmt("collision between '%s/etc' and non-directory '%s/etc'", b, a);
        if (!strstr(error, want))
                fail_msg("unexpected error: %s", error);
        assert_false(exists(f, ""));
}

static void test_file_against_directory(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *b = mkpkg(f, "b");
        _cleanup_free_ char *c = mkpkg(f, "c");
        pkg_file(f, a, "share/x/1", "1\n");
        pkg_file(f, b, "share/x/2", "2\n");
        pkg_file(f, c, "share/x", "a file\n");
        /* share/x is a real directory once a and b are in; c's file hits it. */
        _cleanup_free_ char *d = fmt("true 1 2 %s %s true 2 1 %s", a, b, c);
        _cleanup_free_ char *error = NULL;
        assert_true(run(f, d, NULL, &error) < 0);
        _cleanup_free_ char *want = fmt("collision between non-directory '%s/share/x' and directory '%s/share/x'", c,
                                        OUT_PATH);
        if (!strstr(error, want))
                fail_msg("unexpected error: %s", error);
}

static void test_propagated(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *b = mkpkg(f, "b");
        _cleanup_free_ char *c = mkpkg(f, "c");
        _cleanup_free_ char *dep = mkpkg(f, "dep");
        pkg_file(f, a, "bin/a", "a\n");
        pkg_file(f, a, "bin/x", "a's x\n");
        _cleanup_free_ char *prop = fmt("%s\n%s %s\n", b, c, a); /* a itself is done already */
        pkg_file(f, a, "nix-support/propagated-user-env-packages", prop);
        pkg_file(f, b, "bin/b", "b\n");
        pkg_file(f, b, "bin/x", "b's x\n"); /* loses against a (priority 1000 > 5) */
        pkg_file(f, c, "share/c", "c\n");
        _cleanup_free_ char *prop2 = fmt("%s", dep);
        pkg_file(f, c, "nix-support/propagated-user-env-packages", prop2); /* a second round */
        pkg_file(f, dep, "lib/libdep.so", "so\n");
        _cleanup_free_ char *d = fmt("true 5 1 %s", a);
        run_ok(f, d);
        assert_link(f, "bin/a", a, "bin/a");
        assert_link(f, "bin/b", b, "bin/b");
        assert_link(f, "bin/x", a, "bin/x");
        assert_link(f, "share", c, "share");
        assert_link(f, "lib", dep, "lib");
        /* nix-support is never merged. */
        assert_false(exists(f, "nix-support"));
}

static void test_propagated_collide_with_each_other(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *b = mkpkg(f, "b");
        _cleanup_free_ char *c = mkpkg(f, "c");
        _cleanup_free_ char *prop = fmt("%s %s", c, b);
        pkg_file(f, a, "nix-support/propagated-user-env-packages", prop);
        pkg_file(f, b, "bin/x", "b\n");
        pkg_file(f, c, "bin/x", "c\n");
        /* Propagated packages get 1000, 1001, … in path order: b wins. */
        _cleanup_free_ char *d = fmt("true 5 1 %s", a);
        run_ok(f, d);
        assert_link(f, "bin/x", b, "bin/x");
}

static void test_inactive_and_outputs(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *a_man = mkpkg(f, "a-man");
        _cleanup_free_ char *b = mkpkg(f, "b");
        pkg_file(f, a, "bin/a", "a\n");
        pkg_file(f, a_man, "share/man/man1/a.1", "a.1\n");
        pkg_file(f, b, "bin/b", "b\n");
        /* A group of two outputs, then an inactive package. */
        _cleanup_free_ char *d = fmt("  true 5 2 %s\n%s\tfalse 5 1 %s  ", a, a_man, b);
        run_ok(f, d);
        assert_link(f, "bin", a, "bin");
        assert_link(f, "share", a_man, "share");
        assert_null(link_of(f, "bin/b"));
}

static void test_symlinked_directories_inside_root(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *lib = mkpkg(f, "lib");
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *b = mkpkg(f, "b");
        pkg_file(f, lib, "lib/liba.so", "so\n");
        pkg_file(f, lib, "lib/pkgconfig/a.pc", "pc\n");
        /* a's lib is an absolute link to another package: it names the
         * logical store, which exists only under the root. */
        _cleanup_free_ char *target = fmt("%s/lib", lib);
        pkg_symlink(f, a, "lib", target);
        pkg_symlink(f, a, "bin/rel", "../lib/liba.so"); /* relative, through the link */
        pkg_file(f, b, "lib/libb.so", "so\n");
        pkg_file(f, b, "lib/pkgconfig/b.pc", "pc\n");
        _cleanup_free_ char *d = fmt("true 5 1 %s true 5 1 %s", a, b);
        run_ok(f, d);
        assert_true(is_real_dir(f, "lib"));
        /* Entries of a's lib are linked through the resolved directory, as
         * Nix's canonPath(dst, true) does. */
        assert_link(f, "lib/liba.so", lib, "lib/liba.so");
        assert_link(f, "lib/libb.so", b, "lib/libb.so");
        assert_true(is_real_dir(f, "lib/pkgconfig"));
        assert_link(f, "lib/pkgconfig/a.pc", lib, "lib/pkgconfig/a.pc");
        assert_link(f, "lib/pkgconfig/b.pc", b, "lib/pkgconfig/b.pc");
        /* A symlink to a file is linked as the package's entry itself. */
        assert_link(f, "bin", a, "bin");
}

static void test_dangling_and_skipped(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        _cleanup_free_ char *b = mkpkg(f, "b");
        pkg_symlink(f, a, "bin/broken", "/nix/store/00000000000000000000000000000000-gone/bin/x");
        pkg_file(f, a, "bin/ok", "ok\n");
        pkg_file(f, a, ".hidden", "h\n");
        pkg_file(f, a, "share/info/dir", "info dir\n");
        pkg_file(f, a, "share/info/a.info", "a\n");
        pkg_file(f, a, "lib/perl5/perllocal.pod", "pod\n");
        pkg_file(f, a, "manifest.nix", "{}\n");
        pkg_file(f, b, "share/info/dir", "info dir b\n");
        pkg_file(f, b, "share/info/b.info", "b\n");
        pkg_file(f, b, "lib/perl5/perllocal.pod", "pod b\n");
        pkg_file(f, b, "lib/perl5/B.pm", "1;\n");
        _cleanup_free_ char *d = fmt("true 5 1 %s true 5 1 %s", a, b);
        run_ok(f, d);
        assert_false(exists(f, "bin/broken"));
        assert_link(f, "bin", a, "bin"); /* only a has bin: linked whole */
        /* The shared directories are merged without the special files. */
        assert_true(is_real_dir(f, "share/info"));
        assert_false(exists(f, "share/info/dir"));
        assert_link(f, "share/info/a.info", a, "share/info/a.info");
        assert_false(exists(f, "lib/perl5/perllocal.pod"));
        assert_link(f, "lib/perl5/B.pm", b, "lib/perl5/B.pm");
        assert_false(exists(f, ".hidden"));
        assert_false(exists(f, "manifest.nix"));
        /* bin was linked whole, so its dangling link was never looked at;
         * force a merge of bin to see the warning. */
        rm_rf(AT_FDCWD, f->out, NULL);
        pkg_file(f, b, "bin/b", "b\n");
        run_ok(f, d);
        assert_false(exists(f, "bin/broken"));
        assert_link(f, "bin/ok", a, "bin/ok");
        _cleanup_free_ char *log = read_log(f);
        _cleanup_free_ char *want = fmt("warning: skipping dangling symlink '%s/bin/broken'", OUT_PATH);
        if (!strstr(log, want))
                fail_msg("log lacks the warning: %s", log);
}

static void test_manifest(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = mkpkg(f, "a");
        pkg_file(f, a, "bin/a", "a\n");
        _cleanup_free_ char *d = fmt("true 5 1 %s", a);
        _cleanup_free_ char *error = NULL;
        assert_int_equal(run(f, d, "/nix/store/11111111111111111111111111111111-env-manifest.nix", &error), 0);
        _cleanup_free_ char *m = link_of(f, "manifest.nix");
        assert_string_equal(m, "/nix/store/11111111111111111111111111111111-env-manifest.nix");
}

static void test_empty(void **state) {
        Fixture *f = *state;
        run_ok(f, "");
        assert_true(is_real_dir(f, ""));
}

static void test_package_not_a_directory(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *file = fmt("/nix/store/%032u-file", 99);
        _cleanup_free_ char *real = fmt("%s%s", f->root, file);
        assert_int_equal(write_file_atomic(AT_FDCWD, real, "x", 1, 0644), 0);
        _cleanup_free_ char *d = fmt("true 5 1 %s", file);
        run_ok(f, d);
        _cleanup_free_ char *log = read_log(f);
        assert_non_null(strstr(log, "because it's not a directory"));
}

static void test_errors(void **state) {
        Fixture *f = *state;
        char *error = NULL;
        assert_int_equal(run(f, NULL, NULL, &error), -EINVAL);
        assert_string_equal(error, "attribute 'derivations' missing");
        free(error);
        static const char *const bad[] = {
                "true 5",                        /* too short */
                "true five 1 /nix/store/x",      /* priority not a number */
                "true 5 2 /nix/store/x",         /* fewer paths than said */
                "true 5 -1 /nix/store/x",        /* negative count */
                "true 5 1 relative/path",        /* not absolute */
                "true 99999999999999999999 0",   /* out of range */
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(run(f, bad[i], NULL, &error), -EINVAL);
                if (!strstr(error, "malformed 'derivations' attribute"))
                        fail_msg("'%s': %s", bad[i], error);
                free(error);
                assert_false(exists(f, ""));
        }
        /* A package that does not exist. */
        assert_true(run(f, "true 5 1 /nix/store/00000000000000000000000000000000-missing", NULL, &error) < 0);
        assert_non_null(strstr(error, "00000000000000000000000000000000-missing"));
        free(error);
        assert_false(exists(f, ""));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_directory_granularity, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nested_merge, setup, teardown),
                cmocka_unit_test_setup_teardown(test_three_packages_share_a_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_collision, setup, teardown),
                cmocka_unit_test_setup_teardown(test_priority, setup, teardown),
                cmocka_unit_test_setup_teardown(test_directory_against_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_file_against_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_propagated, setup, teardown),
                cmocka_unit_test_setup_teardown(test_propagated_collide_with_each_other, setup, teardown),
                cmocka_unit_test_setup_teardown(test_inactive_and_outputs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symlinked_directories_inside_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dangling_and_skipped, setup, teardown),
                cmocka_unit_test_setup_teardown(test_manifest, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
                cmocka_unit_test_setup_teardown(test_package_not_a_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
