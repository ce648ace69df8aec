/* Advisory file locks (flock), as Nix's store uses them: a lock file per
 * store path being built or added, the big GC lock, the per-process
 * temporary-roots file. A lock lives as long as its fd. */
#pragma once

#include <stdbool.h>

typedef enum LockMode {
        LOCK_MODE_SHARED,
        LOCK_MODE_EXCLUSIVE,
} LockMode;

/* Opens (creating it, mode 0600) the file path relative to dirfd and locks
 * it. With wait false, returns -EWOULDBLOCK when another process holds a
 * conflicting lock. Returns the locked fd (>= 0) or a negative errno. */
int lock_file(int dirfd, const char *path, LockMode mode, bool wait);

/* Changes the mode of a lock already held on fd. */
int lock_fd(int fd, LockMode mode, bool wait);

/* Releases the lock on fd (the fd stays open). */
void unlock_fd(int fd);
