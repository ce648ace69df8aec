/* Hashing and hash text forms against vectors computed by Nix 2.8
 * (base32.json, passed as argv[1]). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test-vectors.h"
#include <jansson.h>
#include <openssl/evp.h>

#include "cleanup.h"
#include "hash.h"


static const char *const algo_names[_HASH_ALGO_MAX] = {
        [HASH_MD5] = "md5",
        [HASH_SHA1] = "sha1",
        [HASH_SHA256] = "sha256",
        [HASH_SHA512] = "sha512",
};

/* The vector's input bytes (malloc'ed). */
static uint8_t *vector_input(json_t *v, size_t *ret_len) {
        const char *b64 = json_string_value(json_object_get(v, "input_base64"));
        size_t len = (size_t) json_integer_value(json_object_get(v, "input_len"));
        size_t b64len;
        uint8_t *buf;
        int n;

        assert_non_null(b64);
        b64len = strlen(b64);
        buf = malloc(b64len / 4 * 3 + 1);
        assert_non_null(buf);
        n = EVP_DecodeBlock(buf, (const unsigned char *) b64, (int) b64len);
        assert_true(n >= 0);
        /* EVP_DecodeBlock counts padding as zero bytes. */
        assert_true((size_t) n >= len && (size_t) n - len <= 2);
        *ret_len = len;
        return buf;
}

static const char *vector_str(json_t *v, HashAlgo a, const char *key) {
        const char *s = json_string_value(json_object_get(json_object_get(v, algo_names[a]), key));

        assert_non_null(s);
        return s;
}

static void assert_hash_string(const Hash *h, HashFormat fmt, const char *want) {
        _cleanup_free_ char *s = hash_to_string(h, fmt);

        assert_non_null(s);
        assert_string_equal(s, want);
}

static void assert_parses_to(const char *s, const HashAlgo *algo, const Hash *want) {
        Hash h;

        memset(&h, 0x77, sizeof(h));
        if (hash_from_string(s, algo, &h) != 0)
                fail_msg("hash_from_string(\"%s\") failed", s);
        assert_int_equal(h.algo, want->algo);
        assert_memory_equal(h.bytes, want->bytes, hash_algo_size(want->algo));
}

static void assert_rejects(const char *s, const HashAlgo *algo) {
        Hash h, saved;

        memset(&h, 0x77, sizeof(h));
        saved = h;
        if (hash_from_string(s, algo, &h) != -EINVAL)
                fail_msg("hash_from_string(\"%s\") did not fail with -EINVAL", s);
        assert_memory_equal(&h, &saved, sizeof(h));
}

static void test_algo_names(void **state) {
        static const size_t sizes[_HASH_ALGO_MAX] = { 16, 20, 32, 64 };
        HashAlgo a;

        for (HashAlgo i = 0; i < _HASH_ALGO_MAX; i++) {
                assert_string_equal(hash_algo_to_string(i), algo_names[i]);
                assert_int_equal(hash_algo_size(i), sizes[i]);
                assert_int_equal(hash_algo_from_string(algo_names[i], &a), 0);
                assert_int_equal(a, i);
        }
        assert_true(hash_algo_size(HASH_SHA512) <= HASH_MAX_SIZE);

        a = HASH_SHA1;
        assert_int_equal(hash_algo_from_string("SHA256", &a), -EINVAL);
        assert_int_equal(hash_algo_from_string("sha384", &a), -EINVAL);
        assert_int_equal(hash_algo_from_string("sha", &a), -EINVAL);
        assert_int_equal(hash_algo_from_string("sha2566", &a), -EINVAL);
        assert_int_equal(hash_algo_from_string("", &a), -EINVAL);
        assert_int_equal(a, HASH_SHA1);
}

/* hash_buffer, hash_ctx_* and hash_to_string against every vector. */
static void test_vectors(void **state) {
        json_t *list = json_object_get(vector_file, "vectors"), *v;
        size_t idx;

        assert_true(json_array_size(list) > 0);
        json_array_foreach(list, idx, v) {
                _cleanup_free_ uint8_t *data = NULL;
                size_t len;

                data = vector_input(v, &len);
                for (HashAlgo a = 0; a < _HASH_ALGO_MAX; a++) {
                        const char *sri = vector_str(v, a, "sri");
                        Hash h, inc;

                        hash_buffer(a, data, len, &h);
                        assert_int_equal(h.algo, a);
                        assert_hash_string(&h, HASH_FORMAT_BASE16, vector_str(v, a, "hex"));
                        assert_hash_string(&h, HASH_FORMAT_BASE32, vector_str(v, a, "nix32"));
                        assert_hash_string(&h, HASH_FORMAT_SRI, sri);
                        assert_hash_string(&h, HASH_FORMAT_BASE64, strchr(sri, '-') + 1);

                        /* Incremental, in uneven pieces. */
                        for (size_t step = 1; step <= 97; step += 32) {
                                HashCtx *ctx = hash_ctx_new(a);

                                assert_non_null(ctx);
                                hash_ctx_update(ctx, NULL, 0);
                                for (size_t off = 0; off < len; off += step)
                                        hash_ctx_update(ctx, data + off, len - off < step ? len - off : step);
                                memset(&inc, 0, sizeof(inc));
                                hash_ctx_finish(ctx, &inc);
                                assert_int_equal(inc.algo, a);
                                assert_memory_equal(inc.bytes, h.bytes, hash_algo_size(a));
                        }
                }
        }

        assert_null(hash_ctx_free(NULL));
        assert_null(hash_ctx_free(hash_ctx_new(HASH_SHA256)));
}

/* Every textual form Nix prints for a vector parses back to it. */
static void test_parse_vectors(void **state) {
        json_t *list = json_object_get(vector_file, "vectors"), *v;
        size_t idx;

        json_array_foreach(list, idx, v) {
                for (HashAlgo a = 0; a < _HASH_ALGO_MAX; a++) {
                        const char *hex = vector_str(v, a, "hex");
                        const char *nix32 = vector_str(v, a, "nix32");
                        const char *sri = vector_str(v, a, "sri");
                        const char *b64 = strchr(sri, '-') + 1;
                        const char *forms[] = { hex, nix32, b64 };
                        HashAlgo other = (a + 1) % _HASH_ALGO_MAX;
                        char buf[256];
                        Hash want = { .algo = a };

                        for (size_t i = 0; i < hash_algo_size(a); i++) {
                                unsigned byte;
                                assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
                                want.bytes[i] = (uint8_t) byte;
                        }

                        assert_parses_to(sri, NULL, &want);
                        assert_parses_to(sri, &a, &want);
                        assert_rejects(sri, &other);

                        for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
                                snprintf(buf, sizeof(buf), "%s:%s", algo_names[a], forms[f]);
                                assert_parses_to(buf, NULL, &want);
                                assert_parses_to(buf, &a, &want);
                                assert_rejects(buf, &other);

                                assert_parses_to(forms[f], &a, &want);
                                assert_rejects(forms[f], NULL);
                        }

                        /* Nix takes upper-case base16. */
                        snprintf(buf, sizeof(buf), "%s:%s", algo_names[a], hex);
                        for (char *p = strchr(buf, ':'); *p; p++)
                                if (*p >= 'a' && *p <= 'f')
                                        *p = (char) (*p - 'a' + 'A');
                        assert_parses_to(buf, NULL, &want);

                        /* Nix takes SRI without its '=' padding (but not a
                         * bare or "algo:" base64 digest: that is told apart
                         * by its length). */
                        snprintf(buf, sizeof(buf), "%s", sri);
                        if (buf[strlen(buf) - 1] == '=') {
                                *strchr(buf, '=') = '\0';
                                assert_parses_to(buf, NULL, &want);
                                assert_rejects(strchr(buf, '-') + 1, &a);
                        }

                        /* A digest in one of the other lengths, or none. */
                        snprintf(buf, sizeof(buf), "%s:%s", algo_names[a], hex + 2);
                        assert_rejects(buf, NULL);
                        snprintf(buf, sizeof(buf), "%s:%s0", algo_names[a], nix32);
                        assert_rejects(buf, NULL);
                        snprintf(buf, sizeof(buf), "%s:", algo_names[a]);
                        assert_rejects(buf, NULL);
                        snprintf(buf, sizeof(buf), "%s-", algo_names[a]);
                        assert_rejects(buf, NULL);
                        /* SRI is base64 only. */
                        snprintf(buf, sizeof(buf), "%s-%s", algo_names[a], hex);
                        assert_rejects(buf, NULL);
                }
        }
}

static void test_parse_rejects(void **state) {
        static const char hex[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        static const char nix32[] = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
        static const char b64[] = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        const HashAlgo sha256 = HASH_SHA256, md5 = HASH_MD5, bogus = _HASH_ALGO_MAX;
        Hash want = { .algo = HASH_SHA256 };
        char buf[256];

        hash_buffer(HASH_SHA256, "", 0, &want);
        assert_parses_to(hex, &sha256, &want);

        assert_rejects("", NULL);
        assert_rejects("", &sha256);
        assert_rejects(hex, &md5);
        assert_rejects(hex, &bogus);
        assert_rejects(":", NULL);
        assert_rejects("-", NULL);

        /* Algorithm names are exact and lower case. */
        snprintf(buf, sizeof(buf), "SHA256:%s", hex);
        assert_rejects(buf, NULL);
        snprintf(buf, sizeof(buf), "sha384:%s", hex);
        assert_rejects(buf, NULL);
        snprintf(buf, sizeof(buf), "sha25:%s", hex);
        assert_rejects(buf, NULL);
        snprintf(buf, sizeof(buf), ":%s", hex);
        assert_rejects(buf, &sha256);
        snprintf(buf, sizeof(buf), " sha256:%s", hex);
        assert_rejects(buf, NULL);
        snprintf(buf, sizeof(buf), "sha256:%s ", nix32);
        assert_rejects(buf, NULL);

        /* A bad character in each encoding. */
        snprintf(buf, sizeof(buf), "sha256:%s", hex);
        buf[10] = 'g';
        assert_rejects(buf, NULL);
        snprintf(buf, sizeof(buf), "sha256:%s", nix32);
        buf[10] = 'e';
        assert_rejects(buf, NULL);
        snprintf(buf, sizeof(buf), "sha256:%s", nix32);
        buf[10] = 'A';
        assert_rejects(buf, NULL);
        snprintf(buf, sizeof(buf), "sha256:%s", b64);
        buf[10] = '_';
        assert_rejects(buf, NULL);
        snprintf(buf, sizeof(buf), "sha256-%s", b64);
        buf[10] = '-';
        assert_rejects(buf, NULL);

        /* Base32 stray high bits (Nix rejects these too). */
        snprintf(buf, sizeof(buf), "sha256:%s", nix32);
        buf[7] = '2'; /* 260 bits for 256: the first character must be < 2 */
        assert_rejects(buf, NULL);
        buf[7] = '1';
        assert_int_equal(hash_from_string(buf, NULL, &(Hash) { .algo = HASH_MD5 }), 0);

        /* Base64 padding and stray bits: canonical text only. */
        assert_rejects("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=", NULL);
        assert_rejects("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF==", NULL);
        assert_rejects("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU==", NULL);
        assert_rejects("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUA", NULL);
        assert_rejects("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF=U", NULL);
        assert_rejects("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSu", NULL);
        assert_rejects("sha256-=7DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", NULL);
        assert_rejects("md5-1B2M2Y8AsgTpgAmY7PhCfg=", NULL);
        assert_rejects("md5-1B2M2Y8AsgTpgAmY7PhCfg===", NULL);
        assert_parses_to("md5-1B2M2Y8AsgTpgAmY7PhCfg", NULL, &(Hash) {
                .algo = HASH_MD5,
                .bytes = { 0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04,
                           0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8, 0x42, 0x7e },
        });
}

/* The store path hash part: sha256 of the fingerprint, folded to 20 bytes,
 * in Nix base32. */
static void test_store_path_hash_parts(void **state) {
        json_t *list = json_object_get(vector_file, "store_path_hash_parts"), *v;
        size_t idx;

        assert_true(json_array_size(list) > 0);
        json_array_foreach(list, idx, v) {
                const char *fp = json_string_value(json_object_get(v, "fingerprint"));
                Hash h, folded = { .algo = HASH_SHA1 };

                assert_non_null(fp);
                hash_buffer(HASH_SHA256, fp, strlen(fp), &h);
                assert_hash_string(&h, HASH_FORMAT_BASE16,
                                   json_string_value(json_object_get(v, "sha256_of_fingerprint_hex")));

                for (size_t i = 0; i < 32; i++)
                        folded.bytes[i % 20] ^= h.bytes[i];
                assert_hash_string(&folded, HASH_FORMAT_BASE16,
                                   json_string_value(json_object_get(v, "compressed160_hex")));
                assert_hash_string(&folded, HASH_FORMAT_BASE32,
                                   json_string_value(json_object_get(v, "hash_part_nix32")));
        }
}

static void test_hash_file(void **state) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;
        _cleanup_free_ uint8_t *data = NULL;
        const size_t len = 300 * 1000 + 7; /* several read() buffers */
        Hash want, got, saved;

        assert_true(asprintf(&dir, "%s/firn-test-hash.XXXXXX", getenv("TMPDIR") ?: "/tmp") > 0);
        assert_non_null(mkdtemp(dir));
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);

        data = malloc(len);
        assert_non_null(data);
        for (size_t i = 0; i < len; i++)
                data[i] = (uint8_t) (i * 7 + i / 251);

        fd = openat(dfd, "big", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t) len);
        closep(&fd);
        fd = -EBADF;
        fd = openat(dfd, "empty", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        closep(&fd);
        fd = -EBADF;

        for (HashAlgo a = 0; a < _HASH_ALGO_MAX; a++) {
                hash_buffer(a, data, len, &want);
                assert_int_equal(hash_file(a, dfd, "big", &got), 0);
                assert_int_equal(got.algo, a);
                assert_memory_equal(got.bytes, want.bytes, hash_algo_size(a));

                hash_buffer(a, NULL, 0, &want);
                assert_int_equal(hash_file(a, dfd, "empty", &got), 0);
                assert_memory_equal(got.bytes, want.bytes, hash_algo_size(a));
        }

        /* Relative to AT_FDCWD, with an absolute path. */
        {
                _cleanup_free_ char *path = NULL;

                assert_true(asprintf(&path, "%s/big", dir) > 0);
                hash_buffer(HASH_SHA256, data, len, &want);
                assert_int_equal(hash_file(HASH_SHA256, AT_FDCWD, path, &got), 0);
                assert_memory_equal(got.bytes, want.bytes, 32);
        }

        /* Errors come back as negative errno, leaving ret alone. */
        memset(&got, 0x77, sizeof(got));
        saved = got;
        assert_int_equal(hash_file(HASH_SHA256, dfd, "missing", &got), -ENOENT);
        assert_int_equal(hash_file(HASH_SHA256, dfd, ".", &got), -EISDIR);
        assert_int_equal(hash_file(HASH_SHA256, -1, "big", &got), -EBADF);
        assert_memory_equal(&got, &saved, sizeof(got));

        assert_int_equal(unlinkat(dfd, "big", 0), 0);
        assert_int_equal(unlinkat(dfd, "empty", 0), 0);
        assert_int_equal(rmdir(dir), 0);
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_algo_names),
                cmocka_unit_test(test_vectors),
                cmocka_unit_test(test_parse_vectors),
                cmocka_unit_test(test_parse_rejects),
                cmocka_unit_test(test_store_path_hash_parts),
                cmocka_unit_test(test_hash_file),
        };

        return TEST_VECTORS_RUN(argc, argv, "base32.json", tests);
}
