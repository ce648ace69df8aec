#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"
#include "nar.h"
#include "store-db.h"
#include "store-optimise.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

#define LINKS_DIR ".links"

typedef struct Optimiser {
        Store *store;
        int links_fd;
        OptimiseStats stats;
        int depth; /* of the directory being walked */
} Optimiser;

/* Puts a canonical mtime back on a directory whose entry was replaced. */
static void restore_dir_mtime(int dirfd) {
        struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = 1 } };
        futimens(dirfd, ts);
}

static int optimise_file(Optimiser *o, int dirfd, const char *name, const struct stat *st) {
        Hash h;
        char *error = NULL;
        int r = nar_hash_path(dirfd, name, HASH_SHA256, &h, NULL, &error);
        free(error);
        if (r < 0)
                return r;
        _cleanup_free_ char *link_name = hash_to_string(&h, HASH_FORMAT_BASE32);
        struct stat lst;
        if (fstatat(o->links_fd, link_name, &lst, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                        return -errno;
                /* First of its kind: it becomes the shared copy. */
                if (linkat(dirfd, name, o->links_fd, link_name, 0) < 0 && errno != EEXIST && errno != EMLINK)
                        return -errno;
                return 0;
        }
        if (lst.st_ino == st->st_ino && lst.st_dev == st->st_dev)
                return 0;
        /* Replace the file by a link to the shared copy, atomically. The
         * temporary link lives in the store directory itself, never inside
         * an object, so a crash cannot change an object's contents. */
        StrBuf tmp = STRBUF_INIT;
        strbuf_addf(&tmp, ".tmp-link-%d-%u", (int) getpid(), o->store->tmp_counter++);
        /* A concurrent GC must leave the temporary link alone. */
        _cleanup_free_ char *logical = xasprintf("%s/%s", o->store->store_dir, tmp.buf);
        r = store_add_temp_root(o->store, logical);
        if (r < 0) {
                strbuf_release(&tmp);
                return r;
        }
        if (linkat(o->links_fd, link_name, o->store->store_fd, tmp.buf, 0) < 0) {
                r = errno == EMLINK ? 0 : -errno;
                strbuf_release(&tmp);
                return r;
        }
        r = rename_at(o->store->store_fd, tmp.buf, dirfd, name, false);
        if (r < 0)
                unlinkat(o->store->store_fd, tmp.buf, 0);
        strbuf_release(&tmp);
        if (r < 0)
                return r;
        restore_dir_mtime(dirfd);
        o->stats.files_linked++;
        if (st->st_nlink == 1)
                o->stats.bytes_freed += (uint64_t) st->st_blocks * 512;
        return 0;
}

static int optimise_tree(Optimiser *o, int dirfd, const char *name, int depth);

static int optimise_child(int fd, const char *name, void *userdata) {
        Optimiser *o = userdata;
        return optimise_tree(o, fd, name, o->depth);
}

static int optimise_tree(Optimiser *o, int dirfd, const char *name, int depth) {
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (S_ISREG(st.st_mode))
                return optimise_file(o, dirfd, name, &st);
        if (!S_ISDIR(st.st_mode))
                return 0;
        if (depth > NAR_MAX_DEPTH)
                return -ELOOP;
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        o->depth = depth + 1;
        int r = dir_for_each(fd, optimise_child, o);
        o->depth = depth;
        return r;
}

int store_optimise(Store *store, OptimiseStats *ret_stats, char **ret_error) {
        Optimiser o = { .store = store, .links_fd = -1 };
        int r = mkdir_p(store->store_fd, LINKS_DIR, 0755);
        if (r >= 0) {
                o.links_fd = openat(store->store_fd, LINKS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (o.links_fd < 0)
                        r = -errno;
        }
        if (r < 0) {
                StrBuf sb = STRBUF_INIT;
                strbuf_addf(&sb, "cannot open '%s/%s': %s", store->real_store_dir, LINKS_DIR, strerror(-r));
                *ret_error = strbuf_detach(&sb, NULL);
                return r;
        }
        _cleanup_strv_free_ char **valid = NULL;
        r = store_query_all_valid(store, &valid);
        for (size_t i = 0; r >= 0 && valid && valid[i]; i++) {
                const char *base = store_path_base(store, valid[i]);
                if (!base)
                        continue;
                r = optimise_tree(&o, store->store_fd, base, 0);
                if (r == -ENOENT) /* deleted meanwhile by a GC */
                        r = 0;
                if (r < 0) {
                        StrBuf sb = STRBUF_INIT;
                        strbuf_addf(&sb, "optimising '%s': %s", valid[i], strerror(-r));
                        *ret_error = strbuf_detach(&sb, NULL);
                }
        }
        close(o.links_fd);
        if (r >= 0)
                r = fd_sync(store->store_fd);
        *ret_stats = o.stats;
        return r < 0 ? r : 0;
}
