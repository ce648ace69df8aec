#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "lock.h"

int lock_fd(int fd, LockMode mode, bool wait) {
        int op = (mode == LOCK_MODE_SHARED ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
        while (flock(fd, op) < 0) {
                if (errno == EINTR)
                        continue;
                return -errno;
        }
        return 0;
}

void unlock_fd(int fd) {
        flock(fd, LOCK_UN);
}

int lock_file(int dirfd, const char *path, LockMode mode, bool wait) {
        int fd = openat(dirfd, path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        int r = lock_fd(fd, mode, wait);
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}
