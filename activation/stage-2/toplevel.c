#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"
#include "toplevel.h"
#include "xalloc.h"

bool toplevel_invoked_as_init(const char *argv0) {
        const char *base = strrchr(argv0, '/');
        return strcmp(base ? base + 1 : argv0, "init") == 0;
}

static char *dirname_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash || slash == path)
                return NULL;
        return xstrndup(path, (size_t) (slash - path));
}

/* The value of the kernel parameter key (e.g. "init=") on the command line. */
static char *cmdline_value(const char *cmdline, const char *key) {
        size_t klen = strlen(key);
        const char *p = cmdline;
        char *found = NULL;
        while (*p) {
                p += strspn(p, " \t\n");
                size_t n = strcspn(p, " \t\n");
                if (n > klen && strncmp(p, key, klen) == 0) {
                        free(found); /* the last one wins, as in the kernel */
                        found = xstrndup(p + klen, n - klen);
                }
                p += n;
        }
        return found;
}

int toplevel_from_init(const char *argv0, char **ret) {
        char *t;
        if (argv0[0] == '/' && (t = dirname_of(argv0))) {
                /* Only a generation: /sbin/init's directory is not one. */
                _cleanup_free_ char *sw = xasprintf("%s/sw", t);
                if (access(sw, F_OK) >= 0) {
                        *ret = t;
                        return 0;
                }
                free(t);
        }
        const char *env = getenv("systemConfig");
        if (env && env[0] == '/') {
                *ret = xstrdup(env);
                return 0;
        }
        _cleanup_free_ char *cmdline = NULL;
        if (read_file(AT_FDCWD, "/proc/cmdline", 1 << 20, &cmdline, NULL) >= 0) {
                _cleanup_free_ char *init = cmdline_value(cmdline, "init=");
                if (init && init[0] == '/' && (t = dirname_of(init))) {
                        *ret = t;
                        return 0;
                }
                char *sc = cmdline_value(cmdline, "systemConfig=");
                if (sc && sc[0] == '/') {
                        *ret = sc;
                        return 0;
                }
                free(sc);
        }
        return -ENOENT;
}

int toplevel_from_self(const char *argv0, char **ret) {
        const char *slash = strrchr(argv0, '/');
        if (!slash)
                return -ENOENT; /* found through PATH: no generation to tell */
        const char *base = slash + 1;
        _cleanup_free_ char *self = NULL;
        if (argv0[0] == '/')
                self = xstrdup(argv0);
        else {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return -errno;
                self = xasprintf("%s/%s", cwd, argv0);
        }
        _cleanup_free_ char *dir = dirname_of(self);
        char *t = NULL;
        if (dir && strcmp(base, "activate") == 0)
                t = TAKE_PTR(dir);
        else if (dir && strcmp(base, "switch-to-configuration") == 0) {
                const char *b = strrchr(dir, '/');
                if (b && strcmp(b + 1, "bin") == 0)
                        t = dirname_of(dir);
        }
        if (!t)
                return -ENOENT;
        _cleanup_free_ char *sw = xasprintf("%s/sw", t);
        if (access(sw, F_OK) < 0) {
                free(t);
                return -ENOENT;
        }
        *ret = t;
        return 0;
}

int toplevel_resolve(const Root *r, const char *toplevel, char **ret) {
        if (toplevel[0] != '/')
                return -EINVAL;
        _cleanup_close_ int fd = root_open(r, toplevel, O_PATH | O_DIRECTORY, 0);
        if (fd < 0)
                return fd;
        char *canon = NULL;
        if (root_canonicalize(r, toplevel, &canon) < 0)
                canon = xstrdup(toplevel); /* no /proc: use it as given */
        *ret = canon;
        return 0;
}

int toplevel_exec_systemd(const char *toplevel) {
        static const char *const candidates[] = { "/sw/usr/lib/systemd/systemd", "/sw/lib/systemd/systemd" };
        extern char **environ;
        int q = -ENOENT;
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                _cleanup_free_ char *path = xasprintf("%s%s", toplevel, candidates[i]);
                if (access(path, X_OK) < 0) {
                        if (errno != ENOENT)
                                q = -errno;
                        continue;
                }
                char *argv[] = { path, NULL };
                execve(path, argv, environ);
                q = -errno;
        }
        return q;
}
