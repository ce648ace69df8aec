/* Reading code: parsing strings and files (bound against the global scope),
 * import with its per-file cache, scopedImport, and the search path for
 * <name> lookups. */
#include "eval.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arith.h"
#include "bind.h"
#include "builtins.h"
#include "eval-internal.h"
#include "ast-arena.h"
#include "gc-alloc.h"
#include "parser.h"
#include "xalloc.h"

/* ---- parsing and files ---------------------------------------------- */

static int parse_with_env(EvalState *st, const char *text, size_t len, PosOrigin origin, const char *path,
                          const char *base_dir, const StaticEnv *senv, Expr **ret) {
        ParseError pe = { 0 };
        Expr *e;
        /* Positions of strings point at their text (Nix shows it as the
         * "file" of __curPos and uses it for the source excerpt). */
        const char *file = origin == POS_FILE ? ast_strndup(path, strlen(path)) : ast_strndup(text, len);
        if (parse_nix(text, len, origin, file, base_dir, &e, &pe) < 0 ||
            ast_bind(e, senv, &pe) < 0)
                return eval_error(st, strncmp(pe.message, "undefined variable", 18) == 0 ? EVAL_ERROR_UNDEFINED_VARIABLE : EVAL_ERROR_PARSE,
                                  &pe.pos, "%s", pe.message);
        *ret = e;
        return 0;
}

int eval_parse_string(EvalState *st, const char *text, size_t len, PosOrigin origin,
                      const char *path, const char *base_dir, Expr **ret) {
        return parse_with_env(st, text, len, origin, path, base_dir, st->static_base_env, ret);
}

int eval_read_file(EvalState *st, const char *path, const Pos *pos, char **ret, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        if (!f)
                return eval_error(st, EVAL_ERROR_IO, pos, "opening file '%s': %s", path, strerror(errno));
        StrBuf sb = STRBUF_INIT;
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
                strbuf_add(&sb, buf, n);
        bool err = ferror(f);
        fclose(f);
        if (err) {
                strbuf_release(&sb);
                return eval_error(st, EVAL_ERROR_IO, pos, "reading file '%s': %s", path, strerror(EIO));
        }
        *ret = gc_strndup(sb.buf, sb.len);
        *ret_len = sb.len;
        strbuf_release(&sb);
        return 0;
}

/* Follows symlinks to the real file and maps a directory to default.nix, as
 * Nix's resolveExprPath does. */
static int resolve_expr_path(EvalState *st, const char *path, const Pos *pos, const char **ret) {
        char *p = gc_strdup(path);
        struct stat stt;
        for (int i = 0;; i++) {
                if (i >= 1024)
                        return eval_error(st, EVAL_ERROR_IO, pos, "too many symbolic links encountered while traversing the path '%s'", path);
                if (lstat(p, &stt) < 0)
                        return eval_error(st, EVAL_ERROR_IO, pos, "getting status of '%s': %s", p, strerror(errno));
                if (!S_ISLNK(stt.st_mode))
                        break;
                char target[PATH_MAX];
                ssize_t n = readlink(p, target, sizeof target - 1);
                if (n < 0)
                        return eval_error(st, EVAL_ERROR_IO, pos, "reading symbolic link '%s': %s", p, strerror(errno));
                target[n] = 0;
                char *dir = gc_strdup(p);
                char *slash = strrchr(dir, '/');
                if (slash == dir)
                        dir[1] = 0;
                else if (slash)
                        *slash = 0;
                p = canon_path(target, dir);
        }
        if (S_ISDIR(stt.st_mode)) {
                char *q = gc_alloc_atomic(strlen(p) + 16);
                sprintf(q, "%s%sdefault.nix", p, strcmp(p, "/") == 0 ? "" : "/");
                p = q;
        }
        *ret = p;
        return 0;
}

static const char *dir_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash || slash == path)
                return "/";
        return gc_strndup(path, slash - path);
}

int eval_parse_file(EvalState *st, const char *path, Expr **ret) {
        char *text;
        size_t len;
        int r = resolve_expr_path(st, path, NULL, &path);
        if (r < 0)
                return r;
        r = eval_read_file(st, path, NULL, &text, &len);
        if (r < 0)
                return r;
        return parse_with_env(st, text, len, POS_FILE, path, dir_of(path), st->static_base_env, ret);
}

/* A small string-keyed hash map on the GC heap. */
static uint64_t str_hash(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= 1099511628211ULL;
        }
        return h;
}

void *strmap_get(StrMap *m, const char *key) {
        if (!m->n_slots)
                return NULL;
        for (size_t j = str_hash(key) & (m->n_slots - 1);; j = (j + 1) & (m->n_slots - 1)) {
                if (!m->keys[j])
                        return NULL;
                if (strcmp(m->keys[j], key) == 0)
                        return m->values[j];
        }
}

void strmap_put(StrMap *m, const char *key, void *value) {
        if ((m->n + 1) * 2 > m->n_slots) {
                size_t ns = m->n_slots ? m->n_slots * 2 : 64;
                const char **keys = gc_alloc(sizeof(char *) * ns);
                void **values = gc_alloc(sizeof(void *) * ns);
                for (size_t i = 0; i < m->n_slots; i++)
                        if (m->keys[i]) {
                                size_t j = str_hash(m->keys[i]) & (ns - 1);
                                while (keys[j])
                                        j = (j + 1) & (ns - 1);
                                keys[j] = m->keys[i];
                                values[j] = m->values[i];
                        }
                m->keys = keys;
                m->values = values;
                m->n_slots = ns;
        }
        size_t j = str_hash(key) & (m->n_slots - 1);
        while (m->keys[j] && strcmp(m->keys[j], key) != 0)
                j = (j + 1) & (m->n_slots - 1);
        if (!m->keys[j])
                m->n++;
        m->keys[j] = gc_strdup(key);
        m->values[j] = value;
}

/* What an import of path reads: firn's own corepkgs (<nix/fetchurl.nix>,
 * builtins-store.c), which set ret and give 0, or a resolved file, which
 * gives 1 and ret_resolved. Negative on errors. */
static int import_target(EvalState *st, const char *path, const Pos *pos, Value *ret, const char **ret_resolved) {
        int r = eval_import_corepkg(st, path, pos, ret);
        if (r != 0)
                return r < 0 ? r : 0;
        r = resolve_expr_path(st, path, pos, ret_resolved);
        return r < 0 ? r : 1;
}

int eval_import(EvalState *st, const char *path, const Pos *pos, Value *ret) {
        const char *resolved;
        int r = import_target(st, path, pos, ret, &resolved);
        if (r <= 0)
                return r;
        Value *cached = strmap_get(&st->file_eval_cache, resolved);
        if (cached) {
                *ret = *cached;
                return 0;
        }
        Expr *e = strmap_get(&st->file_parse_cache, resolved);
        if (!e) {
                if ((r = eval_parse_file(st, resolved, &e)) < 0)
                        return r;
                strmap_put(&st->file_parse_cache, resolved, e);
        }
        Value *v = value_new();
        if ((r = eval_expr_in_env(st, st->base_env, e, v)) < 0)
                return eval_error_add_frame(st, NULL, "while evaluating the file '%s':", resolved);
        strmap_put(&st->file_eval_cache, resolved, v);
        *ret = *v;
        return 0;
}

int eval_file(EvalState *st, const char *path, Value *ret) {
        return eval_import(st, path, NULL, ret);
}

int eval_scoped_import(EvalState *st, Value *scope, const char *path, const Pos *pos, Value *ret) {
        const char *resolved;
        int r = import_target(st, path, pos, ret, &resolved);
        if (r <= 0)
                return r;
        Bindings *b = scope->attrs;
        Symbol *names = ast_alloc(sizeof(Symbol) * (b->size ? b->size : 1));
        Env *env = eval_env_new(b->size, st->base_env);
        for (uint32_t i = 0; i < b->size; i++) {
                names[i] = b->attrs[i].name;
                env->values[i] = b->attrs[i].value;
        }
        StaticEnv *senv = static_env_new(st->static_base_env, names, b->size);
        char *text;
        size_t len;
        if ((r = eval_read_file(st, resolved, pos, &text, &len)) < 0)
                return r;
        Expr *e;
        if ((r = parse_with_env(st, text, len, POS_FILE, resolved, dir_of(resolved), senv, &e)) < 0)
                return r;
        return eval_expr_in_env(st, env, e, ret);
}

/* ---- search path ---------------------------------------------------- */

const SearchPathEntry *eval_search_path(const EvalState *st, size_t *ret_n) {
        *ret_n = st->opts.n_search_path;
        return st->opts.search_path;
}

int eval_find_file(EvalState *st, const char *name, const Pos *pos, const char **ret) {
        size_t n_user;
        const SearchPathEntry *user = eval_search_path(st, &n_user);
        size_t nlen = strlen(name);
        for (size_t k = 0; k < n_user + st->opts.n_builtin_search_path; k++) {
                const SearchPathEntry *e = k < n_user ? &user[k] : &st->opts.builtin_search_path[k - n_user];
                const char *prefix = e->prefix;
                size_t plen = strlen(prefix);
                const char *rest;
                if (plen == 0)
                        rest = name;
                else if (strncmp(name, prefix, plen) == 0 && (nlen == plen || name[plen] == '/'))
                        rest = name + plen + (nlen > plen ? 1 : 0);
                else
                        continue;
                char *p = gc_alloc_atomic(strlen(e->path) + strlen(rest) + 2);
                sprintf(p, "%s%s%s", e->path, *rest ? "/" : "", rest);
                if (access(p, F_OK) == 0) {
                        *ret = canon_path(p, "/");
                        return 0;
                }
        }
        return eval_error(st, EVAL_ERROR_GENERIC, pos,
                          "file '%s' was not found in the Nix search path (add it using $NIX_PATH or -I)", name);
}

Value *eval_builtins_value(EvalState *st) {
        return st->builtins;
}

