/* The apt backend of DebSource (see source.h). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"
#include "source.h"
#include "strbuf.h"
#include "xalloc.h"

#define APT_CACHE "/var/cache/apt/archives"

extern char **environ;

static int apt_list(const DebSource *src, DebIndex **ret, char **ret_error) {
        return deb_index_load(src->lists_dir, ret, ret_error);
}

/* apt's name for a package file: NAME_VERSION_ARCH.deb, ':' as "%3a". */
static char *apt_file_name(const DebFetchRequest *req) {
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s_", req->name);
        for (const char *p = req->version; *p; p++)
                if (*p == ':')
                        strbuf_adds(&sb, "%3a");
                else
                        strbuf_addc(&sb, *p);
        strbuf_addf(&sb, "_%s.deb", req->architecture);
        return strbuf_detach(&sb, NULL);
}

static int copy_file(const char *from, const char *to) {
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        _cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (out < 0)
                return -errno;
        char buf[1 << 16];
        for (;;) {
                ssize_t n = read(in, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 || (n > 0 && fd_write_all(out, buf, (size_t) n) < 0)) {
                        int r = n < 0 ? -errno : -EIO;
                        unlink(to);
                        return r;
                }
                if (n == 0)
                        return 0;
        }
}

/* The one .deb apt-get left in dir, or NULL. */
static char *find_deb(const char *dir) {
        DIR *d = opendir(dir);
        if (!d)
                return NULL;
        char *found = NULL;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n > 4 && strcmp(de->d_name + n - 4, ".deb") == 0 && !found)
                        found = xasprintf("%s/%s", dir, de->d_name);
        }
        closedir(d);
        return found;
}

static int run_apt_get(const DebFetchRequest *req, const char *dir, char **ret_error) {
        const char *apt = getenv("FIRN_APT_GET");
        if (!apt || !*apt)
                apt = "apt-get";
        _cleanup_free_ char *spec = xasprintf("%s=%s", req->name, req->version);
        char *argv[] = { (char *) apt, "-q", "download", spec, NULL };
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addchdir_np(&fa, dir);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        if (req->log_fd >= 0) {
                posix_spawn_file_actions_adddup2(&fa, req->log_fd, 1);
                posix_spawn_file_actions_adddup2(&fa, req->log_fd, 2);
        }
        pid_t pid;
        int r = posix_spawnp(&pid, apt, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0) {
                *ret_error = xasprintf("cannot run %s: %s", apt, strerror(r));
                return -r;
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                *ret_error = xasprintf("`%s download %s` failed (%s %d): version %s of %s may no longer be in "
                                       "the archive; run `firn lock --update %s` (a binary cache may still "
                                       "substitute it)",
                                       apt, spec, WIFEXITED(status) ? "exit status" : "signal",
                                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), req->version,
                                       req->name, req->name);
                return -EIO;
        }
        return 0;
}

/* Keeps a copy of a downloaded .deb in $FIRN_DEB_CACHE_DIR (best effort). */
static void cache_store(const char *file, const char *path) {
        const char *dir = getenv("FIRN_DEB_CACHE_DIR");
        if (!dir || !*dir || mkdir_p(AT_FDCWD, dir, 0755) < 0)
                return;
        _cleanup_free_ char *dest = xasprintf("%s/%s", dir, file);
        _cleanup_free_ char *tmp = xasprintf("%s/.%s.tmp%d", dir, file, (int) getpid());
        if (copy_file(path, tmp) == 0 && rename(tmp, dest) < 0)
                unlink(tmp);
}

static int download(const DebFetchRequest *req, const char *file, bool keep, char **ret_error);

static int apt_fetch(const DebSource *src, const DebFetchRequest *req, char **ret_error) {
        (void) src;
        _cleanup_free_ char *file = apt_file_name(req);
        _cleanup_free_ char *cached = xasprintf("%s/%s", APT_CACHE, file);
        const char *fake = getenv("FIRN_APT_GET");
        if (fake && *fake)
                return download(req, file, false, ret_error);
        if (copy_file(cached, req->dest) == 0)
                return 0;
        const char *cache_dir = getenv("FIRN_DEB_CACHE_DIR");
        if (cache_dir && *cache_dir) {
                _cleanup_free_ char *mine = xasprintf("%s/%s", cache_dir, file);
                if (copy_file(mine, req->dest) == 0)
                        return 0;
        }
        return download(req, file, true, ret_error);
}

/* apt-get download into a temporary directory, then to req->dest (and
 * the cache when keep). */
static int download(const DebFetchRequest *req, const char *file, bool keep, char **ret_error) {
        const char *tmp = getenv("TMPDIR");
        _cleanup_free_ char *dir = xasprintf("%s/firn-fetch-deb.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
                *ret_error = xasprintf("creating a directory for %s: %s", req->name, strerror(errno));
                return -errno;
        }
        /* apt downloads as _apt when that user may write the directory. */
        struct passwd *pw = getpwnam("_apt");
        if (pw)
                (void) chown(dir, pw->pw_uid, 0);
        int r = run_apt_get(req, dir, ret_error);
        _cleanup_free_ char *deb = r < 0 ? NULL : find_deb(dir);
        if (r >= 0 && !deb) {
                *ret_error = xasprintf("`apt-get download %s=%s` left no .deb", req->name, req->version);
                r = -ENOENT;
        }
        if (r >= 0 && keep)
                cache_store(file, deb);
        if (r >= 0 && rename(deb, req->dest) < 0 && (r = copy_file(deb, req->dest)) < 0)
                *ret_error = xasprintf("moving %s to %s: %s", deb, req->dest, strerror(-r));
        (void) rm_rf(AT_FDCWD, dir, NULL);
        return r;
}

DebSource deb_source_apt(const char *lists_dir) {
        return (DebSource) { .name = "apt", .list = apt_list, .fetch = apt_fetch, .lists_dir = lists_dir };
}
