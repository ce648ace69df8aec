/* Unpacking a .deb: see unpack.h.
 *
 * Three libarchive readers are chained for each tar member, each reading
 * the one below through callbacks that hand over the lower reader's data
 * blocks (no copies, but one for data.tar: see below):
 *
 *   ar      the .deb; its current entry is the member
 *   raw     the member's bytes decompressed (the filter its name says)
 *   tar     the tar stream inside
 *
 * The middle layer is there so the decompressed stream can be read to its
 * end after the tar's end-of-archive blocks: only then has the decoder
 * seen the stream's checksum. For data.tar, the two lower readers run in a
 * thread of their own that hands decompressed buffers to the tar reader
 * (see "Decompressing beside the unpacking").
 *
 * Directories are entered through a stack of open directory fds, one per
 * component of the last parent used (tar lists a directory's entries
 * together), each opened O_NOFOLLOW from the one before: no path lookup
 * ever crosses a symlink, and most members cost one openat() or mkdirat()
 * or symlinkat() and nothing else. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "deb822.h"
#include "fileio.h"
#include "strbuf.h"
#include "unpack.h"
#include "xalloc.h"

/* Read size of the .deb. */
#define DEB_BLOCK_SIZE ((size_t) 1 << 20)
/* How much of debian-binary is read. */
#define DEBIAN_BINARY_MAX 64

/* ---- State ------------------------------------------------------------------ */

typedef struct DirStack {
        int fd[DEB_UNPACK_DEPTH_MAX + 1];       /* fd[0] is out_dir; fd[1..depth] are owned */
        size_t end[DEB_UNPACK_DEPTH_MAX + 1];   /* end[i]: length of path's first i components */
        StrBuf path;                            /* components 1..depth, '/'-separated */
        size_t depth;
} DirStack;

typedef struct PermRecord {
        char *path;     /* relative, normalised ("" for the root): the sort key */
        char *line;     /* the whole line, '\n' included */
} PermRecord;

typedef struct ControlFile {
        char *name;
        char *data;
        size_t len;
} ControlFile;

/* What a reader's callback saw fail below it. */
typedef struct StreamError {
        char *msg;      /* NULL: nothing failed */
        int errnum;     /* archive_errno() of the failed reader */
} StreamError;

/* Keeps the first failure. */
static void stream_error_set(StreamError *e, const char *msg, int errnum) {
        if (e->msg)
                return;
        e->msg = xstrdup(msg ? msg : "read error");
        e->errnum = errnum;
}

typedef struct Unpack {
        const char *deb;                /* for messages */
        const char *out;
        char **ret_error;
        int out_fd;
        mode_t umask;                   /* 0777 when unknown: always chmod */
        struct archive *ar;

        /* The first failure of a lower reader, seen by a callback; the
         * upper reader's own message only says its input failed. */
        StreamError stream;

        StrBuf name;                    /* the current member, normalised */
        StrBuf target;                  /* a hard link's target, normalised */
        DirStack dirs;

        ControlFile *control;
        size_t n_control;
        char *package;                  /* checked by package_name_ok() */
        int package_fd;                 /* nix-support/deb/PACKAGE */

        PermRecord *perms;
        size_t n_perms, alloc_perms;
} Unpack;

#define unpack_error(u, r, ...) deb_error_at(r, (u)->deb, 0, (u)->ret_error, __VA_ARGS__)

/* The error of reader a (or of a reader below it), under what (a member's
 * name). libarchive reports bad data with its own codes or none: those
 * become -EBADMSG. */
static bool system_errno(int e) {
        return e == ENOENT || e == EACCES || e == EPERM || e == EIO || e == ENOMEM || e == EISDIR || e == ENOTDIR;
}

static int archive_fail(Unpack *u, struct archive *a, const char *what) {
        const char *msg = u->stream.msg ? u->stream.msg : archive_error_string(a);
        int e = u->stream.msg ? u->stream.errnum : archive_errno(a);
        if (system_errno(e))
                return unpack_error(u, -e, "%s: %s: %s", what, msg ? msg : "I/O error", strerror(e));
        return unpack_error(u, -EBADMSG, "%s: %s", what, msg ? msg : "corrupt or truncated");
}

static int io_error(Unpack *u, int r, const char *what, const char *path) {
        return unpack_error(u, r, "cannot %s '/%s' in %s: %s", what, path, u->out, strerror(-r));
}

static int shipped_twice(Unpack *u, const char *path) {
        return unpack_error(u, -EEXIST,
                            "'/%s' is shipped twice: it already exists in %s "
                            "(shipped by another package, or earlier in this one)",
                            path, u->out);
}

/* ---- Reader chain ---------------------------------------------------------- */

static void archive_freep(struct archive **a) {
        if (*a)
                archive_read_free(*a);
}

/* The next data block of from's current entry, which must follow the one
 * before (at *pos): 1, 0 at the end, or -1 with the failure in *error. */
static int block_next(struct archive *from, la_int64_t *pos, const void **ret, size_t *ret_len,
                      StreamError *error) {
        la_int64_t off;
        int r;

        do {
                r = archive_read_data_block(from, ret, ret_len, &off);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN) {
                        stream_error_set(error, archive_error_string(from), archive_errno(from));
                        return -1;
                }
                if (off != *pos) {
                        stream_error_set(error, "unexpected hole in the stream", 0);
                        return -1;
                }
                *pos += (la_int64_t) *ret_len;
        } while (*ret_len == 0);
        return 1;
}

/* A callback's view of the reader below: its current entry's data. */
typedef struct Source {
        struct archive *from;
        la_int64_t pos;
        StreamError *error;
} Source;

static la_ssize_t source_read(struct archive *a, void *userdata, const void **ret_buf) {
        Source *s = userdata;
        size_t len;
        int r = block_next(s->from, &s->pos, ret_buf, &len, s->error);

        if (r < 0) {
                archive_set_error(a, EIO, "read failed");
                return ARCHIVE_FATAL;
        }
        return r == 0 ? 0 : (la_ssize_t) len;
}

/* ---- Decompressing beside the unpacking -------------------------------------
 * data.tar can be hundreds of MB of xz: a thread reads the .deb and
 * decompresses (the ar and raw readers, which nothing else touches while it
 * runs) into a ring of buffers that the tar reader takes in order, as
 * dpkg-deb's decompressor and tar run side by side. */

#define PIPE_BUFFERS 4
#define PIPE_BUFFER_SIZE ((size_t) 1 << 20)

typedef struct Pipe {
        pthread_mutex_t lock;
        pthread_cond_t cond;            /* signalled on any change below */
        pthread_t thread;
        bool running;                   /* started and not joined */
        struct archive *raw;            /* the thread's while it runs */
        la_int64_t pos;
        char *buf[PIPE_BUFFERS];
        size_t len[PIPE_BUFFERS];
        uint64_t head, tail;            /* filled: [tail, head), modulo PIPE_BUFFERS */
        bool held;                      /* the reader holds buf[tail] */
        bool eof, failed, cancel;
        StreamError error;              /* the thread's, once failed is set */
        StreamError *report;            /* the reader's: where a failure is copied */
} Pipe;

static void *pipe_run(void *userdata) {
        Pipe *p = userdata;
        const char *pending = NULL;
        size_t pending_len = 0;
        bool eof = false, failed = false;

        while (!eof && !failed) {
                char *b;
                size_t n = 0;

                pthread_mutex_lock(&p->lock);
                while (p->head - p->tail == PIPE_BUFFERS && !p->cancel)
                        pthread_cond_wait(&p->cond, &p->lock);
                bool cancel = p->cancel;
                b = p->buf[p->head % PIPE_BUFFERS];
                pthread_mutex_unlock(&p->lock);
                if (cancel)
                        break;

                while (n < PIPE_BUFFER_SIZE) {
                        if (pending_len == 0) {
                                const void *block;
                                int r = block_next(p->raw, &p->pos, &block, &pending_len, &p->error);
                                if (r <= 0) {
                                        eof = r == 0;
                                        failed = r < 0;
                                        pending_len = 0;
                                        break;
                                }
                                pending = block;
                        }
                        size_t k = pending_len < PIPE_BUFFER_SIZE - n ? pending_len : PIPE_BUFFER_SIZE - n;
                        memcpy(b + n, pending, k);
                        n += k;
                        pending += k;
                        pending_len -= k;
                }

                pthread_mutex_lock(&p->lock);
                if (n > 0)
                        p->len[p->head++ % PIPE_BUFFERS] = n;
                p->eof = eof;
                p->failed = failed;
                pthread_cond_broadcast(&p->cond);
                pthread_mutex_unlock(&p->lock);
        }
        return NULL;
}

/* Starts decompressing raw (opened, at its entry) in a thread; raw_in is
 * its source, whose failures go to the thread's record from now on. */
static int pipe_start(Pipe *p, struct archive *raw, Source *raw_in, StreamError *report) {
        int r;

        *p = (Pipe) { .raw = raw, .pos = 0, .report = report };
        for (size_t i = 0; i < PIPE_BUFFERS; i++) {
                p->buf[i] = malloc(PIPE_BUFFER_SIZE);
                if (!p->buf[i])
                        return -ENOMEM;
        }
        raw_in->error = &p->error;
        if (pthread_mutex_init(&p->lock, NULL) != 0 || pthread_cond_init(&p->cond, NULL) != 0)
                return -ENOMEM;
        r = pthread_create(&p->thread, NULL, pipe_run, p);
        if (r != 0)
                return -r;
        p->running = true;
        return 0;
}

/* The next buffer (handing the one before back): 1, 0 at the end, or -1
 * when the thread failed (its failure then in *p->report). */
static int pipe_next(Pipe *p, const void **ret, size_t *ret_len) {
        int r;

        pthread_mutex_lock(&p->lock);
        if (p->held) {
                p->tail++;
                p->held = false;
                pthread_cond_broadcast(&p->cond);
        }
        while (p->head == p->tail && !p->eof && !p->failed)
                pthread_cond_wait(&p->cond, &p->lock);
        if (p->head != p->tail) {
                *ret = p->buf[p->tail % PIPE_BUFFERS];
                *ret_len = p->len[p->tail % PIPE_BUFFERS];
                p->held = true;
                r = 1;
        } else if (p->failed) {
                stream_error_set(p->report, p->error.msg, p->error.errnum);
                r = -1;
        } else
                r = 0;
        pthread_mutex_unlock(&p->lock);
        return r;
}

static la_ssize_t pipe_read(struct archive *a, void *userdata, const void **ret_buf) {
        size_t len;
        int r = pipe_next(userdata, ret_buf, &len);

        if (r < 0) {
                archive_set_error(a, EIO, "read failed");
                return ARCHIVE_FATAL;
        }
        return r == 0 ? 0 : (la_ssize_t) len;
}

static Pipe *pipe_free(Pipe *p) {
        if (!p)
                return NULL;
        if (p->running) {
                pthread_mutex_lock(&p->lock);
                p->cancel = true;
                pthread_cond_broadcast(&p->cond);
                pthread_mutex_unlock(&p->lock);
                pthread_join(p->thread, NULL);
                pthread_cond_destroy(&p->cond);
                pthread_mutex_destroy(&p->lock);
        }
        for (size_t i = 0; i < PIPE_BUFFERS; i++)
                free(p->buf[i]);
        free(p->error.msg);
        free(p);
        return NULL;
}

/* ---- Tar members ------------------------------------------------------------ */

/* One tar member of the .deb, being read. */
typedef struct Member {
        const char *name;
        struct archive *raw, *tar;
        Source raw_in, tar_in;
        Pipe *pipe;             /* when decompressed by a thread (then tar_in is unused) */
} Member;

static void member_done(Member *m) {
        m->pipe = pipe_free(m->pipe);   /* first: its thread reads raw */
        if (m->tar)
                archive_read_free(m->tar);
        if (m->raw)
                archive_read_free(m->raw);
        m->tar = m->raw = NULL;
}

static const struct {
        const char *ext;
        int filter;
        bool control;           /* allowed for control.tar */
} compressions[] = {
        { "", ARCHIVE_FILTER_NONE, true },
        { ".gz", ARCHIVE_FILTER_GZIP, true },
        { ".xz", ARCHIVE_FILTER_XZ, true },
        { ".zst", ARCHIVE_FILTER_ZSTD, true },
        { ".bz2", ARCHIVE_FILTER_BZIP2, false },
        { ".lzma", ARCHIVE_FILTER_LZMA, false },
};

/* Whether name is base ("control.tar", "data.tar") with a compression
 * suffix; *ret_filter gets the filter, or -1 for an unknown suffix. */
static bool member_is(const char *name, const char *base, bool control, int *ret_filter) {
        size_t n = strlen(base);

        if (strncmp(name, base, n) != 0 || (name[n] != '\0' && name[n] != '.'))
                return false;
        *ret_filter = -1;
        for (size_t i = 0; i < ELEMENTSOF(compressions); i++)
                if (strcmp(name + n, compressions[i].ext) == 0 && (compressions[i].control || !control))
                        *ret_filter = compressions[i].filter;
        return true;
}

/* Opens the ar reader's current entry as a tar stream in m, which must
 * stay where it is until member_done(); with threaded, decompressed by a
 * thread. */
static int member_open(Unpack *u, Member *m, const char *name, int filter, bool threaded) {
        struct archive_entry *e;
        int r;

        *m = (Member) { .name = name };
        m->raw_in = (Source) { .from = u->ar, .error = &u->stream };
        m->raw = archive_read_new();
        if (!m->raw)
                return unpack_error(u, -ENOMEM, "out of memory");
        if (archive_read_support_format_raw(m->raw) != ARCHIVE_OK ||
            (filter != ARCHIVE_FILTER_NONE && archive_read_append_filter(m->raw, filter) < ARCHIVE_WARN))
                return archive_fail(u, m->raw, name);
        /* Opening decompresses the first block to recognise the format:
         * when it fails, not even a first byte came out ("raw" takes no
         * empty input; dpkg-deb's tar streams start with "./"). */
        if (archive_read_open(m->raw, &m->raw_in, NULL, source_read, NULL) != ARCHIVE_OK ||
            archive_read_next_header(m->raw, &e) != ARCHIVE_OK) {
                if (u->stream.msg)
                        return archive_fail(u, m->raw, name);
                return unpack_error(u, -EBADMSG, "%s: %s", name,
                                    filter == ARCHIVE_FILTER_NONE ? "empty"
                                                                  : "empty, or not the compression its name says");
        }

        m->tar = archive_read_new();
        if (!m->tar)
                return unpack_error(u, -ENOMEM, "out of memory");
        if (archive_read_support_format_tar(m->tar) != ARCHIVE_OK)
                return archive_fail(u, m->tar, name);
        if (threaded) {
                m->pipe = xcalloc(1, sizeof(Pipe));
                r = pipe_start(m->pipe, m->raw, &m->raw_in, &u->stream);
                if (r < 0)
                        return unpack_error(u, r, "cannot start a thread: %s", strerror(-r));
                r = archive_read_open(m->tar, m->pipe, NULL, pipe_read, NULL);
        } else {
                m->tar_in = (Source) { .from = m->raw, .error = &u->stream };
                r = archive_read_open(m->tar, &m->tar_in, NULL, source_read, NULL);
        }
        if (r != ARCHIVE_OK)
                return archive_fail(u, m->tar, name);
        return 0;
}

/* The next tar entry: 1 and *ret, 0 at the end, or an error. */
static int member_next(Unpack *u, Member *m, struct archive_entry **ret) {
        int r = archive_read_next_header(m->tar, ret);
        if (r == ARCHIVE_EOF)
                return 0;
        if (r < ARCHIVE_WARN)
                return archive_fail(u, m->tar, m->name);
        return 1;
}

/* After the tar's end: reads the rest of the decompressed stream, so a
 * corrupt or truncated end (the checksum) is an error. */
static int member_finish(Unpack *u, Member *m) {
        uint64_t rest = 0;

        for (;;) {
                const void *buf;
                size_t len;
                int r = m->pipe ? pipe_next(m->pipe, &buf, &len)
                                : block_next(m->raw, &m->tar_in.pos, &buf, &len, &u->stream);
                if (r == 0)
                        return 0;
                if (r < 0)
                        return archive_fail(u, m->raw, m->name);
                rest += len;
                if (rest > DEB_UNPACK_TRAILER_MAX)
                        return unpack_error(u, -E2BIG, "%s: more than %llu bytes after the tar's end", m->name,
                                            (unsigned long long) DEB_UNPACK_TRAILER_MAX);
        }
}

/* ---- Member names ---------------------------------------------------------- */

/* raw made relative and normalised into out: leading "./", empty and "."
 * components dropped, no trailing '/'; "" for the root. Returns 0, or
 * -EBADMSG with why. */
static int name_normalize(const char *raw, StrBuf *out, const char **ret_why) {
        size_t depth = 0;

        strbuf_reset(out);
        if (!raw) {
                *ret_why = "a member without a name";
                return -EBADMSG;
        }
        if (raw[0] == '/') {
                *ret_why = "an absolute member name";
                return -EBADMSG;
        }
        for (const char *p = raw; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        *ret_why = "a member name with a '..' component";
                        return -EBADMSG;
                }
                if (n > NAME_MAX) {
                        *ret_why = "a member name with a component longer than NAME_MAX";
                        return -EBADMSG;
                }
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (++depth > DEB_UNPACK_DEPTH_MAX) {
                                *ret_why = "a member name too deep";
                                return -EBADMSG;
                        }
                        if (out->len > 0)
                                strbuf_addc(out, '/');
                        strbuf_add(out, p, n);
                        if (out->len >= PATH_MAX) {
                                *ret_why = "a member name longer than PATH_MAX";
                                return -EBADMSG;
                        }
                }
                p += n;
                while (*p == '/')
                        p++;
        }
        return 0;
}

/* A name of e: as the tar has it, else as UTF-8 (libarchive's conversion
 * to the locale's charset can fail on a pax header's name). */
static const char *entry_string(const char *raw, const char *utf8) {
        return raw ? raw : utf8;
}

/* For messages: at most 200 bytes of a raw name. */
#define SHOW(s) 200, (s) ? (s) : "(none)"

/* ---- Directories --------------------------------------------------------------- */

static void dirs_init(DirStack *d, int out_fd) {
        d->fd[0] = out_fd;
        d->end[0] = 0;
        d->path = (StrBuf) STRBUF_INIT;
        d->depth = 0;
}

static void dirs_pop_to(DirStack *d, size_t depth) {
        if (d->depth <= depth)
                return;
        while (d->depth > depth)
                close(d->fd[d->depth--]);
        d->path.len = d->end[depth];
        d->path.buf[d->path.len] = '\0';
}

static void dirs_done(DirStack *d) {
        dirs_pop_to(d, 0);
        strbuf_release(&d->path);
}

static int mkdir_canonical(Unpack *u, int dir_fd, const char *name) {
        if (mkdirat(dir_fd, name, 0755) < 0)
                return -errno;
        if ((u->umask & 0755) != 0 && fchmodat(dir_fd, name, 0755, 0) < 0)
                return -errno;
        return 0;
}

/* An fd of the directory holding u->name (its first parent_len bytes:
 * the name up to its last '/', or 0), borrowed from the stack: every
 * component is opened O_NOFOLLOW from the one before, and made (mode 0755)
 * when missing. */
static int dirs_enter(Unpack *u, size_t parent_len, int *ret_fd) {
        DirStack *d = &u->dirs;
        char *name = u->name.buf;
        size_t common = 0, k;

        /* The deepest stacked directory that is a parent of name. */
        while (common < d->path.len && common < parent_len && d->path.buf[common] == name[common])
                common++;
        for (k = d->depth; k > 0; k--)
                if (d->end[k] <= common && (d->end[k] == parent_len || name[d->end[k]] == '/'))
                        break;
        dirs_pop_to(d, k);

        while (d->path.len < parent_len) {
                size_t start = d->path.len == 0 ? 0 : d->path.len + 1;
                size_t n = strcspn(name + start, "/");
                char saved = name[start + n];
                int fd, r;

                name[start + n] = '\0';
                fd = openat(d->fd[d->depth], name + start, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT) {
                        r = mkdir_canonical(u, d->fd[d->depth], name + start);
                        if (r < 0)
                                errno = -r;
                        if (r >= 0 || r == -EEXIST)
                                fd = openat(d->fd[d->depth], name + start,
                                            O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                r = fd < 0 ? -errno : 0;
                name[start + n] = saved;
                if (r < 0) {
                        _cleanup_free_ char *prefix = xstrndup(name, start + n);
                        if (r == -ENOTDIR || r == -ELOOP)
                                return unpack_error(u, -EBADMSG,
                                                    "unsafe member '/%s': '/%s' is a symlink or not a "
                                                    "directory in %s",
                                                    name, prefix, u->out);
                        return io_error(u, r, "open the directory", prefix);
                }
                if (d->path.len > 0)
                        strbuf_addc(&d->path, '/');
                strbuf_add(&d->path, name + start, n);
                d->fd[++d->depth] = fd;
                d->end[d->depth] = d->path.len;
        }
        *ret_fd = d->fd[d->depth];
        return 0;
}

/* Opens the directory holding path (its first parent_len bytes) beneath
 * out_dir without following symlinks or making anything: a new fd, or an
 * error. */
static int dir_open_beneath(Unpack *u, char *path, size_t parent_len, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        int at = u->out_fd;

        for (size_t start = 0; start < parent_len;) {
                size_t n = strcspn(path + start, "/");
                char saved = path[start + n];
                int next;

                path[start + n] = '\0';
                next = openat(at, path + start, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                path[start + n] = saved;
                if (next < 0)
                        return -errno;
                closep(&fd);
                at = fd = next;
                start += n + 1;
        }
        *ret_fd = fd >= 0 ? TAKE_FD(fd) : fcntl(u->out_fd, F_DUPFD_CLOEXEC, 3);
        return *ret_fd < 0 ? -errno : 0;
}

/* ---- The permissions record ----------------------------------------------------- */

/* A field of a record line: see unpack.h. */
static void add_escaped(StrBuf *sb, const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p <= ' ' || *p >= 0x7f || *p == '\\')
                        strbuf_addf(sb, "\\%03o", *p);
                else
                        strbuf_addc(sb, (char) *p);
}

static void add_owner(StrBuf *sb, const char *name, la_int64_t id) {
        if (name && *name)
                add_escaped(sb, name);
        else
                strbuf_addf(sb, "%lld", (long long) id);
}

static bool is_root(const char *name, la_int64_t id) {
        return id == 0 && (!name || !*name || strcmp(name, "root") == 0);
}

/* Records u->name's entry e when the tree does not show it as it is. */
static void perms_maybe_add(Unpack *u, struct archive_entry *e, mode_t type, bool hardlink) {
        _cleanup_strbuf_ StrBuf line = STRBUF_INIT;
        mode_t perm = archive_entry_perm(e) & 07777;
        const char *uname = archive_entry_uname(e), *gname = archive_entry_gname(e);
        la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
        bool special = !hardlink && (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO);
        mode_t canonical = perm;

        if (hardlink || type == AE_IFREG)
                canonical = perm & 0111 ? 0755 : 0644;
        else if (type == AE_IFDIR)
                canonical = 0755;
        if (!special && perm == canonical && is_root(uname, uid) && is_root(gname, gid))
                return;

        if (special)
                strbuf_addf(&line, "%c ", type == AE_IFCHR ? 'c' : type == AE_IFBLK ? 'b' : 'p');
        strbuf_addf(&line, "%04o ", (unsigned) perm);
        add_owner(&line, uname, uid);
        strbuf_addc(&line, ' ');
        add_owner(&line, gname, gid);
        if (special && type != AE_IFIFO)
                strbuf_addf(&line, " %u %u", (unsigned) archive_entry_rdevmajor(e),
                            (unsigned) archive_entry_rdevminor(e));
        strbuf_adds(&line, " /");
        add_escaped(&line, u->name.buf);
        strbuf_addc(&line, '\n');

        if (u->n_perms == u->alloc_perms) {
                u->alloc_perms = u->alloc_perms ? 2 * u->alloc_perms : 16;
                u->perms = xrealloc(u->perms, u->alloc_perms * sizeof(PermRecord));
        }
        u->perms[u->n_perms++] = (PermRecord) {
                .path = xstrdup(u->name.buf),
                .line = strbuf_detach(&line, NULL),
        };
}

static int perm_compare(const void *a, const void *b) {
        return strcmp(((const PermRecord *) a)->path, ((const PermRecord *) b)->path);
}

/* Writes a new file name in dir_fd, mode 0644. */
static int write_new_file(Unpack *u, int dir_fd, const char *name, const void *data, size_t len) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        int r;

        if (fd < 0)
                return -errno;
        r = fd_write_all(fd, data, len);
        if (r < 0)
                return r;
        if ((u->umask & 0644) != 0 && fchmod(fd, 0644) < 0)
                return -errno;
        return close(TAKE_FD(fd)) < 0 ? -errno : 0;
}

static int perms_write(Unpack *u) {
        _cleanup_strbuf_ StrBuf text = STRBUF_INIT;
        int r;

        if (u->n_perms == 0)
                return 0;
        qsort(u->perms, u->n_perms, sizeof(PermRecord), perm_compare);
        for (size_t i = 0; i < u->n_perms; i++)
                strbuf_adds(&text, u->perms[i].line);
        r = write_new_file(u, u->package_fd, "permissions", text.buf, text.len);
        if (r < 0)
                return unpack_error(u, r, "cannot write nix-support/deb/%s/permissions in %s: %s",
                                    u->package, u->out, strerror(-r));
        return 0;
}

/* ---- control.tar ------------------------------------------------------------------ */

static bool package_name_ok(DebSlice s) {
        if (s.len == 0 || s.len > NAME_MAX)
                return false;
        for (size_t i = 0; i < s.len; i++) {
                char c = s.ptr[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                if (!alnum && (i == 0 || (c != '+' && c != '-' && c != '.' && c != '_')))
                        return false;
        }
        return true;
}

/* Reads every file of control.tar into u->control, then takes the package
 * name from "control". */
static int control_read(Unpack *u, Member *m) {
        uint64_t total = 0;
        struct archive_entry *e;
        const char *why;
        int r;

        while ((r = member_next(u, m, &e)) > 0) {
                const char *raw = entry_string(archive_entry_pathname(e), archive_entry_pathname_utf8(e));
                mode_t type = archive_entry_filetype(e);
                la_int64_t size = archive_entry_size(e);
                ControlFile *f;

                r = name_normalize(raw, &u->name, &why);
                if (r < 0)
                        return unpack_error(u, r, "%s: %s: '%.*s'", m->name, why, SHOW(raw));
                bool hardlink = entry_string(archive_entry_hardlink(e), archive_entry_hardlink_utf8(e));
                if (u->name.len == 0 && type == AE_IFDIR && !hardlink)
                        continue;
                if (type != AE_IFREG || hardlink || strchr(u->name.buf, '/') || u->name.len == 0)
                        return unpack_error(u, -EBADMSG, "%s: '%.*s' is not a regular file at the top level",
                                            m->name, SHOW(raw));
                if (strcmp(u->name.buf, "permissions") == 0)
                        return unpack_error(u, -EBADMSG, "%s: a member named 'permissions', where the "
                                                         "permissions record goes",
                                            m->name);
                if (u->n_control == DEB_UNPACK_CONTROL_FILES_MAX)
                        return unpack_error(u, -E2BIG, "%s: more than %d files", m->name,
                                            DEB_UNPACK_CONTROL_FILES_MAX);
                if (size < 0 || (uint64_t) size > DEB_UNPACK_CONTROL_MAX - total)
                        return unpack_error(u, -E2BIG, "%s: more than %llu bytes", m->name,
                                            (unsigned long long) DEB_UNPACK_CONTROL_MAX);
                total += (uint64_t) size;

                u->control = xrealloc(u->control, (u->n_control + 1) * sizeof(ControlFile));
                f = &u->control[u->n_control++];
                *f = (ControlFile) { .name = xstrdup(u->name.buf), .data = malloc((size_t) size + 1) };
                if (!f->data)
                        return unpack_error(u, -ENOMEM, "out of memory");
                while (f->len < (size_t) size) {
                        la_ssize_t n = archive_read_data(m->tar, f->data + f->len, (size_t) size - f->len);
                        if (n < 0)
                                return archive_fail(u, m->tar, m->name);
                        if (n == 0)
                                return unpack_error(u, -EBADMSG, "%s: '%s' is truncated", m->name, f->name);
                        f->len += (size_t) n;
                }
                f->data[f->len] = '\0';
        }
        if (r < 0)
                return r;
        r = member_finish(u, m);
        if (r < 0)
                return r;

        for (size_t i = 0; i < u->n_control; i++) {
                if (strcmp(u->control[i].name, "control") != 0)
                        continue;
                _cleanup_free_ Deb822Parser *p = xmalloc(sizeof(Deb822Parser));
                _cleanup_free_ char *error = NULL;
                const Deb822Paragraph *para;
                const DebSlice *pkg;

                deb822_parser_init(p, u->control[i].data, u->control[i].len, "control", 1);
                r = deb822_parser_next(p, &para, &error);
                if (r < 0)
                        return unpack_error(u, r, "%s", error ? error : strerror(-r));
                if (r == 0)
                        return unpack_error(u, -EBADMSG, "control: empty");
                pkg = deb822_paragraph_get(para, "Package");
                if (!pkg)
                        return unpack_error(u, -EBADMSG, "control: no Package field");
                if (!package_name_ok(*pkg))
                        return unpack_error(u, -EBADMSG, "control: invalid package name '%.*s'",
                                            (int) (pkg->len > 80 ? 80 : pkg->len), pkg->ptr);
                u->package = xstrndup(pkg->ptr, pkg->len);
                return 0;
        }
        return unpack_error(u, -EBADMSG, "%s: no control file", m->name);
}

/* Makes out_dir/nix-support/deb/PACKAGE and writes the control files. */
static int control_write(Unpack *u) {
        static const char *const parents[] = { "nix-support", "deb" };
        _cleanup_close_ int fd = -EBADF;
        int at = u->out_fd, r;

        for (size_t i = 0; i < ELEMENTSOF(parents); i++) {
                r = mkdir_canonical(u, at, parents[i]);
                if (r < 0 && r != -EEXIST)
                        return unpack_error(u, r, "cannot make nix-support/deb in %s: %s", u->out, strerror(-r));
                int next = openat(at, parents[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return unpack_error(u, -errno, "cannot open nix-support/deb in %s: %s", u->out,
                                            strerror(errno));
                closep(&fd);
                at = fd = next;
        }
        r = mkdir_canonical(u, fd, u->package);
        if (r == -EEXIST)
                return unpack_error(u, r, "package %s is already unpacked in %s", u->package, u->out);
        if (r < 0)
                return unpack_error(u, r, "cannot make nix-support/deb/%s in %s: %s", u->package, u->out,
                                    strerror(-r));
        u->package_fd = openat(fd, u->package, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (u->package_fd < 0)
                return unpack_error(u, -errno, "cannot open nix-support/deb/%s in %s: %s", u->package, u->out,
                                    strerror(errno));

        for (size_t i = 0; i < u->n_control; i++) {
                r = write_new_file(u, u->package_fd, u->control[i].name, u->control[i].data, u->control[i].len);
                if (r == -EEXIST)
                        return unpack_error(u, r, "control.tar has '%s' twice", u->control[i].name);
                if (r < 0)
                        return unpack_error(u, r, "cannot write nix-support/deb/%s/%s in %s: %s", u->package,
                                            u->control[i].name, u->out, strerror(-r));
        }
        return 0;
}

/* ---- data.tar ----------------------------------------------------------------------- */

static int copy_data(Unpack *u, Member *m, int fd, la_int64_t size) {
        la_int64_t pos = 0;

        for (;;) {
                const void *buf;
                size_t len;
                la_int64_t off;
                int r = archive_read_data_block(m->tar, &buf, &len, &off);

                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return archive_fail(u, m->tar, m->name);
                if (off < pos || off > size || (la_int64_t) len > size - off)
                        return unpack_error(u, -EBADMSG, "%s: '/%s': data outside the file", m->name,
                                            u->name.buf);
                if (off > pos && lseek(fd, off, SEEK_SET) < 0)
                        return io_error(u, -errno, "write", u->name.buf);
                r = fd_write_all(fd, buf, len);
                if (r < 0)
                        return io_error(u, r, "write", u->name.buf);
                pos = off + (la_int64_t) len;
        }
        /* A sparse file's hole at its end. */
        if (pos < size && ftruncate(fd, size) < 0)
                return io_error(u, -errno, "write", u->name.buf);
        return 0;
}

static int unpack_file(Unpack *u, Member *m, struct archive_entry *e, int dir_fd, const char *leaf) {
        mode_t mode = archive_entry_perm(e) & 0111 ? 0755 : 0644;
        _cleanup_close_ int fd = openat(dir_fd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        la_int64_t size = archive_entry_size(e);
        int r;

        if (fd < 0 && errno == EEXIST)
                return shipped_twice(u, u->name.buf);
        if (fd < 0)
                return io_error(u, -errno, "create", u->name.buf);
        if (size < 0)
                return unpack_error(u, -EBADMSG, "%s: '/%s': negative size", m->name, u->name.buf);
        if (size > 0) {
                r = copy_data(u, m, fd, size);
                if (r < 0)
                        return r;
        }
        if ((u->umask & mode) != 0 && fchmod(fd, mode) < 0)
                return io_error(u, -errno, "chmod", u->name.buf);
        if (close(TAKE_FD(fd)) < 0)
                return io_error(u, -errno, "write", u->name.buf);
        return 0;
}

static int unpack_hardlink(Unpack *u, Member *m, const char *raw_target, int dir_fd, const char *leaf) {
        _cleanup_close_ int target_fd = -EBADF;
        const char *why, *target_leaf;
        struct stat st;
        int r;

        r = name_normalize(raw_target, &u->target, &why);
        if (r < 0)
                return unpack_error(u, r, "%s: '/%s': hard link to %s: '%.*s'", m->name, u->name.buf, why,
                                    SHOW(raw_target));
        if (u->target.len == 0)
                return unpack_error(u, -EBADMSG, "%s: '/%s': hard link to the root", m->name, u->name.buf);
        target_leaf = strrchr(u->target.buf, '/');
        r = dir_open_beneath(u, u->target.buf, target_leaf ? (size_t) (target_leaf - u->target.buf) : 0,
                             &target_fd);
        target_leaf = target_leaf ? target_leaf + 1 : u->target.buf;
        if (r >= 0 && fstatat(target_fd, target_leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
                r = -errno;
        if (r < 0)
                return unpack_error(u, -EBADMSG, "%s: '/%s': hard link to '/%s', which cannot be found in %s "
                                                 "without following a symlink: %s",
                                    m->name, u->name.buf, u->target.buf, u->out, strerror(-r));
        if (!S_ISREG(st.st_mode))
                return unpack_error(u, -EBADMSG, "%s: '/%s': hard link to '/%s', which is not a regular file",
                                    m->name, u->name.buf, u->target.buf);
        if (linkat(target_fd, target_leaf, dir_fd, leaf, 0) < 0) {
                if (errno == EEXIST)
                        return shipped_twice(u, u->name.buf);
                return io_error(u, -errno, "link", u->name.buf);
        }
        return 0;
}

static int unpack_entry(Unpack *u, Member *m, struct archive_entry *e) {
        const char *raw = entry_string(archive_entry_pathname(e), archive_entry_pathname_utf8(e));
        const char *hardlink = entry_string(archive_entry_hardlink(e), archive_entry_hardlink_utf8(e));
        mode_t type = archive_entry_filetype(e);
        const char *why, *slash, *leaf;
        size_t parent_len;
        int dir_fd = -EBADF, r;

        r = name_normalize(raw, &u->name, &why);
        if (r < 0)
                return unpack_error(u, r, "%s: unsafe member: %s: '%.*s'", m->name, why, SHOW(raw));
        if (u->name.len == 0) {
                /* "./": out_dir itself. */
                if (type != AE_IFDIR || hardlink)
                        return unpack_error(u, -EBADMSG, "%s: a member named '%.*s' that is not a directory",
                                            m->name, SHOW(raw));
                perms_maybe_add(u, e, type, false);
                return 0;
        }
        if (strncmp(u->name.buf, "nix-support", 11) == 0 && (u->name.buf[11] == '\0' || u->name.buf[11] == '/'))
                return unpack_error(u, -EBADMSG, "%s: '/%s': nix-support/ is reserved for the package record",
                                    m->name, u->name.buf);
        if (!hardlink && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFCHR &&
            type != AE_IFBLK && type != AE_IFIFO)
                return unpack_error(u, -EBADMSG, "%s: '/%s': unsupported member type 0%o", m->name, u->name.buf,
                                    (unsigned) type);

        perms_maybe_add(u, e, type, hardlink != NULL);
        if (!hardlink && (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO))
                return 0;

        slash = strrchr(u->name.buf, '/');
        parent_len = slash ? (size_t) (slash - u->name.buf) : 0;
        leaf = slash ? slash + 1 : u->name.buf;
        r = dirs_enter(u, parent_len, &dir_fd);
        if (r < 0)
                return r;

        if (hardlink)
                return unpack_hardlink(u, m, hardlink, dir_fd, leaf);
        switch (type) {
        case AE_IFDIR:
                r = mkdir_canonical(u, dir_fd, leaf);
                if (r == -EEXIST) {
                        struct stat st;
                        if (fstatat(dir_fd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
                                return io_error(u, -errno, "stat", u->name.buf);
                        if (!S_ISDIR(st.st_mode))
                                return shipped_twice(u, u->name.buf);
                        return 0;
                }
                if (r < 0)
                        return io_error(u, r, "make the directory", u->name.buf);
                return 0;
        case AE_IFLNK: {
                const char *target = entry_string(archive_entry_symlink(e), archive_entry_symlink_utf8(e));
                if (!target || !*target)
                        return unpack_error(u, -EBADMSG, "%s: '/%s': a symlink without a target", m->name,
                                            u->name.buf);
                if (symlinkat(target, dir_fd, leaf) < 0) {
                        if (errno == EEXIST)
                                return shipped_twice(u, u->name.buf);
                        return io_error(u, -errno, "make the symlink", u->name.buf);
                }
                return 0;
        }
        default:
                return unpack_file(u, m, e, dir_fd, leaf);
        }
}

static int data_unpack(Unpack *u, Member *m) {
        struct archive_entry *e;
        int r;

        while ((r = member_next(u, m, &e)) > 0) {
                r = unpack_entry(u, m, e);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return member_finish(u, m);
}

/* ---- The .deb ------------------------------------------------------------------------ */

/* The umask, from /proc (reading it with umask() would change it for a
 * moment for every thread); 0777 when unknown. */
static mode_t current_umask(void) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        unsigned m;

        if (!f)
                return 0777;
        while (fgets(line, sizeof line, f))
                if (sscanf(line, "Umask: %o", &m) == 1)
                        return (mode_t) m & 0777;
        return 0777;
}

/* The next ar member whose name does not start with '_': 1 and its name,
 * 0 at the end, or an error. */
static int ar_next(Unpack *u, const char **ret_name) {
        for (;;) {
                struct archive_entry *e;
                int r = archive_read_next_header(u->ar, &e);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN)
                        return archive_fail(u, u->ar, "ar archive");
                const char *name = archive_entry_pathname(e);
                if (!name)
                        return unpack_error(u, -EBADMSG, "an ar member without a name");
                if (name[0] != '_') {
                        *ret_name = name;
                        return 1;
                }
        }
}

/* Expects the next ar member to be base ("control.tar", "data.tar") with a
 * known compression: copies its name into buf. */
static int ar_expect(Unpack *u, const char *base, bool control, char *buf, size_t size, int *ret_filter) {
        const char *name;
        int r = ar_next(u, &name);

        if (r < 0)
                return r;
        if (r == 0)
                return unpack_error(u, -EBADMSG, "not a valid .deb: no %s member", base);
        if (!member_is(name, base, control, ret_filter))
                return unpack_error(u, -EBADMSG, "not a valid .deb: member '%.*s' where %s was expected",
                                    SHOW(name), base);
        if (*ret_filter < 0)
                return unpack_error(u, -EPROTONOSUPPORT, "member '%.*s': unsupported compression", SHOW(name));
        snprintf(buf, size, "%s", name);
        return 0;
}

static int deb_unpack_one(Unpack *u) {
        char name[64], version[DEBIAN_BINARY_MAX];
        const char *first;
        la_ssize_t n;
        int filter, r;

        u->ar = archive_read_new();
        if (!u->ar)
                return unpack_error(u, -ENOMEM, "out of memory");
        if (archive_read_support_format_ar(u->ar) != ARCHIVE_OK)
                return archive_fail(u, u->ar, "ar");
        /* Opening reads the first block and recognises the format. */
        if (archive_read_open_filename(u->ar, u->deb, DEB_BLOCK_SIZE) != ARCHIVE_OK)
                return archive_fail(u, u->ar, system_errno(archive_errno(u->ar)) ? "cannot read it" : "not a .deb");

        r = ar_next(u, &first);
        if (r < 0)
                return r;
        if (r == 0 || strcmp(first, "debian-binary") != 0)
                return unpack_error(u, -EBADMSG, "not a valid .deb: the first member is not debian-binary");
        n = archive_read_data(u->ar, version, sizeof version - 1);
        if (n < 0)
                return archive_fail(u, u->ar, "debian-binary");
        version[n] = '\0';
        if (n < 2 || version[0] != '2' || version[1] != '.')
                return unpack_error(u, -EPROTONOSUPPORT, "unsupported .deb format version '%.*s'",
                                    (int) strcspn(version, "\n"), version);

        {
                _cleanup_(member_done) Member m = { 0 };
                r = ar_expect(u, "control.tar", true, name, sizeof name, &filter);
                if (r >= 0)
                        r = member_open(u, &m, name, filter, false);
                if (r >= 0)
                        r = control_read(u, &m);
                if (r < 0)
                        return r;
        }
        /* out_dir is made once the .deb looks right. */
        u->umask = current_umask();
        r = mkdir_p(AT_FDCWD, u->out, 0755);
        if (r < 0)
                return unpack_error(u, r, "cannot make %s: %s", u->out, strerror(-r));
        u->out_fd = open(u->out, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (u->out_fd < 0)
                return unpack_error(u, -errno, "cannot open %s: %s", u->out, strerror(errno));
        dirs_init(&u->dirs, u->out_fd);
        r = control_write(u);
        if (r < 0)
                return r;
        {
                _cleanup_(member_done) Member m = { 0 };
                r = ar_expect(u, "data.tar", false, name, sizeof name, &filter);
                if (r >= 0)
                        r = member_open(u, &m, name, filter, true);
                if (r >= 0)
                        r = data_unpack(u, &m);
                if (r < 0)
                        return r;
        }
        return perms_write(u);
}

int deb_unpack(const char *deb_path, const char *out_dir, char **ret_error) {
        Unpack u = {
                .deb = deb_path,
                .out = out_dir,
                .ret_error = ret_error,
                .out_fd = -EBADF,
                .package_fd = -EBADF,
                .name = STRBUF_INIT,
                .target = STRBUF_INIT,
                .dirs = { .path = STRBUF_INIT },
        };
        int r = deb_unpack_one(&u);

        dirs_done(&u.dirs);
        archive_freep(&u.ar);
        closep(&u.out_fd);
        closep(&u.package_fd);
        free(u.stream.msg);
        strbuf_release(&u.name);
        strbuf_release(&u.target);
        for (size_t i = 0; i < u.n_control; i++) {
                free(u.control[i].name);
                free(u.control[i].data);
        }
        free(u.control);
        for (size_t i = 0; i < u.n_perms; i++) {
                free(u.perms[i].path);
                free(u.perms[i].line);
        }
        free(u.perms);
        free(u.package);
        return r;
}
