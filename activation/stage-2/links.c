#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "links.h"
#include "log.h"

int run_links_activate(const Root *r, const char *toplevel, bool booting, size_t *ret_changed) {
        size_t changed = 0;
        *ret_changed = 0;
        _cleanup_close_ int runfd = root_mkdir_p(r, "/run", 0755);
        if (runfd < 0)
                return log_error_errno(runfd, "Failed to open /run: %m");
        remove_stray_temps(runfd);
        int q = symlink_replace_at(runfd, "current-system", toplevel);
        if (q < 0)
                return log_error_errno(q, "Failed to link /run/current-system: %m");
        changed += q > 0;
        struct stat st;
        if (booting && fstatat(runfd, "booted-system", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
                q = symlink_replace_at(runfd, "booted-system", toplevel);
                if (q < 0)
                        return log_error_errno(q, "Failed to link /run/booted-system: %m");
                changed += q > 0;
        }
        *ret_changed = changed;
        return 0;
}

int usr_links_activate(const Root *r, size_t *ret_changed, size_t *ret_blocked) {
        static const struct {
                const char *name, *target;
        } links[] = {
                { "usr", "/run/current-system/sw/usr" },
                { "bin", "usr/bin" },
                { "sbin", "usr/sbin" },
                { "lib", "usr/lib" },
                { "lib64", "usr/lib64" },
        };
        size_t changed = 0, blocked = 0;
        int ret = 0;
        _cleanup_close_ int rootfd = root_open(r, "/", O_RDONLY | O_DIRECTORY, 0);
        if (rootfd < 0)
                return log_error_errno(rootfd, "Failed to open the root: %m");
        remove_stray_temps(rootfd);
        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                struct stat st;
                if (fstatat(rootfd, links[i].name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && !S_ISLNK(st.st_mode)) {
                        log_warning("/%s is a real %s, not a link to %s; leaving it alone", links[i].name,
                                    S_ISDIR(st.st_mode) ? "directory" : "file", links[i].target);
                        blocked++;
                        continue;
                }
                int q = symlink_replace_at(rootfd, links[i].name, links[i].target);
                if (q < 0) {
                        log_error_errno(q, "Failed to link /%s: %m", links[i].name);
                        if (ret == 0)
                                ret = q;
                } else
                        changed += q > 0;
        }
        *ret_changed = changed;
        *ret_blocked = blocked;
        return ret;
}

int default_unit_activate(const Root *r, const char *unit, bool *ret_changed) {
        *ret_changed = false;
        _cleanup_close_ int dfd = root_mkdir_p(r, "/run/systemd/system", 0755);
        if (dfd < 0)
                return log_error_errno(dfd, "Failed to open /run/systemd/system: %m");
        if (!unit) {
                if (unlinkat(dfd, "default.target", 0) < 0)
                        return errno == ENOENT ? 0 : log_error_errno(-errno, "Failed to remove /run/systemd/system/default.target: %m");
                *ret_changed = true;
                return 0;
        }
        remove_stray_temps(dfd);
        int q = symlink_replace_at(dfd, "default.target", unit);
        if (q < 0)
                return log_error_errno(q, "Failed to link /run/systemd/system/default.target: %m");
        *ret_changed = q > 0;
        return 0;
}
