#include "nar-restore.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fault.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"

/* The input buffer: file contents are written straight out of it, so it is
 * large enough for big writes (nar.c's buffer has the same size). */
#define NAR_RESTORE_BUFFER_SIZE (256 * 1024)

/* At most this many bytes of a name, target or token go into a message,
 * and of the place in the NAR. */
#define NAR_QUOTE_MAX 64
#define NAR_QUOTE_PATH_MAX 1024

typedef struct NarReader {
        NarSource source;
        void *userdata;
        uint8_t *buf;           /* NAR_RESTORE_BUFFER_SIZE bytes; buf[pos..end) is unread */
        size_t pos, end;
        bool eof;               /* the source has said 0 */
        HashCtx *hash;          /* NULL: not hashed */
        uint64_t consumed;      /* bytes parsed so far */

        bool write;             /* false: validate only (no fd is used) */
        bool root_created;      /* path is ours: remove it on failure */
        const char *target;     /* the restore's path, for messages */
        bool sync;
        uint64_t max_file_size; /* 0: none */

        StrBuf path;            /* the current node inside the NAR: "" (root), "/a", "/a/b" */
        unsigned depth;         /* directories around the current node */
        char tok[NAR_MAX_TOKEN + 1]; /* the last string token, NUL-terminated */
        size_t tok_len;
        char *error;            /* the message of the first failure */
} NarReader;

/* Appends s (n bytes, at most max of them, then "...") with bytes that do
 * not print, '\'' and '\\' as \xNN. */
static void add_quoted(StrBuf *sb, const void *s, size_t n, size_t max) {
        const uint8_t *p = s;

        for (size_t i = 0; i < n && i < max; i++) {
                if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '\'' || p[i] == '\\')
                        strbuf_addf(sb, "\\x%02x", p[i]);
                else
                        strbuf_addc(sb, (char) p[i]);
        }
        if (n > max)
                strbuf_adds(sb, "...");
}

/* A format error: records the message plus the node's place in the NAR
 * (the first failure wins) and returns err. Names and tokens go in through
 * quoted(). */
_printf_(3, 4) static int nar_bad(NarReader *r, int err, const char *fmt, ...) {
        StrBuf sb = STRBUF_INIT;
        va_list ap;

        if (r->error)
                return err;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        if (r->path.len > 0) {
                strbuf_adds(&sb, ", in '");
                add_quoted(&sb, r->path.buf, r->path.len, NAR_QUOTE_PATH_MAX);
                strbuf_addc(&sb, '\'');
        }
        r->error = strbuf_detach(&sb, NULL);
        return err;
}

/* A failed system call on the current node: "WHAT 'TARGET/a/b': strerror". */
static int nar_fail(NarReader *r, int err, const char *what) {
        StrBuf sb = STRBUF_INIT;

        if (r->error)
                return err;
        strbuf_addf(&sb, "%s '%s%s': %s", what, r->target, r->path.buf, strerror(-err));
        r->error = strbuf_detach(&sb, NULL);
        return err;
}

/* Malloc'ed quoted form of s, for messages. */
static char *quoted(const void *s, size_t n) {
        StrBuf sb = STRBUF_INIT;

        add_quoted(&sb, s, n, NAR_QUOTE_MAX);
        return strbuf_detach(&sb, NULL);
}

static int nar_truncated(NarReader *r) {
        return nar_bad(r, -EBADMSG, "NAR ends early (truncated input)");
}

/* Makes at least want (<= the buffer size) bytes available unless the input
 * ends first. Returns the number available (fewer than want only at the
 * end), or a negative errno. */
static ssize_t nar_fill(NarReader *r, size_t want) {
        assert(want <= NAR_RESTORE_BUFFER_SIZE);

        if (r->end - r->pos >= want || r->eof)
                return (ssize_t) (r->end - r->pos);
        if (NAR_RESTORE_BUFFER_SIZE - r->pos < want) {
                memmove(r->buf, r->buf + r->pos, r->end - r->pos);
                r->end -= r->pos;
                r->pos = 0;
        }
        while (r->end - r->pos < want) {
                size_t room = NAR_RESTORE_BUFFER_SIZE - r->end;
                ssize_t n = r->source(r->userdata, r->buf + r->end, room);

                if (n == -EINTR)
                        continue;
                if (n < 0) {
                        int err = n >= INT_MIN ? (int) n : -EIO;

                        return nar_bad(r, err, "reading the NAR: %s", strerror(-err));
                }
                if ((size_t) n > room)
                        return nar_bad(r, -EIO, "the NAR source returned more bytes than asked for");
                if (n == 0) {
                        r->eof = true;
                        break;
                }
                r->end += (size_t) n;
        }
        return (ssize_t) (r->end - r->pos);
}

/* Marks n available bytes as parsed. */
static void nar_consume(NarReader *r, size_t n) {
        assert(n <= r->end - r->pos);
        if (r->hash)
                hash_ctx_update(r->hash, r->buf + r->pos, n);
        r->pos += n;
        r->consumed += n;
}

/* Reads n (<= the buffer size) bytes into dst. */
static int nar_read(NarReader *r, void *dst, size_t n) {
        ssize_t avail = nar_fill(r, n);

        if (avail < 0)
                return (int) avail;
        if ((size_t) avail < n)
                return nar_truncated(r);
        memcpy(dst, r->buf + r->pos, n);
        nar_consume(r, n);
        return 0;
}

static int nar_read_u64(NarReader *r, uint64_t *ret) {
        uint8_t b[8];
        uint64_t v = 0;
        int k;

        if ((k = nar_read(r, b, sizeof(b))) < 0)
                return k;
        for (unsigned i = 0; i < 8; i++)
                v |= (uint64_t) b[i] << (8 * i);
        *ret = v;
        return 0;
}

/* The zero padding after a string of len bytes. */
static int nar_read_padding(NarReader *r, uint64_t len) {
        uint8_t pad[8];
        size_t n = (size_t) ((8 - len % 8) % 8);
        int k;

        if ((k = nar_read(r, pad, n)) < 0)
                return k;
        for (size_t i = 0; i < n; i++)
                if (pad[i] != 0)
                        return nar_bad(r, -EBADMSG, "NAR padding is not zero");
        return 0;
}

/* Reads a string token (not file contents) into r->tok. */
static int nar_read_token(NarReader *r) {
        uint64_t len;
        int k;

        if ((k = nar_read_u64(r, &len)) < 0)
                return k;
        if (len > NAR_MAX_TOKEN)
                return nar_bad(r, -EBADMSG, "NAR string of %llu bytes is absurd", (unsigned long long) len);
        if ((k = nar_read(r, r->tok, (size_t) len)) < 0)
                return k;
        r->tok[len] = '\0';
        r->tok_len = (size_t) len;
        return nar_read_padding(r, len);
}

static bool nar_token_is(const NarReader *r, const char *lit) {
        return r->tok_len == strlen(lit) && memcmp(r->tok, lit, r->tok_len) == 0;
}

/* The token r->tok where `expected` (a description) should be. */
static int nar_unexpected(NarReader *r, const char *expected) {
        _cleanup_free_ char *q = quoted(r->tok, r->tok_len);

        return nar_bad(r, -EBADMSG, "NAR has unexpected token '%s' where %s was expected", q, expected);
}

/* Reads the token lit. */
static int nar_expect(NarReader *r, const char *lit) {
        int k;

        if ((k = nar_read_token(r)) < 0)
                return k;
        if (!nar_token_is(r, lit)) {
                _cleanup_free_ char *want = quoted(lit, strlen(lit));
                StrBuf sb = STRBUF_INIT;

                strbuf_addf(&sb, "'%s'", want);
                k = nar_unexpected(r, sb.buf);
                strbuf_release(&sb);
                return k;
        }
        return 0;
}

/* "regular" ["executable" ""] "contents" BYTES ")", at name in dfd. */
static int nar_restore_regular(NarReader *r, int dfd, const char *name) {
        _cleanup_close_ int fd = -EBADF;
        bool executable = false;
        uint64_t size, remaining;
        int k;

        if ((k = nar_read_token(r)) < 0)
                return k;
        if (nar_token_is(r, "executable")) {
                executable = true;
                if ((k = nar_read_token(r)) < 0)
                        return k;
                if (r->tok_len != 0) {
                        _cleanup_free_ char *q = quoted(r->tok, r->tok_len);

                        return nar_bad(r, -EBADMSG, "NAR executable marker has the value '%s', not ''", q);
                }
                if ((k = nar_expect(r, "contents")) < 0)
                        return k;
        } else if (!nar_token_is(r, "contents"))
                return nar_unexpected(r, "'executable' or 'contents'");

        if ((k = nar_read_u64(r, &size)) < 0)
                return k;
        if (size > NAR_MAX_FILE_SIZE)
                return nar_bad(r, -EFBIG, "NAR file size %llu is absurd", (unsigned long long) size);
        if (r->max_file_size > 0 && size > r->max_file_size)
                return nar_bad(r, -EFBIG, "NAR file size %llu exceeds the limit of %llu bytes",
                               (unsigned long long) size, (unsigned long long) r->max_file_size);

        if (r->write) {
                mode_t mode = executable ? 0755 : 0644;

                fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
                if (fd < 0)
                        return nar_fail(r, -errno, "creating file");
                r->root_created |= r->depth == 0;
                /* Exactly this mode, whatever the umask. */
                if (fchmod(fd, mode) < 0)
                        return nar_fail(r, -errno, "setting the mode of");
        }

        for (remaining = size; remaining > 0;) {
                size_t want = remaining < NAR_RESTORE_BUFFER_SIZE ? (size_t) remaining : NAR_RESTORE_BUFFER_SIZE;
                ssize_t avail = nar_fill(r, want);

                if (avail < 0)
                        return (int) avail;
                if (avail == 0)
                        return nar_truncated(r);
                if ((size_t) avail > want)
                        avail = (ssize_t) want;
                if (r->write && (k = fd_write_all(fd, r->buf + r->pos, (size_t) avail)) < 0)
                        return nar_fail(r, k, "writing file");
                nar_consume(r, (size_t) avail);
                remaining -= (uint64_t) avail;
        }
        if ((k = nar_read_padding(r, size)) < 0)
                return k;

        if (r->write && r->sync && (k = fd_sync(fd)) < 0)
                return nar_fail(r, k, "syncing file");
        return nar_expect(r, ")");
}

/* "symlink" "target" TARGET ")", at name in dfd. */
static int nar_restore_symlink(NarReader *r, int dfd, const char *name) {
        int k;

        if ((k = nar_expect(r, "target")) < 0 || (k = nar_read_token(r)) < 0)
                return k;
        if (r->tok_len == 0)
                return nar_bad(r, -EBADMSG, "NAR symlink target is empty");
        if (memchr(r->tok, '\0', r->tok_len)) {
                _cleanup_free_ char *q = quoted(r->tok, r->tok_len);

                return nar_bad(r, -EBADMSG, "NAR symlink target '%s' contains a NUL byte", q);
        }
        if (r->tok_len > NAR_MAX_TARGET) {
                _cleanup_free_ char *q = quoted(r->tok, r->tok_len);

                return nar_bad(r, -ENAMETOOLONG, "NAR symlink target '%s' is longer than %d bytes", q,
                               NAR_MAX_TARGET);
        }
        if (r->write) {
                if ((k = fault_point("symlink")) < 0)
                        return nar_fail(r, k, "creating symbolic link");
                if (symlinkat(r->tok, dfd, name) < 0)
                        return nar_fail(r, -errno, "creating symbolic link");
                r->root_created |= r->depth == 0;
        }
        return nar_expect(r, ")");
}

/* Refuses an entry name (r->tok) that a directory cannot hold. */
static int nar_check_name(NarReader *r) {
        _cleanup_free_ char *q = NULL;

        if (r->tok_len == 0)
                return nar_bad(r, -EBADMSG, "NAR entry name is empty");
        q = quoted(r->tok, r->tok_len);
        if (nar_token_is(r, ".") || nar_token_is(r, ".."))
                return nar_bad(r, -EBADMSG, "NAR entry name '%s' is not allowed", q);
        if (memchr(r->tok, '/', r->tok_len))
                return nar_bad(r, -EBADMSG, "NAR entry name '%s' contains '/'", q);
        if (memchr(r->tok, '\0', r->tok_len))
                return nar_bad(r, -EBADMSG, "NAR entry name '%s' contains a NUL byte", q);
        if (r->tok_len > NAR_MAX_NAME)
                return nar_bad(r, -ENAMETOOLONG, "NAR entry name '%s' is longer than %d bytes", q, NAR_MAX_NAME);
        return 0;
}

static int nar_restore_node(NarReader *r, int dfd, const char *name);

/* "directory" { "entry" "(" "name" NAME "node" node ")" } ")", at name in
 * dfd. */
static int nar_restore_directory(NarReader *r, int dfd, const char *name) {
        _cleanup_strbuf_ StrBuf prev = STRBUF_INIT; /* the last entry's name */
        _cleanup_close_ int fd = -EBADF;
        bool first = true;
        int k;

        if (r->depth >= NAR_MAX_DEPTH)
                return nar_bad(r, -ELOOP, "NAR directories nest deeper than %d levels", NAR_MAX_DEPTH);

        if (r->write) {
                if ((k = fault_point("mkdir")) < 0)
                        return nar_fail(r, k, "creating directory");
                if (mkdirat(dfd, name, 0755) < 0)
                        return nar_fail(r, -errno, "creating directory");
                r->root_created |= r->depth == 0;
                fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return nar_fail(r, -errno, "opening directory");
                /* Exactly 0755, whatever the umask (entries need the owner's w). */
                if (fchmod(fd, 0755) < 0)
                        return nar_fail(r, -errno, "setting the mode of");
        }

        for (;;) {
                size_t path_len = r->path.len;

                if ((k = nar_read_token(r)) < 0)
                        return k;
                if (nar_token_is(r, ")"))
                        break;
                if (!nar_token_is(r, "entry"))
                        return nar_unexpected(r, "'entry' or ')'");
                if ((k = nar_expect(r, "(")) < 0 || (k = nar_expect(r, "name")) < 0 || (k = nar_read_token(r)) < 0 ||
                    (k = nar_check_name(r)) < 0)
                        return k;

                /* Bytewise strictly increasing: sorted, no duplicates. */
                if (!first) {
                        int c = memcmp(r->tok, prev.buf, r->tok_len < prev.len ? r->tok_len : prev.len);

                        if (c == 0)
                                c = (r->tok_len > prev.len) - (r->tok_len < prev.len);
                        if (c <= 0) {
                                _cleanup_free_ char *q = quoted(r->tok, r->tok_len), *qp = quoted(prev.buf, prev.len);

                                if (c == 0)
                                        return nar_bad(r, -EBADMSG, "NAR entry name '%s' appears twice", q);
                                return nar_bad(r, -EBADMSG, "NAR entry names are not sorted: '%s' after '%s'", q,
                                               qp);
                        }
                }
                first = false;
                strbuf_reset(&prev);
                strbuf_add(&prev, r->tok, r->tok_len);

                if ((k = nar_expect(r, "node")) < 0)
                        return k;
                strbuf_addc(&r->path, '/');
                strbuf_add(&r->path, prev.buf, prev.len);
                r->depth++;
                k = nar_restore_node(r, fd, prev.buf);
                r->depth--;
                if (k < 0)
                        return k;
                r->path.len = path_len;
                r->path.buf[path_len] = '\0';
                if ((k = nar_expect(r, ")")) < 0)
                        return k;
        }

        if (r->write && r->sync && (k = fd_sync(fd)) < 0)
                return nar_fail(r, k, "syncing directory");
        return 0;
}

/* "(" "type" body, with body's closing ")"; the object is name in dfd. */
static int nar_restore_node(NarReader *r, int dfd, const char *name) {
        int k;

        if ((k = nar_expect(r, "(")) < 0 || (k = nar_expect(r, "type")) < 0 || (k = nar_read_token(r)) < 0)
                return k;
        if (nar_token_is(r, "regular"))
                return nar_restore_regular(r, dfd, name);
        if (nar_token_is(r, "symlink"))
                return nar_restore_symlink(r, dfd, name);
        if (nar_token_is(r, "directory"))
                return nar_restore_directory(r, dfd, name);
        {
                _cleanup_free_ char *q = quoted(r->tok, r->tok_len);

                return nar_bad(r, -EBADMSG, "NAR node type '%s' is unknown", q);
        }
}

/* The magic, the root node at path in dirfd, the end of the input. */
static int nar_restore_all(NarReader *r, int dirfd, const char *path) {
        static const char magic[] = "nix-archive-1";
        uint64_t len;
        ssize_t avail;
        int k;

        /* A wrong length is a wrong magic, whatever its size. */
        if ((k = nar_read_u64(r, &len)) < 0)
                return k;
        if (len != sizeof(magic) - 1)
                return nar_bad(r, -EBADMSG, "input is not a NAR: wrong magic");
        if ((k = nar_read(r, r->tok, sizeof(magic) - 1)) < 0)
                return k;
        if (memcmp(r->tok, magic, sizeof(magic) - 1) != 0)
                return nar_bad(r, -EBADMSG, "input is not a NAR: wrong magic");
        if ((k = nar_read_padding(r, len)) < 0)
                return k;

        if ((k = nar_restore_node(r, dirfd, path)) < 0)
                return k;

        avail = nar_fill(r, 1);
        if (avail < 0)
                return (int) avail;
        if (avail > 0)
                return nar_bad(r, -EBADMSG, "NAR has trailing bytes after its root node");
        return 0;
}

/* Runs the parse set up in r (see nar_restore()); frees what r holds. */
static int nar_reader_run(NarReader *r, int dirfd, const char *path, Hash *ret_sha256, uint64_t *ret_nar_size,
                          char **ret_error) {
        int k;

        if (ret_sha256) {
                r->hash = hash_ctx_new(HASH_SHA256);
                if (!r->hash) {
                        if (ret_error)
                                *ret_error = xstrdup("out of memory");
                        return -ENOMEM;
                }
        }
        r->buf = xmalloc(NAR_RESTORE_BUFFER_SIZE);

        k = nar_restore_all(r, dirfd, path);
        if (k >= 0 && r->write && r->sync && (k = sync_parent_dir(dirfd, path)) < 0)
                (void) nar_fail(r, k, "syncing the directory that holds");

        if (k < 0) {
                /* Nothing was at path before the root was created there. */
                if (r->root_created)
                        (void) rm_rf(dirfd, path, NULL);
                hash_ctx_free(r->hash);
                if (ret_error)
                        *ret_error = r->error ? TAKE_PTR(r->error) : xstrdup(strerror(-k));
        } else {
                if (r->hash)
                        hash_ctx_finish(r->hash, ret_sha256);
                if (ret_nar_size)
                        *ret_nar_size = r->consumed;
        }
        free(r->error);
        free(r->buf);
        strbuf_release(&r->path);
        return k < 0 ? k : 0;
}

int nar_restore(int dirfd, const char *path, NarSource source, void *userdata, const NarRestoreOptions *opts,
                Hash *ret_sha256, uint64_t *ret_nar_size, char **ret_error) {
        NarReader r = {
                .source = source,
                .userdata = userdata,
                .write = true,
                .target = path,
                .sync = opts && opts->sync,
                .max_file_size = opts ? opts->max_file_size : 0,
                .path = STRBUF_INIT,
        };

        assert(path);
        assert(source);
        return nar_reader_run(&r, dirfd, path, ret_sha256, ret_nar_size, ret_error);
}

typedef struct MemorySource {
        const uint8_t *data;
        size_t len;
} MemorySource;

static ssize_t memory_source(void *userdata, void *buf, size_t len) {
        MemorySource *m = userdata;
        size_t n = len < m->len ? len : m->len;

        if (n == 0)
                return 0;
        memcpy(buf, m->data, n);
        m->data += n;
        m->len -= n;
        return (ssize_t) n;
}

int nar_validate(const void *data, size_t len, char **ret_error) {
        MemorySource m = { .data = data, .len = len };
        NarReader r = {
                .source = memory_source,
                .userdata = &m,
                .target = "",
                .path = STRBUF_INIT,
        };

        assert(data || len == 0);
        return nar_reader_run(&r, AT_FDCWD, "", NULL, NULL, ret_error);
}
