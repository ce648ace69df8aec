/* The store database and adds: registration with references, queries,
 * closures, invalidation rules, DerivationOutputs, and reopening, on a
 * store in a temporary root. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "fileio.h"
#include "store-add.h"
#include "store-db.h"
#include "store.h"
#include "strv.h"

static char root[] = "/tmp/firn-test-store-db-XXXXXX";

static Store *open_store(void) {
        Store *s = NULL;
        char *error = NULL;
        assert_int_equal(store_open(root, &s, &error), 0);
        assert_null(error);
        return s;
}

static char *add_text(Store *s, const char *name, const char *text, char **refs) {
        char *path = NULL, *error = NULL;
        int r = store_add_text(s, name, text, strlen(text), refs, &path, &error);
        if (r < 0)
                fail_msg("store_add_text: %s", error);
        return path;
}

static void test_register_and_query(void **state) {
        _cleanup_store_free_ Store *s = open_store();
        _cleanup_free_ char *a = add_text(s, "a.txt", "a", NULL);
        char *ra[] = { a, NULL };
        _cleanup_free_ char *b = add_text(s, "b.txt", a, ra);
        assert_int_equal(store_is_valid(s, a), 1);
        assert_int_equal(store_is_valid(s, b), 1);

        _cleanup_path_info_free_ PathInfo *info = NULL;
        assert_int_equal(store_query_path_info(s, b, &info), 0);
        assert_int_equal(strv_length(info->references), 1);
        assert_string_equal(info->references[0], a);
        assert_non_null(info->ca);
        assert_true(strncmp(info->ca, "text:sha256:", 12) == 0);
        _cleanup_path_info_free_ PathInfo *ainfo = NULL;
        assert_int_equal(store_query_path_info(s, a, &ainfo), 0);
        assert_int_equal(ainfo->nar_size, 120); /* a 1-byte file's NAR */
        assert_null(ainfo->references);

        _cleanup_strv_free_ char **referrers = NULL;
        assert_int_equal(store_query_referrers(s, a, &referrers), 0);
        assert_int_equal(strv_length(referrers), 1);
        assert_string_equal(referrers[0], b);

        char *start[] = { b, NULL };
        _cleanup_strv_free_ char **closure = NULL;
        char *error = NULL;
        assert_int_equal(store_query_closure(s, start, false, &closure, &error), 0);
        assert_int_equal(strv_length(closure), 2);
        char *rstart[] = { a, NULL };
        _cleanup_strv_free_ char **rclosure = NULL;
        assert_int_equal(store_query_closure(s, rstart, true, &rclosure, &error), 0);
        assert_int_equal(strv_length(rclosure), 2);
}

static void test_invalid_reference_refused(void **state) {
        _cleanup_store_free_ Store *s = open_store();
        _cleanup_free_ char *path = NULL;
        char *missing[] = { "/nix/store/00000000000000000000000000000000-missing", NULL };
        char *error = NULL;
        int r = store_add_text(s, "c.txt", "c", 1, missing, &path, &error);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(error, "which is not valid"));
        free(error);
        /* Nothing left behind: neither valid nor on disk. */
        _cleanup_strv_free_ char **all = NULL;
        assert_int_equal(store_query_all_valid(s, &all), 0);
        for (size_t i = 0; all && all[i]; i++)
                assert_null(strstr(all[i], "-c.txt"));
}

static void test_invalidate_rules(void **state) {
        _cleanup_store_free_ Store *s = open_store();
        _cleanup_free_ char *x = add_text(s, "x.txt", "x", NULL);
        char *rx[] = { x, NULL };
        _cleanup_free_ char *y = add_text(s, "y.txt", x, rx);
        char *error = NULL;
        assert_int_equal(store_invalidate_path(s, x, &error), -EBUSY);
        assert_non_null(strstr(error, "still referenced"));
        free(error);
        error = NULL;
        assert_int_equal(store_invalidate_path(s, y, &error), 0);
        assert_int_equal(store_invalidate_path(s, x, &error), 0);
        assert_int_equal(store_is_valid(s, x), 0);
}

static void test_drv_outputs(void **state) {
        _cleanup_store_free_ Store *s = open_store();
        const char *drv = "Derive([(\"dev\",\"/nix/store/4aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-t-dev\",\"\",\"\"),"
                          "(\"out\",\"/nix/store/4bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-t\",\"\",\"\")],[],[],"
                          "\"x86_64-linux\",\"/bin/sh\",[],[(\"out\",\"\")])";
        _cleanup_free_ char *p = add_text(s, "t.drv", drv, NULL);
        _cleanup_strv_free_ char **names = NULL, **paths = NULL;
        assert_int_equal(store_query_drv_outputs(s, p, &names, &paths), 0);
        assert_int_equal(strv_length(names), 2);
        assert_string_equal(names[0], "dev");
        assert_string_equal(paths[1], "/nix/store/4bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-t");
        _cleanup_strv_free_ char **derivers = NULL;
        assert_int_equal(store_query_valid_derivers(s, paths[1], &derivers), 0);
        assert_int_equal(strv_length(derivers), 1);
        assert_string_equal(derivers[0], p);
}

static void test_reopen_and_paths(void **state) {
        _cleanup_free_ char *a = NULL;
        {
                _cleanup_store_free_ Store *s = open_store();
                a = add_text(s, "kept.txt", "kept", NULL);
        }
        _cleanup_store_free_ Store *s = open_store();
        assert_int_equal(store_is_valid(s, a), 1);
        assert_non_null(store_path_base(s, a));
        assert_null(store_path_base(s, "/nix/store/short-x"));
        assert_null(store_path_base(s, "/nix/store/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-bad-hash-char"));
        assert_null(store_path_base(s, "/elsewhere/00000000000000000000000000000000-x"));
        _cleanup_free_ char *sub = NULL;
        char *error = NULL;
        char *in = NULL;
        assert_true(asprintf(&in, "%s/bin/sh", a) > 0);
        assert_int_equal(store_path_from_user(s, in, &sub, &error), 0);
        assert_string_equal(sub, a);
        free(in);
        assert_int_equal(store_path_from_user(s, "/etc/passwd", &in, &error), -EINVAL);
        assert_non_null(strstr(error, "is not in the Nix store"));
        free(error);
}

static void test_add_tree_flat_and_canonical(void **state) {
        _cleanup_store_free_ Store *s = open_store();
        char src[] = "/tmp/firn-test-src-XXXXXX";
        assert_non_null(mkdtemp(src));
        char file[256];
        snprintf(file, sizeof(file), "%s/f", src);
        assert_int_equal(write_file_atomic(AT_FDCWD, file, "data", 4, 0600), 0);
        char *p = NULL, *error = NULL;
        assert_int_equal(store_add_from_path(s, file, "f", FILE_INGESTION_FLAT, HASH_SHA256, NULL, NULL, &p, &error),
                         0);
        _cleanup_free_ char *real = store_real_path(s, p);
        struct stat st;
        assert_int_equal(stat(real, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0444);
        assert_int_equal(st.st_mtime, 1);
        _cleanup_path_info_free_ PathInfo *info = NULL;
        assert_int_equal(store_query_path_info(s, p, &info), 0);
        assert_true(strncmp(info->ca, "fixed:sha256:", 13) == 0);
        free(p);
        assert_int_equal(rm_rf(AT_FDCWD, src, NULL), 0);
}

static int teardown(void **state) {
        rm_rf(AT_FDCWD, root, NULL);
        return 0;
}

int main(void) {
        if (!mkdtemp(root))
                return 1;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_register_and_query),
                cmocka_unit_test(test_invalid_reference_refused),
                cmocka_unit_test(test_invalidate_rules),
                cmocka_unit_test(test_drv_outputs),
                cmocka_unit_test(test_reopen_and_paths),
                cmocka_unit_test(test_add_tree_flat_and_canonical),
        };
        return cmocka_run_group_tests(tests, NULL, teardown);
}
