#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fault.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"

int fd_write_all(int fd, const void *data, size_t len) {
        int r = fault_point("write");
        if (r < 0)
                return r;
        const char *p = data;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

ssize_t fd_read_full(int fd, void *buf, size_t len) {
        size_t got = 0;
        while (got < len) {
                ssize_t n = read(fd, (char *) buf + got, len - got);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                got += (size_t) n;
        }
        return (ssize_t) got;
}

int dir_for_each(int fd, int (*fn)(int fd, const char *name, void *userdata), void *userdata) {
        int dfd = dup(fd);
        if (dfd < 0)
                return -errno;
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        int r = 0;
        struct dirent *e;
        while (r >= 0 && (e = readdir(d)))
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        r = fn(fd, e->d_name, userdata);
        closedir(d);
        return r;
}

int fd_sync(int fd) {
        int r = fault_point("fsync");
        if (r < 0)
                return r;
        return fsync(fd) < 0 ? -errno : 0;
}

/* Splits path into a malloc'ed parent ("." when none) and returns the
 * last component within path. */
static const char *split_parent(const char *path, char **ret_parent) {
        const char *slash = strrchr(path, '/');
        if (!slash) {
                *ret_parent = xstrdup(".");
                return path;
        }
        *ret_parent = slash == path ? xstrdup("/") : xstrndup(path, (size_t) (slash - path));
        return slash + 1;
}

int sync_parent_dir(int dirfd, const char *path) {
        _cleanup_free_ char *parent = NULL;
        split_parent(path, &parent);
        _cleanup_close_ int fd = openat(dirfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fd_sync(fd);
}

static int sync_tree_fd(int fd, int depth);

static int sync_entry(int fd, const char *name, void *userdata) {
        int cfd = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (cfd < 0)
                return errno == ELOOP ? 0 : -errno; /* a symlink: nothing to sync */
        int r = sync_tree_fd(cfd, *(int *) userdata + 1);
        close(cfd);
        return r;
}

static int sync_tree_fd(int fd, int depth) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode)) {
                if (depth > 4096)
                        return -ELOOP;
                int r = dir_for_each(fd, sync_entry, &depth);
                if (r < 0)
                        return r;
        } else if (!S_ISREG(st.st_mode))
                return 0;
        return fd_sync(fd);
}

/* Trees with more entries than this are synced with one syncfs. */
#define SYNC_TREE_MAX_FSYNCS 32

static int count_entry(int fd, const char *name, void *userdata) {
        unsigned *count = userdata;
        if (++*count > SYNC_TREE_MAX_FSYNCS)
                return -E2BIG; /* enough: stop counting */
        struct stat st;
        if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                return 0;
        _cleanup_close_ int cfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return cfd < 0 ? -errno : dir_for_each(cfd, count_entry, count);
}

int sync_tree(int dirfd, const char *path) {
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ELOOP ? 0 : -errno; /* a symlink: nothing to sync */
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        unsigned count = 0;
        int r = S_ISDIR(st.st_mode) ? dir_for_each(fd, count_entry, &count) : 0;
        if (r == -E2BIG)
                return fs_sync(fd);
        if (r < 0)
                return r;
        return sync_tree_fd(fd, 0);
}

int fs_sync(int fd) {
        int r = fault_point("syncfs");
        if (r < 0)
                return r;
        return syncfs(fd) < 0 ? -errno : 0;
}

int rename_at(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, bool noreplace) {
        int r = fault_point("rename");
        if (r < 0)
                return r;
        if (noreplace) {
                if (renameat2(olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE) < 0)
                        return -errno;
                return 0;
        }
        return renameat(olddirfd, oldpath, newdirfd, newpath) < 0 ? -errno : 0;
}

/* A temporary name beside path: DIR/.#BASE.RANDOM */
static char *temp_name_beside(const char *path) {
        _cleanup_free_ char *parent = NULL;
        const char *base = split_parent(path, &parent);
        static unsigned counter;
        StrBuf sb = STRBUF_INIT;
        if (strchr(path, '/'))
                strbuf_addf(&sb, "%s/", parent);
        strbuf_addf(&sb, ".#%s.%d.%u", base, (int) getpid(), counter++);
        return strbuf_detach(&sb, NULL);
}

int unlink_at(int dirfd, const char *path, int flags) {
        int r = fault_point("unlink");
        if (r < 0)
                return r;
        return unlinkat(dirfd, path, flags) < 0 ? -errno : 0;
}

int write_file_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode) {
        _cleanup_free_ char *tmp = temp_name_beside(path);
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        int r = fd_write_all(fd, data, len);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0)
                r = fd_sync(fd);
        close(fd);
        if (r >= 0)
                r = rename_at(dirfd, tmp, dirfd, path, false);
        if (r < 0) {
                unlinkat(dirfd, tmp, 0);
                return r;
        }
        return sync_parent_dir(dirfd, path);
}

int symlink_atomic(const char *target, int dirfd, const char *path) {
        _cleanup_free_ char *tmp = temp_name_beside(path);
        int r = fault_point("symlink");
        if (r < 0)
                return r;
        if (symlinkat(target, dirfd, tmp) < 0)
                return -errno;
        r = rename_at(dirfd, tmp, dirfd, path, false);
        if (r < 0) {
                unlinkat(dirfd, tmp, 0);
                return r;
        }
        return sync_parent_dir(dirfd, path);
}

int mkdir_p(int dirfd, const char *path, mode_t mode) {
        struct stat st;
        /* The common case, a directory that exists, costs one stat. */
        if (fstatat(dirfd, path, &st, 0) >= 0 && S_ISDIR(st.st_mode))
                return 0;
        _cleanup_free_ char *p = xstrdup(path);
        for (char *s = p + (*p == '/');; s++) {
                char c = *s;
                if (c != '/' && c != 0)
                        continue;
                *s = 0;
                if (*p) {
                        int r = fault_point("mkdir");
                        if (r < 0)
                                return r;
                        if (mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
                                return -errno;
                }
                if (c == 0)
                        break;
                *s = '/';
        }
        if (fstatat(dirfd, path, &st, 0) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

typedef struct RmRf {
        int depth;
        unsigned long long *freed;
} RmRf;

static int rm_rf_entry(int dirfd, const char *name, int depth, unsigned long long *freed);

static int rm_rf_child(int fd, const char *name, void *userdata) {
        RmRf *ctx = userdata;
        return rm_rf_entry(fd, name, ctx->depth, ctx->freed);
}

static int rm_rf_entry(int dirfd, const char *name, int depth, unsigned long long *freed) {
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode)) {
                if (depth > 4096)
                        return -ELOOP;
                if ((st.st_mode & 0700) != 0700)
                        fchmodat(dirfd, name, st.st_mode | 0700, 0);
                _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                int r = dir_for_each(fd, rm_rf_child, &(RmRf) { depth + 1, freed });
                if (r < 0)
                        return r;
                r = unlink_at(dirfd, name, AT_REMOVEDIR);
                return r == -ENOENT ? 0 : r;
        }
        int r = unlink_at(dirfd, name, 0);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        if (freed && S_ISREG(st.st_mode) && st.st_nlink == 1)
                *freed += (unsigned long long) st.st_blocks * 512;
        return 0;
}

int rm_rf(int dirfd, const char *path, unsigned long long *ret_freed) {
        unsigned long long freed = 0;
        int r = rm_rf_entry(dirfd, path, 0, &freed);
        if (ret_freed)
                *ret_freed = freed;
        return r;
}

int fd_read_all(int fd, size_t max_size, char **ret_data, size_t *ret_len) {
        StrBuf sb = STRBUF_INIT;
        for (;;) {
                strbuf_grow(&sb, 65536);
                ssize_t n = read(fd, sb.buf + sb.len, 65536);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        strbuf_release(&sb);
                        return r;
                }
                if (n == 0)
                        break;
                sb.len += (size_t) n;
                sb.buf[sb.len] = 0;
                if (sb.len > max_size) {
                        strbuf_release(&sb);
                        return -EFBIG;
                }
        }
        *ret_data = strbuf_detach(&sb, ret_len);
        return 0;
}

int read_file(int dirfd, const char *path, size_t max_size, char **ret_data, size_t *ret_len) {
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        return fd_read_all(fd, max_size, ret_data, ret_len);
}

int read_link(int dirfd, const char *path, char **ret_target) {
        for (size_t size = 256;; size *= 2) {
                _cleanup_free_ char *buf = xmalloc(size);
                ssize_t n = readlinkat(dirfd, path, buf, size);
                if (n < 0)
                        return -errno;
                if ((size_t) n < size) {
                        buf[n] = 0;
                        *ret_target = TAKE_PTR(buf);
                        return 0;
                }
                if (size > 1 << 20)
                        return -ENAMETOOLONG;
        }
}
