#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "fileio.h"
#include "fsops.h"
#include "strbuf.h"
#include "xalloc.h"

int root_open_dir(const char *dir, Root *ret) {
        char *real = realpath(dir, NULL);
        if (!real)
                return -errno;
        int fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;
                free(real);
                return r;
        }
        *ret = (Root) { .fd = fd, .path = real, .is_slash = strcmp(real, "/") == 0 };
        return 0;
}

void root_close(Root *r) {
        if (r->fd >= 0)
                close(r->fd);
        r->fd = -EBADF;
        free(r->path);
        r->path = NULL;
}

int root_open(const Root *r, const char *path, int flags, mode_t mode) {
        while (*path == '/')
                path++;
        if (!*path)
                path = ".";
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .mode = (flags & O_CREAT) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int) syscall(SYS_openat2, r->fd, path, &how, sizeof how);
        if (fd >= 0)
                return fd;
        if (errno == ENOSYS && r->is_slash) {
                fd = openat(r->fd, path, flags | O_CLOEXEC, mode);
                if (fd >= 0)
                        return fd;
        }
        return -errno;
}

int mkdir_at(int dirfd, const char *name, mode_t mode) {
        int r = fault_point("mkdir");
        if (r < 0)
                return r;
        if (mkdirat(dirfd, name, mode & 0777) < 0)
                return -errno;
        if (fchmodat(dirfd, name, mode, 0) < 0)
                return -errno;
        return 0;
}

int root_mkdir_p(const Root *r, const char *path, mode_t mode) {
        int fd = root_open(r, path, O_RDONLY | O_DIRECTORY, 0);
        if (fd != -ENOENT)
                return fd;
        /* Walk down from the root, creating what is missing: each prefix is
         * resolved within the root, each new directory made by name in its
         * parent's fd. */
        _cleanup_free_ char *p = xstrdup(path);
        _cleanup_close_ int cur = root_open(r, "/", O_RDONLY | O_DIRECTORY, 0);
        if (cur < 0)
                return cur;
        size_t i = 0;
        for (;;) {
                while (p[i] == '/')
                        i++;
                if (!p[i])
                        break;
                size_t start = i;
                while (p[i] && p[i] != '/')
                        i++;
                char saved = p[i];
                p[i] = 0;
                int next = root_open(r, p, O_RDONLY | O_DIRECTORY, 0);
                if (next == -ENOENT) {
                        int q = mkdir_at(cur, p + start, mode);
                        if (q < 0 && q != -EEXIST)
                                return q;
                        next = openat(cur, p + start, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (next < 0)
                                return -errno;
                } else if (next < 0)
                        return next;
                p[i] = saved;
                close(cur);
                cur = next;
        }
        return TAKE_FD(cur);
}

int root_canonicalize(const Root *r, const char *p, char **ret) {
        _cleanup_close_ int fd = root_open(r, p, O_PATH, 0);
        if (fd < 0)
                return fd;
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        _cleanup_free_ char *real = NULL;
        int q = read_link(AT_FDCWD, proc, &real);
        if (q < 0)
                return q;
        if (r->is_slash) {
                *ret = TAKE_PTR(real);
                return 0;
        }
        size_t n = strlen(r->path);
        if (strncmp(real, r->path, n) != 0 || (real[n] != '/' && real[n] != 0))
                return -EXDEV; /* cannot happen with RESOLVE_IN_ROOT */
        *ret = xstrdup(real[n] ? real + n : "/");
        return 0;
}

int root_read_file(const Root *r, const char *path, size_t max, char **ret_data, size_t *ret_len) {
        _cleanup_close_ int fd = root_open(r, path, O_RDONLY | O_NONBLOCK, 0);
        if (fd < 0)
                return fd;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        return fd_read_all(fd, max, ret_data, ret_len);
}

int read_file_at(int dirfd, const char *name, size_t max, char **ret_data, size_t *ret_len) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        return fd_read_all(fd, max, ret_data, ret_len);
}

/* A fresh temporary name in the same directory as the entry it replaces. */
static void temp_name(char buf[static 64]) {
        static unsigned counter;
        snprintf(buf, 64, TEMP_PREFIX "%d.%u", (int) getpid(), counter++);
}

int symlink_replace_at(int dirfd, const char *name, const char *target) {
        _cleanup_free_ char *old = NULL;
        if (read_link(dirfd, name, &old) >= 0 && strcmp(old, target) == 0)
                return 0;
        return symlink_swap_at(dirfd, name, target);
}

int symlink_swap_at(int dirfd, const char *name, const char *target) {
        char tmp[64];
        temp_name(tmp);
        int r = fault_point("symlink");
        if (r < 0)
                return r;
        if (symlinkat(target, dirfd, tmp) < 0)
                return -errno;
        r = rename_at(dirfd, tmp, dirfd, name, false);
        if (r < 0) {
                unlinkat(dirfd, tmp, 0);
                return r;
        }
        return 1;
}

static bool file_is(int dirfd, const char *name, const void *data, size_t len, mode_t mode, uid_t uid, gid_t gid) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return false;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 07777) != mode || st.st_uid != uid ||
            st.st_gid != gid || (size_t) st.st_size != len)
                return false;
        _cleanup_free_ char *buf = xmalloc(len + 1);
        return fd_read_full(fd, buf, len + 1) == (ssize_t) len && memcmp(buf, data, len) == 0;
}

/* Creates the temporary file; fills it with fill(fd, userdata); sets owner
 * and mode; renames it over name. */
static int replace_with(int dirfd, const char *name, mode_t mode, uid_t uid, gid_t gid, bool sync,
                        int (*fill)(int fd, void *userdata), void *userdata) {
        char tmp[64];
        temp_name(tmp);
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        int r = fill(fd, userdata);
        if (r >= 0 && fchown(fd, uid, gid) < 0)
                r = -errno;
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && sync)
                r = fd_sync(fd);
        close(fd);
        if (r >= 0)
                r = rename_at(dirfd, tmp, dirfd, name, false);
        if (r < 0) {
                unlinkat(dirfd, tmp, 0);
                return r;
        }
        if (sync) {
                r = fd_sync(dirfd);
                /* An O_PATH directory fd cannot be fsynced; fall back to
                 * opening it. */
                if (r == -EBADF) {
                        _cleanup_close_ int d = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        r = d < 0 ? -errno : fd_sync(d);
                }
                if (r < 0)
                        return r;
        }
        return 1;
}

typedef struct Buffer {
        const void *data;
        size_t len;
} Buffer;

static int fill_buffer(int fd, void *userdata) {
        Buffer *b = userdata;
        return fd_write_all(fd, b->data, b->len);
}

int file_replace_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
                    bool sync) {
        if (file_is(dirfd, name, data, len, mode, uid, gid))
                return 0;
        return replace_with(dirfd, name, mode, uid, gid, sync, fill_buffer, &(Buffer) { data, len });
}

static int fill_copy(int fd, void *userdata) {
        int src = *(int *) userdata;
        char buf[65536];
        for (;;) {
                ssize_t n = read(src, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return 0;
                int r = fd_write_all(fd, buf, (size_t) n);
                if (r < 0)
                        return r;
        }
}

int file_copy_at(int dirfd, const char *name, int srcfd, mode_t mode, uid_t uid, gid_t gid) {
        return replace_with(dirfd, name, mode, uid, gid, false, fill_copy, &srcfd);
}

void remove_stray_temps(int dirfd) {
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        struct dirent *e;
        while ((e = readdir(d)))
                if (strncmp(e->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0)
                        unlinkat(dirfd, e->d_name, 0);
        closedir(d);
}

void random_bytes(void *buf, size_t n) {
        size_t got = 0;
        unsigned flags[] = { GRND_INSECURE, GRND_NONBLOCK };
        for (size_t i = 0; i < ELEMENTSOF(flags) && got < n; i++)
                while (got < n) {
                        ssize_t k = getrandom((char *) buf + got, n - got, flags[i]);
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                break;
                        }
                        got += (size_t) k;
                }
        if (got == n)
                return;
        /* No usable getrandom: mix the clock, the pid and the address space
         * layout. Unique enough for an id, never for a key. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t) ts.tv_nsec ^ ((uint64_t) ts.tv_sec << 30) ^ ((uint64_t) getpid() << 48) ^
                     (uint64_t) (uintptr_t) &ts;
        for (size_t i = got; i < n; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((unsigned char *) buf)[i] = (unsigned char) (x >> 24);
        }
}
