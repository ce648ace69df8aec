/* The builder's environment (Nix's initEnv) and the build log's tail and
 * stored, compressed copy. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "build-env.h"
#include "build-log.h"
#include "cleanup.h"
#include "fileio.h"
#include "store.h"
#include "strv.h"

static const char *env_get(char **env, const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
                        return env[i] + n + 1;
        return NULL;
}

static Derivation *sample(void) {
        Derivation *drv = drv_new("hello");
        drv_set_platform(drv, "x86_64-linux");
        drv_set_builder(drv, "/bin/sh");
        drv_set_output(drv, "out", "/nix/store/00000000000000000000000000000000-hello", NULL, NULL);
        drv_set_env(drv, "out", "/nix/store/00000000000000000000000000000000-hello");
        drv_set_env(drv, "name", "hello");
        drv_set_env(drv, "big", "lots of text");
        drv_set_env(drv, "HOME", "/from-the-derivation");
        return drv;
}

static void test_fixed_variables(void **state) {
        _cleanup_drv_ Derivation *drv = sample();
        BuildEnv e;
        build_env_make(drv, "/nix/store", 4, &e);
        assert_string_equal(env_get(e.env, "PATH"), "/path-not-set");
        assert_string_equal(env_get(e.env, "NIX_STORE"), "/nix/store");
        assert_string_equal(env_get(e.env, "NIX_BUILD_CORES"), "4");
        assert_string_equal(env_get(e.env, "NIX_BUILD_TOP"), "/build");
        assert_string_equal(env_get(e.env, "TMPDIR"), "/build");
        assert_string_equal(env_get(e.env, "TMP"), "/build");
        assert_string_equal(env_get(e.env, "TEMP"), "/build");
        assert_string_equal(env_get(e.env, "TEMPDIR"), "/build");
        assert_string_equal(env_get(e.env, "PWD"), "/build");
        assert_string_equal(env_get(e.env, "NIX_LOG_FD"), "2");
        assert_string_equal(env_get(e.env, "out"), "/nix/store/00000000000000000000000000000000-hello");
        assert_string_equal(env_get(e.env, "big"), "lots of text");
        /* The derivation's own value wins over the default HOME. */
        assert_string_equal(env_get(e.env, "HOME"), "/from-the-derivation");
        assert_int_equal(e.n_files, 0);
        build_env_done(&e);
}

static void test_pass_as_file(void **state) {
        _cleanup_drv_ Derivation *drv = sample();
        drv_set_env(drv, "passAsFile", "big");
        BuildEnv e;
        build_env_make(drv, "/nix/store", 1, &e);
        assert_null(env_get(e.env, "big"));
        const char *p = env_get(e.env, "bigPath");
        assert_non_null(p);
        assert_true(strncmp(p, "/build/.attr-", 13) == 0);
        assert_int_equal(e.n_files, 1);
        assert_string_equal(e.files[0].name, p + strlen("/build/"));
        assert_string_equal(e.files[0].contents, "lots of text");
        build_env_done(&e);
}

static void test_structured_attrs(void **state) {
        _cleanup_drv_ Derivation *drv = drv_new("s");
        drv_set_env(drv, "__json", "{\"a\":1}");
        BuildEnv e;
        build_env_make(drv, "/nix/store", 1, &e);
        assert_null(env_get(e.env, "__json"));
        assert_int_equal(e.n_files, 1);
        assert_string_equal(e.files[0].name, ".attrs.json");
        build_env_done(&e);
}

static void test_log_tail_and_storage(void **state) {
        char root[] = "/tmp/firn-test-build-log-XXXXXX";
        assert_non_null(mkdtemp(root));
        Store *store = NULL;
        char *error = NULL;
        assert_int_equal(store_open(root, &store, &error), 0);
        const char *drv = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-t.drv";
        BuildLog *log = build_log_open(store, drv);
        char line[64];
        for (int i = 1; i <= 40; i++) {
                snprintf(line, sizeof(line), "line %d\n", i);
                /* Split writes across line boundaries. */
                build_log_write(log, line, 3);
                build_log_write(log, line + 3, strlen(line) - 3);
        }
        build_log_write(log, "partial", 7);
        _cleanup_free_ char *tail = build_log_tail(log, 3, "> ");
        assert_string_equal(tail, "> line 39\n> line 40\n> partial\n");
        build_log_close(log);
        _cleanup_free_ char *data = NULL;
        size_t len;
        assert_int_equal(build_log_read(store, drv, &data, &len), 0);
        assert_true(strncmp(data, "line 1\nline 2\n", 14) == 0);
        assert_true(len > 7 && memcmp(data + len - 7, "partial", 7) == 0);
        assert_int_equal(build_log_read(store, "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-u.drv", &data, &len),
                         -ENOENT);
        store_free(store);
        rm_rf(AT_FDCWD, root, NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fixed_variables),
                cmocka_unit_test(test_pass_as_file),
                cmocka_unit_test(test_structured_attrs),
                cmocka_unit_test(test_log_tail_and_storage),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
