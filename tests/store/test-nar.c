/* NAR serialisation against vectors computed by Nix 2.8: nar.json (argv[1]:
 * exact NAR bytes, hashes and sizes) and the source trees of
 * store-paths.json (argv[2]: NAR hash, size and store path). Each tree is
 * built in a temporary directory from its description. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "cleanup.h"
#include "hash.h"
#include "nar.h"
#include "store-path.h"
#include "strbuf.h"

static const char *nar_vectors_path, *path_vectors_path;
static json_t *nar_vectors, *path_vectors;
static char tmpdir[] = "/tmp/firn-test-nar-XXXXXX";
static int tmpfd = -EBADF;

static uint8_t *base64_decode(const char *b64, size_t *ret_len) {
        size_t len = strlen(b64), pad = 0;
        uint8_t *buf = malloc(len / 4 * 3 + 1);
        int n;

        assert_non_null(buf);
        n = EVP_DecodeBlock(buf, (const unsigned char *) b64, (int) len);
        assert_true(n >= 0);
        /* EVP_DecodeBlock counts padding as zero bytes. */
        while (pad < len && b64[len - 1 - pad] == '=')
                pad++;
        *ret_len = (size_t) n - pad;
        return buf;
}

/* Creates the tree described by node (the vectors' format) as name in dfd. */
static void make_tree(int dfd, const char *name, json_t *node) {
        const char *type = json_string_value(json_object_get(node, "type"));

        assert_non_null(type);
        if (strcmp(type, "regular") == 0) {
                size_t len;
                _cleanup_free_ uint8_t *data = base64_decode(json_string_value(json_object_get(node, "contents_base64")), &len);
                bool exe = json_is_true(json_object_get(node, "executable"));
                _cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, exe ? 0755 : 0644);

                assert_true(fd >= 0);
                assert_int_equal(write(fd, data, len), (ssize_t) len);
        } else if (strcmp(type, "symlink") == 0)
                assert_int_equal(symlinkat(json_string_value(json_object_get(node, "target")), dfd, name), 0);
        else if (strcmp(type, "directory") == 0) {
                _cleanup_close_ int sub = -EBADF;
                const char *key;
                json_t *child;

                assert_int_equal(mkdirat(dfd, name, 0755), 0);
                sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_true(sub >= 0);
                json_object_foreach(json_object_get(node, "entries"), key, child) make_tree(sub, key, child);
        } else
                fail_msg("unknown node type %s", type);
}

static int strbuf_sink(void *userdata, const void *data, size_t len) {
        strbuf_add(userdata, data, len);
        return 0;
}

static void assert_hash_hex(const Hash *h, const char *hex) {
        _cleanup_free_ char *s = hash_to_string(h, HASH_FORMAT_BASE16);

        assert_string_equal(s, hex);
}

static void test_nar_vectors(void **state) {
        json_t *cases = json_object_get(nar_vectors, "cases"), *v;
        size_t i;

        assert_true(json_array_size(cases) >= 8);
        json_array_foreach(cases, i, v) {
                const char *key = json_string_value(json_object_get(v, "key"));
                json_t *added = json_object_get(v, "store_path_if_added_as");
                _cleanup_free_ uint8_t *want = NULL;
                _cleanup_free_ char *s = NULL, *path = NULL;
                _cleanup_strbuf_ StrBuf got = STRBUF_INIT;
                size_t want_len;
                uint64_t size = 0;
                Hash h;

                make_tree(tmpfd, key, json_object_get(v, "tree"));
                want = base64_decode(json_string_value(json_object_get(v, "nar_base64")), &want_len);
                assert_int_equal(want_len, json_integer_value(json_object_get(v, "nar_size")));

                assert_int_equal(nar_dump_path(tmpfd, key, strbuf_sink, &got, NULL), 0);
                assert_int_equal(got.len, want_len);
                assert_memory_equal(got.buf, want, want_len);

                assert_int_equal(nar_hash_path(tmpfd, key, HASH_SHA256, &h, &size, NULL), 0);
                assert_int_equal(size, want_len);
                assert_hash_hex(&h, json_string_value(json_object_get(v, "nar_sha256_hex")));
                s = hash_to_string(&h, HASH_FORMAT_SRI);
                assert_string_equal(s, json_string_value(json_object_get(v, "nar_hash_sri")));

                assert_int_equal(store_path_make_fixed_output(FILE_INGESTION_RECURSIVE, &h,
                                                              json_string_value(json_object_get(added, "name")), NULL,
                                                              0, false, NULL, &path, NULL),
                                 0);
                assert_string_equal(path, json_string_value(json_object_get(added, "path")));
        }
}

/* The source trees of store-paths.json: NAR hash, size, store path. */
static void test_source_trees(void **state) {
        json_t *v;
        size_t i;

        json_array_foreach(json_object_get(path_vectors, "source"), i, v) {
                char name[32];
                _cleanup_free_ char *path = NULL, *sri = NULL;
                uint64_t size;
                Hash h;

                snprintf(name, sizeof(name), "src-%zu", i);
                make_tree(tmpfd, name, json_object_get(v, "input"));
                assert_int_equal(nar_hash_path(tmpfd, name, HASH_SHA256, &h, &size, NULL), 0);
                assert_hash_hex(&h, json_string_value(json_object_get(v, "nar_sha256_hex")));
                sri = hash_to_string(&h, HASH_FORMAT_SRI);
                assert_string_equal(sri, json_string_value(json_object_get(v, "narHash")));
                assert_int_equal(size, json_integer_value(json_object_get(v, "narSize")));
                assert_int_equal(store_path_make_fixed_output(FILE_INGESTION_RECURSIVE, &h,
                                                              json_string_value(json_object_get(v, "name")), NULL, 0,
                                                              false, NULL, &path, NULL),
                                 0);
                assert_string_equal(path, json_string_value(json_object_get(v, "store_path")));
        }
}

/* Appends a NAR string token to sb (the reference framing). */
static void ref_token(StrBuf *sb, const void *s, size_t n) {
        uint8_t len[8];

        for (unsigned i = 0; i < 8; i++)
                len[i] = (uint8_t) ((uint64_t) n >> (8 * i));
        strbuf_add(sb, len, 8);
        strbuf_add(sb, s, n);
        strbuf_add(sb, "\0\0\0\0\0\0\0", (8 - n % 8) % 8);
}
#define REF(sb, lit) ref_token((sb), (lit), sizeof(lit) - 1)

typedef struct ChunkSink {
        StrBuf data;
        size_t calls, max_chunk;
        size_t fail_after; /* fail once this many bytes went through (0: never) */
} ChunkSink;

static int chunk_sink(void *userdata, const void *data, size_t len) {
        ChunkSink *c = userdata;

        if (c->fail_after && c->data.len + len > c->fail_after)
                return -ENOSPC;
        strbuf_add(&c->data, data, len);
        c->calls++;
        if (len > c->max_chunk)
                c->max_chunk = len;
        return 0;
}

/* Files larger than the internal buffer, sizes not a multiple of 8, the
 * executable bit, all streamed in big chunks. */
static void test_big_files(void **state) {
        static const size_t sizes[] = { 3 * 1024 * 1024 + 5, 256 * 1024, 256 * 1024 - 3, 1, 7 };
        _cleanup_strbuf_ StrBuf want = STRBUF_INIT;
        _cleanup_close_ int dfd = -EBADF;
        ChunkSink c = { .data = STRBUF_INIT };
        uint64_t size;
        Hash h, hw;

        assert_int_equal(mkdirat(tmpfd, "big", 0755), 0);
        dfd = openat(tmpfd, "big", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);

        REF(&want, "nix-archive-1");
        REF(&want, "(");
        REF(&want, "type");
        REF(&want, "directory");
        for (size_t k = 0; k < ELEMENTSOF(sizes); k++) {
                _cleanup_free_ uint8_t *data = malloc(sizes[k]);
                _cleanup_close_ int fd = -EBADF;
                char name[16];
                uint32_t x = 2463534242u + (uint32_t) k;

                assert_non_null(data);
                for (size_t j = 0; j < sizes[k]; j++) {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        data[j] = (uint8_t) x;
                }
                snprintf(name, sizeof(name), "f%zu", k);
                /* Only the owner's execute bit counts. */
                fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, k == 0 ? 0700 : 0655);
                assert_true(fd >= 0);
                assert_int_equal(fchmod(fd, k == 0 ? 0700 : 0655), 0);
                assert_int_equal(write(fd, data, sizes[k]), (ssize_t) sizes[k]);

                REF(&want, "entry");
                REF(&want, "(");
                REF(&want, "name");
                ref_token(&want, name, strlen(name));
                REF(&want, "node");
                REF(&want, "(");
                REF(&want, "type");
                REF(&want, "regular");
                if (k == 0) {
                        REF(&want, "executable");
                        REF(&want, "");
                }
                REF(&want, "contents");
                ref_token(&want, data, sizes[k]);
                REF(&want, ")");
                REF(&want, ")");
        }
        REF(&want, ")");

        assert_int_equal(nar_dump_path(tmpfd, "big", chunk_sink, &c, NULL), 0);
        assert_int_equal(c.data.len, want.len);
        assert_memory_equal(c.data.buf, want.buf, want.len);
        /* Streamed: several calls, none of them the whole archive. */
        assert_true(c.calls > 4);
        assert_true(c.max_chunk < want.len / 4);

        assert_int_equal(nar_hash_path(dfd, ".", HASH_SHA256, &h, &size, NULL), 0);
        hash_buffer(HASH_SHA256, want.buf, want.len, &hw);
        assert_memory_equal(h.bytes, hw.bytes, 32);
        assert_int_equal(size, want.len);

        /* Other algorithms (recursive sha1/sha512 fixed outputs). */
        assert_int_equal(nar_hash_path(tmpfd, "big", HASH_SHA512, &h, NULL, NULL), 0);
        hash_buffer(HASH_SHA512, want.buf, want.len, &hw);
        assert_memory_equal(h.bytes, hw.bytes, 64);

        /* A sink error stops the dump and comes back as is, with no message. */
        strbuf_reset(&c.data);
        c.fail_after = 1024 * 1024;
        {
                char *err = NULL;

                assert_int_equal(nar_dump_path(tmpfd, "big", chunk_sink, &c, &err), -ENOSPC);
                assert_null(err);
        }
        strbuf_release(&c.data);
}

static void assert_error(int dfd, const char *path, int want_r, const char *want_fmt) {
        _cleanup_free_ char *err = NULL, *want = NULL;
        Hash h, saved;
        uint64_t size = 77;
        StrBuf sb = STRBUF_INIT;

        memset(&h, 0x55, sizeof(h));
        saved = h;
        assert_int_equal(nar_hash_path(dfd, path, HASH_SHA256, &h, &size, &err), want_r);
        assert_memory_equal(&h, &saved, sizeof(h));
        assert_int_equal(size, 77);
        strbuf_addf(&sb, want_fmt, tmpdir);
        want = strbuf_detach(&sb, NULL);
        assert_non_null(err);
        assert_string_equal(err, want);
}

static void test_errors(void **state) {
        _cleanup_free_ char *abs_missing = NULL;
        StrBuf sb = STRBUF_INIT;

        assert_int_equal(mkdirat(tmpfd, "bad", 0755), 0);
        assert_int_equal(mkdirat(tmpfd, "bad/d", 0755), 0);
        assert_int_equal(mkfifoat(tmpfd, "bad/d/fifo", 0644), 0);

        /* Messages name the object as the given path plus entry names. */
        strbuf_addf(&sb, "%s/missing", tmpdir);
        abs_missing = strbuf_detach(&sb, NULL);
        assert_error(AT_FDCWD, abs_missing, -ENOENT, "getting status of '%s/missing': No such file or directory");
        assert_error(tmpfd, "missing", -ENOENT, "getting status of 'missing': No such file or directory%.0s");
        assert_error(tmpfd, "bad", -EBADFD, "file 'bad/d/fifo' has an unsupported type%.0s");
        assert_error(tmpfd, "bad/d/fifo", -EBADFD, "file 'bad/d/fifo' has an unsupported type%.0s");

        /* Without ret_error, just the code. */
        {
                Hash h;

                assert_int_equal(nar_hash_path(tmpfd, "bad", HASH_SHA256, &h, NULL, NULL), -EBADFD);
        }
        assert_int_equal(unlinkat(tmpfd, "bad/d/fifo", 0), 0);
}

/* Symlinks are archived, never followed, at the root and inside; the same
 * tree through dirfd, relative and absolute paths gives the same NAR. */
static void test_symlinks_and_dirfd(void **state) {
        _cleanup_strbuf_ StrBuf a = STRBUF_INIT, b = STRBUF_INIT, want = STRBUF_INIT;
        _cleanup_close_ int dfd = -EBADF;
        StrBuf abs = STRBUF_INIT;

        assert_int_equal(mkdirat(tmpfd, "links", 0755), 0);
        dfd = openat(tmpfd, "links", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        assert_int_equal(symlinkat("/etc", dfd, "to-dir"), 0);
        assert_int_equal(symlinkat("dangling/target", dfd, "dangling"), 0);

        assert_int_equal(nar_dump_path(dfd, "to-dir", strbuf_sink, &a, NULL), 0);
        REF(&want, "nix-archive-1");
        REF(&want, "(");
        REF(&want, "type");
        REF(&want, "symlink");
        REF(&want, "target");
        REF(&want, "/etc");
        REF(&want, ")");
        assert_int_equal(a.len, want.len);
        assert_memory_equal(a.buf, want.buf, want.len);

        strbuf_reset(&a);
        assert_int_equal(nar_dump_path(tmpfd, "links", strbuf_sink, &a, NULL), 0);
        strbuf_addf(&abs, "%s/links", tmpdir);
        assert_int_equal(nar_dump_path(AT_FDCWD, abs.buf, strbuf_sink, &b, NULL), 0);
        strbuf_release(&abs);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.buf, b.buf, a.len);
        strbuf_reset(&b);
        assert_int_equal(nar_dump_path(dfd, ".", strbuf_sink, &b, NULL), 0);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.buf, b.buf, a.len);
}

/* Nesting deeper than NAR_MAX_DEPTH fails cleanly instead of recursing on. */
static void test_depth_limit(void **state) {
        struct rlimit rl;
        _cleanup_free_ char *err = NULL;
        int fd;
        Hash h;

        assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
        if (rl.rlim_cur < NAR_MAX_DEPTH + 64) {
                rl.rlim_cur = rl.rlim_max < NAR_MAX_DEPTH + 64 ? rl.rlim_max : NAR_MAX_DEPTH + 64;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
                if (rl.rlim_cur < NAR_MAX_DEPTH + 64)
                        skip();
        }

        assert_int_equal(mkdirat(tmpfd, "deep", 0755), 0);
        fd = openat(tmpfd, "deep", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (unsigned i = 0; i < NAR_MAX_DEPTH; i++) {
                int sub;

                assert_true(fd >= 0);
                assert_int_equal(mkdirat(fd, "d", 0755), 0);
                sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                close(fd);
                fd = sub;
        }
        close(fd);
        assert_int_equal(nar_hash_path(tmpfd, "deep", HASH_SHA256, &h, NULL, &err), -ELOOP);
        assert_non_null(err);
        /* One level less is fine. */
        assert_int_equal(nar_hash_path(tmpfd, "deep/d", HASH_SHA256, &h, NULL, NULL), 0);
}

static int setup(void **state) {
        json_error_t err;

        nar_vectors = json_load_file(nar_vectors_path, 0, &err);
        if (!nar_vectors) {
                fprintf(stderr, "%s:%d: %s\n", nar_vectors_path, err.line, err.text);
                return -1;
        }
        path_vectors = json_load_file(path_vectors_path, 0, &err);
        if (!path_vectors) {
                fprintf(stderr, "%s:%d: %s\n", path_vectors_path, err.line, err.text);
                return -1;
        }
        if (!mkdtemp(tmpdir))
                return -1;
        tmpfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return tmpfd >= 0 ? 0 : -1;
}

static int teardown(void **state) {
        char cmd[sizeof(tmpdir) + 16];

        json_decref(nar_vectors);
        json_decref(path_vectors);
        close(tmpfd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        return system(cmd) == 0 ? 0 : -1;
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nar_vectors),
                cmocka_unit_test(test_source_trees),
                cmocka_unit_test(test_big_files),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_symlinks_and_dirfd),
                cmocka_unit_test(test_depth_limit),
        };

        if (argc != 3) {
                fprintf(stderr, "usage: %s nar.json store-paths.json\n", argv[0]);
                return 2;
        }
        nar_vectors_path = argv[1];
        path_vectors_path = argv[2];
        return cmocka_run_group_tests(tests, setup, teardown);
}
