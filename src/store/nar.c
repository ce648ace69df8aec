#include "nar.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "strbuf.h"
#include "xalloc.h"

/* One buffer for the framing and the file contents read straight into it:
 * big enough that read() and the sink get large chunks, small enough to
 * stay in the L2 cache while it is hashed. */
#define NAR_BUFFER_SIZE (256 * 1024)

typedef struct NarWriter {
        uint8_t *buf;
        size_t len;
        NarSink sink;
        void *userdata;
        int sink_error;     /* the sink's error, once it has failed */
        StrBuf path;        /* the object being archived, for messages */
        char *error;        /* the message for the first failure */
        unsigned depth;
        char *link;         /* readlink buffer */
        size_t link_size;
        NarFilter filter;   /* NULL: every entry */
        void *filter_userdata;
} NarWriter;

static int nar_flush(NarWriter *w) {
        int r;

        if (w->len == 0)
                return 0;
        r = w->sink(w->userdata, w->buf, w->len);
        w->len = 0;
        if (r < 0) {
                w->sink_error = r;
                return r;
        }
        return 0;
}

static int nar_put(NarWriter *w, const void *data, size_t n) {
        int r;

        if (n > NAR_BUFFER_SIZE - w->len) {
                r = nar_flush(w);
                if (r < 0)
                        return r;
                if (n >= NAR_BUFFER_SIZE) {
                        r = w->sink(w->userdata, data, n);
                        if (r < 0)
                                w->sink_error = r;
                        return r < 0 ? r : 0;
                }
        }
        memcpy(w->buf + w->len, data, n);
        w->len += n;
        return 0;
}

static int nar_put_u64(NarWriter *w, uint64_t v) {
        uint8_t b[8];

        for (unsigned i = 0; i < 8; i++)
                b[i] = (uint8_t) (v >> (8 * i));
        return nar_put(w, b, sizeof(b));
}

static int nar_put_padding(NarWriter *w, uint64_t len) {
        static const uint8_t zeros[8];

        if (len % 8 == 0)
                return 0;
        return nar_put(w, zeros, 8 - len % 8);
}

static int nar_put_bytes(NarWriter *w, const void *s, size_t n) {
        int r;

        if ((r = nar_put_u64(w, n)) < 0 || (r = nar_put(w, s, n)) < 0)
                return r;
        return nar_put_padding(w, n);
}

/* A literal token of the grammar. */
#define nar_put_token(w, lit) nar_put_bytes((w), (lit), sizeof(lit) - 1)

/* Records a message about the current object (the first failure wins) and
 * returns r. fmt has one %s, for the object's path. */
static int nar_fail_msg(NarWriter *w, int r, const char *fmt) {
        StrBuf sb = STRBUF_INIT;

        if (!w->error) {
                strbuf_addf(&sb, fmt, w->path.buf);
                w->error = strbuf_detach(&sb, NULL);
        }
        return r;
}

/* The same, for a failed system call: "WHAT 'PATH': strerror". */
static int nar_fail(NarWriter *w, int r, const char *what) {
        StrBuf sb = STRBUF_INIT;

        if (!w->error) {
                strbuf_addf(&sb, "%s '%s': %s", what, w->path.buf, strerror(-r));
                w->error = strbuf_detach(&sb, NULL);
        }
        return r;
}

/* The regular file name (relative to dfd): its mode and contents. */
static int nar_dump_regular(NarWriter *w, int dfd, const char *name) {
        _cleanup_close_ int fd = -EBADF;
        uint64_t remaining;
        struct stat st;
        int r;

        fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return nar_fail(w, -errno, "opening file");
        /* The open file's own status, so size and mode match what is read. */
        if (fstat(fd, &st) < 0)
                return nar_fail(w, -errno, "getting status of");
        if (!S_ISREG(st.st_mode))
                return nar_fail_msg(w, -EBADFD, "file '%s' has an unsupported type");

        if ((r = nar_put_token(w, "regular")) < 0)
                return r;
        if (st.st_mode & S_IXUSR)
                if ((r = nar_put_token(w, "executable")) < 0 || (r = nar_put_token(w, "")) < 0)
                        return r;
        if ((r = nar_put_token(w, "contents")) < 0 || (r = nar_put_u64(w, (uint64_t) st.st_size)) < 0)
                return r;

        remaining = (uint64_t) st.st_size;
        if (remaining > NAR_BUFFER_SIZE)
                (void) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        while (remaining > 0) {
                size_t room;
                ssize_t n;

                /* Keep reads large: flush rather than read a sliver. */
                if (NAR_BUFFER_SIZE - w->len < 4096 && (r = nar_flush(w)) < 0)
                        return r;
                room = NAR_BUFFER_SIZE - w->len;
                if (room > remaining)
                        room = (size_t) remaining;
                n = read(fd, w->buf + w->len, room);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return nar_fail(w, -errno, "reading file");
                }
                if (n == 0) /* the file shrank after fstat */
                        return nar_fail_msg(w, -EIO, "reading file '%s': unexpected end-of-file");
                w->len += (size_t) n;
                remaining -= (uint64_t) n;
        }
        return nar_put_padding(w, (uint64_t) st.st_size);
}

static int nar_dump_symlink(NarWriter *w, int dfd, const char *name, const struct stat *st) {
        size_t want = (size_t) st->st_size + 1;
        ssize_t n;
        int r;

        for (;;) {
                if (w->link_size < want) {
                        w->link_size = want < 256 ? 256 : want;
                        free(w->link);
                        w->link = xmalloc(w->link_size);
                }
                n = readlinkat(dfd, name, w->link, w->link_size);
                if (n < 0)
                        return nar_fail(w, -errno, "reading symbolic link");
                if ((size_t) n < w->link_size)
                        break;
                /* Truncated: the link changed since lstat. */
                if (w->link_size > SIZE_MAX / 2)
                        return nar_fail(w, -ENAMETOOLONG, "reading symbolic link");
                want = w->link_size * 2;
        }
        if ((r = nar_put_token(w, "symlink")) < 0 || (r = nar_put_token(w, "target")) < 0)
                return r;
        return nar_put_bytes(w, w->link, (size_t) n);
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int nar_dump_node(NarWriter *w, int dfd, const char *name);

static int nar_dump_directory(NarWriter *w, int dfd, const char *name) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_free_ const char **names = NULL;
        _cleanup_strbuf_ StrBuf blob = STRBUF_INIT;
        _cleanup_free_ size_t *offsets = NULL;
        size_t n = 0, alloc = 0, path_len;
        int fd, r;

        if (w->depth >= NAR_MAX_DEPTH)
                return nar_fail(w, -ELOOP, "opening directory");

        fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW);
        if (fd < 0)
                return nar_fail(w, -errno, "opening directory");
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return nar_fail(w, r, "opening directory");
        }

        /* All names first (one blob), then sort them. */
        for (;;) {
                struct dirent *de;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return nar_fail(w, -errno, "reading directory");
                        break;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 16;
                        offsets = xrealloc(offsets, alloc * sizeof(*offsets));
                }
                offsets[n++] = blob.len;
                strbuf_add(&blob, de->d_name, strlen(de->d_name) + 1);
        }
        names = xmalloc((n ? n : 1) * sizeof(*names));
        for (size_t i = 0; i < n; i++)
                names[i] = blob.buf + offsets[i];
        qsort(names, n, sizeof(*names), cmp_names);

        if ((r = nar_put_token(w, "directory")) < 0)
                return r;

        path_len = w->path.len;
        w->depth++;
        for (size_t i = 0; i < n; i++) {
                if (w->filter) {
                        struct stat st;

                        strbuf_addc(&w->path, '/');
                        strbuf_adds(&w->path, names[i]);
                        if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
                                r = nar_fail(w, -errno, "getting status of");
                        else
                                r = w->filter(w->filter_userdata, w->path.buf, &st);
                        w->path.len = path_len;
                        w->path.buf[path_len] = '\0';
                        if (r < 0)
                                break;
                        if (r == 0)
                                continue;
                }
                if ((r = nar_put_token(w, "entry")) < 0 || (r = nar_put_token(w, "(")) < 0 ||
                    (r = nar_put_token(w, "name")) < 0 || (r = nar_put_bytes(w, names[i], strlen(names[i]))) < 0 ||
                    (r = nar_put_token(w, "node")) < 0)
                        break;
                /* Nix names a child PATH "/" NAME, even when PATH is "/". */
                strbuf_addc(&w->path, '/');
                strbuf_adds(&w->path, names[i]);
                r = nar_dump_node(w, dirfd(d), names[i]);
                w->path.len = path_len;
                w->path.buf[path_len] = '\0';
                if (r < 0 || (r = nar_put_token(w, ")")) < 0)
                        break;
        }
        w->depth--;
        return r < 0 ? r : 0;
}

static int nar_dump_node(NarWriter *w, int dfd, const char *name) {
        struct stat st;
        int r;

        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return nar_fail(w, -errno, "getting status of");

        if ((r = nar_put_token(w, "(")) < 0 || (r = nar_put_token(w, "type")) < 0)
                return r;
        if (S_ISREG(st.st_mode))
                r = nar_dump_regular(w, dfd, name);
        else if (S_ISLNK(st.st_mode))
                r = nar_dump_symlink(w, dfd, name, &st);
        else if (S_ISDIR(st.st_mode))
                r = nar_dump_directory(w, dfd, name);
        else
                r = nar_fail_msg(w, -EBADFD, "file '%s' has an unsupported type");
        if (r < 0)
                return r;
        return nar_put_token(w, ")");
}

int nar_dump_path(int dirfd, const char *path, NarSink sink, void *userdata, char **ret_error) {
        return nar_dump_path_filtered(dirfd, path, NULL, NULL, sink, userdata, ret_error);
}

int nar_dump_path_filtered(int dirfd, const char *path, NarFilter filter, void *filter_userdata, NarSink sink,
                           void *userdata, char **ret_error) {
        NarWriter w = {
                .sink = sink,
                .userdata = userdata,
                .path = STRBUF_INIT,
                .filter = filter,
                .filter_userdata = filter_userdata,
        };
        int r;

        assert(path);
        assert(sink);

        w.buf = xmalloc(NAR_BUFFER_SIZE);
        strbuf_adds(&w.path, path);

        r = nar_put_token(&w, "nix-archive-1");
        if (r >= 0)
                r = nar_dump_node(&w, dirfd, path);
        if (r >= 0)
                r = nar_flush(&w);

        if (r < 0 && w.sink_error == 0 && ret_error && w.error)
                *ret_error = TAKE_PTR(w.error);
        free(w.error);
        free(w.link);
        free(w.buf);
        strbuf_release(&w.path);
        return r < 0 ? r : 0;
}

typedef struct HashSink {
        HashCtx *ctx;
        uint64_t size;
} HashSink;

static int hash_sink(void *userdata, const void *data, size_t len) {
        HashSink *hs = userdata;

        hash_ctx_update(hs->ctx, data, len);
        hs->size += len;
        return 0;
}

int nar_hash_path(int dirfd, const char *path, HashAlgo algo, Hash *ret_hash, uint64_t *ret_size,
                  char **ret_error) {
        return nar_hash_path_filtered(dirfd, path, NULL, NULL, algo, ret_hash, ret_size, ret_error);
}

int nar_hash_path_filtered(int dirfd, const char *path, NarFilter filter, void *filter_userdata, HashAlgo algo,
                           Hash *ret_hash, uint64_t *ret_size, char **ret_error) {
        HashSink hs = { .ctx = hash_ctx_new(algo) };
        int r;

        assert(ret_hash);

        if (!hs.ctx)
                return -ENOMEM;
        r = nar_dump_path_filtered(dirfd, path, filter, filter_userdata, hash_sink, &hs, ret_error);
        if (r < 0) {
                hash_ctx_free(hs.ctx);
                return r;
        }
        hash_ctx_finish(hs.ctx, ret_hash);
        if (ret_size)
                *ret_size = hs.size;
        return 0;
}
