/* Nix base32 against vectors computed by Nix 2.8 (base32.json, passed as
 * argv[1]) and against a direct transcription of Nix's printHash32(). */
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

#include "base32.h"


static int hex_decode(const char *s, uint8_t *out, size_t outlen) {
        if (strlen(s) != 2 * outlen)
                return -EINVAL;
        for (size_t i = 0; i < outlen; i++) {
                unsigned v;
                if (sscanf(s + 2 * i, "%2x", &v) != 1)
                        return -EINVAL;
                out[i] = (uint8_t) v;
        }
        return 0;
}

/* Nix's printHash32(), transcribed literally. */
static void reference_encode(const uint8_t *h, size_t len, char *out) {
        static const char chars[] = "0123456789abcdfghijklmnpqrsvwxyz";
        size_t nchars = (len * 8 - 1) / 5 + 1;
        size_t o = 0;

        if (len == 0) {
                out[0] = '\0';
                return;
        }
        for (int n = (int) nchars - 1; n >= 0; n--) {
                unsigned b = (unsigned) n * 5, i = b / 8, j = b % 8;
                unsigned char c = (unsigned char) ((h[i] >> j) | (i >= len - 1 ? 0 : h[i + 1] << (8 - j)));
                out[o++] = chars[c & 0x1f];
        }
        out[o] = '\0';
}

/* Checks encode and decode for one (hex, nix32) pair. */
static void check_pair(const char *hex, const char *nix32) {
        uint8_t bytes[64], back[64];
        char enc[128];
        size_t n = strlen(hex) / 2;

        assert_true(n <= sizeof(bytes));
        assert_int_equal(hex_decode(hex, bytes, n), 0);
        assert_int_equal(nix_base32_encoded_len(n), strlen(nix32));

        nix_base32_encode(bytes, n, enc);
        assert_string_equal(enc, nix32);

        memset(back, 0xaa, sizeof(back));
        assert_int_equal(nix_base32_decode(nix32, strlen(nix32), back, n), 0);
        assert_memory_equal(back, bytes, n);
}

static void test_encoded_len(void **state) {
        static const struct {
                size_t n, len;
        } cases[] = {
                { 0, 0 }, { 1, 2 }, { 2, 4 }, { 3, 5 }, { 4, 7 }, { 5, 8 },
                { 16, 26 }, { 20, 32 }, { 32, 52 }, { 64, 103 },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                assert_int_equal(nix_base32_encoded_len(cases[i].n), cases[i].len);

        /* No overflow in n * 8 for huge n whose result still fits. */
        for (size_t n = SIZE_MAX / 8 * 5 - 10; n <= SIZE_MAX / 8 * 5; n++) {
                unsigned __int128 want = ((unsigned __int128) n * 8 + 4) / 5;
                assert_true((unsigned __int128) nix_base32_encoded_len(n) == want);
        }
}

static void test_vectors(void **state) {
        static const char *const algos[] = { "md5", "sha1", "sha256", "sha512" };
        json_t *list = json_object_get(vector_file, "vectors"), *v;
        size_t idx, checked = 0;

        assert_non_null(list);
        json_array_foreach(list, idx, v) {
                for (size_t a = 0; a < 4; a++) {
                        json_t *h = json_object_get(v, algos[a]);
                        const char *c_hex, *c_nix;

                        assert_non_null(h);
                        check_pair(json_string_value(json_object_get(h, "hex")),
                                   json_string_value(json_object_get(h, "nix32")));
                        assert_int_equal(json_integer_value(json_object_get(h, "nix32_len")),
                                         strlen(json_string_value(json_object_get(h, "nix32"))));
                        checked++;

                        c_hex = json_string_value(json_object_get(h, "compressed160_hex"));
                        c_nix = json_string_value(json_object_get(h, "compressed160_nix32"));
                        if (c_hex && c_nix) {
                                check_pair(c_hex, c_nix);
                                checked++;
                        }
                }
        }
        assert_true(checked >= 24);
}

static void test_store_path_hash_parts(void **state) {
        json_t *list = json_object_get(vector_file, "store_path_hash_parts"), *v;
        size_t idx;

        assert_true(json_array_size(list) > 0);
        json_array_foreach(list, idx, v) {
                const char *part = json_string_value(json_object_get(v, "hash_part_nix32"));
                const char *path = json_string_value(json_object_get(v, "store_path_from_nix"));

                check_pair(json_string_value(json_object_get(v, "compressed160_hex")), part);
                /* The vector itself agrees with the store path Nix made. */
                assert_memory_equal(path + strlen("/nix/store/"), part, 32);
        }
}

static void test_against_reference(void **state) {
        uint8_t data[80], back[80];
        char enc[140], ref[140];
        uint32_t seed = 12345;

        for (size_t len = 0; len <= sizeof(data); len++)
                for (int round = 0; round < 20; round++) {
                        for (size_t i = 0; i < len; i++) {
                                seed = seed * 1103515245u + 12345u;
                                data[i] = (uint8_t) (seed >> 16);
                        }
                        if (round == 1)
                                memset(data, 0xff, len);
                        if (round == 2)
                                memset(data, 0, len);

                        nix_base32_encode(data, len, enc);
                        reference_encode(data, len, ref);
                        assert_string_equal(enc, ref);
                        assert_int_equal(strlen(enc), nix_base32_encoded_len(len));

                        assert_int_equal(nix_base32_decode(enc, strlen(enc), back, len), 0);
                        assert_memory_equal(back, data, len);
                }
}

static void test_empty(void **state) {
        char out[1] = { 'x' };
        uint8_t b = 0x5a;

        nix_base32_encode(NULL, 0, out);
        assert_string_equal(out, "");
        assert_int_equal(nix_base32_decode("", 0, NULL, 0), 0);
        assert_int_equal(nix_base32_decode("0", 1, &b, 0), -EINVAL);
}

static void test_decode_rejects(void **state) {
        /* md5("") */
        static const char good[] = "3y8bwfr609h3lh9ch0izcqq7fl";
        uint8_t out[16], saved[16];
        char s[sizeof(good)];

        memset(out, 0x5a, sizeof(out));
        memcpy(saved, out, sizeof(out));

        /* Wrong length either way, for the buffer size given. */
        assert_int_equal(nix_base32_decode(good, strlen(good) - 1, out, 16), -EINVAL);
        assert_int_equal(nix_base32_decode(good, strlen(good), out, 15), -EINVAL);
        assert_int_equal(nix_base32_decode(good, strlen(good), out, 17), -EINVAL);

        /* Letters outside the alphabet (e, o, u, t), upper case, NUL,
         * punctuation, at the last, first and a middle position. */
        static const char bad[] = { 'e', 'o', 'u', 't', 'E', 'A', 'Z', '\0', '-', '=', '+', '/', ' ', '\xff' };
        for (size_t b = 0; b < sizeof(bad); b++)
                for (size_t p = 0; p < 3; p++) {
                        static const size_t pos[] = { 25, 0, 12 };

                        memcpy(s, good, sizeof(good));
                        s[pos[p]] = bad[b];
                        assert_int_equal(nix_base32_decode(s, strlen(good), out, 16), -EINVAL);
                        assert_memory_equal(out, saved, sizeof(out));
                }

        /* 26 characters carry 130 bits for 128: the first character holds
         * the top 3 bits of the last byte and 2 stray bits, so it must be
         * below 8 (Nix 2.8 accepts "md5:7y8b…" and rejects "md5:8y8b…"). */
        memcpy(s, good, sizeof(good));
        s[0] = '8';
        assert_int_equal(nix_base32_decode(s, strlen(s), out, 16), -EINVAL);
        s[0] = 'z';
        assert_int_equal(nix_base32_decode(s, strlen(s), out, 16), -EINVAL);
        assert_memory_equal(out, saved, sizeof(out));
        s[0] = '7';
        assert_int_equal(nix_base32_decode(s, strlen(s), out, 16), 0);
        assert_int_equal(out[15], 0xfe); /* d41d…f842fe, as Nix decodes it */

        /* 1 byte needs 2 characters (10 bits): the top one holds bits 5-7. */
        memset(saved, 0x5a, sizeof(saved));
        memcpy(out, saved, sizeof(out));
        assert_int_equal(nix_base32_decode("80", 2, out, 1), -EINVAL);
        assert_memory_equal(out, saved, sizeof(out)); /* untouched on failure */
        assert_int_equal(nix_base32_decode("7z", 2, out, 1), 0);
        assert_int_equal(out[0], 0xff);
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_encoded_len),
                cmocka_unit_test(test_vectors),
                cmocka_unit_test(test_store_path_hash_parts),
                cmocka_unit_test(test_against_reference),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_decode_rejects),
        };

        return TEST_VECTORS_RUN(argc, argv, "base32.json", tests);
}
