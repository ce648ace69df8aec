#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "var-layout.h"

int var_layout_activate(const Root *r, size_t *ret_created) {
        static const struct {
                const char *path;
                mode_t mode;
                bool enforce;
        } dirs[] = {
                { "/var", 0755, false },       { "/var/lib", 0755, false },   { "/var/lib/firn", 0755, false },
                { "/var/log", 0755, false },   { "/var/cache", 0755, false }, { "/var/tmp", 01777, true },
                { "/var/empty", 0555, false }, { "/tmp", 01777, true },       { "/root", 0700, false },
                { "/etc", 0755, false },
        };
        size_t created = 0;
        int ret = 0;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_close_ int fd = root_open(r, dirs[i].path, O_RDONLY | O_DIRECTORY, 0);
                if (fd == -ENOENT) {
                        fd = root_mkdir_p(r, dirs[i].path, dirs[i].mode);
                        created += fd >= 0;
                } else if (fd >= 0 && dirs[i].enforce) {
                        struct stat st;
                        if (fstat(fd, &st) >= 0 && (st.st_mode & 07777) != dirs[i].mode) {
                                log_warning("%s had mode %04o; setting %04o", dirs[i].path,
                                            (unsigned) (st.st_mode & 07777), (unsigned) dirs[i].mode);
                                if (fchmod(fd, dirs[i].mode) < 0)
                                        fd = -errno;
                        }
                }
                if (fd < 0) {
                        log_error_errno(fd, "Failed to set up %s: %m", dirs[i].path);
                        if (ret == 0)
                                ret = fd;
                }
        }
        _cleanup_close_ int etcfd = root_open(r, "/etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
        struct stat st;
        if (etcfd < 0) {
                if (ret == 0)
                        ret = log_error_errno(etcfd, "Failed to open /etc: %m");
        } else if (fstatat(etcfd, "mtab", &st, AT_SYMLINK_NOFOLLOW) >= 0 && !S_ISLNK(st.st_mode))
                log_warning("/etc/mtab is a real file, not a link to /proc/self/mounts; leaving it alone");
        else {
                int q = symlink_replace_at(etcfd, "mtab", "/proc/self/mounts");
                if (q < 0) {
                        log_error_errno(q, "Failed to link /etc/mtab: %m");
                        if (ret == 0)
                                ret = q;
                }
        }
        *ret_created = created;
        return ret;
}
