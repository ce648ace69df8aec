/* File operations confined to a root directory (`--root DIR`, "/" at boot).
 *
 * Paths given to root_* functions are absolute or relative; both mean "under
 * the root". They are resolved with openat2(RESOLVE_IN_ROOT): symlinks are
 * followed, but an absolute symlink or ".." can never leave the root (like a
 * chroot, without needing one). The *_at functions work on one name in a
 * directory fd and never follow a symlink in that last component, so
 * writing can't escape through a link either.
 *
 * Every replacement is atomic: the new content is written to a temporary
 * name ".firn-new.PID.N" in the same directory and renamed over the old
 * entry, so an observer (and a crash) sees the old or the new entry, never
 * a partial one. Each write, fsync, rename, unlink, mkdir and symlink passes
 * a failure point (src/util/fault.h), which the crash tests use.
 *
 * Return values: >= 0 on success, a negative errno on failure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The prefix of every temporary name; stray ones (after a crash) are
 * removed by the step that owns the directory. */
#define TEMP_PREFIX ".firn-new."

typedef struct Root {
        int fd;           /* O_PATH|O_DIRECTORY, close-on-exec */
        char *path;       /* canonical (realpath) of the root, "/" at boot */
        bool is_slash;    /* path is "/" */
} Root;

/* Opens dir as the root. */
int root_open_dir(const char *dir, Root *ret);
void root_close(Root *r);

/* openat2(root, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT). mode is used
 * with O_CREAT only. Returns the fd. Falls back to plain openat() when the
 * kernel lacks openat2 and the root is "/". */
int root_open(const Root *r, const char *path, int flags, mode_t mode);

/* Opens the directory path, creating it and missing parents (mode, then
 * chmod'ed to exactly mode, owner root) when absent. Returns an fd opened
 * O_RDONLY|O_DIRECTORY. */
int root_mkdir_p(const Root *r, const char *path, mode_t mode);

/* Where the root-relative path p lives inside the root's canonical form:
 * resolves p with RESOLVE_IN_ROOT and returns the result as an absolute path
 * *as seen inside the root* (malloc'ed). Needs /proc. */
int root_canonicalize(const Root *r, const char *p, char **ret);

/* Reads the file (following links within the root) into a malloc'ed,
 * NUL-terminated buffer; max bytes at most (else -EFBIG). */
int root_read_file(const Root *r, const char *path, size_t max, char **ret_data, size_t *ret_len);

/* dirfd/name becomes a symlink to target (created or replaced atomically).
 * Does nothing and returns 0 when it is already exactly that link; returns 1
 * when it changed something. */
int symlink_replace_at(int dirfd, const char *name, const char *target);

/* The same without looking first: always writes a new link. Returns 1. */
int symlink_swap_at(int dirfd, const char *name, const char *target);

/* dirfd/name becomes a regular file holding data, with exactly mode, uid
 * and gid (fchown before fchmod, so setuid bits survive), atomically. With
 * sync, the file is fsynced before the rename and the directory after it.
 * Returns 0 when the file already had that content, mode and owner (nothing
 * written), 1 when it was replaced. */
int file_replace_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
                    bool sync);

/* Like file_replace_at with the content read from srcfd (from its current
 * offset to its end). Always replaces; never syncs. */
int file_copy_at(int dirfd, const char *name, int srcfd, mode_t mode, uid_t uid, gid_t gid);

/* Reads dirfd/name (not following a symlink there) into a malloc'ed,
 * NUL-terminated buffer of at most max bytes. */
int read_file_at(int dirfd, const char *name, size_t max, char **ret_data, size_t *ret_len);

/* mkdirat with a failure point; then exactly mode (fchmodat, so umask and
 * sticky bits don't interfere). -EEXIST when something is there. */
int mkdir_at(int dirfd, const char *name, mode_t mode);

/* Removes the stray temporary files (TEMP_PREFIX*) directly in dirfd. */
void remove_stray_temps(int dirfd);

/* Fills buf with n random bytes; never blocks (early boot may have no
 * entropy yet: uniqueness, not secrecy, is what the callers need). */
void random_bytes(void *buf, size_t n);
