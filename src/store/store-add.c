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

/* ---- canonicalisation ---------------------------------------------- */

static int canonicalise_at(int dirfd, const char *name, int depth);

static int canonicalise_child(int fd, const char *name, void *userdata) {
        return canonicalise_at(fd, name, *(int *) userdata);
}

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
                int child_depth = depth + 1;
                int r = dir_for_each(fd, canonicalise_child, &child_depth);
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
        return xasprintf("fixed:%s%s:%s", method == FILE_INGESTION_RECURSIVE ? "r:" : "",
                            hash_algo_to_string(hash->algo), h);
}

/* ---- moving a finished object into place ----------------------------- */

/* A fresh name for an object being written: protected by a temporary
 * root, ignored by everything but GC. */
static int make_temp_name(Store *store, char **ret_name) {
        char *name = xasprintf(".tmp-firn-%d-%u", (int) getpid(), store->tmp_counter++);
        _cleanup_free_ char *logical = xasprintf("%s/%s", store->store_dir, name);
        int r = store_add_temp_root(store, logical);
        if (r < 0) {
                free(name);
                return r;
        }
        *ret_name = name;
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
                *ret_error = dump_error ? dump_error : xasprintf("adding '%s': %s", src, strerror(-rd));
                free(p.error);
                return rd;
        }
        if (p.result < 0) {
                *ret_error = p.error ? p.error : xasprintf("adding '%s': %s", src, strerror(-p.result));
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
                        *ret_error = xasprintf("getting status of '%s': %s", src, strerror(-r));
                        return r;
                }
                if (!S_ISREG(st.st_mode)) {
                        *ret_error = xasprintf("'%s' is not a regular file (flat ingestion needs one)", src);
                        return -EINVAL;
                }
        }
        _cleanup_free_ char *tmp = NULL;
        int r = make_temp_name(store, &tmp);
        if (r < 0) {
                *ret_error = xasprintf("adding a temporary root: %s", strerror(-r));
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
                *ret_error = xasprintf("hashing '%s': %s", src, strerror(-r));
        if (r >= 0) {
                r = store_add_temp_root(store, path);
                if (r < 0)
                        *ret_error = xasprintf("adding a temporary root: %s", strerror(-r));
        }
        if (r < 0) {
                rm_rf(store->store_fd, tmp, NULL);
                return r;
        }
        _cleanup_path_info_free_ PathInfo *info = path_info_new(path);
        info->nar_hash = nar_hash;
        info->nar_size = nar_size;
        info->ca = store_make_fixed_ca(method, &content);
        r = store_install_restored(store, &tmp, &info, 1, ret_error);
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
                *ret_error = xasprintf("adding a temporary root: %s", strerror(-r));
                return r;
        }
        r = store_is_valid(store, path);
        if (r > 0) {
                *ret_path = TAKE_PTR(path);
                return 0;
        }
        _cleanup_free_ char *tmp = NULL;
        r = make_temp_name(store, &tmp);
        if (r < 0) {
                *ret_error = xasprintf("adding a temporary root: %s", strerror(-r));
                return r;
        }
        _cleanup_path_info_free_ PathInfo *info = path_info_new(path);
        r = write_text_object(store, tmp, data, len);
        char *hash_error = NULL;
        if (r >= 0)
                r = nar_hash_path(store->store_fd, tmp, HASH_SHA256, &info->nar_hash, &info->nar_size, &hash_error);
        free(hash_error);
        if (r < 0) {
                *ret_error = xasprintf("writing '%s': %s", path, strerror(-r));
                unlinkat(store->store_fd, tmp, 0);
                return r;
        }
        _cleanup_free_ char *h = hash_to_string(&content, HASH_FORMAT_BASE32);
        info->ca = xasprintf("text:sha256:%s", h);
        for (size_t i = 0; refs && refs[i]; i++)
                info->references = strv_push(info->references, refs[i]);
        r = store_install_restored(store, &tmp, &info, 1, ret_error);
        if (r < 0)
                return r;
        *ret_path = TAKE_PTR(path);
        return 0;
}

/* Batches of more new objects than this are made durable with one syncfs. */
#define INSTALL_MAX_FSYNC_OBJECTS 8

/* ---- installing objects restored elsewhere (binary-cache.c) --------------- */

static int compare_slots(const void *a, const void *b, void *userdata) {
        PathInfo *const *infos = userdata;
        return strcmp(infos[*(const size_t *) a]->path, infos[*(const size_t *) b]->path);
}

int store_install_restored(Store *store, char *const *tmp_names, PathInfo *const *infos, size_t n,
                           char **ret_error) {
        /* Locks are taken in path order, so two batches cannot deadlock. */
        _cleanup_free_ PathInfo **sorted = xcalloc(n ? n : 1, sizeof(PathInfo *));
        _cleanup_free_ size_t *slot = xcalloc(n ? n : 1, sizeof(size_t));
        _cleanup_free_ int *lock_fds = xcalloc(n ? n : 1, sizeof(int));
        _cleanup_free_ bool *renamed = xcalloc(n ? n : 1, sizeof(bool));
        _cleanup_free_ PathInfo **todo = xcalloc(n ? n : 1, sizeof(PathInfo *));
        size_t n_locked = 0, n_todo = 0;
        int r = 0;

        for (size_t i = 0; i < n; i++)
                slot[i] = i;
        qsort_r(slot, n, sizeof(size_t), compare_slots, (void *) infos);
        for (size_t i = 0; i < n; i++)
                sorted[i] = infos[slot[i]];

        for (; n_locked < n; n_locked++) {
                const char *base = store_path_base(store, sorted[n_locked]->path);
                if (!base) {
                        *ret_error = xasprintf("'%s' is not a store path", sorted[n_locked]->path);
                        r = -EINVAL;
                        break;
                }
                int fd = store_lock_path(store, sorted[n_locked]->path);
                if (fd < 0) {
                        *ret_error = xasprintf("locking '%s': %s", sorted[n_locked]->path, strerror(-fd));
                        r = fd;
                        break;
                }
                lock_fds[n_locked] = fd;
        }

        /* First make every new object canonical, then durable (one syncfs
         * for a large batch, else one fsync per file), then rename them. */
        _cleanup_free_ bool *install = xcalloc(n ? n : 1, sizeof(bool));
        size_t n_install = 0;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                PathInfo *info = sorted[i];
                const char *tmp = tmp_names[slot[i]];
                r = store_is_valid(store, info->path);
                if (r > 0) { /* someone else installed it meanwhile */
                        r = 0;
                        continue;
                }
                if (r < 0) {
                        *ret_error = xasprintf("querying '%s': %s", info->path, strerror(-r));
                        break;
                }
                r = store_canonicalise(store->store_fd, tmp);
                if (r < 0) {
                        *ret_error = xasprintf("canonicalising '%s': %s", info->path, strerror(-r));
                        break;
                }
                install[i] = true;
                n_install++;
        }
        if (r >= 0 && n_install > INSTALL_MAX_FSYNC_OBJECTS)
                r = fs_sync(store->store_fd);
        for (size_t i = 0; r >= 0 && n_install <= INSTALL_MAX_FSYNC_OBJECTS && i < n; i++)
                if (install[i])
                        r = sync_tree(store->store_fd, tmp_names[slot[i]]);
        if (r < 0)
                *ret_error = xasprintf("syncing new store objects: %s", strerror(-r));
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (!install[i])
                        continue;
                PathInfo *info = sorted[i];
                const char *base = store_path_base(store, info->path);
                r = rm_rf(store->store_fd, base, NULL); /* an invalid leftover */
                if (r >= 0)
                        r = rename_at(store->store_fd, tmp_names[slot[i]], store->store_fd, base, true);
                if (r < 0) {
                        *ret_error = xasprintf("writing '%s': %s", info->path, strerror(-r));
                        break;
                }
                renamed[i] = true;
                todo[n_todo++] = info;
        }
        if (r >= 0 && n_todo > 0) {
                r = fd_sync(store->store_fd);
                if (r < 0)
                        *ret_error = xasprintf("syncing the store directory: %s", strerror(-r));
        }
        if (r >= 0 && n_todo > 0)
                r = store_register_paths(store, todo, n_todo, ret_error);

        if (r < 0)
                /* Nothing of the batch became valid: leave no files either. */
                for (size_t i = 0; i < n; i++)
                        if (renamed[i])
                                rm_rf(store->store_fd, store_path_base(store, sorted[i]->path), NULL);
        for (size_t i = 0; i < n; i++)
                rm_rf(store->store_fd, tmp_names[i], NULL);
        for (size_t i = n_locked; i > 0; i--)
                store_unlock_path(store, sorted[i - 1]->path, lock_fds[i - 1]);
        return r < 0 ? r : 0;
}
