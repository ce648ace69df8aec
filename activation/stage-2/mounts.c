#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fault.h"
#include "log.h"
#include "mounts.h"

/* 1 when path is the root of a mount (bind mounts included: statx's
 * STATX_ATTR_MOUNT_ROOT, Linux 5.8), else by comparing devices with the
 * parent; 0 when not; a negative errno. */
static int is_mount_point(const char *path) {
        struct statx sx;
        if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &sx) < 0)
                return -errno;
        if (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
                return !!(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
        struct stat st, parent;
        if (stat(path, &st) < 0)
                return -errno;
        char up[64];
        size_t n = strlen(path);
        if (n + 4 > sizeof up)
                return -ENAMETOOLONG;
        memcpy(up, path, n);
        memcpy(up + n, "/..", 4);
        if (stat(up, &parent) < 0)
                return -errno;
        return st.st_dev != parent.st_dev || st.st_ino == parent.st_ino;
}

int early_mounts(size_t *ret_mounted) {
        static const struct {
                const char *what, *where, *type;
                unsigned long flags;
                const char *data;
        } mounts[] = {
                { "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
                { "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
                { "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
                { "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "mode=0620,gid=5,ptmxmode=0666" },
                { "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
                { "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=25%" },
                { "tmpfs", "/run/wrappers", "tmpfs", MS_NODEV, "mode=0755,size=25%" },
        };
        size_t mounted = 0;
        int ret = 0;
        for (size_t i = 0; i < ELEMENTSOF(mounts); i++) {
                if (mkdir(mounts[i].where, 0755) < 0 && errno != EEXIST) {
                        int q = log_error_errno(-errno, "Failed to create %s: %m", mounts[i].where);
                        ret = ret ? ret : q;
                        continue;
                }
                int q = is_mount_point(mounts[i].where);
                if (q > 0)
                        continue;
                if (q == 0 && mount(mounts[i].what, mounts[i].where, mounts[i].type, mounts[i].flags,
                                    mounts[i].data) < 0)
                        q = -errno;
                if (q < 0) {
                        log_error_errno(q, "Failed to mount %s on %s: %m", mounts[i].type, mounts[i].where);
                        ret = ret ? ret : q;
                        continue;
                }
                mounted++;
        }
        *ret_mounted = mounted;
        return ret;
}

void ensure_console(void) {
        int fd = -EBADF;
        for (int i = 0; i < 3; i++) {
                if (fcntl(i, F_GETFD) >= 0)
                        continue;
                if (fd < 0)
                        fd = open("/dev/console", O_RDWR | O_NOCTTY); /* inherited by systemd */
                if (fd < 0)
                        return;
                if (fd != i)
                        dup2(fd, i);
        }
        if (fd > 2)
                close(fd);
}
