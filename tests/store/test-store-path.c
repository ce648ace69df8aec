/* Store path computation against vectors computed by Nix 2.8
 * (store-paths.json, passed as argv[1]): text paths, source paths, fixed
 * outputs and the name rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test-vectors.h"
#include <jansson.h>

#include "cleanup.h"
#include "hash.h"
#include "store-path.h"
#include "strbuf.h"


static const char *str(json_t *o, const char *key) {
        const char *s = json_string_value(json_object_get(o, key));

        if (!s)
                fail_msg("vector lacks string \"%s\"", key);
        return s;
}

static json_t *list(const char *key) {
        json_t *l = json_object_get(vector_file, key);

        assert_true(json_is_array(l));
        assert_true(json_array_size(l) > 0);
        return l;
}

/* The references of a vector as a C array (borrowed strings). */
static const char **refs_of(json_t *v, size_t *ret_n) {
        json_t *refs = json_object_get(v, "references"), *r;
        const char **a;
        size_t i;

        *ret_n = json_array_size(refs);
        a = calloc(*ret_n + 1, sizeof(*a));
        assert_non_null(a);
        json_array_foreach(refs, i, r) a[i] = json_string_value(r);
        return a;
}

static void test_text_paths(void **state) {
        json_t *v;
        size_t i;

        json_array_foreach(list("text"), i, v) {
                const char *contents = str(v, "contents"), *name = str(v, "name");
                _cleanup_free_ char *path = NULL, *type = NULL, *fp = NULL;
                _cleanup_free_ const char **refs = NULL;
                size_t n_refs;
                Hash h;

                refs = refs_of(v, &n_refs);
                hash_buffer(HASH_SHA256, contents, strlen(contents), &h);

                type = store_path_make_type("text", refs, n_refs, false);
                fp = store_path_fingerprint(type, &h, name, NULL);
                assert_string_equal(fp, str(v, "fingerprint"));

                assert_int_equal(store_path_make_text(name, &h, refs, n_refs, NULL, &path, NULL), 0);
                assert_string_equal(path, str(v, "store_path"));
        }
}

static void test_source_paths(void **state) {
        json_t *v;
        size_t i;

        json_array_foreach(list("source"), i, v) {
                const char *name = str(v, "name");
                _cleanup_free_ char *path = NULL, *fp = NULL, *sri = NULL;
                HashAlgo sha256 = HASH_SHA256;
                Hash h;

                assert_int_equal(hash_from_string(str(v, "nar_sha256_hex"), &sha256, &h), 0);
                sri = hash_to_string(&h, HASH_FORMAT_SRI);
                assert_string_equal(sri, str(v, "narHash"));

                fp = store_path_fingerprint("source", &h, name, "/nix/store");
                assert_string_equal(fp, str(v, "fingerprint"));

                assert_int_equal(store_path_make_fixed_output(FILE_INGESTION_RECURSIVE, &h, name, NULL, 0, false,
                                                              NULL, &path, NULL),
                                 0);
                assert_string_equal(path, str(v, "store_path"));
        }
}

static void test_fixed_paths(void **state) {
        json_t *v;
        size_t i;

        json_array_foreach(list("fixed"), i, v) {
                const char *name = str(v, "name"), *inner = json_string_value(json_object_get(v, "inner_string_hashed_for_INNER"));
                const char *mode = json_string_value(json_object_get(v, "outputHashMode"));
                const char *algo_name = json_string_value(json_object_get(v, "outputHashAlgo"));
                _cleanup_free_ char *path = NULL, *fp = NULL;
                FileIngestion method;
                HashAlgo algo;
                Hash h;

                /* Method and algorithm: from the derivation attributes, else
                 * from the content address ("fixed:[r:]ALGO:…"). */
                if (mode)
                        method = strcmp(mode, "recursive") == 0 ? FILE_INGESTION_RECURSIVE : FILE_INGESTION_FLAT;
                else
                        method = strncmp(str(v, "ca"), "fixed:r:", 8) == 0 ? FILE_INGESTION_RECURSIVE
                                                                              : FILE_INGESTION_FLAT;
                if (!algo_name) {
                        const char *ca = str(v, "ca") + strlen(method == FILE_INGESTION_RECURSIVE ? "fixed:r:" : "fixed:");
                        static char buf[16];

                        snprintf(buf, sizeof(buf), "%.*s", (int) strcspn(ca, ":"), ca);
                        algo_name = buf;
                }
                assert_int_equal(hash_algo_from_string(algo_name, &algo), 0);

                /* The hash as the user wrote it (hex or nix32) and as hex. */
                if (json_object_get(v, "outputHash")) {
                        Hash h2;

                        assert_int_equal(hash_from_string(str(v, "outputHash"), &algo, &h2), 0);
                        assert_int_equal(hash_from_string(str(v, "outputHash_hex"), &algo, &h), 0);
                        assert_memory_equal(h.bytes, h2.bytes, hash_algo_size(algo));
                } else
                        assert_int_equal(hash_from_string(str(v, "outputHash_hex"), &algo, &h), 0);

                if (inner) {
                        /* The fingerprint hashes sha256 of the inner string. */
                        Hash ih;

                        hash_buffer(HASH_SHA256, inner, strlen(inner), &ih);
                        fp = store_path_fingerprint("output:out", &ih, name, NULL);
                        assert_string_equal(fp, str(v, "fingerprint"));
                } else {
                        assert_true(method == FILE_INGESTION_RECURSIVE && algo == HASH_SHA256);
                        fp = store_path_fingerprint("source", &h, name, NULL);
                        assert_string_equal(fp, str(v, "fingerprint"));
                }

                assert_int_equal(store_path_make_fixed_output(method, &h, name, NULL, 0, false, NULL, &path, NULL), 0);
                assert_string_equal(path, str(v, "store_path"));
        }
}

/* Turns the "\xNN" escapes the vector generator wrote for undecodable bytes
 * back into bytes. */
static char *unescape(const char *s) {
        StrBuf sb = STRBUF_INIT;

        for (; *s; s++) {
                unsigned v;

                if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
                        strbuf_addc(&sb, (char) v);
                        s += 3;
                } else
                        strbuf_addc(&sb, *s);
        }
        return strbuf_detach(&sb, NULL);
}

static void test_name_rules(void **state) {
        json_t *cases = json_object_get(json_object_get(vector_file, "name_rules"), "cases"), *v;
        size_t i;

        assert_true(json_array_size(cases) > 0);
        json_array_foreach(cases, i, v) {
                const char *name = str(v, "name");
                _cleanup_free_ char *path = NULL, *err = NULL, *want = NULL;
                bool accepted = json_is_true(json_object_get(v, "accepted"));
                Hash h;
                int r;

                /* Each case is builtins.toFile NAME "x". */
                hash_buffer(HASH_SHA256, "x", 1, &h);
                r = store_path_make_text(name, &h, NULL, 0, NULL, &path, &err);
                if (accepted) {
                        assert_int_equal(r, 0);
                        assert_null(err);
                        assert_int_equal(store_name_check(name, NULL), STORE_NAME_VALID);
                        assert_string_equal(path, str(v, "store_path"));
                } else {
                        assert_int_equal(r, -EINVAL);
                        assert_null(path);
                        assert_non_null(err);
                        assert_int_not_equal(store_name_check(name, NULL), STORE_NAME_VALID);
                        want = unescape(str(v, "error"));
                        assert_true(strncmp(want, "error: ", 7) == 0);
                        assert_string_equal(err, want + 7);
                }
        }
}

static void test_name_check(void **state) {
        char long_name[STORE_PATH_NAME_MAX + 2];
        size_t bad = 99;

        assert_int_equal(store_name_check("hello-1.0", NULL), STORE_NAME_VALID);
        assert_int_equal(store_name_check(".", NULL), STORE_NAME_VALID); /* 2.8 accepts it */
        assert_int_equal(store_name_check("", NULL), STORE_NAME_EMPTY);
        assert_int_equal(store_name_check("ab/c", &bad), STORE_NAME_BAD_CHAR);
        assert_int_equal(bad, 2);
        assert_int_equal(store_name_check("a\nb", &bad), STORE_NAME_BAD_CHAR);
        assert_int_equal(bad, 1);
        memset(long_name, 'x', sizeof(long_name));
        long_name[STORE_PATH_NAME_MAX] = '\0';
        assert_int_equal(store_name_check(long_name, NULL), STORE_NAME_VALID);
        long_name[STORE_PATH_NAME_MAX] = 'x';
        long_name[STORE_PATH_NAME_MAX + 1] = '\0';
        assert_int_equal(store_name_check(long_name, NULL), STORE_NAME_TOO_LONG);
        assert_null(store_name_error("x-ok", "ok"));
}

static void test_make_type_and_errors(void **state) {
        const char *refs[] = { "/nix/store/aaaa-a", "/nix/store/bbbb-b" };
        _cleanup_free_ char *t1 = NULL, *t2 = NULL, *t3 = NULL, *p1 = NULL, *p2 = NULL;
        char *path = NULL, *err = NULL;
        Hash h, sha1;

        t1 = store_path_make_type("source", refs, 2, true);
        assert_string_equal(t1, "source:/nix/store/aaaa-a:/nix/store/bbbb-b:self");
        t2 = store_path_make_type("text", NULL, 0, false);
        assert_string_equal(t2, "text");

        hash_buffer(HASH_SHA256, "x", 1, &h);
        hash_buffer(HASH_SHA1, "x", 1, &sha1);
        /* Text paths are sha256 only; only "source" paths carry references. */
        assert_int_equal(store_path_make_text("x", &sha1, NULL, 0, NULL, &path, &err), -EINVAL);
        assert_int_equal(store_path_make_fixed_output(FILE_INGESTION_FLAT, &h, "x", refs, 1, false, NULL, &path, &err),
                         -EINVAL);
        assert_int_equal(store_path_make_fixed_output(FILE_INGESTION_RECURSIVE, &sha1, "x", NULL, 0, true, NULL, &path,
                                                      &err),
                         -EINVAL);
        assert_null(path);
        assert_null(err);

        /* A source path with references differs from one without. */
        assert_int_equal(store_path_make_fixed_output(FILE_INGESTION_RECURSIVE, &h, "x", refs, 2, false, NULL, &p1, NULL), 0);
        assert_int_equal(store_path_make_fixed_output(FILE_INGESTION_RECURSIVE, &h, "x", NULL, 0, false, NULL, &p2, NULL), 0);
        assert_string_not_equal(p1, p2);

        /* The store dir is part of the fingerprint and of the path. */
        t3 = store_path_fingerprint("text", &h, "x", "/tmp/store");
        assert_true(strstr(t3, ":/tmp/store:x") != NULL);
        free(p1);
        p1 = NULL;
        assert_int_equal(store_path_make_text("x", &h, NULL, 0, "/tmp/store", &p1, NULL), 0);
        assert_true(strncmp(p1, "/tmp/store/", 11) == 0);
        assert_int_equal(strlen(p1), strlen("/tmp/store/") + STORE_PATH_HASH_CHARS + 2);
}

static void test_compress(void **state) {
        Hash h = { .algo = HASH_SHA256 };
        uint8_t out[STORE_PATH_HASH_SIZE];

        for (unsigned i = 0; i < 32; i++)
                h.bytes[i] = (uint8_t) (i + 1);
        store_hash_compress(&h, out, sizeof(out));
        /* out[i] = b[i] ^ b[i + 20] for i < 12, else b[i]. */
        for (unsigned i = 0; i < 20; i++)
                assert_int_equal(out[i], i < 12 ? (uint8_t) ((i + 1) ^ (i + 21)) : (uint8_t) (i + 1));
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text_paths),
                cmocka_unit_test(test_source_paths),
                cmocka_unit_test(test_fixed_paths),
                cmocka_unit_test(test_name_rules),
                cmocka_unit_test(test_name_check),
                cmocka_unit_test(test_make_type_and_errors),
                cmocka_unit_test(test_compress),
        };

        return TEST_VECTORS_RUN(argc, argv, "store-paths.json", tests);
}
