#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "wrappers.h"
#include "xalloc.h"

#define DIR_PREFIX "wrappers."

/* Creates a fresh wrappers.XXXXXXXX directory in fd; *ret_name gets its name. */
static int make_fresh_dir(int fd, char ret_name[static 32]) {
        for (int attempt = 0; attempt < 16; attempt++) {
                unsigned char b[4];
                random_bytes(b, sizeof b);
                snprintf(ret_name, 32, DIR_PREFIX "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
                int q = mkdir_at(fd, ret_name, 0755);
                if (q != -EEXIST)
                        return q;
        }
        return -EEXIST;
}

typedef struct RemoveOld {
        const char *keep;
        int ret;                /* the first error */
} RemoveOld;

static int remove_one(int fd, const char *name, void *userdata) {
        RemoveOld *ro = userdata;
        if (strncmp(name, DIR_PREFIX, strlen(DIR_PREFIX)) != 0 || strcmp(name, ro->keep) == 0)
                return 0;
        int q = rm_rf(fd, name, NULL);
        if (q < 0) {
                log_error_errno(q, "Failed to remove /run/wrappers/%s: %m", name);
                ro->ret = ro->ret ? ro->ret : q;
        }
        return 0; /* the others are still removed */
}

/* Removes wrappers.* directories other than keep. Returns 0 or the first
 * error. */
static int remove_old(int fd, const char *keep) {
        RemoveOld ro = { .keep = keep };
        int r = dir_for_each(fd, remove_one, &ro);
        return r < 0 ? r : ro.ret;
}

int wrappers_activate(const Root *r, const Activation *a, const UserDb *db, size_t *ret_installed) {
        size_t installed = 0;
        int ret = 0;
        *ret_installed = 0;
        _cleanup_close_ int wfd = root_mkdir_p(r, "/run/wrappers", 0755);
        if (wfd < 0)
                return log_error_errno(wfd, "Failed to open /run/wrappers: %m");
        remove_stray_temps(wfd);
        char name[32];
        int q = make_fresh_dir(wfd, name);
        if (q < 0)
                return log_error_errno(q, "Failed to create a directory in /run/wrappers: %m");
        _cleanup_close_ int dfd = openat(wfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return log_error_errno(-errno, "Failed to open /run/wrappers/%s: %m", name);

        bool special = false;
        for (size_t i = 0; i < a->n_wrappers; i++) {
                const WrapperSpec *w = &a->wrappers[i];
                uid_t uid;
                gid_t gid;
                if (userdb_uid(db, w->owner, &uid) < 0 || userdb_gid(db, w->group, &gid) < 0) {
                        log_error("wrapper %s: unknown owner \"%s\" or group \"%s\"; skipping it", w->name, w->owner,
                                  w->group);
                        ret = ret ? ret : -ENOENT;
                        continue;
                }
                _cleanup_close_ int src = root_open(r, w->source, O_RDONLY | O_NONBLOCK, 0);
                struct stat st;
                if (src < 0 || fstat(src, &st) < 0 || !S_ISREG(st.st_mode)) {
                        q = src < 0 ? src : -EINVAL;
                        log_error_errno(q, "wrapper %s: cannot use %s: %m", w->name, w->source);
                        ret = ret ? ret : q;
                        continue;
                }
                q = file_copy_at(dfd, w->name, src, w->mode, uid, gid);
                if (q < 0) {
                        log_error_errno(q, "wrapper %s: failed to copy %s: %m", w->name, w->source);
                        ret = ret ? ret : q;
                        continue;
                }
                special |= (w->mode & 06000) != 0;
                installed++;
        }
        struct statvfs sv;
        if (special && fstatvfs(dfd, &sv) >= 0 && (sv.f_flag & ST_NOSUID))
                log_warning("/run/wrappers is on a nosuid mount: setuid and setgid wrappers will not work");

        /* A real directory named bin (from something else) can't be renamed
         * over; remove it first. */
        struct stat st;
        if (fstatat(wfd, "bin", &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISDIR(st.st_mode)) {
                q = rm_rf(wfd, "bin", NULL);
                if (q < 0)
                        return log_error_errno(q, "Failed to remove the directory /run/wrappers/bin: %m");
        }
        q = symlink_replace_at(wfd, "bin", name);
        if (q < 0) {
                log_error_errno(q, "Failed to link /run/wrappers/bin: %m");
                rm_rf(wfd, name, NULL);
                return q;
        }
        q = remove_old(wfd, name);
        ret = ret ? ret : q;
        *ret_installed = installed;
        return ret;
}
