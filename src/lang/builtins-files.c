/* The file system: readFile, readDir, readFileType, pathExists, getEnv,
 * toPath, findFile. Semantics and messages follow Nix 2.8's primops.cc
 * (readFileType follows the later Nix that introduced it). Errors from the
 * system carry no position, as Nix's SysError does not.
 *
 * Not done (no store access here): realising string contexts of the paths
 * given, and the references of store paths that readFile adds to its
 * result's context. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval.h"
#include "eval-internal.h"
#include "gc-alloc.h"
#include "parser.h"

/* realisePath: the argument as an absolute path (string contexts are not
 * realised: there is no store to build in). */
static int realise_path(EvalState *st, Value *v, const Pos *pos, const char **ret) {
        ContextBuilder cb = {};
        return eval_coerce_to_path(st, v, pos, &cb, ret);
}

static int sys_error(EvalState *st, int err, const char *fmt, const char *path) {
        if (path)
                return eval_error(st, EVAL_ERROR_IO, NULL, "%s '%s': %s", fmt, path, strerror(err));
        return eval_error(st, EVAL_ERROR_IO, NULL, "%s: %s", fmt, strerror(err));
}

static int prim_readFile(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_close_ int fd = -EBADF;
        const char *path;
        struct stat sb;
        int r;

        r = realise_path(st, args[0], pos, &path);
        if (r < 0)
                return r;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return sys_error(st, errno, "opening file", path);
        if (fstat(fd, &sb) < 0)
                return sys_error(st, errno, "statting file", NULL);

        /* st_size is a hint (0 for /proc files); read until EOF. */
        size_t cap = sb.st_size > 0 ? (size_t) sb.st_size + 1 : 4096, len = 0;
        char *buf = gc_alloc_atomic(cap);
        for (;;) {
                if (len + 1 >= cap) {
                        if (cap > SIZE_MAX / 2)
                                return sys_error(st, EFBIG, "reading from file", NULL);
                        char *nbuf = gc_alloc_atomic(cap * 2);
                        memcpy(nbuf, buf, len);
                        buf = nbuf;
                        cap *= 2;
                }
                ssize_t n = read(fd, buf + len, cap - 1 - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return sys_error(st, errno, "reading from file", NULL);
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = 0;

        if (memchr(buf, 0, len))
                return eval_error(st, EVAL_ERROR_GENERIC, NULL,
                                  "the contents of the file '%s' cannot be represented as a Nix string", path);
        value_set_string(ret, buf, NULL);
        return 0;
}

static const char *file_type_name(mode_t mode) {
        if (S_ISREG(mode))
                return "regular";
        if (S_ISDIR(mode))
                return "directory";
        if (S_ISLNK(mode))
                return "symlink";
        return "unknown";
}

static const char *dirent_type_name(unsigned char type) {
        switch (type) {
        case DT_REG: return "regular";
        case DT_DIR: return "directory";
        case DT_LNK: return "symlink";
        default: return "unknown";
        }
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int prim_readDir(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_(closedirp) DIR *d = NULL;
        const char *path;
        struct dirent *de;
        int r;

        r = realise_path(st, args[0], pos, &path);
        if (r < 0)
                return r;

        d = opendir(path);
        if (!d)
                return sys_error(st, errno, "opening directory", path);

        /* Names and types first (the Bindings must be sized up front). */
        size_t n = 0, cap = 16;
        Symbol *names = gc_alloc_atomic(cap * sizeof(Symbol));
        const char **types = gc_alloc(cap * sizeof(char *));
        for (;;) {
                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return sys_error(st, errno, "reading directory", path);
                        break;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;

                const char *type;
                if (de->d_type == DT_UNKNOWN) {
                        struct stat sb;
                        if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
                                int err = errno;
                                char *full = gc_alloc_atomic(strlen(path) + strlen(de->d_name) + 2);
                                strcpy(stpcpy(stpcpy(full, path), "/"), de->d_name);
                                return sys_error(st, err, "getting status of", full);
                        }
                        type = file_type_name(sb.st_mode);
                } else
                        type = dirent_type_name(de->d_type);

                if (n == cap) {
                        Symbol *nn = gc_alloc_atomic(cap * 2 * sizeof(Symbol));
                        const char **nt = gc_alloc(cap * 2 * sizeof(char *));
                        memcpy(nn, names, n * sizeof(Symbol));
                        memcpy(nt, types, n * sizeof(char *));
                        names = nn;
                        types = nt;
                        cap *= 2;
                }
                names[n] = symbol_intern_str(de->d_name);
                types[n] = type;
                n++;
        }

        Bindings *b = bindings_new(n);
        for (size_t i = 0; i < n; i++) {
                Value *v = value_new();
                value_set_string(v, types[i], NULL);
                bindings_push(b, names[i], v, NULL);
        }
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

static int prim_readFileType(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *path;
        struct stat sb;
        int r;

        r = realise_path(st, args[0], pos, &path);
        if (r < 0)
                return r;
        if (lstat(path, &sb) < 0)
                return sys_error(st, errno, "getting status of", path);
        value_set_string(ret, file_type_name(sb.st_mode), NULL);
        return 0;
}

static bool path_exists(const char *path) {
        struct stat sb;
        return lstat(path, &sb) == 0;
}

static int prim_pathExists(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *path;
        int r;

        r = realise_path(st, args[0], pos, &path);
        if (r < 0)
                return r;
        /* Nix answers false for every failure of lstat, not just ENOENT. */
        value_set_bool(ret, path_exists(path));
        return 0;
}

static int prim_getEnv(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *name, *value;
        int r;

        r = eval_force_string_no_context(st, args[0], pos, &name);
        if (r < 0)
                return r;
        value = getenv(name);
        value_set_string(ret, value ? gc_strdup(value) : "", NULL);
        return 0;
}

static int prim_toPath(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        ContextBuilder cb = {};
        const char *path;
        int r;

        r = eval_coerce_to_path(st, args[0], pos, &cb, &path);
        if (r < 0)
                return r;
        value_set_string(ret, canon_path(path, "/"), context_finish(&cb));
        return 0;
}

/* Nix's isUri: search path entries that Nix would download. */
static bool is_uri(const char *s) {
        static const char *const schemes[] = { "http", "https", "file", "channel", "git", "s3", "ssh" };

        if (strncmp(s, "channel:", 8) == 0)
                return true;
        const char *sep = strstr(s, "://");
        if (!sep)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(schemes); i++)
                if (strlen(schemes[i]) == (size_t) (sep - s) && strncmp(s, schemes[i], sep - s) == 0)
                        return true;
        return false;
}

/* resolveSearchPathElem: the entry's directory, absolute and canonical, or
 * NULL when it does not exist. (Nix downloads URIs; we cannot, and skip them
 * as Nix does when a download fails.) */
static const char *resolve_search_path_entry(const char *path) {
        if (is_uri(path))
                return NULL;
        const char *abs;
        if (path[0] == '/')
                abs = canon_path(path, "/");
        else {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                abs = canon_path(path, cwd ? cwd : "/");
        }
        return path_exists(abs) ? abs : NULL;
}

/* EvalState::findFile over an explicit search path. */
static bool search_entries(const SearchPathEntry *entries, size_t n, const char *name, const char **ret) {
        size_t name_len = strlen(name);
        for (size_t i = 0; i < n; i++) {
                const char *suffix;
                if (entries[i].prefix[0] == 0)
                        suffix = NULL;
                else {
                        size_t s = strlen(entries[i].prefix);
                        if (strncmp(name, entries[i].prefix, s) != 0 || (name_len > s && name[s] != '/'))
                                continue;
                        suffix = name_len == s ? "" : name + s;
                }
                const char *dir = resolve_search_path_entry(entries[i].path);
                if (!dir)
                        continue;
                size_t dlen = strlen(dir);
                char *res;
                if (!suffix) {
                        res = gc_alloc_atomic(dlen + name_len + 2);
                        strcpy(stpcpy(stpcpy(res, dir), "/"), name);
                } else {
                        res = gc_alloc_atomic(dlen + strlen(suffix) + 1);
                        strcpy(stpcpy(res, dir), suffix);
                }
                if (path_exists(res)) {
                        *ret = canon_path(res, "/");
                        return true;
                }
        }
        return false;
}

static int find_file(EvalState *st, const SearchPathEntry *entries, size_t n, const char *name,
                     const Pos *pos, const char **ret) {
        size_t name_len = strlen(name);
        if (search_entries(entries, n, name, ret) ||
            search_entries(st->opts.builtin_search_path, st->opts.n_builtin_search_path, name, ret))
                return 0;

        if (strncmp(name, "nix/", 4) == 0) {
                char *res = gc_alloc_atomic(name_len + 32);
                strcpy(stpcpy(res, "/__corepkgs__/"), name + 4);
                *ret = res;
                return 0;
        }

        return eval_error(st, EVAL_ERROR_THROWN, pos,
                          "file '%s' was not found in the Nix search path (add it using $NIX_PATH or -I)", name);
}

static int prim_findFile(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Symbol sym_prefix = symbol_intern_str("prefix");
        const char *name, *found = NULL;
        int r;

        r = eval_force_list(st, args[0], pos);
        if (r < 0)
                return r;

        size_t n = args[0]->list.size;
        SearchPathEntry *entries = gc_alloc((n ? n : 1) * sizeof(SearchPathEntry));
        for (size_t i = 0; i < n; i++) {
                Value *e = args[0]->list.elems[i];
                ContextBuilder cb = {};
                Attr *a;

                r = eval_force_attrs(st, e, pos);
                if (r < 0)
                        return r;

                entries[i].prefix = "";
                a = eval_get_attr(e, sym_prefix);
                if (a) {
                        r = eval_force_string_no_context(st, a->value, pos, &entries[i].prefix);
                        if (r < 0)
                                return r;
                }

                /* Nix points at the set itself when it knows where it is;
                 * we do not, and use the call's position like Nix then does. */
                a = eval_get_attr(e, eval_symbols(st)->path);
                if (!a)
                        return eval_error(st, EVAL_ERROR_TYPE, pos,
                                          "attribute 'path' missing for call to 'findFile'");
                r = eval_coerce_to_string(st, a->value, pos, &cb, false, false, &entries[i].path);
                if (r < 0)
                        return r;
        }

        r = eval_force_string_no_context(st, args[1], pos, &name);
        if (r < 0)
                return r;

        r = find_file(st, entries, n, name, pos, &found);
        if (r < 0)
                return r;
        value_set_path(ret, found);
        return 0;
}

const PrimOp builtins_files[] = {
        {
                .name = "readFile",
                .arity = 1,
                .args = { "path" },
                .doc = "Return the contents of the file path as a string.",
                .fn = prim_readFile,
        },
        {
                .name = "readDir",
                .arity = 1,
                .args = { "path" },
                .doc = "Return the entries of the directory path as a set of names to \"regular\", \"directory\", \"symlink\" or \"unknown\".",
                .fn = prim_readDir,
        },
        {
                .name = "readFileType",
                .arity = 1,
                .args = { "p" },
                .doc = "Return the type of the file p: \"regular\", \"directory\", \"symlink\" or \"unknown\".",
                .fn = prim_readFileType,
        },
        {
                .name = "pathExists",
                .arity = 1,
                .args = { "path" },
                .doc = "Return true if the path path exists at evaluation time, and false otherwise.",
                .fn = prim_pathExists,
        },
        {
                .name = "getEnv",
                .arity = 1,
                .args = { "s" },
                .doc = "Return the value of the environment variable s, or an empty string if it is not set.",
                .fn = prim_getEnv,
        },
        {
                .name = "toPath",
                .arity = 1,
                .args = { "s" },
                .doc = "DEPRECATED. Return the absolute path string s, canonicalised; use /. + \"/path\" instead.",
                .fn = prim_toPath,
        },
        {
                .name = "findFile",
                .arity = 2,
                .args = { "search-path", "lookup-path" },
                .doc = "Look up lookup-path in the search path, a list of { prefix; path; } sets, as <lookup-path> does.",
                .fn = prim_findFile,
        },
        { .name = NULL },
};
