/* File helpers that make a change durable and atomic: each one either
 * completes or leaves the old state (after a crash, at worst a stray
 * temporary file named ".#…" that nothing reads).
 *
 * All take a directory fd (or AT_FDCWD) and a path relative to it, so store
 * code stays inside its root. Each write, fsync, rename, unlink, mkdir and
 * symlink passes a failure point (fault.h). Return values follow the project
 * rule: >= 0 on success, a negative errno on failure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Writes all len bytes (retrying short writes and EINTR). */
int fd_write_all(int fd, const void *data, size_t len);

/* Reads until len bytes or end of file; returns the number of bytes read. */
ssize_t fd_read_full(int fd, void *buf, size_t len);

/* fsync(fd). */
int fd_sync(int fd);

/* fsyncs the directory that holds path (path's parent, relative to dirfd). */
int sync_parent_dir(int dirfd, const char *path);

/* Makes every regular file and directory under path (path included)
 * durable, without following symlinks: one fsync each for a small tree, one
 * syncfs of the whole file system for a large one (thousands of fsyncs cost
 * far more than one syncfs). The entry of path in its parent is not synced:
 * callers rename the tree into place and sync that directory. Used before a
 * new store object is renamed into place and registered. */
int sync_tree(int dirfd, const char *path);

/* syncfs() of the file system that holds fd: everything written there
 * becomes durable at once. */
int fs_sync(int fd);

/* renameat(); with noreplace, fails with -EEXIST rather than replace. */
int rename_at(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, bool noreplace);

/* Replaces (or creates) path with a file holding data, mode `mode`: writes a
 * temporary file beside it, fsyncs it, renames it over path and fsyncs the
 * directory. */
int write_file_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode);

/* Replaces (or creates) the symlink path -> target the same way. */
int symlink_atomic(const char *target, int dirfd, const char *path);

/* Creates path and its missing parents. Existing directories are fine. */
int mkdir_p(int dirfd, const char *path, mode_t mode);

/* Removes path and everything under it, making read-only directories
 * writable first (store objects are read-only). A missing path is fine.
 * ret_freed (may be NULL) gets the bytes of regular files whose last link
 * went away. */
int rm_rf(int dirfd, const char *path, unsigned long long *ret_freed);

/* unlinkat() with a failure point. */
int unlink_at(int dirfd, const char *path, int flags);

/* Reads fd to its end into a malloc'ed, NUL-terminated buffer (ret_len may
 * be NULL); more than max_size bytes fail with -EFBIG. */
int fd_read_all(int fd, size_t max_size, char **ret_data, size_t *ret_len);

/* Reads the whole file into a malloc'ed, NUL-terminated buffer. ret_len may
 * be NULL. Files larger than max_size fail with -EFBIG. */
int read_file(int dirfd, const char *path, size_t max_size, char **ret_data, size_t *ret_len);

/* The target of a symlink, malloc'ed. */
int read_link(int dirfd, const char *path, char **ret_target);

/* Calls fn(fd, name, userdata) for each entry (but "." and "..") of the
 * directory open as fd, in readdir order, until fn returns < 0, which is
 * then returned. */
int dir_for_each(int fd, int (*fn)(int fd, const char *name, void *userdata), void *userdata);
