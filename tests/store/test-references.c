/* The references scanner against a direct transcription of Nix 2.8's
 * search() (every window of 32 base32 bytes looked up in the candidate set),
 * on hand-made cases and on big random buffers fed in every way. */
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

#include "cleanup.h"
#include "nar.h"
#include "references.h"

#define HLEN 32

static const char alphabet[] = "0123456789abcdfghijklmnpqrsvwxyz";

/* splitmix64: deterministic, so failures reproduce. */
static uint64_t rng_state;

static uint64_t rng(void) {
        uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

static void random_hash(char out[HLEN]) {
        for (size_t i = 0; i < HLEN; i++)
                out[i] = alphabet[rng() % 32];
}

static bool is_base32(uint8_t c) {
        return c && strchr(alphabet, c);
}

static char (*sort_hashes)[HLEN];

static int cmp_index(const void *a, const void *b) {
        return memcmp(sort_hashes[*(const size_t *) a], sort_hashes[*(const size_t *) b], HLEN);
}

/* Nix 2.8's search(), over the whole stream at once: expected[i] for each
 * candidate whose hash part is some window of 32 base32 bytes (looked up by
 * binary search in the sorted candidates, as Nix looks it up in a set). */
static void naive_scan(const uint8_t *data, size_t len, char (*hashes)[HLEN], size_t n, bool *expected) {
        _cleanup_free_ size_t *order = malloc(n * sizeof(*order));

        assert_non_null(order);
        for (size_t k = 0; k < n; k++)
                order[k] = k;
        sort_hashes = hashes;
        qsort(order, n, sizeof(*order), cmp_index);

        memset(expected, 0, n * sizeof(*expected));
        for (size_t i = 0; i + HLEN <= len; i++) {
                size_t lo = 0, hi = n;
                bool window = true;

                for (size_t j = 0; j < HLEN; j++)
                        if (!is_base32(data[i + j])) {
                                window = false;
                                i += j; /* no window starts before i + j + 1 */
                                break;
                        }
                if (!window)
                        continue;
                /* The first candidate >= the window, then all equal ones. */
                while (lo < hi) {
                        size_t mid = lo + (hi - lo) / 2;

                        if (memcmp(hashes[order[mid]], data + i, HLEN) < 0)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                for (; lo < n && memcmp(hashes[order[lo]], data + i, HLEN) == 0; lo++)
                        expected[order[lo]] = true;
        }
}

static RefScanner *scanner_new(char (*hashes)[HLEN], size_t n) {
        _cleanup_free_ const char **parts = calloc(n ? n : 1, sizeof(*parts));
        RefScanner *s;

        assert_non_null(parts);
        for (size_t i = 0; i < n; i++)
                parts[i] = hashes[i];
        s = ref_scanner_new(parts, n);
        assert_non_null(s);
        return s;
}

/* Feeds data in chunks cut at the given split points (ascending). */
static void feed_split(RefScanner *s, const void *data, size_t len, const size_t *splits, size_t n_splits) {
        size_t at = 0;

        for (size_t i = 0; i < n_splits; i++) {
                ref_scanner_feed(s, (const uint8_t *) data + at, splits[i] - at);
                at = splits[i];
        }
        ref_scanner_feed(s, (const uint8_t *) data + at, len - at);
}

static void assert_result(const RefScanner *s, const bool *expected, size_t n) {
        size_t count = 0;

        for (size_t i = 0; i < n; i++) {
                if (ref_scanner_found(s, i) != expected[i])
                        fail_msg("candidate %zu: found %d, expected %d", i, ref_scanner_found(s, i), expected[i]);
                count += expected[i];
        }
        assert_int_equal(ref_scanner_found_count(s), count);
}

static void test_basic(void **state) {
        char h[4][HLEN];
        char buf[256];
        int len;

        rng_state = 1;
        for (size_t i = 0; i < ELEMENTSOF(h); i++)
                random_hash(h[i]);

        /* h[0] at the very start, h[1] in a store path in the middle, h[2]
         * at the very end; h[3] absent. */
        len = snprintf(buf, sizeof(buf), "%.32s/bin\n#!/nix/store/%.32s-bash-5.1/bin/bash\n%.32s", h[0], h[1],
                       h[2]);
        assert_true(len > 0 && (size_t) len < sizeof(buf));
        {
                _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(h, 4);

                assert_int_equal(ref_scanner_found_count(s), 0);
                ref_scanner_feed(s, buf, (size_t) len);
                assert_true(ref_scanner_found(s, 0));
                assert_true(ref_scanner_found(s, 1));
                assert_true(ref_scanner_found(s, 2));
                assert_false(ref_scanner_found(s, 3));
                assert_false(ref_scanner_found(s, 4)); /* out of range */
                assert_int_equal(ref_scanner_found_count(s), 3);
        }

        /* Exactly the hash part and nothing else. */
        {
                _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(h, 4);

                ref_scanner_feed(s, h[3], HLEN);
                assert_true(ref_scanner_found(s, 3));
                assert_int_equal(ref_scanner_found_count(s), 1);
        }

        /* Empty feeds and empty streams find nothing. */
        {
                _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(h, 4);

                ref_scanner_feed(s, NULL, 0);
                ref_scanner_feed(s, "", 0);
                assert_int_equal(ref_scanner_found_count(s), 0);
        }
}

/* One hash part in a buffer, cut in two and in three at every possible
 * place; surrounded by non-base32 bytes and by a longer base32 run. */
static void test_straddle(void **state) {
        char h[2][HLEN];
        const char *fmts[] = {
                "xxxxxxxx/nix/store/%.32s-hello-2.12\nyyyyyyyy",
                "%.32s",
                "0123abcdzz%.32sqqqq9876",   /* inside a longer base32 run */
                "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n%.32s",
        };

        rng_state = 2;
        random_hash(h[0]);
        random_hash(h[1]);
        for (size_t f = 0; f < ELEMENTSOF(fmts); f++) {
                char buf[256];
                size_t len;

                len = (size_t) snprintf(buf, sizeof(buf), fmts[f], h[0]);
                for (size_t a = 0; a <= len; a++) {
                        _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(h, 2);

                        feed_split(s, buf, len, &a, 1);
                        if (!ref_scanner_found(s, 0))
                                fail_msg("format %zu, split at %zu: not found", f, a);
                        assert_false(ref_scanner_found(s, 1));
                        for (size_t b = a; b <= len; b++) {
                                _cleanup_ref_scanner_free_ RefScanner *s3 = scanner_new(h, 2);
                                size_t splits[2] = { a, b };

                                feed_split(s3, buf, len, splits, 2);
                                if (!ref_scanner_found(s3, 0))
                                        fail_msg("format %zu, splits at %zu, %zu: not found", f, a, b);
                                assert_int_equal(ref_scanner_found_count(s3), 1);
                        }
                }
        }
}

/* Matches that share bytes, and a candidate that is only a substring of a
 * longer base32 run (Nix matches substrings, not tokens). */
static void test_overlapping(void **state) {
        char h[5][HLEN], buf[256];
        _cleanup_ref_scanner_free_ RefScanner *s = NULL;
        size_t len;

        rng_state = 3;
        random_hash(h[0]);
        /* h[1] starts 10 bytes into h[0]; h[2] 1 byte into h[1]. */
        memcpy(h[1], h[0] + 10, HLEN - 10);
        random_hash(h[4]);
        memcpy(h[1] + HLEN - 10, h[4], 10);
        memcpy(h[2], h[1] + 1, HLEN - 1);
        h[2][HLEN - 1] = 'z';
        /* h[3]: a run of one character, which overlaps itself. */
        memset(h[3], 'a', HLEN);
        random_hash(h[4]); /* absent */

        len = 0;
        memcpy(buf + len, "zz9", 3), len += 3;
        memcpy(buf + len, h[0], HLEN), len += HLEN;
        memcpy(buf + len, h[1] + HLEN - 10, 10), len += 10;
        buf[len++] = 'z';
        memcpy(buf + len, "dddd", 4), len += 4;
        buf[len++] = '-';
        memset(buf + len, 'a', 40), len += 40;

        s = scanner_new(h, 5);
        ref_scanner_feed(s, buf, len);
        assert_true(ref_scanner_found(s, 0));
        assert_true(ref_scanner_found(s, 1));
        assert_true(ref_scanner_found(s, 2));
        assert_true(ref_scanner_found(s, 3));
        assert_false(ref_scanner_found(s, 4));
        assert_int_equal(ref_scanner_found_count(s), 4);
}

/* Every one-character change of a present hash part, a truncated one, one
 * broken by a non-base32 byte: none is found. */
static void test_near_misses(void **state) {
        char h[2][HLEN], buf[128];

        rng_state = 4;
        random_hash(h[0]);
        random_hash(h[1]);
        for (size_t j = 0; j < HLEN; j++)
                for (size_t d = 1; d < 32; d++) {
                        _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(h, 2);
                        const char *c = strchr(alphabet, h[0][j]);

                        memcpy(buf, "00", 2);
                        memcpy(buf + 2, h[0], HLEN);
                        memcpy(buf + 2 + HLEN, "11", 2);
                        buf[2 + j] = alphabet[(size_t) (c - alphabet + d) % 32];
                        ref_scanner_feed(s, buf, HLEN + 4);
                        assert_int_equal(ref_scanner_found_count(s), 0);
                }

        /* A non-base32 byte in place of one character (also one that is
         * base32 in upper case, and 'e', which Nix base32 leaves out). */
        for (size_t j = 0; j < HLEN; j++) {
                static const char bad[] = { 'e', 'A', '-', '/', '\0', '\n', (char) 0x80 };

                for (size_t b = 0; b < sizeof(bad); b++) {
                        _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(h, 2);

                        memcpy(buf, h[0], HLEN);
                        buf[j] = bad[b];
                        ref_scanner_feed(s, buf, HLEN);
                        assert_int_equal(ref_scanner_found_count(s), 0);
                }
        }

        /* 31 characters at the end of the stream, then 31 and the last one
         * after a gap. */
        {
                _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(h, 2);

                ref_scanner_feed(s, "zzzz-", 5);
                ref_scanner_feed(s, h[0], HLEN - 1);
                assert_int_equal(ref_scanner_found_count(s), 0);
                ref_scanner_feed(s, "\n", 1);
                ref_scanner_feed(s, h[0] + HLEN - 1, 1);
                assert_int_equal(ref_scanner_found_count(s), 0);
        }
        {
                _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(h, 2);

                ref_scanner_feed(s, h[0] + 1, HLEN - 1);
                assert_int_equal(ref_scanner_found_count(s), 0);
        }
}

/* Candidates that agree on their first or last bytes (so on half the
 * scanner's hash input): only the exact one matches. */
static void test_shared_prefixes(void **state) {
        char h[40][HLEN];
        _cleanup_ref_scanner_free_ RefScanner *s = NULL;

        rng_state = 5;
        random_hash(h[0]);
        for (size_t i = 1; i < 20; i++) {
                memcpy(h[i], h[0], HLEN);
                h[i][HLEN - 1 - i % 8] = alphabet[(i * 7) % 32];
                if (memcmp(h[i], h[0], HLEN) == 0)
                        h[i][10] = h[i][10] == '0' ? '1' : '0';
        }
        for (size_t i = 20; i < 40; i++) {
                memcpy(h[i], h[0], HLEN);
                h[i][i % 16] = alphabet[(i * 5) % 32];
                if (memcmp(h[i], h[0], HLEN) == 0)
                        h[i][20] = h[i][20] == '0' ? '1' : '0';
        }

        s = scanner_new(h, 40);
        ref_scanner_feed(s, h[0], HLEN);
        assert_true(ref_scanner_found(s, 0));
        for (size_t i = 1; i < 40; i++)
                if (memcmp(h[i], h[0], HLEN) != 0)
                        assert_false(ref_scanner_found(s, i));
}

/* The same hash part twice, hash parts that are not base32, no candidates,
 * and feeding after everything has been found. */
static void test_odd_candidates(void **state) {
        char h[5][HLEN];
        const char *parts[5];
        _cleanup_ref_scanner_free_ RefScanner *s = NULL, *none = NULL;

        rng_state = 6;
        random_hash(h[0]);
        memcpy(h[1], h[0], HLEN);
        memcpy(h[2], h[0], HLEN);
        h[2][5] = 'e';                  /* never a window */
        memset(h[3], 'E', HLEN);
        random_hash(h[4]);
        for (size_t i = 0; i < 5; i++)
                parts[i] = h[i];

        s = ref_scanner_new(parts, 5);
        assert_non_null(s);
        ref_scanner_feed(s, h[2], HLEN);
        ref_scanner_feed(s, h[3], HLEN);
        assert_int_equal(ref_scanner_found_count(s), 0);
        ref_scanner_feed(s, h[0], HLEN);
        assert_true(ref_scanner_found(s, 0));
        assert_true(ref_scanner_found(s, 1));
        assert_false(ref_scanner_found(s, 2));
        assert_false(ref_scanner_found(s, 3));
        assert_false(ref_scanner_found(s, 4));
        assert_int_equal(ref_scanner_found_count(s), 2);
        ref_scanner_feed(s, "--", 2);
        ref_scanner_feed(s, h[4], HLEN);
        assert_true(ref_scanner_found(s, 4));
        assert_int_equal(ref_scanner_found_count(s), 3);
        /* All findable ones found: more input changes nothing. */
        ref_scanner_feed(s, h[0], HLEN);
        ref_scanner_feed(s, h[2], HLEN);
        assert_int_equal(ref_scanner_found_count(s), 3);

        none = ref_scanner_new(NULL, 0);
        assert_non_null(none);
        ref_scanner_feed(none, h[0], HLEN);
        assert_int_equal(ref_scanner_found_count(none), 0);
        assert_false(ref_scanner_found(none, 0));

        assert_null(ref_scanner_free(NULL));
}

/* The hash parts are copied: the caller's buffers may go away. */
static void test_copies_hash_parts(void **state) {
        char *part = malloc(HLEN);
        char copy[HLEN];
        _cleanup_ref_scanner_free_ RefScanner *s = NULL;

        assert_non_null(part);
        rng_state = 7;
        random_hash(part);
        memcpy(copy, part, HLEN);
        s = ref_scanner_new((const char *const *) &part, 1);
        assert_non_null(s);
        memset(part, '0', HLEN);
        free(part);
        ref_scanner_feed(s, copy, HLEN);
        assert_true(ref_scanner_found(s, 0));
}

#define N_CANDIDATES 1000

/* A big buffer with half of 1,000 candidates planted: the result is Nix's,
 * whole, in random chunks and one byte at a time. */
static void check_big(uint8_t *data, size_t len, char (*hashes)[HLEN], size_t min_found) {
        _cleanup_free_ bool *expected = calloc(N_CANDIDATES, sizeof(bool));
        size_t count = 0;

        assert_non_null(expected);
        naive_scan(data, len, hashes, N_CANDIDATES, expected);
        for (size_t i = 0; i < N_CANDIDATES; i++)
                count += expected[i];
        assert_true(count >= min_found);

        {
                _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(hashes, N_CANDIDATES);

                ref_scanner_feed(s, data, len);
                assert_result(s, expected, N_CANDIDATES);
        }
        for (int round = 0; round < 3; round++) {
                _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(hashes, N_CANDIDATES);
                size_t max = round == 0 ? 64 : round == 1 ? 4096 : 300000;

                for (size_t at = 0; at < len;) {
                        size_t n = 1 + rng() % max;

                        if (n > len - at)
                                n = len - at;
                        ref_scanner_feed(s, data + at, n);
                        at += n;
                }
                assert_result(s, expected, N_CANDIDATES);
        }
        {
                _cleanup_ref_scanner_free_ RefScanner *s = scanner_new(hashes, N_CANDIDATES);

                for (size_t at = 0; at < len; at++)
                        ref_scanner_feed(s, data + at, 1);
                assert_result(s, expected, N_CANDIDATES);
        }
}

static void plant(uint8_t *data, size_t len, char (*hashes)[HLEN]) {
        for (size_t i = 0; i < N_CANDIDATES; i += 2) {
                size_t at = rng() % (len - HLEN + 1);

                if (i % 10 == 0)
                        at = i / 10 * (HLEN + 1); /* some back to back near the start */
                if (i == 2)
                        at = len - HLEN; /* at the very end */
                memcpy(data + at, hashes[i], HLEN);
        }
}

static void test_random_bytes(void **state) {
        const size_t len = 4 << 20;
        _cleanup_free_ uint8_t *data = malloc(len);
        _cleanup_free_ char(*hashes)[HLEN] = malloc(N_CANDIDATES * sizeof(*hashes));

        assert_non_null(data);
        assert_non_null(hashes);
        rng_state = 8;
        for (size_t i = 0; i < N_CANDIDATES; i++)
                random_hash(hashes[i]);
        for (size_t i = 0; i < len; i += 8) {
                uint64_t v = rng();

                memcpy(data + i, &v, 8);
        }
        plant(data, len, hashes);
        check_big(data, len, hashes, N_CANDIDATES / 2 - 5);
}

/* Mostly base32 (long runs, so most windows are looked up), with rare line
 * breaks and planted hash parts that partly overwrite each other. */
static void test_base32_text(void **state) {
        const size_t len = 1 << 20;
        _cleanup_free_ uint8_t *data = malloc(len);
        _cleanup_free_ char(*hashes)[HLEN] = malloc(N_CANDIDATES * sizeof(*hashes));

        assert_non_null(data);
        assert_non_null(hashes);
        rng_state = 9;
        for (size_t i = 0; i < N_CANDIDATES; i++)
                random_hash(hashes[i]);
        for (size_t i = 0; i < len; i++) {
                uint64_t v = rng();

                data[i] = v % 40 == 0 ? '\n' : (uint8_t) alphabet[(v >> 8) % 32];
        }
        plant(data, len, hashes);
        check_big(data, len, hashes, N_CANDIDATES / 2 - 20);
}

/* What Nix scans is the NAR: a hash part in a directory entry's name, in a
 * symlink target and in a file's contents is found. */
static void test_nar(void **state) {
        char dir[] = "/tmp/firn-test-references-XXXXXX";
        char h[4][HLEN], name[64], target[128], contents[128], cmd[128];
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;
        _cleanup_ref_scanner_free_ RefScanner *s = NULL;
        int len;

        rng_state = 10;
        for (size_t i = 0; i < 4; i++)
                random_hash(h[i]);
        assert_non_null(mkdtemp(dir));
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);

        snprintf(name, sizeof(name), "%.32s-foo", h[0]);
        fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "hello", 5), 5);
        snprintf(target, sizeof(target), "/nix/store/%.32s-bar/bin/bar", h[1]);
        assert_int_equal(symlinkat(target, dfd, "link"), 0);
        len = snprintf(contents, sizeof(contents), "#!/nix/store/%.32s-sh/bin/sh\n", h[2]);
        close(fd);
        fd = openat(dfd, "script", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, contents, (size_t) len), len);

        s = scanner_new(h, 4);
        assert_int_equal(nar_dump_path(AT_FDCWD, dir, ref_scanner_sink, s, NULL), 0);
        assert_true(ref_scanner_found(s, 0));
        assert_true(ref_scanner_found(s, 1));
        assert_true(ref_scanner_found(s, 2));
        assert_false(ref_scanner_found(s, 3));

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_basic),
                cmocka_unit_test(test_straddle),
                cmocka_unit_test(test_overlapping),
                cmocka_unit_test(test_near_misses),
                cmocka_unit_test(test_shared_prefixes),
                cmocka_unit_test(test_odd_candidates),
                cmocka_unit_test(test_copies_hash_parts),
                cmocka_unit_test(test_random_bytes),
                cmocka_unit_test(test_base32_text),
                cmocka_unit_test(test_nar),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
