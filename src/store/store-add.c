#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"
#include "lock.h"
#include "nar-restore.h"
#include "store-add.h"
#include "store-db.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

static char *error_printf(const char *fmt, ...) _printf_(1, 2);
static char *error_printf(const char *fmt, ...) {
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        return strbuf_detach(&sb, NULL);
}

/* ---- canonicalisation ---------------------------------------------- */

static int canonicalise_at(int dirfd, const char *name, int depth) {
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (depth > NAR_MAX_DEPTH)
                return -ELOOP;
        mode_t mode;
        if (S_ISREG(st.st_mode))
                mode = (st.st_mode & 0111) ? 0555 : 0444;
        else if (S_ISDIR(st.st_mode))
                mode = 0555;
        else if (S_ISLNK(st.st_mode))
                mode = 0;
        else
                return -EBADFD;
        if (geteuid() == 0 && (st.st_uid != 0 || st.st_gid != 0))
                if (fchownat(dirfd, name, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
        if (S_ISDIR(st.st_mode)) {
                /* Children first, while the directory is still writable. */
                _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                int dfd = dup(fd);
                DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
                if (!d) {
                        if (dfd >= 0)
                                close(dfd);
                        return -errno;
                }
                int r = 0;
                struct dirent *e;
                while (r >= 0 && (e = readdir(d)))
                        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                                r = canonicalise_at(fd, e->d_name, depth + 1);
                closedir(d);
                if (r < 0)
                        return r;
        }
        if (mode && (st.st_mode & 07777) != mode)
                if (fchmodat(dirfd, name, mode, 0) < 0)
                        return -errno;
        if (st.st_mtim.tv_sec != 1 || st.st_mtim.tv_nsec != 0) {
                struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = 1 } };
                if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
        }
        return 0;
}

int store_canonicalise(int dirfd, const char *path) {
        return canonicalise_at(dirfd, path, 0);
}

char *store_make_fixed_ca(FileIngestion method, const Hash *hash) {
        _cleanup_free_ char *h = hash_to_string(hash, HASH_FORMAT_BASE32);
        return error_printf("fixed:%s%s:%s", method == FILE_INGESTION_RECURSIVE ? "r:" : "",
                            hash_algo_to_string(hash->algo), h);
}

/* ---- moving a finished object into place ----------------------------- */

/* A fresh name for an object being written: protected by a temporary
 * root, ignored by everything but GC. */
static int make_temp_name(Store *store, char **ret_name) {
        char *name = error_printf(".tmp-firn-%d-%u", (int) getpid(), store->tmp_counter++);
        _cleanup_free_ char *logical = error_printf("%s/%s", store->store_dir, name);
        int r = store_add_temp_root(store, logical);
        if (r < 0) {
                free(name);
                return r;
        }
        *ret_name = name;
        return 0;
}

/* Holds the lock of the store path path (HASH-NAME.lock in the store
 * directory). Returns the lock fd. */
static int lock_store_path(Store *store, const char *base) {
        _cleanup_free_ char *lock_name = error_printf("%s.lock", base);
        return lock_file(store->store_fd, lock_name, LOCK_MODE_EXCLUSIVE, true);
}

static void unlock_store_path(Store *store, const char *base, int fd) {
        /* Unlinking while locked is safe: a waiter that then gets the lock on
         * the old inode, or anyone creating a new one, finds the path valid. */
        _cleanup_free_ char *lock_name = error_printf("%s.lock", base);
        unlinkat(store->store_fd, lock_name, 0);
        close(fd);
}

/* Renames the canonicalised, not yet synced object tmp to path's name,
 * after syncing it, and registers info. Called with path's lock held and
 * path not valid. */
static int install_object(Store *store, const char *tmp, PathInfo *info, char **ret_error) {
        const char *base = store_path_base(store, info->path);
        int r = rm_rf(store->store_fd, base, NULL); /* an invalid leftover */
        if (r < 0) {
                *ret_error = error_printf("removing invalid path '%s': %s", info->path, strerror(-r));
                return r;
        }
        r = sync_tree(store->store_fd, tmp);
        if (r >= 0)
                r = rename_at(store->store_fd, tmp, store->store_fd, base, true);
        if (r >= 0)
                r = fd_sync(store->store_fd);
        if (r < 0) {
                *ret_error = error_printf("writing '%s': %s", info->path, strerror(-r));
                return r;
        }
        r = store_register_paths(store, &info, 1, ret_error);
        if (r < 0) {
                /* Not valid, so not visible: leave no files either. */
                rm_rf(store->store_fd, base, NULL);
                return r;
        }
        return 0;
}

/* ---- adding a tree from outside ----------------------------------- */

typedef struct Pipeline {
        Store *store;
        const char *tmp;
        int read_fd;
        int result;
        Hash nar_sha256;
        uint64_t nar_size;
        char *error;
} Pipeline;

static ssize_t pipe_source(void *userdata, void *buf, size_t len) {
        Pipeline *p = userdata;
        for (;;) {
                ssize_t n = read(p->read_fd, buf, len);
                if (n >= 0)
                        return n;
                if (errno != EINTR)
                        return -errno;
        }
}

static void *restore_thread(void *userdata) {
        Pipeline *p = userdata;
        NarRestoreOptions opts = { .sync = false };
        p->result = nar_restore(p->store->store_fd, p->tmp, pipe_source, p, &opts, &p->nar_sha256, &p->nar_size,
                                &p->error);
        /* Drain so the writer never blocks on a reader that gave up. */
        char buf[65536];
        while (read(p->read_fd, buf, sizeof(buf)) > 0)
                ;
        return NULL;
}

static int pipe_sink(void *userdata, const void *data, size_t len) {
        return fd_write_all(*(int *) userdata, data, len);
}

/* Copies src to tmp in the store through the NAR encoding (so filters and
 * every check apply exactly as for hashing), giving the NAR's sha256 and
 * size. The dump and the restore run in two threads joined by a pipe. */
static int copy_via_nar(Store *store, const char *src, const char *tmp, NarFilter filter, void *filter_userdata,
                        Hash *ret_nar_hash, uint64_t *ret_nar_size, char **ret_error) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
        Pipeline p = { .store = store, .tmp = tmp, .read_fd = fds[0] };
        pthread_t thread;
        int r = -pthread_create(&thread, NULL, restore_thread, &p);
        if (r < 0) {
                close(fds[0]);
                close(fds[1]);
                return r;
        }
        char *dump_error = NULL;
        int rd = nar_dump_path_filtered(AT_FDCWD, src, filter, filter_userdata, pipe_sink, &fds[1], &dump_error);
        close(fds[1]);
        pthread_join(thread, NULL);
        close(fds[0]);
        if (rd < 0) {
                *ret_error = dump_error ? dump_error : error_printf("adding '%s': %s", src, strerror(-rd));
                free(p.error);
                return rd;
        }
        if (p.result < 0) {
                *ret_error = p.error ? p.error : error_printf("adding '%s': %s", src, strerror(-p.result));
                return p.result;
        }
        *ret_nar_hash = p.nar_sha256;
        *ret_nar_size = p.nar_size;
        return 0;
}

int store_add_from_path(Store *store, const char *src, const char *name, FileIngestion method, HashAlgo algo,
                        NarFilter filter, void *filter_userdata, char **ret_path, char **ret_error) {
        if (method == FILE_INGESTION_FLAT) {
                struct stat st;
                if (stat(src, &st) < 0) {
                        int r = -errno;
                        *ret_error = error_printf("getting status of '%s': %s", src, strerror(-r));
                        return r;
                }
                if (!S_ISREG(st.st_mode)) {
                        *ret_error = error_printf("'%s' is not a regular file (flat ingestion needs one)", src);
                        return -EINVAL;
                }
        }
        _cleanup_free_ char *tmp = NULL;
        int r = make_temp_name(store, &tmp);
        if (r < 0) {
                *ret_error = error_printf("adding a temporary root: %s", strerror(-r));
                return r;
        }
        Hash nar_hash;
        uint64_t nar_size = 0;
        r = copy_via_nar(store, src, tmp, filter, filter_userdata, &nar_hash, &nar_size, ret_error);
        if (r < 0) {
                rm_rf(store->store_fd, tmp, NULL);
                return r;
        }
        /* The content hash that names the path. */
        Hash content = nar_hash;
        char *hash_error = NULL;
        if (method == FILE_INGESTION_FLAT)
                r = hash_file(algo, store->store_fd, tmp, &content);
        else if (algo != HASH_SHA256)
                r = nar_hash_path(store->store_fd, tmp, algo, &content, NULL, &hash_error);
        free(hash_error);
        _cleanup_free_ char *path = NULL;
        if (r >= 0)
                r = store_path_make_fixed_output(method, &content, name, NULL, 0, false, store->store_dir, &path,
                                                 ret_error);
        else
                *ret_error = error_printf("hashing '%s': %s", src, strerror(-r));
        if (r >= 0) {
                r = store_add_temp_root(store, path);
                if (r < 0)
                        *ret_error = error_printf("adding a temporary root: %s", strerror(-r));
        }
        if (r < 0) {
                rm_rf(store->store_fd, tmp, NULL);
                return r;
        }
        const char *base = store_path_base(store, path);
        int lock_fd = lock_store_path(store, base);
        if (lock_fd < 0) {
                rm_rf(store->store_fd, tmp, NULL);
                *ret_error = error_printf("locking '%s': %s", path, strerror(-lock_fd));
                return lock_fd;
        }
        r = store_is_valid(store, path);
        if (r == 0) {
                r = store_canonicalise(store->store_fd, tmp);
                if (r < 0)
                        *ret_error = error_printf("canonicalising '%s': %s", path, strerror(-r));
                else {
                        _cleanup_path_info_free_ PathInfo *info = path_info_new(path);
                        info->nar_hash = nar_hash;
                        info->nar_size = nar_size;
                        info->ca = store_make_fixed_ca(method, &content);
                        r = install_object(store, tmp, info, ret_error);
                }
        } else if (r < 0)
                *ret_error = error_printf("querying '%s': %s", path, strerror(-r));
        rm_rf(store->store_fd, tmp, NULL);
        unlock_store_path(store, base, lock_fd);
        if (r < 0)
                return r;
        *ret_path = TAKE_PTR(path);
        return 0;
}

/* ---- text files ------------------------------------------------------ */

static int write_text_object(Store *store, const char *tmp, const void *data, size_t len) {
        _cleanup_close_ int fd = openat(store->store_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                        0444);
        if (fd < 0)
                return -errno;
        int r = fd_write_all(fd, data, len);
        if (r < 0)
                return r;
        if (geteuid() == 0 && fchown(fd, 0, 0) < 0)
                return -errno;
        struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = 1 } };
        if (futimens(fd, ts) < 0)
                return -errno;
        return 0;
}

int store_add_text(Store *store, const char *name, const void *data, size_t len, char *const *refs,
                   char **ret_path, char **ret_error) {
        Hash content;
        hash_buffer(HASH_SHA256, data, len, &content);
        _cleanup_free_ char *path = NULL;
        int r = store_path_make_text(name, &content, (const char *const *) refs, strv_length(refs), store->store_dir,
                                     &path, ret_error);
        if (r < 0)
                return r;
        r = store_add_temp_root(store, path);
        if (r < 0) {
                *ret_error = error_printf("adding a temporary root: %s", strerror(-r));
                return r;
        }
        r = store_is_valid(store, path);
        if (r > 0) {
                *ret_path = TAKE_PTR(path);
                return 0;
        }
        const char *base = store_path_base(store, path);
        int lock_fd = lock_store_path(store, base);
        if (lock_fd < 0) {
                *ret_error = error_printf("locking '%s': %s", path, strerror(-lock_fd));
                return lock_fd;
        }
        _cleanup_free_ char *tmp = NULL;
        r = store_is_valid(store, path);
        if (r == 0)
                r = make_temp_name(store, &tmp);
        if (r == 0) {
                r = write_text_object(store, tmp, data, len);
                _cleanup_path_info_free_ PathInfo *info = path_info_new(path);
                char *hash_error = NULL;
                if (r >= 0)
                        r = nar_hash_path(store->store_fd, tmp, HASH_SHA256, &info->nar_hash, &info->nar_size,
                                          &hash_error);
                free(hash_error);
                if (r < 0)
                        *ret_error = error_printf("writing '%s': %s", path, strerror(-r));
                else {
                        _cleanup_free_ char *h = hash_to_string(&content, HASH_FORMAT_BASE32);
                        info->ca = error_printf("text:sha256:%s", h);
                        for (size_t i = 0; refs && refs[i]; i++)
                                info->references = strv_push(info->references, refs[i]);
                        r = install_object(store, tmp, info, ret_error);
                }
                unlinkat(store->store_fd, tmp, 0);
        } else if (r < 0)
                *ret_error = error_printf("querying '%s': %s", path, strerror(-r));
        unlock_store_path(store, base, lock_fd);
        if (r < 0)
                return r;
        *ret_path = TAKE_PTR(path);
        return 0;
}
