/* NAR restore: round trips through nar_dump_path() (argv[1] is nar.json,
 * whose NARs Nix 2.8 wrote), every way a hostile or broken NAR is refused
 * (code, message, nothing left behind), nar_validate() agreeing, and a
 * failure injected at every write/fsync/mkdir/symlink step.
 *
 * The fault test runs this program again as
 * "test-nar-restore --restore-child NAR DIR" with FIRN_FAULT_AT set. */
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "cleanup.h"
#include "fileio.h"
#include "hash.h"
#include "nar-restore.h"
#include "nar.h"
#include "strbuf.h"

static const char *nar_vectors_path;
static char tmpdir[] = "/tmp/firn-test-nar-restore-XXXXXX";
static int tmpfd = -EBADF;

/* ---- NAR building ---- */

static void tok(StrBuf *sb, const void *s, size_t n) {
        uint8_t len[8];

        for (unsigned i = 0; i < 8; i++)
                len[i] = (uint8_t) ((uint64_t) n >> (8 * i));
        strbuf_add(sb, len, 8);
        strbuf_add(sb, s, n);
        strbuf_add(sb, "\0\0\0\0\0\0\0", (8 - n % 8) % 8);
}
#define T(sb, lit) tok((sb), (lit), sizeof(lit) - 1)

static void raw_u64(StrBuf *sb, uint64_t v) {
        uint8_t b[8];

        for (unsigned i = 0; i < 8; i++)
                b[i] = (uint8_t) (v >> (8 * i));
        strbuf_add(sb, b, 8);
}

static void nar_file(StrBuf *sb, const char *contents, bool exe) {
        T(sb, "(");
        T(sb, "type");
        T(sb, "regular");
        if (exe) {
                T(sb, "executable");
                T(sb, "");
        }
        T(sb, "contents");
        tok(sb, contents, strlen(contents));
        T(sb, ")");
}

static void nar_link(StrBuf *sb, const char *target) {
        T(sb, "(");
        T(sb, "type");
        T(sb, "symlink");
        T(sb, "target");
        tok(sb, target, strlen(target));
        T(sb, ")");
}

static void nar_dir(StrBuf *sb) {
        T(sb, "(");
        T(sb, "type");
        T(sb, "directory");
}

/* "entry" "(" "name" NAME "node"; the caller adds the node and entry_end(). */
static void entry(StrBuf *sb, const void *name, size_t n) {
        T(sb, "entry");
        T(sb, "(");
        T(sb, "name");
        tok(sb, name, n);
        T(sb, "node");
}
#define ENTRY(sb, lit) entry((sb), (lit), sizeof(lit) - 1)
#define END(sb) T((sb), ")")

/* ---- sources ---- */

typedef struct ChunkSource {
        const uint8_t *data;
        size_t len, pos;
        const size_t *chunks; /* chunk sizes, cycled; NULL: as much as asked */
        size_t n_chunks, calls;
        size_t fail_at;       /* fail with `error` once this many bytes went out (0: never) */
        int error;
} ChunkSource;

static ssize_t chunk_source(void *userdata, void *buf, size_t len) {
        ChunkSource *c = userdata;
        size_t n = c->len - c->pos;

        if (c->fail_at && c->pos >= c->fail_at)
                return c->error;
        if (c->chunks && n > c->chunks[c->calls % c->n_chunks])
                n = c->chunks[c->calls % c->n_chunks];
        if (n > len)
                n = len;
        c->calls++;
        memcpy(buf, c->data + c->pos, n);
        c->pos += n;
        return (ssize_t) n;
}

static const size_t odd_chunks[] = { 1, 7, 8, 9, 4096, 65537, 300000, 3 };

static int strbuf_sink(void *userdata, const void *data, size_t len) {
        strbuf_add(userdata, data, len);
        return 0;
}

/* ---- helpers ---- */

static bool exists(int dfd, const char *path) {
        struct stat st;

        return fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void write_file(int dfd, const char *name, const void *data, size_t len, mode_t mode) {
        _cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

        assert_true(fd >= 0);
        assert_int_equal(fchmod(fd, mode), 0);
        assert_int_equal(write(fd, data, len), (ssize_t) len);
}

static int open_dir(int dfd, const char *name) {
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        assert_true(fd >= 0);
        return fd;
}

static void assert_mode(int dfd, const char *path, mode_t want) {
        struct stat st;

        assert_int_equal(fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_mode & 07777, want);
}

/* Restores nar at name in tmpfd through a source cutting it into chunks,
 * and checks the result: the returned hash and size are the NAR's, the
 * tree dumps back to exactly nar, nar_validate() agrees. */
static void restore_and_check(const StrBuf *nar, const char *name, const size_t *chunks, size_t n_chunks,
                              const NarRestoreOptions *opts) {
        ChunkSource src = { .data = (const uint8_t *) nar->buf, .len = nar->len, .chunks = chunks, .n_chunks = n_chunks };
        _cleanup_strbuf_ StrBuf back = STRBUF_INIT;
        _cleanup_free_ char *err = NULL;
        Hash h, want, again;
        uint64_t size = 0, size2 = 0;

        assert_int_equal(nar_restore(tmpfd, name, chunk_source, &src, opts, &h, &size, &err), 0);
        assert_null(err);
        hash_buffer(HASH_SHA256, nar->buf, nar->len, &want);
        assert_int_equal(h.algo, HASH_SHA256);
        assert_memory_equal(h.bytes, want.bytes, 32);
        assert_int_equal(size, nar->len);

        assert_int_equal(nar_hash_path(tmpfd, name, HASH_SHA256, &again, &size2, NULL), 0);
        assert_memory_equal(again.bytes, want.bytes, 32);
        assert_int_equal(size2, nar->len);
        assert_int_equal(nar_dump_path(tmpfd, name, strbuf_sink, &back, NULL), 0);
        assert_int_equal(back.len, nar->len);
        assert_memory_equal(back.buf, nar->buf, nar->len);

        assert_int_equal(nar_validate(nar->buf, nar->len, &err), 0);
        assert_null(err);
}

/* A tree with every kind of object: files (empty, executable, sizes around
 * the 8-byte padding, one of a few MiB), symlinks (relative, absolute,
 * dangling), empty and nested directories, names that need bytewise order. */
static void make_tree(int dfd, const char *name) {
        static const char *const small[] = { "x", "1234567", "12345678", "123456789" };
        _cleanup_close_ int fd = -EBADF, bin = -EBADF;
        _cleanup_free_ uint8_t *big = NULL;
        size_t big_len = 3 * 1024 * 1024 + 5;
        uint32_t x = 2463534242u;

        assert_int_equal(mkdirat(dfd, name, 0755), 0);
        fd = open_dir(dfd, name);
        assert_int_equal(mkdirat(fd, "bin", 0755), 0);
        bin = open_dir(fd, "bin");
        write_file(bin, "tool", "#!/bin/sh\necho hi\n", 18, 0755);
        write_file(bin, "empty-tool", "", 0, 0700);
        assert_int_equal(symlinkat("tool", bin, "link-to-tool"), 0);
        assert_int_equal(mkdirat(fd, "empty", 0755), 0);
        write_file(fd, "empty-file", "", 0, 0644);
        assert_int_equal(mkdirat(fd, "a", 0755), 0);
        assert_int_equal(mkdirat(fd, "a/b", 0700), 0);
        assert_int_equal(mkdirat(fd, "a/b/c", 0755), 0);
        write_file(fd, "a/b/c/deep", "deep\n", 5, 0600);
        assert_int_equal(mkdirat(fd, "a/b/c/empty", 0755), 0);
        for (size_t i = 0; i < ELEMENTSOF(small); i++) {
                char n[32];

                snprintf(n, sizeof(n), "f%zu", strlen(small[i]));
                write_file(fd, n, small[i], strlen(small[i]), 0644);
        }
        big = malloc(big_len);
        assert_non_null(big);
        for (size_t j = 0; j < big_len; j++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                big[j] = (uint8_t) x;
        }
        write_file(fd, "big", big, big_len, 0755);
        assert_int_equal(symlinkat("/nonexistent/target", fd, "dangling"), 0);
        assert_int_equal(symlinkat("/etc", fd, "abs"), 0);
        write_file(fd, "name with spaces", "s", 1, 0644);
        write_file(fd, "\xc3\xbcn\xc3\xaf", "u", 1, 0644);
        write_file(fd, "B", "upper", 5, 0644);
        write_file(fd, "a-", "dash", 4, 0644);
}

/* ---- tests ---- */

static void test_round_trip(void **state) {
        _cleanup_strbuf_ StrBuf nar = STRBUF_INIT, file = STRBUF_INIT, link = STRBUF_INIT;
        NarRestoreOptions sync = { .sync = true };
        mode_t old;

        make_tree(tmpfd, "tree");
        assert_int_equal(nar_dump_path(tmpfd, "tree", strbuf_sink, &nar, NULL), 0);
        assert_true(nar.len > 3 * 1024 * 1024);

        /* Whole chunks, odd chunks, with fsync. */
        restore_and_check(&nar, "rt-whole", NULL, 0, NULL);
        restore_and_check(&nar, "rt-odd", odd_chunks, ELEMENTSOF(odd_chunks), NULL);
        restore_and_check(&nar, "rt-sync", odd_chunks + 3, 2, &sync);

        /* Modes are 0644/0755 whatever the source had or the umask says. */
        old = umask(0277);
        restore_and_check(&nar, "rt-umask", NULL, 0, NULL);
        umask(old);
        assert_mode(tmpfd, "rt-umask", 0755);
        assert_mode(tmpfd, "rt-umask/bin/tool", 0755);
        assert_mode(tmpfd, "rt-umask/bin/empty-tool", 0755);
        assert_mode(tmpfd, "rt-umask/a/b", 0755);
        assert_mode(tmpfd, "rt-umask/a/b/c/deep", 0644);
        assert_mode(tmpfd, "rt-umask/empty-file", 0644);
        assert_mode(tmpfd, "rt-odd/big", 0755);
        {
                _cleanup_free_ char *target = NULL;

                assert_int_equal(read_link(tmpfd, "rt-odd/dangling", &target), 0);
                assert_string_equal(target, "/nonexistent/target");
        }

        /* The root may be a file or a symlink. */
        assert_int_equal(nar_dump_path(tmpfd, "tree/bin/tool", strbuf_sink, &file, NULL), 0);
        restore_and_check(&file, "rt-file", odd_chunks, ELEMENTSOF(odd_chunks), &sync);
        assert_mode(tmpfd, "rt-file", 0755);
        assert_int_equal(nar_dump_path(tmpfd, "tree/abs", strbuf_sink, &link, NULL), 0);
        restore_and_check(&link, "rt-link", NULL, 0, &sync);

        /* Outputs may be NULL; the path may be absolute. */
        {
                ChunkSource src = { .data = (const uint8_t *) nar.buf, .len = nar.len };
                StrBuf abs = STRBUF_INIT;
                Hash h;

                strbuf_addf(&abs, "%s/rt-abs", tmpdir);
                assert_int_equal(nar_restore(AT_FDCWD, abs.buf, chunk_source, &src, NULL, NULL, NULL, NULL), 0);
                strbuf_release(&abs);
                assert_int_equal(nar_hash_path(tmpfd, "rt-abs", HASH_SHA256, &h, NULL, NULL), 0);
        }
}

/* The NARs Nix 2.8 wrote (nar.json) restore to trees that dump back to
 * them, and their hashes are Nix's. */
static void test_nix_vectors(void **state) {
        json_error_t jerr;
        _cleanup_(json_decrefp) json_t *vectors = json_load_file(nar_vectors_path, 0, &jerr);
        json_t *cases, *v;
        size_t i;

        assert_non_null(vectors);
        cases = json_object_get(vectors, "cases");
        assert_true(json_array_size(cases) >= 8);
        json_array_foreach(cases, i, v) {
                const char *b64 = json_string_value(json_object_get(v, "nar_base64"));
                size_t b64_len = strlen(b64), pad = 0;
                _cleanup_strbuf_ StrBuf nar = STRBUF_INIT;
                _cleanup_free_ char *hex = NULL;
                char name[32];
                Hash h;
                int n;

                strbuf_grow(&nar, b64_len / 4 * 3 + 1);
                n = EVP_DecodeBlock((unsigned char *) nar.buf, (const unsigned char *) b64, (int) b64_len);
                assert_true(n >= 0);
                while (pad < b64_len && b64[b64_len - 1 - pad] == '=')
                        pad++;
                nar.len = (size_t) n - pad;
                nar.buf[nar.len] = '\0';

                snprintf(name, sizeof(name), "vec-%zu", i);
                restore_and_check(&nar, name, odd_chunks, ELEMENTSOF(odd_chunks), NULL);
                assert_int_equal(nar_hash_path(tmpfd, name, HASH_SHA256, &h, NULL, NULL), 0);
                hex = hash_to_string(&h, HASH_FORMAT_BASE16);
                assert_string_equal(hex, json_string_value(json_object_get(v, "nar_sha256_hex")));
        }
}

/* Restoring nar at "bad" fails with want_r and want_msg (nar_validate()
 * too, unless the failure is the restore's own), leaves nothing there and
 * sets no output; with every chunking. */
static void assert_refused_opts(const StrBuf *nar, const NarRestoreOptions *opts, int want_r, const char *want_msg) {
        static const size_t one[] = { 1 };
        const struct {
                const size_t *chunks;
                size_t n;
        } ways[] = { { NULL, 0 }, { one, 1 }, { odd_chunks, ELEMENTSOF(odd_chunks) } };

        for (size_t w = 0; w < ELEMENTSOF(ways); w++) {
                ChunkSource src = { .data = (const uint8_t *) nar->buf, .len = nar->len, .chunks = ways[w].chunks,
                                    .n_chunks = ways[w].n };
                _cleanup_free_ char *err = NULL;
                Hash h, saved;
                uint64_t size = 77;

                memset(&h, 0x55, sizeof(h));
                saved = h;
                assert_int_equal(nar_restore(tmpfd, "bad", chunk_source, &src, opts, &h, &size, &err), want_r);
                assert_non_null(err);
                if (strcmp(err, want_msg) != 0)
                        fail_msg("restore: got \"%s\", want \"%s\"", err, want_msg);
                assert_memory_equal(&h, &saved, sizeof(h));
                assert_int_equal(size, 77);
                assert_false(exists(tmpfd, "bad"));
                /* Without a message: the same code. */
                src.pos = src.calls = 0;
                assert_int_equal(nar_restore(tmpfd, "bad", chunk_source, &src, opts, NULL, NULL, NULL), want_r);
                assert_false(exists(tmpfd, "bad"));
        }
        if (!opts || opts->max_file_size == 0) {
                _cleanup_free_ char *err = NULL;

                assert_int_equal(nar_validate(nar->buf, nar->len, &err), want_r);
                assert_non_null(err);
                if (strcmp(err, want_msg) != 0)
                        fail_msg("validate: got \"%s\", want \"%s\"", err, want_msg);
                assert_int_equal(nar_validate(nar->buf, nar->len, NULL), want_r);
        }
}

static void assert_refused(const StrBuf *nar, int want_r, const char *want_msg) {
        assert_refused_opts(nar, NULL, want_r, want_msg);
}

/* A directory NAR with one entry per name (as given, in order), each an
 * empty file. */
static void nar_names(StrBuf *sb, const char *const *names, const size_t *lens, size_t n) {
        T(sb, "nix-archive-1");
        nar_dir(sb);
        for (size_t i = 0; i < n; i++) {
                entry(sb, names[i], lens ? lens[i] : strlen(names[i]));
                nar_file(sb, "", false);
                END(sb);
        }
        END(sb);
}

static void test_bad_names(void **state) {
        static const struct {
                const char *names[3];
                size_t lens[3];
                int r;
                const char *msg;
        } cases[] = {
                { { "b", "a" }, { 1, 1 }, -EBADMSG, "NAR entry names are not sorted: 'a' after 'b'" },
                { { "ab", "a" }, { 2, 1 }, -EBADMSG, "NAR entry names are not sorted: 'a' after 'ab'" },
                { { "a", "B" }, { 1, 1 }, -EBADMSG, "NAR entry names are not sorted: 'B' after 'a'" },
                { { "\xc3\xbc", "z" }, { 2, 1 }, -EBADMSG, "NAR entry names are not sorted: 'z' after '\xc3\xbc'" },
                { { "a", "a" }, { 1, 1 }, -EBADMSG, "NAR entry name 'a' appears twice" },
                { { "a", "b", "b" }, { 1, 1, 1 }, -EBADMSG, "NAR entry name 'b' appears twice" },
                { { "" }, { 0 }, -EBADMSG, "NAR entry name is empty" },
                { { "." }, { 1 }, -EBADMSG, "NAR entry name '.' is not allowed" },
                { { ".." }, { 2 }, -EBADMSG, "NAR entry name '..' is not allowed" },
                { { "a/b" }, { 3 }, -EBADMSG, "NAR entry name 'a/b' contains '/'" },
                { { "/" }, { 1 }, -EBADMSG, "NAR entry name '/' contains '/'" },
                { { "a\0b" }, { 3 }, -EBADMSG, "NAR entry name 'a\\x00b' contains a NUL byte" },
                { { "it's\n" }, { 5 }, -EBADMSG, "NAR entry names are not sorted: 'it\\x27s\\x0a' after 'z'" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strbuf_ StrBuf nar = STRBUF_INIT;
                const char *names[3];
                size_t lens[3], n = 0;

                if (i == ELEMENTSOF(cases) - 1) {
                        /* Quoting in messages. */
                        names[n] = "z";
                        lens[n++] = 1;
                }
                for (size_t k = 0; k < 3 && cases[i].names[k]; k++) {
                        names[n] = cases[i].names[k];
                        lens[n++] = cases[i].lens[k];
                }
                nar_names(&nar, names, lens, n);
                assert_refused(&nar, cases[i].r, cases[i].msg);
        }

        /* 255 bytes is the longest name, 256 too long. */
        {
                char name[257], want[200];
                const char *names[1] = { name };
                _cleanup_strbuf_ StrBuf ok = STRBUF_INIT, bad = STRBUF_INIT;

                memset(name, 'n', sizeof(name) - 1);
                name[255] = '\0';
                nar_names(&ok, names, NULL, 1);
                restore_and_check(&ok, "name-255", NULL, 0, NULL);
                name[255] = 'n';
                name[256] = '\0';
                nar_names(&bad, names, NULL, 1);
                snprintf(want, sizeof(want), "NAR entry name '%.64s...' is longer than 255 bytes", name);
                assert_refused(&bad, -ENAMETOOLONG, want);
        }

        /* Where it happens: the place in the NAR. */
        {
                _cleanup_strbuf_ StrBuf nar = STRBUF_INIT;

                T(&nar, "nix-archive-1");
                nar_dir(&nar);
                ENTRY(&nar, "lib");
                nar_dir(&nar);
                ENTRY(&nar, "s\tub");
                nar_dir(&nar);
                ENTRY(&nar, "b");
                nar_file(&nar, "b", false);
                END(&nar);
                ENTRY(&nar, "a");
                nar_file(&nar, "a", false);
                END(&nar);
                END(&nar);
                END(&nar);
                END(&nar);
                END(&nar);
                END(&nar);
                assert_refused(&nar, -EBADMSG, "NAR entry names are not sorted: 'a' after 'b', in '/lib/s\\x09ub'");
        }
}

static void test_bad_grammar(void **state) {
        _cleanup_strbuf_ StrBuf nar = STRBUF_INIT;

#define CASE(r, msg, build)                        \
        do {                                       \
                strbuf_reset(&nar);                \
                build;                             \
                assert_refused(&nar, (r), (msg));  \
        } while (0)

        CASE(-EBADMSG, "input is not a NAR: wrong magic", (T(&nar, "nix-archive-2"), nar_file(&nar, "", false)));
        CASE(-EBADMSG, "input is not a NAR: wrong magic", (T(&nar, "nix-archive-"), nar_file(&nar, "", false)));
        CASE(-EBADMSG, "input is not a NAR: wrong magic", raw_u64(&nar, UINT64_C(1) << 63));
        CASE(-EBADMSG, "input is not a NAR: wrong magic", strbuf_adds(&nar, "{\"not\": \"a nar\"}"));
        CASE(-EBADMSG, "NAR ends early (truncated input)", (void) 0);
        CASE(-EBADMSG, "NAR ends early (truncated input)", T(&nar, "nix-archive-1"));
        CASE(-EBADMSG, "NAR padding is not zero",
             (raw_u64(&nar, 13), strbuf_add(&nar, "nix-archive-1\0\0\1", 16), nar_file(&nar, "", false)));
        CASE(-EBADMSG, "NAR has unexpected token 'type' where '(' was expected",
             (T(&nar, "nix-archive-1"), T(&nar, "type")));
        CASE(-EBADMSG, "NAR has unexpected token 'regular' where 'type' was expected",
             (T(&nar, "nix-archive-1"), T(&nar, "("), T(&nar, "regular")));
        CASE(-EBADMSG, "NAR node type 'fifo' is unknown",
             (T(&nar, "nix-archive-1"), T(&nar, "("), T(&nar, "type"), T(&nar, "fifo"), T(&nar, ")")));
        CASE(-EBADMSG, "NAR has unexpected token 'size' where 'executable' or 'contents' was expected",
             (T(&nar, "nix-archive-1"), T(&nar, "("), T(&nar, "type"), T(&nar, "regular"), T(&nar, "size")));
        CASE(-EBADMSG, "NAR has unexpected token ')' where 'executable' or 'contents' was expected",
             (T(&nar, "nix-archive-1"), T(&nar, "("), T(&nar, "type"), T(&nar, "regular"), T(&nar, ")")));
        CASE(-EBADMSG, "NAR executable marker has the value 'x', not ''",
             (T(&nar, "nix-archive-1"), T(&nar, "("), T(&nar, "type"), T(&nar, "regular"), T(&nar, "executable"),
              T(&nar, "x")));
        /* Nix's parser would take these; the grammar (and nar_dump_path()) has one order. */
        CASE(-EBADMSG, "NAR has unexpected token 'executable' where ')' was expected",
             (T(&nar, "nix-archive-1"), T(&nar, "("), T(&nar, "type"), T(&nar, "regular"), T(&nar, "contents"),
              T(&nar, "abc"), T(&nar, "executable"), T(&nar, ""), T(&nar, ")")));
        CASE(-EBADMSG, "NAR has unexpected token 'executable' where 'contents' was expected",
             (T(&nar, "nix-archive-1"), T(&nar, "("), T(&nar, "type"), T(&nar, "regular"), T(&nar, "executable"),
              T(&nar, ""), T(&nar, "executable"), T(&nar, "")));
        CASE(-EBADMSG, "NAR has unexpected token 'contents' where 'target' was expected",
             (T(&nar, "nix-archive-1"), T(&nar, "("), T(&nar, "type"), T(&nar, "symlink"), T(&nar, "contents")));
        CASE(-EBADMSG, "NAR has unexpected token 'executable' where 'entry' or ')' was expected",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), T(&nar, "executable")));
        CASE(-EBADMSG, "NAR has unexpected token 'type' where 'node' was expected",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), T(&nar, "entry"), T(&nar, "("), T(&nar, "name"),
              T(&nar, "a"), T(&nar, "type")));
        CASE(-EBADMSG, "NAR has unexpected token 'node' where 'name' was expected",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), T(&nar, "entry"), T(&nar, "("), T(&nar, "node")));
        CASE(-EBADMSG, "NAR has unexpected token 'name' where '(' was expected",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), T(&nar, "entry"), T(&nar, "name")));
        CASE(-EBADMSG, "NAR has unexpected token '(' where ')' was expected",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), ENTRY(&nar, "a"), nar_file(&nar, "", false), T(&nar, "(")));
        CASE(-EBADMSG, "NAR has unexpected token 'x\\x00y' where 'type' was expected, in '/a'",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), ENTRY(&nar, "a"), T(&nar, "("), T(&nar, "x\0y")));

        /* Bytes after the root node. */
        CASE(-EBADMSG, "NAR has trailing bytes after its root node",
             (T(&nar, "nix-archive-1"), nar_file(&nar, "x", false), T(&nar, ")")));
        CASE(-EBADMSG, "NAR has trailing bytes after its root node",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), END(&nar), strbuf_addc(&nar, '\0')));

        /* Padding must be zero: after a token, after file contents. */
        CASE(-EBADMSG, "NAR padding is not zero",
             (T(&nar, "nix-archive-1"), T(&nar, "("), raw_u64(&nar, 4), strbuf_add(&nar, "type\0\0\0\x80", 8)));
        CASE(-EBADMSG, "NAR padding is not zero, in '/f'",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), ENTRY(&nar, "f"), T(&nar, "("), T(&nar, "type"),
              T(&nar, "regular"), T(&nar, "contents"), raw_u64(&nar, 3), strbuf_add(&nar, "abc\0\0\0\0x", 8),
              T(&nar, ")"), END(&nar), END(&nar)));

        /* Absurd sizes. */
        CASE(-EBADMSG, "NAR string of 4097 bytes is absurd",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), T(&nar, "entry"), T(&nar, "("), T(&nar, "name"),
              raw_u64(&nar, 4097)));
        CASE(-EBADMSG, "NAR string of 18446744073709551615 bytes is absurd",
             (T(&nar, "nix-archive-1"), T(&nar, "("), raw_u64(&nar, UINT64_MAX)));
        CASE(-EFBIG, "NAR file size 1000000000000000 is absurd",
             (T(&nar, "nix-archive-1"), T(&nar, "("), T(&nar, "type"), T(&nar, "regular"), T(&nar, "contents"),
              raw_u64(&nar, UINT64_C(1000000000000000)), strbuf_adds(&nar, "some bytes")));
        CASE(-EFBIG, "NAR file size 1099511627777 is absurd, in '/f'",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), ENTRY(&nar, "f"), T(&nar, "("), T(&nar, "type"),
              T(&nar, "regular"), T(&nar, "contents"), raw_u64(&nar, (UINT64_C(1) << 40) + 1)));
        /* 2^40 itself passes the size check and runs out of input. */
        CASE(-EBADMSG, "NAR ends early (truncated input)",
             (T(&nar, "nix-archive-1"), T(&nar, "("), T(&nar, "type"), T(&nar, "regular"), T(&nar, "contents"),
              raw_u64(&nar, UINT64_C(1) << 40), strbuf_adds(&nar, "some bytes")));
        CASE(-EBADMSG, "NAR ends early (truncated input), in '/f'",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), ENTRY(&nar, "f"), T(&nar, "("), T(&nar, "type"),
              T(&nar, "regular"), T(&nar, "contents"), raw_u64(&nar, 100), strbuf_adds(&nar, "only 15 of 100")));

        /* Symlink targets. */
        CASE(-EBADMSG, "NAR symlink target is empty", (T(&nar, "nix-archive-1"), nar_link(&nar, "")));
        CASE(-EBADMSG, "NAR symlink target 'a\\x00b' contains a NUL byte, in '/l'",
             (T(&nar, "nix-archive-1"), nar_dir(&nar), ENTRY(&nar, "l"), T(&nar, "("), T(&nar, "type"),
              T(&nar, "symlink"), T(&nar, "target"), T(&nar, "a\0b"), T(&nar, ")"), END(&nar), END(&nar)));
        {
                char target[NAR_MAX_TARGET + 2], want[200];
                _cleanup_strbuf_ StrBuf ok = STRBUF_INIT;

                memset(target, 't', sizeof(target) - 1);
                target[NAR_MAX_TARGET] = '\0';
                T(&ok, "nix-archive-1");
                nar_link(&ok, target);
                restore_and_check(&ok, "target-4095", NULL, 0, NULL);
                target[NAR_MAX_TARGET] = 't';
                target[NAR_MAX_TARGET + 1] = '\0';
                snprintf(want, sizeof(want), "NAR symlink target '%.64s...' is longer than 4095 bytes", target);
                CASE(-ENAMETOOLONG, want, (T(&nar, "nix-archive-1"), nar_link(&nar, target)));
        }
#undef CASE
}

/* Every proper prefix of a NAR is truncated input, at every chunking. */
static void test_truncated(void **state) {
        _cleanup_strbuf_ StrBuf nar = STRBUF_INIT, prefix = STRBUF_INIT;

        T(&nar, "nix-archive-1");
        nar_dir(&nar);
        ENTRY(&nar, "bin");
        nar_dir(&nar);
        ENTRY(&nar, "sh");
        nar_file(&nar, "#!/bin/sh\n", true);
        END(&nar);
        END(&nar);
        END(&nar);
        ENTRY(&nar, "empty");
        nar_dir(&nar);
        END(&nar);
        END(&nar);
        ENTRY(&nar, "lnk");
        nar_link(&nar, "bin/sh");
        END(&nar);
        END(&nar);
        restore_and_check(&nar, "untruncated", NULL, 0, NULL);

        for (size_t n = 0; n < nar.len; n++) {
                _cleanup_free_ char *err = NULL;
                ChunkSource src = { .data = (const uint8_t *) nar.buf, .len = n };

                assert_int_equal(nar_restore(tmpfd, "bad", chunk_source, &src, NULL, NULL, NULL, &err), -EBADMSG);
                assert_non_null(err);
                if (strncmp(err, "NAR ends early (truncated input)", 32) != 0)
                        fail_msg("prefix %zu: \"%s\"", n, err);
                assert_false(exists(tmpfd, "bad"));
                free(err);
                err = NULL;
                assert_int_equal(nar_validate(nar.buf, n, &err), -EBADMSG);
                assert_non_null(err);
                assert_int_equal(strncmp(err, "NAR ends early (truncated input)", 32), 0);
        }
        /* A message names the place. */
        strbuf_add(&prefix, nar.buf, nar.len - 60);
        assert_refused(&prefix, -EBADMSG, "NAR ends early (truncated input), in '/lnk'");
}

/* A NAR cannot write outside path: not through a symlink entry followed by
 * a same-named directory, nor through a name with a '/'. */
static void test_no_escape(void **state) {
        _cleanup_strbuf_ StrBuf nar = STRBUF_INIT, outside = STRBUF_INIT;
        _cleanup_close_ int fd = -EBADF;

        assert_int_equal(mkdirat(tmpfd, "outside", 0755), 0);
        strbuf_addf(&outside, "%s/outside", tmpdir);

        T(&nar, "nix-archive-1");
        nar_dir(&nar);
        ENTRY(&nar, "x");
        nar_link(&nar, outside.buf);
        END(&nar);
        ENTRY(&nar, "x");
        nar_dir(&nar);
        ENTRY(&nar, "pwned");
        nar_file(&nar, "gotcha", false);
        END(&nar);
        END(&nar);
        END(&nar);
        END(&nar);
        assert_refused(&nar, -EBADMSG, "NAR entry name 'x' appears twice");

        strbuf_reset(&nar);
        T(&nar, "nix-archive-1");
        nar_dir(&nar);
        ENTRY(&nar, "x");
        nar_link(&nar, outside.buf);
        END(&nar);
        ENTRY(&nar, "x/pwned");
        nar_file(&nar, "gotcha", false);
        END(&nar);
        END(&nar);
        assert_refused(&nar, -EBADMSG, "NAR entry name 'x/pwned' contains '/'");

        fd = open_dir(tmpfd, "outside");
        assert_false(exists(fd, "pwned"));
}

/* path must not exist: what is there stays as it was, whatever the kinds
 * of the NAR's root and of the object in the way. */
static void test_exists(void **state) {
        static const char *const in_the_way[] = { "exists-dir", "exists-file", "exists-link" };
        static const char *const creating[] = { "creating directory", "creating file", "creating symbolic link" };
        _cleanup_strbuf_ StrBuf dir = STRBUF_INIT, file = STRBUF_INIT, link = STRBUF_INIT;
        const StrBuf *nars[] = { &dir, &file, &link };

        T(&dir, "nix-archive-1");
        nar_dir(&dir);
        END(&dir);
        T(&file, "nix-archive-1");
        nar_file(&file, "new", false);
        T(&link, "nix-archive-1");
        nar_link(&link, "new");

        assert_int_equal(mkdirat(tmpfd, "exists-dir", 0755), 0);
        write_file(tmpfd, "exists-dir/keep", "old", 3, 0644);
        write_file(tmpfd, "exists-file", "old", 3, 0644);
        assert_int_equal(symlinkat("old", tmpfd, "exists-link"), 0);

        for (size_t i = 0; i < ELEMENTSOF(nars); i++)
                for (size_t k = 0; k < ELEMENTSOF(in_the_way); k++) {
                        ChunkSource src = { .data = (const uint8_t *) nars[i]->buf, .len = nars[i]->len };
                        _cleanup_free_ char *err = NULL;
                        char want[128];

                        assert_int_equal(nar_restore(tmpfd, in_the_way[k], chunk_source, &src, NULL, NULL, NULL, &err),
                                         -EEXIST);
                        snprintf(want, sizeof(want), "%s '%s': File exists", creating[i], in_the_way[k]);
                        assert_string_equal(err, want);
                }
        assert_true(exists(tmpfd, "exists-dir/keep"));
        {
                _cleanup_free_ char *data = NULL, *target = NULL;

                assert_int_equal(read_file(tmpfd, "exists-file", 100, &data, NULL), 0);
                assert_string_equal(data, "old");
                assert_int_equal(read_link(tmpfd, "exists-link", &target), 0);
                assert_string_equal(target, "old");
        }
        /* A missing parent is the file system's error. */
        {
                ChunkSource src = { .data = (const uint8_t *) dir.buf, .len = dir.len };
                _cleanup_free_ char *err = NULL;

                assert_int_equal(nar_restore(tmpfd, "no/such/parent", chunk_source, &src, NULL, NULL, NULL, &err),
                                 -ENOENT);
                assert_string_equal(err, "creating directory 'no/such/parent': No such file or directory");
        }
}

/* The source's error stops the restore and comes back with its code (on
 * test_round_trip()'s tree). */
static void test_source_error(void **state) {
        _cleanup_strbuf_ StrBuf nar = STRBUF_INIT;
        _cleanup_free_ char *err = NULL;
        ChunkSource src = { .fail_at = 1024 * 1024, .error = -ECONNRESET, .chunks = odd_chunks,
                            .n_chunks = ELEMENTSOF(odd_chunks) };

        assert_int_equal(nar_dump_path(tmpfd, "tree", strbuf_sink, &nar, NULL), 0);
        src.data = (const uint8_t *) nar.buf;
        src.len = nar.len;
        assert_int_equal(nar_restore(tmpfd, "bad", chunk_source, &src, NULL, NULL, NULL, &err), -ECONNRESET);
        assert_string_equal(err, "reading the NAR: Connection reset by peer, in '/big'");
        assert_false(exists(tmpfd, "bad"));
}

static void test_max_file_size(void **state) {
        _cleanup_strbuf_ StrBuf nar = STRBUF_INIT;
        NarRestoreOptions opts = { .max_file_size = 10 };
        ChunkSource src;
        char *err = NULL;

        T(&nar, "nix-archive-1");
        nar_dir(&nar);
        ENTRY(&nar, "ten");
        nar_file(&nar, "0123456789", false);
        END(&nar);
        END(&nar);
        restore_and_check(&nar, "max-ok", NULL, 0, &opts);

        strbuf_reset(&nar);
        T(&nar, "nix-archive-1");
        nar_dir(&nar);
        ENTRY(&nar, "eleven");
        nar_file(&nar, "0123456789a", false);
        END(&nar);
        END(&nar);
        assert_refused_opts(&nar, &opts, -EFBIG, "NAR file size 11 exceeds the limit of 10 bytes, in '/eleven'");
        /* Without the option it is fine. */
        src = (ChunkSource) { .data = (const uint8_t *) nar.buf, .len = nar.len };
        assert_int_equal(nar_restore(tmpfd, "max-none", chunk_source, &src, NULL, NULL, NULL, &err), 0);
        assert_null(err);
}

/* NAR_MAX_DEPTH nested directories restore; one more is refused. */
static void test_depth(void **state) {
        _cleanup_strbuf_ StrBuf ok = STRBUF_INIT, deep = STRBUF_INIT;
        _cleanup_free_ char *err = NULL;
        struct rlimit rl;

        assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
        if (rl.rlim_cur < NAR_MAX_DEPTH + 64) {
                rl.rlim_cur = rl.rlim_max < NAR_MAX_DEPTH + 64 ? rl.rlim_max : NAR_MAX_DEPTH + 64;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
                if (rl.rlim_cur < NAR_MAX_DEPTH + 64)
                        skip();
        }

        for (int levels = NAR_MAX_DEPTH; levels <= NAR_MAX_DEPTH + 1; levels++) {
                StrBuf *sb = levels == NAR_MAX_DEPTH ? &ok : &deep;

                T(sb, "nix-archive-1");
                for (int i = 0; i < levels; i++) {
                        nar_dir(sb);
                        if (i < levels - 1)
                                ENTRY(sb, "d");
                }
                for (int i = 0; i < levels; i++) {
                        END(sb);
                        if (i < levels - 1)
                                END(sb);
                }
        }
        restore_and_check(&ok, "deep-ok", NULL, 0, NULL);

        assert_int_equal(nar_validate(deep.buf, deep.len, &err), -ELOOP);
        {
                static const char want[] = "NAR directories nest deeper than 2048 levels, in '/d/d/d/";

                assert_int_equal(strncmp(err, want, sizeof(want) - 1), 0);
        }
        assert_int_equal(strcmp(err + strlen(err) - 4, "...'"), 0);
        {
                ChunkSource src = { .data = (const uint8_t *) deep.buf, .len = deep.len };
                _cleanup_free_ char *err2 = NULL;

                assert_int_equal(nar_restore(tmpfd, "bad", chunk_source, &src, NULL, NULL, NULL, &err2), -ELOOP);
                assert_string_equal(err, err2);
                assert_false(exists(tmpfd, "bad"));
        }
}

/* Runs the restore in a child with FIRN_FAULT_AT=step. Returns its exit
 * status (see restore_child()). */
static int run_faulted(const char *nar_file, const char *dir, unsigned long step) {
        pid_t pid = fork();
        int status;

        assert_true(pid >= 0);
        if (pid == 0) {
                char n[32];

                snprintf(n, sizeof(n), "%lu", step);
                setenv("FIRN_FAULT_AT", n, 1);
                execl("/proc/self/exe", "test-nar-restore", "--restore-child", nar_file, dir, (char *) NULL);
                _exit(127);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

/* Every write, fsync, mkdir and symlink of a restore (with sync) fails in
 * turn: each time the restore fails with EIO and leaves nothing; past the
 * last step it succeeds. */
static void test_fault_injection(void **state) {
        _cleanup_strbuf_ StrBuf nar = STRBUF_INIT, file = STRBUF_INIT, dir = STRBUF_INIT;
        unsigned long step;
        Hash h, want;

        T(&nar, "nix-archive-1");
        nar_dir(&nar);
        ENTRY(&nar, "bin");
        nar_dir(&nar);
        ENTRY(&nar, "sh");
        nar_file(&nar, "#!/bin/sh\n", true);
        END(&nar);
        END(&nar);
        END(&nar);
        ENTRY(&nar, "empty");
        nar_dir(&nar);
        END(&nar);
        END(&nar);
        ENTRY(&nar, "f");
        nar_file(&nar, "data", false);
        END(&nar);
        ENTRY(&nar, "lnk");
        nar_link(&nar, "bin/sh");
        END(&nar);
        END(&nar);

        strbuf_addf(&file, "%s/fault.nar", tmpdir);
        assert_int_equal(write_file_atomic(AT_FDCWD, file.buf, nar.buf, nar.len, 0644), 0);
        assert_int_equal(mkdirat(tmpfd, "fault", 0755), 0);
        strbuf_addf(&dir, "%s/fault", tmpdir);

        for (step = 1; step < 1000; step++) {
                int st = run_faulted(file.buf, dir.buf, step);

                if (st == 0)
                        break;
                if (st != 1)
                        fail_msg("step %lu: child exited %d", step, st);
        }
        /* mkdir x3, write x2, fsync x2 files + 3 dirs + parent, symlink. */
        assert_int_equal(step, 13);
        assert_int_equal(nar_hash_path(tmpfd, "fault/out", HASH_SHA256, &h, NULL, NULL), 0);
        hash_buffer(HASH_SHA256, nar.buf, nar.len, &want);
        assert_memory_equal(h.bytes, want.bytes, 32);
}

/* The child of test_fault_injection(): restores the NAR in file nar_file
 * at DIR/out with sync. Exits 0 on success, 1 when it failed with EIO and
 * left nothing, 2 otherwise. */
static int restore_child(const char *nar_file, const char *dir) {
        _cleanup_free_ char *data = NULL, *err = NULL;
        _cleanup_close_ int dfd = -EBADF;
        NarRestoreOptions opts = { .sync = true };
        ChunkSource src = { 0 };
        size_t len;
        int r;

        if (read_file(AT_FDCWD, nar_file, 1 << 20, &data, &len) < 0)
                return 2;
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return 2;
        src.data = (const uint8_t *) data;
        src.len = len;
        r = nar_restore(dfd, "out", chunk_source, &src, &opts, NULL, NULL, &err);
        if (r == 0)
                return 0;
        if (r == -EIO && err && !exists(dfd, "out"))
                return 1;
        fprintf(stderr, "restore-child: %d %s\n", r, err ? err : "(no message)");
        return 2;
}

static int setup(void **state) {
        if (!mkdtemp(tmpdir))
                return -1;
        tmpfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return tmpfd >= 0 ? 0 : -1;
}

static int teardown(void **state) {
        close(tmpfd);
        return rm_rf(AT_FDCWD, tmpdir, NULL) == 0 ? 0 : -1;
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_nix_vectors),
                cmocka_unit_test(test_bad_names),
                cmocka_unit_test(test_bad_grammar),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_no_escape),
                cmocka_unit_test(test_exists),
                cmocka_unit_test(test_source_error),
                cmocka_unit_test(test_max_file_size),
                cmocka_unit_test(test_depth),
                cmocka_unit_test(test_fault_injection),
        };

        if (argc == 4 && strcmp(argv[1], "--restore-child") == 0)
                return restore_child(argv[2], argv[3]);
        if (argc != 2) {
                fprintf(stderr, "usage: %s nar.json\n", argv[0]);
                return 2;
        }
        nar_vectors_path = argv[1];
        return cmocka_run_group_tests(tests, setup, teardown);
}
