#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base32.h"
#include "cleanup.h"
#include "derivation.h"
#include "fileio.h"
#include "lock.h"
#include "path-util.h"
#include "store-db.h"
#include "store.h"
#include "strbuf.h"
#include "xalloc.h"

const char *store_choose_root(const char *root_arg) {
        if (root_arg)
                return root_arg;
        const char *env = getenv("FIRN_STORE");
        return env && *env ? env : "";
}

/* The state directories every store has; created on open. */
static const char *const state_subdirs[] = {
        "db", "gcroots/auto", "profiles", "temproots",
};

int store_open(const char *root, Store **ret, char **ret_error) {
        if (!root)
                root = "";
        if (*root && *root != '/') {
                *ret_error = xasprintf("store root '%s' is not an absolute path", root);
                return -EINVAL;
        }
        Store *s = xcalloc(1, sizeof(*s));
        size_t rl = strlen(root);
        while (rl > 1 && root[rl - 1] == '/')
                rl--;
        if (rl == 1) /* "/" is the real root */
                rl = 0;
        s->root = xstrndup(root, rl);
        s->store_dir = xstrdup(STORE_DIR_DEFAULT);
        s->store_fd = s->state_fd = s->temproots_fd = -1;
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s%s", s->root, s->store_dir);
        s->real_store_dir = strbuf_detach(&sb, NULL);
        strbuf_addf(&sb, "%s%s", s->root, STORE_STATE_DIR_DEFAULT);
        s->state_dir = strbuf_detach(&sb, NULL);

        int r = mkdir_p(AT_FDCWD, s->real_store_dir, 0755);
        if (r < 0) {
                *ret_error = xasprintf("creating the store directory '%s': %s", s->real_store_dir, strerror(-r));
                goto fail;
        }
        r = mkdir_p(AT_FDCWD, s->state_dir, 0755);
        if (r < 0) {
                *ret_error = xasprintf("creating the state directory '%s': %s", s->state_dir, strerror(-r));
                goto fail;
        }
        s->store_fd = open(s->real_store_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        s->state_fd = open(s->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->store_fd < 0 || s->state_fd < 0) {
                r = -errno;
                *ret_error = xasprintf("opening the store under '%s': %s", *root ? root : "/", strerror(-r));
                goto fail;
        }
        for (size_t i = 0; i < ELEMENTSOF(state_subdirs); i++) {
                r = mkdir_p(s->state_fd, state_subdirs[i], 0755);
                if (r < 0) {
                        *ret_error = xasprintf("creating '%s/%s': %s", s->state_dir, state_subdirs[i],
                                                  strerror(-r));
                        goto fail;
                }
        }
        r = store_db_open(s, ret_error);
        if (r < 0)
                goto fail;
        *ret = s;
        return 0;
fail:
        store_free(s);
        return r;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        store_db_close(s);
        if (s->temproots_fd >= 0) {
                /* Our roots die with us; a GC would remove the file anyway. */
                char name[32];
                snprintf(name, sizeof(name), "temproots/%d", (int) getpid());
                unlinkat(s->state_fd, name, 0);
                close(s->temproots_fd);
        }
        if (s->store_fd >= 0)
                close(s->store_fd);
        if (s->state_fd >= 0)
                close(s->state_fd);
        free(s->root);
        free(s->store_dir);
        free(s->real_store_dir);
        free(s->state_dir);
        free(s);
        return NULL;
}

char *store_real_path(const Store *store, const char *path) {
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s%s", store->root, path);
        return strbuf_detach(&sb, NULL);
}

const char *store_path_base(const Store *store, const char *path) {
        size_t dl = strlen(store->store_dir);
        if (strncmp(path, store->store_dir, dl) != 0 || path[dl] != '/')
                return NULL;
        const char *base = path + dl + 1;
        if (strlen(base) < STORE_PATH_HASH_CHARS + 2 || base[STORE_PATH_HASH_CHARS] != '-')
                return NULL;
        for (size_t i = 0; i < STORE_PATH_HASH_CHARS; i++)
                if (!nix_base32_is_char(base[i]))
                        return NULL;
        if (store_name_check(base + STORE_PATH_HASH_CHARS + 1, NULL) != STORE_NAME_VALID)
                return NULL;
        return base;
}

/* path with everything after the store object's own name dropped, if path
 * lies under dir; malloc'ed logical path, or NULL. */
static char *store_prefix(const Store *store, const char *dir, const char *path) {
        size_t dl = strlen(dir);
        if (strncmp(path, dir, dl) != 0 || path[dl] != '/')
                return NULL;
        const char *base = path + dl + 1;
        size_t bl = strcspn(base, "/");
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s/%.*s", store->store_dir, (int) bl, base);
        if (!store_path_base(store, sb.buf)) {
                strbuf_release(&sb);
                return NULL;
        }
        return strbuf_detach(&sb, NULL);
}

int store_path_from_user(const Store *store, const char *arg, char **ret_path, char **ret_error) {
        _cleanup_free_ char *cur = NULL;
        if (*arg == '/')
                cur = xstrdup(arg);
        else {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return -errno;
                cur = xasprintf("%s/%s", cwd, arg);
        }
        /* Follow a bounded chain of symlinks (./result → profile → store). */
        for (int hops = 0; hops < 40; hops++) {
                char *p = store_prefix(store, store->store_dir, cur);
                if (!p && *store->root)
                        p = store_prefix(store, store->real_store_dir, cur);
                if (p) {
                        *ret_path = p;
                        return 0;
                }
                _cleanup_free_ char *target = NULL;
                if (read_link(AT_FDCWD, cur, &target) < 0)
                        break;
                if (*target == '/') {
                        free(cur);
                        cur = TAKE_PTR(target);
                } else {
                        char *slash = strrchr(cur, '/');
                        char *next = xasprintf("%.*s/%s", (int) (slash - cur), cur, target);
                        free(cur);
                        cur = next;
                }
        }
        *ret_error = xasprintf("path '%s' is not in the Nix store", arg);
        return -EINVAL;
}

int store_add_temp_root(Store *store, const char *path) {
        int r;
        if (store->temproots_fd < 0) {
                char name[32];
                snprintf(name, sizeof(name), "temproots/%d", (int) getpid());
                /* A file left by a dead process with our pid is stale. */
                unlinkat(store->state_fd, name, 0);
                r = lock_file(store->state_fd, name, LOCK_MODE_EXCLUSIVE, true);
                if (r < 0)
                        return r;
                store->temproots_fd = r;
        }
        /* gc.lock shared: a GC in progress (exclusive) finishes first, and
         * the next one reads this root. */
        _cleanup_close_ int gc_fd = lock_file(store->state_fd, "gc.lock", LOCK_MODE_SHARED, true);
        if (gc_fd < 0)
                return gc_fd;
        StrBuf sb = STRBUF_INIT;
        strbuf_add(&sb, path, strlen(path) + 1); /* NUL-separated, as Nix */
        r = fd_write_all(store->temproots_fd, sb.buf, sb.len);
        strbuf_release(&sb);
        return r;
}

int store_add_indirect_root(Store *store, const char *link) {
        _cleanup_free_ char *abs = path_absolute(link);
        if (!abs)
                return -errno;
        Hash h;
        hash_buffer(HASH_SHA1, abs, strlen(abs), &h);
        _cleanup_free_ char *name = hash_to_string(&h, HASH_FORMAT_BASE32);
        _cleanup_free_ char *root = xasprintf("gcroots/auto/%s", name);
        return symlink_atomic(abs, store->state_fd, root);
}

int store_read_derivation(Store *store, const char *drv_path, Derivation **ret, char **ret_error) {
        const char *base = store_path_base(store, drv_path);
        size_t ext = strlen(DRV_EXTENSION);
        if (!base || strlen(base) <= STORE_PATH_HASH_CHARS + 1 + ext ||
            strcmp(base + strlen(base) - ext, DRV_EXTENSION) != 0) {
                *ret_error = xasprintf("'%s' is not the path of a derivation", drv_path);
                return -EINVAL;
        }
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = read_file(store->store_fd, base, DRV_MAX_SIZE, &text, &len);
        if (r < 0) {
                *ret_error = xasprintf("reading derivation '%s': %s", drv_path, strerror(-r));
                return r;
        }
        _cleanup_free_ char *name = xstrndup(base + STORE_PATH_HASH_CHARS + 1,
                                             strlen(base) - STORE_PATH_HASH_CHARS - 1 - ext);
        char *error = NULL;
        r = drv_parse(text, len, name, ret, &error);
        if (r < 0) {
                *ret_error = xasprintf("derivation '%s' is malformed: %s", drv_path, error ? error : "");
                free(error);
        }
        return r;
}

char *store_log_dir(const Store *store) {
        return xasprintf("%s/nix/var/log/nix", store->root);
}

int store_lock_path(Store *store, const char *path) {
        const char *base = store_path_base(store, path);
        if (!base)
                return -EINVAL;
        _cleanup_free_ char *lock_name = xasprintf("%s.lock", base);
        return lock_file(store->store_fd, lock_name, LOCK_MODE_EXCLUSIVE, true);
}

void store_unlock_path(Store *store, const char *path, int fd) {
        /* Unlinking while locked is safe: a waiter that then gets the lock on
         * the old inode, or anyone creating a new one, finds the path valid. */
        const char *base = store_path_base(store, path);
        if (base) {
                _cleanup_free_ char *lock_name = xasprintf("%s.lock", base);
                unlinkat(store->store_fd, lock_name, 0);
        }
        close(fd);
}
