/* builtin:write-file and builtin:link-farm (see the header).
 *
 * Both build inside a fresh output directory through directory fds,
 * opening every directory on the way with O_NOFOLLOW: a symlink made by an
 * earlier entry is never followed (its target is a logical store path,
 * which on a host with a real /nix/store would lead outside the output). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin-write-file.h"
#include "cleanup.h"
#include "derivation.h"
#include "fileio.h"
#include "xalloc.h"

/* Why the relative path p is refused (a phrase that completes "… is not
 * allowed: "), or NULL when it is fine: non-empty components separated by
 * single '/', none of them "." or "..". */
static const char *relative_path_problem(const char *p) {
        if (!*p)
                return "it is empty";
        if (*p == '/')
                return "it is absolute";
        for (const char *c = p;;) {
                size_t n = strcspn(c, "/");
                if (n == 0)
                        return "it has an empty component (\"//\" or a trailing '/')";
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return "it has a '.' or '..' component";
                c += n;
                if (!*c)
                        return NULL;
                c++;
        }
}

/* Opens the directory that will hold the last component of the valid
 * relative path rel, inside the directory dirfd, creating the directories
 * on the way (0755) and following no symlink. Returns 0, the directory's
 * fd in *ret_fd (the caller closes it) and the last component in
 * *ret_last (a pointer into rel); or a negative errno with a message about
 * `what` in *ret_error. */
static int open_parent(int dirfd, const char *rel, const char *what, int *ret_fd, const char **ret_last,
                       char **ret_error) {
        _cleanup_close_ int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
                int r = -errno;
                *ret_error = xasprintf("duplicating a directory fd: %s", strerror(-r));
                return r;
        }
        const char *c = rel;
        for (;;) {
                size_t n = strcspn(c, "/");
                if (!c[n])
                        break;
                int prefix = (int) (c + n - rel);
                _cleanup_free_ char *component = xstrndup(c, n);
                if (mkdirat(fd, component, 0755) < 0 && errno != EEXIST) {
                        int r = -errno;
                        *ret_error = xasprintf("%s '%s': creating the directory '%.*s': %s", what, rel, prefix, rel,
                                               strerror(-r));
                        return r;
                }
                int sub = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0) {
                        int r = -errno;
                        if (r == -ENOTDIR || r == -ELOOP)
                                *ret_error = xasprintf("%s '%s' lies inside '%.*s', which is another entry, not a "
                                                       "directory",
                                                       what, rel, prefix, rel);
                        else
                                *ret_error = xasprintf("%s '%s': opening the directory '%.*s': %s", what, rel,
                                                       prefix, rel, strerror(-r));
                        return r;
                }
                close(fd);
                fd = sub;
                c += n + 1;
        }
        *ret_fd = TAKE_FD(fd);
        *ret_last = c;
        return 0;
}

/* Creates the file name in dirfd (which must not exist) holding text. */
static int write_new_file(int dirfd, const char *name, const char *text, bool executable) {
        _cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        int r = fd_write_all(fd, text, strlen(text));
        if (r < 0)
                return r;
        /* Exactly these bits, whatever the umask; canonicalisation then
         * makes them 0444 or 0555. */
        if (fchmod(fd, executable ? 0755 : 0644) < 0)
                return -errno;
        return 0;
}

/* Makes the output a new, empty directory; returns its fd. */
static int make_out_dir(const char *out, const char *out_logical, int *ret_fd, char **ret_error) {
        if (mkdir(out, 0755) < 0) {
                int r = -errno;
                *ret_error = xasprintf("creating '%s': %s", out_logical, strerror(-r));
                return r;
        }
        int fd = open(out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;
                *ret_error = xasprintf("opening '%s': %s", out_logical, strerror(-r));
                return r;
        }
        *ret_fd = fd;
        return 0;
}

/* The output "out": its host path and its logical path. */
static int find_out(const BuiltinContext *ctx, const char *builder, const char **ret_host, const char **ret_logical,
                    char **ret_error) {
        const char *host = builtin_output_dir(ctx, "out");
        const DrvOutput *o = drv_find_output(ctx->drv, "out");
        if (!host || !o) {
                *ret_error = xasprintf("%s needs an output named 'out'", builder);
                return -EINVAL;
        }
        *ret_host = host;
        *ret_logical = o->path;
        return 0;
}

/* ---- builtin:write-file ------------------------------------------------- */

static int write_file_to(const char *out, const char *out_logical, const char *text, bool executable,
                         const char *destination, char **ret_error) {
        int r;
        if (!*destination) {
                r = write_new_file(AT_FDCWD, out, text, executable);
                if (r < 0)
                        *ret_error = xasprintf("writing '%s': %s", out_logical, strerror(-r));
                return r;
        }
        _cleanup_close_ int out_fd = -1;
        r = make_out_dir(out, out_logical, &out_fd, ret_error);
        if (r < 0)
                return r;
        _cleanup_close_ int dir_fd = -1;
        const char *rel = destination + 1, *last;
        r = open_parent(out_fd, rel, "destination", &dir_fd, &last, ret_error);
        if (r < 0)
                return r;
        r = write_new_file(dir_fd, last, text, executable);
        if (r < 0)
                *ret_error = xasprintf("writing '%s%s': %s", out_logical, destination, strerror(-r));
        return r;
}

int builtin_write_file(const BuiltinContext *ctx, char **ret_error) {
        const char *out, *out_logical;
        int r = find_out(ctx, "builtin:write-file", &out, &out_logical, ret_error);
        if (r < 0)
                return r;
        const char *text = drv_get_env(ctx->drv, "text");
        if (!text) {
                *ret_error = xstrdup("attribute 'text' missing");
                return -EINVAL;
        }
        const char *executable = drv_get_env(ctx->drv, "executable");
        if (executable && *executable && strcmp(executable, "1") != 0) {
                *ret_error = xasprintf("attribute 'executable' is '%s'; expected \"1\" or \"\"", executable);
                return -EINVAL;
        }
        const char *destination = drv_get_env(ctx->drv, "destination");
        if (!destination)
                destination = "";
        if (*destination) {
                const char *problem = destination[0] == '/' ? relative_path_problem(destination + 1)
                                                            : "it is not absolute";
                if (problem) {
                        *ret_error = xasprintf("destination '%s' is not allowed: %s; it must be an absolute path "
                                               "naming a file inside the output, such as \"/bin/NAME\"",
                                               destination, problem);
                        return -EINVAL;
                }
        }

        r = write_file_to(out, out_logical, text, executable && *executable, destination, ret_error);
        if (r < 0)
                rm_rf(AT_FDCWD, out, NULL);
        return r;
}

/* ---- builtin:link-farm -------------------------------------------------- */

/* Adds the symlink name -> target (one line of `entries`) to the output. */
static int link_entry(int out_fd, const char *name, const char *target, char **ret_error) {
        const char *problem = relative_path_problem(name);
        if (problem) {
                *ret_error = xasprintf("entry name '%s' is not allowed: %s; names are relative paths such as "
                                       "\"bin/foo\"",
                                       name, problem);
                return -EINVAL;
        }
        if (!*target) {
                *ret_error = xasprintf("entry '%s' has an empty path", name);
                return -EINVAL;
        }
        _cleanup_close_ int dir_fd = -1;
        const char *last;
        int r = open_parent(out_fd, name, "entry", &dir_fd, &last, ret_error);
        if (r < 0)
                return r;
        if (symlinkat(target, dir_fd, last) >= 0)
                return 0;
        r = -errno;
        struct stat st;
        if (r == -EEXIST && fstatat(dir_fd, last, &st, AT_SYMLINK_NOFOLLOW) >= 0)
                *ret_error = S_ISDIR(st.st_mode)
                                     ? xasprintf("entry '%s' is also the directory of other entries ('%s/…')", name,
                                                 name)
                                     : xasprintf("two entries are named '%s'", name);
        else
                *ret_error = xasprintf("creating the symlink '%s': %s", name, strerror(-r));
        return r;
}

static int link_entries(int out_fd, const char *entries, char **ret_error) {
        size_t line_no = 0;
        for (const char *p = entries; *p;) {
                size_t len = strcspn(p, "\n");
                line_no++;
                if (len) {
                        const char *tab = memchr(p, '\t', len);
                        if (!tab) {
                                *ret_error = xasprintf("malformed 'entries' attribute: line %zu has no tab "
                                                       "(expected \"NAME\\tPATH\")",
                                                       line_no);
                                return -EINVAL;
                        }
                        _cleanup_free_ char *name = xstrndup(p, (size_t) (tab - p));
                        _cleanup_free_ char *target = xstrndup(tab + 1, len - (size_t) (tab + 1 - p));
                        int r = link_entry(out_fd, name, target, ret_error);
                        if (r < 0)
                                return r;
                }
                p += len;
                if (*p == '\n')
                        p++;
        }
        return 0;
}

int builtin_link_farm(const BuiltinContext *ctx, char **ret_error) {
        const char *out, *out_logical;
        int r = find_out(ctx, "builtin:link-farm", &out, &out_logical, ret_error);
        if (r < 0)
                return r;
        const char *entries = drv_get_env(ctx->drv, "entries");
        if (!entries) {
                *ret_error = xstrdup("attribute 'entries' missing");
                return -EINVAL;
        }
        _cleanup_close_ int out_fd = -1;
        r = make_out_dir(out, out_logical, &out_fd, ret_error);
        if (r >= 0)
                r = link_entries(out_fd, entries, ret_error);
        if (r < 0)
                rm_rf(AT_FDCWD, out, NULL);
        return r;
}
